//! The tenant's daily quota and request pacing, shared by every run on the machine.
//!
//! Entra counts calls per tenant, not per output directory, and its 40-requests-per-5-seconds
//! limit holds for all clients together. So the call times live in one file per tenant in a
//! per-user state directory (`--quota-dir`, `HR2SCIM_STATE_DIR`, else the platform's state
//! directory), and every request, before it leaves, takes that file's OS lock, drops calls older
//! than a day, checks the daily quota and the rate window, and appends its own time. A request
//! that must wait releases the lock while it waits, so concurrent runs interleave: together they
//! never exceed the window, and a new `--out` does not forget today's calls.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::options::RateSpec;
use super::UploadError;

/// The environment variable that moves the per-user state directory.
pub const STATE_DIR_ENV: &str = "HR2SCIM_STATE_DIR";

const DAY_MS: i64 = 24 * 3600 * 1000;

/// The per-user state directory: `explicit`, else `$HR2SCIM_STATE_DIR`, else
/// `$XDG_STATE_HOME/hr2scim` (`~/.local/state/hr2scim`), else the local data directory
/// (Windows: `%LOCALAPPDATA%\hr2scim`).
pub fn state_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(d) = explicit {
        return Some(d.to_path_buf());
    }
    if let Some(d) = std::env::var_os(STATE_DIR_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(d));
    }
    dirs::state_dir().or_else(dirs::data_local_dir).map(|d| d.join("hr2scim"))
}

/// Why a request may not be sent.
#[derive(Debug)]
pub enum Refusal {
    /// The daily quota is used up until `free_at`.
    Exhausted {
        used: u64,
        quota: u64,
        free_at: DateTime<Utc>,
    },
    /// Ctrl-C while waiting for the window.
    Interrupted,
    Io(UploadError),
}

/// One tenant's call log.
pub struct TenantQuota {
    path: PathBuf,
    key: String,
    limit: usize,
    window_ms: i64,
    daily: Option<u64>,
}

