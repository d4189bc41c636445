//! One run at a time: an advisory OS lock on a small file (`<out>/.hr2scim.lock`,
//! `<state>.lock`) that also names its holder, so a second run stops at once and says who holds it.
//!
//! The lock is the OS's (`flock` / `LockFileEx` through `fs4`: std's `File::lock` is newer than
//! the MSRV), so it dies with its process: a `kill -9` can never leave a directory locked. The
//! holder text is only information. A clean release empties it; a file that is unlocked but still
//! names a holder was left by a process that died, and the next run takes it over with a warning.
//! The file itself is never deleted: deleting it would let a waiting process lock the old inode
//! while a third one creates and locks a new file, and both would think they hold the lock.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Who holds (or last held) a lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub pid: u32,
    /// RFC 3339, on the process's clock.
    pub started: String,
    pub host: String,
    /// The command line's program and subcommand, e.g. `hr2scim upload`.
    pub command: String,
}

impl Holder {
    fn current() -> Holder {
        let args: Vec<String> = std::env::args().take(2).collect();
        let program = args
            .first()
            .map(Path::new)
            .and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "hr2scim".into());
        let command = match args.get(1) {
            Some(sub) if !sub.starts_with('-') => format!("{program} {sub}"),
            _ => program,
        };
        Holder {
            pid: std::process::id(),
            started: crate::clock::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            host: host_name(),
            command,
        }
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pid {}, started {}", self.pid, self.started)?;
        if !self.host.is_empty() {
            write!(f, " on {}", self.host)?;
        }
        if !self.command.is_empty() {
            write!(f, ", `{}`", self.command)?;
        }
        Ok(())
    }
}

/// The machine's name, for a lock on a shared file system; empty when unknown.
fn host_name() -> String {
    for var in ["HOSTNAME", "COMPUTERNAME"] {
        if let Ok(h) = std::env::var(var) {
            if !h.trim().is_empty() {
                return h.trim().to_string();
            }
        }
    }
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another live process holds the lock.
    #[error("another hr2scim run ({}) holds {what}; wait for it to finish (a scheduler overlap?)", holder_text(.holder))]
    Held { what: String, path: PathBuf, holder: Option<Box<Holder>> },
    #[error("cannot lock {what} ({}): {source}", .path.display())]
    Io { what: String, path: PathBuf, source: io::Error },
}

fn holder_text(h: &Option<Box<Holder>>) -> String {
    h.as_ref().map(|h| h.to_string()).unwrap_or_else(|| "holder unknown".into())
}

/// A held lock; released (and its holder text cleared) when dropped, or by the OS when the
/// process dies.
#[derive(Debug)]
pub struct RunLock {
    file: File,
    path: PathBuf,
    stale: Option<Holder>,
}

impl RunLock {
    /// Takes the lock at `path` (creating the file), writing this process as its holder.
    /// `what` names the locked thing in messages ("the output directory run/").
    pub fn acquire(path: &Path, what: &str) -> Result<RunLock, LockError> {
        let io_err =
            |source| LockError::Io { what: what.to_string(), path: path.to_path_buf(), source };
        super::private_parent(path).map_err(io_err)?;
        let mut opts = OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        let mut file = super::open_private(path, &mut opts).map_err(io_err)?;
        // Fully qualified: newer std has inherent lock methods of the same names.
        let locked = fs4::fs_std::FileExt::try_lock_exclusive(&file).map_err(io_err)?;
        let previous = read_holder(&mut file);
        if !locked {
            return Err(LockError::Held {
                what: what.to_string(),
                path: path.to_path_buf(),
                holder: previous.map(Box::new),
            });
        }
        let me = Holder::current();
        let text = serde_json::to_string(&me).unwrap_or_default();
        file.set_len(0)
            .and_then(|_| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(text.as_bytes()))
            .and_then(|_| file.write_all(b"\n"))
            .and_then(|_| file.sync_data())
            .map_err(io_err)?;
        Ok(RunLock { file, path: path.to_path_buf(), stale: previous })
    }

    /// The holder a dead process left in the file, which this lock took over: the caller warns.
    pub fn taken_over(&self) -> Option<&Holder> {
        self.stale.as_ref()
    }

    /// The warning to show when the lock was taken over from a dead process.
    pub fn stale_warning(&self) -> Option<String> {
        self.stale.as_ref().map(|h| {
            format!(
                "warning: took over the stale lock {} of a run that did not finish ({h}); its outputs were not completed",
                self.path.display()
            )
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // An empty file marks a clean release; the OS drops the lock with the handle anyway.
        let _ = self.file.set_len(0);
        let _ = fs4::fs_std::FileExt::unlock(&self.file);
    }
}

/// The holder text in the lock file; `None` when empty (a clean release) or unreadable.
fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    serde_json::from_str(text).ok().or(Some(Holder {
        pid: 0,
        started: "?".into(),
        host: String::new(),
        command: text.chars().take(80).collect(),
    }))
}

/// The lock file of an output directory.
pub fn dir_lock_path(dir: &Path) -> PathBuf {
    dir.join(".hr2scim.lock")
}

/// The lock file of a state file: `<state>.lock` beside it.
pub fn file_lock_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    file.with_file_name(name)
}

/// Locks an output directory (creating it), for the whole run.
pub fn lock_dir(dir: &Path) -> Result<RunLock, LockError> {
    super::private_dir(dir).map_err(|source| LockError::Io {
        what: format!("the output directory {}", dir.display()),
        path: dir.to_path_buf(),
        source,
    })?;
    RunLock::acquire(&dir_lock_path(dir), &format!("the output directory {}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock_dir(dir.path()).unwrap();
        assert!(first.taken_over().is_none());
        // flock locks belong to the open file description: a second open in the same process
        // conflicts just as another process would.
        let err = lock_dir(dir.path()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(&format!("pid {}", std::process::id())), "{text}");
        assert!(text.contains("another hr2scim run"), "{text}");
        match err {
            LockError::Held { holder: Some(h), .. } => assert_eq!(h.pid, std::process::id()),
            other => panic!("expected Held, got {other:?}"),
        }
        drop(first);
        let again = lock_dir(dir.path()).unwrap();
        assert!(again.taken_over().is_none(), "a clean release is not stale");
    }

    #[test]
    fn an_unlocked_file_naming_a_holder_is_stale_and_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let dead = Holder {
            pid: 999_999,
            started: "2026-01-01T00:00:00Z".into(),
            host: "h".into(),
            command: "hr2scim upload".into(),
        };
        std::fs::write(dir_lock_path(dir.path()), serde_json::to_string(&dead).unwrap()).unwrap();
        let lock = lock_dir(dir.path()).unwrap();
        assert_eq!(lock.taken_over(), Some(&dead));
        let warning = lock.stale_warning().unwrap();
        assert!(warning.contains("pid 999999") && warning.contains("stale"), "{warning}");
        let now: Holder =
            serde_json::from_str(&std::fs::read_to_string(lock.path()).unwrap()).unwrap();
        assert_eq!(now.pid, std::process::id());
        drop(lock);
        assert_eq!(std::fs::read_to_string(dir_lock_path(dir.path())).unwrap(), "");
    }

    #[test]
    fn a_state_file_lock_sits_beside_it() {
        assert_eq!(file_lock_path(Path::new("/x/hr.state")), Path::new("/x/hr.state.lock"));
    }
}
