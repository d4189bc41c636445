//! `Word(String, WordNumber, Delimiters)`: the n-th word, splitting on any delimiter character.

use super::prelude::*;
use super::support::text::slice_cow;

pub struct Word;

static SPEC: Spec = Spec {
    name: "Word",
    summary:
        "Returns word number WordNumber (1-based), splitting on any of the delimiter characters.",
    doc: "Each character of Delimiters splits words; runs of adjacent delimiters do not make \
          empty words (reference A12), so Word(\"a,,b\", 2, \",\") is b. Microsoft's rules: \
          WordNumber < 1 gives \"\"; a NULL string gives \"\"; fewer words than WordNumber gives \
          \"\". With Delimiters \"\" the whole (non-empty) string is word 1. Microsoft types String \
          as a multi-valued attribute without saying how one is read; hr2scim takes its text \
          rendering (values joined with ','). The result borrows from the input.",
    params: &[
        Param::req("String", ParamKind::Str, "Text to take a word from."),
        Param::req("WordNumber", ParamKind::Int, "1-based word number."),
        Param::req("Delimiters", ParamKind::Str, "Characters that separate words."),
    ],
    min_args: 3,
    max_args: Some(3),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"Word("The quick brown fox",3," ")"#,
            columns: &[],
            expected: Expected::Text("brown"),
            note: "REF",
        },
        Example {
            expr: r#"Word("This,string!has&many separators",3,",!&#")"#,
            columns: &[],
            expected: Expected::Text("has"),
            note: "REF: the space is not a delimiter here",
        },
        Example {
            expr: r#"Word("a,,b",2,",")"#,
            columns: &[],
            expected: Expected::Text("b"),
            note: "A12: adjacent delimiters make no empty word",
        },
        Example {
            expr: r#"Word([x],1," ")"#,
            columns: &[],
            expected: Expected::Json(r#""""#),
            note: "REF: NULL gives an empty string",
        },
    ],
};

/// Byte range of word `n` (1-based) of `s`.
fn word_range(s: &str, n: usize, delims: &str) -> Option<std::ops::Range<usize>> {
    let mut count = 0;
    let mut start = None;
    for (i, c) in s.char_indices() {
        if delims.contains(c) {
            if let Some(st) = start.take() {
                count += 1;
                if count == n {
                    return Some(st..i);
                }
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    start.filter(|_| count + 1 == n).map(|st| st..s.len())
}

impl Function for Word {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let s = call.text(0)?;
        let n = call.int(1, "WordNumber")?.unwrap_or(0);
        let delims = call.text(2)?;
        if n < 1 {
            return Ok(Value::str(""));
        }
        match word_range(&s, n as usize, &delims) {
            Some(r) => Ok(Value::Str(slice_cow(s, r))),
            None => Ok(Value::str("")),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::support::testutil::*;

    #[test]
    fn reference_edge_cases() {
        assert_eq!(text(r#"Word("a b", 0, " ")"#, &[]), "");
        assert_eq!(text(r#"Word("a b", -1, " ")"#, &[]), "");
        assert_eq!(text(r#"Word("a b", 3, " ")"#, &[]), "");
        assert_eq!(text(r#"Word("   ", 1, " ")"#, &[]), "");
        assert_eq!(text(r#"Word("", 1, " ")"#, &[]), "");
        assert_eq!(text(r#"Word(" lead  trail ", 2, " ")"#, &[]), "trail");
        assert_eq!(text(r#"Word("ab", 1, "")"#, &[]), "ab");
        assert_eq!(text(r#"Word("a b", "2", " ")"#, &[]), "b");
    }

    #[test]
    fn non_ascii() {
        assert_eq!(text("Word([x], 2, \"·–\")", &[("x", s("Zoë–Ørjan·Ünal"))]), "Ørjan");
        assert_eq!(text("Word([x], 3, \"·–\")", &[("x", s("Zoë–Ørjan·Ünal"))]), "Ünal");
    }

    #[test]
    fn wrong_kinds() {
        assert!(compile_error(r#"Word("a b", "two", " ")"#).contains("WordNumber"));
        assert!(error(r#"Word("a b", [n], " ")"#, &[("n", s("two"))]).contains("WordNumber"));
    }
}
