//! One input row's fields as text: bytes proved UTF-8 once, read as `&str` without checking again.
//!
//! The CSV reader ([`super::csv_reader`]) fills a [`RawRecord`]: a plain line is copied whole,
//! delimiters included, with each field's bounds; a quoted one holds csv-core's unescaped fields
//! end to end. [`Record::from_raw`] then checks the whole buffer at once with a SIMD validator,
//! plus one look at each field boundary, which proves every field is UTF-8. Checking field by
//! field (as the csv crate's `StringRecord` does as soon as a record holds one non-ASCII byte,
//! which HR names nearly always do) was 6 % of a conversion.

/// Fields as bytes and bounds, not yet known to be UTF-8.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawRecord {
    pub(crate) bytes: Vec<u8>,
    /// `(start, end)` of each field in `bytes`.
    pub(crate) bounds: Vec<(usize, usize)>,
}

impl RawRecord {
    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
        self.bounds.clear();
    }

    pub(crate) fn len(&self) -> usize {
        self.bounds.len()
    }

    pub(crate) fn truncate(&mut self, n: usize) {
        self.bounds.truncate(n);
    }

    pub(crate) fn push_field(&mut self, field: &[u8]) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(field);
        self.bounds.push((start, self.bytes.len()));
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.bounds.iter().map(|&(s, e)| &self.bytes[s..e])
    }

    /// Every field empty or ASCII whitespace: a line of only delimiters or blanks.
    pub(crate) fn is_blank(&self) -> bool {
        self.iter().all(|f| f.iter().all(u8::is_ascii_whitespace))
    }
}

/// Where a record's bytes stop being UTF-8: the field (0-based), the length of its valid prefix
/// and the field's offset from the record's first byte (exact for plain lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Utf8Problem {
    pub(crate) field: usize,
    pub(crate) valid_up_to: usize,
    pub(crate) offset: usize,
}

/// Fields that are all valid UTF-8, read as `&str` without checking again.
#[derive(Debug, Clone, Default)]
pub struct Record(RawRecord);

impl Record {
    pub fn new() -> Record {
        Record::default()
    }

    /// Take `raw` if every field is UTF-8; otherwise hand it back with the first bad field.
    pub(crate) fn from_raw(raw: RawRecord) -> Result<Record, (RawRecord, Utf8Problem)> {
        if fields_are_utf8(&raw) {
            return Ok(Record(raw));
        }
        let problem = raw
            .bounds
            .iter()
            .enumerate()
            .find_map(|(field, &(s, e))| {
                std::str::from_utf8(&raw.bytes[s..e]).err().map(|err| Utf8Problem {
                    field,
                    valid_up_to: err.valid_up_to(),
                    offset: s,
                })
            })
            // Unreachable: a record whose every field is valid passes the check above.
            .unwrap_or(Utf8Problem { field: 0, valid_up_to: 0, offset: 0 });
        Err((raw, problem))
    }

    /// Take `raw` without checking it again.
    ///
    /// # Safety
    /// Every field of `raw` must be valid UTF-8: the CSV reader proves it for a line it split
    /// from input it had already validated ([`super::csv_reader::Start::utf8`]).
    pub(crate) unsafe fn from_checked(raw: RawRecord) -> Record {
        debug_assert!(fields_are_utf8(&raw), "a record claimed UTF-8 is not: {raw:?}");
        Record(raw)
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        self.0.bounds.get(i).map(|&(s, e)| as_str(&self.0.bytes[s..e]))
    }

    pub fn len(&self) -> usize {
        self.0.bounds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.bounds.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator + '_ {
        self.0.bounds.iter().map(|&(s, e)| as_str(&self.0.bytes[s..e]))
    }

    pub fn push_field(&mut self, field: &str) {
        self.0.push_field(field.as_bytes());
    }

    /// The buffers, for the next record to be read into the same allocations.
    pub(crate) fn into_raw(self) -> RawRecord {
        self.0
    }
}

