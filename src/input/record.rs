//! One input row's fields as text: a csv `ByteRecord` whose fields are known to be UTF-8.
//!
//! The csv crate's `StringRecord` checks each field with `std::str::from_utf8` as soon as a
//! record holds one non-ASCII byte, which HR names nearly always do: that was 6 % of a
//! conversion. Here the whole record is checked at once with a SIMD validator, plus one look
//! per field boundary, which proves the same thing.

use csv::ByteRecord;

/// Fields that are all valid UTF-8, read as `&str` without checking again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record(ByteRecord);

impl Record {
    pub fn new() -> Record {
        Record::default()
    }

    /// Take `raw` if every field is UTF-8; otherwise the csv crate's error, which names the
    /// field and the position of the first bad byte.
    pub fn from_byte_record(raw: ByteRecord) -> Result<Record, csv::FromUtf8Error> {
        if fields_are_utf8(&raw) {
            return Ok(Record(raw));
        }
        csv::StringRecord::from_byte_record(raw).map(|r| Record(r.into_byte_record()))
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        self.0.get(i).map(as_str)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator + '_ {
        self.0.iter().map(as_str)
    }

    pub fn push_field(&mut self, field: &str) {
        self.0.push_field(field.as_bytes());
    }

    /// The bytes, for the next record to be read into the same allocation.
    pub fn into_byte_record(self) -> ByteRecord {
        self.0
    }
}

/// A field of a [`Record`]: every constructor proved it is UTF-8.
fn as_str(field: &[u8]) -> &str {
    debug_assert!(std::str::from_utf8(field).is_ok());
    // SAFETY: a Record is built only from `&str`s (`push_field`, `From`) or from a ByteRecord
    // that `fields_are_utf8` accepted (or `StringRecord::from_byte_record` validated), and it
    // offers no way to change its bytes afterwards.
    unsafe { std::str::from_utf8_unchecked(field) }
}

/// Is every field of `r` valid UTF-8? The fields lie end to end in one buffer: the buffer is
/// valid and no field starts inside a character exactly when each field is valid on its own.
fn fields_are_utf8(r: &ByteRecord) -> bool {
    let all = r.as_slice();
    if simdutf8::basic::from_utf8(all).is_err() {
        return false;
    }
    let mut end = 0;
    r.iter().all(|f| {
        end += f.len();
        // A UTF-8 continuation byte (0b10xx_xxxx) here would cut a character in two.
        all.get(end).is_none_or(|&b| (b as i8) >= -0x40)
    })
}

impl<T: AsRef<str>> From<Vec<T>> for Record {
    fn from(fields: Vec<T>) -> Record {
        fields.iter().map(AsRef::as_ref).collect()
    }
}

impl<'a> FromIterator<&'a str> for Record {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Record {
        let mut r = Record::new();
        iter.into_iter().for_each(|f| r.push_field(f));
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(fields: &[&[u8]]) -> ByteRecord {
        let mut r = ByteRecord::new();
        fields.iter().for_each(|f| r.push_field(f));
        r
    }

    #[test]
    fn accepts_exactly_what_the_csv_crate_accepts() {
        let cases: &[&[&[u8]]] = &[
            &[b"plain", b"ascii"],
            &["Çelik".as_bytes(), "São Paulo".as_bytes(), b""],
            // A valid buffer cut inside "é" (C3 A9) between two fields.
            &[b"caf\xC3", b"\xA9"],
            &[b"\xC3", b"\xA9x"],
            &[b"ok", b"bad \xFF byte"],
            &[b"truncated \xE2\x82"],
            &[b"", b"", b"\xA9"],
            &[],
        ];
        for fields in cases {
            let ours = Record::from_byte_record(raw(fields));
            let theirs = csv::StringRecord::from_byte_record(raw(fields));
            assert_eq!(ours.is_ok(), theirs.is_ok(), "{fields:?}");
            if let (Err(a), Err(b)) = (&ours, &theirs) {
                assert_eq!(a.utf8_error().field(), b.utf8_error().field(), "{fields:?}");
            }
            if let (Ok(a), Ok(b)) = (ours, theirs) {
                assert!(a.iter().eq(b.iter()), "{fields:?}");
            }
        }
    }

    #[test]
    fn every_split_of_a_multibyte_text_is_judged_like_the_csv_crate() {
        let text = "Zoë Ñúñez-Ødegård 日本 😀".as_bytes();
        for i in 0..=text.len() {
            for j in i..=text.len() {
                let fields: &[&[u8]] = &[&text[..i], &text[i..j], &text[j..]];
                let ours = Record::from_byte_record(raw(fields)).is_ok();
                let theirs = csv::StringRecord::from_byte_record(raw(fields)).is_ok();
                assert_eq!(ours, theirs, "split at {i} and {j}");
            }
        }
    }

    #[test]
    fn built_from_strings_reads_them_back() {
        let r = Record::from(vec!["a", "", "é"]);
        assert_eq!(
            (r.len(), r.get(0), r.get(1), r.get(2), r.get(3)),
            (3, Some("a"), Some(""), Some("é"), None)
        );
        assert_eq!(r.iter().rev().collect::<Vec<_>>(), ["é", "", "a"]);
    }
}
