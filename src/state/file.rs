//! Reading and writing the state file: format 2, the migration of format 1, and refusing a
//! damaged file whole (a half-read state would make the next run skip or disable the wrong users).

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Write};
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::{doc_hash, leaver::plain_doc, Entry, Header, State, Status, FORMAT_VERSION};

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read state file {path}: {source}")]
    Read { path: String, source: io::Error },
    #[error("state file {path} is damaged at line {line}: {why}; nothing of it was used. To start over, move it away: the next run then sends everyone again (see \"How sync works\" in the README)")]
    Damaged { path: String, line: usize, why: String },
    #[error("cannot write state file {path}: {source}")]
    Write { path: String, source: io::Error },
}

/// One user's line in format 2. Unknown keys are ignored, so a later format can add some.
#[derive(Serialize, Deserialize)]
struct Line<'a> {
    id: std::borrow::Cow<'a, str>,
    h: std::borrow::Cow<'a, str>,
    s: Status,
    t: std::borrow::Cow<'a, str>,
    a: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    r: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at: Option<std::borrow::Cow<'a, str>>,
}

fn time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl State {
    /// Load a state file; a missing or empty file is an empty state (first run). Format 1 is
    /// migrated: every entry becomes pending, sent at the header's `run_at`.
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
        let damaged = |line: usize, why: String| StateError::Damaged { path: p.clone(), line, why };
        let header: Header =
            serde_json::from_str(&first).map_err(|e| damaged(1, format!("bad header: {e}")))?;
        if !(1..=FORMAT_VERSION).contains(&header.version) {
            return Err(damaged(
                1,
                format!(
                    "format version {} is not known to this release (it reads 1 and 2)",
                    header.version
                ),
            ));
        }
        let run_at = time(&header.run_at);
        let mut users = HashMap::with_capacity(header.users);
        for (i, l) in lines.enumerate() {
            let n = i + 2;
            let l = l.map_err(|source| StateError::Read { path: p.clone(), source })?;
            let (id, entry) = match header.version {
                1 => {
                    let t = run_at.ok_or_else(|| damaged(1, "run_at is not a time".into()))?;
                    let (h, id) = l
                        .split_once('\t')
                        .ok_or_else(|| damaged(n, "expected HASH<TAB>externalId".into()))?;
                    let h =
                        u64::from_str_radix(h, 16).map_err(|_| damaged(n, "bad hash".into()))?;
                    // Format 1 kept no `active`: a digest equal to the plain disable document
                    // is a disabled user, anything else is taken as active.
                    let a = h != doc_hash(&plain_doc(id));
                    (id.to_string(), Entry::pending(h, t, a))
                }
                _ => {
                    let line: Line<'_> =
                        serde_json::from_str(&l).map_err(|e| damaged(n, e.to_string()))?;
                    let h = u64::from_str_radix(&line.h, 16)
                        .ok()
                        .filter(|_| line.h.len() == 16)
                        .ok_or_else(|| damaged(n, "bad hash".into()))?;
                    let t = time(&line.t).ok_or_else(|| damaged(n, "bad time \"t\"".into()))?;
                    let at = match &line.at {
                        None => None,
                        Some(s) => {
                            Some(time(s).ok_or_else(|| damaged(n, "bad time \"at\"".into()))?)
                        }
                    };
                    let r = line.r.map(|r| r.into_owned());
                    (line.id.into_owned(), Entry { h, s: line.s, t, a: line.a, r, at })
                }
            };
            if users.insert(id.clone(), entry).is_some() {
                return Err(damaged(n, format!("externalId {id} appears twice")));
            }
        }
        if users.len() != header.users {
            return Err(damaged(
                users.len() + 1,
                format!("header says {} users, file has {}", header.users, users.len()),
            ));
        }
        let migrated_from = (header.version < FORMAT_VERSION).then_some(header.version);
        Ok(State { header: Some(header), users, migrated_from })
    }

    /// Write format 2 atomically (temporary file, fsync, rename, fsync of the directory) with
    /// mode 0600.
    pub fn save(
        &self,
        path: &Path,
        mapping_hash: &str,
        target: Option<&str>,
        run_at: DateTime<Utc>,
    ) -> Result<(), StateError> {
        let err = |source| StateError::Write { path: path.display().to_string(), source };
        let header = Header {
            version: FORMAT_VERSION,
            run_at: stamp(run_at),
            mapping_hash: mapping_hash.to_string(),
            target: target.map(str::to_string),
            users: self.users.len(),
        };
        // A directory made for the state is private; the commit syncs file and directory.
        crate::sinks::private_parent(path).map_err(err)?;
        let mut f = crate::sinks::AtomicFile::create(path).map_err(err)?;
        let head = serde_json::to_string(&header).map_err(|e| err(io::Error::other(e)))?;
        writeln!(f, "{head}").map_err(err)?;
        let mut ids: Vec<(&String, &Entry)> = self.users.iter().collect();
        ids.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (id, e) in ids {
            let line = Line {
                id: id.into(),
                h: format!("{:016x}", e.h).into(),
                s: e.s,
                t: stamp(e.t).into(),
                a: e.a,
                r: e.r.as_deref().map(Into::into),
                at: e.at.map(|t| stamp(t).into()),
            };
            let text = serde_json::to_string(&line).map_err(|e| err(io::Error::other(e)))?;
            writeln!(f, "{text}").map_err(err)?;
        }
        f.commit_synced().map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        time(s).unwrap()
    }

    #[test]
    fn save_and_load_round_trip_every_field() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state");
        let mut s = State::default();
        s.users.insert(
            "1001".into(),
            Entry::pending(doc_hash(b"{}"), t("2026-01-02T03:04:05Z"), true),
        );
        s.users.insert(
            "1000".into(),
            Entry {
                h: 7,
                s: Status::Failed,
                t: t("2026-01-01T00:00:00Z"),
                a: false,
                r: Some("UPN in use".into()),
                at: Some(t("2026-01-01T00:10:00Z")),
            },
        );
        s.save(&p, "abc", Some("tenant"), DateTime::from_timestamp(0, 0).unwrap()).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            r#"{"version":2,"run_at":"1970-01-01T00:00:00Z","mapping_hash":"abc","target":"tenant","users":2}"#
        );
        assert_eq!(
            lines.next().unwrap(),
            r#"{"id":"1000","h":"0000000000000007","s":"failed","t":"2026-01-01T00:00:00Z","a":false,"r":"UPN in use","at":"2026-01-01T00:10:00Z"}"#
        );
        let l = State::load(&p).unwrap();
        assert_eq!(l.users, s.users);
        assert_eq!(l.migrated_from, None);
        assert_eq!(l.header.unwrap().target.as_deref(), Some("tenant"));
    }

    #[test]
    fn format_1_migrates_to_pending_with_active_from_the_disable_document() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("v1");
        let disabled = doc_hash(&plain_doc("7"));
        std::fs::write(
            &p,
            format!("{{\"version\":1,\"run_at\":\"2026-03-01T06:00:00Z\",\"mapping_hash\":\"m\",\"users\":2}}\n{disabled:016x}\t7\n00000000000000ff\t8\n"),
        )
        .unwrap();
        let s = State::load(&p).unwrap();
        assert_eq!(s.migrated_from, Some(1));
        let when = t("2026-03-01T06:00:00Z");
        assert_eq!(s.users["7"], Entry::pending(disabled, when, false));
        assert_eq!(s.users["8"], Entry::pending(0xff, when, true));
        s.save(&p, "m", None, when).unwrap();
        let again = State::load(&p).unwrap();
        assert_eq!(again.users, s.users);
        assert_eq!(again.migrated_from, None);
    }

    #[test]
    fn a_damaged_line_refuses_the_whole_file_with_its_number() {
        let dir = tempfile::tempdir().unwrap();
        assert!(State::load(&dir.path().join("none")).unwrap().users.is_empty());
        let head = r#"{"version":2,"run_at":"2026-01-01T00:00:00Z","mapping_hash":"m","users":3}"#;
        let ok = r#"{"id":"1","h":"0000000000000001","s":"pending","t":"2026-01-01T00:00:00Z","a":true}"#;
        let cases = [
            (
                r#"{"id":"2","h":"zz","s":"pending","t":"2026-01-01T00:00:00Z","a":true}"#,
                "bad hash",
            ),
            (
                r#"{"id":"2","h":"0000000000000002","s":"lost","t":"2026-01-01T00:00:00Z","a":true}"#,
                "unknown variant",
            ),
            (
                r#"{"id":"2","h":"0000000000000002","s":"pending","t":"yesterday","a":true}"#,
                "bad time",
            ),
            (r#"{"id":"2","h":"0000000000000002","s":"pend"#, "EOF"),
        ];
        for (bad, why) in cases {
            let p = dir.path().join("bad");
            std::fs::write(&p, format!("{head}\n{ok}\n{bad}\n{ok}\n")).unwrap();
            let e = State::load(&p).unwrap_err().to_string();
            assert!(e.contains("line 3") && e.contains(why), "{why}: {e}");
        }
        let p = dir.path().join("v1bad");
        std::fs::write(&p, "{\"version\":1,\"run_at\":\"2026-01-01T00:00:00Z\",\"mapping_hash\":\"m\",\"users\":1}\nzz\t1\n").unwrap();
        let e = State::load(&p).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("bad hash"), "{e}");
        std::fs::write(&p, format!("{head}\n{ok}\n")).unwrap();
        let e = State::load(&p).unwrap_err().to_string();
        assert!(e.contains("header says 3 users, file has 1"), "{e}");
        std::fs::write(&p, format!("{head}\n{ok}\n{ok}\n{ok}\n")).unwrap();
        assert!(State::load(&p).unwrap_err().to_string().contains("appears twice"));
        std::fs::write(&p, head.replace("\"version\":2", "\"version\":9")).unwrap();
        assert!(State::load(&p).unwrap_err().to_string().contains("version 9"));
    }
}