/// Equal fields, however the bytes are laid out (a plain line keeps its delimiters).
impl PartialEq for Record {
    fn eq(&self, other: &Record) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Record {}

/// A field of a [`Record`]: every constructor proved it is UTF-8.
fn as_str(field: &[u8]) -> &str {
    debug_assert!(std::str::from_utf8(field).is_ok());
    // SAFETY: a Record is built only from `&str`s (`push_field`, `From`), from a RawRecord
    // that `fields_are_utf8` accepted, or through `from_checked`, whose callers prove the same;
    // it offers no way to change its bytes or bounds afterwards.
    unsafe { std::str::from_utf8_unchecked(field) }
}

/// Is every field of `r` valid UTF-8? The buffer is valid, and no field starts or ends inside a
/// character, exactly when each field is valid on its own.
fn fields_are_utf8(r: &RawRecord) -> bool {
    let all = r.bytes.as_slice();
    if simdutf8::basic::from_utf8(all).is_err() {
        return false;
    }
    // A UTF-8 continuation byte (0b10xx_xxxx) at a field's edge would cut a character in two.
    let starts_char = |i: usize| all.get(i).is_none_or(|&b| (b as i8) >= -0x40);
    r.bounds.iter().all(|&(s, e)| s <= e && e <= all.len() && starts_char(s) && starts_char(e))
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

    fn raw(fields: &[&[u8]]) -> RawRecord {
        let mut r = RawRecord::default();
        fields.iter().for_each(|f| r.push_field(f));
        r
    }

    fn csv_raw(fields: &[&[u8]]) -> csv::ByteRecord {
        let mut r = csv::ByteRecord::new();
        fields.iter().for_each(|f| r.push_field(f));
        r
    }

    /// The csv crate's `StringRecord` is the oracle: same verdict, same bad field.
    fn judged_alike(fields: &[&[u8]]) {
        let ours = Record::from_raw(raw(fields));
        let theirs = csv::StringRecord::from_byte_record(csv_raw(fields));
        assert_eq!(ours.is_ok(), theirs.is_ok(), "{fields:?}");
        if let (Err((_, a)), Err(b)) = (&ours, &theirs) {
            assert_eq!(a.field, b.utf8_error().field(), "{fields:?}");
            assert_eq!(a.valid_up_to, b.utf8_error().valid_up_to(), "{fields:?}");
        }
        if let (Ok(a), Ok(b)) = (ours, theirs) {
            assert!(a.iter().eq(b.iter()), "{fields:?}");
        }
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
        cases.iter().for_each(|c| judged_alike(c));
    }

    #[test]
    fn every_split_of_a_multibyte_text_is_judged_like_the_csv_crate() {
        let text = "Zoë Ñúñez-Ødegård 日本 😀".as_bytes();
        for i in 0..=text.len() {
            for j in i..=text.len() {
                judged_alike(&[&text[..i], &text[i..j], &text[j..]]);
            }
        }
    }

    #[test]
    fn a_plain_line_keeps_its_delimiters_out_of_the_fields() {
        // How the CSV reader lays out a plain line: the bytes as read, bounds between the commas.
        let line = "Zoë,,Ødegård".as_bytes();
        let r = RawRecord { bytes: line.to_vec(), bounds: vec![(0, 4), (5, 5), (6, line.len())] };
        let rec = Record::from_raw(r).unwrap();
        assert_eq!(rec.iter().collect::<Vec<_>>(), ["Zoë", "", "Ødegård"]);
        assert_eq!(rec, Record::from(vec!["Zoë", "", "Ødegård"]));
        // A bound inside "ë" (C3 AB) is refused, whatever the buffer as a whole says.
        let cut = RawRecord { bytes: line.to_vec(), bounds: vec![(0, 3), (6, line.len())] };
        let (_, p) = Record::from_raw(cut).unwrap_err();
        assert_eq!((p.field, p.valid_up_to, p.offset), (0, 2, 0));
    }

    #[test]
    fn reports_the_bad_fields_offset_in_the_line() {
        let line = b"ok,fine,bad \xFF".to_vec();
        let n = line.len();
        let r = RawRecord { bytes: line, bounds: vec![(0, 2), (3, 7), (8, n)] };
        let (_, p) = Record::from_raw(r).unwrap_err();
        assert_eq!((p.field, p.valid_up_to, p.offset), (2, 4, 8));
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

    #[test]
    fn blank_means_only_whitespace_in_every_field() {
        assert!(raw(&[b"", b" ", b"\t"]).is_blank());
        assert!(!raw(&[b"", b" x"]).is_blank());
    }
}
