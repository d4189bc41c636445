//! One run at a time and the tenant's quota: the output directory's lock (a second run exits 3
//! naming the holder; a stale lock is taken over), the daily quota and the pacing shared by
//! runs on different output directories, a journal that skips only when resuming, and a killed
//! delta run that leaves nothing `upload --from` would send.

use crate::support::graph_emulator;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use graph_emulator::{write_batches, Config, Emulator, Fault, CLIENT_ID, TENANT};

const BIN: &str = env!("CARGO_BIN_EXE_hr2scim");
const MAP: &str = "externalId = [Id]\nuserName = Join(\"@\", [Id], \"x.example\")\nactive = Switch([Status], \"false\", \"Active\", \"true\")\ntitle = [Title]\n";

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// `upload --from dir` to the emulator with the tenant's call log in `quota`.
fn upload_from(emu: &Emulator, dir: &Path, quota: &Path, extra: &[&str]) -> Output {
    Command::new(BIN)
        .env("AZURE_CLIENT_SECRET", &emu.config.client_secret)
        .arg("upload")
        .arg("--from")
        .arg(dir)
        .arg("--quota-dir")
        .arg(quota)
        .args(["--endpoint", &emu.endpoint(), "--login-url", &emu.base, "--tenant-id", TENANT])
        .args(["--client-id", CLIENT_ID, "--backoff-base", "20ms", "--timeout", "5s"])
        .args(["--concurrency", "1"])
        .args(extra)
        .output()
        .unwrap()
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A `convert` reading its export from standard input, which the test keeps open: the run
/// holds the output directory until the test closes (or kills) it.
fn convert_from_stdin(dir: &Path, extra: &[&str]) -> std::process::Child {
    let map = dir.join("m.map");
    std::fs::write(&map, MAP).unwrap();
    let mut child = Command::new(BIN)
        .arg("convert")
        .arg(&map)
        .arg("-")
        .arg("--out")
        .arg(dir.join("out"))
        .args(["--quiet", "--jobs", "1"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.as_mut().unwrap();
    stdin.write_all(b"Id,Status,Title\n1,Active,Clerk\n").unwrap();
    stdin.flush().unwrap();
    child
}

fn lock_is_held(out: &Path) -> bool {
    std::fs::read_to_string(out.join(".hr2scim.lock")).is_ok_and(|t| !t.trim().is_empty())
}

#[test]
fn a_second_run_on_the_same_directory_stops_at_once_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut first = convert_from_stdin(dir.path(), &[]);
    wait_until("the first run to hold the lock", || lock_is_held(&out));

    let started = Instant::now();
    let second = Command::new(BIN)
        .arg("convert")
        .arg(dir.path().join("m.map"))
        .arg("-")
        .arg("--out")
        .arg(&out)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(3), "{}", text(&second));
    let msg = text(&second);
    assert!(msg.contains(&format!("pid {}", first.id())), "{msg}");
    assert!(msg.contains("another hr2scim run") && msg.contains("started"), "{msg}");
    assert!(started.elapsed() < Duration::from_secs(10), "the second run stops at once");

    drop(first.stdin.take());
    let done = first.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(0), "{}", text(&done));
    assert!(out.join("bulk-00001.json").exists());
    assert!(!lock_is_held(&out), "a finished run releases its lock");
}

#[test]
fn a_stale_lock_is_taken_over_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join(".hr2scim.lock"),
        r#"{"pid":999999,"started":"2026-01-01T00:00:00Z","host":"old","command":"hr2scim upload"}"#,
    )
    .unwrap();
    let mut run = convert_from_stdin(dir.path(), &[]);
    drop(run.stdin.take());
    let o = run.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let msg = text(&o);
    assert!(msg.contains("stale") && msg.contains("pid 999999"), "{msg}");
    assert!(out.join("bulk-00001.json").exists());
}

