//! Private places on disk: directories this tool creates are 0700, files it opens in place
//! (journal, lock files, the tenant's call log, batch parts) are 0600 and never followed
//! through a symbolic link, and a rename that must survive a power loss syncs its directory.
//!
//! Modes apply only to what is created here: an existing directory or file keeps the mode the
//! user chose (a shared output folder stays shared). On Windows the modes do not exist; the
//! files inherit the folder's ACL.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `dir` and its missing parents with mode 0700; directories that already exist are left
/// as they are. Every directory of the crate (output, journal, state, quota) is made here.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// `private_dir` for the directory a file will be written in.
pub fn private_parent(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(p) => private_dir(p),
        None => Ok(()),
    }
}

/// Opens `path` with `opts`, creating it with mode 0600, never through a symbolic link: a link
/// planted at the name makes the open fail (ELOOP) instead of writing where the link points.
pub fn open_private(path: &Path, opts: &mut OpenOptions) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    opts.open(path).map_err(|e| {
        if is_symlink(path) {
            io::Error::other(format!(
                "{} is a symbolic link; hr2scim does not write through links (remove it)",
                path.display()
            ))
        } else {
            e
        }
    })
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Creates (truncating) a file readable only by its owner, never through a symbolic link.
pub fn private_file(path: &Path) -> io::Result<File> {
    open_private(path, OpenOptions::new().write(true).create(true).truncate(true))
}

/// Makes the entries of `dir` (a rename, a new file) durable: without it a power loss can undo
/// a rename whose file was synced. A no-op where directories cannot be opened (Windows).
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn created_directories_are_private_and_existing_ones_keep_their_mode() {
        let root = tempfile::tempdir().unwrap();
        let shared = root.path().join("shared");
        fs::create_dir(&shared).unwrap();
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&shared.join("a/b")).unwrap();
        assert_eq!(mode(&shared.join("a")), 0o700);
        assert_eq!(mode(&shared.join("a/b")), 0o700);
        private_dir(&shared).unwrap();
        assert_eq!(mode(&shared), 0o755, "the user's directory is not changed");
    }

    #[test]
    fn a_private_file_is_0600_and_never_written_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        drop(private_file(&p).unwrap());
        assert_eq!(mode(&p), 0o600);
        let target = dir.path().join("precious");
        fs::write(&target, b"keep").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = private_file(&link).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert_eq!(fs::read(&target).unwrap(), b"keep");
    }

    #[test]
    fn a_directory_can_be_synced() {
        let dir = tempfile::tempdir().unwrap();
        sync_dir(dir.path()).unwrap();
    }
}
