//! One run at a time on an output directory and a state file: the seam where the advisory
//! locks of `sinks::lock` (branch r15-journal) are taken, so the run's order of steps is fixed
//! here and only this file changes when they land.

use std::path::Path;

use super::RunError;

/// The locks a run holds until it is dropped.
#[derive(Debug, Default)]
pub struct RunLocks {
    _held: (),
}

/// Lock `out` and, with one, the state file, before anything is read or written. A lock held by
/// another run is [`RunError::Guard`] (exit 3).
// TODO(r15-journal): RunLock::acquire(out/.hr2scim.lock, "output directory") and
// RunLock::acquire(<state>.lock, "state file"), mapping LockError::Held { holder } to
// RunError::Guard(format!("another hr2scim run ({holder}) holds {}")).
pub fn acquire(_out: &Path, _state: Option<&Path>) -> Result<RunLocks, RunError> {
    Ok(RunLocks::default())
}
