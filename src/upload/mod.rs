//! Sending batches to Entra bulkUpload or a SCIM server: paced, journaled, resumable; and logs.
//!
//! `upload` takes any iterator of validated [`Batch`]es (from `batches_from_dir` or a streaming
//! convert), skips those the journal says this target already accepted, and sends the rest from a
//! few threads behind one sliding-window limiter. Every batch is journaled (fsync) as pending
//! before its first byte leaves and with its outcome after, so any crash leaves at most some
//! batches "unknown", which a rerun resends (Entra matches users by externalId).

mod auth;
mod batch;
mod endpoint;
mod entra;
mod error;
#[cfg(test)]
mod fuzz_tests;
mod http;
pub mod journal;
mod limiter;
mod logs;
mod options;
mod runner;
mod scim;
mod summary;

pub use batch::{
    batches_from_dir, validate_bulk_request, Batch, BULK_REQUEST_URN, CORE_USER_URN,
    ENTERPRISE_USER_URN, MAX_OPERATIONS,
};
pub use endpoint::check_url;
pub use error::UploadError;
pub use journal::accepted_hashes;
pub use logs::{read_since, run_logs, LogRecord};
pub use options::{
    LogsFormat, LogsQuery, RateSpec, TargetKind, TargetOptions, UploadConfig, X5t, MAX_CONCURRENCY,
};
pub use runner::{upload, Batches};
pub use summary::{AcceptedBatch, FailedUser, UploadSummary};

/// The key the journal and the sync state name an Entra target by (its bulkUpload URL);
/// `None` when the options do not name one.
pub fn entra_target_key(args: &UploadConfig) -> Option<String> {
    endpoint::resolve_entra(args).ok().map(|ep| ep.bulk_url.to_string())
}
