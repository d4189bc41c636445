//! Append-only, fsync'd journal of batch outcomes and of calls (for the daily quota).
//!
//! Two JSON-lines files in the journal directory: `batches.jsonl` (one line per state change of a
//! batch: pending, then accepted/partial/failed) and `calls.jsonl` (one line per HTTP call to the
//! target, so a daily budget survives restarts). A `kill -9` can leave a torn last line; it is
//! ignored when reading and a newline is added before the next append.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::UploadError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    /// Written before the first byte is sent: the outcome is unknown until the next line.
    Pending,
    Accepted,
    /// SCIM only: the request went through but some operations failed.
    Partial,
    Failed,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Outcome {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JournalEntry {
    pub ts: DateTime<Utc>,
    pub run: String,
    pub target: String,
    pub seq: u64,
    pub hash: String,
    pub event: Event,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_ids: Vec<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

pub struct Journal {
    dir: PathBuf,
    target: String,
    accepted: HashSet<String>,
    calls: Mutex<Vec<DateTime<Utc>>>,
    batches: Mutex<File>,
    calls_file: Mutex<File>,
}

impl Journal {
    /// Opens (creating) the journal and loads what `target` already accepted.
    pub fn open(dir: &Path, target: &str) -> Result<Journal, UploadError> {
        std::fs::create_dir_all(dir).map_err(|e| UploadError::io(dir, e))?;
        let batches_path = dir.join("batches.jsonl");
        let calls_path = dir.join("calls.jsonl");
        let accepted = read_records(&batches_path)?
            .into_iter()
            .filter(|r| r.target == target && r.event == Event::Accepted)
            .map(|r| r.hash)
            .collect();
        let day_ago = Utc::now() - chrono::Duration::hours(24);
        let all_calls = read_lines::<CallLine>(&calls_path)?;
        let total = all_calls.len();
        let calls: Vec<DateTime<Utc>> =
            all_calls.into_iter().map(|c| c.ts).filter(|t| *t > day_ago).collect();
        if calls.len() < total {
            compact_calls(&calls_path, &calls)?;
        }
        Ok(Journal {
            dir: dir.to_path_buf(),
            target: target.to_string(),
            accepted,
            calls: Mutex::new(calls),
            batches: Mutex::new(open_append(&batches_path)?),
            calls_file: Mutex::new(open_append(&calls_path)?),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn target(&self) -> &str {
        &self.target
    }

    /// True only when this exact content was accepted by this target before.
    pub fn is_accepted(&self, hash: &str) -> bool {
        self.accepted.contains(hash)
    }

    /// Appends one record and fsyncs it before returning.
    pub fn append(&self, record: &JournalEntry) -> Result<(), UploadError> {
        let mut line = serde_json::to_vec(record).map_err(|e| self.err(e.to_string()))?;
        line.push(b'\n');
        let mut f = self.batches.lock().unwrap_or_else(|p| p.into_inner());
        f.write_all(&line).and_then(|_| f.sync_data()).map_err(|e| self.err(e.to_string()))
    }

    /// Records one call against the daily budget (fsync'd: a crash must not forget calls).
    pub fn note_call(&self) -> Result<(), UploadError> {
        let now = Utc::now();
        let mut line =
            serde_json::to_vec(&CallLine { ts: now }).map_err(|e| self.err(e.to_string()))?;
        line.push(b'\n');
        {
            let mut f = self.calls_file.lock().unwrap_or_else(|p| p.into_inner());
            f.write_all(&line).and_then(|_| f.sync_data()).map_err(|e| self.err(e.to_string()))?;
        }
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).push(now);
        Ok(())
    }

    /// Calls in the last 24 hours, and when the oldest of them leaves the window.
    pub fn calls_last_day(&self) -> (u64, Option<DateTime<Utc>>) {
        let day_ago = Utc::now() - chrono::Duration::hours(24);
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        calls.retain(|t| *t > day_ago);
        let oldest = calls.iter().min().map(|t| *t + chrono::Duration::hours(24));
        (calls.len() as u64, oldest)
    }

    fn err(&self, reason: String) -> UploadError {
        UploadError::Journal { path: self.dir.clone(), reason }
    }
}

#[derive(Serialize, Deserialize)]
struct CallLine {
    ts: DateTime<Utc>,
}

/// The externalIds of the most recent run that had batches accepted, with its start time.
#[derive(Debug, Clone, PartialEq)]
pub struct LastUpload {
    pub run: String,
    pub target: String,
    pub started: DateTime<Utc>,
    pub external_ids: Vec<String>,
}

pub fn last_upload(dir: &Path) -> Result<Option<LastUpload>, UploadError> {
    let records = read_records(&dir.join("batches.jsonl"))?;
    let Some(last_run) =
        records.iter().rev().find(|r| r.event == Event::Accepted).map(|r| r.run.clone())
    else {
        return Ok(None);
    };
    let in_run: Vec<&JournalEntry> = records.iter().filter(|r| r.run == last_run).collect();
    let accepted: HashSet<&str> =
        in_run.iter().filter(|r| r.event == Event::Accepted).map(|r| r.hash.as_str()).collect();
    let mut ids_by_hash: HashMap<&str, &[String]> = HashMap::new();
    for r in &in_run {
        if r.event == Event::Pending {
            ids_by_hash.insert(&r.hash, &r.external_ids);
        }
    }
    let mut seen = HashSet::new();
    let external_ids = accepted
        .iter()
        .filter_map(|h| ids_by_hash.get(h))
        .flat_map(|ids| ids.iter())
        .filter(|id| seen.insert(id.as_str()))
        .cloned()
        .collect();
    Ok(Some(LastUpload {
        run: last_run,
        target: in_run[0].target.clone(),
        started: in_run.iter().map(|r| r.ts).min().unwrap_or_else(Utc::now),
        external_ids,
    }))
}

/// Content hashes of the batches `target` has accepted, from the journal in `dir` (empty when
/// there is no journal yet). Delta state uses it to record only what the target confirmed.
pub fn accepted_hashes(dir: &Path, target: &str) -> HashSet<String> {
    read_records(&dir.join("batches.jsonl"))
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.target == target && r.event == Event::Accepted)
        .map(|r| r.hash)
        .collect()
}

pub fn read_records(path: &Path) -> Result<Vec<JournalEntry>, UploadError> {
    read_lines(path)
}

fn read_lines<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, UploadError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(UploadError::io(path, e)),
    };
    let mut out = Vec::new();
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|e| UploadError::io(path, e))?;
        // A torn line (crash mid-write) carries no decision: its batch is resent.
        if let Ok(rec) = serde_json::from_str(&line) {
            out.push(rec);
        }
    }
    Ok(out)
}

