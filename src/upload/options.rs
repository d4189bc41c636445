//! What `upload` and `logs` are told: plain option structs (the CLI, a library caller or a
//! profile fills them), and the validated configuration an upload runs with.

use std::path::PathBuf;
use std::time::Duration;

use super::UploadError;

/// Where batches go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TargetKind {
    /// Microsoft Entra API-driven inbound provisioning (Graph bulkUpload).
    #[default]
    Entra,
    /// Any SCIM 2.0 server (uses /Bulk when it advertises it, else /Users).
    Scim,
}

/// Which certificate thumbprint header the client assertion carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum X5t {
    /// `x5t`: base64url SHA-1 thumbprint (classic RS256 assertions).
    #[default]
    Sha1,
    /// `x5t#S256`: base64url SHA-256 thumbprint.
    Sha256,
}

/// `N/DURATION`: at most N requests in any window of DURATION, e.g. `40/5s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateSpec {
    pub requests: usize,
    pub window: Duration,
}

impl std::str::FromStr for RateSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("'{s}' is not a rate; write N/DURATION such as 40/5s");
        let (n, w) = s.split_once('/').ok_or_else(bad)?;
        let requests: usize = n.trim().parse().map_err(|_| bad())?;
        let window = humantime::parse_duration(w.trim()).map_err(|_| bad())?;
        if requests == 0 || window.is_zero() {
            return Err(format!("'{s}': both the count and the window must be above zero"));
        }
        Ok(RateSpec { requests, window })
    }
}

impl std::fmt::Display for RateSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.requests, humantime::format_duration(self.window))
    }
}

/// Where and how to send. Secrets are deliberately not options: a client secret comes only from
/// `AZURE_CLIENT_SECRET` or a secret file, a SCIM token only from an env var or file.
/// `Default` holds the documented defaults (those of the command-line flags).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetOptions {
    pub target: TargetKind,
    /// Entra "Provisioning API Endpoint" exactly as the portal shows it (v1.0 or beta).
    pub endpoint: Option<String>,
    /// Object id of the provisioning app's service principal (with `job_id`).
    pub service_principal: Option<String>,
    /// Provisioning job id, e.g. API2AAD.<hex>.<guid>.
    pub job_id: Option<String>,
    /// Microsoft Graph base URL (national clouds differ).
    pub graph_url: String,
    /// Token service base URL (national clouds differ).
    pub login_url: String,
    /// Directory (tenant) id.
    pub tenant_id: Option<String>,
    /// Application (client) id; with `managed_identity`, selects a user-assigned identity.
    pub client_id: Option<String>,
    /// File holding the client secret (else the AZURE_CLIENT_SECRET environment variable).
    pub client_secret_file: Option<PathBuf>,
    /// PEM file with the private key and the certificate, for a signed client assertion.
    pub certificate: Option<PathBuf>,
    pub x5t: X5t,
    /// File holding a bearer token; for a SCIM target, the SCIM server's token.
    pub token_file: Option<PathBuf>,
    pub managed_identity: bool,
    /// SCIM base URL for a SCIM target.
    pub url: Option<String>,
    /// Environment variable holding the SCIM bearer token.
    pub token_env: String,
    pub rate: RateSpec,
    /// Requests in flight at once (1 to [`MAX_CONCURRENCY`]).
    pub concurrency: u16,
    /// Calls allowed per rolling 24 hours; `None`: 2000 for Entra, unlimited for SCIM.
    pub daily_quota: Option<u64>,
    /// Journal directory (`None`: DIR/journal next to the batches).
    pub journal: Option<PathBuf>,
    /// Per-user state directory holding each tenant's call log (daily quota and pacing shared
    /// by every run on the machine). `None`: `$HR2SCIM_STATE_DIR`, else the platform's
    /// (`$XDG_STATE_HOME/hr2scim`, `~/.local/state/hr2scim`, `%LOCALAPPDATA%\hr2scim`).
    pub quota_dir: Option<PathBuf>,
    pub timeout: Duration,
    pub max_retries: u32,
    pub backoff_base: Duration,
    pub dry_run: bool,
}

/// The most requests in flight an upload accepts.
pub const MAX_CONCURRENCY: u16 = 64;

