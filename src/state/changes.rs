//! What a delta run changes, per user and attribute, for the run report: this run's documents
//! against the ones last sent (from the sidecar, each checked against the state's digest).

use std::collections::HashMap;
use std::path::Path;

use super::diff::{diff, AttrChange};
use super::docs::{read_sidecar, SidecarProblem};
use super::Delta;

/// One changed user (or leaver) whose previous document is known.
#[derive(Debug, Clone, PartialEq)]
pub struct UserChanges {
    pub id: String,
    pub leaver: bool,
    pub attrs: Vec<AttrChange>,
}

/// The changes of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// In the order the documents were handed over: the export's order, then the leavers.
    pub users: Vec<UserChanges>,
    /// Changed users and leavers whose previous document is not known: shown as counted only.
    pub unknown: usize,
    /// Why previous documents could not be read, if they could not.
    pub problem: Option<SidecarProblem>,
}

impl Changes {
    /// Changed attributes over all users.
    pub fn rows(&self) -> usize {
        self.users.iter().map(|u| u.attrs.len()).sum()
    }
}

impl Delta {
    /// The changes of the users this run hands over whose state entry records another document
    /// (changed users and leavers; new users and same-document resends have none). Needs
    /// [`Delta::docs`]; `state_path` is the state file, whose sidecar holds the documents sent
    /// before. Reads only; a missing or damaged sidecar makes "from" unknown, never an error.
    pub fn changes(&mut self, state_path: &Path) -> Changes {
        let Some(mut docs) = self.docs.take() else { return Changes::default() };
        let wanted: HashMap<String, u64> = self
            .planned
            .iter()
            .filter_map(|(id, h)| {
                let before = self.previous.users.get(id)?;
                (before.h != *h).then(|| (id.clone(), before.h))
            })
            .collect();
        let mut out = Changes::default();
        if !wanted.is_empty() {
            let (previous, problem) = read_sidecar(state_path, &wanted);
            out.problem = problem;
            docs.each(|leaver, id, doc| {
                if !wanted.contains_key(&id) {
                    return;
                }
                match previous.get(&id) {
                    Some(before) => {
                        // A disable document carries only what it changes.
                        let attrs = diff(before, doc, leaver);
                        out.users.push(UserChanges { id, leaver, attrs });
                    }
                    None => out.unknown += 1,
                }
            });
        }
        self.docs = Some(docs);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{doc_hash, write_sidecar, Entry, SentDocs, State, Status};
    use chrono::DateTime;

    fn t() -> DateTime<chrono::Utc> {
        DateTime::from_timestamp(0, 0).unwrap()
    }

    #[test]
    fn changed_users_and_leavers_get_their_attributes_new_users_none() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state");
        let a = br#"{"externalId":"a","active":true,"title":"Clerk"}"#;
        let b = br#"{"externalId":"b","active":true,"title":"Clerk"}"#;
        let c = br#"{"externalId":"c","active":true,"title":"Clerk"}"#;
        let mut s = State::default();
        for (id, d) in [("a", &a[..]), ("b", b), ("c", c)] {
            s.users.insert(
                id.into(),
                Entry { s: Status::Confirmed, ..Entry::pending(doc_hash(d), t(), true) },
            );
        }
        let mut first = SentDocs::default();
        // c's document was never kept (a state from an earlier release, say).
        for (id, d) in [("a", &a[..]), ("b", b)] {
            first.push(id, d, false);
        }
        write_sidecar(&p, &s, &mut first).unwrap();

        let mut d = Delta::new(s, "m", false, t(), crate::state::DEFAULT_RESEND_PENDING_AFTER);
        d.docs = Some(SentDocs::default());
        let a2 = br#"{"externalId":"a","active":true,"title":"Manager <b>"}"#;
        let c2 = br#"{"externalId":"c","active":true,"title":"Boss"}"#;
        for (id, doc) in [("new", &b"{}"[..]), ("a", a2), ("c", c2)] {
            assert!(d.offer(id, doc));
            d.keep_doc(id, doc);
        }
        let off = br#"{"externalId":"b","active":false}"#;
        d.disabled("b", off);
        let ch = d.changes(&p);
        assert_eq!(ch.unknown, 1, "c: no document of it was kept");
        assert_eq!(ch.problem, None);
        let got: Vec<(String, bool, Vec<String>)> = ch
            .users
            .iter()
            .map(|u| {
                let attrs = u
                    .attrs
                    .iter()
                    .map(|c| format!("{}: {:?} -> {:?}", c.attr, c.from, c.to))
                    .collect();
                (u.id.clone(), u.leaver, attrs)
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "a".to_string(),
                    false,
                    vec![r#"title: Some("Clerk") -> Some("Manager <b>")"#.to_string()]
                ),
                (
                    "b".to_string(),
                    true,
                    vec![r#"active: Some("true") -> Some("false")"#.to_string()]
                ),
            ]
        );
        assert!(d.docs.is_some(), "kept for the sidecar");
    }
}
