//! CSV records with their physical line: simple lines split in one SIMD pass, the rest by csv-core.
//!
//! csv-core's state machine looks at every byte, which was the largest single cost of a
//! conversion (3,200 instructions per 220-byte row). Most HR lines are simple: unquoted fields,
//! or quoted ones without quotes or line breaks inside (`"Flat 3, 10 Av. Paulista"`). Such a
//! line is split by [`super::csv_split`], copied whole, fields as bounds into it. Any other
//! record goes to csv-core itself from its first byte, so what it yields is csv-core's by
//! construction, and the split answers only where csv-core would give the same fields.
//!
//! The reader also counts the `\n`s it passes, so each record comes with the line it starts on
//! and that line's byte offset, blank lines, CRLF and newlines inside quotes included.

use super::csv_split::{split, Needles, Split};
use super::record::RawRecord;
use csv_core::ReadRecordResult;
use memchr::{memchr_iter, memrchr};
use std::io::{self, Read};

const BUF: usize = 64 * 1024;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where a record starts: its physical line (from 1) and the byte offset of that line's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Start {
    pub line: u64,
    pub byte: u64,
    /// The record's bytes were read from input already proved UTF-8, and its fields are cut at
    /// ASCII bytes: every field is UTF-8 (see [`CsvReader::read`]).
    pub utf8: bool,
}

