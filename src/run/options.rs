//! The options of a run that are not about reading or writing files: the evaluation
//! environment, the mapping's acceptance, and the delta state.

use std::path::PathBuf;
use std::time::Duration;

use crate::eval::{EmptyCells, Env};
use crate::state::{LeaverPolicy, MaxLeavers};
use crate::upload::UploadConfig;

/// How a mapping is compiled and evaluated. `Default` is a run without any flag.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOptions {
    /// Threads that transform rows (`None`: all cores).
    pub jobs: Option<usize>,
    /// The instant Now() returns for the whole run (`None`: the real clock).
    pub now: Option<chrono::DateTime<chrono::Utc>>,
    /// The tenant's default verified domain, for DefaultDomain().
    pub default_domain: Option<String>,
    /// Evaluate IIF conditions over NULL/empty attributes instead of failing like Entra does.
    pub lenient_iif: bool,
    pub empty_cells: EmptyCells,
    /// Values that already exist in the directory, for SelectUniqueValue: `TARGET=FILE` specs,
    /// checked against the mapping when it is loaded.
    pub existing: Vec<String>,
    /// Accept a mapping without `active`.
    pub allow_missing_active: bool,
    /// No progress bar, and warnings only when the mapping fails.
    pub quiet: bool,
    /// The Entra job's synchronization schema (`schema pull`'s file): the mapping is also
    /// checked against it, as `schema check` does.
    pub job_schema: Option<PathBuf>,
    /// Read the job's schema live from this Entra target instead (`upload --live-job-schema`);
    /// never together with `job_schema`.
    pub job_schema_live: Option<UploadConfig>,
    /// Where an HTTP source's records are saved (the run's output directory); `None`: a private
    /// temporary directory, removed at the end.
    pub source_dir: Option<PathBuf>,
}

impl RunOptions {
    pub fn env(&self) -> Env {
        Env {
            now: self.now.unwrap_or_else(chrono::Utc::now),
            default_domain: self.default_domain.clone(),
            lenient_iif: self.lenient_iif,
            empty_cells: self.empty_cells,
        }
    }
}

/// Delta runs: send only what changed since the run recorded in a state file.
#[derive(Debug, Clone, PartialEq)]
pub struct DeltaOptions {
    /// The state file; `None` is a plain (non-delta) run.
    pub state: Option<PathBuf>,
    /// Users in the state but not in this export.
    pub leavers: LeaverPolicy,
    /// Stop before writing anything when more leavers than this appear.
    pub max_leavers: MaxLeavers,
    /// Do not resend everyone when the mapping changed since the state was written.
    pub assume_mapping_unchanged: bool,
    /// A mapping whose targets are added to each leaver's disable document.
    pub leaver_template: Option<PathBuf>,
    /// A user still pending (no provisioning log record) this long after it was sent is sent
    /// again. Must stay below the logs' 30-day retention.
    pub resend_pending_after: Duration,
}

/// The provisioning logs' retention: a pending user must be resent before its record is gone.
pub const LOG_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);

/// `--wait-for-logs`: after sending, poll the provisioning logs for this run's users.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitOptions {
    pub wait_for_logs: bool,
    /// Stop polling after this long; users without a record stay pending.
    pub timeout: Duration,
    /// First delay between polls (grows by half each poll, at most 2 minutes).
    pub poll_interval: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            wait_for_logs: false,
            timeout: Duration::from_secs(30 * 60),
            poll_interval: Duration::from_secs(15),
        }
    }
}

impl Default for DeltaOptions {
    fn default() -> Self {
        DeltaOptions {
            state: None,
            leavers: LeaverPolicy::Ignore,
            // A truncated export must not disable the company.
            max_leavers: MaxLeavers::Percent(5.0),
            assume_mapping_unchanged: false,
            leaver_template: None,
            resend_pending_after: crate::state::DEFAULT_RESEND_PENDING_AFTER,
        }
    }
}
