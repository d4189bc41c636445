//! `Len(String)`: the length in UTF-16 code units, as .NET counts.

use super::prelude::*;
use super::support::text::utf16_len;

pub struct Len;

static SPEC: Spec = Spec {
    name: "Len",
    summary: "Returns the number of characters in the string.",
    doc: "NULL and \"\" give 0. Numbers are measured by their text (Len(42568.75) is 8). \
          Characters are counted as .NET does, in UTF-16 code units: é is 1, an emoji outside \
          the Basic Multilingual Plane is 2. A multi-valued attribute fails (use Count).",
    params: &[Param::req("String", ParamKind::Str, "The text to measure.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: "Len(42568)",
            columns: &[],
            expected: Expected::Json("5"),
            note: "REF-LIVE",
        },
        Example {
            expr: "Len(42568.75)",
            columns: &[],
            expected: Expected::Json("8"),
            note: "REF-LIVE",
        },
        Example {
            expr: "Len([LastName])",
            columns: &[],
            expected: Expected::Json("0"),
            note: "REF-LIVE: NULL gives 0",
        },
        Example {
            expr: r#"IIF(Len([LastName]) <= 5, [LastName], Left([LastName], 5))"#,
            columns: &[("LastName", "Gonsalves")],
            expected: Expected::Text("Gonsa"),
            note: "in the manner of REF-LIVE scenario 19 (alias under 10 characters)",
        },
    ],
};

impl Function for Len {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let v = call.value(0)?;
        if let Value::List(_) = v {
            return fail("Len takes a single value, not a multi-valued attribute (use Count)");
        }
        Ok(Value::Int(utf16_len(&v.as_text()) as i64))
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn counts_utf16_units() {
        assert_eq!(eval("Len([x])", &[("x", s("Zoë"))]), Ok(Value::Int(3)));
        assert_eq!(eval(r#"Len("😀")"#, &[]), Ok(Value::Int(2)));
        // e + combining diaeresis: two code units, as in .NET.
        assert_eq!(eval("Len([x])", &[("x", s("e\u{308}"))]), Ok(Value::Int(2)));
        assert_eq!(eval(r#"Len("")"#, &[]), Ok(Value::Int(0)));
        assert_eq!(eval("Len(IsNull([x]))", &[]), Ok(Value::Int(4)), "True");
    }

    #[test]
    fn lists_fail() {
        assert!(error("Len([l])", &[("l", list(&["a", "b"]))]).contains("Count"));
    }
}
