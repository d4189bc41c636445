//! A Microsoft Graph emulator on loopback for the upload tests: token service, bulkUpload with the
//! documented checks, a directory behind it (create-or-update by externalId, applied when the
//! staged users are processed), provisioning logs with paging, managed identity, and fault
//! injection (429s, per-user provisioning failures and skips, a 403 on the logs).
//!
//! Time: the emulator has its own clock. It follows the real clock until a test calls
//! [`Emulator::set_now`]; from then on it stands still except when [`Emulator::advance`] moves
//! it, so a simulated day costs no wall time. Staged users are processed (directory updated, log
//! record written with that time) once the clock has passed their staging time plus
//! `Config::logs_delay`.
//!
//! Use from a test module with `use crate::support::graph_emulator;`.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value as Json};
use tiny_http::{Header, Method, Request, Response, Server};

#[path = "graph_emulator_directory.rs"]
mod directory;
#[path = "graph_emulator_logs.rs"]
mod logs;
#[path = "graph_emulator_schema.rs"]
mod schema;
pub use directory::{DirUser, Injected};
#[allow(unused_imports)]
pub use logs::{quoted_after, time_after};

pub const TENANT: &str = "tenant-1";
pub const CLIENT_ID: &str = "client-1";
pub const SP: &str = "sp-1";
pub const JOB: &str =
    "API2AAD.0123456789abcdef0123456789abcdef.11111111-2222-3333-4444-555555555555";
pub const MI_HEADER: &str = "mi-header-value";
const BULK_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The RSA key of the test certificate (test-only, never used anywhere else).
pub const TEST_KEY_PEM: &str = include_str!("../fixtures/upload-test-rsa-key.pem");

/// A self-signed certificate over the test key, made with rcgen: (certificate PEM, DER).
pub fn test_certificate(common_name: &str) -> (String, Vec<u8>) {
    let key = rcgen::KeyPair::from_pem(TEST_KEY_PEM).expect("test key");
    let params = rcgen::CertificateParams::new(vec![common_name.to_string()]).expect("params");
    let cert = params.self_signed(&key).expect("self-signed certificate");
    (cert.pem(), cert.der().to_vec())
}

/// A one-shot misbehaviour, consumed by the next bulkUpload request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Behave normally (lets a test aim a later fault at a given request).
    Pass,
    /// 429, with this Retry-After value or none.
    TooMany(Option<String>),
    Status(u16),
    /// Answer (202, and accept) only after this delay.
    Slow(Duration),
    /// Answer with bytes that are not HTTP, as when a connection is cut.
    Drop,
    /// Treat the caller's token as expired (401 InvalidAuthenticationToken).
    ExpireToken,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub client_secret: String,
    /// DER of the certificate whose key signs client assertions.
    pub cert_der: Vec<u8>,
    pub cert_pem: String,
    pub token_lifetime: Duration,
    /// Answer 429 when more than N bulkUpload requests arrive within the window.
    pub window: Option<(usize, Duration)>,
    pub log_page_size: usize,
    /// Staged users are processed, and their log records appear, this long after acceptance
    /// (Entra: minutes), on the emulator's clock.
    pub logs_delay: Duration,
    /// Users whose provisioning always fails (see also `Emulator::fail_next`).
    pub failing_users: HashSet<String>,
    /// Added to every bulkUpload response.
    pub latency: Duration,
    /// Answer every bulkUpload with 403 (missing permission).
    pub forbid: bool,
    /// Answer the provisioning logs with 403 (no AuditLog.Read.All).
    pub forbid_logs: bool,
    /// Point the logs' `@odata.nextLink` at this origin (`http://127.0.0.1:PORT`) instead of the
    /// emulator's own, as a hostile or compromised server might.
    pub log_next_origin: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        let (cert_pem, cert_der) = test_certificate("hr2scim-test");
        Config {
            client_secret: "emulator-secret-5f2b".into(),
            cert_der,
            cert_pem,
            token_lifetime: Duration::from_secs(3600),
            window: None,
            log_page_size: 50,
            logs_delay: Duration::ZERO,
            failing_users: HashSet::new(),
            latency: Duration::ZERO,
            forbid: false,
            forbid_logs: false,
            log_next_origin: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct AcceptedOp {
    pub external_id: String,
    pub bulk_id: String,
    pub data: Json,
    pub at: Instant,
    /// Staging time on the emulator's clock.
    pub when: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Default)]