pub(crate) struct CsvReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// Unread bytes are `buf[pos..end]`.
    pos: usize,
    end: usize,
    eof: bool,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// `\n`s passed so far.
    newlines: u64,
    /// Stream offset just after the last `\n` passed.
    line_start: u64,
    core: csv_core::Reader,
    needles: Needles,
    /// Plain lines may be split without csv-core: delimiter and quote are ASCII and not a line break.
    split_plain: bool,
    started: bool,
    /// `buf[..checked]` from `pos` on is known UTF-8 and ends at a character boundary: each
    /// refill is validated in one SIMD pass, cheaper than a call per record.
    checked: usize,
    /// csv-core's output for a quoted record.
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl<R: Read> CsvReader<R> {
    pub(crate) fn new(inner: R, delimiter: u8, quote: u8) -> Self {
        Self::with_buffer(inner, delimiter, quote, BUF)
    }

    /// A reader whose buffer starts at `capacity` bytes (it grows for longer lines).
    fn with_buffer(inner: R, delimiter: u8, quote: u8, capacity: usize) -> Self {
        let core = csv_core::ReaderBuilder::new().delimiter(delimiter).quote(quote).build();
        let plain_byte = |b: u8| b.is_ascii() && b != b'\r' && b != b'\n';
        CsvReader {
            inner,
            buf: vec![0; capacity.max(BOM.len())],
            pos: 0,
            end: 0,
            eof: false,
            base: 0,
            newlines: 0,
            line_start: 0,
            core,
            needles: Needles::new(delimiter, quote),
            split_plain: plain_byte(delimiter) && plain_byte(quote) && delimiter != quote,
            started: false,
            checked: 0,
            out: vec![0; 1024],
            ends: vec![0; 64],
        }
    }

    /// The line being read, for errors that have no record to point at.
    pub(crate) fn line(&self) -> u64 {
        self.newlines + 1
    }

    /// The next record into `raw` (cleared first), or `None` at the end of the input. A record
    /// split from the buffer whose bytes lie before `checked` comes with `utf8` set; its fields
    /// are cut at the ASCII delimiter, quote or line end, so each of them is UTF-8 too.
    pub(crate) fn read(&mut self, raw: &mut RawRecord) -> io::Result<Option<Start>> {
        raw.clear();
        if !self.started {
            self.start()?;
        }
        // Line breaks between records are no records (csv-core skips them the same way).
        loop {
            if self.pos == self.end && !self.fill()? {
                return Ok(None);
            }
            match self.buf[self.pos] {
                b'\n' => self.past_newline(self.pos + 1),
                b'\r' => self.pos += 1,
                _ => break,
            }
        }
        let mut start = Start { line: self.newlines + 1, byte: self.line_start, utf8: false };
        match self.read_plain(raw)? {
            Some(utf8) => start.utf8 = utf8,
            None => self.read_quoted(raw)?,
        }
        Ok(Some(start))
    }

    /// A UTF-8 BOM at the very start is dropped, as csv-core drops it on its first read; csv-core
    /// is then fed one line break, so it never takes a later record's first bytes for a BOM.
    fn start(&mut self) -> io::Result<()> {
        self.started = true;
        while self.end - self.pos < BOM.len() && self.fill_more()? {}
        if self.buf[self.pos..self.end].starts_with(BOM) {
            self.pos += BOM.len();
        }
        let _ = self.core.read_record(b"\n", &mut [], &mut []);
        Ok(())
    }

    /// Split the line at `pos` when [`split`] can (with whether its bytes were proved UTF-8);
    /// `None` leaves the record to csv-core.
    fn read_plain(&mut self, raw: &mut RawRecord) -> io::Result<Option<bool>> {
        if !self.split_plain {
            return Ok(None);
        }
        loop {
            let data = &self.buf[self.pos..self.end];
            match split(data, self.eof, &self.needles, &mut raw.bounds) {
                Split::Line { stop, next } => {
                    let utf8 = self.pos + stop <= self.checked;
                    raw.bytes.extend_from_slice(&data[..stop]);
                    match data[next - 1] {
                        b'\n' => self.past_newline(self.pos + next),
                        _ => self.pos += next,
                    }
                    return Ok(Some(utf8));
                }
                Split::Quoted => {
                    raw.bounds.clear();
                    return Ok(None);
                }
                // At the end of the input `eof` is now set, and the next split settles it.
                Split::More => {
                    raw.bounds.clear();
                    self.fill_more()?;
                }
            }
        }
    }

    /// Let csv-core read the record at `pos`, refilling the buffer as it asks (the csv crate's
    /// own loop: at the end of the input csv-core is given nothing, which ends the last record).
    fn read_quoted(&mut self, raw: &mut RawRecord) -> io::Result<()> {
        let (mut nout, mut nend) = (0, 0);
        loop {
            if self.pos == self.end {
                self.fill()?;
            }
            let input = &self.buf[self.pos..self.end];
            let at_end = input.is_empty();
            let (res, nin, o, e) =
                self.core.read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            self.advance(self.pos + nin);
            nout += o;
            nend += e;
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
        raw.bytes.extend_from_slice(&self.out[..nout]);
        let mut field = 0;
        for &e in &self.ends[..nend] {
            raw.bounds.push((field, e));
            field = e;
        }
        Ok(())
    }

    /// Move `pos` to `to`, just past a `\n`.
    fn past_newline(&mut self, to: usize) {
        self.pos = to;
        self.newlines += 1;
        self.line_start = self.base + to as u64;
    }

    /// Move `pos` to `to`, counting the `\n`s passed.
    fn advance(&mut self, to: usize) {
        let passed = &self.buf[self.pos..to];
        if let Some(last) = memrchr(b'\n', passed) {
            self.newlines += memchr_iter(b'\n', passed).count() as u64;
            self.line_start = self.base + (self.pos + last + 1) as u64;
        }
        self.pos = to;
    }

    /// Extend `checked` over the bytes read since. It starts at a character boundary: where the
    /// last check stopped (an end, or the start of a bad or cut sequence), or at `pos` (a
    /// record's first byte, after an ASCII line break) when reading has gone past that.
    fn check_utf8(&mut self) {
        let from = self.checked.max(self.pos);
        self.checked = match simdutf8::compat::from_utf8(&self.buf[from..self.end]) {
            Ok(_) => self.end,
            Err(e) => from + e.valid_up_to(),
        };
    }

    /// More bytes once every buffered one was read; false at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.pos < self.end {
            return Ok(true);
        }
        self.fill_more()
    }

    /// Append more bytes after the unread ones (moved to the front, or the buffer grown when
    /// they fill it: a line longer than the buffer); false when there are no more.
    fn fill_more(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.base += self.pos as u64;
            self.end -= self.pos;
            self.checked = self.checked.saturating_sub(self.pos);
            self.pos = 0;
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
                    self.check_utf8();
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
