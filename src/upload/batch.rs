//! Batches to send: reading `bulk-*.json` files and re-validating every documented bulkUpload rule.
//!
//! A directory `convert` wrote holds a manifest (`sinks::Manifest`): only the batches it lists,
//! unchanged, are sent; another `bulk-*.json` dropped in is left alone with a warning, and a
//! listed batch that was changed stops the upload. A directory without a manifest (batches
//! written by an earlier release, or by hand) sends every `bulk-<number>.json` it holds, with a
//! warning.

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value as Json;

use super::UploadError;
use crate::sinks::manifest::{self, Listed, Manifest, MANIFEST_NAME};

pub const BULK_REQUEST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
pub const CORE_USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const ENTERPRISE_USER_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// Entra's documented ceiling of operations per bulkUpload request.
pub const MAX_OPERATIONS: usize = 50;

/// One BulkRequest, the unit that is sent, journaled and skipped on a rerun.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// 1-based sequence number (the number in `bulk-00007.json`).
    pub seq: u64,
    /// Compact BulkRequest JSON, exactly the bytes that are sent and hashed.
    pub body: Vec<u8>,
    pub external_ids: Vec<String>,
    pub operations: usize,
}

impl Batch {
    /// Validates a BulkRequest and makes it compact; `origin` names it in error messages.
    pub fn from_json(seq: u64, bytes: &[u8], origin: &str) -> Result<Batch, UploadError> {
        let doc: Json = serde_json::from_slice(bytes)
            .map_err(|e| UploadError::invalid(origin, format!("it is not JSON ({e})")))?;
        let external_ids = validate_bulk_request(&doc, MAX_OPERATIONS)
            .map_err(|reason| UploadError::invalid(origin, reason))?;
        // Re-serialising makes the hash independent of whitespace in the file.
        let body = serde_json::to_vec(&doc)
            .map_err(|e| UploadError::invalid(origin, format!("it cannot be re-encoded ({e})")))?;
        Ok(Batch { seq, body, operations: external_ids.len(), external_ids })
    }

    /// Lowercase hex sha256 of the body: the identity of the batch in the journal.
    pub fn hash(&self) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&self.body))
    }
}

/// Checks the envelope Entra checks synchronously; returns the externalIds in operation order.
pub fn validate_bulk_request(doc: &Json, max_ops: usize) -> Result<Vec<String>, String> {
    let schemas = doc.get("schemas").and_then(Json::as_array).ok_or("\"schemas\" is missing")?;
    if schemas.len() != 1 || schemas[0].as_str() != Some(BULK_REQUEST_URN) {
        return Err(format!("\"schemas\" must be exactly [\"{BULK_REQUEST_URN}\"]"));
    }
    let ops = doc
        .get("Operations")
        .and_then(Json::as_array)
        .ok_or("\"Operations\" (capital O) is missing or not an array")?;
    if ops.is_empty() {
        return Err("\"Operations\" is empty".into());
    }
    if ops.len() > max_ops {
        return Err(format!("it has {} operations, more than the limit of {max_ops}", ops.len()));
    }
    let mut bulk_ids = HashSet::new();
    let mut external_ids = Vec::with_capacity(ops.len());
    for (i, op) in ops.iter().enumerate() {
        let n = i + 1;
        if op.get("method").and_then(Json::as_str) != Some("POST") {
            return Err(format!("operation {n}: \"method\" must be \"POST\""));
        }
        if op.get("path").and_then(Json::as_str) != Some("/Users") {
            return Err(format!("operation {n}: \"path\" must be \"/Users\""));
        }
        let bulk_id = op
            .get("bulkId")
            .and_then(Json::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| format!("operation {n}: \"bulkId\" is missing or empty"))?;
        if !bulk_ids.insert(bulk_id) {
            return Err(format!("operation {n}: bulkId \"{bulk_id}\" is used twice"));
        }
        let data = op
            .get("data")
            .filter(|d| d.is_object())
            .ok_or_else(|| format!("operation {n}: \"data\" is missing or not an object"))?;
        let data_schemas: Vec<&str> = data
            .get("schemas")
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        for urn in [CORE_USER_URN, ENTERPRISE_USER_URN] {
            if !data_schemas.contains(&urn) {
                return Err(format!("operation {n}: data.schemas lacks \"{urn}\""));
            }
        }
        let external_id = data
            .get("externalId")
            .and_then(Json::as_str)
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| format!("operation {n}: data.externalId is missing or empty"))?;
        external_ids.push(external_id.to_string());
    }
    Ok(external_ids)
}

