//! The flags that say where and how to send (`upload`, `logs`), and their mapping into the
//! upload's plain options.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::values::{LogsFormatArg, TargetKindArg, X5tArg};
use crate::upload::{
    LogsQuery, RateSpec, TargetOptions, UploadConfig, UploadError, MAX_CONCURRENCY,
};

fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("'{s}' is not a duration such as 30s ({e})"))
}

/// Where and how to send. Secrets are deliberately not flags: a client secret comes only from
/// `AZURE_CLIENT_SECRET` or `--client-secret-file`, a SCIM token only from an env var or file.
#[derive(Args, Debug, Clone)]
pub struct TargetArgs {
    /// Target kind.
    #[arg(long, value_enum, default_value_t = TargetKindArg::Entra)]
    pub target: TargetKindArg,
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
    #[arg(long, value_name = "URL", default_value_t = TargetOptions::default().graph_url)]
    pub graph_url: String,
    /// Token service base URL (national clouds: https://login.microsoftonline.us, ...).
    #[arg(long, value_name = "URL", default_value_t = TargetOptions::default().login_url)]
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
    #[arg(long, value_enum, default_value_t = X5tArg::Sha1)]
    pub x5t: X5tArg,
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
    #[arg(long, value_name = "NAME", default_value_t = TargetOptions::default().token_env)]
    pub token_env: String,
    /// At most N requests in any window, e.g. 40/5s (Entra's documented limit).
    #[arg(long, value_name = "N/WINDOW", default_value_t = TargetOptions::default().rate)]
    pub rate: RateSpec,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = TargetOptions::default().concurrency, value_parser = clap::value_parser!(u16).range(1..=MAX_CONCURRENCY as i64))]
    pub concurrency: u16,
    /// Calls allowed per rolling 24 hours for the tenant, counted over every run on this
    /// machine (Entra: 2000 with P1/P2, 6000 with Governance). Default: 2000 for Entra,
    /// unlimited for SCIM.
    #[arg(long, value_name = "N")]
    pub daily_quota: Option<u64>,
    /// Where each tenant's call log lives (daily quota and pacing shared by every run on this
    /// machine). Default: $XDG_STATE_HOME/hr2scim (~/.local/state/hr2scim; Windows:
    /// %LOCALAPPDATA%\hr2scim). In a container, point it at a mounted volume.
    #[arg(long, env = "HR2SCIM_STATE_DIR", value_name = "DIR")]
    pub quota_dir: Option<PathBuf>,
    /// Journal directory (default: DIR/journal next to the batches).
    #[arg(long, value_name = "DIR")]
    pub journal: Option<PathBuf>,
    /// Timeout of one HTTP request.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Retries of one batch after 429, 5xx, timeouts or connection failures.
    #[arg(long, value_name = "N", default_value_t = TargetOptions::default().max_retries)]
    pub max_retries: u32,
    /// First backoff delay when the server gives no Retry-After (doubles, with jitter).
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration, hide = true)]
    pub backoff_base: Duration,
    /// Do everything except the network: print what would be sent where and how long it takes.
    #[arg(long)]
    pub dry_run: bool,
}

/// Options of `hr2scim logs`.
#[derive(Args, Debug, Clone)]
#[command(after_help = concat!("Reading the logs needs the Graph permission AuditLog.Read.All.\n\n", super::exit_codes_help!()))]
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
    #[arg(long, value_enum, default_value_t = LogsFormatArg::Table)]
    pub format: LogsFormatArg,
}

impl TargetArgs {
    /// The upload's options, as a library caller would write them.
    pub fn options(&self) -> TargetOptions {
        TargetOptions {
            target: self.target.into(),
            endpoint: self.endpoint.clone(),
            service_principal: self.service_principal.clone(),
            job_id: self.job_id.clone(),
            graph_url: self.graph_url.clone(),
            login_url: self.login_url.clone(),
            tenant_id: self.tenant_id.clone(),
            client_id: self.client_id.clone(),
            client_secret_file: self.client_secret_file.clone(),
            certificate: self.certificate.clone(),
            x5t: self.x5t.into(),
            token_file: self.token_file.clone(),
            managed_identity: self.managed_identity,
            url: self.url.clone(),
            token_env: self.token_env.clone(),
            rate: self.rate,
            concurrency: self.concurrency,
            daily_quota: self.daily_quota,
            journal: self.journal.clone(),
            quota_dir: self.quota_dir.clone(),
            timeout: self.timeout,
            max_retries: self.max_retries,
            backoff_base: self.backoff_base,
            dry_run: self.dry_run,
        }
    }

    /// The validated configuration (clap already enforced the ranges, so this fails only for
    /// values clap cannot see).
    pub fn config(&self) -> Result<UploadConfig, UploadError> {
        self.options().validate()
    }
}

impl LogsArgs {
    pub fn query(&self) -> Result<LogsQuery, UploadError> {
        Ok(LogsQuery {
            target: self.target.config()?,
            since: self.since,
            cycle: self.cycle.clone(),
            status: self.status.clone(),
            external_ids: self.external_ids.clone(),
            wait: self.wait,
            wait_timeout: self.wait_timeout,
            poll_interval: self.poll_interval,
            format: self.format.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        t: TargetArgs,
    }

    #[derive(Parser)]
    struct L {
        #[command(flatten)]
        l: LogsArgs,
    }

    #[test]
    fn bare_flags_are_the_core_defaults() {
        // The env-backed flags would read the test's environment; only their absence is compared.
        let mut o = T::parse_from(["t"]).t.options();
        (o.tenant_id, o.client_id, o.certificate, o.quota_dir) = (None, None, None, None);
        assert_eq!(o, TargetOptions::default());
        let mut q = L::parse_from(["l"]).l.query().unwrap();
        let mut target = (*q.target).clone();
        (target.tenant_id, target.client_id, target.certificate, target.quota_dir) =
            (None, None, None, None);
        q.target = target.validate().unwrap();
        assert_eq!(q, LogsQuery::new(TargetOptions::default().validate().unwrap()));
    }

    #[test]
    fn flags_reach_the_options() {
        let o = T::parse_from([
            "t",
            "--target",
            "scim",
            "--url",
            "https://scim.example",
            "--x5t",
            "sha256",
            "--rate",
            "10/1s",
            "--concurrency",
            "2",
            "--timeout",
            "5s",
            "--dry-run",
            "--quota-dir",
            "/q",
        ])
        .t
        .options();
        assert_eq!(o.target, crate::upload::TargetKind::Scim);
        assert_eq!(o.x5t, crate::upload::X5t::Sha256);
        assert_eq!((o.rate.requests, o.concurrency, o.timeout), (10, 2, Duration::from_secs(5)));
        assert!(o.dry_run && o.url.as_deref() == Some("https://scim.example"));
        assert_eq!(o.quota_dir.as_deref(), Some(std::path::Path::new("/q")));
        assert!(T::try_parse_from(["t", "--concurrency", "65"]).is_err());
        let q =
            L::parse_from(["l", "--format", "json", "--wait", "--since", "2h"]).l.query().unwrap();
        assert_eq!(q.format, crate::upload::LogsFormat::Json);
        assert!(q.wait && q.since == Some(Duration::from_secs(7200)));
    }
}
