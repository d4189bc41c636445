//! CSV records with their physical line: plain lines are split here, every other record is
//! csv-core's, and this reader keeps the buffer and counts lines.
//!
//! A plain line (a `\n` ahead in the buffer, before it no `\r` outside quotes, and quotes only
//! around whole fields that hold none) can only be one record whose fields are the bytes between
//! delimiters, less those quotes, so it is split with memchr and copied whole. Any other record
//! is read by csv-core from its first byte, so wherever the fast path declines what the reader
//! yields is csv-core's by construction. Around both the reader
//! keeps its own buffer (read straight from the stream, not through a BufReader, which would
//! copy every byte once more), skips the line breaks between records as csv-core does, and
//! places each record: the line it starts on and that line's byte offset, blank lines, CRLF and
//! newlines inside quotes included.

use super::record::RawRecord;
use csv_core::{ReadFieldResult, ReadRecordResult};
use memchr::{memchr, memchr2, memchr3, memchr_iter, memrchr};
use std::io::{self, Read};

const BUF: usize = 64 * 1024;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A record longer than the reader's limit: the error inside the `io::Error` that
/// [`CsvReader::read`] returns, with the line the record starts on.
#[derive(Debug)]
pub(crate) struct RecordTooLong {
    pub line: u64,
    pub limit: usize,
}

impl std::fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the record at line {} is longer than {} bytes", self.line, self.limit)
    }
}

impl std::error::Error for RecordTooLong {}

/// Where a record starts: its physical line (from 1) and the byte offset of that line's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Start {
    pub line: u64,
    pub byte: u64,
}

pub(crate) struct CsvReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// Unread bytes are `buf[pos..end]`.
    pos: usize,
    end: usize,
    /// Where the record read last starts: its bytes, `buf[mark..pos]`, stay in the buffer until
    /// the next read, for [`CsvReader::field_starts`].
    mark: usize,
    eof: bool,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// `\n`s passed so far.
    newlines: u64,
    /// Stream offset just after the last `\n` passed.
    line_start: u64,
    core: csv_core::Reader,
    delimiter: u8,
    quote: u8,
    started: bool,
    /// Whether plain lines may be split here: not when the delimiter is the quote, a line break
    /// or a non-ASCII byte (which could sit inside a character), nor when the quote is a line
    /// break or not ASCII. Such dialects get csv-core for every record.
    plain: bool,
    /// Records the fast path took, for the tests that check it is exercised.
    #[cfg(test)]
    plain_records: u64,
    /// csv-core's output for a record: the fields end to end, and where each ends.
    out: Vec<u8>,
    ends: Vec<usize>,
    /// Longest record read, in bytes of input: the record stays in the buffer while it is read.
    max_record: usize,
}

/// A csv-core reader that has been fed one line break, so that it never takes a record's first
/// bytes for a BOM (csv-core drops one on its first read).
fn core_reader(delimiter: u8, quote: u8) -> csv_core::Reader {
    let mut core = csv_core::ReaderBuilder::new().delimiter(delimiter).quote(quote).build();
    let _ = core.read_record(b"\n", &mut [], &mut []);
    core
}

impl<R: Read> CsvReader<R> {
    pub(crate) fn new(inner: R, delimiter: u8, quote: u8) -> Self {
        Self::with_buffer(inner, delimiter, quote, BUF)
    }

    /// A reader whose buffer starts at `capacity` bytes (it grows for longer records).
    fn with_buffer(inner: R, delimiter: u8, quote: u8, capacity: usize) -> Self {
        CsvReader {
            inner,
            buf: vec![0; capacity.max(BOM.len())],
            pos: 0,
            end: 0,
            mark: 0,
            eof: false,
            base: 0,
            newlines: 0,
            line_start: 0,
            core: core_reader(delimiter, quote),
            delimiter,
            quote,
            started: false,
            plain: delimiter.is_ascii()
                && quote.is_ascii()
                && delimiter != quote
                && !matches!(delimiter, b'\n' | b'\r')
                && !matches!(quote, b'\n' | b'\r'),
            #[cfg(test)]
            plain_records: 0,
            out: vec![0; 1024],
            ends: vec![0; 64],
            max_record: usize::MAX,
        }
    }

