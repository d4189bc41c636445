//! Sending batches to Entra bulkUpload or a SCIM server: paced, journaled, resumable; and logs.
//!
//! `upload` takes validated [`Batch`]es (from `batches_from_dir` or a convert), and sends them
//! from a few threads, paced by the tenant's call log shared with every run on the machine
//! (`quota`). The journal belongs to the run: only when this run resumes an unfinished run of
//! the same batches does it skip what that run had accepted. Every batch is journaled (fsync)
//! as pending before its first byte leaves and with its outcome after, so any crash leaves at
//! most some batches "unknown", which a rerun resends (Entra matches users by externalId).

mod auth;
mod batch;
mod client;
mod endpoint;
mod entra;
mod error;
pub mod events;
#[cfg(test)]
mod fuzz_tests;
mod graph;
mod http;
pub mod jobschema_api;
pub mod journal;
mod limiter;
mod logs;
mod options;
pub mod quota;
mod redact;
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
// The HTTP rules other readers of the network (HTTP sources) follow too.
pub use client::ProxyEnv;
pub use http::{describe as describe_http_error, retry_after};
pub use redact::redact;

/// The key the journal and the sync state name an Entra target by (its bulkUpload URL);
/// `None` when the options do not name one.
pub fn entra_target_key(args: &UploadConfig) -> Option<String> {
    endpoint::resolve_entra(args).ok().map(|ep| ep.bulk_url.to_string())
}

/// The Entra job `(service principal, job id)` that target options name, or that a target key
/// (as [`entra_target_key`] writes it into the sync state) names; `None` for anything else,
/// a SCIM target's key included.
pub fn entra_job(args: &TargetOptions) -> Option<(String, String)> {
    endpoint::resolve_entra(args).ok().map(|ep| (ep.service_principal, ep.job_id))
}

/// [`entra_job`] of a target key.
pub fn entra_job_of_key(key: &str) -> Option<(String, String)> {
    entra_job(&TargetOptions { endpoint: Some(key.to_string()), ..TargetOptions::default() })
}
