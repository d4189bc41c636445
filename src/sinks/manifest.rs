//! The manifest of an output directory (`.hr2scim-manifest.json`): the files the last run wrote
//! there, with their sizes and digests, so that a later run removes or replaces only the tool's
//! own files and `upload --from` sends only the batches convert wrote.
//!
//! The digest is BLAKE3 (version 2): every byte of every batch is hashed as it is written, and
//! SHA-256 was a sixth of a million-row conversion where BLAKE3 is a twentieth. Manifests of
//! version 1 list SHA-256 and are still read and checked with it, so upgrading keeps every
//! directory's files recognised. The digest guards against mistakes (an edited batch, someone
//! else's `summary.json`), not against whoever can write the directory: they could rewrite the
//! manifest too.
//!
//! A run starts by writing the manifest with `complete: false` (still listing the files of the
//! run before, which it has not touched yet) and ends by writing it complete, fsync'd, file and
//! directory: the complete manifest is the run's commit point. A file belongs to the tool when
//! the manifest lists it with the same size and digest. A file that was changed, or one the
//! manifest does not list, is the user's: it is never removed, and a name the run needs stops it.
//! Without a complete manifest (a directory of an earlier release, or a run killed before its
//! end) the tool recognises its own files once by their exact names and the way they begin
//! (`{"schemas":["urn:...:BulkRequest"]` for a batch, `line,reasons` for rejects, ...).

use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use super::AtomicFile;

/// The manifest's name in the output directory.
pub const MANIFEST_NAME: &str = ".hr2scim-manifest.json";

/// The names of the outputs besides the batches, reserved in an output directory.
/// `changes.csv` is written with `report.html`, after the conversion: listing it here lets the
/// conversion remove the last run's, so a run without changes never leaves a stale one behind.
pub const FIXED_NAMES: [&str; 5] =
    ["rejects.csv", "summary.json", "schemas.json", "users.ndjson", "changes.csv"];

const VERSION: u32 = 2;

/// One file a run wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    pub name: String,
    pub size: u64,
    #[serde(flatten)]
    pub digest: FileDigest,
}

/// A listed file's digest, lowercase hex, written as `"blake3": "..."` (or, by version 1,
/// `"sha256": "..."`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileDigest {
    #[serde(rename = "blake3")]
    Blake3(String),
    #[serde(rename = "sha256")]
    Sha256(String),
}

/// Hashes a file's bytes as they go by, with the algorithm of the digest it will be compared to.
pub enum FileHasher {
    Blake3(Box<blake3::Hasher>),
    Sha256(sha2::Sha256),
}

impl Default for FileHasher {
    /// What new listings use.
    fn default() -> Self {
        FileHasher::Blake3(Box::default())
    }
}

impl FileHasher {
    /// The hasher that reproduces `d` for unchanged bytes.
    fn like(d: &FileDigest) -> FileHasher {
        match d {
            FileDigest::Blake3(_) => FileHasher::default(),
            FileDigest::Sha256(_) => FileHasher::Sha256(sha2::Sha256::new()),
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            FileHasher::Blake3(h) => {
                h.update(bytes);
            }
            FileHasher::Sha256(h) => h.update(bytes),
        }
    }

    pub fn finish(self) -> FileDigest {
        match self {
            FileHasher::Blake3(h) => FileDigest::Blake3(h.finalize().to_hex().to_string()),
            FileHasher::Sha256(h) => FileDigest::Sha256(hex::encode(h.finalize())),
        }
    }
}

impl Listed {
    pub fn of_bytes(name: &str, bytes: &[u8]) -> Listed {
        Listed::hashed(name, bytes, FileHasher::default())
    }

    fn hashed(name: &str, bytes: &[u8], mut h: FileHasher) -> Listed {
        h.update(bytes);
        Listed { name: name.to_string(), size: bytes.len() as u64, digest: h.finish() }
    }

    /// Whether `bytes` are what this entry lists (hashed the way the entry was).
    pub fn matches_bytes(&self, bytes: &[u8]) -> bool {
        bytes.len() as u64 == self.size
            && Listed::hashed(&self.name, bytes, FileHasher::like(&self.digest)) == *self
    }