pub struct State {
    pub faults: VecDeque<Fault>,
    tokens: HashMap<String, Instant>,
    /// Every access token handed out (tests grep output for them).
    pub issued_tokens: Vec<String>,
    /// How each token was obtained: "secret", "x5t", "x5t#S256", "app-service", "imds".
    pub token_grants: Vec<String>,
    /// Arrival time of every bulkUpload request.
    pub arrivals: Vec<Instant>,
    /// Status answered to every bulkUpload request, in order.
    pub statuses: Vec<u16>,
    pub accepted: Vec<AcceptedOp>,
    pub accepted_requests: usize,
    /// 429s answered by the window limiter (not by injected faults).
    pub window_429: usize,
    pub client_request_ids: Vec<String>,
    pub log_requests: usize,
    /// The emulator's clock once a test has set it; None follows the real clock.
    pub clock: Option<chrono::DateTime<chrono::Utc>>,
    /// How many of `accepted` have been processed (applied or refused), in order.
    pub processed: usize,
    /// The users, by externalId.
    pub directory: std::collections::BTreeMap<String, DirUser>,
    /// Provisioning log records, in processing order.
    pub records: Vec<Json>,
    /// Outcomes injected for the next processing of a user, oldest first.
    pub injected: HashMap<String, VecDeque<Injected>>,
    /// Answer the provisioning logs with 403 (AuditLog.Read.All missing).
    pub logs_forbidden: bool,
    /// The filters of every provisioning-logs request (first pages only; follow-ups are counted
    /// in `log_requests`).
    pub log_filters: Vec<String>,
    /// The job's synchronization schema (`None`: GET answers 404).
    pub job_schema: Option<Json>,
    /// Saves so far: every PUT (and portal edit) sets `version` to `emulator-N`.
    pub schema_version: u64,
    /// Answer GET/PUT schema with 403 (Synchronization.ReadWrite.All missing).
    pub schema_forbidden: bool,
    /// Answer only PUT schema with 403 (read allowed, write not).
    pub schema_forbid_put: bool,
    /// Simulate a portal edit right after the Nth GET of the schema (1-based).
    pub edit_schema_after_get: Option<usize>,
    pub schema_gets: usize,
    /// The body of every PUT, in order.
    pub schema_puts: Vec<Json>,
    /// `METHOD path` of every schema request.
    pub schema_requests: Vec<String>,
}

impl State {
    /// The emulator's current time.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.unwrap_or_else(chrono::Utc::now)
    }
}

pub struct Emulator {
    pub base: String,
    pub config: Config,
    state: Arc<Mutex<State>>,
    server: Arc<Server>,
    thread: Option<JoinHandle<()>>,
}

