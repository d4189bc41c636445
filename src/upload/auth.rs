//! Bearer tokens: client secret, certificate assertion, token file, managed identity; cached.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::blocking::Client;
use serde_json::Value as Json;

use super::endpoint::{check_url, token_url};
use super::options::{TargetOptions, X5t};
use super::UploadError;

/// A secret string whose Debug output is redacted, so it cannot leak through `{:?}`.
#[derive(Clone, PartialEq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

struct Token {
    value: Secret,
    refresh_at: Option<Instant>,
}

enum Source {
    /// OAuth client credentials against the Entra token endpoint.
    Client {
        token_url: String,
        client_id: String,
        scope: String,
        cred: Credential,
    },
    File(PathBuf),
    ManagedIdentity {
        resource: String,
        client_id: Option<String>,
    },
    /// A fixed bearer token (SCIM target); may be absent for open servers.
    Static(Option<Secret>),
}

enum Credential {
    Secret(Secret),
    Certificate { key: Box<jsonwebtoken::EncodingKey>, header: Box<jsonwebtoken::Header> },
}

/// Fetches tokens and caches them until shortly before they expire.
pub struct TokenProvider {
    source: Source,
    cached: Mutex<Option<Token>>,
}

impl TokenProvider {
    /// Picks the Entra credential: token file, managed identity, certificate, then secret.
    pub fn for_entra(args: &TargetOptions, scope: &str) -> Result<TokenProvider, UploadError> {
        let source = if let Some(path) = &args.token_file {
            Source::File(path.clone())
        } else if args.managed_identity {
            Source::ManagedIdentity {
                resource: scope.trim_end_matches("/.default").to_string(),
                client_id: args.client_id.clone(),
            }
        } else {
            let token_url = token_url(args)?.to_string();
            let client_id =
                args.client_id.clone().filter(|c| !c.trim().is_empty()).ok_or_else(|| {
                    UploadError::Config(
                        "no client id: pass --client-id or set AZURE_CLIENT_ID (the Application \
                     (client) ID of the app registration)."
                            .into(),
                    )
                })?;
            let cred = if let Some(pem) = &args.certificate {
                certificate_credential(pem, args.x5t)?
            } else if let Some(file) = &args.client_secret_file {
                let text = std::fs::read_to_string(file).map_err(|e| UploadError::io(file, e))?;
                Credential::Secret(Secret::new(text.trim()))
            } else if let Some(s) =
                std::env::var("AZURE_CLIENT_SECRET").ok().filter(|s| !s.is_empty())
            {
                Credential::Secret(Secret::new(s))
            } else {
                return Err(UploadError::Config(
                    "no credential for Entra: set AZURE_CLIENT_SECRET, or pass --client-secret-file, \
                     --certificate PEM, --token-file or --managed-identity."
                        .into(),
                ));
            };
            Source::Client { token_url, client_id, scope: scope.to_string(), cred }
        };
        Ok(TokenProvider { source, cached: Mutex::new(None) })
    }

    /// Bearer for a SCIM server from `--token-file` or the `--token-env` variable (optional).
    pub fn for_scim(args: &TargetOptions) -> Result<TokenProvider, UploadError> {
        let source = match &args.token_file {
            Some(path) => Source::File(path.clone()),
            None => Source::Static(
                std::env::var(&args.token_env).ok().filter(|s| !s.is_empty()).map(Secret::new),
            ),
        };
        Ok(TokenProvider { source, cached: Mutex::new(None) })
    }

