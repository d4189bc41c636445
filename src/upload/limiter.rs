//! Sliding-window request limiter shared by all sending threads, with a global pause for 429s.
//! Times are on `crate::clock` (monotonic since the process started), so under the fake clock
//! of the tests a wait costs nothing. Other processes on the same tenant are paced by
//! `upload::quota`; this one keeps this process's threads in step and holds them all on a 429.

use std::sync::Mutex;
use std::time::Duration;

use crate::clock;

/// Never lets more than `limit` requests reach the server within any `window`.
///
/// The server counts arrivals, and a request arrives somewhere between the moment it starts and
/// the moment its answer is back; network jitter or a busy machine can reorder arrivals by more
/// than any fixed margin. So a request holds its place in the window from its start until
/// `window` after its answer (a [`Permit`] records when it is dropped): then no `limit + 1`
/// arrivals can fall within one window, whatever the delays. The price is the answer's latency
/// per window (a few percent at Entra's 40 calls per 5 s), paid only when the limit is reached.
pub struct Limiter {
    limit: usize,
    window: Duration,
    state: Mutex<State>,
}

/// Instants are `clock::monotonic()` readings.
struct State {
    /// One entry per request still holding a place: `None` while it is in flight, else when its
    /// answer came back. Ids tie a permit to its entry.
    places: Vec<(u64, Option<Duration>)>,
    next_id: u64,
    paused_until: Option<Duration>,
}

/// A started request's place in the window; dropping it says the answer is back.
pub struct Permit<'a> {
    limiter: &'a Limiter,
    id: u64,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let now = clock::monotonic();
        let mut st = self.limiter.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(place) = st.places.iter_mut().find(|(id, _)| *id == self.id) {
            place.1 = Some(now);
        }
    }
}

/// How long a thread waits before looking again when every place is held by a request in
/// flight: their answers, not the clock, free the next place.
const IN_FLIGHT_POLL: Duration = Duration::from_millis(5);

impl Limiter {
    pub fn new(limit: usize, window: Duration) -> Limiter {
        Limiter {
            limit: limit.max(1),
            window,
            state: Mutex::new(State { places: Vec::new(), next_id: 0, paused_until: None }),
        }
    }

    /// Blocks until a request may start, then records it. Returns `None` (without recording)
    /// when `cancelled` turns true while waiting. Drop the permit when the answer is back (or
    /// the request failed), before any wait for a retry.
    pub fn acquire(&self, cancelled: &dyn Fn() -> bool) -> Option<Permit<'_>> {
        loop {
            if cancelled() {
                return None;
            }
            let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let now = clock::monotonic();
            let window = self.window;
            st.places.retain(|(_, done)| done.is_none_or(|d| now.saturating_sub(d) < window));
            let wait_pause = st.paused_until.filter(|t| *t > now).map(|t| t - now);
            let wait_window = if st.places.len() >= self.limit {
                let next_free = st.places.iter().filter_map(|(_, d)| *d).min();
                Some(next_free.map_or(IN_FLIGHT_POLL, |d| (d + window).saturating_sub(now)))
            } else {
                None
            };
            match wait_pause.max(wait_window) {
                None => {
                    let id = st.next_id;
                    st.next_id += 1;
                    st.places.push((id, None));
                    return Some(Permit { limiter: self, id });
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

    /// Time the whole run needs at least for `requests` requests at this pace (for --dry-run;
    /// the answers' latency comes on top).
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

    /// Four threads send 20 requests at 5 per 200 ms; the `n`th request to start "arrives" at
    /// the server `arrival_delay(n)` after it starts and is answered `answer_delay(n)` later.
    /// Returns the arrival instants, sorted.
    fn arrivals(
        arrival_delay: fn(usize) -> Duration,
        answer_delay: fn(usize) -> Duration,
    ) -> Vec<std::time::Instant> {
        let lim = Arc::new(Limiter::new(5, Duration::from_millis(200)));
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let started = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (lim, arrivals, started) = (lim.clone(), arrivals.clone(), started.clone());
                std::thread::spawn(move || {
                    for _ in 0..5 {
                        let permit = lim.acquire(&|| false).expect("not cancelled");
                        let i = started.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        std::thread::sleep(arrival_delay(i));
                        arrivals.lock().unwrap().push(std::time::Instant::now());
                        std::thread::sleep(answer_delay(i));
                        drop(permit);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let mut s = arrivals.lock().unwrap().clone();
        s.sort();
        s
    }

    fn most_in_one_window(s: &[std::time::Instant], window: Duration) -> usize {
        (0..s.len())
            .map(|i| s[i..].iter().filter(|u| u.duration_since(s[i]) < window).count())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn no_window_ever_holds_more_than_the_limit() {
        let s = arrivals(|_| Duration::ZERO, |_| Duration::ZERO);
        assert_eq!(s.len(), 20);
        assert!(most_in_one_window(&s, Duration::from_millis(200)) <= 5);
        // 20 requests at 5 per 200ms need at least three full windows.
        assert!(s[19].duration_since(s[0]) >= Duration::from_millis(600));
    }

    /// The last request of the first window arrives 90 ms late, next to the second window's
    /// five. A fixed margin over the window (50 ms here, as this limiter once had) let all six
    /// into one window of the server's.
    #[test]
    fn a_late_arrival_never_crowds_the_next_window() {
        let s = arrivals(
            |n| Duration::from_millis(if n % 10 == 4 { 90 } else { 0 }),
            |_| Duration::ZERO,
        );
        assert_eq!(s.len(), 20);
        let most = most_in_one_window(&s, Duration::from_millis(200));
        assert!(most <= 5, "{most} arrivals within one window of 200ms");
    }

    #[test]
    fn a_request_in_flight_holds_its_place_past_the_window() {
        let lim = Arc::new(Limiter::new(1, Duration::from_millis(20)));
        let first = lim.acquire(&|| false).expect("free");
        let second = {
            let lim = lim.clone();
            std::thread::spawn(move || {
                let _p = lim.acquire(&|| false).expect("not cancelled");
                std::time::Instant::now()
            })
        };
        std::thread::sleep(Duration::from_millis(150));
        let answered = std::time::Instant::now();
        drop(first);
        let started = second.join().unwrap();
        assert!(
            started.duration_since(answered) >= Duration::from_millis(20),
            "the second request started {:?} after the first one's answer",
            started.saturating_duration_since(answered)
        );
    }

    #[test]
    fn pause_delays_and_cancel_aborts() {
        let lim = Limiter::new(100, Duration::from_secs(1));
        lim.pause_for(Duration::from_millis(120));
        let t = std::time::Instant::now();
        assert!(lim.acquire(&|| false).is_some());
        assert!(t.elapsed() >= Duration::from_millis(100));
        lim.pause_for(Duration::from_secs(30));
        assert!(lim.acquire(&|| true).is_none());
    }

    #[test]
    fn estimate_counts_full_windows() {
        let lim = Limiter::new(40, Duration::from_secs(5));
        assert_eq!(lim.estimate(40), Duration::ZERO);
        assert!(lim.estimate(120) >= Duration::from_secs(10));
    }
}
