//! Text helpers shared by the string functions: .NET-style UTF-16 positions over Rust UTF-8
//! strings, borrowed slicing, and the Latin-script test NormalizeDiacritics needs.

use std::borrow::Cow;
use std::ops::Range;

/// Length in UTF-16 code units, what .NET's `String.Length` (and so Len, Left, Mid) counts.
pub fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.chars().map(char::len_utf16).sum()
}

/// Byte offset reached after `units` UTF-16 code units. A position inside a surrogate pair is
/// rounded down to the start of that character, so a slice never splits one (.NET would produce a
/// lone surrogate, which cannot be sent as JSON anyway). Past the end gives `s.len()`.
pub fn byte_at_unit(s: &str, units: usize) -> usize {
    if s.is_ascii() {
        return units.min(s.len());
    }
    let mut seen = 0;
    for (b, c) in s.char_indices() {
        let next = seen + c.len_utf16();
        if next > units {
            return b;
        }
        seen = next;
    }
    s.len()
}

/// UTF-16 position (0-based) of byte offset `b`.
pub fn unit_at_byte(s: &str, b: usize) -> usize {
    utf16_len(&s[..b])
}

/// A sub-slice of a `Cow`: borrowed input stays borrowed, owned input is truncated in place.
pub fn slice_cow(s: Cow<'_, str>, range: Range<usize>) -> Cow<'_, str> {
    if range.start == 0 && range.end == s.len() {
        return s;
    }
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(&b[range]),
        Cow::Owned(mut o) => {
            o.truncate(range.end);
            o.drain(..range.start);
            Cow::Owned(o)
        }
    }
}

/// Letters of the Latin script (Basic Latin, Latin-1, Extended-A/B, IPA, Extended Additional,
/// Extended-C/D/E, fullwidth). Only these lose their combining marks in NormalizeDiacritics:
/// stripping a mark from Cyrillic й or Greek ά would change the letter, not drop an accent.
pub fn is_latin(c: char) -> bool {
    matches!(c,
        'A'..='Z' | 'a'..='z'
        | '\u{00C0}'..='\u{00D6}' | '\u{00D8}'..='\u{00F6}' | '\u{00F8}'..='\u{02AF}'
        | '\u{1E00}'..='\u{1EFF}' | '\u{2C60}'..='\u{2C7F}' | '\u{A720}'..='\u{A7FF}'
        | '\u{AB30}'..='\u{AB6F}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}')
}

/// `Cow` helper for functions that may return their input unchanged.
pub fn same_or_owned<'r>(input: Cow<'r, str>, out: String) -> Cow<'r, str> {
    if *input == *out {
        input
    } else {
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_positions() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("é😀"), 3);
        let s = "a😀b";
        assert_eq!(byte_at_unit(s, 1), 1);
        assert_eq!(byte_at_unit(s, 2), 1, "inside the pair rounds down");
        assert_eq!(byte_at_unit(s, 3), 5);
        assert_eq!(byte_at_unit(s, 99), s.len());
        assert_eq!(unit_at_byte(s, 5), 3);
    }

    #[test]
    fn slicing_keeps_borrows() {
        assert!(matches!(slice_cow(Cow::Borrowed("hello"), 1..3), Cow::Borrowed("el")));
        assert_eq!(slice_cow(Cow::Owned("hello".to_string()), 1..3), "el");
    }

    #[test]
    fn latin_letters() {
        assert!(is_latin('é') && is_latin('ł') && is_latin('ẕ'));
        assert!(!is_latin('й') && !is_latin('×') && !is_latin('1'));
    }
}
