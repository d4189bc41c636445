//! Physical line numbers for CSV records, which the csv crate gets wrong after blank lines and CRLF.
//!
//! csv reports a record's position as the end of the previous record, so blank lines and the
//! `\n` of a CRLF are missed. [`LineIndex`] sits under the parser, notes where every `\n` is,
//! and derives a record's first line from its *end* offset (which csv reports exactly):
//! `line = 1 + newlines before the end - newlines inside the fields - (1 if it ended on '\n')`.

use std::collections::VecDeque;
use std::io::{self, Read};

pub(crate) struct LineIndex<R> {
    inner: R,
    /// Bytes handed to the parser so far.
    offset: u64,
    /// Offsets of `\n` bytes read but not yet passed by a record end.
    pending: VecDeque<u64>,
    /// Newlines already passed.
    passed: u64,
    /// Offset of the last passed newline, if any.
    last_passed: Option<u64>,
    /// Newlines passed by the latest [`LineIndex::locate`] call, to find its record's first line.
    recent: Vec<u64>,
}

/// Where a record starts: its physical line and the byte offset of that line's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Start {
    pub line: u64,
    pub byte: u64,
}

impl<R: Read> LineIndex<R> {
    pub(crate) fn new(inner: R) -> Self {
        LineIndex {
            inner,
            offset: 0,
            pending: VecDeque::new(),
            passed: 0,
            last_passed: None,
            recent: Vec::new(),
        }
    }

    /// The start of the record that ended at `end` (csv's position after reading it) and whose
    /// fields contain `embedded` newlines. Calls must come in record order.
    pub(crate) fn locate(&mut self, end: u64, embedded: u64) -> Start {
        let before = self.passed;
        let before_last = self.last_passed;
        self.recent.clear();
        while let Some(&nl) = self.pending.front() {
            if nl >= end {
                break;
            }
            self.pending.pop_front();
            self.recent.push(nl);
            self.passed += 1;
            self.last_passed = Some(nl);
        }
        let ended_on_newline = end > 0 && self.last_passed == Some(end - 1);
        let newlines_before_start =
            self.passed.saturating_sub(embedded + u64::from(ended_on_newline));
        // The newline that ends the line before the record's first line.
        let prior = match newlines_before_start.checked_sub(before) {
            Some(0) => before_last,
            Some(k) => self.recent.get(k as usize - 1).copied(),
            // More newlines than this call passed: only for malformed input; stay sane.
            None => before_last,
        };
        Start { line: newlines_before_start + 1, byte: prior.map_or(0, |nl| nl + 1) }
    }
}

impl<R: Read> Read for LineIndex<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let data = &buf[..n];
        // Most 64-byte blocks hold no newline; an OR-fold without early exit vectorises, so
        // the common case costs a few instructions per block.
        let mut at = 0;
        for block in data.chunks(64) {
            if block.iter().fold(false, |seen, &b| seen | (b == b'\n')) {
                for (i, &b) in block.iter().enumerate() {
                    if b == b'\n' {
                        self.pending.push_back(self.offset + (at + i) as u64);
                    }
                }
            }
            at += block.len();
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// Newlines inside a record's fields (kept verbatim by the parser inside quotes).
pub(crate) fn embedded_newlines(fields: &[u8]) -> u64 {
    if !fields.contains(&b'\n') {
        return 0;
    }
    fields.iter().filter(|&&b| b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Starts of every record in `text`, read the way the CSV source reads.
    fn starts(text: &str) -> Vec<(u64, u64)> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineIndex::new(text.as_bytes()));
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            let end = rdr.position().byte();
            let emb = embedded_newlines(rec.as_slice());
            let s = rdr.get_mut().locate(end, emb);
            out.push((s.line, s.byte));
        }
        out
    }

    #[test]
    fn lf_with_blank_lines_and_embedded_newlines() {
        let t = "a,b\n1,2\n\n3,4\n5,\"x\ny\"\n6,7";
        assert_eq!(starts(t), [(1, 0), (2, 4), (4, 9), (5, 13), (7, 21)]);
    }

    #[test]
    fn crlf_with_blank_lines_and_embedded_newlines() {
        let t = "a,b\r\n1,2\r\n\r\n3,4\r\n5,\"x\r\ny\"\r\n6,7\r\n";
        assert_eq!(starts(t), [(1, 0), (2, 5), (4, 12), (5, 17), (7, 27)]);
    }

    #[test]
    fn leading_blank_lines() {
        assert_eq!(starts("\n\r\nId\n1\n"), [(3, 3), (4, 6)]);
    }
}
