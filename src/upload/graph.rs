//! One Graph request outside the paced bulk sender (provisioning logs, the job's schema): bearer
//! token, one refresh on 401, a few waits on 429/5xx, and a refusal worded with the permission
//! the caller needs.

use std::time::Duration;

use reqwest::blocking::{Client, Response};

use super::auth::TokenProvider;
use super::error::{error_message, hint_for_status};
use super::http::retry_after;
use super::{UploadConfig, UploadError};

/// Attempts after the first that a 429, a 5xx or a network failure may use.
const RETRIES: u32 = 4;
/// The longest single wait, whatever Retry-After asks: these are interactive commands.
const LONGEST_WAIT: Duration = Duration::from_secs(120);

/// A client and the token source for its requests.
pub(super) struct Graph {
    http: Client,
    tokens: TokenProvider,
}

/// The request to send; a body makes it a JSON PUT, none a GET.
pub(super) struct Request<'a> {
    pub(super) url: &'a str,
    pub(super) put: Option<&'a str>,
    /// What a 403 means for this request: the permission it needs.
    pub(super) forbidden: &'a str,
}

impl Graph {
    /// The target's client (timeout, proxy) and an Entra token for `scope`.
    pub(super) fn for_entra(cfg: &UploadConfig, scope: &str) -> Result<Graph, UploadError> {
        Ok(Graph {
            http: super::client::build(cfg.timeout)?,
            tokens: TokenProvider::for_entra(cfg, scope)?,
        })
    }

    /// The successful response, for the caller to read the way it needs. A PUT is retried
    /// like a GET: the callers' PUTs replace a whole document, so twice is the same as once.
    pub(super) fn send(&self, req: &Request<'_>) -> Result<Response, UploadError> {
        let method = if req.put.is_some() { "PUT" } else { "GET" };
        let mut refreshed = false;
        for attempt in 0u32.. {
            let token = self.tokens.get(&self.http)?;
            let mut builder = match req.put {
                Some(b) => self
                    .http
                    .put(req.url)
                    .header("Content-Type", "application/json")
                    .body(b.to_string()),
                None => self.http.get(req.url),
            };
            if let Some(t) = &token {
                builder = builder.bearer_auth(t.expose());
            }
            let retry_in = match builder.send() {
                Ok(r) if r.status().is_success() => return Ok(r),
                Ok(r) if r.status() == 401 && !refreshed => {
                    refreshed = true;
                    if let Some(t) = &token {
                        self.tokens.invalidate(t);
                    }
                    continue;
                }
                Ok(r)
                    if (r.status() == 429 || r.status().is_server_error()) && attempt < RETRIES =>
                {
                    retry_after(r.headers()).unwrap_or(Duration::from_secs(2 << attempt))
                }
                Ok(r) => {
                    let status = r.status().as_u16();
                    let body = r.text().unwrap_or_default();
                    let hint =
                        if status == 403 { req.forbidden } else { hint_for_status(status, true) };
                    return Err(UploadError::Http {
                        method: method.into(),
                        url: req.url.into(),
                        status,
                        message: error_message(&body),
                        hint: hint.into(),
                    });
                }
                Err(_) if attempt < RETRIES => Duration::from_secs(2 << attempt),
                Err(e) => {
                    return Err(UploadError::Network {
                        url: req.url.into(),
                        message: super::http::describe(e),
                    })
                }
            };
            crate::clock::sleep(retry_in.min(LONGEST_WAIT));
        }
        unreachable!("the loop returns")
    }
}
