//! The job's synchronization schema over Graph: `schema pull` (GET, saved 0600) and `schema push`
//! (backup, re-read, PUT, read back). Same endpoint options, client and credentials as
//! `upload`. Graph documents no ETag for the schema, so a push re-reads it right before its PUT
//! and refuses if anything changed since the read its change was planned on: that narrows the
//! window in which a portal edit would be overwritten to one round trip.

use serde_json::Value as Json;
use std::path::{Path, PathBuf};

use super::endpoint::{resolve_entra, EntraEndpoint};
use super::graph::{Graph, Request};
use super::{TargetKind, UploadConfig, UploadError};
use crate::jobschema::push::{apply, verify};
use crate::jobschema::JobSchema;

const READ_PERMISSION: &str = "Reading the job schema needs the Graph permission \
    Synchronization.Read.All (or Synchronization.ReadWrite.All), admin consent granted.";
const WRITE_PERMISSION: &str = "Changing the job schema needs the Graph permission \
    Synchronization.ReadWrite.All (admin consent granted); delegated callers also need the \
    Application Administrator or Cloud Application Administrator role.";

/// GET and PUT of one job's schema.
pub struct SchemaApi {
    graph: Graph,
    url: String,
    /// The job id, for backup file names.
    pub job_id: String,
}

impl SchemaApi {
    pub fn new(cfg: &UploadConfig) -> Result<SchemaApi, UploadError> {
        if cfg.target != TargetKind::Entra {
            return Err(UploadError::Config(
                "the job schema belongs to an Entra provisioning job: use --target entra with \
                 --endpoint (or --service-principal and --job-id)"
                    .into(),
            ));
        }
        let ep: EntraEndpoint = resolve_entra(cfg)?;
        let url = ep.bulk_url.as_str().trim_end_matches("/bulkUpload").to_string() + "/schema";
        Ok(SchemaApi { graph: Graph::for_entra(cfg, &ep.scope)?, url, job_id: ep.job_id })
    }

    /// The schema as Graph returns it.
    pub fn get(&self) -> Result<Json, UploadError> {
        let text = self.send(None)?;
        serde_json::from_str(&text).map_err(|e| UploadError::Network {
            url: self.url.clone(),
            message: format!("the schema is not JSON: {e}"),
        })
    }

    /// Replace the whole schema (Graph answers 204).
    pub fn put(&self, schema: &Json) -> Result<(), UploadError> {
        self.send(Some(&schema.to_string())).map(|_| ())
    }

    fn send(&self, put: Option<&str>) -> Result<String, UploadError> {
        let forbidden = if put.is_some() { WRITE_PERMISSION } else { READ_PERMISSION };
        let req = Request { url: &self.url, put, forbidden };
        self.graph
            .send(&req)?
            .text()
            .map_err(|e| UploadError::Network { url: self.url.clone(), message: e.to_string() })
    }
}

/// The job's schema read live (live `schema check`, `simulate`, `upload --live-job-schema`):
/// the same GET as `schema pull`, parsed into the typed model instead of saved.
pub fn fetch(cfg: &UploadConfig) -> Result<JobSchema, UploadError> {
    let api = SchemaApi::new(cfg)?;
    let raw = api.get()?;
    serde_json::from_value(raw).map_err(|e| UploadError::Network {
        url: api.url.clone(),
        message: format!("the answer is not a synchronization schema: {e}"),
    })
}

/// Pretty JSON, written atomically and 0600 (a schema names the tenant's attributes and rules).
pub fn save(path: &Path, schema: &Json) -> Result<(), UploadError> {
    let mut text = serde_json::to_string_pretty(schema)
        .map_err(|e| UploadError::Config(format!("cannot serialise the schema: {e}")))?;
    text.push('\n');
    crate::sinks::write_atomic(path, text.as_bytes()).map_err(|e| UploadError::io(path, e))
}

/// How a push ended.
#[derive(Debug)]
pub struct Pushed {
    /// The schema as it was before the change.
    pub backup: PathBuf,
    /// The version Graph gave the saved schema.
    pub version: Option<String>,
}

/// Save `before` as a backup in `backup_dir`, check that the job's schema is still `before`,
/// PUT `before` with `ops` applied, read it back and verify it.
pub fn push(
    api: &SchemaApi,
    before: &Json,
    ops: &[Json],
    backup_dir: &Path,
) -> Result<Pushed, UploadError> {
    let stamp = crate::clock::now().format("%Y%m%dT%H%M%SZ");
    let safe_id: String = api
        .job_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' })
        .collect();
    let backup = backup_dir.join(format!("schema.{safe_id}.{stamp}.json"));
    save(&backup, before)?;
    let mut after = before.clone();
    apply(&mut after, ops).map_err(UploadError::Config)?;
    if let Some(o) = after.as_object_mut() {
        o.remove("@odata.context");
    }
    let now = api.get()?;
    if now != *before {
        let v = |s: &Json| s["version"].as_str().unwrap_or("?").to_string();
        return Err(UploadError::Config(format!(
            "the job schema changed since it was read (version {} -> {}): someone edited it, \
             probably in the portal. Nothing was written; run the push again to plan on the \
             current schema (the backup of the earlier one is {}).",
            v(before),
            v(&now),
            backup.display()
        )));
    }
    api.put(&after)?;
    let read_back = api.get()?;
    verify(&after, &read_back).map_err(|why| {
        UploadError::Config(format!(
            "the push was sent but {why}. To restore, PUT the backup {} (hr2scim schema push \
             does not do it for you).",
            backup.display()
        ))
    })?;
    Ok(Pushed { backup, version: read_back["version"].as_str().map(str::to_string) })
}
