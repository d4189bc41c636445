//! `PCase(source, wordSeparators?)`: proper case, .NET ToTitleCase word rules by default.

use std::borrow::Cow;

use unicode_normalization::char::{is_combining_mark, is_public_assigned};

use super::prelude::*;
use super::support::text::same_or_owned;
use super::support::unary::map_text;

pub struct PCase;

static SPEC: Spec = Spec {
    name: "PCase",
    summary: "Upper-cases the first letter of each word and lower-cases the rest.",
    doc: "The text is lower-cased first (invariant culture), then each word's first letter is \
          title-cased: without it, .NET's ToTitleCase leaves all-capital words alone as acronyms, \
          and Microsoft's own example (PABLO → Pablo) shows it does not. Without wordSeparators, \
          words follow .NET ToTitleCase: a word starts at a letter and runs until a space, \
          control or format character, punctuation or symbol; digits and combining marks stay \
          in the word, and an apostrophe does too (st john's → St John's; o'neil → O'neil, as \
          .NET gives). A letter after a digit starts a word (1st → 1St, as .NET gives). With \
          wordSeparators (not blank, not \"\"), only those characters split words and the first \
          character of each word is upper-cased.",
    params: &[
        Param::req("source", ParamKind::Str, "Text to convert."),
        Param::opt("wordSeparators", ParamKind::Str, "Characters that split words, e.g. \" '-\"."),
    ],
    min_args: 1,
    max_args: Some(2),
    top_level_only: false,
    examples: &[
        Example {
            expr: "PCase([firstName])",
            columns: &[("firstName", "PABLO GONSALVES (SECOND)")],
            expected: Expected::Text("Pablo Gonsalves (Second)"),
            note: "REF: default separators",
        },
        Example {
            expr: r#"PCase([lastName]," '-")"#,
            columns: &[("lastName", "PINTO-DE'SILVA")],
            expected: Expected::Text("Pinto-De'Silva"),
            note: "REF: only the given separators",
        },
        Example {
            expr: r#"PCase(Join(" ",[firstName],[lastName]))"#,
            columns: &[("firstName", "GREGORY"), ("lastName", "JAMES")],
            expected: Expected::Text("Gregory James"),
            note: "REF",
        },
        Example {
            expr: r#"PCase("st john's hospital")"#,
            columns: &[],
            expected: Expected::Text("St John's Hospital"),
            note: ".NET ToTitleCase keeps an apostrophe inside the word",
        },
    ],
};

fn is_letter(c: char) -> bool {
    c.is_alphabetic() && !is_combining_mark(c)
}

/// .NET's word-separator categories: separators (Z*), control and format characters,
/// punctuation (P*) and symbols (S*). Letters, numbers, marks, private-use and unassigned
/// characters are not separators.
fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_alphanumeric();
    }
    c.is_whitespace()
        || c.is_control()
        || (is_public_assigned(c) && !c.is_alphanumeric() && !is_combining_mark(c))
}

/// .NET's title case of one character: the four Latin digraphs have a title-case form; others
/// upper-case, keeping the character when its upper case is more than one (ß stays ß).
fn title(c: char) -> char {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => 'ǅ',
        'Ǉ' | 'ǈ' | 'ǉ' => 'ǈ',
        'Ǌ' | 'ǋ' | 'ǌ' => 'ǋ',
        'Ǳ' | 'ǲ' | 'ǳ' => 'ǲ',
        _ => {
            let mut u = c.to_uppercase();
            match (u.next(), u.next()) {
                (Some(x), None) => x,
                _ => c,
            }
        }
    }
}

/// Proper-cases `s`; the input comes back borrowed when it was already in proper case.
/// Lower-casing and title-casing happen in one pass, so the result is the only allocation.
pub fn pcase<'r>(s: Cow<'r, str>, separators: Option<&str>) -> Cow<'r, str> {
    let mut out = String::with_capacity(s.len());
    let mut in_word = false;
    let mut step = |c: char, out: &mut String| {
        let (push, word) = match separators {
            Some(seps) if seps.contains(c) => (c, false),
            Some(_) if in_word => (c, true),
            Some(_) => (title(c), true),
            None if in_word => (c, c == '\'' || !is_separator(c)),
            None if is_letter(c) => (title(c), true),
            None => (c, false),
        };
        out.push(push);
        in_word = word;
    };
    for c in s.chars() {
        if c.is_ascii() {
            step(c.to_ascii_lowercase(), &mut out);
        } else {
            // Invariant lower case, as ToLower does (case.rs): char by char.
            c.to_lowercase().for_each(|l| step(l, &mut out));
        }
    }
    same_or_owned(s, out)
}

impl Function for PCase {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        map_text(call, |call, s| {
            let seps = call.arg(1)?.map(Value::into_text).filter(|s| !s.is_empty());
            Ok(pcase(s, seps.as_deref()))
        })
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::pcase;
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    fn p(s: &str) -> String {
        pcase(Cow::Borrowed(s), None).into_owned()
    }

    #[test]
    fn dotnet_word_rules() {
        assert_eq!(p("o'neil mcdonald"), "O'neil Mcdonald");
        assert_eq!(p("jean-luc picard_2nd"), "Jean-Luc Picard_2Nd");
        assert_eq!(p("1st street"), "1St Street");
        assert_eq!(p("hello,world!again"), "Hello,World!Again");
        assert_eq!(p("«zoë» ünal"), "«Zoë» Ünal");
        assert_eq!(p("tab\tsep\nline"), "Tab\tSep\nLine");
        assert_eq!(p("straße"), "Straße");
        assert_eq!(p("ǆemal"), "ǅemal");
        assert_eq!(p("ÉLODIE DUPONT"), "Élodie Dupont");
    }

    #[test]
    fn proper_case_input_stays_borrowed() {
        assert!(matches!(pcase(Cow::Borrowed("John Smith"), None), Cow::Borrowed(_)));
    }

    #[test]
    fn explicit_separators() {
        assert_eq!(text(r#"PCase("MARY ANN", "-")"#, &[]), "Mary ann");
        assert_eq!(text(r#"PCase("(SECOND) x", " ")"#, &[]), "(second) X");
        assert_eq!(text(r#"PCase("ab", "")"#, &[]), "Ab", "\"\" means the default rules");
        assert_eq!(text(r#"PCase("ÅSE-ØYVIND", "-")"#, &[]), "Åse-Øyvind");
    }

    #[test]
    fn null_and_empty() {
        assert_eq!(eval("PCase([x])", &[]), Ok(Value::Null));
        assert_eq!(eval(r#"PCase("")"#, &[]), Ok(s("")));
        assert_eq!(eval("PCase([x], [y])", &[("x", s("JOHN"))]), Ok(s("John")));
    }
}
