//! `NormalizeDiacritics(source)`: Microsoft's table of replacements, then accent stripping for
//! the remaining Latin letters.

use std::borrow::Cow;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use super::prelude::*;
use super::support::text::is_latin;
use super::support::text::same_or_owned;
use super::support::unary::map_text;

pub struct NormalizeDiacritics;

static SPEC: Spec = Spec {
    name: "NormalizeDiacritics",
    summary: "Replaces letters carrying diacritics with plain letters.",
    doc: "Microsoft's table comes first, because some of its letters have no decomposition: \
          æ ǣ → ae, Æ Ǣ → AE, ø ø̄ → oe, Ø Ø̄ → OE, œ œ̄ → oe, Œ Œ̄ → OE, ß → ss, ł → l, Ł → L, \
          ı → i, İ → I. Every other entry of the table is a Latin letter plus combining marks \
          (ä, ā́, e̊̄, ṳ̄ …), so the rest is done generally (reference A11): a Latin letter is \
          decomposed (NFD) and its combining marks dropped, and so are combining marks written \
          after a Latin letter. Letters of other scripts keep their marks (Cyrillic й stays й), \
          and Latin letters with no decomposition and no table entry (đ, ħ) are left as they \
          are. ASCII text is returned as it came, without a copy.",
    params: &[Param::req("source", ParamKind::Str, "Usually a first or last name.")],
    min_args: 1,
    max_args: Some(1),
    top_level_only: false,
    examples: &[
        Example {
            expr: "NormalizeDiacritics([givenName])",
            columns: &[("givenName", "Zoë")],
            expected: Expected::Text("Zoe"),
            note: "REF",
        },
        Example {
            expr: r#"ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".", [PreferredFirstName], [PreferredLastName]))), "contoso.com"))"#,
            columns: &[("PreferredFirstName", "John"), ("PreferredLastName", "Smith")],
            expected: Expected::Text("john.smith@contoso.com"),
            note: "REF (ToLower example, scenario 12)",
        },
        Example {
            expr: r#"NormalizeDiacritics("Ærøskøbing Łódź Straße Işıl")"#,
            columns: &[],
            expected: Expected::Text("AEroeskoebing Lodz Strasse Isil"),
            note: "REF table: two-letter and undecomposable entries",
        },
        Example {
            expr: r#"NormalizeDiacritics("Jéssica Smith")"#,
            columns: &[],
            expected: Expected::Text("Jessica Smith"),
            note: "REF SelectUniqueValue note",
        },
    ],
};

/// Microsoft's entries that plain decomposition does not give.
fn table(c: char) -> Option<&'static str> {
    Some(match c {
        'æ' => "ae",
        'Æ' => "AE",
        'ø' | 'œ' => "oe",
        'Ø' | 'Œ' => "OE",
        'ß' => "ss",
        'ł' => "l",
        'Ł' => "L",
        'ı' => "i",
        _ => return None,
    })
}

/// The normalization itself, usable outside the expression evaluator (benchmarks).
pub fn normalize_diacritics(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.is_ascii() {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    // Whether the last base character was Latin: marks written after it are dropped.
    let mut after_latin = false;
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
            after_latin = c.is_ascii_alphabetic();
        } else if is_combining_mark(c) {
            if !after_latin {
                out.push(c);
            }
        } else if let Some(t) = table(c) {
            out.push_str(t);
            after_latin = true;
        } else if is_latin(c) {
            decompose_canonical(c, |d| {
                if is_combining_mark(d) {
                    return;
                }
                match table(d) {
                    Some(t) => out.push_str(t),
                    None => out.push(d),
                }
            });
            after_latin = true;
        } else {
            out.push(c);
            after_latin = false;
        }
    }
    same_or_owned(s, out)
}

impl Function for NormalizeDiacritics {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r> {
        map_text(call, |_, s| Ok(normalize_diacritics(s)))
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::normalize_diacritics;
    use crate::eval::Value;
    use crate::functions::support::testutil::*;

    fn n(s: &str) -> String {
        normalize_diacritics(Cow::Borrowed(s)).into_owned()
    }

