//! `Left(String, NumChars)`: the first NumChars characters.

use super::prelude::*;
use super::support::text::{byte_at_unit, slice_cow};

pub struct Left;

static SPEC: Spec = Spec {
    name: "Left",
    summary: "Returns the first NumChars characters of the string.",
    doc: "Microsoft's rules: NumChars = 0 gives \"\"; NumChars < 0 gives the whole string; a NULL \
          string gives \"\"; a string shorter than NumChars is returned whole. Characters are \
          UTF-16 code units as in .NET, except that a cut inside a surrogate pair (an emoji, say) \
          is moved before it rather than leaving half a character. Numbers are taken by their \
          text. The result borrows from the input: no copy is made.",
    params: &[
        Param::req("String", ParamKind::Str, "The string to take characters from."),
        Param::req("NumChars", ParamKind::Int, "How many characters to return."),
    ],
    min_args: 2,
    max_args: Some(2),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"Left("John Doe", 3)"#,
            columns: &[],
            expected: Expected::Text("Joh"),
            note: "REF",
        },
        Example {
            expr: r#"Left([name], -1)"#,
            columns: &[("name", "John Doe")],
            expected: Expected::Text("John Doe"),
            note: "REF: NumChars < 0 returns the input",
        },
        Example {
            expr: r#"Left([name], 3)"#,
            columns: &[],
            expected: Expected::Json(r#""""#),
            note: "REF: NULL gives an empty string",
        },
    ],
};

impl Function for Left {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let s = call.text(0)?;
        let n = call.int(1, "NumChars")?.unwrap_or(0);
        if n < 0 {
            return Ok(Value::Str(s));
        }
        let end = byte_at_unit(&s, n as usize);
        Ok(Value::Str(slice_cow(s, 0..end)))
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::support::testutil::*;

    #[test]
    fn edge_rules() {
        assert_eq!(text(r#"Left("John", 0)"#, &[]), "");
        assert_eq!(text(r#"Left("John", 10)"#, &[]), "John");
        assert_eq!(text(r#"Left("", 2)"#, &[]), "");
        assert_eq!(text("Left(42568, 2)", &[]), "42");
        assert_eq!(text(r#"Left("John", "2")"#, &[]), "Jo");
    }

    #[test]
    fn non_ascii() {
        assert_eq!(text("Left([x], 3)", &[("x", s("Zoë Ünal"))]), "Zoë");
        assert_eq!(text(r#"Left("a😀b", 2)"#, &[]), "a", "no half surrogate pair");
        assert_eq!(text(r#"Left("a😀b", 3)"#, &[]), "a😀");
    }

    #[test]
    fn wrong_kinds() {
        assert!(compile_error(r#"Left("John", "x")"#).contains("NumChars"));
        assert!(error(r#"Left("John", [n])"#, &[("n", s("x"))]).contains("NumChars"));
        assert!(error(r#"Left("John", [n])"#, &[]).contains("NumChars"));
    }
}
