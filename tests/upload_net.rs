//! Hostile network surroundings, through the built binary: a proxy that must not see loopback
//! traffic, absurd Retry-After values, URLs with credentials, a SCIM server that ignores filters.

use crate::support::graph_emulator;

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use graph_emulator::{Config, Emulator, Fault, CLIENT_ID, MI_HEADER, TENANT};
use hr2scim::upload::journal::{read_records, Event};
use serde_json::{json, Value as Json};

const BIN: &str = env!("CARGO_BIN_EXE_hr2scim");

/// Exit code and stdout+stderr of a command, killed if it runs longer than a minute.
struct Ran {
    code: Option<i32>,
    stdout: String,
    all: String,
}

fn run(c: &mut Command) -> Ran {
    let out = tempfile::tempdir().unwrap();
    let (o, e) = (out.path().join("out"), out.path().join("err"));
    let mut child = c
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&o).unwrap())
        .stderr(std::fs::File::create(&e).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("hr2scim did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = std::fs::read_to_string(&o).unwrap_or_default();
    let all = stdout.clone() + &std::fs::read_to_string(&e).unwrap_or_default();
    Ran { code: status.code(), stdout, all }
}

/// `hr2scim upload --from DIR` against the emulator, in a clean environment.
fn cmd(emu: &Emulator, dir: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    c.args(["upload", "--from"]).arg(dir);
    c.args(["--endpoint", &emu.endpoint(), "--login-url", &emu.base, "--tenant-id", TENANT]);
    c.args(["--client-id", CLIENT_ID, "--backoff-base", "20ms", "--timeout", "2s"]);
    c.args(["--rate", "1000/1s", "--max-retries", "2"]);
    c.args(extra);
    c
}

/// Everything in the journal directory, as text.
fn journal_text(dir: &Path) -> String {
    let mut all = String::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        all += &std::fs::read_to_string(e.path()).unwrap_or_default();
    }
    all
}

/// A loopback listener standing in for a proxy: records the first bytes of every connection.
struct FakeProxy {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl FakeProxy {
    fn start() -> FakeProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut conn, _)) => {
                        let _ = conn.set_nonblocking(false);
                        let _ = conn.set_read_timeout(Some(Duration::from_millis(300)));
                        let mut buf = [0u8; 512];
                        let n = conn.read(&mut buf).unwrap_or(0);
                        s.lock().unwrap().push(String::from_utf8_lossy(&buf[..n]).into_owned());
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        FakeProxy { url, seen, stop }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    fn set_on(&self, c: &mut Command) {
        for var in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"] {
            c.env(var, &self.url);
        }
        c.env("all_proxy", &self.url).env("NO_PROXY", "example.invalid");
    }
}

impl Drop for FakeProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

#[test]
fn loopback_targets_and_managed_identity_never_go_through_the_proxy() {
    let emu = Emulator::start(Config::default());
    let proxy = FakeProxy::start();
    let dir = tempfile::tempdir().unwrap();
    graph_emulator::write_batches(dir.path(), "E", 60, 50);

    let mut secret = cmd(&emu, dir.path(), &[]);
    secret.env("AZURE_CLIENT_SECRET", &emu.config.client_secret);
    proxy.set_on(&mut secret);
    let r = run(&mut secret);
    assert_eq!(r.code, Some(0), "{}", r.all);
    assert_eq!(emu.accepted_ids().len(), 60);

    // App Service managed identity: 127.0.0.1 and its X-IDENTITY-HEADER secret.
    std::fs::remove_dir_all(dir.path().join("journal")).unwrap();
    let mut mi = cmd(&emu, dir.path(), &["--managed-identity"]);
    mi.env("IDENTITY_ENDPOINT", format!("{}/msi/token", emu.base))
        .env("IDENTITY_HEADER", MI_HEADER);
    proxy.set_on(&mut mi);
    let r = run(&mut mi);
    assert_eq!(r.code, Some(0), "{}", r.all);
    assert_eq!(emu.state().token_grants.last().map(String::as_str), Some("app-service"));

    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(proxy.seen(), Vec::<String>::new(), "the proxy saw loopback traffic");
}

#[test]
fn a_retry_after_of_centuries_stops_cleanly_and_the_batch_is_resent() {
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    graph_emulator::write_batches(dir.path(), "E", 60, 50);
    let secret = emu.config.client_secret.clone();
    for value in ["9000000000000000", "Fri, 31 Dec 9999 23:59:59 GMT"] {
        emu.push_fault(Fault::TooMany(Some(value.into())));
        let mut c = cmd(&emu, dir.path(), &["--concurrency", "1"]);
        let r = run(c.env("AZURE_CLIENT_SECRET", &secret));
        assert_ne!(r.code, Some(101), "panicked on Retry-After {value}: {}", r.all);
        assert_eq!(r.code, Some(1), "a clean stop; {value}: {}", r.all);
        assert!(r.all.contains("resume after"), "{value}: {}", r.all);
        assert!(emu.accepted_ids().is_empty());
        let journal = dir.path().join("journal");
        let records: Vec<_> = std::fs::read_dir(&journal)
            .unwrap()
            .flatten()
            .filter_map(|e| read_records(&e.path()).ok())
            .flatten()
            .collect();
        assert!(records.iter().all(|r| r.event != Event::Accepted), "{records:?}");
    }
    let mut c = cmd(&emu, dir.path(), &[]);
    let r = run(c.env("AZURE_CLIENT_SECRET", &secret));
    assert_eq!(r.code, Some(0), "{}", r.all);
    assert_eq!(emu.accepted_ids().len(), 60);
}

