//! `InStr(value1, value2, start?, compareType?)`: 1-based position of a substring, 0 if absent.

use super::prelude::*;
use super::support::text::{byte_at_unit, unit_at_byte, utf16_len};

pub struct InStr;

static SPEC: Spec = Spec {
    name: "InStr",
    summary: "Returns the 1-based position of value2 in value1, or 0 when it is not found.",
    doc: "Positions count UTF-16 code units, as .NET does. The search starts at start (1-based, \
          default 1). compareType is vbBinaryCompare (ordinal, the default) or vbTextCompare \
          (ignores case); the numbers 0 and 1 are accepted too. Rules follow VB.NET's InStr: \
          start below 1 fails; an empty or NULL value1, or a start past its end, gives 0; an \
          empty value2 gives start.",
    params: &[
        Param::req("value1", ParamKind::Str, "Text to search."),
        Param::req("value2", ParamKind::Str, "Text to find."),
        Param::opt("start", ParamKind::Int, "1-based position to start from."),
        Param::opt("compareType", ParamKind::Keyword, "vbBinaryCompare or vbTextCompare."),
    ],
    min_args: 2,
    max_args: Some(4),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"InStr("The quick brown fox","quick")"#,
            columns: &[],
            expected: Expected::Json("5"),
            note: "REF",
        },
        Example {
            expr: r#"InStr("repEated","e",3,vbBinaryCompare)"#,
            columns: &[],
            expected: Expected::Json("7"),
            note: "REF: the upper-case E at 4 does not match",
        },
        Example {
            expr: r#"InStr("repEated","e",3,vbTextCompare)"#,
            columns: &[],
            expected: Expected::Json("4"),
            note: "case-insensitive",
        },
        Example {
            expr: r#"InStr([mail], "@")"#,
            columns: &[("mail", "jdoe")],
            expected: Expected::Json("0"),
            note: "not found (CLOUD-SYNC, CONNECT-SYNC)",
        },
    ],
};

#[derive(Clone, Copy, PartialEq, Debug)]
enum Compare {
    Binary,
    Text,
}

fn compare_of(v: &Value<'_>) -> Option<Compare> {
    let t = v.as_text();
    if t.eq_ignore_ascii_case("vbBinaryCompare") || t == "0" || t.is_empty() {
        Some(Compare::Binary)
    } else if t.eq_ignore_ascii_case("vbTextCompare") || t == "1" {
        Some(Compare::Text)
    } else {
        None
    }
}

const BAD_COMPARE: &str = "compareType must be vbBinaryCompare or vbTextCompare";

/// Simple case folding, char by char, so positions stay those of the original text.
fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

fn starts_with_folded(hay: &str, needle: &str) -> bool {
    let mut h = hay.chars();
    needle.chars().all(|n| h.next().is_some_and(|c| fold(c) == fold(n)))
}

impl Function for InStr {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn prepare(&self, args: &[Option<&Node>]) -> Result<Option<Prepared>, PrepareError> {
        match args.get(3).copied().flatten() {
            Some(Node::Str(s)) if compare_of(&Value::str(&**s)).is_none() => {
                Err(PrepareError::at(3, format!("{BAD_COMPARE}, got \"{s}\"")))
            }
            Some(Node::Keyword(k)) if compare_of(&Value::str(k.name())).is_none() => {
                Err(PrepareError::at(3, format!("{BAD_COMPARE}, got {}", k.name())))
            }
            _ => Ok(None),
        }
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        let hay = call.text(0)?;
        let needle = call.text(1)?;
        let start = call.int(2, "start")?.unwrap_or(1);
        let mode = match call.arg(3)? {
            None => Compare::Binary,
            Some(v) => match compare_of(&v) {
                Some(m) => m,
                None => return fail(format!("{BAD_COMPARE}, got '{v}'")),
            },
        };
        if start < 1 {
            return fail(format!("InStr's start is 1-based and must be 1 or more, got {start}"));
        }
        let start0 = (start - 1) as usize;
        let len = utf16_len(&hay);
        if len == 0 || start0 > len {
            return Ok(Value::Int(0));
        }
        if needle.is_empty() {
            return Ok(Value::Int(start));
        }
        let from = byte_at_unit(&hay, start0);
        let found = match mode {
            Compare::Binary => hay[from..].find(&*needle).map(|i| from + i),
            Compare::Text => hay[from..]
                .char_indices()
                .map(|(i, _)| from + i)
                .find(|&b| starts_with_folded(&hay[b..], &needle)),
        };
        Ok(Value::Int(found.map_or(0, |b| unit_at_byte(&hay, b) as i64 + 1)))
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    fn pos(expr: &str) -> Value<'static> {
        eval(expr, &[]).unwrap_or_else(|f| panic!("{expr}: {f:?}"))
    }

    #[test]
    fn vb_edge_rules() {
        assert_eq!(pos(r#"InStr("abc", "")"#), Value::Int(1));
        assert_eq!(pos(r#"InStr("abc", "", 3)"#), Value::Int(3));
        assert_eq!(pos(r#"InStr("abc", "c", 4)"#), Value::Int(0));
        assert_eq!(pos(r#"InStr("", "a")"#), Value::Int(0));
        assert_eq!(pos(r#"InStr([x], "a")"#), Value::Int(0));
        assert_eq!(pos(r#"InStr("abcabc", "abc", "2")"#), Value::Int(4));
    }

    #[test]
    fn out_of_range_start_fails() {
        assert!(error(r#"InStr("abc", "a", 0)"#, &[]).contains("1-based"));
        assert!(error(r#"InStr("abc", "a", -3)"#, &[]).contains("1-based"));
    }

    #[test]
    fn non_ascii_positions_are_utf16() {
        assert_eq!(pos(r#"InStr("Zoë Ünal", "Ü")"#), Value::Int(5));
        assert_eq!(pos(r#"InStr("😀x", "x")"#), Value::Int(3));
        assert_eq!(pos(r#"InStr("ZOË", "ë", 1, vbTextCompare)"#), Value::Int(3));
        assert_eq!(pos(r#"InStr("ZOË", "ë", 1, vbBinaryCompare)"#), Value::Int(0));
    }

    #[test]
    fn compare_type_is_checked() {
        assert!(compile_error(r#"InStr("a", "b", 1, "fuzzy")"#).contains("compareType"));
        assert!(compile_error(r#"InStr("a", "b", 1, IgnoreObjectFlow)"#).contains("flow control"));
        assert!(error(r#"InStr("a", "b", 1, [c])"#, &[("c", s("x"))]).contains("compareType"));
        assert_eq!(pos(r#"InStr("aA", "A", 1, 1)"#), Value::Int(1));
        assert_eq!(pos(r#"InStr("aA", "A", 1, )"#), Value::Int(2));
    }
}
