//! The source file (TOML): what to request, how to authenticate, where the records are, how to
//! page, and the limits. Read strictly: unknown keys, literal secrets and plain-http URLs to
//! other hosts are refused here, before any request.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, TableLike, Value};

use super::SourceError;

/// Where a credential comes from: secrets never from the source file itself (only user names
/// and client ids may be literal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRef {
    Literal(String),
    Env(String),
    File(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    None,
    /// `username` literal or from `username_env`; password from env or file.
    Basic {
        username: SecretRef,
        password: SecretRef,
    },
    /// Basic with the key as the user name and a fixed password (BambooHR: `key:x`).
    ApiKeyBasic {
        key: SecretRef,
        password: String,
    },
    Bearer {
        token: SecretRef,
    },
    /// A key in a named header (with an optional prefix) or query parameter.
    ApiKey {
        name: String,
        in_query: bool,
        prefix: String,
        value: SecretRef,
    },
    OAuth2ClientCredentials {
        token_url: String,
        client_id: SecretRef,
        client_secret: SecretRef,
        /// Client id and secret in a Basic header (RFC 6749's preference) or in the form.
        basic_client_auth: bool,
        scope: Option<String>,
    },
}

/// A client certificate for mutual TLS, presented on the token call and every data call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsClient {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paging {
    None,
    Offset {
        offset_param: String,
        limit_param: String,
        page_size: u64,
        start: u64,
        has_more_path: Option<String>,
        total_path: Option<String>,
    },
    Page {
        page_param: String,
        size_param: Option<String>,
        page_size: u64,
        first_page: u64,
        has_more_path: Option<String>,
        total_pages_path: Option<String>,
    },
    /// A URL in the body (`links.next`, `_links.next.href`).
    NextLink {
        next_path: String,
    },
    /// RFC 8288 `Link: <...>; rel="next"`.
    LinkHeader,
    /// `@odata.nextLink` (v4) or `d.__next` (v2).
    OData,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub timeout_secs: u64,
    pub max_pages: u64,
    pub max_records: u64,
    /// Retries of one request on 408/429/5xx and transport errors.
    pub retries: u32,
    /// First backoff wait; doubled per retry, capped at 60 s.
    pub backoff_ms: u64,
    /// A longer `Retry-After` is not waited for: the read fails, saying when to retry.
    pub max_retry_wait_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout_secs: 60,
            max_pages: 1000,
            max_records: 500_000,
            retries: 5,
            backoff_ms: 1000,
            max_retry_wait_secs: 300,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpec {
    /// The file's name, for messages.
    pub name: String,
    pub url: String,
    pub method: String,
    pub body: Option<String>,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub auth: Auth,
    pub tls_client: Option<TlsClient>,
    /// PEM certificates (one or more) of an authority trusted for this source's server, on top
    /// of the public ones: HR systems behind an internal CA. Never a way to turn checks off.
    pub ca_file: Option<PathBuf>,
    /// Dotted keys to the records array; empty: the body is the array.
    pub records_path: Option<String>,
    /// Columns the records can have (documented by the vendor), present even when no record
    /// read carries them, so a mapping is checked against the API rather than today's data.
    pub columns: Vec<String>,
    pub paging: Paging,
    /// Statuses that end paging when their body is empty (ADP's 204).
    pub end_statuses: Vec<u16>,
    pub limits: Limits,
}

const TOP: &[&str] = &["version", "kind", "request", "auth", "tls", "records", "paging", "limits"];
const TLS: &[&str] = &["ca_file"];
const REQUEST: &[&str] =
    &["url", "method", "body", "body_file", "query", "headers", "timeout_secs"];
const AUTH: &[&str] = &[
    "type",
    "username",
    "username_env",
    "password_env",
    "password_file",
    "key_env",
    "key_file",
    "password",
    "token_env",
    "token_file",
    "name",
    "in",
    "prefix",
    "value_env",
    "value_file",
    "token_url",
    "client_id",
    "client_id_env",
    "client_secret_env",
    "client_secret_file",
    "client_auth",
    "scope",
    "tls_client",
];
const RECORDS: &[&str] = &["path", "columns"];
const PAGING: &[&str] = &[
    "strategy",
    "offset_param",
    "limit_param",
    "page_size",
    "start",
    "has_more_path",
    "total_path",
    "page_param",
    "size_param",
    "first_page",
    "total_pages_path",
    "next_path",
    "end_statuses",
];
const LIMITS: &[&str] =
    &["max_pages", "max_records", "retries", "backoff_ms", "max_retry_wait_secs"];
