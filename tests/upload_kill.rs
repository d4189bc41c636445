//! `kill -9` in the middle of an upload, then a rerun: nothing lost, accepted batches not resent.

use crate::support::graph_emulator;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use graph_emulator::{Config, Emulator, CLIENT_ID, TENANT};
use hr2scim::upload::journal::{read_records, Event};

const USERS: usize = 3000;

#[test]
fn kill_9_mid_run_then_rerun_delivers_every_user_and_accepts_every_batch() {
    // Latency makes the run last long enough to be killed in the middle.
    let emu = Emulator::start(Config { latency: Duration::from_millis(60), ..Config::default() });
    let dir = tempfile::tempdir().unwrap();
    let batches = graph_emulator::write_batches(dir.path(), "K", USERS, 50);
    let secret = dir.path().join("secret");
    std::fs::write(&secret, &emu.config.client_secret).unwrap();
    let run = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hr2scim"));
        c.env_clear()
            .args(["upload", "--from"])
            .arg(dir.path())
            .args(["--endpoint", &emu.endpoint(), "--login-url", &emu.base, "--tenant-id", TENANT])
            .args(["--client-id", CLIENT_ID, "--client-secret-file", secret.to_str().unwrap()])
            .args(["--rate", "1000/1s", "--concurrency", "3", "--json", "--quiet"]);
        c
    };

    let mut child = run().stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let start = Instant::now();
    while emu.state().accepted_requests < batches / 3 && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL: no handler, no cleanup
    child.wait().unwrap();
    let after_kill = emu.state().accepted_requests;
    assert!(
        after_kill >= batches / 3 && after_kill < batches,
        "killed mid-run: {after_kill} of {batches}"
    );
    let journal = dir.path().join("journal/batches.jsonl");
    let accepted_before: HashSet<String> = read_records(&journal)
        .unwrap()
        .into_iter()
        .filter(|r| r.event == Event::Accepted)
        .map(|r| r.hash)
        .collect();

    let o = run().output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let skipped = summary["batches_skipped_already_accepted"].as_u64().unwrap() as usize;
    let sent = summary["batches_sent"].as_u64().unwrap() as usize;
    assert_eq!(skipped, accepted_before.len(), "every batch journaled as accepted was skipped");
    assert_eq!(skipped + sent, batches, "every other batch was sent");

    let ids = emu.accepted_ids();
    assert_eq!(ids.len(), USERS, "every user arrived at least once");
    let resent = emu.state().accepted_requests - batches;
    // Only batches whose acceptance was not yet journaled (in flight at the kill) came twice.
    assert!(resent <= 3, "{resent} batches were sent twice; at most the 3 in flight may be");
    let recs = read_records(&journal).unwrap();
    let accepted: HashSet<&str> =
        recs.iter().filter(|r| r.event == Event::Accepted).map(|r| r.hash.as_str()).collect();
    assert_eq!(accepted.len(), batches, "every batch is accepted in the journal");
    eprintln!(
        "KILL TEST: killed after {after_kill} of {batches} batches; rerun skipped {skipped}, sent {sent}, {resent} resent; {} users delivered",
        ids.len()
    );
}
