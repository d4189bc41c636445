//! Upload to the Graph emulator through the library: auth flavours, journal, faults, refusals.

use crate::support::graph_emulator;

use std::path::Path;
use std::time::Duration;

use clap::Parser;
use graph_emulator::{Config, Emulator, Fault, CLIENT_ID, JOB, TENANT};
use hr2scim::cli::TargetArgs;
use hr2scim::upload::journal::{read_records, Event};
use hr2scim::upload::{batches_from_dir, upload, UploadConfig, UploadSummary};

#[derive(Parser)]
struct Wrap {
    #[command(flatten)]
    t: TargetArgs,
}

/// Target options for the emulator; fast pacing and backoff, since pacing is not under test here.
/// Several tests here check pacing against one-second windows: they run one at a time, so a
/// sibling test's load never delays a request past the limiter's guard (a flaky 429 otherwise).
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

fn args(emu: &Emulator, dir: &Path, extra: &[&str]) -> UploadConfig {
    let secret_file = dir.join("secret.txt");
    std::fs::write(&secret_file, &emu.config.client_secret).unwrap();
    let secret = secret_file.display().to_string();
    let endpoint = emu.endpoint();
    // The tenant's call log of this test only (runs on the same directory share it).
    let quota_dir = dir.join("quota-state").display().to_string();
    let mut defaults = vec![
        ("--quota-dir", quota_dir.as_str()),
        ("--endpoint", endpoint.as_str()),
        ("--login-url", emu.base.as_str()),
        ("--tenant-id", TENANT),
        ("--client-id", CLIENT_ID),
        ("--rate", "1000/1s"),
        ("--backoff-base", "20ms"),
        ("--timeout", "2s"),
    ];
    if !extra.iter().any(|e| ["--certificate", "--token-file", "--managed-identity"].contains(e)) {
        defaults.push(("--client-secret-file", secret.as_str()));
    }
    let mut v = vec!["t".to_string()];
    for (flag, value) in defaults {
        if !extra.contains(&flag) {
            v.extend([flag.to_string(), value.to_string()]);
        }
    }
    v.extend(extra.iter().map(|s| s.to_string()));
    Wrap::parse_from(v).t.config().unwrap()
}

fn run(emu: &Emulator, dir: &Path, extra: &[&str]) -> UploadSummary {
    let batches = batches_from_dir(dir).unwrap();
    upload(
        Box::new(batches.into_iter().map(Ok)),
        &args(emu, dir, extra),
        &dir.join("journal"),
        true,
    )
    .unwrap()
}

fn setup(users: usize, per_batch: usize) -> (tempfile::TempDir, usize) {
    let dir = tempfile::tempdir().unwrap();
    let n = graph_emulator::write_batches(dir.path(), "E", users, per_batch);
    (dir, n)
}

#[test]
fn every_user_arrives_and_every_acceptance_is_journaled() {
    let _serial = serial();
    let emu = Emulator::start(Config::default());
    let (dir, n) = setup(230, 50);
    let s = run(&emu, dir.path(), &[]);
    assert_eq!(
        (s.batches_sent, s.users_sent, s.throttled_429, s.stopped.as_deref()),
        (n as u64, 230, 0, None)
    );
    let ids = emu.accepted_ids();
    assert_eq!(ids.len(), 230);
    assert!(ids.contains("E000000") && ids.contains("E000229"));
    let recs = read_records(&dir.path().join("journal/batches.jsonl")).unwrap();
    let accepted: Vec<_> = recs.iter().filter(|r| r.event == Event::Accepted).collect();
    assert_eq!(accepted.len(), n);
    for r in &accepted {
        assert_eq!(r.outcome.status, Some(202));
        assert!(r.outcome.location.as_deref().unwrap().contains(JOB));
        assert_eq!(r.outcome.request_id.as_deref().map(str::len), Some(36));
        assert!(emu
            .state()
            .client_request_ids
            .contains(r.outcome.client_request_id.as_ref().unwrap()));
    }
    // A pending line precedes each outcome, carrying the batch's externalIds.
    let pending = recs.iter().filter(|r| r.event == Event::Pending).count();
    assert_eq!(pending, n);
    assert_eq!(
        recs.iter().find(|r| r.event == Event::Pending && r.seq == 5).unwrap().external_ids.len(),
        30
    );
    assert_eq!(emu.state().token_grants, ["secret"], "one token, cached for the whole run");
}

