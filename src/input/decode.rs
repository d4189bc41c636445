//! Byte-level plumbing under the CSV reader: encoding lookup, BOM sniffing, a streaming decoder, a peek buffer.

use super::InputError;
use encoding_rs::{CoderResult, Decoder, Encoding, UTF_16BE, UTF_16LE, UTF_8};
use std::io::{self, Read};

/// Resolves a user-typed label ("windows-1252", "latin1", "utf-16") to an encoding.
pub(crate) fn lookup(label: &str) -> Result<&'static Encoding, InputError> {
    Encoding::for_label_no_replacement(label.trim().as_bytes())
        .ok_or_else(|| InputError::UnknownEncoding { label: label.to_string() })
}

/// The encoding announced by a byte-order mark at the start of `head`, with the mark's length.
pub(crate) fn sniff_bom(head: &[u8]) -> Option<(&'static Encoding, usize)> {
    Encoding::for_bom(head)
}

/// Reads until `n` bytes or end of input, so short reads from pipes do not hide a BOM or magic number.
pub(crate) fn read_head<R: Read>(r: &mut R, n: usize) -> io::Result<Vec<u8>> {
    let mut head = vec![0; n];
    let mut filled = 0;
    while filled < n {
        match r.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    head.truncate(filled);
    Ok(head)
}

/// A reader that first replays bytes already consumed for sniffing, then continues with `inner`.
pub(crate) struct Prefixed<R> {
    prefix: Vec<u8>,
    pos: usize,
    inner: R,
}

impl<R: Read> Prefixed<R> {
    pub(crate) fn new(prefix: Vec<u8>, inner: R) -> Self {
        Prefixed { prefix, pos: 0, inner }
    }
}

impl<R: Read> Read for Prefixed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.prefix.len() {
            let n = buf.len().min(self.prefix.len() - self.pos);
            buf[..n].copy_from_slice(&self.prefix[self.pos..self.pos + n]);
            self.pos += n;
            if self.pos == self.prefix.len() {
                // Free the header copy; a multi-megabyte quoted header should not stay resident.
                self.prefix = Vec::new();
                self.pos = 0;
            }
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// Streams any encoding_rs encoding to UTF-8 with fixed-size buffers, so memory stays flat.
///
/// Malformed sequences become U+FFFD: legacy single-byte encodings have none, and a broken
/// UTF-16 surrogate should cost one character, not the whole run.
pub(crate) struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    eof: bool,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    finished: bool,
}

const BUF: usize = 64 * 1024;

impl<R: Read> DecodingReader<R> {
    /// `new_decoder` sniffs a BOM, so a UTF-8/UTF-16 mark overrides `encoding` and is removed.
    pub(crate) fn new(inner: R, encoding: &'static Encoding) -> Self {
        DecodingReader {
            inner,
            decoder: encoding.new_decoder(),
            input: vec![0; BUF],
            in_start: 0,
            in_end: 0,
            eof: false,
            output: vec![0; BUF],
            out_start: 0,
            out_end: 0,
            finished: false,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        while self.out_start == self.out_end && !self.finished {
            if self.in_start == self.in_end && !self.eof {
                let n = loop {
                    match self.inner.read(&mut self.input) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        other => break other?,
                    }
                };
                self.in_start = 0;
                self.in_end = n;
                self.eof = n == 0;
            }
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.in_start..self.in_end],
                &mut self.output,
                self.eof,
            );
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            if self.eof && result == CoderResult::InputEmpty {
                self.finished = true;
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.refill()?;
        let n = buf.len().min(self.out_end - self.out_start);
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

/// The display name of an encoding in messages ("UTF-8", "UTF-16LE", "windows-1252").
pub(crate) fn display_name(encoding: &'static Encoding) -> &'static str {
    encoding.name()
}

/// True when bytes can go to the CSV parser untouched (the fast path).
pub(crate) fn is_utf8(encoding: &'static Encoding) -> bool {
    encoding == UTF_8
}

/// True for the encodings that need a BOM-less label to be spelled out by the user.
pub(crate) fn is_utf16(encoding: &'static Encoding) -> bool {
    encoding == UTF_16LE || encoding == UTF_16BE
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out one byte at a time, like a slow pipe.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() || buf.is_empty() {
                return Ok(0);
            }
            buf[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }

    #[test]
    fn decodes_windows_1252_across_tiny_reads() {
        let bytes = b"Jos\xe9;Stra\xdfe\n";
        let mut out = String::new();
        DecodingReader::new(Trickle(bytes), lookup("windows-1252").unwrap())
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "José;Straße\n");
    }

    #[test]
    fn decodes_utf16le_and_drops_its_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Zoë,Łukasz\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let mut out = String::new();
        DecodingReader::new(&bytes[..], UTF_16LE).read_to_string(&mut out).unwrap();
        assert_eq!(out, "Zoë,Łukasz\n");
    }

    #[test]
    fn head_and_prefix_replay_the_same_bytes() {
        let mut src = Trickle(b"abcdefgh");
        let head = read_head(&mut src, 4).unwrap();
        assert_eq!(head, b"abcd");
        let mut all = Vec::new();
        Prefixed::new(head, src).read_to_end(&mut all).unwrap();
        assert_eq!(all, b"abcdefgh");
    }

    #[test]
    fn labels_resolve_and_unknown_ones_fail() {
        assert_eq!(lookup("latin1").unwrap().name(), "windows-1252");
        assert_eq!(lookup(" UTF-16 ").unwrap(), UTF_16LE);
        assert!(lookup("ebcdic-klingon").is_err());
        assert_eq!(sniff_bom(b"\xEF\xBB\xBFa"), Some((UTF_8, 3)));
        assert_eq!(sniff_bom(b"\xFE\xFF\x00a"), Some((UTF_16BE, 2)));
    }
}
