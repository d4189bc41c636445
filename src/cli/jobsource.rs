//! Where `check`, `schema check` and `simulate` read the job's schema from: a saved file
//! (`--job-schema FILE`) or the job itself, live, through the target and auth options of
//! `schema pull`.

use std::path::{Path, PathBuf};

use clap::Args;

use super::values::X5tArg;
use crate::jobschema::JobSchema;
use crate::upload::{TargetKind, TargetOptions};

/// The job to read the schema from live: `schema pull`'s target and auth options, without the
/// upload's pacing and journal flags (one GET needs none of them).
#[derive(Args, Debug, Clone, Default)]
pub struct LiveJobArgs {
    /// Read the job's schema live from this Entra "Provisioning API Endpoint" (instead of
    /// --job-schema FILE). Needs Synchronization.Read.All.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Object id of the provisioning app's service principal (with --job-id), to read the job's
    /// schema live.
    #[arg(long, value_name = "ID")]
    pub service_principal: Option<String>,
    /// Provisioning job id, e.g. API2AD.<hex>.<guid> (with --service-principal).
    #[arg(long, value_name = "ID")]
    pub job_id: Option<String>,
    /// Microsoft Graph base URL (national clouds).
    #[arg(long, value_name = "URL")]
    pub graph_url: Option<String>,
    /// Token service base URL (national clouds).
    #[arg(long, value_name = "URL")]
    pub login_url: Option<String>,
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
    #[arg(long, value_enum)]
    pub x5t: Option<X5tArg>,
    /// File holding a bearer token (raw, or the JSON of `az account get-access-token`).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Use the Azure managed identity (App Service IDENTITY_ENDPOINT, else IMDS).
    #[arg(long)]
    pub managed_identity: bool,
}

impl LiveJobArgs {
    /// Whether a job was named: the credentials alone (often in the environment) name none.
    pub fn names_a_job(&self) -> bool {
        self.endpoint.is_some() || self.service_principal.is_some() || self.job_id.is_some()
    }

    /// The target options `schema pull` would fill from the same flags.
    pub fn options(&self) -> TargetOptions {
        let d = TargetOptions::default();
        TargetOptions {
            target: TargetKind::Entra,
            endpoint: self.endpoint.clone(),
            service_principal: self.service_principal.clone(),
            job_id: self.job_id.clone(),
            graph_url: self.graph_url.clone().unwrap_or(d.graph_url),
            login_url: self.login_url.clone().unwrap_or(d.login_url),
            tenant_id: self.tenant_id.clone(),
            client_id: self.client_id.clone(),
            client_secret_file: self.client_secret_file.clone(),
            certificate: self.certificate.clone(),
            x5t: self.x5t.map_or(d.x5t, Into::into),
            token_file: self.token_file.clone(),
            managed_identity: self.managed_identity,
            ..d
        }
    }
}

/// A job schema and where it came from (for messages).
pub struct LoadedJob {
    pub schema: JobSchema,
    pub origin: String,
}

/// The job schema of a command: the file, the live job, or none; both is an error, since the
/// two could disagree and a check against the wrong one passes silently.
pub fn load(file: Option<&Path>, live: &LiveJobArgs) -> Result<Option<LoadedJob>, String> {
    match (file, live.names_a_job()) {
        (Some(f), true) => Err(format!(
            "both --job-schema {} and a job (--endpoint, or --service-principal with --job-id) \
             were given: the schema comes from one of them; drop --job-schema to read the \
             job's current schema, or the job options to use the saved file",
            f.display()
        )),
        (Some(f), false) => Ok(Some(LoadedJob {
            schema: crate::jobschema::load(f)?,
            origin: f.display().to_string(),
        })),
        (None, true) => {
            let cfg = live.options().validate().map_err(|e| e.to_string())?;
            let schema = crate::upload::jobschema_api::fetch(&cfg)
                .map_err(|e| format!("cannot read the job's schema: {e}"))?;
            Ok(Some(LoadedJob { schema, origin: "the job's schema (read live)".into() }))
        }
        (None, false) => Ok(None),
    }
}