impl Emulator {
    pub fn start(config: Config) -> Emulator {
        let server = Arc::new(Server::http("127.0.0.1:0").expect("bind loopback"));
        let port = server.server_addr().to_ip().expect("ip address").port();
        let base = format!("http://127.0.0.1:{port}");
        let state = Arc::new(Mutex::new(State::default()));
        let ctx =
            Arc::new(Ctx { base: base.clone(), config: config.clone(), state: state.clone() });
        let srv = server.clone();
        let thread = std::thread::spawn(move || {
            for req in srv.incoming_requests() {
                let ctx = ctx.clone();
                std::thread::spawn(move || ctx.handle(req));
            }
        });
        Emulator { base, config, state, server, thread: Some(thread) }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn push_fault(&self, f: Fault) {
        self.state().faults.push_back(f);
    }

    /// Give the job a synchronization schema (its `version` is kept until the next save).
    pub fn set_job_schema(&self, schema: Json) {
        self.state().job_schema = Some(schema);
    }

    pub fn job_schema(&self) -> Option<Json> {
        self.state().job_schema.clone()
    }

    pub fn endpoint(&self) -> String {
        format!("{}/beta/servicePrincipals/{SP}/synchronization/jobs/{JOB}/bulkUpload", self.base)
    }

    /// Stop following the real clock: the emulator's time is `t` until moved again.
    pub fn set_now(&self, t: chrono::DateTime<chrono::Utc>) {
        self.state().clock = Some(t);
    }

    /// Move the emulator's clock forward (from the real time if it was never set).
    pub fn advance(&self, d: Duration) {
        let mut st = self.state();
        let now = st.now();
        st.clock = Some(now + chrono::Duration::from_std(d).expect("duration in range"));
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.state().now()
    }

    /// The next processing of this user fails with this reason (not applied to the directory).
    pub fn fail_next(&self, external_id: &str, reason: &str) {
        self.inject(external_id, Injected::Fail(reason.to_string()));
    }

    /// The next processing of this user is skipped with this reason (e.g. out of scope).
    pub fn skip_next(&self, external_id: &str, reason: &str) {
        self.inject(external_id, Injected::Skip(reason.to_string()));
    }

    fn inject(&self, external_id: &str, what: Injected) {
        self.state().injected.entry(external_id.to_string()).or_default().push_back(what);
    }

    /// Answer the provisioning logs with 403 (true) or normally (false).
    pub fn forbid_logs(&self, on: bool) {
        self.state().logs_forbidden = on;
    }

    /// The directory after processing everything due by now.
    pub fn directory(&self) -> std::collections::BTreeMap<String, DirUser> {
        let mut st = self.state();
        st.process_due(&self.config);
        st.directory.clone()
    }

    /// One user of the directory after processing everything due by now.
    pub fn user(&self, external_id: &str) -> Option<DirUser> {
        let mut st = self.state();
        st.process_due(&self.config);
        st.directory.get(external_id).cloned()
    }

    /// Every provisioning log record written by now.
    pub fn records(&self) -> Vec<Json> {
        let mut st = self.state();
        st.process_due(&self.config);
        st.records.clone()
    }

    /// Staged users not processed yet.
    pub fn unprocessed(&self) -> usize {
        let mut st = self.state();
        st.process_due(&self.config);
        st.accepted.len() - st.processed
    }

    pub fn accepted_ids(&self) -> HashSet<String> {
        self.state().accepted.iter().map(|a| a.external_id.clone()).collect()
    }

    /// A valid access token, as if fetched by some client.
    pub fn issue_token(&self) -> String {
        let tok = format!("emu-{}", uuid::Uuid::new_v4());
        let mut st = self.state();
        st.tokens.insert(tok.clone(), Instant::now() + self.config.token_lifetime);
        st.issued_tokens.push(tok.clone());
        tok
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Ctx {
    base: String,
    config: Config,
    state: Arc<Mutex<State>>,
}

type Reply = (u16, Vec<(String, String)>, String);

fn reply(status: u16, body: Json) -> Reply {
    (status, vec![("Content-Type".into(), "application/json".into())], body.to_string())
}

fn graph_error(status: u16, code: &str, message: &str) -> Reply {
    reply(status, json!({"error": {"code": code, "message": message}}))
}

impl Ctx {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn handle(&self, mut req: Request) {
        let mut body = String::new();
        let _ = req.as_reader().read_to_string(&mut body);
        let url = reqwest::Url::parse(&format!("{}{}", self.base, req.url())).expect("request url");
        let header = |name: &str| {
            req.headers()
                .iter()
                .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
                .map(|h| h.value.as_str().to_string())
        };
        let path = url.path().to_string();
        let (status, headers, text) = if path.ends_with("/bulkUpload") {
            match self.bulk_upload(&req, &path, &body, &header) {
                Some(r) => r,
                None => {
                    // Dropped connection: garbage instead of an HTTP response.
                    let mut w = req.into_writer();
                    let _ = w.write_all(b"\x00\x00garbage\r\n\r\n");
                    let _ = w.flush();
                    return;
                }
            }
        } else if path == format!("/{TENANT}/oauth2/v2.0/token") && *req.method() == Method::Post {
            self.token(&url, &body)
        } else if path == "/msi/token" {
            self.managed(
                header("X-IDENTITY-HEADER").as_deref() == Some(MI_HEADER),
                "app-service",
                true,
            )
        } else if path == "/metadata/identity/oauth2/token" {
            self.managed(header("Metadata").as_deref() == Some("true"), "imds", false)
        } else if path.ends_with("/auditLogs/provisioning") {
            self.logs(&url, &header)
        } else if path.ends_with("/schema") && path.contains("/synchronization/jobs/") {
            self.job_schema(req.method(), &path, &body, &header)
        } else {
            graph_error(404, "Request_ResourceNotFound", &format!("no route for {path}"))
        };
        let mut resp = Response::from_string(text).with_status_code(status);
        for (k, v) in headers {
            resp.add_header(Header::from_bytes(k.as_bytes(), v.as_bytes()).expect("header"));
        }
        let _ = req.respond(resp);
    }

    fn authorized(&self, header: &dyn Fn(&str) -> Option<String>) -> Result<String, Reply> {
        let unauthorized = || {
            graph_error(
                401,
                "InvalidAuthenticationToken",
                "Access token has expired or is not yet valid.",
            )
        };
        let auth = header("Authorization").ok_or_else(unauthorized)?;
        let tok = auth.strip_prefix("Bearer ").ok_or_else(unauthorized)?.to_string();
        match self.state().tokens.get(&tok) {
            Some(exp) if *exp > Instant::now() => Ok(tok),
            _ => Err(unauthorized()),
        }
    }

    fn bulk_upload(
        &self,
        req: &Request,
        path: &str,
        body: &str,
        header: &dyn Fn(&str) -> Option<String>,
    ) -> Option<Reply> {
        let fault = {
            let mut st = self.state();
            st.arrivals.push(Instant::now());
            st.faults.pop_front()
        };
        let r = self.bulk_upload_inner(req, path, body, header, fault)?;
        if !self.config.latency.is_zero() {
            std::thread::sleep(self.config.latency);
        }
        self.state().statuses.push(r.0);
        Some(r)
    }

    fn bulk_upload_inner(
        &self,
        req: &Request,
        path: &str,
        body: &str,
        header: &dyn Fn(&str) -> Option<String>,
        fault: Option<Fault>,
    ) -> Option<Reply> {
        if *req.method() != Method::Post {
            return Some(graph_error(
                405,
                "Request_BadRequest",
                "Only POST is supported on bulkUpload.",
            ));
        }
        let tok = match self.authorized(header) {
            Ok(t) => t,
            Err(r) => return Some(r),
        };
        if let Some((limit, window)) = self.config.window {
            let mut st = self.state();
            let now = Instant::now();
            let recent = st.arrivals.iter().filter(|t| now.duration_since(**t) < window).count();
            if recent > limit {
                st.window_429 += 1;
                return Some((429, vec![("Retry-After".into(), "1".into())], json!({"error":{"code":"TooManyRequests","message":"Too many requests in the window."}}).to_string()));
            }
        }
        match fault {
            Some(Fault::TooMany(ra)) => {
                let headers = ra.map(|v| vec![("Retry-After".to_string(), v)]).unwrap_or_default();
                return Some((
                    429,
                    headers,
                    json!({"error":{"code":"TooManyRequests","message":"Throttled."}}).to_string(),
                ));
            }
            Some(Fault::Status(s)) => {
                return Some(graph_error(s, "ServiceUnavailable", "Injected failure."))
            }
            Some(Fault::Drop) => return None,
            Some(Fault::ExpireToken) => {
                self.state().tokens.remove(&tok);
                return Some(graph_error(
                    401,
                    "InvalidAuthenticationToken",
                    "Access token has expired or is not yet valid.",
                ));
            }
            Some(Fault::Slow(d)) => std::thread::sleep(d),
            Some(Fault::Pass) | None => {}
        }
        if self.config.forbid {
            return Some(graph_error(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ));
        }
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let route_ok = segs.len() == 7
            && (segs[0] == "v1.0" || segs[0] == "beta")
            && segs[1] == "servicePrincipals"
            && segs[3] == "synchronization"
            && segs[4] == "jobs";
        if !route_ok || segs[2] != SP || segs[5] != JOB {
            return Some(graph_error(
                404,
                "Request_ResourceNotFound",
                "The provisioning job was not found.",
            ));
        }
        let ct = header("Content-Type").unwrap_or_default();
        if !ct.to_ascii_lowercase().starts_with("application/scim+json") {
            return Some(graph_error(400, "BadRequest", "Invalid Data Format"));
        }
        let ops = match validate(body) {
            Ok(ops) => ops,
            Err(why) => {
                return Some(graph_error(400, "BadRequest", &format!("Invalid Data Format: {why}")))
            }
        };
        let mut st = self.state();
        let now = Instant::now();
        let when = st.now();
        for (bulk_id, data) in ops {
            let external_id = data["externalId"].as_str().unwrap_or_default().to_string();
            st.accepted.push(AcceptedOp { external_id, bulk_id, data, at: now, when });
        }
        st.accepted_requests += 1;
        let crid = header("client-request-id").unwrap_or_default();
        st.client_request_ids.push(crid.clone());
        let location =
            format!("{}/v1.0/auditLogs/provisioning/?$filter=jobid eq '{JOB}'", self.base);
        Some((
            202,
            vec![
                ("Location".into(), location),
                ("request-id".into(), uuid::Uuid::new_v4().to_string()),
                ("client-request-id".into(), crid),
            ],
            String::new(),
        ))
    }

    fn token(&self, url: &reqwest::Url, body: &str) -> Reply {
        let form: HashMap<String, String> = reqwest::Url::parse(&format!("http://x/?{body}"))
            .expect("form")
            .query_pairs()
            .into_owned()
            .collect();
        let refuse = |why: &str| {
            reply(
                401,
                json!({"error":"invalid_client","error_description":format!("AADSTS7000215: {why}\nTrace ID: x")}),
            )
        };
        if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
            return reply(400, json!({"error":"unsupported_grant_type"}));
        }
        if form.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
            return refuse("unknown client");
        }
        if !form.get("scope").is_some_and(|s| s.ends_with("/.default")) {
            return reply(400, json!({"error":"invalid_scope"}));
        }
        let grant = if let Some(secret) = form.get("client_secret") {
            if *secret != self.config.client_secret {
                return refuse("Invalid client secret provided.");
            }
            "secret".to_string()
        } else if let Some(assertion) = form.get("client_assertion") {
            if form.get("client_assertion_type").map(String::as_str)
                != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            {
                return refuse("bad client_assertion_type");
            }
            match self.verify_assertion(assertion, url.as_str()) {
                Ok(kind) => kind,
                Err(why) => return refuse(&why),
            }
        } else {
            return refuse("no credential");
        };
        self.grant(
            &grant,
            json!({"token_type":"Bearer","expires_in": self.config.token_lifetime.as_secs()}),
        )
    }

    fn verify_assertion(&self, jwt: &str, token_url: &str) -> Result<String, String> {
        let header =
            jsonwebtoken::decode_header(jwt).map_err(|e| format!("bad assertion header: {e}"))?;
        if header.alg != jsonwebtoken::Algorithm::RS256 {
            return Err("assertion must be RS256".into());
        }
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let kind = match (&header.x5t, &header.x5t_s256) {
            (Some(t), _) => {
                use sha1::Digest;
                (t == &b64.encode(sha1::Sha1::digest(&self.config.cert_der))).then_some("x5t")
            }
            (None, Some(t)) => {
                use sha2::Digest;
                (t == &b64.encode(sha2::Sha256::digest(&self.config.cert_der)))
                    .then_some("x5t#S256")
            }
            _ => None,
        }
        .ok_or("the certificate thumbprint does not match a registered certificate")?;
        let key = jsonwebtoken::DecodingKey::from_rsa_pem(self.config.cert_pem.as_bytes())
            .map_err(|e| e.to_string())?;
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        v.set_audience(&[token_url]);
        v.set_issuer(&[CLIENT_ID]);
        v.set_required_spec_claims(&["exp", "aud", "iss", "sub", "nbf"]);
        let data = jsonwebtoken::decode::<Json>(jwt, &key, &v)
            .map_err(|e| format!("assertion rejected: {e}"))?;
        if data.claims["sub"] != CLIENT_ID || data.claims["jti"].as_str().is_none() {
            return Err("sub must be the client id and jti present".into());
        }
        Ok(kind.to_string())
    }

    fn managed(&self, header_ok: bool, kind: &str, app_service: bool) -> Reply {
        if !header_ok {
            return reply(
                400,
                json!({"error":"invalid_request","error_description":"missing identity header"}),
            );
        }
        let life = self.config.token_lifetime.as_secs();
        let extra = if app_service {
            json!({"expires_on": (chrono::Utc::now().timestamp() as u64 + life).to_string()})
        } else {
            json!({"expires_in": life.to_string()})
        };
        self.grant(kind, extra)
    }

    fn grant(&self, kind: &str, mut body: Json) -> Reply {
        let tok = format!("emu-{}", uuid::Uuid::new_v4());
        let mut st = self.state();
        st.tokens.insert(tok.clone(), Instant::now() + self.config.token_lifetime);
        st.issued_tokens.push(tok.clone());
        st.token_grants.push(kind.to_string());
        body["access_token"] = json!(tok);
        reply(200, body)
    }
}

/// Every documented envelope rule; returns (bulkId, data) per operation.
fn validate(body: &str) -> Result<Vec<(String, Json)>, String> {
    let doc: Json = serde_json::from_str(body).map_err(|e| format!("body is not JSON ({e})"))?;
    if doc["schemas"] != json!([BULK_URN]) {
        return Err("schemas must be the BulkRequest URN".into());
    }
    let ops = doc["Operations"].as_array().ok_or("Operations missing")?;
    if ops.is_empty() || ops.len() > 50 {
        return Err(format!("{} operations; 1 to 50 allowed", ops.len()));
    }
    let mut ids = HashSet::new();
    let mut out = Vec::new();
    for op in ops {
        if op["method"] != "POST" || op["path"] != "/Users" {
            return Err("every operation must be POST /Users".into());
        }
        let bulk_id = op["bulkId"].as_str().filter(|s| !s.is_empty()).ok_or("bulkId missing")?;
        if !ids.insert(bulk_id) {
            return Err(format!("duplicate bulkId {bulk_id}"));
        }
        let schemas = op["data"]["schemas"].as_array().ok_or("data.schemas missing")?;
        if !schemas.contains(&json!(CORE)) || !schemas.contains(&json!(ENTERPRISE)) {
            return Err("data.schemas must hold core and enterprise".into());
        }
        if op["data"]["externalId"].as_str().is_none_or(str::is_empty) {
            return Err("Source identifier of an entry cannot be empty".into());
        }
        out.push((bulk_id.to_string(), op["data"].clone()));
    }
    Ok(out)
}

/// A valid BulkRequest for users `prefix{from..to}` (shared by the tests' batch writers).
pub fn bulk_request(prefix: &str, from: usize, to: usize) -> Json {
    let ops: Vec<Json> = (from..to)
        .map(|i| {
            let id = format!("{prefix}{i:06}");
            json!({"method":"POST","bulkId":id,"path":"/Users","data":{
                "schemas":[CORE, ENTERPRISE],"externalId":id,"userName":format!("{id}@contoso.example"),
                "active":true,"displayName":format!("User {i}"),"name":{"givenName":"User","familyName":format!("N{i}")},
                ENTERPRISE:{"department":"Sales","employeeNumber":id}}})
        })
        .collect();
    json!({"schemas":[BULK_URN],"Operations":ops})
}

/// Writes `users` users as bulk-00001.json... with at most `per_batch` operations each.
pub fn write_batches(dir: &std::path::Path, prefix: &str, users: usize, per_batch: usize) -> usize {
    let mut n = 0;
    for (i, from) in (0..users).step_by(per_batch).enumerate() {
        let to = (from + per_batch).min(users);
        std::fs::write(
            dir.join(format!("bulk-{:05}.json", i + 1)),
            bulk_request(prefix, from, to).to_string(),
        )
        .expect("write batch");
        n += 1;
    }
    n
}
