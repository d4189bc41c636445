//! Deciding what a run sends given the previous state: new, changed, unchanged, leavers, and the
//! safety threshold that stops a truncated export from disabling the company.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::{doc_hash, State};

/// What to do with ids that are in the state but not in today's export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeaverPolicy {
    /// Only report them.
    #[default]
    Ignore,
    /// Send `{"externalId": ..., "active": false}` for each.
    Disable,
}

/// `--max-leavers N` or `P%` of the previous state's users.
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
    pub fn limit(self, previous_users: usize) -> usize {
        match self {
            MaxLeavers::Count(n) => n,
            MaxLeavers::Percent(p) => ((previous_users as f64) * p / 100.0).floor() as usize,
        }
    }
}

#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct DeltaCounts {
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub leavers: u64,
    pub leavers_disabled: u64,
    pub leavers_held_back: u64,
    pub mapping_changed: bool,
}

/// The delta decisions of one run. Feed every user (in order) with [`Delta::offer`], every id
/// seen but rejected with [`Delta::seen`], then call [`Delta::leavers`].
pub struct Delta {
    previous: State,
    next: HashMap<String, u64>,
    seen: HashSet<String>,
    send_all: bool,
    pub counts: DeltaCounts,
    /// When set, every decision is kept as (externalId, "new" | "changed") for `state diff`.
    pub record: Option<Vec<(String, &'static str)>>,
    /// `--leaver-template`: what a disable document carries besides `active: false`.
    pub template: Option<super::leaver::LeaverTemplate>,
}

impl Delta {
    pub fn new(previous: State, mapping_hash: &str, assume_mapping_unchanged: bool) -> Delta {
        let mapping_changed =
            previous.header.as_ref().is_some_and(|h| h.mapping_hash != mapping_hash);
        let send_all = mapping_changed && !assume_mapping_unchanged;
        let next = previous.users.clone();
        Delta {
            previous,
            next,
            seen: HashSet::new(),
            send_all,
            counts: DeltaCounts { mapping_changed: send_all, ..DeltaCounts::default() },
            record: None,
            template: None,
        }
    }

    /// Decide for one user: `true` when it must be sent. Records its new hash as pending.
    pub fn offer(&mut self, external_id: &str, doc: &[u8]) -> bool {
        self.offer_digest(external_id, doc_hash(doc))
    }

    /// Would a user with this document digest be sent? The same answer [`Delta::offer_digest`]
    /// gives, without recording anything: it depends only on the previous state.
    pub fn would_send(&self, external_id: &str, h: u64) -> bool {
        self.send_all || self.previous.users.get(external_id) != Some(&h)
    }

    /// [`Delta::offer`] for a document whose digest is already known.
    pub fn offer_digest(&mut self, external_id: &str, h: u64) -> bool {
        self.seen.insert(external_id.to_string());
        let kind = match self.previous.users.get(external_id) {
            None => {
                self.counts.new += 1;
                "new"
            }
            Some(old) if *old == h && !self.send_all => {
                self.counts.unchanged += 1;
                return false;
            }
            Some(_) => {
                self.counts.changed += 1;
                "changed"
            }
        };
        if let Some(r) = self.record.as_mut() {
            r.push((external_id.to_string(), kind));
        }
        self.next.insert(external_id.to_string(), h);
        true
    }

    /// An id present in today's export whose row was rejected: not a leaver, state kept.
    pub fn seen(&mut self, external_id: &str) {
        self.seen.insert(external_id.to_string());
    }

    /// Ids in the previous state missing today, sorted; those already disabled are not repeated.
    pub fn leavers(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .previous
            .users
            .iter()
            .filter(|(id, h)| !self.seen.contains(*id) && **h != doc_hash(&self.disable_doc(id)))
            .map(|(id, _)| id.clone())
            .collect();
        out.sort();
        out
    }

    /// The document that disables a leaver (with the template's additions, if any).
    pub fn disable_doc(&self, external_id: &str) -> Vec<u8> {
        match &self.template {
            Some(t) => t.doc(external_id),
            None => super::leaver::plain_doc(external_id),
        }
    }

