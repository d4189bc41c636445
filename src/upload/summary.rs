//! The result of an upload run: counters, failed users, why it stopped; JSON and human forms.

use std::path::PathBuf;

use serde::Serialize;

/// A user the target refused (SCIM per-operation failures; Entra reports those only in logs).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FailedUser {
    pub external_id: String,
    pub status: Option<u16>,
    pub detail: String,
}

/// A batch the target took in this run (or in the unfinished run this one resumed): what the
/// sync state records per user.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AcceptedBatch {
    /// The batch's content hash ([`super::Batch::hash`]).
    pub hash: String,
    /// When it was sent (the journal's time for a resumed batch).
    pub at: chrono::DateTime<chrono::Utc>,
    /// Accepted by the run this one resumed, so skipped here.
    pub resumed: bool,
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
    pub batches_skipped_already_accepted: u64,
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
    /// The run stopped because the daily quota was used up (a guard: exit 3 when nothing was
    /// sent).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub quota_exhausted: bool,
    /// Batches accepted (fully or partly), per content hash; per-user failures are in
    /// `failed_users`.
    #[serde(skip)]
    pub accepted: Vec<AcceptedBatch>,
    /// Calls counted against the daily quota in the last 24 hours, after this run.
    pub daily_calls_used: u64,
    pub daily_quota: Option<u64>,
}

impl UploadSummary {
    /// 0 all sent; 3 stopped by the quota before anything was sent; 1 stopped early; 2 some
    /// users or batches failed.
    pub fn exit_code(&self) -> i32 {
        if self.quota_exhausted && self.batches_sent == 0 && self.batches_failed == 0 {
            3
        } else if self.stopped.is_some() {
            1
        } else if !self.failed_users.is_empty() || self.batches_failed > 0 {
            2
        } else {
            0
        }
    }

    pub fn print_human(&self) {
        eprintln!("{}", self.render_human());
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
        if let Some(q) = self.daily_quota {
            s += &format!(
                "daily quota: {} of {q} calls used in the last 24 hours\n",
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
        s.stopped = Some("quota".into());
        assert_eq!(s.exit_code(), 1);
        s.quota_exhausted = true;
        assert_eq!(s.exit_code(), 1, "batches were sent before the quota ran out");
        s.batches_sent = 0;
        assert_eq!(s.exit_code(), 3, "nothing sent: a guard stopped the run");
        assert!(s.render_human().contains("To resume, rerun"));
    }
}
