//! Append-only, fsync'd journal of one output directory's runs and their batches.
//!
//! `batches.jsonl` in the journal directory holds one line per event: `run-start` (with the run's
//! key), each batch's `pending` (before its first byte is sent) then `accepted`/`partial`/
//! `failed`, and `run-finished` once every batch of the run has a final outcome. A run's key is
//! SHA-256 over the target and the ordered content hashes of its batches, so the same command on
//! the same input, mapping and state has the same key.
//!
//! The journal belongs to a run: batches are skipped as already accepted only when resuming the
//! latest run of the journal, with the same key, that never finished. A new run skips nothing,
//! even when identical bodies were accepted before: delta runs repeat small batches (a user who
//! goes Active, Leave, Active, Leave sends the same disable twice), and each must be sent.
//!
//! A `kill -9` can leave a torn last line; it is ignored when reading and a newline is added
//! before the next append. (The daily quota is no longer here: it belongs to the tenant, see
//! `upload::quota`.)

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::UploadError;
use crate::sinks;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    /// Written before the first byte is sent: the outcome is unknown until the next line.
    Pending,
    Accepted,
    /// SCIM only: the request went through but some operations failed.
    Partial,
    Failed,
    /// A run (or the resumption of an unfinished one) starts; `key` names it.
    #[serde(rename = "run-start")]
    RunStart,
    /// Every batch of the run with this `key` got a final outcome.
    #[serde(rename = "run-finished")]
    RunFinished,
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
    /// This process's attempt (a uuid); a resumed run has a new one and the same `key`.
    pub run: String,
    /// The run key (see the module docs); empty in journals of earlier releases, whose lines
    /// then never make a batch skipped.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    pub target: String,
    pub seq: u64,
    pub hash: String,
    pub event: Event,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_ids: Vec<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The key of a run: the target and the ordered content hashes of its batches.
pub fn run_key<'a>(target: &str, batch_hashes: impl IntoIterator<Item = &'a str>) -> String {
    let mut h = Sha256::new();
    h.update(target.as_bytes());
    h.update([0]);
    for b in batch_hashes {
        h.update(b.as_bytes());
        h.update([b'\n']);
    }
    hex::encode(h.finalize())
}

/// A batch an unfinished run of the same key already had accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlierAcceptance {
    /// When the acceptance was journaled (the users' send time for the state).
    pub at: DateTime<Utc>,
    pub external_ids: Vec<String>,
}

pub struct Journal {
    dir: PathBuf,
    target: String,
    key: String,
    /// Only when resuming: the batches the unfinished run already had accepted, by hash.
    resumed: Option<HashMap<String, EarlierAcceptance>>,
    batches: Mutex<File>,
}