    /// Whether `dir/NAME` holds what this entry lists (hashed the way the entry was).
    pub fn matches_file(&self, dir: &Path) -> io::Result<bool> {
        let now = Listed::read(dir, &self.name, FileHasher::like(&self.digest))?;
        Ok(now.as_ref() == Some(self))
    }

    /// What `dir/name` holds now; `None` when it is absent or not a regular file (a symbolic
    /// link is never the tool's own).
    pub fn of_file(dir: &Path, name: &str) -> io::Result<Option<Listed>> {
        Listed::read(dir, name, FileHasher::default())
    }

    fn read(dir: &Path, name: &str, mut h: FileHasher) -> io::Result<Option<Listed>> {
        let path = dir.join(name);
        match fs::symlink_metadata(&path) {
            Ok(m) if m.is_file() => {}
            Ok(_) => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        }
        let mut f = fs::File::open(&path)?;
        let mut buf = vec![0u8; 256 * 1024];
        let mut size = 0u64;
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            size += n as u64;
        }
        Ok(Some(Listed { name: name.to_string(), size, digest: h.finish() }))
    }
}

/// What the manifest file says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    /// False from the moment a run starts writing until its last file is in place.
    pub complete: bool,
    /// BLAKE3 (version 1: SHA-256) over the listed names and digests, in order: names the run's
    /// output as a whole.
    pub key: String,
    pub files: Vec<Listed>,
}

impl Manifest {
    /// The files are kept sorted by name, so a lookup is a binary search: a million-user run
    /// lists 20,000 batches, and a linear search per file made opening and committing quadratic.
    pub fn new(complete: bool, mut files: Vec<Listed>) -> Manifest {
        files.sort_by(|a, b| a.name.cmp(&b.name));
        let mut h = blake3::Hasher::new();
        for f in &files {
            let (FileDigest::Blake3(d) | FileDigest::Sha256(d)) = &f.digest;
            h.update(f.name.as_bytes());
            h.update(&[0]);
            h.update(d.as_bytes());
            h.update(b"\n");
        }
        let key = h.finalize().to_hex().to_string();
        Manifest { version: VERSION, complete, key, files }
    }

    /// The manifest of `dir`; `None` when there is none. A damaged or newer one is an error:
    /// guessing could remove the user's files.
    pub fn load(dir: &Path) -> io::Result<Option<Manifest>> {
        let path = dir.join(MANIFEST_NAME);
        if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file()) {
            return Err(bad(&path, "is not a regular file"));
        }
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut m: Manifest =
            serde_json::from_slice(&bytes).map_err(|e| bad(&path, &format!("is damaged ({e})")))?;
        // Written sorted; sorting again only matters for a file someone reordered by hand (the
        // stored key is kept as it was written).
        if !m.files.is_sorted_by(|a, b| a.name <= b.name) {
            m.files.sort_by(|a, b| a.name.cmp(&b.name));
        }
        if m.version > VERSION {
            return Err(bad(&path, "was written by a newer hr2scim"));
        }
        Ok(Some(m))
    }

    /// Writes it atomically, fsync'd, file and directory.
    pub fn save(&self, dir: &Path) -> io::Result<()> {
        let mut f = AtomicFile::create(&dir.join(MANIFEST_NAME))?;
        f.write_all(&serde_json::to_vec_pretty(self).map_err(io::Error::other)?)?;
        f.write_all(b"\n")?;
        f.commit_synced()
    }

    pub fn listed(&self, name: &str) -> Option<&Listed> {
        self.files.binary_search_by(|f| f.name.as_str().cmp(name)).ok().map(|i| &self.files[i])
    }
}

fn bad(path: &Path, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{} {what}; it tells which files hr2scim wrote there. Move the directory's files away \
             (or use another --out) and remove it",
            path.display()
        ),
    )
}

/// Whose a file in an output directory is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Absent,
    /// Written by the tool and unchanged since: it may be removed or replaced.
    Own,
    /// Listed by the manifest but changed since (or replaced by a link): the user's now.
    Changed,
    /// Not the tool's.
    Foreign,
}