#[test]
fn a_rerun_skips_accepted_batches_and_resends_the_rest() {
    let _serial = serial();
    let emu = Emulator::start(Config::default());
    let (dir, n) = setup(200, 50);
    // Batch 3 (in some order) meets a dead connection with no retry allowed: the run stops.
    for _ in 0..2 {
        emu.push_fault(Fault::Pass);
    }
    emu.push_fault(Fault::Drop);
    let first = run(&emu, dir.path(), &["--max-retries", "0", "--concurrency", "1"]);
    assert!(first.stopped.as_deref().unwrap().contains("unavailable"), "{first:?}");
    assert_eq!(first.batches_sent, 2);
    assert_eq!(first.batches_failed, 1);
    let second = run(&emu, dir.path(), &["--concurrency", "1"]);
    assert_eq!(second.batches_skipped_already_accepted, 2);
    assert_eq!(second.batches_sent as usize, n - 2);
    assert_eq!(second.stopped, None);
    assert_eq!(emu.accepted_ids().len(), 200);
    // The run finished: the same batches again are a new run, sent in full (the journal
    // belongs to a run; an identical request accepted earlier is no reason to skip).
    let third = run(&emu, dir.path(), &[]);
    assert_eq!((third.batches_sent, third.batches_skipped_already_accepted), (n as u64, 0));
    assert!(!third.resumed && second.resumed);
}

#[test]
fn certificate_assertions_with_both_thumbprints_are_accepted() {
    let _serial = serial();
    let emu = Emulator::start(Config::default());
    let (dir, _) = setup(60, 50);
    let pem = dir.path().join("cert.pem");
    std::fs::write(&pem, format!("{}{}", graph_emulator::TEST_KEY_PEM, emu.config.cert_pem))
        .unwrap();
    let p = pem.display().to_string();
    let s = run(&emu, dir.path(), &["--certificate", &p, "--x5t", "sha1"]);
    assert_eq!(s.batches_sent, 2);
    std::fs::remove_dir_all(dir.path().join("journal")).unwrap();
    let s = run(&emu, dir.path(), &["--certificate", &p, "--x5t", "sha256"]);
    assert_eq!(s.batches_sent, 2);
    assert_eq!(emu.state().token_grants, ["x5t", "x5t#S256"]);
}

#[test]
fn a_certificate_the_tenant_does_not_know_is_refused_before_sending() {
    let _serial = serial();
    let emu = Emulator::start(Config::default());
    let (dir, _) = setup(10, 50);
    let (other_cert, _) = graph_emulator::test_certificate("someone-else");
    let pem = dir.path().join("cert.pem");
    std::fs::write(&pem, format!("{other_cert}{}", graph_emulator::TEST_KEY_PEM)).unwrap();
    let batches = batches_from_dir(dir.path()).unwrap();
    let a = args(&emu, dir.path(), &["--certificate", &pem.display().to_string()]);
    let err = upload(Box::new(batches.into_iter().map(Ok)), &a, &dir.path().join("journal"), true)
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("authentication failed") && msg.contains("thumbprint"), "{msg}");
    assert!(emu.state().arrivals.is_empty());
}

#[test]
fn throttling_server_errors_timeouts_drops_and_expiry_are_retried() {
    let _serial = serial();
    let emu = Emulator::start(Config::default());
    let (dir, n) = setup(400, 50);
    for f in [
        Fault::TooMany(Some("1".into())),
        Fault::TooMany(None),
        Fault::TooMany(Some(httpdate::fmt_http_date(
            std::time::SystemTime::now() + Duration::from_secs(1),
        ))),
        Fault::Status(500),
        Fault::Status(503),
        Fault::Slow(Duration::from_millis(1500)),
        Fault::Drop,
        Fault::ExpireToken,
    ] {
        emu.push_fault(f);
    }
    let s = run(&emu, dir.path(), &["--timeout", "700ms", "--concurrency", "2"]);
    assert_eq!(s.stopped, None, "{s:?}");
    assert_eq!(s.batches_sent as usize, n);
    assert_eq!(s.throttled_429, 3);
    assert_eq!(s.retries, 7, "three 429, two 5xx, a timeout and a drop; the 401 refresh is free");
    assert_eq!(emu.accepted_ids().len(), 400);
    assert_eq!(emu.state().token_grants.len(), 2, "the expired token was refreshed once");
}

