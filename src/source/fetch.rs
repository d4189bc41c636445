//! Reading every page of an HTTP source, all or nothing: requests with retries, authentication,
//! paging and its guards. The records go to a writer only as whole pages, and the caller keeps
//! the file only when the last page was read.

use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;

use base64::Engine;
use reqwest::blocking::{Client, RequestBuilder};
use reqwest::{StatusCode, Url};
use serde_json::value::RawValue;
use serde_json::Value;

use super::spec::{Auth, Paging, SecretRef, SourceSpec};
use super::{FetchStats, SourceError};
use crate::upload::redact;

/// Longest wait between retries when the server does not say.
const BACKOFF_CAP: Duration = Duration::from_secs(60);
/// Longest body read from one response.
const MAX_PAGE_BYTES: u64 = 256 << 20;

/// Called after each page with the pages and records read so far (progress).
pub type Progress<'a> = &'a dyn Fn(u64, u64);

/// Reads every page of `spec`, writing each record as one compact JSON line to `out`.
pub fn fetch(
    spec: &SourceSpec,
    out: &mut dyn Write,
    progress: Progress<'_>,
) -> Result<FetchStats, SourceError> {
    let client = client(spec)?;
    let mut auth = Authenticator { spec, token: None };
    let first =
        crate::upload::check_url(&spec.url).map_err(|e| SourceError::Config(e.to_string()))?;
    let origin = first.origin();
    let mut stats = FetchStats::default();
    let mut seen_links: HashSet<String> = HashSet::new();
    let mut previous_page: Option<Vec<u8>> = None;
    let mut next: Option<Url> = Some(first.clone());
    let mut offset = match spec.paging {
        Paging::Offset { start, .. } => start,
        Paging::Page { first_page, .. } => first_page,
        _ => 0,
    };
    while let Some(url) = next.take() {
        if stats.pages >= spec.limits.max_pages {
            return Err(SourceError::Limit(format!(
                "{}: more than {} pages (limits.max_pages); nothing was converted. Raise the limit if the data is genuine.",
                spec.name, spec.limits.max_pages
            )));
        }
        let page_no = stats.pages + 1;
        let request_url = paged_url(spec, &url, offset, url == first);
        let reply = send(spec, &client, &mut auth, &request_url, page_no, &mut stats)?;
        stats.pages += 1;
        if spec.end_statuses.contains(&reply.status)
            && reply.body.iter().all(u8::is_ascii_whitespace)
        {
            break;
        }
        let place = format!("{} page {page_no} ({})", spec.name, shown(&request_url));
        let meta: Value = serde_json::from_slice(&reply.body).map_err(|e| {
            SourceError::BadResponse(format!(
                "{place}: the response is not JSON ({e}; content type {}). {}",
                reply.content_type.as_deref().unwrap_or("none"),
                "Some APIs answer XML unless asked for JSON: check the Accept header or a format parameter."
            ))
        })?;
        let records = records(&reply.body, spec, &meta)
            .map_err(|e| SourceError::BadResponse(format!("{place}: {e}")))?;
        if stats.records + records.len() as u64 > spec.limits.max_records {
            return Err(SourceError::Limit(format!(
                "{}: more than {} records (limits.max_records); nothing was converted. Raise the limit if the data is genuine.",
                spec.name, spec.limits.max_records
            )));
        }
        let mut page_text = Vec::new();
        for (i, raw) in records.iter().enumerate() {
            let text = raw.get().trim_start();
            if !text.starts_with('{') {
                let kind = match text.as_bytes().first() {
                    Some(b'"') => "a string",
                    Some(b'[') => "an array",
                    Some(b'n') => "null",
                    Some(b't' | b'f') => "a boolean",
                    _ => "a number",
                };
                return Err(SourceError::BadResponse(format!(
                    "{place}: record {} of the page is {kind}, not an object",
                    i + 1
                )));
            }
            page_text
                .extend_from_slice(crate::input::compact_json(raw.get().as_bytes()).as_bytes());
            page_text.push(b'\n');
        }
        let count = records.len() as u64;
        // A server that ignores the paging parameters sends the same page forever.
        if count > 0 && previous_page.as_deref() == Some(&page_text[..]) {
            return Err(SourceError::Paging(format!(
                "{place}: paging did not advance (this page repeats the previous one); nothing was converted"
            )));
        }
        out.write_all(&page_text).map_err(|e| SourceError::Output(e.to_string()))?;
        stats.records += count;
        progress(stats.pages, stats.records);
        previous_page = Some(page_text);
        next = next_page(spec, &meta, &reply, &request_url, count, &mut offset)
            .map_err(|e| SourceError::Paging(format!("{place}: {e}")))?;
        if let Some(n) = &next {
            if n.origin() != origin {
                return Err(SourceError::Paging(format!(
                    "{place}: the next link goes to {}, another origin than {}; it is not followed (the credentials would go with it)",
                    n.origin().ascii_serialization(),
                    origin.ascii_serialization()
                )));
            }
            if matches!(spec.paging, Paging::NextLink { .. } | Paging::LinkHeader | Paging::OData)
                && !seen_links.insert(n.as_str().to_string())
            {
                return Err(SourceError::Paging(format!(
                    "{place}: paging did not advance (the next link {} was already read)",
                    shown(n)
                )));
            }
        }
    }
    Ok(stats)
}