/// Whose `dir/name` is, given the directory's manifest (`None`: there is none).
pub fn owner(dir: &Path, name: &str, manifest: Option<&Manifest>) -> io::Result<Owner> {
    let path = dir.join(name);
    let meta = match fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Owner::Absent),
        Err(e) => return Err(e),
    };
    let listed = manifest.and_then(|m| m.listed(name));
    if !meta.is_file() {
        return Ok(if listed.is_some() { Owner::Changed } else { Owner::Foreign });
    }
    if let Some(l) = listed {
        // The size first: most edits change it, and it costs no read.
        if meta.len() == l.size && l.matches_file(dir)? {
            return Ok(Owner::Own);
        }
        if manifest.is_some_and(|m| m.complete) {
            return Ok(Owner::Changed);
        }
    }
    // No complete manifest: the tool's exact names, beginning as the tool writes them.
    if manifest.is_none_or(|m| !m.complete) && looks_like_own(&path, name)? {
        return Ok(Owner::Own);
    }
    Ok(if listed.is_some() { Owner::Changed } else { Owner::Foreign })
}

/// The exact name of the n-th batch: `bulk-` then the number on at least 5 digits (`{n:05}`).
pub fn batch_number(name: &str) -> Option<usize> {
    let digits = name.strip_prefix("bulk-")?.strip_suffix(".json")?;
    if digits.len() < 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: usize = digits.parse().ok()?;
    (n > 0 && super::bulk_file_name(n) == name).then_some(n)
}

const BATCH_HEAD: &[u8] = b"{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],";
const REJECTS_HEAD: &[u8] = b"line,reasons";
/// `Summary`, pretty-printed: its first field.
const SUMMARY_HEAD: &[u8] = b"{\n  \"input\": ";
const SCHEMAS_HEAD: &[u8] = b"[\n  {\n";
const USER_HEAD: &[u8] = b"{\"schemas\":[";
/// The run report's full list of changed attributes.
pub const CHANGES_HEAD: &[u8] = b"externalId,attribute,from,to\n";

/// How each kind of output begins (an empty `users.ndjson` is the tool's too).
fn expected_head(name: &str) -> Option<&'static [&'static [u8]]> {
    if batch_number(name).is_some() {
        return Some(&[BATCH_HEAD]);
    }
    Some(match name {
        "rejects.csv" => &[REJECTS_HEAD],
        "summary.json" => &[SUMMARY_HEAD],
        "schemas.json" => &[SCHEMAS_HEAD],
        "users.ndjson" => &[USER_HEAD, b""],
        "changes.csv" => &[CHANGES_HEAD],
        _ => return None,
    })
}

fn looks_like_own(path: &Path, name: &str) -> io::Result<bool> {
    let Some(heads) = expected_head(name) else { return Ok(false) };
    let mut start = Vec::with_capacity(80);
    fs::File::open(path)?.take(80).read_to_end(&mut start)?;
    Ok(heads.iter().any(|h| if h.is_empty() { start.is_empty() } else { start.starts_with(h) }))
}

/// A hidden temporary an interrupted run of this tool can leave in an output directory, by its
/// exact name: a batch part (`.bulk-00001.json.part`), a spool (`.spool-XXXXXX`) or an atomic
/// write's temporary (`.NAME.tmp-XXXXXX` for one of the tool's names); `XXXXXX` is tempfile's
/// six random letters and digits.
pub fn is_own_temporary(name: &str) -> bool {
    let random6 = |s: &str| s.len() == 6 && s.bytes().all(|b| b.is_ascii_alphanumeric());
    let Some(rest) = name.strip_prefix('.') else { return false };
    if let Some(batch) = rest.strip_suffix(".part") {
        return batch_number(batch).is_some();
    }
    if let Some(random) = rest.strip_prefix("spool-") {
        return random6(random);
    }
    match rest.rsplit_once(".tmp-") {
        Some((target, random)) => {
            random6(random)
                && (FIXED_NAMES.contains(&target)
                    || target == MANIFEST_NAME
                    || batch_number(target).is_some())
        }
        None => false,
    }
}

#[cfg(test)]
#[path = "manifest_tests.rs"]
mod tests;