    #[test]
    fn whole_doc_table() {
        let rows = [
            ("ä à â ã å á ą ă ā ā́ ā̀ ā̂ ā̃ ǟ ā̈ ǡ a̱ å̄", "a"),
            ("Ä À Â Ã Å Á Ą Ă Ā Ā́ Ā̀ Ā̂ Ā̃ Ǟ Ā̈ Ǡ A̱ Å̄", "A"),
            ("æ ǣ", "ae"),
            ("Æ Ǣ", "AE"),
            ("ç č ć c̄ c̱", "c"),
            ("Ç Č Ć C̄ C̱", "C"),
            ("ď d̄ ḏ", "d"),
            ("Ď D̄ Ḏ", "D"),
            ("ë è é ê ę ě ė ē ḗ ḕ ē̂ ē̃ ê̄ e̱ ë̄ e̊̄", "e"),
            ("Ë È É Ê Ę Ě Ė Ē Ḗ Ḕ Ē̂ Ē̃ Ê̄ E̱ Ë̄ E̊̄", "E"),
            ("ğ ḡ g̱", "g"),
            ("Ğ Ḡ G̱", "G"),
            ("ï î ì í ı ī ī́ ī̀ ī̂ ī̃ i̱", "i"),
            ("Ï Î Ì Í İ Ī Ī́ Ī̀ Ī̂ Ī̃ I̱", "I"),
            ("ľ ł l̄ ḹ ḻ", "l"),
            ("Ł Ľ L̄ Ḹ Ḻ", "L"),
            ("ñ ń ň n̄ ṉ", "n"),
            ("Ñ Ń Ň N̄ Ṉ", "N"),
            ("ö ò ő õ ô ó ō ṓ ṑ ō̂ ō̃ ȫ ō̈ ǭ ȭ ȱ o̱", "o"),
            ("Ö Ò Ő Õ Ô Ó Ō Ṓ Ṑ Ō̂ Ō̃ Ȫ Ō̈ Ǭ Ȭ Ȱ O̱", "O"),
            ("ø ø̄ œ̄", "oe"),
            ("Ø Ø̄ Œ̄", "OE"),
            ("ř r̄ ṟ ṝ", "r"),
            ("Ř R̄ Ṟ Ṝ", "R"),
            ("ß", "ss"),
            ("š ś ș ş s̄ s̱", "s"),
            ("Š Ś Ș Ş S̄ S̱", "S"),
            ("ť ț t̄ ṯ", "t"),
            ("Ť Ț T̄ Ṯ", "T"),
            ("ü ù û ú ů ű ū ū́ ū̀ ū̂ ū̃ u̇̄ ǖ ṻ ṳ̄ u̱", "u"),
            ("Ü Ù Û Ú Ů Ű Ū Ū́ Ū̀ Ū̂ Ū̃ U̇̄ Ǖ Ṻ Ṳ̄ U̱", "U"),
            ("ÿ ý ȳ ȳ́ ȳ̀ ȳ̃ y̱", "y"),
            ("Ÿ Ý Ȳ Ȳ́ Ȳ̀ Ȳ̃ Y̱", "Y"),
            ("ź ž ż z̄ ẕ", "z"),
            ("Ź Ž Ż Z̄ Ẕ", "Z"),
        ];
        for (letters, want) in rows {
            for l in letters.split(' ') {
                assert_eq!(n(l), want, "{l:?} ({:?})", l.chars().collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn ascii_is_borrowed_and_unchanged_text_too() {
        assert!(matches!(normalize_diacritics(Cow::Borrowed("John")), Cow::Borrowed(_)));
        assert!(matches!(normalize_diacritics(Cow::Borrowed("Иван")), Cow::Borrowed(_)));
    }

    #[test]
    fn other_scripts_and_unlisted_letters() {
        assert_eq!(n("Йозеф"), "Йозеф", "Cyrillic keeps its marks");
        assert_eq!(n("Ἀθῆναι"), "Ἀθῆναι", "Greek keeps its marks");
        assert_eq!(n("đ ħ"), "đ ħ", "no decomposition, no table entry");
        assert_eq!(n("Nguyễn"), "Nguyen");
        assert_eq!(n("Œuvre"), "OEuvre");
        assert_eq!(n("日本"), "日本");
    }

    #[test]
    fn null_and_empty() {
        assert_eq!(eval("NormalizeDiacritics([x])", &[]), Ok(Value::Null));
        assert_eq!(eval(r#"NormalizeDiacritics("")"#, &[]), Ok(s("")));
        assert_eq!(eval("NormalizeDiacritics(12)", &[]), Ok(s("12")));
    }
}
