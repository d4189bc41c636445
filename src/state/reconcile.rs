//! Reconciling pending entries with the provisioning logs: the latest record of a user that is
//! not older than the entry's send decides; without one the entry stays pending.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{State, Status};

/// A provisioning log record's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStatus {
    Success,
    Warning,
    Failure,
    Skipped,
    /// A status this release does not know: it decides nothing.
    Other,
}

impl LogStatus {
    pub fn parse(s: &str) -> LogStatus {
        match s.to_ascii_lowercase().as_str() {
            "success" => LogStatus::Success,
            "warning" => LogStatus::Warning,
            "failure" => LogStatus::Failure,
            "skipped" => LogStatus::Skipped,
            _ => LogStatus::Other,
        }
    }
}

/// One log record, reduced to what reconciling needs.
#[derive(Debug, Clone, PartialEq)]
pub struct LogOutcome {
    pub external_id: String,
    pub at: DateTime<Utc>,
    pub status: LogStatus,
    pub reason: String,
}

/// What a reconcile changed, for the run's summary.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Reconciled {
    pub confirmed: usize,
    /// (externalId, reason), sorted: these are sent again.
    pub failed: Vec<(String, String)>,
    /// (externalId, reason), sorted: final, not resent.
    pub skipped: Vec<(String, String)>,
    pub still_pending: usize,
}

impl State {
    /// Apply log records to the pending entries (only those whose id is in `only`, when given).
    pub fn reconcile(
        &mut self,
        records: &[LogOutcome],
        only: Option<&std::collections::HashSet<String>>,
    ) -> Reconciled {
        reconcile_entries(&mut self.users, records, only)
    }
}

impl Reconciled {
    /// Add a later poll's changes to these.
    pub fn absorb(&mut self, later: Reconciled) {
        self.confirmed += later.confirmed;
        self.failed.extend(later.failed);
        self.skipped.extend(later.skipped);
        self.still_pending = later.still_pending;
    }
}

/// [`State::reconcile`] over any set of entries (a run's entries as they stand mid-run).
pub fn reconcile_entries(
    users: &mut HashMap<String, super::Entry>,
    records: &[LogOutcome],
    only: Option<&std::collections::HashSet<String>>,
) -> Reconciled {
    {
        let mut latest: HashMap<&str, &LogOutcome> = HashMap::new();
        for r in records.iter().filter(|r| r.status != LogStatus::Other) {
            let e = latest.entry(r.external_id.as_str()).or_insert(r);
            if r.at > e.at {
                *e = r;
            }
        }
        let mut out = Reconciled::default();
        for (id, e) in users.iter_mut() {
            if e.s != Status::Pending || only.is_some_and(|o| !o.contains(id)) {
                continue;
            }
            // A record older than the send is about an earlier document.
            let Some(r) = latest.get(id.as_str()).filter(|r| r.at >= e.t) else {
                out.still_pending += 1;
                continue;
            };
            e.at = Some(r.at);
            match r.status {
                LogStatus::Success | LogStatus::Warning => {
                    e.s = Status::Confirmed;
                    e.r = None;
                    out.confirmed += 1;
                }
                LogStatus::Failure => {
                    e.s = Status::Failed;
                    e.r = Some(r.reason.clone());
                    out.failed.push((id.clone(), r.reason.clone()));
                }
                LogStatus::Skipped => {
                    e.s = Status::Skipped;
                    e.r = Some(r.reason.clone());
                    out.skipped.push((id.clone(), r.reason.clone()));
                }
                LogStatus::Other => unreachable!("filtered above"),
            }
        }
        out.failed.sort();
        out.skipped.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::Entry;
    use super::*;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + min * 60, 0).unwrap()
    }

    fn rec(id: &str, min: i64, status: &str, reason: &str) -> LogOutcome {
        LogOutcome {
            external_id: id.into(),
            at: t(min),
            status: LogStatus::parse(status),
            reason: reason.into(),
        }
    }

    #[test]
    fn the_latest_record_since_the_send_decides() {
        let mut s = State::default();
        for id in ["ok", "bad", "skip", "none", "old", "flip"] {
            s.users.insert(id.into(), Entry::pending(1, t(10), true));
        }
        s.users
            .insert("done".into(), Entry { s: Status::Confirmed, ..Entry::pending(1, t(0), true) });
        let records = [
            rec("ok", 12, "success", ""),
            rec("bad", 12, "failure", "UPN in use"),
            rec("skip", 13, "skipped", "out of scope"),
            rec("old", 5, "failure", "an earlier document"),
            rec("flip", 11, "failure", "first"),
            rec("flip", 14, "warning", ""),
            rec("done", 20, "failure", "not pending: ignored"),
            rec("none", 15, "mystery", ""),
        ];
        let r = s.reconcile(&records, None);
        assert_eq!(r.confirmed, 2);
        assert_eq!(r.failed, vec![("bad".to_string(), "UPN in use".to_string())]);
        assert_eq!(r.skipped, vec![("skip".to_string(), "out of scope".to_string())]);
        assert_eq!(r.still_pending, 2);
        assert_eq!(s.users["ok"].s, Status::Confirmed);
        assert_eq!(s.users["flip"].s, Status::Confirmed);
        assert_eq!(s.users["bad"].s, Status::Failed);
        assert_eq!(s.users["bad"].at, Some(t(12)));
        assert_eq!(s.users["bad"].r.as_deref(), Some("UPN in use"));
        assert_eq!(s.users["old"].s, Status::Pending);
        assert_eq!(s.users["none"].s, Status::Pending);
        assert_eq!(s.users["done"].s, Status::Confirmed);
        assert_eq!(s.users["skip"].s, Status::Skipped);
    }

    #[test]
    fn only_the_named_users_are_reconciled() {
        let mut s = State::default();
        s.users.insert("a".into(), Entry::pending(1, t(0), true));
        s.users.insert("b".into(), Entry::pending(1, t(0), true));
        let only = ["a".to_string()].into_iter().collect();
        let r = s.reconcile(&[rec("a", 1, "success", ""), rec("b", 1, "success", "")], Some(&only));
        assert_eq!(r.confirmed, 1);
        assert_eq!(s.users["b"].s, Status::Pending);
    }
}