#[test]
fn the_daily_quota_is_the_tenants_across_output_directories() {
    let emu = Emulator::start(Config::default());
    let tmp = tempfile::tempdir().unwrap();
    let quota = tmp.path().join("state");
    let dirs: Vec<_> = ["a", "b", "c"].iter().map(|n| tmp.path().join(n)).collect();
    for (d, prefix) in dirs.iter().zip(["A", "B", "C"]) {
        std::fs::create_dir_all(d).unwrap();
        write_batches(d, prefix, 12, 4);
    }
    // Run 1 uses 3 calls.
    let o = upload_from(&emu, &dirs[0], &quota, &["--daily-quota", "100"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(emu.state().accepted_requests, 3);

    // Run 2, another --out, a quota of 4: it sees run 1's calls, sends one batch, then stops.
    let o = upload_from(&emu, &dirs[1], &quota, &["--daily-quota", "4"]);
    let msg = text(&o);
    assert_eq!(o.status.code(), Some(2), "partial: one batch sent, the rest later: {msg}");
    assert!(msg.contains("daily quota of 4 calls is used up") && msg.contains("resume after"));
    assert_eq!(emu.state().accepted_requests, 4);

    // Run 3 cannot send anything: a guard, exit 3, and nothing journaled as pending.
    let o = upload_from(&emu, &dirs[2], &quota, &["--daily-quota", "4"]);
    let msg = text(&o);
    assert_eq!(o.status.code(), Some(3), "{msg}");
    assert!(msg.contains("resume after"), "{msg}");
    assert_eq!(emu.state().accepted_requests, 4, "nothing was sent");
    let journal =
        std::fs::read_to_string(dirs[2].join("journal/batches.jsonl")).unwrap_or_default();
    assert!(!journal.contains("\"pending\""), "{journal}");

    // Another quota directory is another machine's count: it would send.
    let o = upload_from(&emu, &dirs[2], &tmp.path().join("other"), &["--daily-quota", "4"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn back_to_back_runs_never_exceed_the_window_together() {
    let emu = Emulator::start(Config::default());
    let tmp = tempfile::tempdir().unwrap();
    let quota = tmp.path().join("state");
    let dirs: Vec<_> = ["a", "b"].iter().map(|n| tmp.path().join(n)).collect();
    for (d, prefix) in dirs.iter().zip(["A", "B"]) {
        std::fs::create_dir_all(d).unwrap();
        write_batches(d, prefix, 6, 1);
    }
    let wall = Instant::now();
    for d in &dirs {
        // Both processes start their fake clock at the same instant: the second sees the first
        // one's calls in the shared log and waits (instantly, on the fake clock) for the window.
        let o = Command::new(BIN)
            .env("HR2SCIM_FAKE_NOW", "2026-01-05T08:00:00Z")
            .env("AZURE_CLIENT_SECRET", &emu.config.client_secret)
            .arg("upload")
            .arg("--from")
            .arg(d)
            .arg("--quota-dir")
            .arg(&quota)
            .args(["--endpoint", &emu.endpoint(), "--login-url", &emu.base])
            .args(["--tenant-id", TENANT, "--client-id", CLIENT_ID, "--rate", "4/5s"])
            .args(["--concurrency", "2"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    assert!(wall.elapsed() < Duration::from_secs(30), "waits cost nothing on the fake clock");
    assert_eq!(emu.state().accepted_requests, 12);
    let log = std::fs::read_dir(quota.join("calls")).unwrap().next().unwrap().unwrap().path();
    let mut times: Vec<i64> =
        std::fs::read_to_string(&log).unwrap().lines().filter_map(|l| l.parse().ok()).collect();
    times.sort_unstable();
    assert_eq!(times.len(), 12, "{times:?}");
    for (i, t) in times.iter().enumerate() {
        let in_window = times[i..].iter().filter(|u| **u - t < 5000).count();
        assert!(in_window <= 4, "{in_window} calls within 5s from {t}: {times:?}");
    }
    // 12 calls at 4 per 5 s span at least two full windows of fake time.
    assert!(times[11] - times[0] >= 10_000, "{times:?}");
}

#[test]
fn a_new_run_resends_what_an_identical_finished_run_sent() {
    // The journal belongs to a run: the same batches sent again (a user who goes Leave,
    // Active, Leave sends the same disable twice) are sent, not skipped as already accepted.
    let emu = Emulator::start(Config::default());
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("a");
    std::fs::create_dir_all(&d).unwrap();
    write_batches(&d, "A", 4, 2);
    let quota = tmp.path().join("state");
    for round in 1..=2 {
        let o = upload_from(&emu, &d, &quota, &[]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        assert_eq!(emu.state().accepted_requests, 2 * round, "round {round}");
    }
}

#[test]
fn a_killed_delta_run_leaves_nothing_upload_from_would_send() {
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let state = dir.path().join("state");
    // Day 1 leaves batches in out/.
    let mut day1 = convert_from_stdin(dir.path(), &["--state", state.to_str().unwrap()]);
    drop(day1.stdin.take());
    let o = day1.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(out.join("bulk-00001.json").exists());

    // Day 2 is killed mid-run (its export still streaming in).
    let mut day2 = convert_from_stdin(dir.path(), &["--state", state.to_str().unwrap()]);
    wait_until("day 2 to start writing", || !out.join("bulk-00001.json").exists());
    day2.kill().unwrap();
    day2.wait().unwrap();

    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.starts_with("bulk-")), "{names:?}");
    let o = upload_from(&emu, &out, &dir.path().join("q"), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("stale"), "the killed run's lock is taken over: {}", text(&o));
    assert_eq!(emu.state().accepted_requests, 0, "nothing was sent");

    // The next run cleans up what the killed one left (its spool).
    let mut day3 = convert_from_stdin(dir.path(), &["--state", state.to_str().unwrap()]);
    drop(day3.stdin.take());
    let o = day3.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".spool-") || n.ends_with(".part"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn retry_after_waits_cost_nothing_on_the_fake_clock() {
    let emu = Emulator::start(Config::default());
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("a");
    std::fs::create_dir_all(&d).unwrap();
    write_batches(&d, "A", 4, 2);
    // Two 429s asking for five minutes each: on the real clock this run would take ten.
    emu.push_fault(Fault::TooMany(Some("300".into())));
    emu.push_fault(Fault::TooMany(Some("300".into())));
    let wall = Instant::now();
    let o = Command::new(BIN)
        .env("HR2SCIM_FAKE_NOW", "2026-01-05T08:00:00Z")
        .env("AZURE_CLIENT_SECRET", &emu.config.client_secret)
        .arg("upload")
        .arg("--from")
        .arg(&d)
        .arg("--quota-dir")
        .arg(tmp.path().join("state"))
        .args(["--endpoint", &emu.endpoint(), "--login-url", &emu.base])
        .args(["--tenant-id", TENANT, "--client-id", CLIENT_ID, "--concurrency", "1"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(wall.elapsed() < Duration::from_secs(60), "{:?}", wall.elapsed());
    let st = emu.state();
    assert_eq!((st.accepted_requests, st.statuses.iter().filter(|s| **s == 429).count()), (2, 2));
}
