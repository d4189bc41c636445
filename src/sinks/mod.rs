//! The output files of a conversion: BulkRequest file names, the rejects file, atomic writes.
//! Every file holds personal data, so it is created with mode 0600 and appears atomically
//! (written under a temporary name, then renamed), so a crash never leaves half a batch behind.

pub mod lock;
mod rejects;

pub use lock::{LockError, RunLock};
pub use rejects::RejectsWriter;

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file that becomes visible under its final name only when [`AtomicFile::commit`] runs:
/// every atomic write of the crate (batches, rejects, summaries, the delta state, the journal's
/// call log) goes through it. It is written as a hidden `.NAME.tmp-XXXXXX` in the target's
/// directory (the rename must not cross file systems) with mode 0600, and the temporary is
/// removed if the file is dropped uncommitted.
pub struct AtomicFile {
    path: PathBuf,
    w: Option<BufWriter<tempfile::NamedTempFile>>,
}

impl AtomicFile {
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let prefix = format!(".{name}.tmp-");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o600));
        }
        let file = builder.tempfile_in(dir)?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            w: Some(BufWriter::with_capacity(256 * 1024, file)),
        })
    }

    /// Flush and rename into place: the file appears whole or not at all. Output batches use
    /// this: a run that dies is rerun and regenerates them byte for byte, so an fsync per file
    /// (thousands per run, most of the run's time) buys nothing.
    pub fn commit(self) -> io::Result<()> {
        self.finish(false)
    }

    /// Flush, fsync, then rename: for files whose loss a rerun cannot repair (delta state).
    pub fn commit_synced(self) -> io::Result<()> {
        self.finish(true)
    }

    fn finish(mut self, sync: bool) -> io::Result<()> {
        let w = self.w.take().ok_or_else(|| io::Error::other("file already committed"))?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        if sync {
            file.as_file().sync_all()?;
        }
        file.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }

    fn writer(&mut self) -> io::Result<&mut BufWriter<tempfile::NamedTempFile>> {
        self.w.as_mut().ok_or_else(|| io::Error::other("file already committed"))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer()?.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer()?.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer()?.flush()
    }
}

/// Create (truncate) a file readable only by its owner.
pub fn private_file(path: &Path) -> io::Result<File> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// Write a whole file atomically with mode 0600.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes)?;
    f.commit()
}

/// The name of the n-th (1-based) BulkRequest file.
pub fn bulk_file_name(n: usize) -> String {
    format!("bulk-{n:05}.json")
}

/// Remove `bulk-*.json` files numbered above `keep` left by an earlier, larger run, so that
/// `upload --from DIR` never sends a stale batch.
pub fn remove_stale_batches(dir: &Path, keep: usize) -> io::Result<usize> {
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(num) = name.strip_prefix("bulk-").and_then(|n| n.strip_suffix(".json")) else {
            continue;
        };
        if num.parse::<usize>().is_ok_and(|n| n > keep) {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_file_appears_only_on_commit_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bulk-00001.json");
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"{}").unwrap();
        assert!(!p.exists());
        f.commit().unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"{}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary left behind");
    }

    #[test]
    fn the_temporary_is_hidden_next_to_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let f = AtomicFile::create(&dir.path().join("summary.json")).unwrap();
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1);
        assert!(names[0].starts_with(".summary.json.tmp-"), "{names:?}");
        drop(f);
    }

    #[test]
    fn abandoned_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        {
            let mut f = AtomicFile::create(&p).unwrap();
            f.write_all(b"partial").unwrap();
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn stale_batches_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        for n in 1..=4 {
            fs::write(dir.path().join(bulk_file_name(n)), b"{}").unwrap();
        }
        fs::write(dir.path().join("rejects.csv"), b"").unwrap();
        assert_eq!(remove_stale_batches(dir.path(), 2).unwrap(), 2);
        assert!(dir.path().join(bulk_file_name(2)).exists());
        assert!(!dir.path().join(bulk_file_name(3)).exists());
        assert!(dir.path().join("rejects.csv").exists());
    }
}