/// A URL for messages: without its query, which may carry a key.
fn shown(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.to_string()
}

fn paged_url(spec: &SourceSpec, url: &Url, offset: u64, first: bool) -> Url {
    let mut u = url.clone();
    // A next link already carries what it needs; the configured query goes on the first URL and
    // on every URL the client builds itself (offset, page).
    let builds_own =
        matches!(spec.paging, Paging::None | Paging::Offset { .. } | Paging::Page { .. });
    if first || builds_own {
        let mut q = u.query_pairs_mut();
        for (k, v) in &spec.query {
            q.append_pair(k, v);
        }
        match &spec.paging {
            Paging::Offset { offset_param, limit_param, page_size, .. } => {
                q.append_pair(offset_param, &offset.to_string());
                q.append_pair(limit_param, &page_size.to_string());
            }
            Paging::Page { page_param, size_param, page_size, .. } => {
                q.append_pair(page_param, &offset.to_string());
                if let Some(s) = size_param {
                    q.append_pair(s, &page_size.to_string());
                }
            }
            _ => {}
        }
    }
    if u.query() == Some("") {
        u.set_query(None);
    }
    u
}

/// The value at dotted `path` in `v`; integer segments index arrays.
fn at<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |v, k| match v {
        Value::Object(m) => m.get(k),
        Value::Array(a) => k.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// The records array of a page, each element's raw text (numbers exactly as sent).
fn records(body: &[u8], spec: &SourceSpec, meta: &Value) -> Result<Vec<Box<RawValue>>, String> {
    let path = match (&spec.records_path, &spec.paging) {
        (Some(p), _) => p.clone(),
        (None, Paging::OData) if meta.get("d").is_some() => "d.results".into(),
        (None, Paging::OData) => "value".into(),
        (None, _) => String::new(),
    };
    let mut raw: Box<RawValue> = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if !path.is_empty() && path != "$" {
        for key in path.split('.') {
            let next: Option<Box<RawValue>> = if raw.get().trim_start().starts_with('[') {
                let items: Vec<Box<RawValue>> =
                    serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
                key.parse::<usize>().ok().and_then(|i| items.into_iter().nth(i))
            } else if raw.get().trim_start().starts_with('{') {
                let mut map: std::collections::HashMap<String, Box<RawValue>> =
                    serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
                map.remove(key)
            } else {
                None
            };
            raw = next.ok_or_else(|| {
                format!("the records path '{path}' is not in the response (no '{key}')")
            })?;
        }
    }
    if raw.get().trim() == "null" {
        return Ok(Vec::new());
    }
    serde_json::from_str::<Vec<Box<RawValue>>>(raw.get())
        .map_err(|_| format!("the records path '{path}' does not hold an array of records"))
}

fn next_page(
    spec: &SourceSpec,
    meta: &Value,
    reply: &Reply,
    url: &Url,
    count: u64,
    offset: &mut u64,
) -> Result<Option<Url>, String> {
    let flag = |p: &Option<String>| p.as_ref().map(|p| at(meta, p).and_then(Value::as_bool));
    let number = |p: &Option<String>| -> Option<Option<u64>> {
        p.as_ref()
            .map(|p| at(meta, p).and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok())))
    };
    let link = |text: Option<&str>| -> Result<Option<Url>, String> {
        match text.map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => {
                url.join(t).map(Some).map_err(|e| format!("the next link is not a URL ({e})"))
            }
        }
    };
    match &spec.paging {
        Paging::None => Ok(None),
        Paging::Offset { page_size, has_more_path, total_path, .. } => {
            if count == 0 {
                return Ok(None);
            }
            *offset = offset.saturating_add(count);
            let more = match (flag(has_more_path), number(total_path)) {
                (Some(Some(more)), _) => more,
                (Some(None), _) => {
                    return Err(format!("no boolean at {}", has_more_path.as_deref().unwrap_or("")))
                }
                (None, Some(Some(total))) => *offset < total,
                (None, Some(None)) => {
                    return Err(format!("no number at {}", total_path.as_deref().unwrap_or("")))
                }
                (None, None) => count >= *page_size,
            };
            Ok(more.then(|| url.clone()))
        }
        Paging::Page { page_size, has_more_path, total_pages_path, .. } => {
            if count == 0 {
                return Ok(None);
            }
            let this_page = *offset;
            *offset = offset.saturating_add(1);
            let more = match (flag(has_more_path), number(total_pages_path)) {
                (Some(Some(more)), _) => more,
                (Some(None), _) => {
                    return Err(format!("no boolean at {}", has_more_path.as_deref().unwrap_or("")))
                }
                (None, Some(Some(total))) => this_page < total,
                (None, Some(None)) => {
                    return Err(format!(
                        "no number at {}",
                        total_pages_path.as_deref().unwrap_or("")
                    ))
                }
                (None, None) => count >= *page_size,
            };
            Ok(more.then(|| url.clone()))
        }
        Paging::NextLink { next_path } => link(at(meta, next_path).and_then(Value::as_str)),
        Paging::OData => {
            let text = meta
                .get("@odata.nextLink")
                .or_else(|| meta.get("odata.nextLink"))
                .or_else(|| at(meta, "d.__next"))
                .and_then(Value::as_str);
            link(text)
        }
        Paging::LinkHeader => {
            let next = reply.links.iter().find_map(|l| next_in_link_header(l));
            link(next.as_deref())
        }
    }
}

