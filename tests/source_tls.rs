//! HTTP sources over mutual TLS: a loopback HTTPS server (rustls) that trusts only client
//! certificates signed by a test CA made here with rcgen, and a source file that trusts that
//! CA for the server (`tls.ca_file`). The right certificate reads the records; a missing one, a
//! certificate from another CA, or a server the configured CA did not sign stops the run with
//! exit 1 before anything is written or sent.

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;

use crate::delta::{sync, sync_env, MAP};
use crate::support::graph_emulator::{Config, Emulator};

/// A certificate authority made for one test.
struct Ca {
    cert: Certificate,
    key: KeyPair,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, name);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature];
        Ca { cert: p.self_signed(&key).unwrap(), key }
    }

    /// A leaf certificate for a server (127.0.0.1) or a client, signed by this CA.
    fn issue(&self, server: bool) -> (Certificate, KeyPair) {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        p.subject_alt_names.push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
        p.distinguished_name.push(DnType::CommonName, if server { "hr api" } else { "hr2scim" });
        p.extended_key_usages = vec![if server {
            ExtendedKeyUsagePurpose::ServerAuth
        } else {
            ExtendedKeyUsagePurpose::ClientAuth
        }];
        (p.signed_by(&key, &self.cert, &self.key).unwrap(), key)
    }
}

/// A loopback HTTPS server that requires a client certificate signed by `client_ca` and
/// answers every request with `body`; it records each failed handshake's error.
struct TlsApi {
    base: String,
    requests: Arc<AtomicUsize>,
    handshake_errors: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl TlsApi {
    fn start(server: &Ca, client_ca: &Ca, body: String) -> TlsApi {
        let (cert, key) = server.issue(true);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots.add(client_ca.cert.der().clone()).unwrap();
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            provider.clone(),
        )
        .build()
        .unwrap();
        let config = Arc::new(
            rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_client_cert_verifier(verifier)
                .with_single_cert(
                    vec![cert.der().clone()],
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
                )
                .unwrap(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("https://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let requests = Arc::new(AtomicUsize::new(0));
        let handshake_errors = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, errors, stopped) = (requests.clone(), handshake_errors.clone(), stop.clone());
        std::thread::spawn(move || {
            for tcp in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(tcp) = tcp else { continue };
                let conn = rustls::ServerConnection::new(config.clone()).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                match read_request(&mut tls) {
                    Ok(()) => {
                        count.fetch_add(1, Ordering::SeqCst);
                        let reply = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = tls.write_all(reply.as_bytes());
                        tls.conn.send_close_notify();
                        let _ = tls.flush();
                    }
                    Err(e) => {
                        errors.lock().unwrap().push(e.to_string());
                        // Read what the client still sends until it closes: a socket closed
                        // with unread data is reset, and a reset can reach the client before
                        // the alert that says why.
                        let mut tcp = tls.sock;
                        let _ = tcp.set_read_timeout(Some(std::time::Duration::from_secs(5)));
                        let mut sink = [0u8; 4096];
                        while matches!(tcp.read(&mut sink), Ok(n) if n > 0) {}
                    }
                }
            }
        });
        TlsApi { base, requests, handshake_errors, stop }
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for TlsApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.base.trim_start_matches("https://"));
    }
}