/// Keys that would hold a secret in the file itself.
const LITERAL_SECRETS: &[&str] =
    &["client_secret", "token", "key", "value", "access_token", "api_key", "secret"];

/// Reads and checks the source file at `path`.
pub fn load(path: &Path) -> Result<SourceSpec, SourceError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| SourceError::Config(format!("cannot read the source file {name}: {e}")))?;
    parse(&text, &name, path.parent().unwrap_or(Path::new(".")))
}

/// Parses a source file's text; relative `*_file` paths are read from `base`.
pub fn parse(text: &str, name: &str, base: &Path) -> Result<SourceSpec, SourceError> {
    let doc: DocumentMut =
        text.parse().map_err(|e| SourceError::Config(format!("{name} is not valid TOML: {e}")))?;
    let r = Reader { name, base };
    let top = doc.as_table();
    r.known(top, "", TOP)?;
    if let Some(v) = top.get("version") {
        if v.as_integer() != Some(1) {
            return Err(r.err("version", "must be 1"));
        }
    }
    if let Some(kind) = r.opt_str(top, "", "kind")? {
        if kind != "http" {
            return Err(
                r.err("kind", "must be \"http\" (a JSON file is read directly as .json/.ndjson)")
            );
        }
    }
    let request = r
        .table(top, "", "request")?
        .ok_or_else(|| r.err("request", "is missing (request.url at least)"))?;
    r.known(request, "request.", REQUEST)?;
    let url = expand_env(&r.req_str(request, "request.", "url")?, name)?;
    let method = r
        .opt_str(request, "request.", "method")?
        .unwrap_or_else(|| "GET".into())
        .to_ascii_uppercase();
    if method != "GET" && method != "POST" {
        return Err(r.err("request.method", "must be GET or POST"));
    }
    let body = match (
        r.opt_str(request, "request.", "body")?,
        r.opt_str(request, "request.", "body_file")?,
    ) {
        (Some(_), Some(_)) => {
            return Err(r.err("request.body", "and request.body_file cannot both be set"))
        }
        (Some(b), None) => Some(b),
        (None, Some(f)) => Some(std::fs::read_to_string(base.join(&f)).map_err(|e| {
            SourceError::Config(format!("{name}: cannot read request.body_file {f}: {e}"))
        })?),
        (None, None) => None,
    };
    if body.is_some() && method != "POST" {
        return Err(r.err("request.body", "needs method = \"POST\""));
    }
    let query = r
        .string_map(request, "request.", "query")?
        .into_iter()
        .map(|(k, v)| Ok((k, expand_env(&v, name)?)))
        .collect::<Result<Vec<_>, SourceError>>()?;
    let headers = r.string_map(request, "request.", "headers")?;
    for (h, _) in &headers {
        if h.eq_ignore_ascii_case("authorization") || h.eq_ignore_ascii_case("cookie") {
            return Err(r.err(
                &format!("request.headers.{h}"),
                "would put a credential in the file: use [auth] with a *_env or *_file key",
            ));
        }
    }
    let mut limits = Limits::default();
    if let Some(t) = r.opt_u64(request, "request.", "timeout_secs")? {
        limits.timeout_secs = t.max(1);
    }
    let (auth, tls_client) = match r.table(top, "", "auth")? {
        None => (Auth::None, None),
        Some(a) => r.auth(a)?,
    };
    let ca_file = match r.table(top, "", "tls")? {
        None => None,
        Some(t) => {
            r.known(t, "tls.", TLS)?;
            r.opt_str(t, "tls.", "ca_file")?.map(|f| base.join(f))
        }
    };
    let (records_path, columns) = match r.table(top, "", "records")? {
        None => (None, Vec::new()),
        Some(t) => {
            r.known(t, "records.", RECORDS)?;
            let columns = match t.get("columns") {
                None => Vec::new(),
                Some(item) => item
                    .as_array()
                    .and_then(|a| {
                        a.iter().map(|v| v.as_str().map(str::to_string)).collect::<Option<Vec<_>>>()
                    })
                    .ok_or_else(|| r.err("records.columns", "must be a list of column names"))?,
            };
            (r.opt_str(t, "records.", "path")?, columns)
        }
    };
    let (paging, end_statuses) = match r.table(top, "", "paging")? {
        None => (Paging::None, Vec::new()),
        Some(p) => r.paging(p)?,
    };
    if let Some(l) = r.table(top, "", "limits")? {
        r.known(l, "limits.", LIMITS)?;
        let get = |k: &str, d: u64| r.opt_u64(l, "limits.", k).map(|v| v.unwrap_or(d));
        limits.max_pages = get("max_pages", limits.max_pages)?.max(1);
        limits.max_records = get("max_records", limits.max_records)?;
        limits.retries = get("retries", u64::from(limits.retries))?.min(20) as u32;
        limits.backoff_ms = get("backoff_ms", limits.backoff_ms)?;
        limits.max_retry_wait_secs = get("max_retry_wait_secs", limits.max_retry_wait_secs)?;
    }
    let spec = SourceSpec {
        name: name.to_string(),
        url,
        method,
        body,
        query,
        headers,
        auth,
        tls_client,
        ca_file,
        records_path,
        columns,
        paging,
        end_statuses,
        limits,
    };
    crate::upload::check_url(&spec.url)
        .map_err(|e| SourceError::Config(format!("{name}: request.url: {e}")))?;
    if let Auth::OAuth2ClientCredentials { token_url, .. } = &spec.auth {
        crate::upload::check_url(token_url)
            .map_err(|e| SourceError::Config(format!("{name}: auth.token_url: {e}")))?;
    }
    Ok(spec)
}

