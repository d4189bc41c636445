//! The process's clock: real time, or a fake one for tests, so that simulated days, Retry-After
//! waits and log delays cost milliseconds.
//!
//! With `HR2SCIM_FAKE_NOW=<RFC 3339 time>` in the environment (a test hook, not a user option:
//! it is documented in DESIGN.md, not in `--help`), the clock starts at that instant and
//! [`sleep`] advances it instead of blocking. Code on the sync path (upload, state, run) asks this
//! module for the time and for waits, never `Utc::now`, `Instant::now` or `thread::sleep`.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// The environment variable that turns the fake clock on.
pub const FAKE_NOW_ENV: &str = "HR2SCIM_FAKE_NOW";

enum Mode {
    Real {
        start: Instant,
    },
    /// The fake start, and how far sleeps have moved the clock since (milliseconds).
    Fake {
        start: DateTime<Utc>,
        advanced_ms: AtomicI64,
    },
}

fn mode() -> &'static Mode {
    static MODE: OnceLock<Mode> = OnceLock::new();
    MODE.get_or_init(|| match std::env::var(FAKE_NOW_ENV).ok().and_then(|v| parse_fake(&v)) {
        Some(start) => Mode::Fake { start, advanced_ms: AtomicI64::new(0) },
        None => Mode::Real { start: Instant::now() },
    })
}

fn parse_fake(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value.trim()).ok().map(|t| t.with_timezone(&Utc))
}

/// Is the fake clock in use? (Progress bars and messages about waiting may say so.)
pub fn is_fake() -> bool {
    matches!(mode(), Mode::Fake { .. })
}

/// The current time.
pub fn now() -> DateTime<Utc> {
    match mode() {
        Mode::Real { .. } => Utc::now(),
        Mode::Fake { start, advanced_ms } => {
            *start + chrono::Duration::milliseconds(advanced_ms.load(Ordering::SeqCst))
        }
    }
}

/// Time since the process started, on a clock that never goes back: what pacing windows and
/// timeouts measure.
pub fn monotonic() -> Duration {
    match mode() {
        Mode::Real { start } => start.elapsed(),
        Mode::Fake { advanced_ms, .. } => {
            Duration::from_millis(advanced_ms.load(Ordering::SeqCst).max(0) as u64)
        }
    }
}

/// Wait `d`: blocks on the real clock, moves the fake one forward at once.
pub fn sleep(d: Duration) {
    match mode() {
        Mode::Real { .. } => std::thread::sleep(d),
        Mode::Fake { advanced_ms, .. } => {
            let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
            // Saturating: a huge wait must not wrap the clock around.
            let _ = advanced_ms
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| Some(v.saturating_add(ms)));
            // Let other threads (the sender pool) run as a real wait would.
            std::thread::yield_now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fake_time_is_read_as_rfc3339() {
        let t = parse_fake("2026-01-05T08:00:00Z").expect("valid time");
        assert_eq!(t.to_rfc3339(), "2026-01-05T08:00:00+00:00");
        assert!(parse_fake("yesterday").is_none());
    }

    #[test]
    fn the_real_clock_moves_forward() {
        // The unit tests never set HR2SCIM_FAKE_NOW, so this is the real clock.
        let a = monotonic();
        sleep(Duration::from_millis(2));
        assert!(monotonic() >= a + Duration::from_millis(2));
        assert!(!is_fake());
    }
}