/// The `rel="next"` target of one `Link` header value.
fn next_in_link_header(value: &str) -> Option<String> {
    value.split(',').find_map(|part| {
        let (target, params) = part.trim().split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().to_ascii_lowercase();
            p == "rel=\"next\"" || p == "rel=next"
        });
        is_next.then(|| target.to_string())
    })
}

struct Reply {
    status: u16,
    content_type: Option<String>,
    links: Vec<String>,
    body: Vec<u8>,
}

/// One page, with retries on 408/429/5xx and transport errors, and one token refresh on 401.
fn send(
    spec: &SourceSpec,
    client: &Client,
    auth: &mut Authenticator<'_>,
    url: &Url,
    page_no: u64,
    stats: &mut FetchStats,
) -> Result<Reply, SourceError> {
    let place = || format!("{} page {page_no} ({})", spec.name, shown(url));
    let mut attempt = 0u32;
    let mut refreshed = false;
    loop {
        let request = build(spec, client, url);
        let request = auth.apply(client, request)?;
        let (wait, reason) = match request.send() {
            Err(e) => {
                let why = crate::upload::describe_http_error(e);
                // A handshake refused for a certificate fails the same way every time.
                if let Some(hint) = tls_refusal(&why) {
                    return Err(SourceError::Transport(format!(
                        "{}: the TLS handshake failed ({why}). {hint}; nothing was converted",
                        place()
                    )));
                }
                if attempt >= spec.limits.retries {
                    return Err(SourceError::Transport(format!(
                        "{}: {why} (after {} attempts); nothing was converted",
                        place(),
                        attempt + 1
                    )));
                }
                (None, why)
            }
            Ok(resp) => {
                let status = resp.status();
                if status.is_success() {
                    return read_reply(resp)
                        .map_err(|e| SourceError::Transport(format!("{}: {e}", place())));
                }
                let retry_after = crate::upload::retry_after(resp.headers());
                let text = resp.text().unwrap_or_default();
                let detail = redact(&error_detail(&text));
                if status == StatusCode::UNAUTHORIZED && auth.can_refresh() && !refreshed {
                    refreshed = true;
                    auth.token = None;
                    continue;
                }
                if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                    return Err(SourceError::Auth(format!(
                        "{}: the server refused the credentials ({status}): {detail}. Check {}.",
                        place(),
                        auth.what_to_check()
                    )));
                }
                let retryable = matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504);
                if !retryable || attempt >= spec.limits.retries {
                    let tries = if retryable {
                        format!(" after {} attempts", attempt + 1)
                    } else {
                        String::new()
                    };
                    return Err(SourceError::Server(format!(
                        "{}: the server answered {status}{tries}: {detail}; nothing was converted",
                        place()
                    )));
                }
                if let Some(w) = retry_after {
                    if w > Duration::from_secs(spec.limits.max_retry_wait_secs) {
                        return Err(SourceError::Server(format!(
                            "{}: the server asks to wait {}s ({status}), more than limits.max_retry_wait_secs; run again later",
                            place(),
                            w.as_secs()
                        )));
                    }
                }
                (retry_after, status.to_string())
            }
        };
        let backoff =
            Duration::from_millis(spec.limits.backoff_ms.saturating_mul(1 << attempt.min(16)))
                .min(BACKOFF_CAP);
        // Full jitter: many clients told to back off at once do not come back together.
        let jittered = backoff.mul_f64(rand::random::<f64>());
        let wait = wait.unwrap_or(jittered);
        crate::upload::events::emit(
            "source_retry",
            serde_json::json!({
                "source": spec.name,
                "page": page_no,
                "attempt": attempt + 1,
                "reason": reason,
                "wait_ms": wait.as_millis() as u64,
            }),
        );
        crate::clock::sleep(wait);
        attempt += 1;
        stats.retries += 1;
    }
}

