//! Streaming CSV/TSV source: BOM and encoding handling, preamble skipping, delimiter detection, ragged rows.

use super::csv_reader::{CsvReader, RecordTooLong, Start};
use super::decode::{self, DecodingReader, Prefixed};
use super::record::{RawRecord, Utf8Problem};
use super::{headers, InputError, InputOptions, Item, Record, Rejected, Row, RowNames, Source};
use std::io::{BufRead, BufReader, Read};

type Input = Prefixed<Box<dyn Read + Send>>;

const BUF: usize = 64 * 1024;
/// A header line longer than this is not a header; it is a file without line breaks.
const MAX_HEADER: usize = 4 * 1024 * 1024;
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

pub(crate) struct CsvSource {
    reader: CsvReader<Box<dyn Read + Send>>,
    headers: Vec<String>,
    /// Fields in the header line before trailing empty names were dropped: rows may have up to
    /// this many fields as long as the extra ones are empty.
    raw_width: usize,
    name: String,
    delimiter: u8,
    encoding: &'static str,
    /// Physical lines before the header line (the preamble), added to the reader's line count.
    line_base: u64,
    /// Bytes before the reader's first byte (BOM and preamble), for error offsets.
    byte_base: u64,
    /// False when bytes were transcoded, since offsets then count UTF-8 bytes, not file bytes.
    offsets_exact: bool,
}

pub(crate) fn open(
    mut input: Input,
    name: &str,
    opts: &InputOptions,
) -> Result<Box<dyn Source>, InputError> {
    let read_err =
        |source| InputError::Read { path: name.to_string(), position: "the start".into(), source };
    // `input` replays the 8 sniffed bytes, so this sees the file's real first bytes.
    let head = decode::read_head(&mut input, 4).map_err(read_err)?;
    let bom = decode::sniff_bom(&head);
    let forced = opts.encoding.as_deref().map(decode::lookup).transpose()?;
    let encoding = match (forced, bom) {
        (_, Some((enc, _))) if decode::is_utf16(enc) => enc,
        (Some(enc), _) => enc,
        (None, Some((enc, _))) => enc,
        (None, None) => encoding_rs::UTF_8,
    };
    let utf8 = decode::is_utf8(encoding) && !bom.is_some_and(|(e, _)| decode::is_utf16(e));
    let (stream, byte_base): (Box<dyn Read + Send>, u64) = if utf8 {
        let skip = match bom {
            Some((e, len)) if decode::is_utf8(e) => len,
            _ => 0,
        };
        let rest = Prefixed::new(head[skip..].to_vec(), input);
        (Box::new(rest), skip as u64)
    } else {
        let rest = Prefixed::new(head, input);
        (Box::new(DecodingReader::new(rest, encoding)), 0)
    };

    let mut buffered = BufReader::with_capacity(BUF, stream);
    let mut byte_base = byte_base;
    let mut line = Vec::new();
    for skipped in 1..opts.header_row {
        line.clear();
        let n = buffered.read_until(b'\n', &mut line).map_err(read_err)?;
        if n == 0 {
            return Err(InputError::NoHeader {
                path: name.to_string(),
                reason: format!(
                    "--header-row is {} but the file has only {} line(s)",
                    opts.header_row,
                    skipped - 1
                ),
            });
        }
        byte_base += n as u64;
    }
    let header_bytes = read_header_line(&mut buffered, opts.quote).map_err(read_err)?;
    let delimiter = opts.delimiter.unwrap_or_else(|| detect_delimiter(&header_bytes, opts.quote));

    // The reader has its own buffer: past the header it reads the stream directly, since
    // through the BufReader every byte of the file would be copied once more.
    let mut replayed = header_bytes;
    replayed.extend_from_slice(buffered.buffer());
    let replay: Box<dyn Read + Send> = Box::new(Prefixed::new(replayed, buffered.into_inner()));
    let limit = usize::try_from(opts.max_record_bytes).unwrap_or(usize::MAX);
    let reader = CsvReader::new(replay, delimiter, opts.quote).with_max_record(limit);

    let mut source = CsvSource {
        reader,
        headers: Vec::new(),
        raw_width: 0,
        name: name.to_string(),
        delimiter,
        encoding: decode::display_name(encoding),
        line_base: opts.header_row as u64 - 1,
        byte_base,
        offsets_exact: utf8,
    };
    let mut header = RawRecord::default();
    let Some(start) = source.next_raw(&mut header)? else {
        return Err(InputError::NoHeader {
            path: name.to_string(),
            reason: if opts.header_row > 1 {
                format!("there is nothing at or after line {}", opts.header_row)
            } else {
                "the file is empty".into()
            },
        });
    };
    let header_line = start.line;
    let header = Record::from_raw(header).map_err(|(raw, p)| source.utf8_error(&raw, p, start))?;
    source.raw_width = header.len();
    source.headers = headers::clean(
        header.iter().map(str::to_string).collect(),
        opts.rename_duplicates,
        name,
        &format!("line {header_line}"),
    )?;
    if source.headers.is_empty() {
        return Err(InputError::NoHeader {
            path: name.to_string(),
            reason: format!("line {header_line} has no column names"),
        });
    }
    Ok(Box::new(source))
}

/// Reads one physical record (lines joined while a quote is open) without interpreting it.
fn read_header_line<R: BufRead>(r: &mut R, quote: u8) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    // Quotes are counted in the new bytes only: recounting the whole header per line was
    // quadratic in a header of many quoted line breaks.
    let mut open_quote = false;
    loop {
        let from = out.len();
        let n = r.read_until(b'\n', &mut out)?;
        open_quote ^= out[from..].iter().filter(|&&b| b == quote).count() % 2 == 1;
        if n == 0 || !open_quote || out.len() > MAX_HEADER {
            return Ok(out);
        }
    }
}