/// Reads one request's head (the handshake happens on the first read).
fn read_request(
    tls: &mut rustls::StreamOwned<rustls::ServerConnection, TcpStream>,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tls.read(&mut buf)?;
        if n == 0 {
            return Err(std::io::Error::other("closed before a request"));
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(())
}

fn people() -> String {
    json!({"data": (1..=3).map(|i| json!({"Id": i, "Status": "Active", "Title": "Clerk"})).collect::<Vec<_>>()})
        .to_string()
}

/// Writes `pem` files into `dir` and a source file naming them (relative paths: they are read
/// from the source file's folder).
fn source(
    dir: &Path,
    base: &str,
    server_ca: &Ca,
    client: Option<(&Certificate, &KeyPair)>,
) -> String {
    fs::write(dir.join("server-ca.pem"), server_ca.cert.pem()).unwrap();
    let mut text = format!(
        "request.url = \"{base}/people\"\nrecords.path = \"data\"\nlimits.retries = 0\ntls.ca_file = \"server-ca.pem\"\n"
    );
    if let Some((cert, key)) = client {
        fs::write(dir.join("client.pem"), cert.pem()).unwrap();
        fs::write(dir.join("client.key"), key.serialize_pem()).unwrap();
        text.push_str(
            "auth.tls_client = { cert_file = \"client.pem\", key_file = \"client.key\" }\n",
        );
    }
    let p = dir.join("hr.toml");
    fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// A run that must stop whole: exit 1, the words in the message, nothing sent or disabled,
/// no records kept.
fn refused(emu: &Emulator, dir: &Path, src: &str, words: &[&str]) {
    let r = sync_env(emu, dir, MAP, src, &["--leavers", "disable"], &[]);
    assert_eq!(r.code, 1, "{}", r.err);
    for w in words {
        assert!(r.err.to_lowercase().contains(&w.to_lowercase()), "expected '{w}' in: {}", r.err);
    }
    assert!(
        r.ids.is_empty() && r.disabled.is_empty(),
        "nothing sent: {:?} {:?}",
        r.ids,
        r.disabled
    );
    assert!(!dir.join("out/source-records.ndjson").exists(), "a failed read keeps nothing");
}

#[test]
fn the_right_client_certificate_reads_the_records_and_others_stop_the_run() {
    let server_ca = Ca::new("hr2scim test server CA");
    let client_ca = Ca::new("hr2scim test client CA");
    let api = TlsApi::start(&server_ca, &client_ca, people());
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let (cert, key) = client_ca.issue(false);
    let src = source(d, &api.base, &server_ca, Some((&cert, &key)));
    let r = sync(&emu, d, MAP, &src, &[]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(r.ids, ["1", "2", "3"]);
    assert_eq!(api.requests(), 1);
    let saved = fs::read_to_string(d.join("out/source-records.ndjson")).unwrap();
    assert_eq!(saved.lines().count(), 3);

    // The same people, read again without a certificate: had the read counted as empty, all
    // three would be leavers and disabled.
    fs::remove_file(d.join("out/source-records.ndjson")).unwrap();
    let src = source(d, &api.base, &server_ca, None);
    refused(&emu, d, &src, &["tls", "certificate"]);

    // A certificate from a CA the server does not trust.
    let stranger = Ca::new("someone else's CA");
    let (cert, key) = stranger.issue(false);
    let src = source(d, &api.base, &server_ca, Some((&cert, &key)));
    refused(&emu, d, &src, &["tls", "certificate"]);

    assert_eq!(api.requests(), 1, "no request got past the handshake");
    let errors = api.handshake_errors.lock().unwrap().clone();
    assert!(errors.len() >= 2, "{errors:?}");
    assert!(errors.iter().all(|e| e.to_lowercase().contains("certificate")), "{errors:?}");
}

#[test]
fn a_server_the_configured_ca_did_not_sign_is_refused() {
    let real_ca = Ca::new("the server's real CA");
    let client_ca = Ca::new("hr2scim test client CA");
    let api = TlsApi::start(&real_ca, &client_ca, people());
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = client_ca.issue(false);
    // The source trusts another CA than the one that signed the server's certificate.
    let other = Ca::new("the CA the source file names");
    let src = source(dir.path(), &api.base, &other, Some((&cert, &key)));
    refused(&emu, dir.path(), &src, &["certificate", "UnknownIssuer"]);
    assert_eq!(api.requests(), 0);
}

#[test]
fn an_unusable_ca_file_is_a_clear_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = d.join("hr.toml");
    fs::write(&src, "request.url = \"https://127.0.0.1:9/people\"\ntls.ca_file = \"ca.pem\"\n")
        .unwrap();
    fs::write(d.join("m.map"), MAP).unwrap();
    let run = |expect: &str| {
        let o = assert_cmd::Command::cargo_bin("hr2scim")
            .unwrap()
            .env_clear()
            .arg("check")
            .arg(d.join("m.map"))
            .arg("--input")
            .arg(&src)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains("tls.ca_file") && err.contains(expect),
            "expected '{expect}' in: {err}"
        );
    };
    run("cannot be read");
    fs::write(d.join("ca.pem"), "not a certificate\n").unwrap();
    run("no PEM certificate");
}
