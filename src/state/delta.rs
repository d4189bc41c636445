//! Deciding what a run sends given the previous state: new, changed, unchanged, leavers, and the
//! safety threshold that stops a truncated export from disabling the company.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{doc_hash, Entry, State, Status};

/// What to do with ids that are in the state but not in today's export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeaverPolicy {
    /// Only report them.
    #[default]
    Ignore,
    /// Send `{"externalId": ..., "active": false}` for each.
    Disable,
}

/// `--max-leavers N` or `P%` of the users active in the state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxLeavers {
    Count(usize),
    Percent(f64),
}

impl std::str::FromStr for MaxLeavers {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if let Some(p) = s.strip_suffix('%') {
            let v: f64 =
                p.trim().parse().map_err(|_| format!("'{s}' is not a percentage like 5%"))?;
            if !(0.0..=100.0).contains(&v) {
                return Err(format!("'{s}' must be between 0% and 100%"));
            }
            return Ok(MaxLeavers::Percent(v));
        }
        s.parse()
            .map(MaxLeavers::Count)
            .map_err(|_| format!("'{s}' is neither a count (50) nor a percentage (5%)"))
    }
}

/// Written as it is parsed (`50`, `5%`), so a default can be shown and read back.
impl std::fmt::Display for MaxLeavers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MaxLeavers::Count(n) => write!(f, "{n}"),
            MaxLeavers::Percent(p) => write!(f, "{p}%"),
        }
    }
}

impl MaxLeavers {
    pub fn limit(self, active_users: usize) -> usize {
        match self {
            MaxLeavers::Count(n) => n,
            MaxLeavers::Percent(p) => ((active_users as f64) * p / 100.0).floor() as usize,
        }
    }
}

#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct DeltaCounts {
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    /// Same document sent again: its provisioning failed, or it stayed pending too long.
    pub resent: u64,
    pub leavers: u64,
    pub leavers_disabled: u64,
    pub leavers_held_back: u64,
    /// Rows rejected before their externalId was known (malformed, or the id itself failed):
    /// any of them may be a user in the state, so no leaver is disabled in such a run.
    pub rejected_without_id: u64,
    pub mapping_changed: bool,
}

/// Why a user is sent (what `state diff` prints).
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    New,
    MappingChanged,
    Failed { at: Option<DateTime<Utc>>, reason: String },
    Changed,
    PendingSince(DateTime<Utc>),
    Leaver,
}

impl Reason {
    /// The category, for counts and JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Reason::New => "new",
            Reason::MappingChanged => "mapping changed",
            Reason::Failed { .. } => "failed",
            Reason::Changed => "changed",
            Reason::PendingSince(_) => "pending",
            Reason::Leaver => "leaver",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stamp = |t: &DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        match self {
            Reason::Failed { at, reason } => {
                let when = at.as_ref().map(stamp).unwrap_or_else(|| "?".into());
                write!(f, "failed on {when}: {reason}")
            }
            Reason::PendingSince(t) => write!(f, "pending since {}", stamp(t)),
            other => f.write_str(other.kind()),
        }
    }
}

/// The delta decisions of one run. Feed every user (in order) with [`Delta::offer`], every id
/// seen but rejected with [`Delta::seen`], then call [`Delta::leavers`]. Nothing decided here
/// changes an entry: only [`Delta::record_sent`] and [`Delta::record_outcome`] do, once the
/// target took the document.
pub struct Delta {
    pub(super) previous: State,
    next: HashMap<String, Entry>,
    /// Today's digest of every user this run means to send.
    pub(super) planned: HashMap<String, u64>,
    seen: HashSet<String>,
    send_all: bool,
    now: DateTime<Utc>,
    resend_pending_after: chrono::Duration,
    pub counts: DeltaCounts,
    /// When set, every decision to send is kept as (externalId, why) for `state diff`.
    pub record: Option<Vec<(String, Reason)>>,
    /// `--leaver-template`: what a disable document carries besides `active: false`.
    pub template: Option<super::leaver::LeaverTemplate>,
    /// When set, the documents handed to the destination are kept (compressed) for the run
    /// report's changes and the state's sidecar ([`Delta::keep_doc`]).
    pub docs: Option<super::docs::SentDocs>,
}

/// The resend age when none is given: a day, well inside the logs' 30-day retention.
pub const DEFAULT_RESEND_PENDING_AFTER: std::time::Duration =
    std::time::Duration::from_secs(24 * 3600);

