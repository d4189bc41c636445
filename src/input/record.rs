//! One input row's fields as text: a record's bytes are checked for UTF-8 once, as a whole, and
//! its fields are then `&str` slices of one `String`.
//!
//! The CSV reader ([`super::csv_reader`]) hands csv-core's output for a record (every field's
//! bytes end to end, and where each ends) to [`RawRecord::set`]. That runs one SIMD validation
//! over all of it plus one look at each field end, which proves every field is UTF-8, and then
//! keeps the bytes as a `String`; a record that fails keeps them as bytes, for the error message
//! and the rejects file. Checking field by field (as the csv crate's `StringRecord` does as soon
//! as a record holds one non-ASCII byte, which HR names nearly always do) was 6 % of a
//! conversion.

/// A record as read: its fields end to end and their bounds. The fields are text exactly when
/// every one of them is UTF-8 ([`Fields`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct RawRecord {
    fields: Fields,
    /// `(start, end)` of each field.
    bounds: Vec<(usize, usize)>,
}

/// The fields' bytes, end to end.
#[derive(Debug, Clone)]
enum Fields {
    /// Every field is UTF-8 (the bounds fall on character boundaries).
    Text(String),
    /// At least one field is not UTF-8.
    Bytes(Vec<u8>),
}

impl Default for Fields {
    fn default() -> Self {
        Fields::Text(String::new())
    }
}

impl Fields {
    fn as_bytes(&self) -> &[u8] {
        match self {
            Fields::Text(t) => t.as_bytes(),
            Fields::Bytes(b) => b,
        }
    }
}

impl RawRecord {
    /// Take the fields `data[..ends[0]]`, `data[ends[0]..ends[1]]`, ... (as csv-core writes a
    /// record: `ends` rising, the last one `data.len()`), as text when each of them is UTF-8.
    /// The buffers of the record read before are reused.
    pub(crate) fn set(&mut self, data: &[u8], ends: &[usize]) {
        self.bounds.clear();
        let mut start = 0;
        for &end in ends {
            self.bounds.push((start, end));
            start = end;
        }
        let data = &data[..start];
        let text = match std::mem::take(&mut self.fields) {
            Fields::Text(mut t) => {
                t.clear();
                t
            }
            // After a record that was not UTF-8 (rare): a new buffer.
            Fields::Bytes(_) => String::new(),
        };
        self.fields = classify(text, data, &self.bounds);
    }

    /// Take `line` whole, cut by `split`, which pushes each field's `(start, end)` in `line`
    /// (rising, the bytes between fields being ASCII delimiters) and returns false to decline;
    /// a declined line leaves the record to be [`RawRecord::set`] from csv-core's output.
    /// One copy of the line instead of one per field: the delimiters stay in the buffer,
    /// between the bounds.
    pub(crate) fn set_split(
        &mut self,
        line: &[u8],
        split: impl FnOnce(&[u8], &mut Vec<(usize, usize)>) -> bool,
    ) -> bool {
        self.bounds.clear();
        if !split(line, &mut self.bounds) {
            return false;
        }
        let text = match std::mem::take(&mut self.fields) {
            Fields::Text(mut t) => {
                t.clear();
                t
            }
            Fields::Bytes(_) => String::new(),
        };
        self.fields = classify(text, line, &self.bounds);
        true
    }

    pub(crate) fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Keep the first `n` fields. A record kept as bytes becomes text when what is left is
    /// UTF-8, so that [`Fields::Bytes`] always holds a field that is not.
    pub(crate) fn truncate(&mut self, n: usize) {
        if n >= self.bounds.len() {
            return;
        }
        self.bounds.truncate(n);
        let keep = self.bounds.last().map_or(0, |&(_, end)| end);
        match &mut self.fields {
            Fields::Text(t) => t.truncate(keep),
            Fields::Bytes(b) => {
                b.truncate(keep);
                let bytes = std::mem::take(b);
                self.fields = classify(String::new(), &bytes, &self.bounds);
            }
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let bytes = self.fields.as_bytes();
        self.bounds.iter().map(move |&(s, e)| &bytes[s..e])
    }

    /// Every field empty or ASCII whitespace: a line of only delimiters or blanks.
    pub(crate) fn is_blank(&self) -> bool {
        self.iter().all(|f| f.iter().all(u8::is_ascii_whitespace))
    }
}

/// `data` as [`Fields`] cut at `bounds` (which cover it, or leave out only ASCII bytes between
/// fields): appended to `text` when the whole is UTF-8 and no bound falls inside a character,
/// which is exactly when every field is UTF-8 on its own.
fn classify(mut text: String, data: &[u8], bounds: &[(usize, usize)]) -> Fields {
    match simdutf8::basic::from_utf8(data) {
        // Each field starts where the one before ended, or just after an ASCII byte, or at 0:
        // checking the ends is enough.
        Ok(s) if bounds.iter().all(|&(_, end)| s.is_char_boundary(end)) => {
            text.push_str(s);
            Fields::Text(text)
        }
        _ => {
            let mut bytes = text.into_bytes();
            bytes.extend_from_slice(data);
            Fields::Bytes(bytes)
        }
    }
}

/// Where a record's bytes stop being UTF-8: the field (0-based) and the length of its valid
/// prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Utf8Problem {
    pub(crate) field: usize,
    pub(crate) valid_up_to: usize,
}