    /// A valid token (None when the SCIM target has no token configured).
    pub fn get(&self, http: &Client) -> Result<Option<Secret>, UploadError> {
        if let Source::Static(s) = &self.source {
            return Ok(s.clone());
        }
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tok) = cached.as_ref() {
            if tok.refresh_at.is_none_or(|t| Instant::now() < t) {
                return Ok(Some(tok.value.clone()));
            }
        }
        let fresh = self.fetch(http)?;
        let value = fresh.value.clone();
        *cached = Some(fresh);
        Ok(Some(value))
    }

    /// False for a fixed token: asking again would give the same one.
    pub fn can_refresh(&self) -> bool {
        !matches!(self.source, Source::Static(_))
    }

    /// Drops the cached token after a 401, unless another thread already replaced it.
    pub fn invalidate(&self, rejected: &Secret) {
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if cached.as_ref().is_some_and(|t| &t.value == rejected) {
            *cached = None;
        }
    }

    fn fetch(&self, http: &Client) -> Result<Token, UploadError> {
        match &self.source {
            Source::Client { token_url, client_id, scope, cred } => {
                let mut form: Vec<(&str, String)> = vec![
                    ("grant_type", "client_credentials".into()),
                    ("client_id", client_id.clone()),
                    ("scope", scope.clone()),
                ];
                match cred {
                    Credential::Secret(s) => form.push(("client_secret", s.expose().to_string())),
                    Credential::Certificate { key, header } => {
                        form.push((
                            "client_assertion_type",
                            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
                        ));
                        form.push((
                            "client_assertion",
                            assertion(token_url, client_id, key, header)?,
                        ));
                    }
                }
                let resp =
                    http.post(token_url).form(&form).send().map_err(|e| network(token_url, e))?;
                token_from_response(token_url, resp)
            }
            Source::File(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| UploadError::io(path, e))?;
                parse_token_file(&text).map(|value| Token { value, refresh_at: None }).ok_or_else(
                    || UploadError::Auth(format!("{} holds no token; write the raw token or the JSON of `az account get-access-token --resource https://graph.microsoft.com` into it.", path.display())),
                )
            }
            Source::ManagedIdentity { resource, client_id } => {
                managed_identity(http, resource, client_id.as_deref())
            }
            Source::Static(_) => unreachable!("static tokens are returned by get()"),
        }
    }
}

fn network(url: &str, e: reqwest::Error) -> UploadError {
    UploadError::Network { url: url.to_string(), message: super::http::describe(e) }
}

fn certificate_credential(path: &PathBuf, x5t: X5t) -> Result<Credential, UploadError> {
    let bytes = std::fs::read(path).map_err(|e| UploadError::io(path, e))?;
    let bad = |why: &str| {
        UploadError::Auth(format!(
            "{} {why}; it must be a PEM file holding the private key (PRIVATE KEY or RSA PRIVATE KEY) and the CERTIFICATE.",
            path.display()
        ))
    };
    let blocks = pem::parse_many(&bytes).map_err(|_| bad("is not PEM"))?;
    let cert = blocks
        .iter()
        .find(|b| b.tag() == "CERTIFICATE")
        .ok_or_else(|| bad("has no certificate"))?;
    let key = blocks
        .iter()
        .find(|b| b.tag() == "PRIVATE KEY" || b.tag() == "RSA PRIVATE KEY")
        .ok_or_else(|| bad("has no private key"))?;
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem::encode(key).as_bytes())
        .map_err(|_| bad("has a private key that is not an RSA key"))?;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    match x5t {
        X5t::Sha1 => {
            use sha1::Digest;
            header.x5t = Some(b64.encode(sha1::Sha1::digest(cert.contents())));
        }
        X5t::Sha256 => {
            use sha2::Digest;
            header.x5t_s256 = Some(b64.encode(sha2::Sha256::digest(cert.contents())));
        }
    }
    Ok(Credential::Certificate { key: Box::new(key), header: Box::new(header) })
}

fn assertion(
    aud: &str,
    client_id: &str,
    key: &jsonwebtoken::EncodingKey,
    header: &jsonwebtoken::Header,
) -> Result<String, UploadError> {
    let now = chrono::Utc::now().timestamp();
    let claims = serde_json::json!({
        "aud": aud, "iss": client_id, "sub": client_id,
        "jti": uuid::Uuid::new_v4().to_string(), "nbf": now - 60, "iat": now, "exp": now + 600,
    });
    jsonwebtoken::encode(header, &claims, key)
        .map_err(|e| UploadError::Auth(format!("cannot sign the client assertion ({e}).")))
}

fn token_from_response(url: &str, resp: reqwest::blocking::Response) -> Result<Token, UploadError> {
    let status = resp.status();
    let body: Json = resp.json().unwrap_or(Json::Null);
    if !status.is_success() {
        // Only the error code and the first line of the description: nothing request-derived.
        let code = body.get("error").and_then(Json::as_str).unwrap_or("unknown_error");
        let desc = body.get("error_description").and_then(Json::as_str).unwrap_or("");
        let desc = desc.lines().next().unwrap_or("");
        return Err(UploadError::Auth(format!(
            "the token service at {url} answered HTTP {} ({code}: {desc}). Check the tenant id, client id and credential.",
            status.as_u16()
        )));
    }
    let value = body.get("access_token").and_then(Json::as_str).ok_or_else(|| {
        UploadError::Auth(format!("the token service at {url} sent no access_token."))
    })?;
    Ok(Token { value: Secret::new(value), refresh_at: refresh_at(&body) })
}

/// When to fetch again: five minutes before expiry, or at 80 % of a short lifetime.
/// The longest token lifetime believed, in seconds.
const MAX_TOKEN_LIFETIME_SECS: u64 = 24 * 60 * 60;