impl Delta {
    /// Decisions against `previous` at `now`; a pending entry older than `resend_pending_after`
    /// is sent again.
    pub fn new(
        previous: State,
        mapping_hash: &str,
        assume_mapping_unchanged: bool,
        now: DateTime<Utc>,
        resend_pending_after: std::time::Duration,
    ) -> Delta {
        let mapping_changed =
            previous.header.as_ref().is_some_and(|h| h.mapping_hash != mapping_hash);
        let send_all = mapping_changed && !assume_mapping_unchanged;
        let next = previous.users.clone();
        Delta {
            previous,
            next,
            planned: HashMap::new(),
            seen: HashSet::new(),
            send_all,
            now,
            resend_pending_after: chrono::Duration::from_std(resend_pending_after)
                .unwrap_or(chrono::Duration::MAX),
            counts: DeltaCounts { mapping_changed: send_all, ..DeltaCounts::default() },
            record: None,
            template: None,
            docs: None,
        }
    }

    /// A pending entry old enough that the logs should have answered: send it again.
    fn stale(&self, e: &Entry) -> bool {
        e.s == Status::Pending && self.now - e.t > self.resend_pending_after
    }

    /// Why a user with digest `h` is sent, or `None` when it is not.
    pub fn reason(&self, external_id: &str, h: u64) -> Option<Reason> {
        let Some(e) = self.previous.users.get(external_id) else { return Some(Reason::New) };
        if self.send_all {
            Some(Reason::MappingChanged)
        } else if e.s == Status::Failed {
            Some(Reason::Failed { at: e.at, reason: e.r.clone().unwrap_or_default() })
        } else if e.h != h {
            Some(Reason::Changed)
        } else if self.stale(e) {
            Some(Reason::PendingSince(e.t))
        } else {
            None
        }
    }

    /// Decide for one user: `true` when it must be sent.
    pub fn offer(&mut self, external_id: &str, doc: &[u8]) -> bool {
        self.offer_digest(external_id, doc_hash(doc))
    }

    /// Would a user with this document digest be sent? The same answer [`Delta::offer_digest`]
    /// gives, without recording anything: it depends only on the previous state.
    pub fn would_send(&self, external_id: &str, h: u64) -> bool {
        self.reason(external_id, h).is_some()
    }

    /// [`Delta::offer`] for a document whose digest is already known.
    pub fn offer_digest(&mut self, external_id: &str, h: u64) -> bool {
        self.seen.insert(external_id.to_string());
        let Some(why) = self.reason(external_id, h) else {
            self.counts.unchanged += 1;
            return false;
        };
        match why {
            Reason::New => self.counts.new += 1,
            Reason::Changed | Reason::MappingChanged => self.counts.changed += 1,
            _ => self.counts.resent += 1,
        }
        if let Some(r) = self.record.as_mut() {
            r.push((external_id.to_string(), why));
        }
        self.planned.insert(external_id.to_string(), h);
        true
    }

    /// An id present in today's export whose row was rejected: not a leaver, state kept.
    pub fn seen(&mut self, external_id: &str) {
        self.seen.insert(external_id.to_string());
    }

    /// A row rejected before its externalId could be known: it may be a user who has not left.
    pub fn unidentified(&mut self) {
        self.counts.rejected_without_id += 1;
    }

    /// Ids in the previous state missing today whose disable must be sent, sorted: those whose
    /// last sent document is active, and disables that failed or stayed pending too long.
    pub fn leavers(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .previous
            .users
            .iter()
            .filter(|(id, e)| {
                !self.seen.contains(*id) && (e.a || e.s == Status::Failed || self.stale(e))
            })
            .map(|(id, _)| id.clone())
            .collect();
        out.sort();
        out
    }

    /// The users the leaver guard counts from: those whose last sent document is active.
    pub fn active_in_state(&self) -> usize {
        self.previous.users.values().filter(|e| e.a).count()
    }

    /// The document that disables a leaver (with the template's additions, if any).
    pub fn disable_doc(&self, external_id: &str) -> Vec<u8> {
        match &self.template {
            Some(t) => t.doc(external_id),
            None => super::leaver::plain_doc(external_id),
        }
    }

