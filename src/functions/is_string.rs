//! `IsString(expression)`: True when the value can be used as one string.

use super::prelude::*;

pub struct IsString;

static SPEC: Spec = Spec {
    name: "IsString",
    summary: "Returns True when the expression can be evaluated to a string.",
    doc: "Microsoft gives no example. hr2scim's reading: any single value can be rendered as a \
          string, so text (\"\" included), numbers, booleans and dates are True; NULL (no value \
          at all) and multi-valued lists (several values) are False.",
    params: &[Param::req("expression", ParamKind::Any, "The value to test.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: "IsString([displayName])",
            columns: &[("displayName", "John Doe")],
            expected: Expected::Text("True"),
            note: "text",
        },
        Example {
            expr: "IsString([displayName])",
            columns: &[],
            expected: Expected::Text("False"),
            note: "NULL has no value",
        },
        Example {
            expr: r#"IsString(Split("a,b", ","))"#,
            columns: &[],
            expected: Expected::Text("False"),
            note: "a multi-valued list",
        },
    ],
};

impl Function for IsString {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let v = call.value(0)?;
        Ok(Value::Bool(!matches!(v, Value::Null | Value::List(_))))
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn kinds() {
        assert_eq!(eval("IsString(42)", &[]), Ok(Value::Bool(true)));
        assert_eq!(eval(r#"IsString("")"#, &[]), Ok(Value::Bool(true)));
        assert_eq!(eval("IsString(IsNull([x]))", &[]), Ok(Value::Bool(true)));
        assert_eq!(eval("IsString([x])", &[("x", s("Ærø"))]), Ok(Value::Bool(true)));
        assert_eq!(eval("IsString([x])", &[("x", list(&["a"]))]), Ok(Value::Bool(false)));
    }
}
