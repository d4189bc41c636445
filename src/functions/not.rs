//! `Not(source)`: False when source is True, otherwise True.

use super::prelude::*;

pub struct Not;

static SPEC: Spec = Spec {
    name: "Not",
    summary: "Returns False when source is True; otherwise True.",
    doc: "Microsoft expects the strings \"True\" or \"False\". hr2scim follows the doc's wording \
          literally: the boolean True and the string \"True\" in any case give False; everything \
          else, NULL and \"\" included, gives True.",
    params: &[Param::req("source", ParamKind::Any, "A boolean or the text True/False.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: "Not([accountDisabled])",
            columns: &[("accountDisabled", "True")],
            expected: Expected::Text("False"),
            note: "REF: True gives False",
        },
        Example {
            expr: "Not([accountDisabled])",
            columns: &[("accountDisabled", "False")],
            expected: Expected::Text("True"),
            note: "REF: otherwise True",
        },
        Example {
            expr: "Not(IsNull([mail]))",
            columns: &[],
            expected: Expected::Json("false"),
            note: "a boolean from another function",
        },
        Example {
            expr: "Not([accountDisabled])",
            columns: &[],
            expected: Expected::Json("true"),
            note: "NULL is not True",
        },
    ],
};

impl Function for Not {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let is_true = match call.value(0)? {
            Value::Bool(b) => b,
            Value::Str(s) => s.eq_ignore_ascii_case("true"),
            _ => false,
        };
        Ok(Value::Bool(!is_true))
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn only_true_flips_to_false() {
        assert_eq!(eval(r#"Not("TRUE")"#, &[]), Ok(Value::Bool(false)));
        assert_eq!(eval(r#"Not("")"#, &[]), Ok(Value::Bool(true)));
        assert_eq!(eval(r#"Not("yes")"#, &[]), Ok(Value::Bool(true)));
        assert_eq!(eval("Not(1)", &[]), Ok(Value::Bool(true)));
        assert_eq!(eval(r#"Not("Trüe")"#, &[]), Ok(Value::Bool(true)));
        assert_eq!(eval("Not([l])", &[("l", list(&["True"]))]), Ok(Value::Bool(true)));
        assert_eq!(eval("Not(Not(IsNull([x])))", &[]), Ok(Value::Bool(true)));
    }
}