impl Default for TargetOptions {
    fn default() -> Self {
        TargetOptions {
            target: TargetKind::Entra,
            endpoint: None,
            service_principal: None,
            job_id: None,
            graph_url: "https://graph.microsoft.com".into(),
            login_url: "https://login.microsoftonline.com".into(),
            tenant_id: None,
            client_id: None,
            client_secret_file: None,
            certificate: None,
            x5t: X5t::Sha1,
            token_file: None,
            managed_identity: false,
            url: None,
            token_env: "SCIM_TOKEN".into(),
            // Entra's documented limit.
            rate: RateSpec { requests: 40, window: Duration::from_secs(5) },
            concurrency: 4,
            daily_quota: None,
            journal: None,
            quota_dir: None,
            timeout: Duration::from_secs(60),
            max_retries: 6,
            backoff_base: Duration::from_secs(2),
            dry_run: false,
        }
    }
}

impl TargetOptions {
    /// Checks what the sending threads and the limiter rely on; the rest (URLs, credentials) is
    /// checked when the upload starts, as it always was.
    pub fn validate(self) -> Result<UploadConfig, UploadError> {
        if !(1..=MAX_CONCURRENCY).contains(&self.concurrency) {
            return Err(UploadError::Config(format!(
                "concurrency {} is outside 1..={MAX_CONCURRENCY}.",
                self.concurrency
            )));
        }
        if self.rate.requests == 0 || self.rate.window.is_zero() {
            return Err(UploadError::Config(format!(
                "rate {}: both the count and the window must be above zero.",
                self.rate
            )));
        }
        Ok(UploadConfig(self))
    }
}

/// [`TargetOptions`] that passed [`TargetOptions::validate`]: the only way to start an upload.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadConfig(TargetOptions);

impl std::ops::Deref for UploadConfig {
    type Target = TargetOptions;
    fn deref(&self) -> &TargetOptions {
        &self.0
    }
}

impl UploadConfig {
    /// The same configuration with another journal directory.
    pub fn with_journal(mut self, dir: PathBuf) -> UploadConfig {
        self.0.journal = Some(dir);
        self
    }
}

/// Output format of `hr2scim logs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogsFormat {
    #[default]
    Table,
    Json,
}

/// What `logs` reads and how it reports.
#[derive(Debug, Clone, PartialEq)]
pub struct LogsQuery {
    pub target: UploadConfig,
    /// Only records newer than this.
    pub since: Option<Duration>,
    /// Only records of this provisioning cycle.
    pub cycle: Option<String>,
    /// Only records with this status (success, failure, skipped, warning).
    pub status: Option<String>,
    /// Only records of these source externalIds.
    pub external_ids: Vec<String>,
    /// Poll until every externalId of the last upload (from the journal) has a record.
    pub wait: bool,
    /// Give up waiting after this long.
    pub wait_timeout: Duration,
    /// First delay between polls (grows by half each poll, at most 2 minutes).
    pub poll_interval: Duration,
    pub format: LogsFormat,
}

impl LogsQuery {
    /// Every record of the target, with the default waiting times.
    pub fn new(target: UploadConfig) -> LogsQuery {
        LogsQuery {
            target,
            since: None,
            cycle: None,
            status: None,
            external_ids: Vec::new(),
            wait: false,
            wait_timeout: Duration::from_secs(30 * 60),
            poll_interval: Duration::from_secs(15),
            format: LogsFormat::Table,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_spec_parses_and_rejects() {
        let r: RateSpec = "40/5s".parse().unwrap();
        assert_eq!(r, RateSpec { requests: 40, window: Duration::from_secs(5) });
        assert_eq!("1000/100ms".parse::<RateSpec>().unwrap().window, Duration::from_millis(100));
        assert!("40".parse::<RateSpec>().is_err());
        assert!("0/5s".parse::<RateSpec>().is_err());
        assert!("x/5s".parse::<RateSpec>().is_err());
    }

    #[test]
    fn validation_refuses_what_the_sender_cannot_run() {
        assert!(TargetOptions::default().validate().is_ok());
        let none = TargetOptions { concurrency: 0, ..TargetOptions::default() };
        assert!(none.validate().unwrap_err().to_string().contains("concurrency"));
        let many = TargetOptions { concurrency: 65, ..TargetOptions::default() };
        assert!(many.validate().is_err());
        let rate = RateSpec { requests: 0, window: Duration::from_secs(1) };
        assert!(TargetOptions { rate, ..TargetOptions::default() }.validate().is_err());
    }
}