/// Reads the batches of `DIR` in numeric order and validates each file: those its manifest
/// lists (see the module docs), or every `bulk-<number>.json` when it has none.
pub fn batches_from_dir(dir: &Path) -> Result<Vec<Batch>, UploadError> {
    let manifest = Manifest::load(dir).map_err(|e| UploadError::io(dir, e))?;
    let Some(manifest) = manifest else {
        let batches = every_batch_file(dir)?;
        eprintln!(
            "warning: {} has no {MANIFEST_NAME} (not written by `hr2scim convert` of this release): sending every bulk-<number>.json in it",
            dir.display()
        );
        return Ok(batches);
    };
    if !manifest.complete {
        return Err(UploadError::Config(format!(
            "the last `hr2scim convert` into {} did not finish (killed?), so its batches are incomplete: run it again, then upload",
            dir.display()
        )));
    }
    let mut listed: Vec<(usize, &Listed)> = manifest
        .files
        .iter()
        .filter_map(|f| manifest::batch_number(&f.name).map(|n| (n, f)))
        .collect();
    listed.sort_by_key(|(n, _)| *n);
    for entry in std::fs::read_dir(dir).map_err(|e| UploadError::io(dir, e))? {
        let name = entry.map_err(|e| UploadError::io(dir, e))?.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("bulk-") && name.ends_with(".json") && manifest.listed(&name).is_none()
        {
            eprintln!(
                "warning: {} was not written by `hr2scim convert` (not in {MANIFEST_NAME}): not sent",
                dir.join(&*name).display()
            );
        }
    }
    if listed.is_empty() {
        return Err(UploadError::NoBatches(dir.to_path_buf()));
    }
    listed
        .into_iter()
        .map(|(n, l)| {
            let path = dir.join(&l.name);
            let shown = path.display().to_string();
            let meta = std::fs::symlink_metadata(&path).map_err(|e| UploadError::io(&path, e))?;
            let bytes = if meta.is_file() {
                std::fs::read(&path).map_err(|e| UploadError::io(&path, e))?
            } else {
                Vec::new()
            };
            if !l.matches_bytes(&bytes) {
                return Err(UploadError::invalid(
                    shown,
                    format!("it was changed since `hr2scim convert` wrote it (its size or digest differs from {MANIFEST_NAME}), and is not sent"),
                ));
            }
            Batch::from_json(n as u64, &bytes, &shown)
        })
        .collect()
}

/// Every `bulk-<number>.json` of a directory without a manifest.
fn every_batch_file(dir: &Path) -> Result<Vec<Batch>, UploadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| UploadError::io(dir, e))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| UploadError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(num) = name.strip_prefix("bulk-").and_then(|r| r.strip_suffix(".json")) {
            let seq = num
                .parse::<u64>()
                .map_err(|_| UploadError::invalid(&name, "its name is not bulk-<number>.json"))?;
            files.push((seq, entry.path()));
        }
    }
    if files.is_empty() {
        return Err(UploadError::NoBatches(dir.to_path_buf()));
    }
    files.sort();
    files
        .into_iter()
        .map(|(seq, path)| {
            let bytes = std::fs::read(&path).map_err(|e| UploadError::io(&path, e))?;
            Batch::from_json(seq, &bytes, &path.display().to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(id: &str) -> Json {
        json!({"method":"POST","bulkId":id,"path":"/Users","data":{
            "schemas":[CORE_USER_URN, ENTERPRISE_USER_URN],"externalId":id,"userName":id}})
    }

    fn req(ops: Vec<Json>) -> Json {
        json!({"schemas":[BULK_REQUEST_URN],"Operations":ops})
    }

    #[test]
    fn a_valid_request_yields_its_external_ids() {
        assert_eq!(validate_bulk_request(&req(vec![op("a"), op("b")]), 50).unwrap(), ["a", "b"]);
    }

    #[test]
    fn every_documented_rule_is_enforced() {
        let too_many: Vec<Json> = (0..51).map(|i| op(&i.to_string())).collect();
        assert!(validate_bulk_request(&req(too_many), 50).unwrap_err().contains("51 operations"));
        assert!(validate_bulk_request(&req(vec![op("a"), op("a")]), 50)
            .unwrap_err()
            .contains("used twice"));
        let mut bad = op("a");
        bad["method"] = json!("DELETE");
        assert!(validate_bulk_request(&req(vec![bad]), 50).unwrap_err().contains("method"));
        let mut bad = op("a");
        bad["path"] = json!("/Groups");
        assert!(validate_bulk_request(&req(vec![bad]), 50).unwrap_err().contains("path"));
        let mut bad = op("a");
        bad["data"]["schemas"] = json!([CORE_USER_URN]);
        assert!(validate_bulk_request(&req(vec![bad]), 50).unwrap_err().contains("enterprise"));
        let mut bad = op("a");
        bad["data"].as_object_mut().unwrap().remove("externalId");
        assert!(validate_bulk_request(&req(vec![bad]), 50).unwrap_err().contains("externalId"));
        let wrong = json!({"schemas":["x"],"Operations":[op("a")]});
        assert!(validate_bulk_request(&wrong, 50).unwrap_err().contains("schemas"));
        let lower = json!({"schemas":[BULK_REQUEST_URN],"operations":[op("a")]});
        assert!(validate_bulk_request(&lower, 50).unwrap_err().contains("capital"));
    }

    #[test]
    fn batches_are_read_in_numeric_order_and_compacted() {
        let dir = tempfile::tempdir().unwrap();
        let pretty = serde_json::to_string_pretty(&req(vec![op("x")])).unwrap();
        std::fs::write(dir.path().join("bulk-10.json"), &pretty).unwrap();
        std::fs::write(dir.path().join("bulk-9.json"), req(vec![op("y")]).to_string()).unwrap();
        std::fs::write(dir.path().join("summary.json"), "{}").unwrap();
        let batches = batches_from_dir(dir.path()).unwrap();
        assert_eq!(batches.iter().map(|b| b.seq).collect::<Vec<_>>(), [9, 10]);
        assert_eq!(batches[1].body, req(vec![op("x")]).to_string().into_bytes());
        assert_eq!(batches[1].hash().len(), 64);
    }

    #[test]
    fn an_invalid_file_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bulk-00001.json"), "{not json").unwrap();
        let err = batches_from_dir(dir.path()).unwrap_err().to_string();
        assert!(err.contains("bulk-00001.json") && err.contains("not JSON"), "{err}");
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(batches_from_dir(empty.path()), Err(UploadError::NoBatches(_))));
    }
}