impl Journal {
    /// Opens (creating) the journal for the run `key` to `target`, and decides whether this run
    /// resumes an unfinished one (see the module docs).
    pub fn open(dir: &Path, target: &str, key: &str) -> Result<Journal, UploadError> {
        let created = !dir.is_dir();
        sinks::private_dir(dir).map_err(|e| UploadError::io(dir, e))?;
        if created {
            // The new directory's entry must survive a power loss, as the journal does.
            let parent = dir.parent().unwrap_or(Path::new("."));
            sinks::sync_dir(parent).map_err(|e| UploadError::io(parent, e))?;
        }
        let batches_path = dir.join("batches.jsonl");
        let records = read_records(&batches_path)?;
        let resumed = unfinished_run(&records, target, key);
        Ok(Journal {
            dir: dir.to_path_buf(),
            target: target.to_string(),
            key: key.to_string(),
            resumed,
            batches: Mutex::new(open_append(&batches_path)?),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn target(&self) -> &str {
        &self.target
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    /// Does this run resume an unfinished run with the same key?
    pub fn is_resuming(&self) -> bool {
        self.resumed.is_some()
    }

    /// Set when this run resumes an unfinished one that had this exact batch accepted: the
    /// batch is skipped. Never set in a new run, whatever was accepted before.
    pub fn accepted_earlier(&self, hash: &str) -> Option<&EarlierAcceptance> {
        self.resumed.as_ref()?.get(hash)
    }

    /// True only when resuming and this batch was accepted in the unfinished run.
    pub fn is_accepted(&self, hash: &str) -> bool {
        self.accepted_earlier(hash).is_some()
    }

    /// Appends one record and fsyncs it before returning.
    pub fn append(&self, record: &JournalEntry) -> Result<(), UploadError> {
        let mut line = serde_json::to_vec(record).map_err(|e| self.err(e.to_string()))?;
        line.push(b'\n');
        let mut f = self.batches.lock().unwrap_or_else(|p| p.into_inner());
        f.write_all(&line).and_then(|_| f.sync_data()).map_err(|e| self.err(e.to_string()))
    }

    /// `run-start` (or `run-finished`) for this run's key, attempt `run`.
    pub fn mark(&self, run: &str, event: Event) -> Result<(), UploadError> {
        self.append(&JournalEntry {
            ts: crate::clock::now(),
            run: run.to_string(),
            key: self.key.clone(),
            target: self.target.clone(),
            seq: 0,
            hash: String::new(),
            event,
            external_ids: Vec::new(),
            outcome: Outcome::default(),
        })
    }

    fn err(&self, reason: String) -> UploadError {
        UploadError::Journal { path: self.dir.clone(), reason }
    }
}

/// The batches accepted by the run `key` when it is the journal's latest run (the last
/// `run-start` of any key, for this target) and has no `run-finished`; `None` otherwise.
///
/// Only the latest run may be resumed: had another run been sent since, its batches could have
/// overwritten what the unfinished one sent, and skipping would leave those users wrong.
fn unfinished_run(
    records: &[JournalEntry],
    target: &str,
    key: &str,
) -> Option<HashMap<String, EarlierAcceptance>> {
    let ours = |r: &&JournalEntry| r.target == target;
    let last_start = records.iter().rposition(|r| ours(&r) && r.event == Event::RunStart)?;
    if records[last_start].key != key || key.is_empty() {
        return None;
    }
    let finished = records[last_start..]
        .iter()
        .any(|r| ours(&r) && r.event == Event::RunFinished && r.key == key);
    if finished {
        return None;
    }
    let in_run = run_lines(records, target, last_start);
    let mut ids_by_hash: HashMap<&str, &[String]> = HashMap::new();
    for r in in_run.iter().filter(|r| r.event == Event::Pending) {
        ids_by_hash.insert(&r.hash, &r.external_ids);
    }
    let mut accepted = HashMap::new();
    for r in in_run.iter().filter(|r| r.event == Event::Accepted) {
        let ids = ids_by_hash.get(r.hash.as_str()).map(|ids| ids.to_vec()).unwrap_or_default();
        accepted.insert(r.hash.clone(), EarlierAcceptance { at: r.ts, external_ids: ids });
    }
    Some(accepted)
}

/// The lines of the run whose (latest) `run-start` is at `start`, resumptions included: back to
/// the last line of another run or a `run-finished` of the same key. One process writes a
/// journal at a time (the output directory's lock), so a run's lines are contiguous.
fn run_lines<'a>(records: &'a [JournalEntry], target: &str, start: usize) -> Vec<&'a JournalEntry> {
    let key = &records[start].key;
    let first = records[..start]
        .iter()
        .rposition(|r| r.target == target && (&r.key != key || r.event == Event::RunFinished))
        .map_or(0, |i| i + 1);
    records[first..].iter().filter(|r| r.target == target && &r.key == key).collect()
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
        started: in_run.iter().map(|r| r.ts).min().unwrap_or_else(crate::clock::now),
        external_ids,
    }))
}

