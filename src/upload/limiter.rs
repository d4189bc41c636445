//! Sliding-window request limiter shared by all sending threads, with a global pause for 429s.
//! Times are on `crate::clock` (monotonic since the process started), so under the fake clock
//! of the tests a wait costs nothing. Other processes on the same tenant are paced by
//! `upload::quota`; this one keeps this process's threads in step and holds them all on a 429.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use crate::clock;

/// Never lets more than `limit` requests start within any `window`.
///
/// The server counts arrivals, not departures, and arrival order can differ from start order by
/// the network jitter; a small guard added to the window keeps the server-side count below the
/// limit even then, at a cost of about 2 % of throughput.
pub struct Limiter {
    limit: usize,
    window: Duration,
    state: Mutex<State>,
}

/// Instants are `clock::monotonic()` readings.
struct State {
    starts: VecDeque<Duration>,
    paused_until: Option<Duration>,
}

impl Limiter {
    pub fn new(limit: usize, window: Duration) -> Limiter {
        let guard = (window / 50).clamp(Duration::from_millis(50), Duration::from_millis(150));
        Limiter {
            limit: limit.max(1),
            window: window + guard,
            state: Mutex::new(State { starts: VecDeque::new(), paused_until: None }),
        }
    }

    /// Blocks until a request may start, then records it. Returns false (without recording)
    /// when `cancelled` turns true while waiting.
    pub fn acquire(&self, cancelled: &dyn Fn() -> bool) -> bool {
        loop {
            if cancelled() {
                return false;
            }
            let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let now = clock::monotonic();
            while st.starts.front().is_some_and(|t| now.saturating_sub(*t) >= self.window) {
                st.starts.pop_front();
            }
            let wait_pause = st.paused_until.filter(|t| *t > now).map(|t| t - now);
            let wait_window = if st.starts.len() >= self.limit {
                st.starts.front().map(|t| (*t + self.window).saturating_sub(now))
            } else {
                None
            };
            match wait_pause.max(wait_window) {
                None => {
                    st.starts.push_back(now);
                    return true;
                }
                // Short slices so a Ctrl-C is noticed promptly; without the lock, so the other
                // threads can check too.
                Some(d) => {
                    drop(st);
                    clock::sleep(d.clamp(Duration::from_millis(1), Duration::from_millis(200)));
                }
            }
        }
    }

    /// Holds every thread back for `wait` (a 429 means the whole client is too fast).
    pub fn pause_for(&self, wait: Duration) {
        let until = clock::monotonic() + wait;
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if st.paused_until.is_none_or(|t| t < until) {
            st.paused_until = Some(until);
        }
    }

    /// Time the whole run needs for `requests` requests at this pace (for --dry-run).
    pub fn estimate(&self, requests: usize) -> Duration {
        if requests <= self.limit {
            return Duration::ZERO;
        }
        let full_windows = (requests - 1) / self.limit;
        self.window * full_windows as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn no_window_ever_holds_more_than_the_limit() {
        let lim = Arc::new(Limiter::new(5, Duration::from_millis(200)));
        let starts = Arc::new(Mutex::new(Vec::new()));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (lim, starts) = (lim.clone(), starts.clone());
                std::thread::spawn(move || {
                    for _ in 0..5 {
                        assert!(lim.acquire(&|| false));
                        starts.lock().unwrap().push(std::time::Instant::now());
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let mut s = starts.lock().unwrap().clone();
        s.sort();
        assert_eq!(s.len(), 20);
        for (i, t) in s.iter().enumerate() {
            let in_window =
                s[i..].iter().filter(|u| u.duration_since(*t) < Duration::from_millis(200));
            assert!(in_window.count() <= 5, "more than 5 starts within 200ms");
        }
        // 20 requests at 5 per 200ms need at least three full windows.
        assert!(s[19].duration_since(s[0]) >= Duration::from_millis(600));
    }

    #[test]
    fn pause_delays_and_cancel_aborts() {
        let lim = Limiter::new(100, Duration::from_secs(1));
        lim.pause_for(Duration::from_millis(120));
        let t = std::time::Instant::now();
        assert!(lim.acquire(&|| false));
        assert!(t.elapsed() >= Duration::from_millis(100));
        lim.pause_for(Duration::from_secs(30));
        assert!(!lim.acquire(&|| true));
    }

    #[test]
    fn estimate_counts_full_windows() {
        let lim = Limiter::new(40, Duration::from_secs(5));
        assert_eq!(lim.estimate(40), Duration::ZERO);
        assert!(lim.estimate(120) >= Duration::from_secs(10));
    }
}
