//! One paced, authenticated HTTP exchange with bounded retries (429, 5xx, timeouts, resets).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use rand::Rng;
use reqwest::blocking::Client;
use reqwest::header::HeaderMap;
use reqwest::Method;

use super::auth::TokenProvider;
use super::limiter::Limiter;
use super::quota::{Refusal, TenantQuota};
use super::UploadError;

/// A 429 asking for a longer wait than this is a quota, not a burst: stop instead of sleeping.
const LONGEST_THROTTLE_WAIT: Duration = Duration::from_secs(600);
const LONGEST_BACKOFF: Duration = Duration::from_secs(60);

/// Counters shared by all sending threads.
#[derive(Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub throttled: AtomicU64,
}

/// A response worth interpreting (any status that is not retried).
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }
}

/// Why an exchange ended without a reply to interpret.
#[derive(Debug)]
pub enum SendError {
    /// Ctrl-C arrived before the (next) attempt could start.
    Interrupted,
    /// Retries used up; the text says what the last attempt got.
    Exhausted(String),
    /// The server asked to wait longer than a run should sleep (e.g. the daily quota).
    Throttled { wait: Duration },
    /// A non-retryable local problem (token service refused the credential, journal failure).
    Fatal(UploadError),
    /// The tenant's daily quota is used up (by this run or others on this machine).
    Quota { used: u64, quota: u64, free_at: chrono::DateTime<chrono::Utc> },
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Interrupted => f.write_str("interrupted"),
            SendError::Exhausted(what) => f.write_str(what),
            SendError::Throttled { wait } => {
                write!(f, "throttled for {}", humantime::format_duration(*wait))
            }
            SendError::Fatal(e) => write!(f, "{e}"),
            SendError::Quota { used, quota, .. } => {
                write!(f, "daily quota used up ({used} of {quota} calls)")
            }
        }
    }
}

#[derive(Clone)]
pub struct Sender<'a> {
    pub http: Client,
    pub limiter: &'a Limiter,
    /// The tenant's call log: quota and pacing shared with every run on the machine.
    pub quota: &'a TenantQuota,
    pub tokens: &'a TokenProvider,
    pub stats: &'a Stats,
    pub interrupted: &'a AtomicBool,
    pub max_retries: u32,
    pub backoff_base: Duration,
    pub quiet: bool,
    /// Drawn on a terminal only; routine lines are then replaced by its counters.
    pub progress: Option<indicatif::ProgressBar>,
}