/// `${NAME}` replaced by the environment variable NAME (for hosts, tenants: never secrets).
fn expand_env(text: &str, name: &str) -> Result<String, SourceError> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(SourceError::Config(format!(
                "{name}: '${{' without a closing '}}' in {text}"
            )));
        };
        let var = &after[..end];
        let value = std::env::var(var).map_err(|_| {
            SourceError::Config(format!(
                "{name} uses ${{{var}}}, but the environment variable {var} is not set"
            ))
        })?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

struct Reader<'a> {
    name: &'a str,
    base: &'a Path,
}

impl Reader<'_> {
    fn err(&self, key: &str, what: &str) -> SourceError {
        SourceError::Config(format!("{}: {key} {what}", self.name))
    }

    fn known(&self, t: &dyn TableLike, prefix: &str, allowed: &[&str]) -> Result<(), SourceError> {
        for (k, _) in t.iter() {
            if allowed.contains(&k) {
                continue;
            }
            if LITERAL_SECRETS.contains(&k) {
                return Err(self.err(
                    &format!("{prefix}{k}"),
                    &format!(
                        "would keep a secret in the file: name an environment variable ({k}_env) or a file ({k}_file) instead"
                    ),
                ));
            }
            let near = allowed.iter().copied().min_by_key(|a| strsim::levenshtein(a, k));
            let hint = match near {
                Some(n) if strsim::levenshtein(n, k) <= 3 => {
                    format!(" (did you mean {prefix}{n}?)")
                }
                _ => String::new(),
            };
            return Err(self.err(&format!("{prefix}{k}"), &format!("is not a known key{hint}")));
        }
        Ok(())
    }

    fn table<'t>(
        &self,
        t: &'t dyn TableLike,
        prefix: &str,
        key: &str,
    ) -> Result<Option<&'t dyn TableLike>, SourceError> {
        match t.get(key) {
            None => Ok(None),
            Some(item) => item
                .as_table_like()
                .map(Some)
                .ok_or_else(|| self.err(&format!("{prefix}{key}"), "must be a table")),
        }
    }

    fn opt_str(
        &self,
        t: &dyn TableLike,
        prefix: &str,
        key: &str,
    ) -> Result<Option<String>, SourceError> {
        match t.get(key) {
            None => Ok(None),
            Some(item) => item
                .as_str()
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| self.err(&format!("{prefix}{key}"), "must be a string")),
        }
    }

    fn req_str(&self, t: &dyn TableLike, prefix: &str, key: &str) -> Result<String, SourceError> {
        self.opt_str(t, prefix, key)?
            .ok_or_else(|| self.err(&format!("{prefix}{key}"), "is missing"))
    }

    fn opt_u64(
        &self,
        t: &dyn TableLike,
        prefix: &str,
        key: &str,
    ) -> Result<Option<u64>, SourceError> {
        match t.get(key) {
            None => Ok(None),
            Some(item) => match item.as_integer() {
                Some(n) if n >= 0 => Ok(Some(n as u64)),
                _ => Err(self.err(&format!("{prefix}{key}"), "must be a whole number, 0 or more")),
            },
        }
    }

    fn string_map(
        &self,
        t: &dyn TableLike,
        prefix: &str,
        key: &str,
    ) -> Result<Vec<(String, String)>, SourceError> {
        let Some(m) = self.table(t, prefix, key)? else {
            return Ok(Vec::new());
        };
        m.iter()
            .map(|(k, v)| {
                let text = match v {
                    Item::Value(Value::String(s)) => s.value().clone(),
                    Item::Value(Value::Integer(i)) => i.value().to_string(),
                    Item::Value(Value::Boolean(b)) => b.value().to_string(),
                    _ => return Err(self.err(&format!("{prefix}{key}.{k}"), "must be a string")),
                };
                Ok((k.to_string(), text))
            })
            .collect()
    }

    /// `NAME_env` or `NAME_file`, exactly one of them.
    fn secret(&self, t: &dyn TableLike, key: &str) -> Result<Option<SecretRef>, SourceError> {
        let env = self.opt_str(t, "auth.", &format!("{key}_env"))?;
        let file = self.opt_str(t, "auth.", &format!("{key}_file"))?;
        match (env, file) {
            (Some(_), Some(_)) => Err(self.err(
                &format!("auth.{key}_env"),
                &format!("and auth.{key}_file cannot both be set"),
            )),
            (Some(e), None) => Ok(Some(SecretRef::Env(e))),
            (None, Some(f)) => Ok(Some(SecretRef::File(self.base.join(f)))),
            (None, None) => Ok(None),
        }
    }

    fn need_secret(&self, t: &dyn TableLike, key: &str) -> Result<SecretRef, SourceError> {
        self.secret(t, key)?.ok_or_else(|| {
            self.err(&format!("auth.{key}_env"), &format!("(or auth.{key}_file) is missing"))
        })
    }

    fn auth(&self, a: &dyn TableLike) -> Result<(Auth, Option<TlsClient>), SourceError> {
        self.known(a, "auth.", AUTH)?;
        let tls_client = match self.table(a, "auth.", "tls_client")? {
            None => None,
            Some(t) => {
                self.known(t, "auth.tls_client.", &["cert_file", "key_file"])?;
                Some(TlsClient {
                    cert_file: self.base.join(self.req_str(t, "auth.tls_client.", "cert_file")?),
                    key_file: self.base.join(self.req_str(t, "auth.tls_client.", "key_file")?),
                })
            }
        };
        let kind = self.opt_str(a, "auth.", "type")?.unwrap_or_else(|| "none".into());
        let user = |a: &dyn TableLike| -> Result<SecretRef, SourceError> {
            match (self.opt_str(a, "auth.", "username")?, self.opt_str(a, "auth.", "username_env")?)
            {
                (Some(u), None) => Ok(SecretRef::Literal(u)),
                (None, Some(e)) => Ok(SecretRef::Env(e)),
                _ => {
                    Err(self.err("auth.username", "(or auth.username_env, one of them) is needed"))
                }
            }
        };
        let auth = match kind.as_str() {
            "none" => Auth::None,
            "basic" => Auth::Basic { username: user(a)?, password: self.need_secret(a, "password")? },
            "api_key_basic" => Auth::ApiKeyBasic {
                key: self.need_secret(a, "key")?,
                password: self.opt_str(a, "auth.", "password")?.unwrap_or_else(|| "x".into()),
            },
            "bearer" => Auth::Bearer { token: self.need_secret(a, "token")? },
            "api_key" => {
                let place = self.opt_str(a, "auth.", "in")?.unwrap_or_else(|| "header".into());
                if place != "header" && place != "query" {
                    return Err(self.err("auth.in", "must be \"header\" or \"query\""));
                }
                Auth::ApiKey {
                    name: self.req_str(a, "auth.", "name")?,
                    in_query: place == "query",
                    prefix: self.opt_str(a, "auth.", "prefix")?.unwrap_or_default(),
                    value: self.need_secret(a, "value")?,
                }
            }
            "oauth2_client_credentials" => {
                let client_id = match (self.opt_str(a, "auth.", "client_id")?, self.opt_str(a, "auth.", "client_id_env")?) {
                    (Some(c), None) => SecretRef::Literal(c),
                    (None, Some(e)) => SecretRef::Env(e),
                    _ => return Err(self.err("auth.client_id", "(or auth.client_id_env, one of them) is needed")),
                };
                let client_auth = self.opt_str(a, "auth.", "client_auth")?.unwrap_or_else(|| "basic".into());
                if client_auth != "basic" && client_auth != "form" {
                    return Err(self.err("auth.client_auth", "must be \"basic\" or \"form\""));
                }
                Auth::OAuth2ClientCredentials {
                    token_url: expand_env(&self.req_str(a, "auth.", "token_url")?, self.name)?,
                    client_id,
                    client_secret: self.need_secret(a, "client_secret")?,
                    basic_client_auth: client_auth == "basic",
                    scope: self.opt_str(a, "auth.", "scope")?,
                }
            }
            "oauth2_saml_bearer" | "oauth2_refresh_token" => {
                return Err(self.err(
                    "auth.type",
                    &format!("\"{kind}\" is not supported yet (see the README's HTTP sources section)"),
                ))
            }
            other => {
                return Err(self.err(
                    "auth.type",
                    &format!("'{other}' is not one of none, basic, api_key_basic, bearer, api_key, oauth2_client_credentials"),
                ))
            }
        };
        Ok((auth, tls_client))
    }

    fn paging(&self, p: &dyn TableLike) -> Result<(Paging, Vec<u16>), SourceError> {
        self.known(p, "paging.", PAGING)?;
        let s = |k: &str| self.opt_str(p, "paging.", k);
        let n = |k: &str| self.opt_u64(p, "paging.", k);
        let end_statuses = match p.get("end_statuses").and_then(Item::as_array) {
            None if p.contains_key("end_statuses") => {
                return Err(self.err("paging.end_statuses", "must be a list of statuses"))
            }
            None => Vec::new(),
            Some(list) => list
                .iter()
                .map(|v| match v.as_integer() {
                    Some(code @ 200..=299) => Ok(code as u16),
                    _ => {
                        Err(self.err("paging.end_statuses", "must list 2xx statuses (such as 204)"))
                    }
                })
                .collect::<Result<_, _>>()?,
        };
        let strategy = s("strategy")?.unwrap_or_else(|| "none".into());
        let page_size = |d: u64| n("page_size").map(|v| v.unwrap_or(d).max(1));
        let paging = match strategy.as_str() {
            "none" => Paging::None,
            "offset" => Paging::Offset {
                offset_param: s("offset_param")?.unwrap_or_else(|| "offset".into()),
                limit_param: s("limit_param")?.unwrap_or_else(|| "limit".into()),
                page_size: page_size(100)?,
                start: n("start")?.unwrap_or(0),
                has_more_path: s("has_more_path")?,
                total_path: s("total_path")?,
            },
            "page" => Paging::Page {
                page_param: s("page_param")?.unwrap_or_else(|| "page".into()),
                size_param: s("size_param")?,
                page_size: page_size(100)?,
                first_page: n("first_page")?.unwrap_or(1),
                has_more_path: s("has_more_path")?,
                total_pages_path: s("total_pages_path")?,
            },
            "next_link" => Paging::NextLink {
                next_path: s("next_path")?.ok_or_else(|| {
                    self.err("paging.next_path", "is needed by strategy \"next_link\"")
                })?,
            },
            "link_header" => Paging::LinkHeader,
            "odata" => Paging::OData,
            other => {
                return Err(self.err(
                    "paging.strategy",
                    &format!(
                        "'{other}' is not one of none, offset, page, next_link, link_header, odata"
                    ),
                ))
            }
        };
        Ok((paging, end_statuses))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> SourceSpec {
        parse(text, "s.toml", Path::new("/etc/hr2scim")).unwrap()
    }

    fn parse_err(text: &str) -> String {
        parse(text, "s.toml", Path::new(".")).unwrap_err().to_string()
    }

    #[test]
    fn a_full_file_reads_into_the_spec() {
        let s = parse_ok(
            r#"
version = 1
request.url = "https://api.adp.com/hr/v2/workers"
request.query = { "$select" = "workers/associateOID" }
request.headers = { Accept = "application/json" }
auth.type = "oauth2_client_credentials"
auth.token_url = "https://accounts.adp.com/auth/oauth/v2/token"
auth.client_id_env = "ADP_CLIENT_ID"
auth.client_secret_file = "adp.secret"
auth.scope = "api"
auth.tls_client = { cert_file = "adp.pem", key_file = "adp.key" }
tls.ca_file = "internal-ca.pem"
records.path = "workers"
paging = { strategy = "offset", offset_param = "$skip", limit_param = "$top", page_size = 100, end_statuses = [204] }
limits = { max_pages = 7, max_records = 9 }
"#,
        );
        assert_eq!(s.query, [("$select".to_string(), "workers/associateOID".to_string())]);
        assert_eq!(s.records_path.as_deref(), Some("workers"));
        assert_eq!(s.end_statuses, [204]);
        assert_eq!((s.limits.max_pages, s.limits.max_records), (7, 9));
        assert_eq!(
            s.tls_client,
            Some(TlsClient {
                cert_file: "/etc/hr2scim/adp.pem".into(),
                key_file: "/etc/hr2scim/adp.key".into()
            })
        );
        assert_eq!(s.ca_file, Some("/etc/hr2scim/internal-ca.pem".into()));
        match s.auth {
            Auth::OAuth2ClientCredentials { client_secret, basic_client_auth, scope, .. } => {
                assert_eq!(client_secret, SecretRef::File("/etc/hr2scim/adp.secret".into()));
                assert!(basic_client_auth);
                assert_eq!(scope.as_deref(), Some("api"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(s.paging, Paging::Offset { page_size: 100, .. }));
    }

    #[test]
    fn secrets_in_the_file_unknown_keys_and_plain_http_are_refused() {
        let e = parse_err(
            "request.url = \"https://x.example\"\nauth = { type = \"bearer\", token = \"abc\" }",
        );
        assert!(e.contains("auth.token") && e.contains("token_env"), "{e}");
        assert!(!e.contains("abc"), "the secret is not echoed: {e}");
        let e = parse_err("request.url = \"https://x.example\"\nauth = { type = \"oauth2_client_credentials\", token_url = \"https://t\", client_id = \"a\", client_secret = \"s3cr3t\" }");
        assert!(e.contains("auth.client_secret") && !e.contains("s3cr3t"), "{e}");
        let e = parse_err("request.url = \"https://x.example\"\nrequest.headers = { Authorization = \"Basic eA==\" }");
        assert!(e.contains("credential") && !e.contains("eA=="), "{e}");
        let e = parse_err("request.url = \"https://x.example\"\npaging.stratgy = \"offset\"");
        assert!(e.contains("did you mean paging.strategy"), "{e}");
        let e = parse_err("request.url = \"https://x.example\"\ntls.ca_fil = \"ca.pem\"");
        assert!(e.contains("tls.ca_fil is not a known key (did you mean tls.ca_file?)"), "{e}");
        let e = parse_err("request.url = \"https://x.example\"\ntls.verify = false");
        assert!(e.contains("tls.verify is not a known key"), "{e}");
        let e = parse_err("request.url = \"https://x.example\"\ntls.ca_file = 7");
        assert!(e.contains("tls.ca_file must be a string"), "{e}");
        let e = parse_err("request.url = \"http://hr.example/api\"");
        assert!(e.contains("request.url"), "{e}");
        parse_ok("request.url = \"http://127.0.0.1:8080/api\"");
        let e = parse_err(
            "request.url = \"https://x.example\"\nauth = { type = \"basic\", username = \"u\" }",
        );
        assert!(e.contains("auth.password_env"), "{e}");
    }

    #[test]
    fn env_placeholders_expand_and_a_missing_variable_is_named() {
        let e = parse_err("request.url = \"https://${HR2SCIM_TEST_SURELY_UNSET}.example/x\"");
        assert!(e.contains("HR2SCIM_TEST_SURELY_UNSET is not set"), "{e}");
    }
}