    /// Check the safety threshold over `leavers` (from [`Delta::leavers`]). Only leavers that
    /// are active in the state count, against the users active in the state: resending a
    /// disable that failed is not a new departure. `Err` holds the message that stops the run.
    pub fn check_threshold(
        &mut self,
        leavers: &[String],
        max: MaxLeavers,
        policy: LeaverPolicy,
    ) -> Result<(), String> {
        self.counts.leavers = leavers.len() as u64;
        let departing =
            leavers.iter().filter(|id| self.previous.users.get(*id).is_some_and(|e| e.a)).count();
        let active = self.active_in_state();
        let limit = max.limit(active);
        if policy == LeaverPolicy::Disable && departing > limit {
            self.counts.leavers_held_back = leavers.len() as u64;
            return Err(format!(
                "{departing} leavers (users active in the state but not in this export) exceed the safety threshold of \
                 {limit} ({max} of {active} active users); nothing was sent. If the export is complete, rerun with a higher --max-leavers"
            ));
        }
        Ok(())
    }

    /// A user's document was handed to the destination: kept, when [`Delta::docs`] is set, for
    /// the report and the sidecar. Decides nothing.
    pub fn keep_doc(&mut self, external_id: &str, doc: &[u8]) {
        if let Some(k) = self.docs.as_mut() {
            k.push(external_id, doc, false);
        }
    }

    /// A leaver's disable was handed to the destination.
    pub fn disabled(&mut self, external_id: &str, doc: &[u8]) {
        if let Some(k) = self.docs.as_mut() {
            k.push(external_id, doc, true);
        }
        self.counts.leavers_disabled += 1;
        if let Some(r) = self.record.as_mut() {
            r.push((external_id.to_string(), Reason::Leaver));
        }
        self.planned.insert(external_id.to_string(), doc_hash(doc));
    }

    /// Forget a planned send (it was not written): its entry stays as it was.
    pub fn revert(&mut self, external_id: &str) {
        self.planned.remove(external_id);
    }

    /// The target took this run's document of `external_id` for processing at `t` (a 202):
    /// pending. Unknown ids (not planned by this run) are ignored.
    pub fn record_sent(&mut self, external_id: &str, active: bool, t: DateTime<Utc>) {
        if let Some(h) = self.planned.get(external_id) {
            self.next.insert(external_id.to_string(), Entry::pending(*h, t, active));
        }
    }

    /// The target's final answer for this run's document (a SCIM response): confirmed, or
    /// failed with the reason.
    pub fn record_outcome(
        &mut self,
        external_id: &str,
        active: bool,
        t: DateTime<Utc>,
        outcome: Result<(), String>,
    ) {
        if let Some(h) = self.planned.get(external_id) {
            let (s, r) = match outcome {
                Ok(()) => (Status::Confirmed, None),
                Err(r) => (Status::Failed, Some(r)),
            };
            self.next
                .insert(external_id.to_string(), Entry { h: *h, s, t, a: active, r, at: Some(t) });
        }
    }

    /// The entries as they stand now (previous ones, updated by what was recorded).
    pub fn entries_mut(&mut self) -> &mut HashMap<String, Entry> {
        &mut self.next
    }

    /// The previous run's header, if the state file had one.
    pub fn previous_header(&self) -> Option<&super::Header> {
        self.previous.header.as_ref()
    }

