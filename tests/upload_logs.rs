//! `hr2scim logs` against the emulator: paging, counts, failures, and waiting for late records.

use crate::support::graph_emulator;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use graph_emulator::{Config, Emulator, CLIENT_ID, TENANT};

const BIN: &str = env!("CARGO_BIN_EXE_hr2scim");

fn hr2scim(emu: &Emulator, sub: &str, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear().env("AZURE_CLIENT_SECRET", &emu.config.client_secret);
    c.args([sub, "--endpoint", &emu.endpoint(), "--login-url", &emu.base, "--tenant-id", TENANT]);
    c.args(["--client-id", CLIENT_ID]);
    c.args(args);
    c
}

fn upload(emu: &Emulator, dir: &Path) {
    let o =
        hr2scim(emu, "upload", &["--from", dir.to_str().unwrap(), "--rate", "1000/1s", "--quiet"])
            .output()
            .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn failing(ids: &[&str]) -> HashSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn logs_follow_every_page_and_list_each_failure() {
    let emu = Emulator::start(Config {
        log_page_size: 7,
        failing_users: failing(&["L000003", "L000040"]),
        ..Config::default()
    });
    let dir = tempfile::tempdir().unwrap();
    graph_emulator::write_batches(dir.path(), "L", 60, 50);
    upload(&emu, dir.path());

    let o = hr2scim(&emu, "logs", &["--format", "json"]).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "failures give exit code 2: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let rep: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(rep["counts"]["create"]["success"], 58);
    assert_eq!(rep["counts"]["create"]["failure"], 2);
    let failed: Vec<&str> = rep["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["external_id"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["L000003", "L000040"]);
    assert_eq!(rep["failures"][0]["error_code"], "AzureActiveDirectoryDuplicateUserPrincipalName");
    assert!(emu.state().log_requests >= 9, "60 records in pages of 7");

    let o = hr2scim(&emu, "logs", &["--status", "failure", "--external-id", "L000040"])
        .output()
        .unwrap();
    let table = out(&o);
    assert!(
        table.contains("L000040 (create) AzureActiveDirectoryDuplicateUserPrincipalName"),
        "{table}"
    );
    assert!(table.contains("recommended: Make userName unique"), "{table}");
    assert!(!table.contains("L000003"), "filtered by externalId: {table}");
}

#[test]
fn wait_polls_until_every_uploaded_user_has_a_record() {
    let emu =
        Emulator::start(Config { logs_delay: Duration::from_millis(1500), ..Config::default() });
    let dir = tempfile::tempdir().unwrap();
    graph_emulator::write_batches(dir.path(), "W", 30, 10);
    upload(&emu, dir.path());
    let journal = dir.path().join("journal");
    let o = hr2scim(
        &emu,
        "logs",
        &["--wait", "--journal", journal.to_str().unwrap(), "--poll-interval", "300ms"],
    )
    .output()
    .unwrap();
    let (table, err) = (out(&o), String::from_utf8_lossy(&o.stderr).into_owned());
    assert_eq!(o.status.code(), Some(0), "{table}{err}");
    assert!(err.contains("0 of 30 users have a provisioning record"), "it had to wait: {err}");
    assert!(table.contains("per user (latest record)") && table.contains("W000029"), "{table}");
    assert!(emu.state().log_requests >= 2);

    // Nothing arrives within the wait budget: exit 1 and the missing users are named.
    let slow =
        Emulator::start(Config { logs_delay: Duration::from_secs(3600), ..Config::default() });
    let dir2 = tempfile::tempdir().unwrap();
    graph_emulator::write_batches(dir2.path(), "X", 3, 10);
    upload(&slow, dir2.path());
    let j2 = dir2.path().join("journal");
    let o = hr2scim(
        &slow,
        "logs",
        &[
            "--wait",
            "--journal",
            j2.to_str().unwrap(),
            "--poll-interval",
            "200ms",
            "--wait-timeout",
            "700ms",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("3 users have no provisioning record yet"), "{}", out(&o));
}

/// A logs page whose next link points at another origin (here another port on the same host)
/// must not be followed: the request would carry the bearer token to whoever listens there.
#[test]
fn a_next_link_to_another_origin_is_refused_and_gets_no_token() {
    use std::io::Read;
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    // The trap records the first bytes of any request that reaches it.
    let trap = TcpListener::bind("127.0.0.1:0").unwrap();
    let trap_url = format!("http://{}", trap.local_addr().unwrap());
    trap.set_nonblocking(true).unwrap();
    let seen = Arc::new(Mutex::new(Vec::<u8>::new()));
    let (seen2, stop) = (seen.clone(), Arc::new(std::sync::atomic::AtomicBool::new(false)));
    let stop2 = stop.clone();
    let watcher = std::thread::spawn(move || {
        while !stop2.load(std::sync::atomic::Ordering::SeqCst) {
            if let Ok((mut s, _)) = trap.accept() {
                s.set_nonblocking(false).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                let mut buf = [0u8; 4096];
                let n = s.read(&mut buf).unwrap_or(0);
                seen2.lock().unwrap().extend_from_slice(&buf[..n.max(1)]);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    });

    let emu = Emulator::start(Config {
        log_page_size: 7,
        log_next_origin: Some(trap_url.clone()),
        ..Config::default()
    });
    let dir = tempfile::tempdir().unwrap();
    graph_emulator::write_batches(dir.path(), "N", 20, 50);
    upload(&emu, dir.path());

    let o = hr2scim(&emu, "logs", &[]).output().unwrap();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    watcher.join().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "a refused next link is an error: {err}");
    assert!(err.contains("another origin"), "{err}");
    assert_eq!(emu.state().log_requests, 1, "only the first page was asked for");
    let seen = seen.lock().unwrap();
    assert!(
        seen.is_empty(),
        "nothing may reach the other origin, least of all the token: {}",
        String::from_utf8_lossy(&seen)
    );
}
