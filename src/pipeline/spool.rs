//! A temporary on-disk spool of finished users. Cross-row checks (duplicate ids, managers) are
//! only decided after the last row, so users wait here instead of in memory; memory stays flat
//! whatever the file's size. Records are length-prefixed: no parsing, no escaping.

use std::io::{self, BufReader, BufWriter, Read, Write};

pub struct SpoolWriter {
    w: BufWriter<std::fs::File>,
    file: tempfile::NamedTempFile,
    pub count: u64,
}

/// One spooled user: its input position, original fields and compact User JSON.
pub struct Spooled {
    pub line: u64,
    pub fields: Vec<String>,
    pub external_id: String,
    pub doc: Vec<u8>,
}

impl SpoolWriter {
    /// The spool lives next to the output (same disk, same privacy) and vanishes when dropped.
    pub fn new(dir: &std::path::Path) -> io::Result<SpoolWriter> {
        let file = tempfile::Builder::new().prefix(".spool-").tempfile_in(dir)?;
        let w = BufWriter::with_capacity(1 << 20, file.reopen()?);
        Ok(SpoolWriter { w, file, count: 0 })
    }

    pub fn push<'a>(
        &mut self,
        line: u64,
        fields: impl ExactSizeIterator<Item = &'a str>,
        external_id: &str,
        doc: &[u8],
    ) -> io::Result<()> {
        self.w.write_all(&line.to_le_bytes())?;
        self.w.write_all(&(fields.len() as u32).to_le_bytes())?;
        for f in fields {
            put(&mut self.w, f.as_bytes())?;
        }
        put(&mut self.w, external_id.as_bytes())?;
        put(&mut self.w, doc)?;
        self.count += 1;
        Ok(())
    }

    /// Finish writing and read the users back in the order they were pushed.
    pub fn into_reader(mut self) -> io::Result<SpoolReader> {
        self.w.flush()?;
        let r = BufReader::with_capacity(1 << 20, self.file.reopen()?);
        Ok(SpoolReader { r, _file: self.file, left: self.count })
    }
}

fn put(w: &mut impl Write, b: &[u8]) -> io::Result<()> {
    w.write_all(&(b.len() as u32).to_le_bytes())?;
    w.write_all(b)
}

pub struct SpoolReader {
    r: BufReader<std::fs::File>,
    _file: tempfile::NamedTempFile,
    left: u64,
}

impl SpoolReader {
    fn u32(&mut self) -> io::Result<u32> {
        let mut b = [0u8; 4];
        self.r.read_exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn bytes(&mut self) -> io::Result<Vec<u8>> {
        let n = self.u32()? as usize;
        let mut v = vec![0u8; n];
        self.r.read_exact(&mut v)?;
        Ok(v)
    }

    fn string(&mut self) -> io::Result<String> {
        String::from_utf8(self.bytes()?).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    pub fn next_user(&mut self) -> io::Result<Option<Spooled>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let mut b = [0u8; 8];
        self.r.read_exact(&mut b)?;
        let line = u64::from_le_bytes(b);
        let n = self.u32()? as usize;
        let mut fields = Vec::with_capacity(n);
        for _ in 0..n {
            fields.push(self.string()?);
        }
        let external_id = self.string()?;
        let doc = self.bytes()?;
        Ok(Some(Spooled { line, fields, external_id, doc }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SpoolWriter::new(dir.path()).unwrap();
        w.push(2, ["a", "é,\"x\""].into_iter(), "1001", b"{\"x\":1}").unwrap();
        w.push(3, [""].into_iter(), "1002", b"{}").unwrap();
        let mut r = w.into_reader().unwrap();
        let a = r.next_user().unwrap().unwrap();
        assert_eq!(
            (a.line, a.fields.clone(), a.external_id.as_str()),
            (2, vec!["a".into(), "é,\"x\"".into()], "1001")
        );
        assert_eq!(a.doc, b"{\"x\":1}");
        let b = r.next_user().unwrap().unwrap();
        assert_eq!((b.line, b.external_id.as_str()), (3, "1002"));
        assert!(r.next_user().unwrap().is_none());
    }
}
