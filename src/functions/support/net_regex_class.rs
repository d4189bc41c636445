//! Patterns that are one character class (`[^A-Za-z0-9.\-']`, or that class with a greedy `+`):
//! over ASCII text, replaced with a 128-entry table instead of a regex search.
//!
//! "Remove every character that may not be in a login" is how nearly every userName mapping
//! uses Replace, and the regex engine's search per value was 8 % of a whole conversion. A match
//! of such a pattern is one character (or one maximal run of them), so on ASCII text the table
//! gives the same matches; any other text goes to the regex, which stays the reference. The
//! table is built from the parsed pattern and checked against the compiled regex on every ASCII
//! character before it is trusted.

use std::borrow::Cow;

use fancy_regex::Regex;
use regex_syntax::hir::{Class, HirKind};

pub(super) struct AsciiClass {
    member: [bool; 128],
    /// `class+`: a maximal run of members is one match; otherwise each member is.
    runs: bool,
}

impl AsciiClass {
    /// For `pattern` (as given to fancy-regex, compiled as `regex`): `None` unless it is exactly
    /// one class or one greedy `class+`, and the regex agrees with the table on every ASCII char.
    pub(super) fn of(pattern: &str, regex: &Regex) -> Option<AsciiClass> {
        let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
        let (class, runs) = match hir.kind() {
            HirKind::Class(c) => (c, false),
            HirKind::Repetition(r) if r.min == 1 && r.max.is_none() && r.greedy => {
                match r.sub.kind() {
                    HirKind::Class(c) => (c, true),
                    _ => return None,
                }
            }
            _ => return None,
        };
        let mut member = [false; 128];
        for (b, m) in member.iter_mut().enumerate() {
            *m = match class {
                Class::Unicode(u) => {
                    u.ranges().iter().any(|r| (r.start()..=r.end()).contains(&(b as u8 as char)))
                }
                Class::Bytes(x) => {
                    x.ranges().iter().any(|r| (r.start()..=r.end()).contains(&(b as u8)))
                }
            };
        }
        let agrees = member.iter().enumerate().all(|(b, &m)| {
            let one = (b as u8 as char).to_string();
            regex.is_match(&one).ok() == Some(m)
        });
        agrees.then_some(AsciiClass { member, runs })
    }

    /// Every match in `text` replaced by `with`; `text` back as the error when it is not ASCII.
    pub(super) fn replace<'t>(
        &self,
        text: Cow<'t, str>,
        with: &str,
    ) -> Result<Cow<'t, str>, Cow<'t, str>> {
        if !text.is_ascii() {
            return Err(text);
        }
        let bytes = text.as_bytes();
        let is_member = |b: u8| self.member[usize::from(b & 0x7F)];
        let Some(first) = bytes.iter().position(|&b| is_member(b)) else {
            return Ok(text);
        };
        // Room to spare: a cleaned login usually goes on into a Join with an id or a domain.
        let mut out = String::with_capacity(text.len() + with.len() + 32);
        let (mut last, mut i) = (0, first);
        while i < bytes.len() {
            if !is_member(bytes[i]) {
                i += 1;
                continue;
            }
            out.push_str(&text[last..i]);
            out.push_str(with);
            i += 1;
            if self.runs {
                while i < bytes.len() && is_member(bytes[i]) {
                    i += 1;
                }
            }
            last = i;
        }
        out.push_str(&text[last..]);
        Ok(Cow::Owned(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn class(pattern: &str) -> Option<AsciiClass> {
        AsciiClass::of(pattern, &Regex::new(pattern).unwrap())
    }

    #[test]
    fn only_a_lone_class_or_greedy_class_plus_qualifies() {
        // `a|b` is the class `[ab]` once parsed: single characters either way.
        for p in [r"[^A-Za-z0-9.\-']", r"[aeiou]", r"\s+", r"[^\w]", r"(?i)[a-c]", r"\d", r"a|b"] {
            assert!(class(p).is_some(), "{p}");
        }
        for p in
            [r"[a-c]*", r"[a-c]+?", r"[a-c]{2}", r"x", r"[a-c]x", r"^[a-c]", r"([a-c])", r"ab|c"]
        {
            assert!(class(p).is_none(), "{p}");
        }
    }

    #[test]
    fn login_cleaning_removes_what_the_class_names() {
        let c = class(r"[^A-Za-z0-9.\-']").unwrap();
        assert_eq!(c.replace("O'Brien-Smith, J.".into(), ""), Ok("O'Brien-SmithJ.".into()));
        assert_eq!(c.replace("plain.name".into(), ""), Ok(Cow::Borrowed("plain.name")));
        assert_eq!(c.replace("Zoë".into(), ""), Err("Zoë".into()));
    }

    fn regex_replace(re: &Regex, text: &str, with: &str) -> String {
        // The replacements tried hold no `$`, so fancy-regex's expansion leaves them as they are.
        re.replace_all(text, with).into_owned()
    }

    proptest! {
        #[test]
        fn the_table_finds_what_the_regex_finds(
            text in "[ -~]{0,24}",
            pattern in prop_oneof![
                Just(r"[^A-Za-z0-9.\-']"), Just(r"[^A-Za-z0-9.\-']+"), Just(r"\s"), Just(r"\s+"),
                Just(r"[aeiou]+"), Just(r"(?i)[a-f]"), Just(r"[\W_]"), Just(r"[0-9]+"), Just(r"a|b|c"),
            ],
            with in prop_oneof![Just(""), Just("_"), Just("xy")],
        ) {
            let re = Regex::new(pattern).unwrap();
            let c = AsciiClass::of(pattern, &re).unwrap();
            let ours = c.replace(Cow::Borrowed(text.as_str()), with).unwrap();
            prop_assert_eq!(ours.as_ref(), regex_replace(&re, &text, with));
        }
    }
}