    /// Stop with [`RecordTooLong`] on a record of more than `limit` bytes.
    pub(crate) fn with_max_record(mut self, limit: usize) -> Self {
        self.max_record = limit;
        self
    }

    /// The line being read, for errors that have no record to point at.
    pub(crate) fn line(&self) -> u64 {
        self.newlines + 1
    }

    /// The next record into `raw`, or `None` at the end of the input.
    pub(crate) fn read(&mut self, raw: &mut RawRecord) -> io::Result<Option<Start>> {
        if !self.started {
            self.start()?;
        }
        self.mark = self.pos;
        // Line breaks between records are no records (csv-core skips them the same way).
        loop {
            if self.pos == self.end && !self.fill()? {
                return Ok(None);
            }
            match self.buf[self.pos] {
                b'\n' => {
                    self.pos += 1;
                    self.newlines += 1;
                    self.line_start = self.base + self.pos as u64;
                }
                b'\r' => self.pos += 1,
                _ => break,
            }
        }
        self.mark = self.pos;
        let start = Start { line: self.newlines + 1, byte: self.line_start };
        if !self.plain_line(raw) {
            self.read_record(raw, start.line)?;
        }
        Ok(Some(start))
    }

    /// Split the line at `pos` into `raw` if it is plain: its `\n` is in the buffer, and before
    /// it every quote opens a field or closes it (followed by a delimiter or the line's end, and
    /// no quote between) and every `\r` is inside such quotes. Then csv-core would end the
    /// record at that `\n`, cut it at every delimiter outside quotes and drop the quotes, nothing
    /// else. False (nothing consumed) for any other line, and for one that runs past the
    /// buffer's end: csv-core reads those.
    fn plain_line(&mut self, raw: &mut RawRecord) -> bool {
        if !self.plain {
            return false;
        }
        let rest = &self.buf[self.pos..self.end];
        let Some(len) = memchr(b'\n', rest) else {
            return false;
        };
        let (delimiter, quote) = (self.delimiter, self.quote);
        let split = |line: &[u8], bounds: &mut Vec<(usize, usize)>| {
            let mut start = 0;
            // Most lines of an export hold no quote and no `\r`: one pass over the line tells,
            // and then only the delimiter cuts it (searching for one byte, not three).
            if memchr2(quote, b'\r', line).is_none() {
                for at in memchr_iter(delimiter, line) {
                    bounds.push((start, at));
                    start = at + 1;
                }
            } else {
                while let Some(n) = memchr3(delimiter, quote, b'\r', &line[start..]) {
                    let at = start + n;
                    if line[at] == delimiter {
                        bounds.push((start, at));
                        start = at + 1;
                    } else if line[at] == quote && at == start {
                        // A quoted field is its bytes up to the next quote when that quote ends it
                        // (the line or a delimiter follows); a doubled quote or anything else after
                        // the closing one is csv-core's to read.
                        let Some(n) = memchr(quote, &line[at + 1..]) else {
                            return false;
                        };
                        let close = at + 1 + n;
                        bounds.push((at + 1, close));
                        match line.get(close + 1) {
                            None => return true,
                            Some(&b) if b == delimiter => start = close + 2,
                            Some(_) => return false,
                        }
                    } else {
                        return false;
                    }
                }
            }
            bounds.push((start, line.len()));
            true
        };
        if !raw.set_split(&rest[..len], split) {
            return false;
        }
        self.pos += len + 1;
        self.newlines += 1;
        self.line_start = self.base + self.pos as u64;
        #[cfg(test)]
        {
            self.plain_records += 1;
        }
        true
    }