fn refresh_at(body: &Json) -> Option<Instant> {
    let num = |k: &str| {
        body.get(k).and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
    };
    let lifetime = num("expires_in").or_else(|| {
        let on = i64::try_from(num("expires_on")?).unwrap_or(i64::MAX);
        Some(on.saturating_sub(chrono::Utc::now().timestamp()).max(0) as u64)
    })?;
    // A token server's number is not trusted: a lifetime beyond a day (Entra's are about an
    // hour) is read as a day, so `Instant` arithmetic cannot overflow and the token is renewed
    // at the latest then.
    let lifetime = Duration::from_secs(lifetime.min(MAX_TOKEN_LIFETIME_SECS));
    let margin =
        if lifetime > Duration::from_secs(600) { Duration::from_secs(300) } else { lifetime / 5 };
    Some(Instant::now() + (lifetime - margin))
}

fn parse_token_file(text: &str) -> Option<Secret> {
    let t = text.trim();
    if t.starts_with('{') {
        let v: Json = serde_json::from_str(t).ok()?;
        let tok = v.get("accessToken").or_else(|| v.get("access_token"))?.as_str()?;
        return Some(Secret::new(tok));
    }
    (!t.is_empty()).then(|| Secret::new(t))
}

const IMDS_DEFAULT: &str = "http://169.254.169.254/metadata/identity/oauth2/token";

fn managed_identity(
    http: &Client,
    resource: &str,
    client_id: Option<&str>,
) -> Result<Token, UploadError> {
    let app_service =
        std::env::var("IDENTITY_ENDPOINT").ok().zip(std::env::var("IDENTITY_HEADER").ok());
    let (endpoint, version, header) = match app_service {
        Some((ep, h)) => (check_url(&ep)?, "2019-08-01", ("X-IDENTITY-HEADER", h)),
        None => {
            let ep = std::env::var("HR2SCIM_IMDS_ENDPOINT").unwrap_or_else(|_| IMDS_DEFAULT.into());
            // The link-local IMDS address is the one plain-http host allowed besides loopback.
            let url = if ep == IMDS_DEFAULT {
                reqwest::Url::parse(&ep).map_err(|e| UploadError::Config(e.to_string()))?
            } else {
                check_url(&ep)?
            };
            (url, "2018-02-01", ("Metadata", "true".to_string()))
        }
    };
    let mut query = vec![("api-version", version), ("resource", resource)];
    if let Some(c) = client_id {
        query.push(("client_id", c));
    }
    let shown = endpoint.to_string();
    let resp = http
        .get(endpoint)
        .query(&query)
        .header(header.0, header.1)
        .send()
        .map_err(|e| network(&shown, e))?;
    token_from_response(&shown, resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_debug() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }

    #[test]
    fn token_files_accept_raw_and_az_cli_json() {
        assert_eq!(parse_token_file(" abc \n").unwrap().expose(), "abc");
        let az = r#"{"accessToken":"eyJ","expiresOn":"2026-01-01 10:00:00.000000","tokenType":"Bearer"}"#;
        assert_eq!(parse_token_file(az).unwrap().expose(), "eyJ");
        assert!(parse_token_file("  ").is_none());
        assert!(parse_token_file("{\"x\":1}").is_none());
    }

    #[test]
    fn refresh_happens_before_expiry() {
        let long = refresh_at(&serde_json::json!({"expires_in": 3600})).unwrap();
        let d = long - Instant::now();
        assert!(d > Duration::from_secs(3200) && d <= Duration::from_secs(3300));
        let short = refresh_at(&serde_json::json!({"expires_in": "10"})).unwrap();
        assert!(short - Instant::now() <= Duration::from_secs(8));
        assert!(refresh_at(&serde_json::json!({})).is_none());
    }

    #[test]
    fn absurd_token_lifetimes_are_capped_not_a_panic() {
        // Found by the JSON fuzz target: u64::MAX seconds overflowed `Instant + Duration`.
        let day = Duration::from_secs(MAX_TOKEN_LIFETIME_SECS);
        for body in [
            serde_json::json!({"expires_in": u64::MAX}),
            serde_json::json!({"expires_in": "18446744073709551615"}),
            serde_json::json!({"expires_on": u64::MAX}),
        ] {
            let at = refresh_at(&body).expect("a lifetime was given");
            assert!(at <= Instant::now() + day, "{body}");
        }
        let hour = refresh_at(&serde_json::json!({"expires_in": 3600})).expect("lifetime");
        assert!(hour <= Instant::now() + Duration::from_secs(3300));
        assert!(hour > Instant::now() + Duration::from_secs(3000));
    }
}
