//! One run at a time on a state file: the state's advisory lock is taken here, before the state
//! is read, and held until the run has written it back.
//!
//! The output directory's lock is taken by the command itself (`cli::common::lock_output`), first
//! of all, because `convert` and `upload --from` need it without a state file. Both are
//! `sinks::RunLock`s: an OS lock on a file that names its holder.

use std::path::Path;

use crate::sinks::lock::{file_lock_path, LockError};
use crate::sinks::RunLock;

use super::RunError;

/// The locks a run holds until it is dropped.
#[derive(Debug, Default)]
pub struct RunLocks {
    _state: Option<RunLock>,
}

/// Lock the state file (`STATE.lock` beside it), if there is one. A lock held by another run is
/// [`RunError::Guard`] (exit 3); a stale lock of a run that died is taken over with a warning.
pub fn acquire(state: Option<&Path>) -> Result<RunLocks, RunError> {
    let Some(state) = state else { return Ok(RunLocks::default()) };
    let what = format!("the state file {}", state.display());
    match RunLock::acquire(&file_lock_path(state), &what) {
        Ok(lock) => {
            if let Some(warning) = lock.stale_warning() {
                crate::upload::events::say(&warning);
            }
            Ok(RunLocks { _state: Some(lock) })
        }
        Err(e @ LockError::Held { .. }) => Err(RunError::Guard(e.to_string())),
        Err(e) => Err(RunError::Other(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_on_the_same_state_is_a_guard_stop() {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = dir.path().join("hr.state");
        let first = acquire(Some(&state)).expect("first run locks the state");
        let second = acquire(Some(&state)).expect_err("the state is locked");
        assert!(second.is_guard(), "{second}");
        assert!(second.to_string().contains("hr.state"), "{second}");
        drop(first);
        acquire(Some(&state)).expect("free again once the first run ends");
        assert!(acquire(None).is_ok());
    }
}