/// What to check when a transport error is a TLS handshake refused over a certificate, from
/// rustls' words in the error chain (reqwest exposes no typed TLS error).
fn tls_refusal(why: &str) -> Option<&'static str> {
    if why.contains("invalid peer certificate") {
        Some("The server's certificate is not trusted: if it comes from an internal authority, name that authority's certificate in tls.ca_file")
    } else if why.contains("received fatal alert") {
        Some("The server broke off the handshake, as servers do when they want a client certificate they were not given or do not trust: check auth.tls_client")
    } else {
        None
    }
}

fn build(spec: &SourceSpec, client: &Client, url: &Url) -> RequestBuilder {
    let mut r =
        if spec.method == "POST" { client.post(url.clone()) } else { client.get(url.clone()) };
    let mut has_accept = false;
    for (k, v) in &spec.headers {
        has_accept |= k.eq_ignore_ascii_case("accept");
        r = r.header(k.as_str(), v.as_str());
    }
    if !has_accept {
        r = r.header("Accept", "application/json");
    }
    if let Some(body) = &spec.body {
        r = r.header("Content-Type", "application/json").body(body.clone());
    }
    r
}

fn read_reply(resp: reqwest::blocking::Response) -> Result<Reply, String> {
    use std::io::Read;
    let status = resp.status().as_u16();
    let content_type =
        resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    let links = resp
        .headers()
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_string)
        .collect();
    let mut body = Vec::new();
    resp.take(MAX_PAGE_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|e| format!("the response broke off ({e})"))?;
    if body.len() as u64 > MAX_PAGE_BYTES {
        return Err(format!("the response is larger than {} MiB", MAX_PAGE_BYTES >> 20));
    }
    Ok(Reply { status, content_type, links, body })
}

/// The useful part of an error body: OAuth's `error_description`, problem+json's `detail`,
/// OData's `error.message.value`, or the first 500 bytes.
fn error_detail(text: &str) -> String {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        for p in [
            "error_description",
            "detail",
            "error.message.value",
            "error.message",
            "message",
            "error",
        ] {
            if let Some(s) = at(&v, p).and_then(Value::as_str) {
                return s.to_string();
            }
        }
    }
    let cut: String = text.chars().take(500).collect();
    if cut.trim().is_empty() {
        "(no details)".into()
    } else {
        cut
    }
}

