//! The output files of a conversion: BulkRequest file names, the rejects file, atomic writes,
//! private directories and files, the output directory's manifest (which files are the
//! tool's own), and the per-run copies under `runs/`. Every file holds personal data, so it is
//! created with mode 0600 and appears atomically (written under a temporary name, then
//! renamed), so a crash never leaves half a batch behind.

pub mod csv_cell;
pub mod lock;
pub mod manifest;
mod outdir;
mod private;
mod rejects;
pub mod runs;

pub use lock::{LockError, RunLock};
pub use manifest::{FileDigest, FileHasher, Listed, Manifest};
pub use outdir::{ensure_free, OutputDir};
pub use private::{open_private, private_dir, private_file, private_parent, sync_dir};
pub use rejects::RejectsWriter;
pub use runs::{keep_run, Kept, DEFAULT_KEEP_RUNS};

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file that becomes visible under its final name only when [`AtomicFile::commit`] runs:
/// every atomic write of the crate (batches, rejects, summaries, the delta state, the journal's
/// call log) goes through it. It is written as a hidden `.NAME.tmp-XXXXXX` in the target's
/// directory (the rename must not cross file systems) with mode 0600, and the temporary is
/// removed if the file is dropped uncommitted.
pub struct AtomicFile {
    path: PathBuf,
    w: Option<BufWriter<Tracked>>,
}

/// The temporary file, with the size and digest of what went into it, for the manifest: the
/// bytes are hashed as they are written (in the buffer's 256 KiB chunks), never read back.
struct Tracked {
    file: tempfile::NamedTempFile,
    hash: FileHasher,
    size: u64,
}

impl Write for Tracked {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hash.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
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
            w: Some(BufWriter::with_capacity(
                256 * 1024,
                Tracked { file, hash: FileHasher::default(), size: 0 },
            )),
        })
    }

    /// Flush and rename into place: the file appears whole or not at all. Output batches use
    /// this: a run that dies is rerun and regenerates them byte for byte, so an fsync per file
    /// (thousands per run, most of the run's time) buys nothing.
    pub fn commit(self) -> io::Result<()> {
        self.finish(false).map(|_| ())
    }

    /// [`AtomicFile::commit`], returning what was written, for the output directory's manifest.
    pub fn commit_listed(self) -> io::Result<Listed> {
        self.finish(false)
    }

    /// Flush, fsync, rename, then fsync the directory (the rename itself must survive a power
    /// loss): for files whose loss a rerun cannot repair (delta state, the run's manifest).
    pub fn commit_synced(self) -> io::Result<()> {
        self.finish(true).map(|_| ())
    }

    fn finish(mut self, sync: bool) -> io::Result<Listed> {
        let w = self.w.take().ok_or_else(|| io::Error::other("file already committed"))?;
        let Tracked { file, hash, size } = w.into_inner().map_err(|e| e.into_error())?;
        let name =
            self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let listed = Listed { name, size, digest: hash.finish() };
        if sync {
            file.as_file().sync_all()?;
        }
        file.persist(&self.path).map_err(|e| e.error)?;
        if sync {
            sync_dir(self.path.parent().unwrap_or(Path::new(".")))?;
        }
        Ok(listed)
    }

    fn writer(&mut self) -> io::Result<&mut BufWriter<Tracked>> {
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
    fn a_committed_file_is_listed_with_its_size_and_digest() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = AtomicFile::create(&dir.path().join("rejects.csv")).unwrap();
        f.write_all(b"line,reasons\n").unwrap();
        let listed = f.commit_listed().unwrap();
        assert_eq!(listed, Listed::of_bytes("rejects.csv", b"line,reasons\n"));
        assert_eq!(Listed::of_file(dir.path(), "rejects.csv").unwrap(), Some(listed));
    }

    #[cfg(unix)]
    #[test]
    fn a_synced_commit_replaces_a_planted_link_without_following_it() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, b"keep").unwrap();
        let p = dir.path().join("hr.state");
        std::os::unix::fs::symlink(&victim, &p).unwrap();
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"new").unwrap();
        f.commit_synced().unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"keep");
        assert!(fs::symlink_metadata(&p).unwrap().is_file());
        assert_eq!(fs::read(&p).unwrap(), b"new");
    }
}
