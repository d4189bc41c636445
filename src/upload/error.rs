//! Errors of the upload and logs commands; each message is a full sentence with a hint.

use std::path::PathBuf;

/// Everything that can stop `upload` or `logs` before or while sending.
///
/// Messages never contain secrets: bodies of token responses are reduced to their `error` and
/// `error_description` fields, and request headers are never printed.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("cannot read or write {path}: {source}. Check that the path exists and is writable.")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{path} is not a valid bulk request: {reason}. Re-run `hr2scim convert` to rewrite it."
    )]
    InvalidBatch { path: String, reason: String },

    #[error("no bulk-*.json files found in {0}. Point --from at the output directory of `hr2scim convert`.")]
    NoBatches(PathBuf),

    #[error("refusing to send to {0}: only https:// URLs are allowed (plain http only to loopback addresses such as 127.0.0.1 or localhost).")]
    InsecureUrl(String),

    #[error("{0}")]
    Config(String),

    #[error("authentication failed: {0}")]
    Auth(String),

    #[error("{method} {url} failed with HTTP {status}: {message}. {hint}")]
    Http { method: String, url: String, status: u16, message: String, hint: String },

    #[error(
        "could not reach {url}: {message}. Check the URL, the network and any proxy settings."
    )]
    Network { url: String, message: String },

    #[error("the journal at {path} is unusable: {reason}. Move it aside to start a fresh journal (already accepted batches would then be sent again).")]
    Journal { path: PathBuf, reason: String },
}

impl UploadError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        UploadError::Io { path: path.into(), source }
    }

    pub(crate) fn invalid(path: impl Into<String>, reason: impl Into<String>) -> Self {
        UploadError::InvalidBatch { path: path.into(), reason: reason.into() }
    }
}

/// What to check for a refused request, by status code and target.
pub(crate) fn hint_for_status(status: u16, entra: bool) -> &'static str {
    match (status, entra) {
        (400, true) => "Check that the request is sent as Content-Type application/scim+json and that every operation is a POST to /Users with a unique bulkId, core and enterprise schemas and an externalId.",
        (401, true) => "The token was refused even after a refresh: check the tenant id, the client id and the credential (secret, certificate or token file).",
        (403, true) => "The application lacks the Graph application permission SynchronizationData-User.Upload (admin consent granted?), or the token belongs to another tenant.",
        (404, true) => "Check the service principal object id and the job id (copy the Provisioning API Endpoint from the portal into --endpoint), and that the job was created from an API-driven provisioning template.",
        (400, false) => "The SCIM server refused the request body; check its schemas (custom extensions must be declared on the server).",
        (401, false) | (403, false) => "Check the bearer token (--token-env or --token-file) and its permissions on the SCIM server.",
        (404, false) => "Check --url: it must be the SCIM base URL (the one that serves /ServiceProviderConfig).",
        _ => "See the server's message above.",
    }
}

/// Pulls a readable message out of an error body: Graph's `{"error":{"code","message"}}`, SCIM's
/// `{"detail": ...}`, or the raw text; always capped and with token-like strings blanked, since it
/// is journaled and shown.
pub(crate) fn error_message(body: &str) -> String {
    super::redact::redact(&raw_error_message(body))
}

fn raw_error_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
        let graph = v.get("error").and_then(|e| {
            let code = e.get("code").and_then(|c| c.as_str()).unwrap_or_default();
            e.get("message").and_then(|m| m.as_str()).map(|m| format!("{code}: {m}"))
        });
        if let Some(m) = graph {
            return m;
        }
        if let Some(d) = v.get("detail").and_then(|d| d.as_str()) {
            return d.to_string();
        }
    }
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return "(empty response body)".to_string();
    }
    trimmed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_error_body_is_reduced_to_code_and_message() {
        let body = r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges"}}"#;
        assert_eq!(error_message(body), "Authorization_RequestDenied: Insufficient privileges");
        assert_eq!(error_message(r#"{"detail":"Invalid Data Format"}"#), "Invalid Data Format");
        assert_eq!(error_message("  "), "(empty response body)");
        assert!(error_message(&"x".repeat(5000)).ends_with('…'));
        assert!(error_message(&format!(r#"{{"detail":"{}"}}"#, "y".repeat(50_000))).len() < 2100);
        let echo = r#"{"detail":"request had Authorization: Bearer abc.def-123456 in it"}"#;
        assert!(!error_message(echo).contains("abc.def-123456"));
    }

    #[test]
    fn hints_name_the_usual_suspects() {
        assert!(hint_for_status(403, true).contains("SynchronizationData-User.Upload"));
        assert!(hint_for_status(404, true).contains("job id"));
        assert!(hint_for_status(400, true).contains("application/scim+json"));
    }
}
