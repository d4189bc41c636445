//! The result of an upload run: counters, failed users, why it stopped; JSON and human forms.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A user the target refused (SCIM per-operation failures; Entra reports those only in logs).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FailedUser {
    pub external_id: String,
    pub status: Option<u16>,
    pub detail: String,
}

/// A batch the target accepted for this run: sent now, or (when resuming an unfinished run)
/// accepted by the earlier attempt. Its users are what the state may record as sent.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AcceptedBatch {
    pub seq: u64,
    pub hash: String,
    /// When it was accepted (for a resumed batch, the journal's time).
    pub at: DateTime<Utc>,
    /// True when the earlier attempt of this run had it accepted and it was skipped now.
    pub resumed: bool,
    pub external_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct UploadSummary {
    pub target: String,
    pub journal: PathBuf,
    pub dry_run: bool,
    /// Batches read from the input (including skipped ones).
    pub batches_seen: u64,
    /// Batches the target accepted in this run.
    pub batches_sent: u64,
    /// Batches skipped because the unfinished run this one resumes had them accepted.
    pub batches_skipped_already_accepted: u64,
    /// This run resumes an unfinished run with the same key (same batches, same target).
    pub resumed: bool,
    /// Batches sent but not (fully) accepted; a rerun sends them again.
    pub batches_failed: u64,
    pub users_sent: u64,
    /// HTTP requests made to the target (including retries and discovery).
    pub requests: u64,
    pub retries: u64,
    pub throttled_429: u64,
    pub elapsed_secs: f64,
    pub requests_per_sec: f64,
    pub failed_users: Vec<FailedUser>,
    /// Why the run ended early (refusal, quota, Ctrl-C); None when everything was attempted.
    pub stopped: Option<String>,
    /// The stop is the tenant's daily quota.
    pub stopped_by_quota: bool,
    /// Calls counted against the tenant's daily quota in the last 24 hours (every run on this
    /// machine), after this run.
    pub daily_calls_used: u64,
    pub daily_quota: Option<u64>,
    /// The tenant's call log (quota and pacing).
    pub quota_file: Option<PathBuf>,
    /// Every batch accepted for this run, in the order of acceptance.
    pub accepted: Vec<AcceptedBatch>,
}

impl UploadSummary {
    /// The exit codes of `cli::exit`: 0 all sent; 3 the daily quota stopped the run before
    /// anything was accepted (a guard: nothing to repair, rerun after the time given); 2 some
    /// users or batches failed, or the quota stopped the run after some were accepted (the
    /// rest goes with the next run); 1 stopped early otherwise.
    pub fn exit_code(&self) -> i32 {
        if self.stopped_by_quota {
            if self.batches_sent == 0 && self.users_sent == 0 {
                3
            } else {
                2
            }
        } else if self.stopped.is_some() {
            1
        } else if !self.failed_users.is_empty() || self.batches_failed > 0 {
            2
        } else {
            0
        }
    }

    /// The human summary on standard error; in JSON mode the caller's `summary` event says it.
    pub fn print_human(&self) {
        if !super::events::json() {
            eprintln!("{}", self.render_human());
        }
    }

    pub fn render_human(&self) -> String {
        let mut s = String::new();
        let verb = if self.dry_run { "would send" } else { "sent" };
        s += &format!(
            "upload to {}: {verb} {} batches ({} users), skipped {} already accepted, {} failed\n",
            self.target,
            self.batches_sent,
            self.users_sent,
            self.batches_skipped_already_accepted,
            self.batches_failed
        );
        if !self.dry_run {
            s += &format!(
                "{} requests in {:.1}s ({:.2}/s), {} retries, {} throttled (429)\n",
                self.requests,
                self.elapsed_secs,
                self.requests_per_sec,
                self.retries,
                self.throttled_429
            );
        }
        if self.resumed {
            s += "resumed an unfinished run of the same batches: its accepted batches were skipped\n";
        }
        if let Some(q) = self.daily_quota {
            s += &format!(
                "daily quota: {} of {q} calls used in the last 24 hours (this tenant, every run on this machine)\n",
                self.daily_calls_used
            );
        }
        if !self.failed_users.is_empty() {
            s += &format!("failed users ({}):\n", self.failed_users.len());
            for f in &self.failed_users {
                let st = f.status.map(|c| c.to_string()).unwrap_or_else(|| "-".into());
                s += &format!("  {}  HTTP {st}  {}\n", f.external_id, f.detail);
            }
        }
        if let Some(why) = &self.stopped {
            s += &format!("stopped: {why}\n");
            s += "To resume, rerun the same command: accepted batches are skipped, the others are sent again.\n";
        }
        s += &format!("journal: {}", self.journal.display());
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_and_text_follow_the_outcome() {
        let mut s = UploadSummary {
            target: "t".into(),
            batches_sent: 2,
            users_sent: 100,
            ..Default::default()
        };
        assert_eq!(s.exit_code(), 0);
        s.failed_users.push(FailedUser {
            external_id: "E1".into(),
            status: Some(400),
            detail: "bad".into(),
        });
        assert_eq!(s.exit_code(), 2);
        assert!(s.render_human().contains("E1  HTTP 400  bad"));
        s.stopped = Some("refused".into());
        assert_eq!(s.exit_code(), 1);
        s.stopped_by_quota = true;
        assert_eq!(s.exit_code(), 2, "the quota stopped a run that had sent something");
        (s.batches_sent, s.users_sent) = (0, 0);
        assert_eq!(s.exit_code(), 3, "the quota stopped the run before anything was sent");
        assert!(s.render_human().contains("To resume, rerun"));
    }
}
