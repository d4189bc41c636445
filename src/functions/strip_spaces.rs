//! `StripSpaces(source)`: removes every U+0020 space.

use std::borrow::Cow;

use super::prelude::*;
use super::support::unary::map_text;

pub struct StripSpaces;

static SPEC: Spec = Spec {
    name: "StripSpaces",
    summary: "Removes all space characters from the text.",
    doc: "Only U+0020 is removed, as Microsoft says (\" \"); tabs, no-break spaces and other \
          whitespace stay. Text without spaces is returned as it came, without a copy. NULL \
          stays NULL.",
    params: &[Param::req("source", ParamKind::Str, "Text to strip.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: r#"StripSpaces([lastName])"#,
            columns: &[("lastName", "van der Berg")],
            expected: Expected::Text("vanderBerg"),
            note: "REF description",
        },
        Example {
            expr: r#"Join("@", NormalizeDiacritics(StripSpaces(Join(".", [PreferredFirstName], [PreferredLastName]))), "contoso.com")"#,
            columns: &[("PreferredFirstName", "Mary Ann"), ("PreferredLastName", "Smith")],
            expected: Expected::Text("MaryAnn.Smith@contoso.com"),
            note: "REF SelectUniqueValue rule",
        },
    ],
};

/// Removes U+0020, borrowing when there is none.
pub fn strip_spaces(s: Cow<'_, str>) -> Cow<'_, str> {
    if !s.contains(' ') {
        return s;
    }
    Cow::Owned(s.chars().filter(|c| *c != ' ').collect())
}

impl Function for StripSpaces {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        map_text(call, |_, s| Ok(strip_spaces(s)))
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::strip_spaces;
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    #[test]
    fn only_u0020() {
        assert_eq!(text(r#"StripSpaces(" a b ")"#, &[]), "ab");
        assert_eq!(text("StripSpaces([x])", &[("x", s("a\tb\u{a0}c d"))]), "a\tb\u{a0}cd");
        assert_eq!(text("StripSpaces([x])", &[("x", s("Zoë Ünal"))]), "ZoëÜnal");
    }

    #[test]
    fn borrowed_without_spaces() {
        assert!(matches!(strip_spaces(Cow::Borrowed("abc")), Cow::Borrowed("abc")));
    }

    #[test]
    fn null_and_empty() {
        assert_eq!(eval("StripSpaces([x])", &[]), Ok(Value::Null));
        assert_eq!(eval(r#"StripSpaces("   ")"#, &[]), Ok(s("")));
    }
}
