//! A temporary on-disk spool of finished users. Cross-row checks (duplicate ids, managers) are
//! only decided after the last row, so users wait here instead of in memory; memory stays flat
//! whatever the file's size. Records are length-prefixed and read back into one reused buffer:
//! no parsing, no escaping, and the original fields are only split when a row is rejected.
//!
//! Record: `u64 line, u32 len, [u32 idlen, id, u32 doclen, doc, u64 digest, u32 nfields,
//! (u32 len, field)*]`. A delta run keeps only the documents it may send; the digest of every
//! document decides the others.

use std::io::{self, BufReader, BufWriter, Read, Write};

pub struct SpoolWriter {
    w: BufWriter<std::fs::File>,
    file: tempfile::NamedTempFile,
    scratch: Vec<u8>,
    pub count: u64,
}

impl SpoolWriter {
    /// The spool lives next to the output (same disk, same privacy) and vanishes when dropped.
    pub fn new(dir: &std::path::Path) -> io::Result<SpoolWriter> {
        let file = tempfile::Builder::new().prefix(".spool-").tempfile_in(dir)?;
        let w = BufWriter::with_capacity(1 << 20, file.reopen()?);
        Ok(SpoolWriter { w, file, scratch: Vec::with_capacity(4096), count: 0 })
    }

    pub fn push<'a>(
        &mut self,
        line: u64,
        fields: impl IntoIterator<Item = &'a str>,
        external_id: &str,
        doc: &[u8],
        digest: u64,
    ) -> io::Result<()> {
        let b = &mut self.scratch;
        b.clear();
        put(b, external_id.as_bytes());
        put(b, doc);
        b.extend_from_slice(&digest.to_le_bytes());
        let count_at = b.len();
        b.extend_from_slice(&[0; 4]);
        let mut n = 0u32;
        for f in fields {
            put(b, f.as_bytes());
            n += 1;
        }
        b[count_at..count_at + 4].copy_from_slice(&n.to_le_bytes());
        self.w.write_all(&line.to_le_bytes())?;
        self.w.write_all(&(b.len() as u32).to_le_bytes())?;
        self.w.write_all(b)?;
        self.count += 1;
        Ok(())
    }

    /// Finish writing and read the users back in the order they were pushed.
    pub fn into_reader(mut self) -> io::Result<SpoolReader> {
        self.w.flush()?;
        let r = BufReader::with_capacity(1 << 20, self.file.reopen()?);
        Ok(SpoolReader { r, _file: self.file, left: self.count, buf: Vec::with_capacity(4096) })
    }
}

fn put(b: &mut Vec<u8>, bytes: &[u8]) {
    b.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    b.extend_from_slice(bytes);
}

pub struct SpoolReader {
    r: BufReader<std::fs::File>,
    _file: tempfile::NamedTempFile,
    left: u64,
    buf: Vec<u8>,
}

/// One spooled user, borrowed from the reader's buffer until the next call.
pub struct Spooled<'a> {
    pub line: u64,
    pub external_id: &'a str,
    /// Empty when the document was not kept (a delta run's unchanged user).
    pub doc: &'a [u8],
    pub digest: u64,
    /// How many fields `fields` holds (each length-prefixed).
    field_count: usize,
    fields: &'a [u8],
}

fn damaged() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "damaged spool record")
}

/// Split a fixed-size little-endian number off the front of `b`; a record too short for it is
/// damaged (the spool is only ever written by `push`, so this means the disk changed it).
fn number<const N: usize>(b: &[u8]) -> io::Result<([u8; N], &[u8])> {
    let (head, rest) = b.split_first_chunk::<N>().ok_or_else(damaged)?;
    Ok((*head, rest))
}

/// Split a length-prefixed piece off the front of `b`.
fn take(b: &[u8]) -> io::Result<(&[u8], &[u8])> {
    let (n, rest) = number::<4>(b)?;
    let n = u32::from_le_bytes(n) as usize;
    let piece = rest.get(..n).ok_or_else(damaged)?;
    Ok((piece, &rest[n..]))
}

fn text(b: &[u8]) -> io::Result<&str> {
    std::str::from_utf8(b).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

impl Spooled<'_> {
    /// The original fields (only needed when the row is rejected after all).
    pub fn fields(&self) -> io::Result<Vec<&str>> {
        let mut rest = self.fields;
        // Every field takes at least its 4-byte length: a damaged count cannot over-allocate.
        let mut out = Vec::with_capacity(self.field_count.min(self.fields.len() / 4));
        for _ in 0..self.field_count {
            let (f, r) = take(rest)?;
            out.push(text(f)?);
            rest = r;
        }
        Ok(out)
    }
}

impl SpoolReader {
    pub fn next_user(&mut self) -> io::Result<Option<Spooled<'_>>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let mut line = [0u8; 8];
        self.r.read_exact(&mut line)?;
        let mut len = [0u8; 4];
        self.r.read_exact(&mut len)?;
        self.buf.resize(u32::from_le_bytes(len) as usize, 0);
        self.r.read_exact(&mut self.buf)?;
        let (id, rest) = take(&self.buf)?;
        let (doc, rest) = take(rest)?;
        let (digest, rest) = number::<8>(rest)?;
        let (count, fields) = number::<4>(rest)?;
        Ok(Some(Spooled {
            line: u64::from_le_bytes(line),
            external_id: text(id)?,
            doc,
            digest: u64::from_le_bytes(digest),
            field_count: u32::from_le_bytes(count) as usize,
            fields,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SpoolWriter::new(dir.path()).unwrap();
        w.push(2, ["a", "é,\"x\""], "1001", b"{\"x\":1}", 7).unwrap();
        w.push(3, [""], "1002", b"{}", u64::MAX).unwrap();
        let mut r = w.into_reader().unwrap();
        {
            let a = r.next_user().unwrap().unwrap();
            assert_eq!((a.line, a.external_id, a.digest), (2, "1001", 7));
            assert_eq!(a.fields().unwrap(), vec!["a", "é,\"x\""]);
            assert_eq!(a.doc, b"{\"x\":1}");
        }
        {
            let b = r.next_user().unwrap().unwrap();
            assert_eq!((b.line, b.external_id, b.doc, b.digest), (3, "1002", &b"{}"[..], u64::MAX));
            assert_eq!(b.fields().unwrap(), vec![""]);
        }
        assert!(r.next_user().unwrap().is_none());
    }

    #[test]
    fn a_short_record_is_damaged_not_empty() {
        assert!(number::<4>(&[1, 0, 0]).is_err());
        assert!(take(&[5, 0, 0, 0, b'a']).is_err());
        assert_eq!(take(&[1, 0, 0, 0, b'a', b'b']).unwrap(), (&b"a"[..], &b"b"[..]));
    }
}