#[test]
fn short_lived_tokens_are_renewed_before_they_expire() {
    let _serial = serial();
    let emu = Emulator::start(Config {
        token_lifetime: Duration::from_secs(1),
        latency: Duration::from_millis(100),
        ..Config::default()
    });
    let (dir, _) = setup(25 * 2, 2);
    let s = run(&emu, dir.path(), &["--concurrency", "1"]);
    assert_eq!((s.batches_sent, s.stopped.as_deref()), (25, None));
    assert!(emu.state().token_grants.len() >= 2, "a 2.5 s run outlives a 1 s token");
    assert!(!emu.state().statuses.contains(&401), "renewed before the server saw it expired");
}

#[test]
fn exhausted_retries_stop_the_run_with_the_last_problem() {
    let _serial = serial();
    let emu = Emulator::start(Config::default());
    let (dir, _) = setup(50, 50);
    for _ in 0..3 {
        emu.push_fault(Fault::Status(503));
    }
    let s = run(&emu, dir.path(), &["--max-retries", "2"]);
    let why = s.stopped.as_deref().unwrap();
    assert!(why.contains("HTTP 503 after 2 retries"), "{why}");
    assert_eq!(s.exit_code(), 1);
}

#[test]
fn a_throttle_longer_than_a_burst_stops_the_run_and_says_when_to_resume() {
    let _serial = serial();
    let emu = Emulator::start(Config::default());
    let (dir, _) = setup(100, 50);
    emu.push_fault(Fault::TooMany(Some("7200".into())));
    let s = run(&emu, dir.path(), &["--concurrency", "1"]);
    let why = s.stopped.as_deref().unwrap();
    assert!(why.contains("wait 2h") && why.contains("resume after"), "{why}");
    assert_eq!((s.batches_sent, s.batches_failed, s.throttled_429), (0, 1, 1));
}

#[test]
fn refusals_stop_with_the_server_message_and_what_to_check() {
    let _serial = serial();
    let forbidden = Emulator::start(Config { forbid: true, ..Config::default() });
    let (dir, _) = setup(120, 50);
    let s = run(&forbidden, dir.path(), &["--concurrency", "1"]);
    let why = s.stopped.as_deref().unwrap();
    assert!(why.contains("HTTP 403") && why.contains("Insufficient privileges"), "{why}");
    assert!(why.contains("SynchronizationData-User.Upload"), "{why}");
    assert_eq!((s.batches_sent, s.batches_failed), (0, 1), "no batch after the refusal");

    let emu = Emulator::start(Config::default());
    let dir2 = tempfile::tempdir().unwrap();
    graph_emulator::write_batches(dir2.path(), "E", 10, 50);
    let wrong_job = emu.endpoint().replace(JOB, "API2AAD.wrong");
    let s = run(&emu, dir2.path(), &["--endpoint", &wrong_job]);
    let why = s.stopped.as_deref().unwrap();
    assert!(why.contains("HTTP 404") && why.contains("job id"), "{why}");
    let recs = read_records(&dir2.path().join("journal/batches.jsonl")).unwrap();
    assert_eq!(recs.last().unwrap().event, Event::Failed);
}

