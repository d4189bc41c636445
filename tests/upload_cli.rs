//! The built `hr2scim upload` binary against the Graph emulator: secrets, URLs, identities, Ctrl-C.

use crate::support::graph_emulator;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use graph_emulator::{Config, Emulator, Fault, CLIENT_ID, MI_HEADER, TENANT};
use hr2scim::upload::journal::{read_records, Event};

const BIN: &str = env!("CARGO_BIN_EXE_hr2scim");

/// `hr2scim upload --from DIR` with emulator defaults; a clean environment so no Azure variables
/// of the machine running the tests leak in.
fn cmd(emu: &Emulator, dir: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    c.args(["upload", "--from"]).arg(dir);
    c.args(["--endpoint", &emu.endpoint(), "--login-url", &emu.base, "--tenant-id", TENANT]);
    c.args(["--client-id", CLIENT_ID, "--backoff-base", "20ms", "--timeout", "2s"]);
    if !extra.contains(&"--rate") {
        c.args(["--rate", "1000/1s"]);
    }
    c.args(extra);
    c
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Everything a run left behind: its output plus every file in the journal.
fn everything(o: &Output, dir: &Path) -> String {
    let mut all = text(o);
    for e in std::fs::read_dir(dir.join("journal")).into_iter().flatten().flatten() {
        all += &std::fs::read_to_string(e.path()).unwrap_or_default();
    }
    all
}

#[test]
fn secrets_and_tokens_never_appear_in_output_or_journal() {
    let secret = "S3cr3t-VALUE-must-not-leak-9f8e7d";
    let emu = Emulator::start(Config { client_secret: secret.into(), ..Config::default() });
    let dir = tempfile::tempdir().unwrap();
    graph_emulator::write_batches(dir.path(), "E", 120, 50);
    // Exercise the chatty paths: refresh after 401, retries, and a final refusal.
    for f in [
        Fault::ExpireToken,
        Fault::Status(500),
        Fault::TooMany(Some("0".into())),
        Fault::Status(400),
    ] {
        emu.push_fault(f);
    }
    let o = cmd(&emu, dir.path(), &["--concurrency", "1", "--json"])
        .env("AZURE_CLIENT_SECRET", secret)
        .output()
        .unwrap();
    let all = everything(&o, dir.path());
    assert!(
        all.contains("HTTP 400") && all.contains("retry"),
        "the run must have hit the error paths: {all}"
    );
    assert!(!all.contains(secret), "client secret leaked");
    let tokens = emu.state().issued_tokens.clone();
    assert_eq!(tokens.len(), 2);
    for t in &tokens {
        assert!(!all.contains(t.as_str()), "access token leaked");
    }
    // A wrong secret: the token service's error is shown, the secret still is not.
    let o = cmd(&emu, dir.path(), &[])
        .env("AZURE_CLIENT_SECRET", "wrong-secret-0000")
        .output()
        .unwrap();
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(all.contains("invalid_client") && !all.contains("wrong-secret-0000"), "{all}");
}

#[test]
fn a_token_file_is_used_and_not_echoed() {
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    graph_emulator::write_batches(dir.path(), "E", 60, 50);
    let token = emu.issue_token();
    let file = dir.path().join("token.json");
    std::fs::write(&file, format!(r#"{{"accessToken":"{token}","tokenType":"Bearer"}}"#)).unwrap();
    let o = cmd(&emu, dir.path(), &["--token-file", file.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!everything(&o, dir.path()).contains(&token));
    assert_eq!(emu.accepted_ids().len(), 60);
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    graph_emulator::write_batches(dir.path(), "E", 5, 50);
    let o = Command::new(BIN)
        .env_clear()
        .args(["upload", "--from"])
        .arg(dir.path())
        .args([
            "--endpoint",
            "http://graph.example.com/beta/servicePrincipals/s/synchronization/jobs/j/bulkUpload",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("only https://"), "{}", text(&o));
    let o = Command::new(BIN)
        .env_clear()
        .args(["upload", "--from"])
        .arg(dir.path())
        .args(["--target", "scim", "--url", "http://10.1.2.3:8080/scim"])
        .output()
        .unwrap();
    assert!(text(&o).contains("only https://"), "{}", text(&o));
}

#[test]
fn managed_identity_works_through_app_service_and_imds() {
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    graph_emulator::write_batches(dir.path(), "E", 60, 50);
    let o = cmd(&emu, dir.path(), &["--managed-identity"])
        .env("IDENTITY_ENDPOINT", format!("{}/msi/token", emu.base))
        .env("IDENTITY_HEADER", MI_HEADER)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    std::fs::remove_dir_all(dir.path().join("journal")).unwrap();
    let o = cmd(&emu, dir.path(), &["--managed-identity"])
        .env("HR2SCIM_IMDS_ENDPOINT", format!("{}/metadata/identity/oauth2/token", emu.base))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(emu.state().token_grants, ["app-service", "imds"]);
    assert_eq!(emu.state().accepted_requests, 4);
}

#[test]
fn dry_run_sends_nothing_and_tells_the_plan() {
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    graph_emulator::write_batches(dir.path(), "E", 2000, 50);
    let o = cmd(&emu, dir.path(), &["--dry-run", "--rate", "40/5s"]).output().unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("would send batch 40 (50 users"), "{out}");
    assert!(out.contains("40 requests to") && out.contains("pacing alone takes at least"), "{out}");
    assert!(emu.state().arrivals.is_empty() && emu.state().issued_tokens.is_empty());
}

#[test]
fn ctrl_c_finishes_in_flight_batches_and_says_how_to_resume() {
    let emu = Emulator::start(Config { latency: Duration::from_millis(100), ..Config::default() });
    let dir = tempfile::tempdir().unwrap();
    let n = graph_emulator::write_batches(dir.path(), "E", 100 * 20, 20);
    let secret = dir.path().join("s");
    std::fs::write(&secret, &emu.config.client_secret).unwrap();
    let child = cmd(
        &emu,
        dir.path(),
        &["--client-secret-file", secret.to_str().unwrap(), "--concurrency", "2"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let start = Instant::now();
    while emu.state().accepted_requests < 10 && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let o = child.wait_with_output().unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("interrupted") && out.contains("To resume, rerun the same command"),
        "{out}"
    );
    assert!(out.contains("resume with: ") && out.contains(" upload --from "), "{out}");
    // Every batch that was started has an outcome line: nothing is left "pending".
    let recs = read_records(&dir.path().join("journal/batches.jsonl")).unwrap();
    let pending = recs.iter().filter(|r| r.event == Event::Pending).count();
    let decided = recs
        .iter()
        .filter(|r| matches!(r.event, Event::Accepted | Event::Partial | Event::Failed))
        .count();
    assert_eq!(pending, decided, "{recs:?}");
    let accepted = recs.iter().filter(|r| r.event == Event::Accepted).count();
    assert!(accepted >= 10 && accepted < n, "stopped early: {accepted} of {n}");
    assert_eq!(
        accepted,
        emu.state().accepted_requests,
        "in-flight batches were finished and journaled"
    );
}