#[test]
fn urls_with_credentials_are_refused_without_echoing_them() {
    let dir = tempfile::tempdir().unwrap();
    graph_emulator::write_batches(dir.path(), "E", 5, 50);
    let pw = "pw-S3CRET-in-url";
    let endpoint = format!(
        "https://user:{pw}@graph.example.com/beta/servicePrincipals/s/synchronization/jobs/j/bulkUpload"
    );
    // A refused port: had the URL been accepted, the connection error would echo it.
    let scim = format!("http://admin:{pw}@127.0.0.1:9/scim");
    let login = format!("https://u:{pw}@login.example.com");
    let cases: [&[&str]; 3] = [
        &["--endpoint", &endpoint, "--tenant-id", "t", "--client-id", "c"],
        &["--target", "scim", "--url", &scim, "--timeout", "2s"],
        &[
            "--service-principal",
            "s",
            "--job-id",
            "j",
            "--login-url",
            &login,
            "--tenant-id",
            "t",
            "--client-id",
            "c",
        ],
    ];
    for args in cases {
        let mut c = Command::new(BIN);
        c.env_clear().env("AZURE_CLIENT_SECRET", "x").args(["upload", "--from"]).arg(dir.path());
        let r = run(c.args(args));
        assert_eq!(r.code, Some(1), "{args:?}: {}", r.all);
        assert!(r.all.contains("user name or password"), "{args:?}: {}", r.all);
        assert!(!r.all.contains(pw), "{args:?}: {}", r.all);
        assert!(!journal_text(&dir.path().join("journal")).contains(pw));
    }
}

/// A SCIM server that ignores filters: every search returns another user (or, for E000001, the
/// right one under an id that needs encoding), creates conflict, E000002 echoes the token.
struct SloppyScim {
    base: String,
    requests: Arc<Mutex<Vec<(String, String)>>>,
    server: Arc<tiny_http::Server>,
}

impl SloppyScim {
    fn start() -> SloppyScim {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (srv, log) = (server.clone(), requests.clone());
        std::thread::spawn(move || {
            for mut req in srv.incoming_requests() {
                let url = req.url().to_string();
                let method = req.method().to_string();
                let mut body = String::new();
                let _ = req.as_reader().read_to_string(&mut body);
                let auth = req
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Authorization"))
                    .map(|h| h.value.to_string())
                    .unwrap_or_default();
                log.lock().unwrap().push((method.clone(), url.clone()));
                let (status, doc) = match method.as_str() {
                    "GET" if url.ends_with("/ServiceProviderConfig") => {
                        (200, json!({"bulk": {"supported": false}}))
                    }
                    "POST" if body.contains("E000002") => (
                        400,
                        json!({"status": "400", "detail": format!("bad request from Authorization: {auth}")}),
                    ),
                    "POST" => (409, json!({"status": "409", "scimType": "uniqueness"})),
                    "GET" if url.contains("E000001") => (
                        200,
                        json!({"totalResults": 1, "Resources": [
                            {"id": "id/with space", "externalId": "E000001"}]}),
                    ),
                    "GET" => (
                        200,
                        json!({"totalResults": 1, "Resources": [
                            {"id": "victim-1", "externalId": "someone-else", "userName": "victim"}]}),
                    ),
                    _ => (200, json!({})),
                };
                let _ = req.respond(
                    tiny_http::Response::from_string(doc.to_string()).with_status_code(status),
                );
            }
        });
        SloppyScim { base: format!("http://127.0.0.1:{port}/scim"), requests, server }
    }
}

impl Drop for SloppyScim {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

#[test]
fn a_scim_server_that_ignores_the_filter_gets_no_overwrite() {
    let scim = SloppyScim::start();
    let dir = tempfile::tempdir().unwrap();
    graph_emulator::write_batches(dir.path(), "E", 3, 50);
    let token = "scim-token-abc.123-must-not-be-kept";
    let mut c = Command::new(BIN);
    c.env_clear().env("SCIM_TOKEN", token).args(["upload", "--from"]).arg(dir.path());
    c.args(["--target", "scim", "--url", &scim.base, "--rate", "1000/1s", "--json"]);
    c.args(["--timeout", "2s", "--max-retries", "1"]);
    let r = run(&mut c);
    let summary: Json = serde_json::from_str(&r.stdout).unwrap_or_else(|_| panic!("{}", r.all));
    let puts: Vec<String> = scim
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|(m, _)| m == "PUT")
        .map(|(_, u)| u.clone())
        .collect();
    // Only the user whose own record came back is updated, under its encoded id.
    assert_eq!(puts, ["/scim/Users/id%2Fwith%20space"], "{}", r.all);
    let failed = summary["failed_users"].as_array().unwrap();
    let by_id = |id: &str| failed.iter().find(|f| f["external_id"] == id).cloned();
    let e0 = by_id("E000000").unwrap_or_else(|| panic!("{summary}"));
    assert_eq!(e0["status"], 409);
    assert!(e0["detail"].as_str().unwrap().contains("conflict"), "{e0}");
    assert!(e0["detail"].as_str().unwrap().contains("nothing was overwritten"), "{e0}");
    assert!(by_id("E000001").is_none(), "{summary}");
    // The echoed token is neither in the summary nor in the journal.
    let e2 = by_id("E000002").unwrap_or_else(|| panic!("{summary}"));
    assert_eq!(e2["status"], 400);
    assert!(e2["detail"].as_str().unwrap().contains("[redacted]"), "{e2}");
    assert!(!r.all.contains(token), "{}", r.all);
    assert!(!journal_text(&dir.path().join("journal")).contains(token));
}
