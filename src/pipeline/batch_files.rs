//! BulkRequest files written during the first pass, for runs whose users go straight to batch
//! files (no delta, no standard output). Users are packed as soon as they are taken in, so the
//! documents never wait in a spool; the files are hidden (`.bulk-00001.json.part`) until the run
//! ends. Then the few rows the cross-row checks reject are cut out of their batches, and the files
//! are renamed into place, numbered without gaps. A run that dies leaves only hidden parts, which
//! the next run removes (`sinks::OutputDir`): `upload --from DIR` never sees a batch of an
//! unfinished run. Each part's size and digest are taken from its bytes as they are written,
//! for the manifest.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::scim::{BulkError, BulkWriter};
use crate::sinks::{self, Listed};

pub struct BatchFiles {
    dir: PathBuf,
    writer: BulkWriter,
    /// The lines of each written part's operations, in order; part `k` is `parts[k]`.
    parts: Vec<Vec<u64>>,
    /// What each part holds, as written.
    listed: Vec<Listed>,
    current: Vec<u64>,
    finished: bool,
}

pub(super) fn part_name(n: usize) -> String {
    format!(".bulk-{n:05}.json.part")
}

impl BatchFiles {
    /// Start writing into `dir` (prepared by `sinks::OutputDir::open`).
    pub fn new(dir: &Path, writer: BulkWriter) -> io::Result<BatchFiles> {
        Ok(BatchFiles {
            dir: dir.to_path_buf(),
            writer,
            parts: Vec::new(),
            listed: Vec::new(),
            current: Vec::new(),
            finished: false,
        })
    }

    /// Add one user. An oversize user is refused (`Ok(Err(..))`) and changes nothing.
    pub fn push(
        &mut self,
        line: u64,
        external_id: &str,
        doc: &[u8],
    ) -> io::Result<Result<(), BulkError>> {
        match self.writer.push(external_id, doc) {
            Ok(Some(batch)) => {
                self.write_part(&batch.bytes)?;
                self.writer.recycle(batch.bytes);
                self.current.push(line);
            }
            Ok(None) => self.current.push(line),
            Err(e) => return Ok(Err(e)),
        }
        Ok(Ok(()))
    }

    fn write_part(&mut self, bytes: &[u8]) -> io::Result<()> {
        let name = part_name(self.parts.len() + 1);
        sinks::private_file(&self.dir.join(&name))?.write_all(bytes)?;
        self.listed.push(Listed::of_bytes(&name, bytes));
        self.parts.push(std::mem::take(&mut self.current));
        Ok(())
    }

    /// Cut the `rejected` lines out of their batches and move every batch into place as
    /// `bulk-00001.json`, ...; batches left empty are dropped. Returns the files, in order.
    /// The earlier run's batches went when the run started; a name still taken is a file kept as
    /// not the tool's, which stops the run before any batch is moved.
    pub fn finish(mut self, rejected: impl Fn(u64) -> bool) -> io::Result<Vec<Listed>> {
        if let Some(batch) = self.writer.finish() {
            self.write_part(&batch.bytes)?;
        }
        let keeps: Vec<Vec<bool>> =
            self.parts.iter().map(|lines| lines.iter().map(|&l| !rejected(l)).collect()).collect();
        let count = keeps.iter().filter(|k| k.iter().any(|&k| k)).count();
        for n in 1..=count {
            sinks::ensure_free(&self.dir, &sinks::bulk_file_name(n))?;
        }
        let mut files = Vec::with_capacity(count);
        for (k, keep) in keeps.iter().enumerate() {
            let part = self.dir.join(part_name(k + 1));
            let name = sinks::bulk_file_name(files.len() + 1);
            if keep.iter().all(|&k| k) {
                fs::rename(&part, self.dir.join(&name))?;
                files.push(Listed { name, ..self.listed[k].clone() });
                continue;
            }
            let bytes = fs::read(&part)?;
            fs::remove_file(&part)?;
            if let Some(cut) = without_operations(&bytes, keep)? {
                sinks::write_atomic(&self.dir.join(&name), &cut)?;
                files.push(Listed::of_bytes(&name, &cut));
            }
        }
        self.finished = true;
        Ok(files)
    }
}

impl Drop for BatchFiles {
    /// A run that stops early (an error, a leaver threshold) leaves no parts behind.
    fn drop(&mut self) {
        if !self.finished {
            for k in 1..=self.parts.len() {
                let _ = fs::remove_file(self.dir.join(part_name(k)));
            }
        }
    }
}

#[derive(serde::Deserialize)]
struct Ops<'a> {
    #[serde(rename = "Operations", borrow)]
    operations: Vec<&'a serde_json::value::RawValue>,
}

/// The BulkRequest `bytes` keeping only the operations whose `keep` is true, byte for byte as
/// they were; `None` when none is kept.
fn without_operations(bytes: &[u8], keep: &[bool]) -> io::Result<Option<Vec<u8>>> {
    let bad = |m: String| io::Error::new(io::ErrorKind::InvalidData, m);
    let ops: Ops<'_> = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
    if ops.operations.len() != keep.len() {
        return Err(bad(format!(
            "a batch holds {} operations, {} were written",
            ops.operations.len(),
            keep.len()
        )));
    }
    if !keep.iter().any(|&k| k) {
        return Ok(None);
    }
    // Everything before the first operation is the request's head (schemas, failOnErrors).
    let offset =
        |op: &serde_json::value::RawValue| op.get().as_ptr() as usize - bytes.as_ptr() as usize;
    let head = &bytes[..offset(ops.operations[0])];
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(head);
    for (n, op) in ops.operations.iter().zip(keep).filter(|(_, &k)| k).map(|(op, _)| op).enumerate()
    {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(op.get().as_bytes());
    }
    out.extend_from_slice(b"]}");
    Ok(Some(out))
}

#[cfg(test)]
#[path = "batch_files_tests.rs"]
mod tests;
