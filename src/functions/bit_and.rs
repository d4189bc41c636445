//! `BitAnd(value1, value2)`: bitwise AND of two integers.

use super::prelude::*;

pub struct BitAnd;

static SPEC: Spec = Spec {
    name: "BitAnd",
    summary: "Returns the bitwise AND of two integers.",
    doc: "Both values are 64-bit integers; numeric strings and &H hex literals are accepted. \
          Microsoft's illustration draws &HF as 00000111, which is wrong (it is 00001111), but \
          its stated result, 7, is right. A NULL, decimal or non-numeric value fails the \
          evaluation.",
    params: &[
        Param::req("value1", ParamKind::Int, "Integer to AND with value2."),
        Param::req("value2", ParamKind::Int, "Integer to AND with value1."),
    ],
    min_args: 2,
    max_args: Some(2),
    top_level_only: false,
    examples: &[
        Example {
            expr: "BitAnd(&HF, &HF7)",
            columns: &[],
            expected: Expected::Json("7"),
            note: "REF (§9/A18: the doc's bit diagram of &HF is wrong, the result 7 is right)",
        },
        Example {
            expr: r#"BitAnd([userAccountControl], 2)"#,
            columns: &[("userAccountControl", "514")],
            expected: Expected::Text("2"),
            note: "numeric string column: the ACCOUNTDISABLE bit",
        },
        Example {
            expr: r#"BitAnd([flags], 1)"#,
            columns: &[("flags", "x")],
            expected: Expected::Error("value1 must be a whole number"),
            note: "not a number",
        },
    ],
};

impl Function for BitAnd {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let a = call.int(0, "value1")?.unwrap_or_default();
        let b = call.int(1, "value2")?.unwrap_or_default();
        Ok(Value::Int(a & b))
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn ands_bits() {
        assert_eq!(eval("BitAnd(12, 10)", &[]), Ok(Value::Int(8)));
        assert_eq!(eval("BitAnd(-1, &HFF)", &[]), Ok(Value::Int(255)));
        assert_eq!(eval(r#"BitAnd("6", " 3 ")"#, &[]), Ok(Value::Int(2)));
    }

    #[test]
    fn null_and_wrong_kinds_fail() {
        assert!(error("BitAnd([x], 1)", &[]).contains("NULL"));
        // A literal is refused when the mapping is checked; a column value when the row runs.
        assert!(compile_error("BitAnd(1, 2.5)").contains("value2"));
        assert!(error("BitAnd(1, [v])", &[("v", s("2.5"))]).contains("value2"));
        assert!(error("BitAnd([v], 1)", &[("v", s("é"))]).contains("value1"));
    }
}
