//! The state's sidecar: the last document sent per user, gzip-compressed, beside the state file
//! (`STATE.docs.gz`), so the run report can say what an attribute changes *from*.
//!
//! The state stays the one authority. A stored document is used only when its digest is the
//! state entry's `h`; the sidecar never decides what is sent. It is written after the state, so a
//! run that dies in between leaves documents the new entries do not match: those users' "from"
//! is unknown for one run, nothing else. A missing or damaged sidecar is the same, with a warning.
//!
//! Format (inside gzip): a header line `{"hr2scim":"sent documents","version":1}`, then one line
//! per user, `K<TAB>"externalId"<TAB>document`, where `K` is `L` for a leaver's disable
//! document and `U` otherwise, the id is a JSON string (no raw tab or line break) and the
//! document is the compact JSON sent (no raw line break). This run's documents are kept in
//! memory in the same form until the state is saved.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;

use super::{doc_hash, State};

const HEADER: &str = r#"{"hr2scim":"sent documents","version":1}"#;

/// `STATE.docs.gz` for the state file `STATE`.
pub fn sidecar_path(state: &Path) -> PathBuf {
    let mut name = state.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".docs.gz");
    state.with_file_name(name)
}

fn line(out: &mut impl Write, id: &str, doc: &[u8], leaver: bool) -> io::Result<()> {
    let id = serde_json::to_string(id).map_err(io::Error::other)?;
    out.write_all(if leaver { b"L\t" } else { b"U\t" })?;
    out.write_all(id.as_bytes())?;
    out.write_all(b"\t")?;
    out.write_all(doc)?;
    out.write_all(b"\n")
}

/// One line back into (leaver, id, document); `None` when it is not one of ours.
fn parse(l: &[u8]) -> Option<(bool, String, &[u8])> {
    let leaver = match l.get(..2)? {
        b"L\t" => true,
        b"U\t" => false,
        _ => return None,
    };
    let rest = &l[2..];
    let tab = memchr::memchr(b'\t', rest)?;
    let id: String = serde_json::from_slice(&rest[..tab]).ok()?;
    Some((leaver, id, &rest[tab + 1..]))
}

/// Every line of a gzip stream of our lines, in order; `Err` is the first damage met (a bad
/// line, a truncated or corrupt stream).
fn each_line(
    r: impl Read,
    header: bool,
    mut f: impl FnMut(bool, String, &[u8]),
) -> Result<(), String> {
    let mut r = BufReader::new(GzDecoder::new(r));
    let mut buf = Vec::new();
    let mut n = 0usize;
    loop {
        buf.clear();
        if r.read_until(b'\n', &mut buf).map_err(|e| e.to_string())? == 0 {
            return if header && n == 0 { Err("it is empty".into()) } else { Ok(()) };
        }
        n += 1;
        let l = buf.strip_suffix(b"\n").ok_or_else(|| format!("line {n} is cut short"))?;
        if header && n == 1 {
            if l != HEADER.as_bytes() {
                return Err("it does not start as hr2scim writes it".into());
            }
            continue;
        }
        let (leaver, id, doc) = parse(l).ok_or_else(|| format!("line {n} is not readable"))?;
        f(leaver, id, doc);
    }
}

/// This run's documents, gzip-compressed in memory (a tenth of their size, or less) until the
/// state is saved or the report is written.
pub struct SentDocs {
    enc: Option<GzEncoder<Vec<u8>>>,
    done: Vec<u8>,
    pub count: usize,
}

impl Default for SentDocs {
    fn default() -> Self {
        SentDocs {
            enc: Some(GzEncoder::new(Vec::new(), Compression::fast())),
            done: Vec::new(),
            count: 0,
        }
    }
}

