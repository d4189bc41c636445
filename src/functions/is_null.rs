//! `IsNull(expression)`: True only for NULL (an absent attribute).

use super::prelude::*;
use super::support::unary::test_value;

pub struct IsNull;

static SPEC: Spec = Spec {
    name: "IsNull",
    summary: "Returns True when the expression is NULL (the attribute is absent).",
    doc: "Only NULL is True; \"\" is a value. With the default --empty-cells null an empty cell \
          is NULL, so IsNull is True for it; with --empty-cells empty it is \"\" and IsNull is \
          False. Do not use it as the source of Switch (REF-LIVE): use a \"\" key instead.",
    params: &[Param::req("expression", ParamKind::Any, "The value to test.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: "IsNull([displayName])",
            columns: &[],
            expected: Expected::Text("True"),
            note: "REF: True when the attribute isn't present",
        },
        Example {
            expr: "IsNull([displayName])",
            columns: &[("displayName", "John Doe")],
            expected: Expected::Text("False"),
            note: "REF",
        },
        Example {
            expr: r#"IsNull("")"#,
            columns: &[],
            expected: Expected::Json("false"),
            note: "\"\" is not NULL",
        },
    ],
};

impl Function for IsNull {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        test_value(call, Value::is_null)
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn only_null_is_null() {
        assert_eq!(eval("IsNull([x])", &[("x", s("Zoë"))]), Ok(Value::Bool(false)));
        assert_eq!(eval("IsNull([x])", &[("x", list(&[]))]), Ok(Value::Bool(false)));
        assert_eq!(eval("IsNull(0)", &[]), Ok(Value::Bool(false)));
        assert_eq!(eval("IsNull(Switch([a], , \"k\", \"v\"))", &[]), Ok(Value::Bool(true)));
    }

    #[test]
    fn empty_cell_policy() {
        assert_eq!(eval("IsNull([x])", &[("x", s(""))]), Ok(Value::Bool(true)));
        assert_eq!(eval_keep_empty("IsNull([x])", &[("x", s(""))]), Ok(Value::Bool(false)));
    }
}
