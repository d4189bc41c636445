//! `IsNullOrEmpty(expression)`: True for NULL or "".

use super::prelude::*;
use super::support::unary::test_value;

pub struct IsNullOrEmpty;

static SPEC: Spec = Spec {
    name: "IsNullOrEmpty",
    summary: "Returns True when the expression is NULL or an empty string.",
    doc: "True for NULL, \"\" and an empty multi-valued list; False for anything else, including \
          a string of spaces. The inverse of IsPresent. As an IIF condition it is subject to the \
          strict IIF rule (reference A3); Switch with a \"\" key is the documented alternative.",
    params: &[Param::req("expression", ParamKind::Any, "The value to test.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: "IsNullOrEmpty([displayName])",
            columns: &[],
            expected: Expected::Text("True"),
            note: "REF: the attribute isn't present",
        },
        Example {
            expr: r#"IsNullOrEmpty("")"#,
            columns: &[],
            expected: Expected::Text("True"),
            note: "REF: present but an empty string",
        },
        Example {
            expr: "IsNullOrEmpty([displayName])",
            columns: &[("displayName", "John Doe")],
            expected: Expected::Text("False"),
            note: "REF",
        },
    ],
};

impl Function for IsNullOrEmpty {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        test_value(call, Value::is_null_or_empty)
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn null_empty_and_values() {
        assert_eq!(eval_keep_empty("IsNullOrEmpty([x])", &[("x", s(""))]), Ok(Value::Bool(true)));
        assert_eq!(eval("IsNullOrEmpty([x])", &[("x", list(&[]))]), Ok(Value::Bool(true)));
        assert_eq!(eval(r#"IsNullOrEmpty(" ")"#, &[]), Ok(Value::Bool(false)));
        assert_eq!(eval("IsNullOrEmpty(0)", &[]), Ok(Value::Bool(false)));
        assert_eq!(eval("IsNullOrEmpty([x])", &[("x", s("ß"))]), Ok(Value::Bool(false)));
    }
}