impl SentDocs {
    /// Keep the document this run hands over for `id`. A document with a raw line break (never
    /// one the builder writes) is not kept: that user's "from" is unknown next time.
    pub fn push(&mut self, id: &str, doc: &[u8], leaver: bool) {
        if memchr::memchr(b'\n', doc).is_some() {
            return;
        }
        if let Some(enc) = self.enc.as_mut() {
            // Writing into a Vec cannot fail.
            if line(enc, id, doc, leaver).is_ok() {
                self.count += 1;
            }
        }
    }

    fn bytes(&mut self) -> &[u8] {
        if let Some(enc) = self.enc.take() {
            self.done = enc.finish().unwrap_or_default();
        }
        &self.done
    }

    /// Every kept document in the order it was kept: (leaver, id, document).
    pub fn each(&mut self, f: impl FnMut(bool, String, &[u8])) {
        // The buffer was written by `push` in this process: it cannot be damaged.
        let _ = each_line(self.bytes(), false, f);
    }
}

/// What reading the sidecar found besides documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SidecarProblem {
    /// No sidecar yet (a state written by an earlier release, or the first run).
    Missing,
    /// Unreadable: none of it was used.
    Damaged(String),
}

impl std::fmt::Display for SidecarProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SidecarProblem::Missing => f.write_str("the state has no record of the documents sent before (it was written by an earlier release, or before the first upload)"),
            SidecarProblem::Damaged(why) => write!(f, "the sent documents kept beside the state are damaged ({why}) and were not used"),
        }
    }
}

/// The stored documents of the users in `wanted`, each only when its digest is the digest the
/// state records for that user (`wanted`'s value): a stale document is as good as none.
pub fn read_sidecar(
    state_path: &Path,
    wanted: &HashMap<String, u64>,
) -> (HashMap<String, Vec<u8>>, Option<SidecarProblem>) {
    let path = sidecar_path(state_path);
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return (HashMap::new(), Some(SidecarProblem::Missing))
        }
        Err(e) => return (HashMap::new(), Some(SidecarProblem::Damaged(e.to_string()))),
    };
    let mut docs = HashMap::new();
    let read = each_line(file, true, |_, id, doc| {
        if wanted.get(&id).is_some_and(|h| *h == doc_hash(doc)) {
            docs.insert(id, doc.to_vec());
        }
    });
    match read {
        Ok(()) => (docs, None),
        Err(why) => (HashMap::new(), Some(SidecarProblem::Damaged(why))),
    }
}