    /// A UTF-8 BOM at the very start is dropped, as csv-core drops it on its first read.
    fn start(&mut self) -> io::Result<()> {
        self.started = true;
        while self.end - self.pos < BOM.len() && self.fill_more()? {}
        if self.buf[self.pos..self.end].starts_with(BOM) {
            self.pos += BOM.len();
        }
        Ok(())
    }

    /// Let csv-core read the record at `pos`, refilling the buffer as it asks (the csv crate's
    /// own loop: at the end of the input csv-core is given nothing, which ends the last record).
    fn read_record(&mut self, raw: &mut RawRecord, line: u64) -> io::Result<()> {
        let (mut nout, mut nend) = (0, 0);
        loop {
            if self.pos == self.end {
                self.fill()?;
            }
            let input = &self.buf[self.pos..self.end];
            let at_end = input.is_empty();
            let lines = self.core.line();
            let (res, nin, o, e) =
                self.core.read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            self.passed(nin, self.core.line() - lines);
            nout += o;
            nend += e;
            // csv-core resumes where it stopped, so a long record costs its length once; the
            // limit bounds the memory it takes (the buffer and the fields, each about its size).
            if self.pos - self.mark > self.max_record {
                let too_long = RecordTooLong { line, limit: self.max_record };
                return Err(io::Error::new(io::ErrorKind::InvalidData, too_long));
            }
            match res {
                ReadRecordResult::InputEmpty if !at_end => {}
                ReadRecordResult::OutputFull => {
                    let n = self.out.len() * 2;
                    self.out.resize(n, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                _ => break,
            }
        }
        raw.set(&self.out[..nout], &self.ends[..nend]);
        Ok(())
    }

    /// Move `pos` past the `n` bytes csv-core read, which held `newlines` `\n`s (it counts them).
    fn passed(&mut self, n: usize, newlines: u64) {
        let passed = &self.buf[self.pos..self.pos + n];
        if newlines > 0 {
            // Usually the record's own line break, its last byte.
            let last = match passed.last() {
                Some(b'\n') => n - 1,
                _ => memrchr(b'\n', passed).expect("csv-core counted a \\n in the bytes it read"),
            };
            self.newlines += newlines;
            self.line_start = self.base + (self.pos + last + 1) as u64;
        }
        self.pos += n;
    }

    /// Where each field of the record read last starts, as an offset from the record's first
    /// byte, past a field's opening quote: for error messages, which point at a field's bytes in
    /// the file (exact up to the first doubled quote).
    pub(crate) fn field_starts(&self) -> Vec<usize> {
        let input = &self.buf[self.mark..self.pos];
        let mut core = core_reader(self.delimiter, self.quote);
        let content = |at: usize| at + usize::from(input.get(at) == Some(&self.quote));
        let mut starts = vec![content(0)];
        let mut scratch = [0u8; 256];
        let mut at = 0;
        loop {
            let (res, nin, _) = core.read_field(&input[at..], &mut scratch);
            let at_end = at == input.len();
            at += nin;
            match res {
                ReadFieldResult::Field { record_end: false } => starts.push(content(at)),
                ReadFieldResult::InputEmpty if !at_end => {}
                ReadFieldResult::OutputFull => {}
                _ => return starts,
            }
        }
    }

    /// More bytes once every buffered one was read; false at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.pos < self.end {
            return Ok(true);
        }
        self.fill_more()
    }

    /// Append more bytes after the unread ones and the record being read (moved to the front,
    /// or the buffer grown when they fill it: a record longer than the buffer); false when
    /// there are no more.
    fn fill_more(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.mark > 0 {
            let keep = self.mark;
            self.buf.copy_within(keep..self.end, 0);
            self.base += keep as u64;
            self.end -= keep;
            self.pos -= keep;
            self.mark = 0;
        }
        if self.end == self.buf.len() {
            let n = self.buf.len() * 2;
            self.buf.resize(n, 0);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
#[path = "csv_reader_tests.rs"]
mod tests;