fn client(spec: &SourceSpec) -> Result<Client, SourceError> {
    let env = crate::upload::ProxyEnv::from_env();
    let proxy = reqwest::Proxy::custom(move |url| env.proxy_for(url));
    let mut b = Client::builder()
        .timeout(Duration::from_secs(spec.limits.timeout_secs))
        .connect_timeout(Duration::from_secs(spec.limits.timeout_secs.min(10)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("hr2scim/", env!("CARGO_PKG_VERSION")))
        .proxy(proxy);
    if let Some(tls) = &spec.tls_client {
        let read = |p: &std::path::Path| {
            std::fs::read(p).map_err(|e| {
                SourceError::Config(format!(
                    "{}: cannot read auth.tls_client file {}: {e}",
                    spec.name,
                    p.display()
                ))
            })
        };
        let mut pem = read(&tls.cert_file)?;
        pem.push(b'\n');
        pem.extend(read(&tls.key_file)?);
        let identity = reqwest::Identity::from_pem(&pem).map_err(|e| {
            SourceError::Config(format!(
                "{}: auth.tls_client is not a usable PEM certificate and key ({e})",
                spec.name
            ))
        })?;
        b = b.identity(identity);
    }
    if let Some(path) = &spec.ca_file {
        for ca in trusted_authorities(spec, path)? {
            b = b.add_root_certificate(ca);
        }
    }
    b.build().map_err(|e| SourceError::Config(format!("cannot set up the HTTP client ({e})")))
}

/// The certificates of `tls.ca_file`, added to the public roots (which stay trusted: the file
/// widens trust to an internal authority, it never narrows or disables verification).
fn trusted_authorities(
    spec: &SourceSpec,
    path: &std::path::Path,
) -> Result<Vec<reqwest::Certificate>, SourceError> {
    let bad = |why: String| {
        SourceError::Config(format!("{}: tls.ca_file {}: {why}", spec.name, path.display()))
    };
    let text = std::fs::read(path).map_err(|e| bad(format!("cannot be read ({e})")))?;
    let blocks = pem::parse_many(&text).map_err(|e| bad(format!("is not PEM ({e})")))?;
    let certs: Vec<_> = blocks.iter().filter(|b| b.tag() == "CERTIFICATE").collect();
    if certs.is_empty() {
        return Err(bad("holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into()));
    }
    certs
        .into_iter()
        .map(|c| {
            reqwest::Certificate::from_der(c.contents())
                .map_err(|e| bad(format!("holds a certificate that cannot be used ({e})")))
        })
        .collect()
}

/// Reads a credential: from its environment variable or file (one trailing newline dropped).
fn resolve(spec: &SourceSpec, what: &str, r: &SecretRef) -> Result<String, SourceError> {
    match r {
        SecretRef::Literal(v) => Ok(v.clone()),
        SecretRef::Env(name) => std::env::var(name).map_err(|_| {
            SourceError::Config(format!(
                "{}: {what} comes from the environment variable {name}, which is not set",
                spec.name
            ))
        }),
        SecretRef::File(p) => std::fs::read_to_string(p)
            .map(|s| {
                s.strip_suffix('\n')
                    .map(|s| s.strip_suffix('\r').unwrap_or(s))
                    .unwrap_or(&s)
                    .to_string()
            })
            .map_err(|e| {
                SourceError::Config(format!(
                    "{}: cannot read the {what} file {}: {e}",
                    spec.name,
                    p.display()
                ))
            }),
    }
}

fn where_from(r: &SecretRef) -> String {
    match r {
        SecretRef::Literal(_) => "the source file".into(),
        SecretRef::Env(n) => format!("${n}"),
        SecretRef::File(p) => p.display().to_string(),
    }
}

struct Authenticator<'a> {
    spec: &'a SourceSpec,
    /// The OAuth access token, fetched once and again after a 401.
    token: Option<String>,
}

impl Authenticator<'_> {
    fn can_refresh(&self) -> bool {
        matches!(self.spec.auth, Auth::OAuth2ClientCredentials { .. })
    }

    fn what_to_check(&self) -> String {
        match &self.spec.auth {
            Auth::None => "whether the API needs authentication ([auth] in the source file)".into(),
            Auth::Basic { username, password } => format!(
                "the user name ({}) and password ({})",
                where_from(username),
                where_from(password)
            ),
            Auth::ApiKeyBasic { key, .. } => format!("the API key ({})", where_from(key)),
            Auth::Bearer { token } => {
                format!("the token ({}), which may have expired", where_from(token))
            }
            Auth::ApiKey { value, name, .. } => {
                format!("the key sent as {name} ({})", where_from(value))
            }
            Auth::OAuth2ClientCredentials { client_id, client_secret, .. } => format!(
                "the client ({}) and its secret ({}), and the permissions granted to it",
                where_from(client_id),
                where_from(client_secret)
            ),
        }
    }

    fn apply(&mut self, client: &Client, r: RequestBuilder) -> Result<RequestBuilder, SourceError> {
        let spec = self.spec;
        Ok(match &spec.auth {
            Auth::None => r,
            Auth::Basic { username, password } => r.basic_auth(
                resolve(spec, "user name", username)?,
                Some(resolve(spec, "password", password)?),
            ),
            Auth::ApiKeyBasic { key, password } => {
                r.basic_auth(resolve(spec, "API key", key)?, Some(password))
            }
            Auth::Bearer { token } => r.bearer_auth(resolve(spec, "token", token)?),
            Auth::ApiKey { name, in_query, prefix, value } => {
                let v = format!("{prefix}{}", resolve(spec, "API key", value)?);
                if *in_query {
                    r.query(&[(name, v)])
                } else {
                    r.header(name.as_str(), v)
                }
            }
            Auth::OAuth2ClientCredentials { .. } => {
                if self.token.is_none() {
                    self.token = Some(self.fetch_token(client)?);
                }
                r.bearer_auth(self.token.as_deref().unwrap_or_default())
            }
        })
    }

    fn fetch_token(&self, client: &Client) -> Result<String, SourceError> {
        let spec = self.spec;
        let Auth::OAuth2ClientCredentials {
            token_url,
            client_id,
            client_secret,
            basic_client_auth,
            scope,
        } = &spec.auth
        else {
            unreachable!("only OAuth fetches tokens");
        };
        let id = resolve(spec, "client id", client_id)?;
        let secret = resolve(spec, "client secret", client_secret)?;
        let mut form = vec![("grant_type", "client_credentials".to_string())];
        if let Some(s) = scope {
            form.push(("scope", s.clone()));
        }
        let mut r = client.post(token_url.as_str()).header("Accept", "application/json");
        if *basic_client_auth {
            let pair = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
            r = r.header("Authorization", format!("Basic {pair}"));
        } else {
            form.push(("client_id", id));
            form.push(("client_secret", secret));
        }
        let place = format!("{}: the token request to {token_url}", spec.name);
        let resp = r.form(&form).send().map_err(|e| {
            SourceError::Auth(format!("{place} failed: {}", crate::upload::describe_http_error(e)))
        })?;
        let status = resp.status();
        let text = resp.text().unwrap_or_default();
        if !status.is_success() {
            return Err(SourceError::Auth(format!(
                "{place} was refused ({status}): {}. Check {}.",
                redact(&error_detail(&text)),
                self.what_to_check()
            )));
        }
        serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v.get("access_token").and_then(Value::as_str).map(str::to_string))
            .ok_or_else(|| SourceError::Auth(format!("{place} answered without an access_token")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_refusals_are_told_apart_from_other_transport_errors() {
        let untrusted = "error sending request: client error (Connect): invalid peer certificate: UnknownIssuer";
        assert!(tls_refusal(untrusted).unwrap().contains("tls.ca_file"));
        let refused =
            "error sending request: connection error: received fatal alert: CertificateRequired";
        assert!(tls_refusal(refused).unwrap().contains("auth.tls_client"));
        assert_eq!(tls_refusal("error sending request: operation timed out"), None);
    }

    #[test]
    fn link_headers_give_their_next_target() {
        let v =
            r#"<https://a.example/x?page=1>; rel="prev", <https://a.example/x?page=3>; rel="next""#;
        assert_eq!(next_in_link_header(v).as_deref(), Some("https://a.example/x?page=3"));
        assert_eq!(next_in_link_header("<https://a/x>; rel=last"), None);
    }

    #[test]
    fn error_details_prefer_structured_fields() {
        assert_eq!(
            error_detail(r#"{"error":"invalid_client","error_description":"bad secret"}"#),
            "bad secret"
        );
        assert_eq!(
            error_detail(r#"{"error":{"message":{"value":"no such entity"}}}"#),
            "no such entity"
        );
        assert_eq!(error_detail(""), "(no details)");
        assert_eq!(error_detail(&"x".repeat(900)).len(), 500);
    }

    #[test]
    fn dotted_paths_reach_objects_and_array_items() {
        let v: Value = serde_json::from_str(r#"{"d":{"results":[{"a":1}],"__next":"n"}}"#).unwrap();
        assert_eq!(at(&v, "d.__next"), Some(&Value::from("n")));
        assert_eq!(at(&v, "d.results.0.a"), Some(&Value::from(1)));
        assert_eq!(at(&v, "d.x"), None);
    }
}

#[cfg(test)]
#[path = "fetch_fuzz_tests.rs"]
mod fuzz_tests;