/// Rewrites the call log without entries older than a day (atomically, fsynced).
fn compact_calls(path: &Path, keep: &[DateTime<Utc>]) -> Result<(), UploadError> {
    let mut text = String::new();
    for ts in keep {
        text += &serde_json::to_string(&CallLine { ts: *ts }).unwrap_or_default();
        text.push('\n');
    }
    let mut f = crate::sinks::AtomicFile::create(path).map_err(|e| UploadError::io(path, e))?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.commit_synced())
        .map_err(|e| UploadError::io(path, e))
}

fn open_append(path: &Path) -> Result<File, UploadError> {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(path)
        .map_err(|e| UploadError::io(path, e))?;
    let len = f.metadata().map_err(|e| UploadError::io(path, e))?.len();
    if len > 0 {
        use std::io::{Read, Seek, SeekFrom};
        let mut last = [0u8; 1];
        f.seek(SeekFrom::Start(len - 1))
            .and_then(|_| f.read_exact(&mut last))
            .map_err(|e| UploadError::io(path, e))?;
        if last[0] != b'\n' {
            f.write_all(b"\n").and_then(|_| f.sync_data()).map_err(|e| UploadError::io(path, e))?;
        }
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(run: &str, seq: u64, hash: &str, event: Event, ids: &[&str]) -> JournalEntry {
        JournalEntry {
            ts: Utc::now(),
            run: run.into(),
            target: "t".into(),
            seq,
            hash: hash.into(),
            event,
            external_ids: ids.iter().map(|s| s.to_string()).collect(),
            outcome: Outcome::default(),
        }
    }

    #[test]
    fn only_accepted_hashes_of_the_same_target_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(dir.path(), "t").unwrap();
        j.append(&rec("r1", 1, "h1", Event::Pending, &["a"])).unwrap();
        j.append(&rec("r1", 1, "h1", Event::Accepted, &[])).unwrap();
        j.append(&rec("r1", 2, "h2", Event::Pending, &["b"])).unwrap();
        j.append(&rec("r1", 3, "h3", Event::Pending, &["c"])).unwrap();
        j.append(&rec("r1", 3, "h3", Event::Failed, &[])).unwrap();
        drop(j);
        let j = Journal::open(dir.path(), "t").unwrap();
        assert!(j.is_accepted("h1"));
        assert!(!j.is_accepted("h2"), "unknown outcome must be resent");
        assert!(!j.is_accepted("h3"), "failed must be resent");
        assert!(!Journal::open(dir.path(), "other").unwrap().is_accepted("h1"));
        let last = last_upload(dir.path()).unwrap().unwrap();
        assert_eq!(last.external_ids, ["a"]);
    }

    #[test]
    fn a_torn_last_line_is_ignored_and_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(dir.path(), "t").unwrap();
        j.append(&rec("r1", 1, "h1", Event::Accepted, &[])).unwrap();
        drop(j);
        let path = dir.path().join("batches.jsonl");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"ts":"2026-01-01T00:00:00Z","run":"r1","tar"#).unwrap();
        drop(f);
        let j = Journal::open(dir.path(), "t").unwrap();
        j.append(&rec("r2", 2, "h2", Event::Accepted, &[])).unwrap();
        drop(j);
        let j = Journal::open(dir.path(), "t").unwrap();
        assert!(j.is_accepted("h1") && j.is_accepted("h2"));
    }

    #[test]
    fn calls_older_than_a_day_are_dropped_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let old = Utc::now() - chrono::Duration::hours(25);
        let line = |t: DateTime<Utc>| serde_json::to_string(&CallLine { ts: t }).unwrap();
        let text = format!("{}\n{}\n", line(old), line(Utc::now()));
        std::fs::write(dir.path().join("calls.jsonl"), text).unwrap();
        let j = Journal::open(dir.path(), "t").unwrap();
        assert_eq!(j.calls_last_day().0, 1);
        let kept = std::fs::read_to_string(dir.path().join("calls.jsonl")).unwrap();
        assert_eq!(kept.lines().count(), 1);
    }

    #[test]
    fn calls_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(dir.path(), "t").unwrap();
        j.note_call().unwrap();
        j.note_call().unwrap();
        drop(j);
        let j = Journal::open(dir.path(), "t").unwrap();
        let (n, free_at) = j.calls_last_day();
        assert_eq!(n, 2);
        assert!(free_at.unwrap() > Utc::now() + chrono::Duration::hours(23));
    }
}