#[test]
fn the_daily_quota_stops_at_a_batch_boundary_and_is_remembered() {
    let _serial = serial();
    let emu = Emulator::start(Config::default());
    let (dir, _) = setup(250, 50);
    let s = run(&emu, dir.path(), &["--daily-quota", "3", "--concurrency", "1"]);
    assert_eq!(s.batches_sent, 3);
    let why = s.stopped.as_deref().unwrap();
    assert!(why.contains("daily quota of 3") && why.contains("resume after"), "{why}");
    assert_eq!(s.exit_code(), 2, "some batches went before the quota stopped the run");
    // Nothing can go: stopped before anything is sent or journaled (a guard, exit code 3).
    let again = run(&emu, dir.path(), &["--daily-quota", "3"]);
    assert_eq!((again.batches_sent, again.requests), (0, 0));
    assert!(again.stopped_by_quota && again.exit_code() == 3, "{again:?}");
    // With room, the unfinished run is resumed: its 3 accepted batches are skipped.
    let more = run(&emu, dir.path(), &["--daily-quota", "10"]);
    assert_eq!((more.batches_sent, more.stopped.as_deref()), (2, None));
    assert_eq!(more.batches_skipped_already_accepted, 3);
    assert_eq!(more.daily_calls_used, 5);
}

#[test]
fn the_default_limiter_window_is_never_exceeded_while_an_unpaced_client_is_throttled() {
    let _serial = serial();
    // Scaled down from 40 per 5 s to 10 per 1 s to keep the test short.
    let emu =
        Emulator::start(Config { window: Some((10, Duration::from_secs(1))), ..Config::default() });
    let (dir, _) = setup(30 * 10, 10);
    let s = run(&emu, dir.path(), &["--rate", "10/1s", "--concurrency", "4"]);
    assert_eq!((s.batches_sent, s.throttled_429, emu.state().window_429), (30, 0, 0));

    let unpaced =
        Emulator::start(Config { window: Some((10, Duration::from_secs(1))), ..Config::default() });
    let dir2 = tempfile::tempdir().unwrap();
    graph_emulator::write_batches(dir2.path(), "E", 30 * 10, 10);
    let s = run(&unpaced, dir2.path(), &["--rate", "1000/1s", "--concurrency", "4"]);
    assert!(unpaced.state().window_429 > 0, "the emulator's window limiter must bite");
    assert_eq!(s.throttled_429 as usize, unpaced.state().window_429);
    assert_eq!((s.batches_sent, s.stopped.as_deref()), (30, None), "and the client recovers");
}

/// Measures the sustained rate with the real default pacing (40 per 5 s). Takes about 30 s:
/// run with `cargo test --test upload_entra -- --ignored --nocapture` (or benches/upload_rate.sh).
#[test]
#[ignore]
fn measured_rate_with_the_default_limiter() {
    let _serial = serial();
    // HR2SCIM_RATE_LATENCY_MS simulates Graph's response time (sequential sending would then
    // top out at 1000/latency requests per second).
    let latency: u64 =
        std::env::var("HR2SCIM_RATE_LATENCY_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let emu = Emulator::start(Config {
        window: Some((40, Duration::from_secs(5))),
        latency: Duration::from_millis(latency),
        ..Config::default()
    });
    let batches: usize =
        std::env::var("HR2SCIM_RATE_BATCHES").ok().and_then(|v| v.parse().ok()).unwrap_or(241);
    let (dir, _) = setup(batches * 5, 5);
    let concurrency = std::env::var("HR2SCIM_RATE_CONCURRENCY").unwrap_or_else(|_| "4".into());
    let s = run(
        &emu,
        dir.path(),
        &["--rate", "40/5s", "--timeout", "60s", "--concurrency", &concurrency],
    );
    let st = emu.state();
    let span = st.arrivals.last().unwrap().duration_since(st.arrivals[0]).as_secs_f64();
    // Sustained rate over whole windows: request k and request k + 40m are m windows apart
    // when pacing is exact, so measure from the first request to the last such one.
    let whole = (st.arrivals.len() - 1) / 40 * 40;
    let sustained = whole as f64 / st.arrivals[whole].duration_since(st.arrivals[0]).as_secs_f64();
    println!(
        "RATE (latency {latency} ms): {} requests in {span:.1}s, sustained {sustained:.2} req/s ({:.1}% of 8/s), client-side {:.2} req/s, 429s: {}",
        st.arrivals.len(),
        sustained / 8.0 * 100.0,
        s.requests_per_sec,
        st.window_429
    );
    assert_eq!(st.window_429, 0);
}
