//! Command-line options shared by `upload` and `logs` (clap `Args` structs the CLI flattens).

use std::path::PathBuf;
use std::time::Duration;

/// Where batches go.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// Microsoft Entra API-driven inbound provisioning (Graph bulkUpload).
    Entra,
    /// Any SCIM 2.0 server (uses /Bulk when it advertises it, else /Users).
    Scim,
}

/// Which certificate thumbprint header the client assertion carries.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum X5t {
    /// `x5t`: base64url SHA-1 thumbprint (classic RS256 assertions).
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

fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("'{s}' is not a duration such as 30s ({e})"))
}

/// Where and how to send. Secrets are deliberately not flags: a client secret comes only from
/// `AZURE_CLIENT_SECRET` or `--client-secret-file`, a SCIM token only from an env var or file.
#[derive(clap::Args, Debug, Clone)]
pub struct TargetArgs {
    /// Target kind.
    #[arg(long, value_enum, default_value_t = TargetKind::Entra)]
    pub target: TargetKind,
    /// Entra "Provisioning API Endpoint" exactly as the portal shows it (v1.0 or beta).
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Object id of the provisioning app's service principal (with --job-id).
    #[arg(long, value_name = "ID")]
    pub service_principal: Option<String>,
    /// Provisioning job id, e.g. API2AAD.<hex>.<guid>.
    #[arg(long, value_name = "ID")]
    pub job_id: Option<String>,
    /// Microsoft Graph base URL (national clouds: https://graph.microsoft.us, ...).
    #[arg(long, value_name = "URL", default_value = "https://graph.microsoft.com")]
    pub graph_url: String,
    /// Token service base URL (national clouds: https://login.microsoftonline.us, ...).
    #[arg(long, value_name = "URL", default_value = "https://login.microsoftonline.com")]
    pub login_url: String,
    /// Directory (tenant) id.
    #[arg(long, env = "AZURE_TENANT_ID", value_name = "ID")]
    pub tenant_id: Option<String>,
    /// Application (client) id; with --managed-identity, selects a user-assigned identity.
    #[arg(long, env = "AZURE_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,
    /// File holding the client secret (else the AZURE_CLIENT_SECRET environment variable).
    #[arg(long, value_name = "FILE")]
    pub client_secret_file: Option<PathBuf>,
    /// PEM file with the private key and the certificate, for a signed client assertion.
    #[arg(long, env = "AZURE_CLIENT_CERTIFICATE_PATH", value_name = "PEM")]
    pub certificate: Option<PathBuf>,
    /// Thumbprint header of the client assertion.
    #[arg(long, value_enum, default_value_t = X5t::Sha1)]
    pub x5t: X5t,
    /// File holding a bearer token (raw, or the JSON of `az account get-access-token`); with
    /// --target scim, the SCIM server's token.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Use the Azure managed identity (App Service IDENTITY_ENDPOINT, else IMDS).
    #[arg(long)]
    pub managed_identity: bool,
    /// SCIM base URL for --target scim (the URL serving /ServiceProviderConfig).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Environment variable holding the SCIM bearer token.
    #[arg(long, value_name = "NAME", default_value = "SCIM_TOKEN")]
    pub token_env: String,
    /// At most N requests in any window, e.g. 40/5s (Entra's documented limit).
    #[arg(long, value_name = "N/WINDOW", default_value = "40/5s")]
    pub rate: RateSpec,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Calls allowed per rolling 24 hours, tracked in the journal (Entra: 2000 with P1/P2,
    /// 6000 with Governance). Default: 2000 for Entra, unlimited for SCIM.
    #[arg(long, value_name = "N")]
    pub daily_quota: Option<u64>,
    /// Journal directory (default: DIR/journal next to the batches).
    #[arg(long, value_name = "DIR")]
    pub journal: Option<PathBuf>,
    /// Timeout of one HTTP request.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Retries of one batch after 429, 5xx, timeouts or connection failures.
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub max_retries: u32,
    /// First backoff delay when the server gives no Retry-After (doubles, with jitter).
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration, hide = true)]
    pub backoff_base: Duration,
    /// Do everything except the network: print what would be sent where and how long it takes.
    #[arg(long)]
    pub dry_run: bool,
}

/// Output format of `hr2scim logs`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogsFormat {
    Table,
    Json,
}

/// Options of `hr2scim logs`.
#[derive(clap::Args, Debug, Clone)]
pub struct LogsArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Only records newer than this, e.g. 2h.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "cycle")]
    pub since: Option<Duration>,
    /// Only records of this provisioning cycle.
    #[arg(long, value_name = "ID")]
    pub cycle: Option<String>,
    /// Only records with this status (success, failure, skipped, warning).
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Only records of this source externalId (repeatable).
    #[arg(long = "external-id", value_name = "ID")]
    pub external_ids: Vec<String>,
    /// Poll until every externalId of the last upload (from the journal) has a record.
    #[arg(long)]
    pub wait: bool,
    /// Give up waiting after this long.
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = parse_duration)]
    pub wait_timeout: Duration,
    /// First delay between polls (grows by half each poll, at most 2 minutes).
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = parse_duration, hide = true)]
    pub poll_interval: Duration,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LogsFormat::Table)]
    pub format: LogsFormat,
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
}