    /// The state to save after the run's outcome is known.
    pub fn into_state(self) -> State {
        State { header: None, users: self.next, migrated_from: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: std::time::Duration = DEFAULT_RESEND_PENDING_AFTER;

    fn t(hours: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + hours * 3600, 0).unwrap()
    }

    fn entry(doc: &[u8], s: Status, sent_hours: i64, a: bool) -> Entry {
        Entry { s, ..Entry::pending(doc_hash(doc), t(sent_hours), a) }
    }

    fn state(users: &[(&str, Entry)], mapping: &str) -> State {
        State {
            header: Some(super::super::Header {
                version: 2,
                run_at: "x".into(),
                mapping_hash: mapping.into(),
                target: None,
                users: users.len(),
            }),
            users: users.iter().map(|(id, e)| (id.to_string(), e.clone())).collect(),
            migrated_from: None,
        }
    }

    fn confirmed(users: &[(&str, &[u8])]) -> State {
        let v: Vec<(&str, Entry)> =
            users.iter().map(|(id, d)| (*id, entry(d, Status::Confirmed, 0, true))).collect();
        state(&v, "m")
    }

    fn delta(s: State, mapping: &str, assume: bool) -> Delta {
        Delta::new(s, mapping, assume, t(48), DAY)
    }

    #[test]
    fn sends_only_new_and_changed() {
        let mut d = delta(confirmed(&[("1", b"a"), ("2", b"b")]), "m", false);
        assert!(!d.offer("1", b"a"));
        assert!(d.offer("2", b"B"));
        assert!(d.offer("3", b"c"));
        assert_eq!((d.counts.new, d.counts.changed, d.counts.unchanged), (1, 1, 1));
        assert!(d.leavers().is_empty());
    }

    #[test]
    fn each_outcome_decides_with_its_reason() {
        let failed = Entry {
            r: Some("UPN in use".into()),
            at: Some(t(1)),
            ..entry(b"f", Status::Failed, 0, true)
        };
        let s = state(
            &[
                ("confirmed", entry(b"c", Status::Confirmed, 0, true)),
                ("skipped", entry(b"s", Status::Skipped, 0, true)),
                ("failed", failed),
                ("young", entry(b"y", Status::Pending, 30, true)),
                ("old", entry(b"o", Status::Pending, 10, true)),
                ("moved", entry(b"m", Status::Pending, 47, true)),
            ],
            "m",
        );
        let mut d = delta(s, "m", false);
        d.record = Some(Vec::new());
        assert!(!d.offer("confirmed", b"c"));
        assert!(!d.offer("skipped", b"s"));
        assert!(!d.offer("young", b"y"), "pending for 18h: the logs may still answer");
        assert!(d.offer("failed", b"f"), "a failed user is resent with the same document");
        assert!(d.offer("old", b"o"), "pending for 38h: resent");
        assert!(d.offer("moved", b"M"));
        assert!(d.offer("joiner", b"j"));
        let why: Vec<String> =
            d.record.take().unwrap().iter().map(|(id, r)| format!("{id}: {r}")).collect();
        assert_eq!(
            why,
            [
                "failed: failed on 2027-01-15T09:00:00Z: UPN in use",
                "old: pending since 2027-01-15T18:00:00Z",
                "moved: changed",
                "joiner: new",
            ]
        );
        assert_eq!(
            (d.counts.new, d.counts.changed, d.counts.resent, d.counts.unchanged),
            (1, 1, 2, 3)
        );
    }

    #[test]
    fn nothing_changes_an_entry_until_the_target_took_it() {
        let mut d = delta(confirmed(&[("1", b"a"), ("2", b"b"), ("3", b"c")]), "m", false);
        assert!(d.offer("1", b"A") && d.offer("2", b"B") && d.offer("3", b"C"));
        d.record_sent("1", true, t(48));
        d.record_outcome("2", false, t(48), Err("bad".into()));
        d.record_sent("9", true, t(48));
        let s = d.into_state();
        assert_eq!(s.users["1"], Entry::pending(doc_hash(b"A"), t(48), true));
        assert_eq!(s.users["2"].s, Status::Failed);
        assert_eq!((s.users["2"].h, s.users["2"].a), (doc_hash(b"B"), false));
        assert_eq!(s.users["2"].r.as_deref(), Some("bad"));
        assert_eq!(s.users["3"], entry(b"c", Status::Confirmed, 0, true), "not sent: kept");
        assert!(!s.users.contains_key("9"), "not planned by this run");
    }

    /// The intake decides which documents to keep with `would_send` before the cross-row checks;
    /// the second pass decides with `offer_digest`. They must agree, repeats and all.
    #[test]
    fn would_send_agrees_with_offer() {
        for (mapping, assume) in [("m", false), ("new", false), ("new", true)] {
            let mut d = delta(confirmed(&[("1", b"a"), ("2", b"b")]), mapping, assume);
            for (id, doc) in [("1", &b"a"[..]), ("2", b"B"), ("3", b"c"), ("1", b"a"), ("2", b"b")]
            {
                let h = doc_hash(doc);
                let predicted = d.would_send(id, h);
                assert_eq!(d.offer_digest(id, h), predicted, "{id} {mapping} {assume}");
            }
        }
    }

    #[test]
    fn mapping_change_sends_everything_unless_assumed_unchanged() {
        let mut d = delta(confirmed(&[("1", b"a")]), "new", false);
        assert!(d.offer("1", b"a"));
        assert!(d.counts.mapping_changed);
        let mut d = delta(confirmed(&[("1", b"a")]), "new", true);
        assert!(!d.offer("1", b"a"));
    }

    #[test]
    fn leavers_exclude_seen_rejected_rows_and_respect_the_threshold() {
        let users: Vec<(String, Vec<u8>)> =
            (0..100).map(|i| (i.to_string(), vec![i as u8])).collect();
        let refs: Vec<(&str, &[u8])> =
            users.iter().map(|(a, b)| (a.as_str(), b.as_slice())).collect();
        let mut d = delta(confirmed(&refs), "m", false);
        for (id, doc) in users.iter().take(90) {
            d.offer(id, doc);
        }
        d.seen("95");
        let leavers = d.leavers();
        assert_eq!(leavers.len(), 9);
        assert!(!leavers.contains(&"95".to_string()));
        let err = d
            .check_threshold(&leavers, MaxLeavers::Percent(5.0), LeaverPolicy::Disable)
            .unwrap_err();
        assert!(err.contains("9 leavers") && err.contains("threshold of 5"), "{err}");
        assert!(d.check_threshold(&leavers, MaxLeavers::Count(10), LeaverPolicy::Disable).is_ok());
        assert!(d.check_threshold(&leavers, MaxLeavers::Count(1), LeaverPolicy::Ignore).is_ok());
    }

    /// 20 active and 380 disabled users: 10 leavers are half the workforce, not 2.5 %.
    #[test]
    fn the_percentage_is_of_the_users_active_in_the_state() {
        let mut users: Vec<(String, Entry)> =
            (0..20).map(|i| (format!("a{i}"), entry(b"x", Status::Confirmed, 0, true))).collect();
        users.extend((0..380).map(|i| {
            let id = format!("d{i}");
            let e = entry(&super::super::leaver::plain_doc(&id), Status::Confirmed, 0, false);
            (id, e)
        }));
        let refs: Vec<(&str, Entry)> =
            users.iter().map(|(id, e)| (id.as_str(), e.clone())).collect();
        let mut d = delta(state(&refs, "m"), "m", false);
        for i in 10..20 {
            d.offer(&format!("a{i}"), b"x");
        }
        let leavers = d.leavers();
        assert_eq!(leavers.len(), 10, "the disabled users are not leavers again");
        assert_eq!(d.active_in_state(), 20);
        let err = d
            .check_threshold(&leavers, MaxLeavers::Percent(5.0), LeaverPolicy::Disable)
            .unwrap_err();
        assert!(err.contains("10 leavers") && err.contains("of 20 active"), "{err}");
        assert!(d
            .check_threshold(&leavers, MaxLeavers::Percent(50.0), LeaverPolicy::Disable)
            .is_ok());
    }

    #[test]
    fn a_disabled_leaver_is_not_disabled_again_unless_its_disable_did_not_land() {
        let off = |id: &str, s, hours| entry(&super::super::leaver::plain_doc(id), s, hours, false);
        let d = delta(
            state(
                &[
                    ("7", off("7", Status::Confirmed, 0)),
                    ("8", entry(b"x", Status::Confirmed, 0, true)),
                    ("9", off("9", Status::Failed, 40)),
                    ("10", off("10", Status::Pending, 10)),
                    ("11", off("11", Status::Pending, 40)),
                ],
                "m",
            ),
            "m",
            false,
        );
        assert_eq!(d.leavers(), vec!["10".to_string(), "8".to_string(), "9".to_string()]);
    }

    #[test]
    fn max_leavers_parses_counts_and_percentages() {
        assert_eq!("5%".parse::<MaxLeavers>().unwrap(), MaxLeavers::Percent(5.0));
        assert_eq!("12".parse::<MaxLeavers>().unwrap(), MaxLeavers::Count(12));
        assert!("x%".parse::<MaxLeavers>().is_err());
        assert_eq!(MaxLeavers::Percent(5.0).limit(1000), 50);
    }

    #[test]
    fn max_leavers_display_reads_back() {
        for m in [MaxLeavers::Percent(5.0), MaxLeavers::Percent(2.5), MaxLeavers::Count(12)] {
            assert_eq!(m.to_string().parse::<MaxLeavers>().unwrap(), m);
        }
        assert_eq!(MaxLeavers::Percent(5.0).to_string(), "5%");
    }
}