/// Rewrite the sidecar after the state `saved` was written to `state_path`: for each user, the
/// document whose digest is its entry's, from this run's `sent` or else the previous sidecar.
/// Users no longer in the state, and documents that match no entry, are dropped. A damaged
/// previous sidecar contributes nothing (its users' "from" becomes unknown). The file is 0600
/// and replaced atomically.
pub fn write_sidecar(state_path: &Path, saved: &State, sent: &mut SentDocs) -> io::Result<()> {
    let path = sidecar_path(state_path);
    let file = crate::sinks::AtomicFile::create(&path)?;
    let mut out = GzEncoder::new(file, Compression::fast());
    writeln!(out, "{HEADER}")?;
    let mut written: HashSet<String> = HashSet::with_capacity(saved.users.len());
    let mut err = None;
    let matches = |id: &str, doc: &[u8]| saved.users.get(id).is_some_and(|e| e.h == doc_hash(doc));
    // A user is kept once per run; were it kept twice, the first matching document is as good.
    sent.each(|leaver, id, doc| {
        if err.is_none() && !written.contains(&id) && matches(&id, doc) {
            if let Err(e) = line(&mut out, &id, doc, leaver) {
                err = Some(e);
            }
            written.insert(id);
        }
    });
    if let Ok(previous) = std::fs::File::open(&path) {
        // Damage ends the copy; what was copied before it passed the digest check.
        let _ = each_line(previous, true, |leaver, id, doc| {
            if err.is_none() && !written.contains(&id) && matches(&id, doc) {
                if let Err(e) = line(&mut out, &id, doc, leaver) {
                    err = Some(e);
                }
                written.insert(id);
            }
        });
    }
    if let Some(e) = err {
        return Err(e);
    }
    out.finish()?.commit_synced()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Entry;
    use chrono::DateTime;

    fn state(users: &[(&str, &[u8])]) -> State {
        let t = DateTime::from_timestamp(0, 0).unwrap();
        State {
            users: users
                .iter()
                .map(|(id, d)| (id.to_string(), Entry::pending(doc_hash(d), t, true)))
                .collect(),
            ..State::default()
        }
    }

    fn wanted(s: &State) -> HashMap<String, u64> {
        s.users.iter().map(|(id, e)| (id.clone(), e.h)).collect()
    }

    #[test]
    fn round_trip_keeps_each_users_matching_document() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("hr.state");
        assert_eq!(sidecar_path(&p), dir.path().join("hr.state.docs.gz"));
        let s = state(&[("a\t\"1", br#"{"x":1}"#), ("b", br#"{"x":2}"#)]);
        let mut sent = SentDocs::default();
        sent.push("a\t\"1", br#"{"x":1}"#, false);
        sent.push("b", br#"{"x":2}"#, true);
        sent.push("gone", br#"{"x":3}"#, false);
        write_sidecar(&p, &s, &mut sent).unwrap();
        let (docs, problem) = read_sidecar(&p, &wanted(&s));
        assert_eq!(problem, None);
        assert_eq!(docs.len(), 2, "a user not in the state is not kept");
        assert_eq!(docs["a\t\"1"], br#"{"x":1}"#);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(sidecar_path(&p)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        // Next run: b changes, a is not sent again and keeps its document from the sidecar.
        let s2 = state(&[("a\t\"1", br#"{"x":1}"#), ("b", br#"{"x":20}"#)]);
        let mut sent = SentDocs::default();
        sent.push("b", br#"{"x":20}"#, false);
        write_sidecar(&p, &s2, &mut sent).unwrap();
        let (docs, _) = read_sidecar(&p, &wanted(&s2));
        assert_eq!(docs["a\t\"1"], br#"{"x":1}"#);
        assert_eq!(docs["b"], br#"{"x":20}"#);
    }

    #[test]
    fn a_document_the_state_does_not_record_is_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state");
        let s = state(&[("a", b"{}")]);
        let mut sent = SentDocs::default();
        sent.push("a", b"{}", false);
        write_sidecar(&p, &s, &mut sent).unwrap();
        // The state moved on (a run died between writing the state and its sidecar).
        let newer = state(&[("a", br#"{"y":1}"#)]);
        let (docs, problem) = read_sidecar(&p, &wanted(&newer));
        assert!(docs.is_empty() && problem.is_none());
        let (docs, problem) = read_sidecar(&dir.path().join("other"), &wanted(&s));
        assert!(docs.is_empty());
        assert_eq!(problem, Some(SidecarProblem::Missing));
    }

    #[test]
    fn a_damaged_sidecar_is_a_warning_and_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state");
        let s = state(&[("a", b"{}"), ("b", b"[]")]);
        let mut sent = SentDocs::default();
        sent.push("a", b"{}", false);
        sent.push("b", b"[]", false);
        write_sidecar(&p, &s, &mut sent).unwrap();
        let whole = std::fs::read(sidecar_path(&p)).unwrap();
        for bad in [&whole[..whole.len() - 6], b"not gzip at all".as_slice(), b""] {
            std::fs::write(sidecar_path(&p), bad).unwrap();
            let (docs, problem) = read_sidecar(&p, &wanted(&s));
            assert!(docs.is_empty());
            assert!(matches!(problem, Some(SidecarProblem::Damaged(_))), "{problem:?}");
        }
        let mut sent = SentDocs::default();
        sent.push("b", b"[]", false);
        write_sidecar(&p, &s, &mut sent).unwrap();
        let (docs, problem) = read_sidecar(&p, &wanted(&s));
        assert_eq!((docs.len(), problem), (1, None), "rewritten from this run's documents");
    }
}