/// Content hashes of the batches accepted in the latest run to `target` (resumptions of it
/// included), from the journal in `dir`; empty when there is none. Delta state uses it to record
/// only what the target accepted in this run.
pub fn accepted_hashes(dir: &Path, target: &str) -> HashSet<String> {
    let records = read_records(&dir.join("batches.jsonl")).unwrap_or_default();
    let Some(start) =
        records.iter().rposition(|r| r.target == target && r.event == Event::RunStart)
    else {
        return HashSet::new();
    };
    run_lines(&records, target, start)
        .into_iter()
        .filter(|r| r.event == Event::Accepted)
        .map(|r| r.hash.clone())
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

/// Opens the journal for appending: created 0600 (it names users and outcomes), never through
/// a symbolic link, and a new file's directory entry synced like its lines.
fn open_append(path: &Path) -> Result<File, UploadError> {
    let created = !path.exists();
    let mut f = sinks::open_private(path, OpenOptions::new().create(true).append(true).read(true))
        .map_err(|e| UploadError::io(path, e))?;
    if created {
        let dir = path.parent().unwrap_or(Path::new("."));
        sinks::sync_dir(dir).map_err(|e| UploadError::io(dir, e))?;
    }
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

    fn rec(run: &str, key: &str, hash: &str, event: Event, ids: &[&str]) -> JournalEntry {
        JournalEntry {
            ts: Utc::now(),
            run: run.into(),
            key: key.into(),
            target: "t".into(),
            seq: 1,
            hash: hash.into(),
            event,
            external_ids: ids.iter().map(|s| s.to_string()).collect(),
            outcome: Outcome::default(),
        }
    }

    /// One attempt of the run `key` sending `batches` (hash, accepted?); `finish` writes
    /// run-finished.
    fn attempt(dir: &Path, key: &str, batches: &[(&str, bool)], finish: bool) {
        let j = Journal::open(dir, "t", key).unwrap();
        let run = uuid::Uuid::new_v4().to_string();
        j.mark(&run, Event::RunStart).unwrap();
        for (hash, ok) in batches {
            j.append(&rec(&run, key, hash, Event::Pending, &["u1"])).unwrap();
            if *ok {
                j.append(&rec(&run, key, hash, Event::Accepted, &[])).unwrap();
            }
        }
        if finish {
            j.mark(&run, Event::RunFinished).unwrap();
        }
    }

    #[test]
    fn the_key_follows_target_and_batch_order() {
        let k = run_key("t", ["a", "b"]);
        assert_eq!(k, run_key("t", ["a", "b"]));
        assert_ne!(k, run_key("t", ["b", "a"]));
        assert_ne!(k, run_key("u", ["a", "b"]));
        assert_ne!(run_key("t", ["ab"]), run_key("t", ["a", "b"]));
    }

    #[test]
    fn an_unfinished_identical_run_is_resumed_skipping_only_what_it_had_accepted() {
        let dir = tempfile::tempdir().unwrap();
        attempt(dir.path(), "K", &[("h1", true), ("h2", false), ("h3", true)], false);
        let j = Journal::open(dir.path(), "t", "K").unwrap();
        assert!(j.is_resuming());
        assert!(j.is_accepted("h1") && j.is_accepted("h3"));
        assert!(!j.is_accepted("h2"), "unknown outcome must be resent");
        assert_eq!(j.accepted_earlier("h1").unwrap().external_ids, ["u1"]);
        // Another target, or another key, resumes nothing.
        assert!(!Journal::open(dir.path(), "other", "K").unwrap().is_resuming());
        assert!(!Journal::open(dir.path(), "t", "K2").unwrap().is_resuming());
    }

    #[test]
    fn a_resumed_run_that_stops_again_keeps_every_earlier_acceptance() {
        let dir = tempfile::tempdir().unwrap();
        attempt(dir.path(), "K", &[("h1", true), ("h2", false)], false);
        attempt(dir.path(), "K", &[("h2", true)], false);
        let j = Journal::open(dir.path(), "t", "K").unwrap();
        assert!(j.is_accepted("h1") && j.is_accepted("h2"));
        assert_eq!(accepted_hashes(dir.path(), "t").len(), 2);
    }

    #[test]
    fn a_new_run_with_identical_content_skips_nothing() {
        // Active -> Leave -> Active -> Leave at the journal level: day 2 and day 4 send the same
        // disable batch D, day 1 and day 3 the same enable batch E. Each day's run finishes.
        let dir = tempfile::tempdir().unwrap();
        let (e, d) = (run_key("t", ["E"]), run_key("t", ["D"]));
        for key in [&e, &d, &e] {
            let hash = if key == &e { "E" } else { "D" };
            let j = Journal::open(dir.path(), "t", key).unwrap();
            assert!(!j.is_resuming() && !j.is_accepted(hash), "a new run skips nothing");
            drop(j);
            attempt(dir.path(), key, &[(hash, true)], true);
        }
        let day4 = Journal::open(dir.path(), "t", &d).unwrap();
        assert!(!day4.is_resuming());
        assert!(!day4.is_accepted("D"), "day 4's disable is sent although day 2's was accepted");
    }

    #[test]
    fn only_the_latest_run_is_resumed() {
        // K stopped, then another run K2 went out: K's acceptances may have been overwritten.
        let dir = tempfile::tempdir().unwrap();
        attempt(dir.path(), "K", &[("h1", true), ("h2", false)], false);
        attempt(dir.path(), "K2", &[("h9", true)], true);
        let j = Journal::open(dir.path(), "t", "K").unwrap();
        assert!(!j.is_resuming() && !j.is_accepted("h1"));
        assert_eq!(accepted_hashes(dir.path(), "t"), HashSet::from(["h9".to_string()]));
    }

    #[test]
    fn a_journal_of_an_earlier_release_resumes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(dir.path(), "t", "K").unwrap();
        j.append(&rec("r1", "", "h1", Event::Pending, &["a"])).unwrap();
        j.append(&rec("r1", "", "h1", Event::Accepted, &[])).unwrap();
        drop(j);
        assert!(!Journal::open(dir.path(), "t", "K").unwrap().is_accepted("h1"));
        assert_eq!(last_upload(dir.path()).unwrap().unwrap().external_ids, ["a"]);
    }

    #[test]
    fn a_torn_last_line_is_ignored_and_repaired() {
        let dir = tempfile::tempdir().unwrap();
        attempt(dir.path(), "K", &[("h1", true)], false);
        let path = dir.path().join("batches.jsonl");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"ts":"2026-01-01T00:00:00Z","run":"r1","tar"#).unwrap();
        drop(f);
        attempt(dir.path(), "K", &[("h2", true)], false);
        let j = Journal::open(dir.path(), "t", "K").unwrap();
        assert!(j.is_accepted("h1") && j.is_accepted("h2"));
    }

    #[cfg(unix)]
    #[test]
    fn the_journal_is_private_and_never_written_through_a_link() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out/journal");
        let j = Journal::open(&dir, "t", "K").unwrap();
        j.mark("r", Event::RunStart).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("batches.jsonl")), 0o600);
        drop(j);
        let victim = root.path().join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        std::fs::remove_file(dir.join("batches.jsonl")).unwrap();
        std::os::unix::fs::symlink(&victim, dir.join("batches.jsonl")).unwrap();
        let err = Journal::open(&dir, "t", "K").err().unwrap().to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
    }
}