impl Sender<'_> {
    /// Sends until a reply that is not retryable arrives; a 401 refreshes the token once.
    pub fn send(
        &self,
        label: &str,
        method: Method,
        url: &str,
        body: Option<&[u8]>,
        extra: &[(&str, &str)],
    ) -> Result<Reply, SendError> {
        let mut failures = 0u32;
        let mut refreshed = false;
        loop {
            let Some(permit) = self.limiter.acquire(&|| self.interrupted.load(Ordering::SeqCst))
            else {
                return Err(SendError::Interrupted);
            };
            let token = match self.tokens.get(&self.http) {
                Ok(t) => t,
                // The token service being briefly unreachable is as retryable as the target.
                Err(UploadError::Network { message, .. }) if failures < self.max_retries => {
                    failures += 1;
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    let wait = self.backoff(failures);
                    self.event(
                        "retry",
                        serde_json::json!({"request": label, "reason": format!("token service unreachable ({message})"), "attempt": failures, "wait_ms": wait.as_millis() as u64}),
                        &format!("{label}: token service unreachable ({message}); retrying"),
                    );
                    if !self.sleep(wait) {
                        return Err(SendError::Interrupted);
                    }
                    continue;
                }
                Err(e) => return Err(SendError::Fatal(e)),
            };
            match self.quota.acquire(&|| self.interrupted.load(Ordering::SeqCst)) {
                Ok(()) => {}
                Err(Refusal::Interrupted) => return Err(SendError::Interrupted),
                Err(Refusal::Io(e)) => return Err(SendError::Fatal(e)),
                Err(Refusal::Exhausted { used, quota, free_at }) => {
                    return Err(SendError::Quota { used, quota, free_at })
                }
            }
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let mut req = self.http.request(method.clone(), url);
            if let Some(t) = &token {
                req = req.bearer_auth(t.expose());
            }
            if let Some(b) = body {
                req = req.header("Content-Type", "application/scim+json").body(b.to_vec());
            }
            for (k, v) in extra {
                req = req.header(*k, *v);
            }
            let outcome = req.send().and_then(|resp| {
                let status = resp.status().as_u16();
                let headers = resp.headers().clone();
                resp.text().map(|body| Reply { status, headers, body })
            });
            // The answer is back: the window runs from now for this request (not during a
            // retry's wait, which would hold a place for nothing).
            drop(permit);
            let (problem, wait) = match outcome {
                Ok(r) if r.status == 401 && !refreshed && self.tokens.can_refresh() => {
                    refreshed = true;
                    if let Some(t) = &token {
                        self.tokens.invalidate(t);
                    }
                    self.event(
                        "retry",
                        serde_json::json!({"request": label, "reason": "HTTP 401: token refreshed", "attempt": failures + 1}),
                        &format!("{label}: HTTP 401, refreshing the token and retrying"),
                    );
                    continue;
                }
                Ok(r) if r.status == 429 => {
                    self.stats.throttled.fetch_add(1, Ordering::Relaxed);
                    let wait = retry_after(&r.headers);
                    if let Some(w) = wait.filter(|w| *w > LONGEST_THROTTLE_WAIT) {
                        return Err(SendError::Throttled { wait: w });
                    }
                    let wait = wait.unwrap_or_else(|| self.backoff(failures));
                    self.limiter.pause_for(wait);
                    ("HTTP 429 (throttled)".to_string(), wait)
                }
                Ok(r) if matches!(r.status, 500 | 502 | 503 | 504) => {
                    let wait = retry_after(&r.headers).unwrap_or_else(|| self.backoff(failures));
                    (format!("HTTP {}", r.status), wait.min(LONGEST_BACKOFF))
                }
                Ok(r) => return Ok(r),
                Err(e) => {
                    let kind = if e.is_timeout() { "timed out" } else { "connection failed" };
                    (format!("{kind} ({})", describe(e)), self.backoff(failures))
                }
            };
            failures += 1;
            if failures > self.max_retries {
                return Err(SendError::Exhausted(format!(
                    "{problem} after {} retries",
                    self.max_retries
                )));
            }
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            let text = format!(
                "{label}: {problem}; retry {failures}/{} in {}",
                self.max_retries,
                humantime::format_duration(Duration::from_millis(wait.as_millis() as u64))
            );
            let kind = if problem.starts_with("HTTP 429") { "throttle" } else { "retry" };
            self.event(
                kind,
                serde_json::json!({"request": label, "reason": problem, "attempt": failures, "max_retries": self.max_retries, "wait_ms": wait.as_millis() as u64}),
                &text,
            );
            if !self.sleep(wait) {
                return Err(SendError::Interrupted);
            }
        }
    }

    /// Exponential backoff with jitter (half to full of base·2ⁿ), capped.
    fn backoff(&self, failures: u32) -> Duration {
        let full = self.backoff_base.saturating_mul(1 << failures.min(10)).min(LONGEST_BACKOFF);
        full.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
    }

    /// Sleeps (on the process's clock) in slices so Ctrl-C is seen; false when interrupted.
    fn sleep(&self, d: Duration) -> bool {
        let end = crate::clock::monotonic() + d;
        loop {
            let now = crate::clock::monotonic();
            if now >= end {
                return true;
            }
            if self.interrupted.load(Ordering::SeqCst) {
                return false;
            }
            crate::clock::sleep((end - now).min(Duration::from_millis(100)));
        }
    }

    /// An event of the run: its JSON line with `--log-format json`, else `text` as a note.
    pub fn event(&self, event: &str, fields: serde_json::Value, text: &str) {
        if super::events::json() {
            let mut fields = fields;
            fields["text"] = serde_json::json!(text);
            super::events::emit(event, fields);
        } else {
            self.note(text);
        }
    }

    /// Something the user should see (retries, refusals), above the progress bar if any.
    pub fn note(&self, msg: &str) {
        if super::events::json() {
            return super::events::say(msg);
        }
        match (&self.progress, self.quiet) {
            (_, true) => {}
            (Some(pb), false) => pb.println(msg),
            (None, false) => eprintln!("{msg}"),
        }
    }

    /// A routine line (a batch accepted): shown only when no progress bar tells the same.
    pub fn routine(&self, msg: &str) {
        if self.progress.is_none() {
            self.note(msg);
        }
    }
}

/// A transport error with its causes ("connection refused" is deep in the chain), no URL.
pub fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        let s = c.to_string();
        if !text.contains(&s) {
            text = format!("{text}: {s}");
        }
        cause = c.source();
    }
    text
}

/// Longer waits are read as this: far beyond any stop-and-resume, small enough that adding it
/// to any clock (Instant, SystemTime, chrono) cannot overflow.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(366 * 24 * 3600);

/// `Retry-After` as seconds or as an HTTP date, capped at [`RETRY_AFTER_CAP`].
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get("retry-after")?.to_str().ok()?.trim();
    let wait = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        // Digits beyond u64 are still "very long", not "no header".
        v.parse::<u64>().map(Duration::from_secs).unwrap_or(Duration::MAX)
    } else {
        let when = httpdate::parse_http_date(v).ok()?;
        let now = SystemTime::UNIX_EPOCH
            + Duration::from_millis(crate::clock::now().timestamp_millis().max(0) as u64);
        when.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(RETRY_AFTER_CAP))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert("retry-after", v.parse().unwrap());
        m
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(retry_after(&h("7")), Some(Duration::from_secs(7)));
        let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let d = retry_after(&h(&date)).unwrap();
        assert!(d > Duration::from_secs(25) && d <= Duration::from_secs(30), "{d:?}");
        let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(30));
        assert_eq!(retry_after(&h(&past)), Some(Duration::ZERO));
        assert_eq!(retry_after(&h("soon")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn huge_retry_after_values_are_capped_not_overflowed() {
        assert_eq!(retry_after(&h("9000000000000000")), Some(RETRY_AFTER_CAP));
        assert_eq!(retry_after(&h("99999999999999999999999999")), Some(RETRY_AFTER_CAP));
        assert_eq!(retry_after(&h("Fri, 31 Dec 9999 23:59:59 GMT")), Some(RETRY_AFTER_CAP));
        assert_eq!(retry_after(&h("-5")), None);
    }
}
