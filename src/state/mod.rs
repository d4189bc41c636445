//! Delta state: per externalId, a hash of the User document last written (convert) or last
//! accepted by the target (upload), plus the run's time and the mapping's hash. The next run sends
//! only new and changed users, and can disable leavers (ids in the state but not in the export).
//!
//! File format (text, one record per line, sorted by externalId so diffs are readable):
//! `{"version":1,"run_at":"...","mapping_hash":"...","users":N}` then `HASH16\texternalId` lines.
//! 8 bytes of hash + the id per user: a million users take about 30 MB on disk and in memory.

mod delta;
mod leaver;

pub use delta::{Delta, DeltaCounts, LeaverPolicy, MaxLeavers};
pub use leaver::{LeaverDelivery, LeaverTemplate};

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Header {
    pub version: u32,
    pub run_at: String,
    pub mapping_hash: String,
    pub users: usize,
}

#[derive(Debug, Clone, Default)]
pub struct State {
    pub header: Option<Header>,
    pub users: HashMap<String, u64>,
}

/// The 64-bit digest stored per user (first 8 bytes of SHA-256 of the compact document).
pub fn doc_hash(doc: &[u8]) -> u64 {
    let d = Sha256::digest(doc);
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read state file {path}: {source}")]
    Read { path: String, source: io::Error },
    #[error("state file {path} is damaged at line {line}: {why}; delete it to start over (the next run then sends everyone)")]
    Damaged { path: String, line: usize, why: String },
    #[error("cannot write state file {path}: {source}")]
    Write { path: String, source: io::Error },
}

impl State {
    /// Load a state file; a missing file is an empty state (first run).
    pub fn load(path: &Path) -> Result<State, StateError> {
        let p = path.display().to_string();
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(State::default()),
            Err(source) => return Err(StateError::Read { path: p, source }),
        };
        let mut lines = BufReader::new(file).lines();
        let first = match lines.next() {
            None => return Ok(State::default()),
            Some(l) => l.map_err(|source| StateError::Read { path: p.clone(), source })?,
        };
        let header: Header = serde_json::from_str(&first).map_err(|e| StateError::Damaged {
            path: p.clone(),
            line: 1,
            why: e.to_string(),
        })?;
        let mut users = HashMap::with_capacity(header.users);
        for (i, l) in lines.enumerate() {
            let l = l.map_err(|source| StateError::Read { path: p.clone(), source })?;
            let damaged = |why: &str| StateError::Damaged {
                path: p.clone(),
                line: i + 2,
                why: why.to_string(),
            };
            let (h, id) =
                l.split_once('\t').ok_or_else(|| damaged("expected HASH<TAB>externalId"))?;
            let h = u64::from_str_radix(h, 16).map_err(|_| damaged("bad hash"))?;
            users.insert(id.to_string(), h);
        }
        if users.len() != header.users {
            return Err(StateError::Damaged {
                path: p,
                line: users.len() + 1,
                why: format!("header says {} users, file has {}", header.users, users.len()),
            });
        }
        Ok(State { header: Some(header), users })
    }

    /// Write atomically (temporary file, fsync, rename) with mode 0600.
    pub fn save(
        &self,
        path: &Path,
        mapping_hash: &str,
        run_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StateError> {
        let err = |source| StateError::Write { path: path.display().to_string(), source };
        let header = Header {
            version: 1,
            run_at: run_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            mapping_hash: mapping_hash.to_string(),
            users: self.users.len(),
        };
        let mut f = crate::sinks::AtomicFile::create(path).map_err(err)?;
        let head = serde_json::to_string(&header).unwrap_or_default();
        writeln!(f, "{head}").map_err(err)?;
        let mut ids: Vec<(&String, &u64)> = self.users.iter().collect();
        ids.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (id, h) in ids {
            writeln!(f, "{h:016x}\t{id}").map_err(err)?;
        }
        f.commit_synced().map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_and_load_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state");
        let mut s = State::default();
        s.users.insert("1001".into(), doc_hash(b"{\"a\":1}"));
        s.users.insert("1000".into(), 7);
        s.save(&p, "abc", chrono::DateTime::from_timestamp(0, 0).unwrap()).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.starts_with("{\"version\":1,\"run_at\":\"1970-01-01T00:00:00Z\",\"mapping_hash\":\"abc\",\"users\":2}\n0000000000000007\t1000\n"), "{text}");
        let l = State::load(&p).unwrap();
        assert_eq!(l.users, s.users);
        assert_eq!(l.header.unwrap().mapping_hash, "abc");
    }

    #[test]
    fn missing_file_is_a_first_run_and_damage_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        assert!(State::load(&dir.path().join("none")).unwrap().users.is_empty());
        let p = dir.path().join("bad");
        std::fs::write(
            &p,
            "{\"version\":1,\"run_at\":\"x\",\"mapping_hash\":\"m\",\"users\":1}\nzz\t1\n",
        )
        .unwrap();
        let e = State::load(&p).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("bad hash"), "{e}");
    }
}