/// Fields that are all valid UTF-8.
#[derive(Debug, Clone, Default)]
pub struct Record {
    text: String,
    /// `(start, end)` of each field in `text`, on character boundaries.
    bounds: Vec<(usize, usize)>,
}

impl Record {
    pub fn new() -> Record {
        Record::default()
    }

    /// Take `raw` if every field is UTF-8; otherwise hand it back with the first bad field.
    pub(crate) fn from_raw(raw: RawRecord) -> Result<Record, (RawRecord, Utf8Problem)> {
        let bytes = match raw.fields {
            Fields::Text(text) => return Ok(Record { text, bounds: raw.bounds }),
            Fields::Bytes(bytes) => bytes,
        };
        let problem = raw
            .bounds
            .iter()
            .enumerate()
            .find_map(|(field, &(s, e))| {
                std::str::from_utf8(&bytes[s..e])
                    .err()
                    .map(|err| Utf8Problem { field, valid_up_to: err.valid_up_to() })
            })
            .expect("a record is kept as bytes only while one of its fields is not UTF-8");
        Err((RawRecord { fields: Fields::Bytes(bytes), bounds: raw.bounds }, problem))
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        self.bounds.get(i).map(|&(s, e)| &self.text[s..e])
    }

    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator + '_ {
        self.bounds.iter().map(|&(s, e)| &self.text[s..e])
    }

    /// No fields, the allocations kept for the next record.
    pub fn clear(&mut self) {
        self.text.clear();
        self.bounds.clear();
    }

    pub fn push_field(&mut self, field: &str) {
        let start = self.text.len();
        self.text.push_str(field);
        self.bounds.push((start, self.text.len()));
    }

    /// The buffers, for the next record to be read into the same allocations.
    pub(crate) fn into_raw(self) -> RawRecord {
        RawRecord { fields: Fields::Text(self.text), bounds: self.bounds }
    }
}

/// Equal fields, however the bytes are laid out.
impl PartialEq for Record {
    fn eq(&self, other: &Record) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Record {}

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

    /// A record laid out as csv-core writes one: the fields end to end.
    fn raw(fields: &[&[u8]]) -> RawRecord {
        let data = fields.concat();
        let ends: Vec<usize> = fields
            .iter()
            .scan(0, |end, f| {
                *end += f.len();
                Some(*end)
            })
            .collect();
        let mut r = RawRecord::default();
        r.set(&data, &ends);
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
    fn a_bound_inside_a_character_is_refused() {
        // "ë" is C3 AB: the buffer is valid, a field boundary between its bytes is not.
        let (_, p) = Record::from_raw(raw(&[b"Zo\xC3", b"\xAB", b"x"])).unwrap_err();
        assert_eq!((p.field, p.valid_up_to), (0, 2));
        let rec = Record::from_raw(raw(&["Zoë".as_bytes(), b"", "Ødegård".as_bytes()])).unwrap();
        assert_eq!(rec.iter().collect::<Vec<_>>(), ["Zoë", "", "Ødegård"]);
        assert_eq!(rec, Record::from(vec!["Zoë", "", "Ødegård"]));
    }

    #[test]
    fn reports_the_first_bad_field() {
        let (_, p) = Record::from_raw(raw(&[b"ok", b"fine", b"bad \xFF", b"\xFE"])).unwrap_err();
        assert_eq!((p.field, p.valid_up_to), (2, 4));
    }

    #[test]
    fn dropping_the_bad_fields_leaves_text() {
        let mut r = raw(&[b"a", "é".as_bytes(), b"\xFF"]);
        r.truncate(2);
        let rec = Record::from_raw(r).unwrap();
        assert_eq!(rec.iter().collect::<Vec<_>>(), ["a", "é"]);
        let mut r = raw(&[b"\xFF", b"a", b""]);
        r.truncate(2);
        assert_eq!(Record::from_raw(r).unwrap_err().1, Utf8Problem { field: 0, valid_up_to: 0 });
    }

    #[test]
    fn buffers_are_reused_after_text_and_after_bytes() {
        let mut r = raw(&[b"long enough to allocate", b"x"]);
        r.set(b"\xFFy", &[1, 2]);
        assert_eq!(r.iter().collect::<Vec<_>>(), [&b"\xFF"[..], b"y"]);
        r.set(b"ab", &[1, 2]);
        let rec = Record::from_raw(r).unwrap();
        assert_eq!(rec.iter().collect::<Vec<_>>(), ["a", "b"]);
        let mut again = rec.into_raw();
        again.set(b"", &[0]);
        assert_eq!(Record::from_raw(again).unwrap().iter().collect::<Vec<_>>(), [""]);
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
