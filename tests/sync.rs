//! The sync model end to end (`upload --state` against the Graph emulator): the logs turn
//! pending users into confirmed or failed ones, a failed user is sent again, a 403 on the logs
//! keeps users pending, the leaver guard counts active users only, `convert --state` never
//! writes the state, and a format-1 state file of the previous release is migrated.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use assert_cmd::Command;

use crate::delta::{export, sync, MAP};
use crate::support::graph_emulator::{Config, Emulator};

/// The state file's entries as JSON values, by externalId.
fn entries(dir: &Path) -> Vec<serde_json::Value> {
    let text = fs::read_to_string(dir.join("state")).unwrap();
    text.lines().skip(1).map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn status_of(dir: &Path, id: &str) -> String {
    let e = entries(dir).into_iter().find(|e| e["id"] == id).unwrap();
    e["s"].as_str().unwrap().to_string()
}

fn rows(n: u32) -> Vec<(u32, &'static str, &'static str)> {
    (1..=n).map(|i| (i, "Active", "Clerk")).collect()
}

#[test]
fn the_logs_confirm_or_fail_pending_users_and_a_failed_user_is_sent_again() {
    let emu = Emulator::start(Config {
        failing_users: HashSet::from(["3".to_string()]),
        log_page_size: 4,
        ..Config::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = export(d, &rows(10));
    let r = sync(&emu, d, MAP, &input, &[]);
    assert_eq!((r.code, r.ids.len()), (0, 10), "{}", r.err);
    assert!(entries(d).iter().all(|e| e["s"] == "pending"), "a 202 only stages the users");

    // Next run: one paged query confirms nine and fails one, which is sent again with its reason.
    let logs_before = emu.state().log_requests;
    let r = sync(&emu, d, MAP, &input, &[]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(r.ids, vec!["3"], "{}", r.err);
    assert!(r.err.contains("failed   3: AzureActiveDirectoryDuplicateUserPrincipalName: The userPrincipalName is already in use."), "{}", r.err);
    assert_eq!(emu.state().log_requests - logs_before, 3, "10 records, pages of 4: one query");
    assert_eq!(status_of(d, "1"), "confirmed");
    assert_eq!(status_of(d, "3"), "pending", "sent again: pending again");

    // The failure persists: still resent every run, never taken as in sync.
    let r = sync(&emu, d, MAP, &input, &[]);
    assert_eq!(r.ids, vec!["3"], "{}", r.err);
    assert_eq!(status_of(d, "3"), "pending", "resent, so pending again, never confirmed");
    assert_eq!(status_of(d, "1"), "confirmed");
    // A failure that Entra stops making is confirmed by a later run: tests/sync_days.rs.
}

#[test]
fn wait_for_logs_records_this_runs_outcomes_and_exits_2_on_a_failure() {
    let emu = Emulator::start(Config {
        failing_users: HashSet::from(["2".to_string()]),
        ..Config::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = sync(&emu, d, MAP, &export(d, &rows(5)), &["--wait-for-logs"]);
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(r.err.contains("this run: 4 confirmed, 1 failed"), "{}", r.err);
    assert_eq!(status_of(d, "1"), "confirmed");
    assert_eq!(status_of(d, "2"), "failed");
}

#[test]
fn a_403_on_the_logs_warns_and_keeps_users_pending_while_sending_goes_on() {
    let emu = Emulator::start(Config { forbid_logs: true, ..Config::default() });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut hr = rows(6);
    assert_eq!(sync(&emu, d, MAP, &export(d, &hr), &[]).code, 0);
    hr[0].2 = "Boss";
    let r = sync(&emu, d, MAP, &export(d, &hr), &[]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(r.err.contains("AuditLog.Read.All") && r.err.contains("403"), "{}", r.err);
    assert_eq!(r.ids, vec!["1"], "sending goes on");
    assert!(emu.state().log_requests > 0);
    assert!(entries(d).iter().all(|e| e["s"] == "pending"));
}

#[test]
fn a_user_pending_too_long_is_sent_again() {
    // The logs never answer within the test.
    let emu = Emulator::start(Config {
        logs_delay: std::time::Duration::from_secs(3600),
        ..Config::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = export(d, &rows(3));
    assert_eq!(sync(&emu, d, MAP, &input, &[]).code, 0);
    assert!(sync(&emu, d, MAP, &input, &[]).ids.is_empty(), "young pending users wait");
    let later = (chrono::Utc::now() + chrono::Duration::hours(25)).to_rfc3339();
    let r = crate::delta::sync_env(&emu, d, MAP, &input, &[], &[("HR2SCIM_FAKE_NOW", &later)]);
    assert_eq!(r.ids, vec!["1", "2", "3"], "{}", r.err);
    let r = crate::delta::sync_env(
        &emu,
        d,
        MAP,
        &input,
        &["--resend-pending-after", "30d"],
        &[("HR2SCIM_FAKE_NOW", &later)],
    );
    assert_ne!(r.code, 0, "beyond the logs' retention is refused");
    assert!(r.err.contains("30 days"), "{}", r.err);
}

/// 20 active and 380 disabled users in the state: 10 leavers are half the workforce.
#[test]
fn the_leaver_percentage_is_of_the_users_active_in_the_state() {
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let all = rows(400);
    assert_eq!(sync(&emu, d, MAP, &export(d, &all), &[]).code, 0);
    let twenty: Vec<_> = all.iter().take(20).cloned().collect();
    let r =
        sync(&emu, d, MAP, &export(d, &twenty), &["--leavers", "disable", "--max-leavers", "100%"]);
    assert_eq!((r.code, r.disabled.len()), (0, 380), "{}", r.err);
    let before = fs::read(d.join("state")).unwrap();
    let ten: Vec<_> = all.iter().take(10).cloned().collect();
    let r = sync(&emu, d, MAP, &export(d, &ten), &["--leavers", "disable"]);
    assert_eq!(r.code, 3, "{}", r.err);
    assert!(r.err.contains("10 leavers") && r.err.contains("of 20 active users"), "{}", r.err);
    assert!(r.ids.is_empty() && r.disabled.is_empty(), "nothing sent");
    assert_eq!(fs::read(d.join("state")).unwrap(), before, "state kept");
    let r = sync(&emu, d, MAP, &export(d, &ten), &["--leavers", "disable", "--max-leavers", "50%"]);
    assert_eq!((r.code, r.disabled.len()), (0, 10), "{}", r.err);
}

#[test]
fn convert_with_state_never_writes_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let convert = |input: &str| {
        fs::write(d.join("m.map"), MAP).unwrap();
        Command::cargo_bin("hr2scim")
            .unwrap()
            .args(["convert", d.join("m.map").to_str().unwrap(), input, "--out"])
            .arg(d.join("conv"))
            .arg("--state")
            .arg(d.join("state"))
            .output()
            .unwrap()
    };
    let mut hr = rows(5);
    let o = convert(&export(d, &hr));
    assert_eq!(o.status.code(), Some(0));
    assert!(!d.join("state").exists(), "a first convert creates no state");
    assert!(String::from_utf8_lossy(&o.stderr).contains("not changed"));
    let emu = Emulator::start(Config::default());
    assert_eq!(sync(&emu, d, MAP, &export(d, &hr), &[]).code, 0);
    let before = fs::read(d.join("state")).unwrap();
    hr[1].2 = "Boss";
    let o = convert(&export(d, &hr));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(fs::read(d.join("state")).unwrap(), before, "the state is only read");
    let batch = fs::read_to_string(d.join("conv/bulk-00001.json")).unwrap();
    assert!(batch.contains("\"Boss\"") && !batch.contains("\"externalId\":\"1\""), "{batch}");
    // The batches were never uploaded: the next sync run sends the change.
    let r = sync(&emu, d, MAP, &export(d, &hr), &[]);
    assert_eq!(r.ids, vec!["2"], "{}", r.err);
}

/// A format-1 file as the previous release wrote it (a JSON header with version 1, then
/// `HASH16<TAB>externalId`), made from the digests a run recorded.
#[test]
fn a_format_1_state_is_migrated_to_pending_and_reconciled() {
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let all = rows(8);
    assert_eq!(sync(&emu, d, MAP, &export(d, &all), &[]).code, 0);
    let seven: Vec<_> = all.iter().filter(|r| r.0 != 8).cloned().collect();
    let r = sync(&emu, d, MAP, &export(d, &seven), &["--leavers", "disable", "--max-leavers", "1"]);
    assert_eq!(r.disabled, vec!["8"], "{}", r.err);
    let text = fs::read_to_string(d.join("state")).unwrap();
    let head: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let run_at = (chrono::Utc::now() - chrono::Duration::hours(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut v1 = format!(
        "{{\"version\":1,\"run_at\":\"{run_at}\",\"mapping_hash\":{},\"users\":8}}\n",
        head["mapping_hash"]
    );
    for e in entries(d) {
        v1 += &format!("{}\t{}\n", e["h"].as_str().unwrap(), e["id"].as_str().unwrap());
    }
    fs::write(d.join("state"), v1).unwrap();

    let show = Command::cargo_bin("hr2scim")
        .unwrap()
        .args(["state", "show"])
        .arg(d.join("state"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&show.stdout).contains("format:       1"));
    let r = sync(&emu, d, MAP, &export(d, &seven), &["--leavers", "disable"]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(
        r.ids.is_empty() && r.disabled.is_empty(),
        "nothing resent: {:?} {:?}",
        r.ids,
        r.disabled
    );
    let text = fs::read_to_string(d.join("state")).unwrap();
    assert!(text.starts_with("{\"version\":2,"), "{text}");
    assert!(entries(d).iter().all(|e| e["s"] == "confirmed"), "the logs confirmed them: {text}");
    let eight = entries(d).into_iter().find(|e| e["id"] == "8").unwrap();
    assert_eq!(eight["a"], false, "the plain disable document marks it inactive");
    assert_eq!(entries(d).iter().filter(|e| e["a"] == true).count(), 7);
}

#[test]
fn a_damaged_state_is_refused_whole() {
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = export(d, &rows(3));
    assert_eq!(sync(&emu, d, MAP, &input, &[]).code, 0);
    let text = fs::read_to_string(d.join("state")).unwrap();
    fs::write(d.join("state"), text.replacen("\"s\":\"pending\"", "\"s\":\"pendin", 1)).unwrap();
    let r = sync(&emu, d, MAP, &input, &[]);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains("line 2") && r.err.contains("move it away"), "{}", r.err);
    assert!(r.ids.is_empty());
}

#[test]
fn every_command_states_the_exit_codes_in_its_help() {
    for cmd in [
        [""; 0].as_slice(),
        &["convert"],
        &["upload"],
        &["state"],
        &["logs"],
        &["init"],
        &["preview"],
        &["test"],
    ] {
        let o = Command::cargo_bin("hr2scim").unwrap().args(cmd).arg("--help").output().unwrap();
        let help = String::from_utf8_lossy(&o.stdout);
        assert!(
            help.contains("Exit codes:")
                && help.contains("3  stopped by a guard before anything was sent"),
            "{cmd:?}: {help}"
        );
    }
}

#[test]
fn a_state_file_is_never_used_against_another_target() {
    let first = Emulator::start(Config::default());
    let second = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = export(d, &rows(5));
    let r = sync(&first, d, MAP, &input, &[]);
    assert_eq!((r.code, r.ids.len()), (0, 5), "{}", r.err);
    let state = fs::read(d.join("state")).unwrap();

    // The same state pointed at another job: its users would count as provisioned there.
    let r = sync(&second, d, MAP, &input, &[]);
    assert_eq!(r.code, 3, "a guard stop: {}", r.err);
    assert!(
        r.err.contains("records what was sent to") && r.err.contains(&second.base),
        "{}",
        r.err
    );
    assert!(second.state().accepted.is_empty(), "nothing reached the other target");
    assert_eq!(fs::read(d.join("state")).unwrap(), state, "the state is left as it was");
}