/// Picks the candidate that occurs most often outside quotes in the header line; ties go to
/// the earlier candidate, and a one-column file gets ','.
fn detect_delimiter(header: &[u8], quote: u8) -> u8 {
    let mut counts = [0usize; 4];
    let mut quoted = false;
    for &b in header {
        if b == quote {
            quoted = !quoted;
        } else if !quoted {
            if b == b'\n' {
                break;
            }
            if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                counts[i] += 1;
            }
        }
    }
    let mut best = 0;
    for i in 1..CANDIDATES.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    CANDIDATES[best]
}

impl CsvSource {
    /// The next record and where it starts, in the user's file coordinates.
    fn next_raw(&mut self, raw: &mut RawRecord) -> Result<Option<Start>, InputError> {
        match self.reader.read(raw) {
            Ok(start) => Ok(start
                .map(|s| Start { line: s.line + self.line_base, byte: s.byte + self.byte_base })),
            Err(source) => {
                Err(match source.get_ref().and_then(|e| e.downcast_ref::<RecordTooLong>()) {
                    Some(t) => InputError::RecordTooLong {
                        path: self.name.clone(),
                        line: t.line + self.line_base,
                        limit: t.limit as u64,
                    },
                    None => InputError::Read {
                        path: self.name.clone(),
                        position: format!("line {}", self.reader.line() + self.line_base),
                        source,
                    },
                })
            }
        }
    }

    /// Points at the bad byte: the record's start plus the bytes before it in the record (exact
    /// for unquoted fields, which is how legacy-encoded exports usually look). `raw` is the
    /// record the reader read last.
    fn utf8_error(&self, raw: &RawRecord, p: Utf8Problem, start: Start) -> InputError {
        let bytes = raw.iter().nth(p.field).expect("the bad field is one of the record's");
        let prefix = &bytes[..p.valid_up_to.min(bytes.len())];
        let newlines = raw.iter().take(p.field).flatten().chain(prefix).filter(|&&b| b == b'\n');
        let line = start.line + newlines.count() as u64;
        let bad = bytes.get(p.valid_up_to).copied().unwrap_or(0);
        let shown: String = String::from_utf8_lossy(prefix)
            .chars()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let column = match self.headers.get(p.field) {
            Some(h) => format!(" in column {} ('{h}')", p.field + 1),
            None => format!(" in field {}", p.field + 1),
        };
        InputError::InvalidUtf8 {
            path: self.name.clone(),
            line,
            byte: if self.offsets_exact {
                let starts = self.reader.field_starts();
                let offset = starts.get(p.field).expect("csv-core finds the same fields again");
                start.byte + (offset + p.valid_up_to) as u64
            } else {
                start.byte
            },
            column: format!("{column}: byte 0x{bad:02X} after {shown:?}"),
        }
    }

    fn reject(&self, line: u64, record: &RawRecord, reason: String) -> Item {
        Item::Rejected(Rejected {
            line,
            fields: record.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect(),
            reason,
        })
    }
}

impl Source for CsvSource {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn describe(&self) -> String {
        let d = match self.delimiter {
            b'\t' => "tab".to_string(),
            d => format!("'{}'", d as char),
        };
        format!("{} (CSV, {d}-delimited, {})", self.name, self.encoding)
    }

    fn row_names(&self) -> RowNames {
        RowNames::lines()
    }

    fn next_item(&mut self) -> Result<Option<Item>, InputError> {
        let mut slot = Item::placeholder();
        Ok(self.read_into(&mut slot)?.then_some(slot))
    }

    fn read_into(&mut self, slot: &mut Item) -> Result<bool, InputError> {
        let width = self.headers.len();
        // The record is read straight into the allocation of the row that held this slot in an
        // earlier chunk: no allocation, no copy per row once the chunks have warmed up.
        let mut raw = match std::mem::replace(slot, Item::placeholder()) {
            Item::Row(r) => r.record.into_raw(),
            Item::Rejected(_) => RawRecord::default(),
        };
        loop {
            let Some(start) = self.next_raw(&mut raw)? else {
                return Ok(false);
            };
            let line = start.line;
            let n = raw.len();
            // Lines of only delimiters or blanks (spreadsheet "empty" rows) carry no data.
            if raw.is_blank() {
                continue;
            }
            let trailing_blank =
                n > width && n <= self.raw_width && raw.iter().skip(width).all(<[u8]>::is_empty);
            if n != width && !trailing_blank {
                let reason = format!("has {n} fields, the header has {width}");
                *slot = self.reject(line, &raw, reason);
                return Ok(true);
            }
            raw.truncate(width);
            let record =
                Record::from_raw(raw).map_err(|(raw, p)| self.utf8_error(&raw, p, start))?;
            *slot = Item::Row(Row { line, record, cell_errors: Vec::new() });
            return Ok(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_delimiters_outside_quotes() {
        assert_eq!(detect_delimiter(b"a;b;c\n", b'"'), b';');
        assert_eq!(detect_delimiter(b"\"x,y,z\";b;c\n", b'"'), b';');
        assert_eq!(detect_delimiter(b"a\tb\tc|d\n", b'"'), b'\t');
        assert_eq!(detect_delimiter(b"only\n", b'"'), b',');
        assert_eq!(detect_delimiter(b"a|b\n1,2,3,4\n", b'"'), b'|');
    }

    #[test]
    fn header_line_spans_quoted_newlines() {
        let mut r = &b"\"Work\nerID\",b\n1,2\n"[..];
        assert_eq!(read_header_line(&mut r, b'"').unwrap(), b"\"Work\nerID\",b\n");
        assert_eq!(r, b"1,2\n");
    }
}