impl TenantQuota {
    /// The call log of the tenant `key` in `dir` (created with mode 0700).
    pub fn open(
        dir: &Path,
        key: &str,
        rate: RateSpec,
        daily: Option<u64>,
    ) -> Result<TenantQuota, UploadError> {
        let calls = dir.join("calls");
        crate::sinks::private_dir(&calls).map_err(|e| UploadError::io(&calls, e))?;
        let digest = hex::encode(Sha256::digest(key.as_bytes()));
        // Only starts are logged across processes (the in-process limiter also knows when each
        // answer came back): a small guard over the window keeps the server's count (arrival
        // times) under the limit despite network jitter between processes' requests.
        let guard = (rate.window / 50).clamp(Duration::from_millis(50), Duration::from_millis(150));
        Ok(TenantQuota {
            path: calls.join(format!("{}.calls", &digest[..16])),
            key: key.to_string(),
            limit: rate.requests.max(1),
            window_ms: i64::try_from((rate.window + guard).as_millis()).unwrap_or(i64::MAX),
            daily,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn daily(&self) -> Option<u64> {
        self.daily
    }

    /// Waits until one more request fits the window (and the daily quota), then records it.
    pub fn acquire(&self, cancelled: &dyn Fn() -> bool) -> Result<(), Refusal> {
        loop {
            if cancelled() {
                return Err(Refusal::Interrupted);
            }
            let wait = self.with_log(|calls, now| {
                if let Some(refusal) = self.exhausted(calls) {
                    return (Err(refusal), false);
                }
                match self.window_wait(calls, now) {
                    Some(ms) => (Ok(Some(ms)), false),
                    None => {
                        calls.push(now);
                        (Ok(None), true)
                    }
                }
            });
            match wait.map_err(Refusal::Io)?? {
                None => return Ok(()),
                // In slices, so a Ctrl-C is seen and other runs get their turn.
                Some(ms) => crate::clock::sleep(Duration::from_millis(ms.clamp(1, 200) as u64)),
            }
        }
    }

    /// Calls in the last 24 hours, and when the oldest of them leaves the day.
    pub fn used_last_day(&self) -> Result<(u64, Option<DateTime<Utc>>), UploadError> {
        self.with_log(|calls, _| {
            let oldest = calls.iter().min().map(|t| ms_to_time(t + DAY_MS));
            ((calls.len() as u64, oldest), false)
        })
    }

    /// The reason a request may not go today, without recording one (checked before a run
    /// starts, so a run that cannot send anything stops before journaling anything).
    pub fn check(&self) -> Result<Option<Refusal>, UploadError> {
        self.with_log(|calls, _| (self.exhausted(calls), false))
    }

    fn exhausted(&self, calls: &[i64]) -> Option<Refusal> {
        let quota = self.daily?;
        let used = calls.len() as u64;
        (used >= quota).then(|| {
            let oldest = calls.iter().min().copied().unwrap_or_default();
            Refusal::Exhausted { used, quota, free_at: ms_to_time(oldest + DAY_MS) }
        })
    }

    /// Milliseconds until a request fits the window; `None` when it fits now. Calls "in the
    /// future" (another process's fake clock ran ahead) count as in the window.
    fn window_wait(&self, calls: &[i64], now: i64) -> Option<i64> {
        let mut recent: Vec<i64> =
            calls.iter().copied().filter(|t| *t > now - self.window_ms).collect();
        if recent.len() < self.limit {
            return None;
        }
        recent.sort_unstable();
        // The one that must leave the window for this request to fit.
        let leaving = recent[recent.len() - self.limit];
        Some((leaving + self.window_ms - now).max(1))
    }

    /// Runs `f` on the day's calls under the file's lock; `f` says whether it changed them.
    fn with_log<T>(
        &self,
        f: impl FnOnce(&mut Vec<i64>, i64) -> (T, bool),
    ) -> Result<T, UploadError> {
        let io = |e| UploadError::io(&self.path, e);
        let mut file = open_log(&self.path).map_err(io)?;
        fs4::fs_std::FileExt::lock_exclusive(&file).map_err(io)?;
        let result = (|| {
            let now = crate::clock::now().timestamp_millis();
            let mut text = String::new();
            file.read_to_string(&mut text)?;
            let all: Vec<i64> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
            let mut calls: Vec<i64> = all.iter().copied().filter(|t| *t > now - DAY_MS).collect();
            let dropped = calls.len() < all.len();
            let (out, changed) = f(&mut calls, now);
            if changed || dropped {
                // A crash must not forget calls: the log is rewritten and synced before the
                // request it admits is sent.
                let mut body = format!("# {}\n", self.key.replace('\n', " "));
                for t in &calls {
                    body += &format!("{t}\n");
                }
                file.set_len(0)?;
                file.seek(SeekFrom::Start(0))?;
                file.write_all(body.as_bytes())?;
                file.sync_data()?;
            }
            Ok(out)
        })();
        let _ = fs4::fs_std::FileExt::unlock(&file);
        result.map_err(io)
    }
}

fn ms_to_time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// The call log tells when and how much a tenant provisions: 0600, in a 0700 directory.
fn open_log(path: &Path) -> std::io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    crate::sinks::open_private(path, &mut opts)
}

/// The tenant an Entra job belongs to: its tenant id when known (the same tenant reached
/// through another app or output directory shares the quota), else the service principal; with
/// the Graph host, since national clouds (and test emulators) are separate services.
pub fn entra_tenant_key(
    graph_host: &str,
    tenant_id: Option<&str>,
    service_principal: &str,
) -> String {
    match tenant_id.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => format!("entra:{graph_host}:tenant:{t}"),
        None => format!("entra:{graph_host}:sp:{service_principal}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(n: usize, ms: u64) -> RateSpec {
        RateSpec { requests: n, window: Duration::from_millis(ms) }
    }

    #[test]
    fn two_handles_share_one_window() {
        let dir = tempfile::tempdir().unwrap();
        // Two "runs" on the same tenant: 3 requests per 300ms between them (+50ms guard).
        let a = TenantQuota::open(dir.path(), "k", rate(3, 300), None).unwrap();
        let b = TenantQuota::open(dir.path(), "k", rate(3, 300), None).unwrap();
        let start = std::time::Instant::now();
        for q in [&a, &b, &a, &b, &a, &b, &a] {
            q.acquire(&|| false).unwrap();
        }
        // 7 requests at 3 per 350ms need at least two full windows.
        assert!(start.elapsed() >= Duration::from_millis(700), "{:?}", start.elapsed());
        let text = std::fs::read_to_string(a.path()).unwrap();
        let mut times: Vec<i64> = text.lines().filter_map(|l| l.parse().ok()).collect();
        times.sort_unstable();
        assert_eq!(times.len(), 7);
        for (i, t) in times.iter().enumerate() {
            assert!(times[i..].iter().filter(|u| **u - t < 300).count() <= 3);
        }
        // Another tenant has its own file.
        let other = TenantQuota::open(dir.path(), "k2", rate(3, 300), None).unwrap();
        assert_ne!(other.path(), a.path());
        assert_eq!(other.used_last_day().unwrap().0, 0);
    }

    #[test]
    fn the_daily_quota_counts_every_run_and_says_when_it_frees() {
        let dir = tempfile::tempdir().unwrap();
        let a = TenantQuota::open(dir.path(), "k", rate(100, 1000), Some(3)).unwrap();
        a.acquire(&|| false).unwrap();
        a.acquire(&|| false).unwrap();
        let b = TenantQuota::open(dir.path(), "k", rate(100, 1000), Some(3)).unwrap();
        assert!(b.check().unwrap().is_none());
        b.acquire(&|| false).unwrap();
        match b.acquire(&|| false) {
            Err(Refusal::Exhausted { used: 3, quota: 3, free_at }) => {
                assert!(free_at > Utc::now() + chrono::Duration::hours(23));
            }
            other => panic!("expected the quota to be exhausted, got {other:?}"),
        }
        assert!(matches!(a.check().unwrap(), Some(Refusal::Exhausted { .. })));
    }

    #[test]
    fn calls_older_than_a_day_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let q = TenantQuota::open(dir.path(), "k", rate(100, 1000), Some(2)).unwrap();
        let old = Utc::now().timestamp_millis() - DAY_MS - 1000;
        std::fs::write(q.path(), format!("# k\n{old}\n{old}\n")).unwrap();
        q.acquire(&|| false).unwrap();
        assert_eq!(q.used_last_day().unwrap().0, 1);
        let kept = std::fs::read_to_string(q.path()).unwrap();
        assert_eq!(kept.lines().filter(|l| !l.starts_with('#')).count(), 1);
    }

    #[test]
    fn the_state_dir_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let q = TenantQuota::open(&dir.path().join("s"), "k", rate(1, 1000), None).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(q.path().parent().unwrap()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        assert_eq!(state_dir(Some(Path::new("/q"))), Some(PathBuf::from("/q")));
    }

    #[test]
    fn a_tenant_is_named_by_its_id_when_known() {
        assert_eq!(
            entra_tenant_key("graph.microsoft.com", Some("t1"), "sp"),
            "entra:graph.microsoft.com:tenant:t1"
        );
        assert_eq!(entra_tenant_key("g", None, "sp"), "entra:g:sp:sp");
    }
}
