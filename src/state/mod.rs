//! Sync state: per externalId, the digest of the last document SENT to the target, when it was
//! sent, whether it was active, and the target's last word on it (pending until the provisioning
//! logs say otherwise). The next run sends what changed, what failed, and what stayed pending
//! too long, and can disable leavers (ids in the state but not in the export).
//!
//! File format 2 (text, sorted by externalId so diffs are readable): a JSON header
//! `{"version":2,"run_at":..,"mapping_hash":..,"target":..,"users":N}`, then one JSON object per
//! user with short keys (see [`file`]). Format 1 (`HASH16\tid` lines) is migrated on load.

mod changes;
mod delta;
pub mod diff;
mod docs;
mod file;
mod leaver;
mod reconcile;

pub use changes::{Changes, UserChanges};
pub use delta::{
    Delta, DeltaCounts, LeaverPolicy, MaxLeavers, Reason, DEFAULT_RESEND_PENDING_AFTER,
};
pub use docs::{read_sidecar, sidecar_path, write_sidecar, SentDocs, SidecarProblem};
pub use file::StateError;
pub use leaver::{plain_doc, LeaverDelivery, LeaverTemplate};
pub use reconcile::{reconcile_entries, LogOutcome, LogStatus, Reconciled};

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The format this release writes.
pub const FORMAT_VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Header {
    pub version: u32,
    pub run_at: String,
    pub mapping_hash: String,
    /// The target the entries were sent to (absent in format 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub users: usize,
}

/// The target's last word on a sent document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Accepted for processing (a bulkUpload 202); the logs have not answered yet.
    Pending,
    /// Provisioned (log success or warning; a SCIM 2xx).
    Confirmed,
    /// Provisioning failed: sent again by the next run.
    Failed,
    /// Entra skipped it (out of scope, for instance): final, reported, not resent.
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Confirmed => "confirmed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

/// "This document was sent to this target at `t`, and the target's last word on it is `s`".
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Digest of the last sent document ([`doc_hash`]).
    pub h: u64,
    pub s: Status,
    /// When it was sent.
    pub t: DateTime<Utc>,
    /// That document's `active`.
    pub a: bool,
    /// The reason the logs gave (failed and skipped only).
    pub r: Option<String>,
    /// The time of the log record that decided `s` (or of the SCIM response).
    pub at: Option<DateTime<Utc>>,
}

impl Entry {
    /// A document the target took for processing, outcome unknown yet.
    pub fn pending(h: u64, t: DateTime<Utc>, a: bool) -> Entry {
        Entry { h, s: Status::Pending, t, a, r: None, at: None }
    }
}

#[derive(Debug, Clone, Default)]
pub struct State {
    pub header: Option<Header>,
    pub users: HashMap<String, Entry>,
    /// The format the file was read in, when it was older than [`FORMAT_VERSION`].
    pub migrated_from: Option<u32>,
}

/// The 64-bit digest stored per user (first 8 bytes of SHA-256 of the compact document).
pub fn doc_hash(doc: &[u8]) -> u64 {
    let d = Sha256::digest(doc);
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// Per-status counts, for `state show` and summaries.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct StatusCounts {
    pub confirmed: usize,
    pub pending: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Users whose last sent document has `active: true`.
    pub active: usize,
}

impl State {
    pub fn counts(&self) -> StatusCounts {
        let mut c = StatusCounts::default();
        for e in self.users.values() {
            match e.s {
                Status::Pending => c.pending += 1,
                Status::Confirmed => c.confirmed += 1,
                Status::Failed => c.failed += 1,
                Status::Skipped => c.skipped += 1,
            }
            c.active += usize::from(e.a);
        }
        c
    }

    /// The earliest send time among pending entries: where a reconcile query starts.
    pub fn earliest_pending(&self) -> Option<DateTime<Utc>> {
        self.users.values().filter(|e| e.s == Status::Pending).map(|e| e.t).min()
    }

    /// After migrating a format-1 file, entries whose digest is a leaver template's disable
    /// document (not the plain one) are known inactive too.
    pub fn mark_disable_docs(&mut self, disable_hash: impl Fn(&str) -> u64) {
        if self.migrated_from.is_none() {
            return;
        }
        for (id, e) in self.users.iter_mut() {
            if e.h == disable_hash(id) {
                e.a = false;
            }
        }
    }
}
