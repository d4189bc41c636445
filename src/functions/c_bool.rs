//! `CBool(expression)`: a boolean from a comparison or a value.

use super::iif::truthy;
use super::prelude::*;

pub struct CBool;

static SPEC: Spec = Spec {
    name: "CBool",
    summary: "Returns True when the expression gives a non-zero value, otherwise False.",
    doc: "The argument is usually a comparison: CBool([a] = [b]) is True when the two are equal. \
          Booleans pass through, numbers (and numeric strings) are True when non-zero, the \
          strings \"True\"/\"False\" (any case) map to themselves. NULL and \"\" are False. \
          Unlike IIF, a NULL attribute in the comparison does not fail it (reference A20): it \
          compares as \"\". Any other string fails the evaluation.",
    params: &[Param::req("expression", ParamKind::Condition, "A comparison or a value.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: "CBool([attribute1] = [attribute2])",
            columns: &[("attribute1", "x"), ("attribute2", "x")],
            expected: Expected::Text("True"),
            note: "REF: True when both attributes have the same value",
        },
        Example {
            expr: "CBool([attribute1] = [attribute2])",
            columns: &[("attribute1", "x"), ("attribute2", "X")],
            expected: Expected::Text("False"),
            note: "REF: comparison is ordinal",
        },
        Example {
            expr: "CBool([count])",
            columns: &[("count", "0")],
            expected: Expected::Json("false"),
            note: "zero is False",
        },
        Example {
            expr: "CBool([a] = [b])",
            columns: &[],
            expected: Expected::Json("true"),
            note: "A20: NULL compares as \"\"",
        },
    ],
};

impl Function for CBool {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let v = call.value(0)?;
        if v.is_null_or_empty() {
            return Ok(Value::Bool(false));
        }
        if let Value::List(_) = v {
            return fail("CBool takes a single value, not a multi-valued attribute");
        }
        Ok(Value::Bool(truthy(&v)?))
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn values_to_booleans() {
        assert_eq!(eval("CBool(5)", &[]), Ok(Value::Bool(true)));
        assert_eq!(eval("CBool(-0.5)", &[]), Ok(Value::Bool(true)));
        assert_eq!(eval(r#"CBool("TRUE")"#, &[]), Ok(Value::Bool(true)));
        assert_eq!(eval(r#"CBool("false")"#, &[]), Ok(Value::Bool(false)));
        assert_eq!(eval(r#"CBool(IsNull([x]))"#, &[]), Ok(Value::Bool(true)));
        assert_eq!(eval("CBool(Len([x]) > 2)", &[("x", s("Zoë"))]), Ok(Value::Bool(true)));
    }

    #[test]
    fn null_and_empty_are_false() {
        assert_eq!(eval("CBool([x])", &[]), Ok(Value::Bool(false)));
        assert_eq!(eval("CBool([v])", &[("v", s(""))]), Ok(Value::Bool(false)));
        assert!(compile_error(r#"CBool("")"#).contains("never True or False"));
    }

    #[test]
    fn wrong_kinds_fail() {
        assert!(error("CBool([v])", &[("v", s("Jürgen"))]).contains("True or False"));
        assert!(error("CBool([l])", &[("l", list(&["1", "2"]))]).contains("single value"));
    }

    #[test]
    fn non_ascii_comparison_is_ordinal() {
        assert_eq!(
            eval("CBool([a] = [b])", &[("a", s("Zoë")), ("b", s("Zoë"))]),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            eval("CBool([a] = [b])", &[("a", s("Zoë")), ("b", s("ZOË"))]),
            Ok(Value::Bool(false))
        );
    }
}
