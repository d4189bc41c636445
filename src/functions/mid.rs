//! `Mid(source, start, length)`: a substring from a 1-based start.

use super::prelude::*;
use super::support::text::{byte_at_unit, slice_cow, utf16_len};

pub struct Mid;

static SPEC: Spec = Spec {
    name: "Mid",
    summary: "Returns length characters of source starting at the 1-based start.",
    doc: "A length running past the end is clipped (REF). Other edge cases are not documented \
          for provisioning; hr2scim provisionally follows Connect sync's Mid (reference A13): \
          length 0 gives \"\"; length < 0 gives the whole input; start ≤ 0 or start past the end \
          gives the whole input; NULL gives \"\". Characters are UTF-16 code units as in .NET, \
          never splitting a surrogate pair. Numeric strings are accepted for start and length \
          (Mid([x], \"1\", \"1\")). The result borrows from the input.",
    params: &[
        Param::req("source", ParamKind::Str, "The text to take from."),
        Param::req("start", ParamKind::Int, "1-based position of the first character."),
        Param::req("length", ParamKind::Int, "How many characters."),
    ],
    min_args: 3,
    max_args: Some(3),
    top_level_only: false,
    examples: &[
        Example {
            expr: "Mid([givenName], 1, 3)",
            columns: &[("givenName", "John")],
            expected: Expected::Text("Joh"),
            note: "REF scenario 3",
        },
        Example {
            expr: "Mid([surname], 1, 5)",
            columns: &[("surname", "Doe")],
            expected: Expected::Text("Doe"),
            note: "REF scenario 3: the length is clipped at the end",
        },
        Example {
            expr: r#"Mid([PreferredFirstName], "1", "1")"#,
            columns: &[("PreferredFirstName", "Jéssica")],
            expected: Expected::Text("J"),
            note: "guides: numbers written as strings",
        },
        Example {
            expr: "Mid([surname], 9, 2)",
            columns: &[("surname", "Doe")],
            expected: Expected::Text("Doe"),
            note: "A13 (CONNECT-SYNC, provisional): start past the end gives the input",
        },
    ],
};

impl Function for Mid {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let s = call.text(0)?;
        let start = call.int(1, "start")?.unwrap_or(0);
        let length = call.int(2, "length")?.unwrap_or(0);
        if length == 0 {
            return Ok(Value::str(""));
        }
        let len = utf16_len(&s) as i64;
        if length < 0 || start <= 0 || start > len {
            return Ok(Value::Str(s));
        }
        let from = byte_at_unit(&s, (start - 1) as usize);
        let to = byte_at_unit(&s, (start - 1).saturating_add(length).min(len) as usize);
        Ok(Value::Str(slice_cow(s, from..to)))
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::support::testutil::*;

    #[test]
    fn connect_sync_edge_rules() {
        assert_eq!(text(r#"Mid("John", 2, 0)"#, &[]), "");
        assert_eq!(text(r#"Mid("John", 2, -1)"#, &[]), "John");
        assert_eq!(text(r#"Mid("John", 0, 2)"#, &[]), "John");
        assert_eq!(text(r#"Mid("John", -5, 2)"#, &[]), "John");
        assert_eq!(text(r#"Mid("John", 5, 1)"#, &[]), "John");
        assert_eq!(text(r#"Mid("John", 4, 1)"#, &[]), "n");
        assert_eq!(text(r#"Mid("John", 2, 9223372036854775807)"#, &[]), "ohn");
        assert_eq!(text("Mid([x], 1, 1)", &[]), "");
    }

    #[test]
    fn non_ascii() {
        assert_eq!(text("Mid([x], 3, 3)", &[("x", s("Zoë Ünal"))]), "ë Ü");
        assert_eq!(text(r#"Mid("😀ab", 3, 1)"#, &[]), "a");
        assert_eq!(text(r#"Mid("ab😀", 3, 1)"#, &[]), "", "half a pair is not returned");
    }

    #[test]
    fn wrong_kinds() {
        assert!(compile_error(r#"Mid("John", "one", 1)"#).contains("start"));
        assert!(error(r#"Mid("John", [n], 1)"#, &[("n", s("one"))]).contains("start"));
        assert!(compile_error(r#"Mid("John", 1, 1.5)"#).contains("length"));
    }
}