    /// Check the safety threshold. `Err` holds the message that stops the run.
    pub fn check_threshold(
        &mut self,
        leavers: usize,
        max: MaxLeavers,
        policy: LeaverPolicy,
    ) -> Result<(), String> {
        self.counts.leavers = leavers as u64;
        let limit = max.limit(self.previous.users.len());
        if policy == LeaverPolicy::Disable && leavers > limit {
            self.counts.leavers_held_back = leavers as u64;
            return Err(format!(
                "{leavers} leavers (users in the state but not in this export) exceed the safety threshold of \
                 {limit}; nothing was sent. If the export is complete, rerun with a higher --max-leavers"
            ));
        }
        Ok(())
    }

    /// Record a leaver's disable as sent.
    pub fn disabled(&mut self, external_id: &str, doc: &[u8]) {
        self.counts.leavers_disabled += 1;
        self.next.insert(external_id.to_string(), doc_hash(doc));
    }

    /// Forget a pending change (its batch was not accepted): the old hash stays, so the next
    /// run resends it.
    pub fn revert(&mut self, external_id: &str) {
        match self.previous.users.get(external_id) {
            Some(h) => self.next.insert(external_id.to_string(), *h),
            None => self.next.remove(external_id),
        };
    }

    /// The previous run's header, if the state file had one.
    pub fn previous_header(&self) -> Option<&super::Header> {
        self.previous.header.as_ref()
    }

    /// The state to save after the run's outcome is known.
    pub fn into_state(self) -> State {
        State { header: None, users: self.next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(users: &[(&str, &[u8])], mapping: &str) -> State {
        State {
            header: Some(super::super::Header {
                version: 1,
                run_at: "x".into(),
                mapping_hash: mapping.into(),
                users: users.len(),
            }),
            users: users.iter().map(|(id, d)| (id.to_string(), doc_hash(d))).collect(),
        }
    }

    #[test]
    fn sends_only_new_and_changed() {
        let mut d = Delta::new(state(&[("1", b"a"), ("2", b"b")], "m"), "m", false);
        assert!(!d.offer("1", b"a"));
        assert!(d.offer("2", b"B"));
        assert!(d.offer("3", b"c"));
        assert_eq!((d.counts.new, d.counts.changed, d.counts.unchanged), (1, 1, 1));
        assert!(d.leavers().is_empty());
    }

    /// The intake decides which documents to keep with `would_send` before the cross-row checks;
    /// the second pass decides with `offer_digest`. They must agree, repeats and all.
    #[test]
    fn would_send_agrees_with_offer() {
        for (mapping, assume) in [("m", false), ("new", false), ("new", true)] {
            let mut d = Delta::new(state(&[("1", b"a"), ("2", b"b")], "m"), mapping, assume);
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
        let mut d = Delta::new(state(&[("1", b"a")], "old"), "new", false);
        assert!(d.offer("1", b"a"));
        assert!(d.counts.mapping_changed);
        let mut d = Delta::new(state(&[("1", b"a")], "old"), "new", true);
        assert!(!d.offer("1", b"a"));
    }

    #[test]
    fn leavers_exclude_seen_rejected_rows_and_respect_the_threshold() {
        let users: Vec<(String, Vec<u8>)> =
            (0..100).map(|i| (i.to_string(), vec![i as u8])).collect();
        let refs: Vec<(&str, &[u8])> =
            users.iter().map(|(a, b)| (a.as_str(), b.as_slice())).collect();
        let mut d = Delta::new(state(&refs, "m"), "m", false);
        for (id, doc) in users.iter().take(90) {
            d.offer(id, doc);
        }
        d.seen("95");
        let leavers = d.leavers();
        assert_eq!(leavers.len(), 9);
        assert!(!leavers.contains(&"95".to_string()));
        let err = d
            .check_threshold(leavers.len(), MaxLeavers::Percent(5.0), LeaverPolicy::Disable)
            .unwrap_err();
        assert!(err.contains("9 leavers") && err.contains("threshold of 5"), "{err}");
        assert!(d.check_threshold(9, MaxLeavers::Count(10), LeaverPolicy::Disable).is_ok());
        assert!(d.check_threshold(9, MaxLeavers::Count(1), LeaverPolicy::Ignore).is_ok());
    }

    #[test]
    fn a_disabled_leaver_is_not_disabled_again() {
        let doc = super::super::leaver::plain_doc("7");
        let d = Delta::new(state(&[("7", &doc), ("8", b"x")], "m"), "m", false);
        assert_eq!(d.leavers(), vec!["8".to_string()]);
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
