//! The conversion-and-state path that `convert`, `upload` and `state diff` share (and a
//! scheduled `run` from a profile will): load the mapping against the input, convert with the
//! previous state, settle the state with what the target accepted, and save it.
//!
//! Everything here is driven by plain option structs ([`RunOptions`], [`DeltaOptions`],
//! [`crate::pipeline::ConvertOptions`]) that a command line or a TOML profile fills alike. Errors
//! come back as [`RunError`]; the mapping's diagnostics (warnings too) go to the caller's
//! [`Report`] as they are found, so the caller decides where they are shown.

mod load;
mod lock;
mod options;
mod report;
mod state;
mod sync;

pub use load::{compile_mapping, load, Fetched, Loaded};
pub use lock::{acquire as lock, RunLocks};
pub use options::{DeltaOptions, RunOptions, WaitOptions, LOG_RETENTION};
pub use report::{write as write_report, ReportData, MAX_ROWS as REPORT_MAX_ROWS};
pub use state::{
    changes, check_state_target, convert_with_state, load_state, make_delta, record_upload,
    save_state, users_of,
};
pub use sync::{describe, reconcile, wait_for_logs};

/// Where rendered diagnostics go (the CLI prints them on standard error).
pub type Report<'a> = &'a dyn Fn(&str);

/// Why a run stopped. The message is complete; the CLI prints it after `error: `.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The mapping did not compile; its diagnostics already went to the [`Report`].
    #[error("the mapping has errors")]
    Mapping,
    #[error("{0}")]
    Input(#[from] crate::input::InputError),
    #[error("{0}")]
    State(#[from] crate::state::StateError),
    #[error("{0}")]
    Convert(#[from] crate::pipeline::ConvertError),
    /// An HTTP source could not be read whole: nothing was converted or sent.
    #[error("{0}")]
    Source(#[from] crate::source::SourceError),
    /// Stopped by a guard before anything was sent (a lock held by another run): exit 3.
    #[error("{0}")]
    Guard(String),
    /// Any other refusal, such as a bad `--existing` file.
    #[error("{0}")]
    Other(String),
}

impl RunError {
    /// A guard stopped the run before anything was sent (leaver threshold, lock held).
    pub fn is_guard(&self) -> bool {
        matches!(
            self,
            RunError::Guard(_) | RunError::Convert(crate::pipeline::ConvertError::Leavers(_))
        )
    }
}
