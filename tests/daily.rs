//! `hr2scim run PROFILE`: the same outcome as the equivalent `upload` command line against the
//! Graph emulator (directory, state, summary), its exit codes, `--dry-run`, a profile's mistakes
//! all reported at once, and `init --profile`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

use crate::delta::{export, MAP};
use crate::support::graph_emulator::{Config, Emulator, CLIENT_ID, TENANT};

/// A profile naming everything `delta::sync` passes as flags, with paths relative to `dir`.
pub fn profile(emu: &Emulator, dir: &Path, extra_sync: &str) -> PathBuf {
    fs::write(dir.join("m.map"), MAP).unwrap();
    let text = format!(
        r#"mapping = "m.map"
input = "hr.csv"
out = "out"
quiet = true

[target]
endpoint = "{endpoint}"
login-url = "{login}"
tenant-id = "{TENANT}"
client-id = "{CLIENT_ID}"
rate = "1000/1s"
concurrency = 1
timeout = "5s"

[auth]
mode = "client-secret"

[sync]
state = "state"
{extra_sync}

[quota]
dir = "quota"
"#,
        endpoint = emu.endpoint(),
        login = emu.base,
    );
    let p = dir.join("hr2scim.toml");
    fs::write(&p, text).unwrap();
    p
}

fn hr2scim(emu: &Emulator) -> Command {
    let mut c = Command::cargo_bin("hr2scim").unwrap();
    c.env_clear().env("AZURE_CLIENT_SECRET", &emu.config.client_secret);
    c
}

/// `hr2scim run PROFILE ARGS` from another directory than the profile's (as cron would).
fn run(emu: &Emulator, profile: &Path, args: &[&str]) -> Output {
    hr2scim(emu)
        .current_dir(std::env::temp_dir())
        .arg("run")
        .arg(profile)
        .args(args)
        .args(["--backoff-base", "20ms"])
        .output()
        .unwrap()
}

/// The same as [`profile`] as an `upload` command line.
fn upload(emu: &Emulator, dir: &Path, extra: &[&str]) -> Output {
    fs::write(dir.join("m.map"), MAP).unwrap();
    hr2scim(emu)
        .current_dir(dir)
        .args(["upload", "m.map", "hr.csv", "--quiet", "--out", "out", "--state", "state"])
        .args(["--endpoint", &emu.endpoint(), "--login-url", &emu.base, "--tenant-id", TENANT])
        .args(["--client-id", CLIENT_ID, "--rate", "1000/1s", "--concurrency", "1"])
        .args(["--timeout", "5s", "--quota-dir", "quota", "--backoff-base", "20ms"])
        .args(extra)
        .output()
        .unwrap()
}

/// What a run said, without what differs between two identical runs: the emulator's port,
/// the speed, the journal's path as given.
fn messages(o: &Output, emu: &Emulator) -> Vec<String> {
    stderr(o)
        .replace(&emu.base, "EMULATOR")
        .lines()
        .filter(|l| !l.contains(" requests in ") && !l.starts_with("journal: "))
        .map(str::to_string)
        .collect()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The state's entries without their send times (two runs cannot send at the same instant).
fn state_entries(dir: &Path) -> Vec<serde_json::Value> {
    let text = fs::read_to_string(dir.join("state")).unwrap();
    let mut lines = text.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert!(header["users"].as_u64().is_some(), "{header}");
    lines
        .map(|l| {
            let mut e: serde_json::Value = serde_json::from_str(l).unwrap();
            let o = e.as_object_mut().unwrap();
            o.remove("t");
            o.remove("at");
            e
        })
        .collect()
}

/// summary.json without what depends on the clock or the directory.
fn summary(dir: &Path) -> serde_json::Value {
    let mut s: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("out/summary.json")).unwrap()).unwrap();
    fn strip(v: &mut serde_json::Value) {
        if let Some(o) = v.as_object_mut() {
            o.retain(|k, _| {
                ![
                    "elapsed", "per_sec", "started", "finished", "timings", "input", "output",
                    "mapping",
                ]
                .iter()
                .any(|w| k.contains(w))
            });
            o.values_mut().for_each(strip);
        }
    }
    strip(&mut s);
    s
}

/// What the emulator's directory holds: each user's attributes and account state.
fn directory(emu: &Emulator) -> Vec<(String, serde_json::Value, bool)> {
    emu.directory().into_iter().map(|(id, u)| (id, u.attrs, u.active)).collect()
}

const DAY1: &[(u32, &str, &str)] = &[
    (1, "Active", "Clerk"),
    (2, "Active", "Clerk"),
    (3, "Active", "Boss"),
    (4, "Active", "Clerk"),
];
/// 2 changed title, 4 left, 5 is new.
const DAY2: &[(u32, &str, &str)] = &[
    (1, "Active", "Clerk"),
    (2, "Active", "Manager"),
    (3, "Active", "Boss"),
    (5, "Active", "Clerk"),
];

#[test]
fn run_with_a_profile_does_what_the_equivalent_upload_does() {
    let (emu_u, emu_r) = (Emulator::start(Config::default()), Emulator::start(Config::default()));
    let (du, dr) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (du, dr) = (du.path(), dr.path());
    let prof = profile(&emu_r, dr, "leavers = \"disable\"\nmax-leavers = 1");
    for day in [DAY1, DAY2] {
        export(du, day);
        export(dr, day);
        let u = upload(&emu_u, du, &["--leavers", "disable", "--max-leavers", "1"]);
        let r = run(&emu_r, &prof, &[]);
        assert_eq!(code(&u), 0, "{}", stderr(&u));
        assert_eq!(code(&r), 0, "{}", stderr(&r));
        assert!(messages(&r, &emu_r).iter().any(|l| l.contains("EMULATOR")), "{}", stderr(&r));
        assert_eq!(messages(&r, &emu_r), messages(&u, &emu_u), "the same messages");
        assert_eq!(state_entries(dr), state_entries(du));
        assert_eq!(summary(dr), summary(du));
        assert_eq!(directory(&emu_r), directory(&emu_u));
    }
    let dir = directory(&emu_r);
    assert_eq!(dir.len(), 5, "{dir:?}");
    assert!(dir.iter().any(|(id, _, active)| id == "4" && !active), "the leaver is disabled");
    assert!(dir.iter().any(|(id, a, _)| id == "2" && a["title"] == "Manager"), "{dir:?}");
    let e = state_entries(dr);
    assert_eq!(e.len(), 5, "{e:?}");
}

#[test]
fn run_exit_codes_are_the_schedulers_contract() {
    let emu = Emulator::start(Config::default());
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let prof = profile(&emu, d, "leavers = \"disable\"\nmax-leavers = 1");
    // 0: everything sent.
    export(d, DAY1);
    let o = run(&emu, &prof, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // 2: a row without an Id is rejected, the others are sent.
    fs::write(d.join("hr.csv"), "Id,Status,Title\n1,Active,Clerk\n2,Active,Clerk\n3,Active,Boss\n4,Active,Clerk\n,Active,Nobody\n").unwrap();
    let o = run(&emu, &prof, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(fs::read_to_string(d.join("out/rejects.csv")).unwrap().lines().count() >= 2);
    // 3: two leavers over a threshold of one: nothing is sent.
    export(d, &DAY1[..2]);
    let before = emu.state().accepted.len();
    let o = run(&emu, &prof, &[]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert_eq!(emu.state().accepted.len(), before, "a guard stop sends nothing");
    // A flag overrides the profile: a threshold of 2 lets the run through.
    let o = run(&emu, &prof, &["--max-leavers", "2"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // 1: a mapping that does not compile, and a profile that does not exist.
    fs::write(d.join("m.map"), "externalId = Jion([Id])\n").unwrap();
    let o = hr2scim(&emu).arg("run").arg(&prof).output().unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let o = hr2scim(&emu).arg("run").arg(d.join("absent.toml")).output().unwrap();
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("cannot read the profile"), "{}", stderr(&o));
}

#[test]
fn dry_run_sends_nothing_writes_no_state_and_says_what_would_be_sent() {
    let emu = Emulator::start(Config::default());
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let prof = profile(&emu, d, "");
    export(d, DAY1);
    let o = run(&emu, &prof, &["--dry-run"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(emu.state().accepted.is_empty(), "nothing reached the emulator");
    assert!(!d.join("state").exists(), "a dry run writes no state");
    assert!(stderr(&o).contains("would send"), "{}", stderr(&o));
    // The same profile without the flag sends.
    let o = run(&emu, &prof, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(emu.accepted_ids().len(), 4);
    assert!(d.join("state").exists());
}

#[test]
fn a_profile_with_five_mistakes_reports_all_five_with_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("hr2scim.toml");
    fs::write(
        &p,
        "mapping = \"m.map\"\ninptu = \"hr.csv\"\n[target]\nendpoint = \"https://e\"\nconcurrency = 0\n[sync]\nleavers = \"disabel\"\n[quota]\ndaily-quota = \"lots\"\n[auth]\nclient-secret = \"s3cr3t\"\n",
    )
    .unwrap();
    let o = Command::cargo_bin("hr2scim").unwrap().env_clear().arg("run").arg(&p).output().unwrap();
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert_eq!(err.matches("error[E10").count(), 5, "{err}");
    assert!(err.contains("5 errors"), "{err}");
    for (line, col) in [(2, 1), (5, 15), (7, 11), (9, 15), (11, 1)] {
        assert!(err.contains(&format!("hr2scim.toml:{line}:{col}")), "{line}:{col} in {err}");
    }
    assert!(err.contains("did you mean `input`?"), "{err}");
    assert!(!err.contains("s3cr3t"), "a secret is never echoed: {err}");
}

#[test]
fn init_profile_writes_a_starter_that_run_accepts_once_filled_in() {
    let emu = Emulator::start(Config::default());
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let p = d.join("hr2scim.toml");
    let o = hr2scim(&emu).args(["init", "--profile", "--out"]).arg(&p).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&emu, &p, &[]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("is still a placeholder"), "{}", stderr(&o));
    // Filled in (the endpoint, the login URL and the quota dir point at the emulator).
    let starter = fs::read_to_string(&p).unwrap();
    let endpoint_line = starter.lines().find(|l| l.starts_with("endpoint = ")).unwrap();
    let filled = starter
        .replace("<mapping file, e.g. hr.map>", "m.map")
        .replace("<HR export, e.g. /srv/hr/export.csv>", "hr.csv")
        .replace(
            endpoint_line,
            &format!(
                "endpoint = \"{}\"\nlogin-url = \"{}\"\nrate = \"1000/1s\"",
                emu.endpoint(),
                emu.base
            ),
        )
        .replace("<directory (tenant) id>", TENANT)
        .replace("<application (client) id>", CLIENT_ID)
        .replace("# dir = \"quota\"", "dir = \"quota\"");
    fs::write(&p, filled).unwrap();
    fs::write(d.join("m.map"), MAP).unwrap();
    export(d, DAY1);
    let o = run(&emu, &p, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(emu.accepted_ids().len(), 4);
    assert!(d.join("hr.state").exists(), "the starter's state file");
    // A second `init --profile` does not overwrite it.
    let o = hr2scim(&emu).args(["init", "--profile", "--out"]).arg(&p).output().unwrap();
    assert_eq!(code(&o), 1);
}

#[test]
fn run_help_teaches_the_profile() {
    let o = Command::cargo_bin("hr2scim").unwrap().args(["run", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&o.stdout);
    for needle in
        ["[target]", "[sync]", "max-leavers", "init --profile", "crontab", "never", "Exit codes"]
    {
        assert!(help.contains(needle), "{needle} missing from run --help:\n{help}");
    }
}

/// Every line of standard error, parsed; panics on a line that is not one JSON object.
fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stderr(o)
        .lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
            assert!(v["event"].is_string() && v["ts"].is_string(), "{l}");
            v
        })
        .collect()
}

fn events(lines: &[serde_json::Value]) -> Vec<String> {
    lines.iter().map(|v| v["event"].as_str().unwrap_or_default().to_string()).collect()
}

#[test]
fn log_format_json_is_one_object_per_event() {
    use crate::support::graph_emulator::Fault;
    let emu = Emulator::start(Config::default());
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let prof = profile(&emu, d, "leavers = \"disable\"\nmax-leavers = 1");
    // Not quiet: every human message must become an event too.
    fs::write(&prof, fs::read_to_string(&prof).unwrap().replace("quiet = true", "quiet = false"))
        .unwrap();
    export(d, DAY1);
    emu.push_fault(Fault::TooMany(Some("1".into())));
    emu.push_fault(Fault::Status(503));
    let o = run(&emu, &prof, &["--log-format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines = json_lines(&o);
    let ev = events(&lines);
    for want in ["run_start", "throttle", "retry", "converted", "batch", "upload", "summary"] {
        assert!(ev.iter().any(|e| e == want), "no {want} event in {ev:?}");
    }
    assert_eq!(ev.first().map(String::as_str), Some("run_start"));
    assert_eq!(ev.last().map(String::as_str), Some("summary"));
    let batch = lines.iter().find(|v| v["event"] == "batch").unwrap();
    assert_eq!((batch["outcome"].as_str(), batch["users"].as_u64()), (Some("accepted"), Some(4)));
    assert_eq!(lines.last().unwrap()["exit_code"], 0);

    // A guard stop (two leavers over a threshold of one) is an event, and so is the error.
    export(d, &DAY1[..2]);
    let o = run(&emu, &prof, &["--log-format", "json"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let lines = json_lines(&o);
    let ev = events(&lines);
    assert!(ev.iter().any(|e| e == "guard_stop"), "{ev:?}");
    assert_eq!(lines.last().unwrap()["exit_code"], 3);
    // A profile's mistakes are messages too.
    fs::write(d.join("bad.toml"), "mapping = 1\n").unwrap();
    let o = hr2scim(&emu)
        .args(["run", "--log-format", "json"])
        .arg(d.join("bad.toml"))
        .output()
        .unwrap();
    assert_eq!(code(&o), 1);
    let lines = json_lines(&o);
    assert!(
        lines.iter().any(|v| v["level"] == "error" && v["text"].as_str().unwrap().contains("E102")),
        "{lines:?}"
    );
}

#[test]
fn convert_upload_and_run_write_report_html_unless_told_not_to() {
    use std::os::unix::fs::PermissionsExt;
    let emu = Emulator::start(Config::default());
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let prof = profile(&emu, d, "leavers = \"disable\"\nmax-leavers = 2");
    export(d, DAY1);
    assert_eq!(code(&run(&emu, &prof, &[])), 0);
    // Day 2: a leaver and a rejected row.
    fs::write(
        d.join("hr.csv"),
        "Id,Status,Title\n1,Active,Clerk\n2,Active,Manager\n3,Active,Boss\n,Active,<Nobody>\n",
    )
    .unwrap();
    let o = run(&emu, &prof, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let report = d.join("out/report.html");
    assert_eq!(fs::metadata(&report).unwrap().permissions().mode() & 0o777, 0o600);
    let html = fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<h1>hr2scim run</h1>"), "{html}");
    assert!(html.contains("data-count=\"rejected\"><b>1</b>"), "{html}");
    assert!(
        html.contains("data-count=\"changed\"><b>1</b>")
            && html.contains("data-count=\"leavers\"><b>1</b>"),
        "{html}"
    );
    assert!(html.contains("<h2>Leavers (1)</h2>") && html.contains("<td>4</td>"), "{html}");
    assert!(html.contains("Title=&lt;Nobody&gt;"), "the reject's values, escaped: {html}");
    fs::remove_file(&report).unwrap();
    assert_eq!(code(&run(&emu, &prof, &["--report", "none"])), 2);
    assert!(!report.exists(), "--report none");
    let o = hr2scim(&emu)
        .current_dir(d)
        .args(["convert", "m.map", "hr.csv", "--out", "conv", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(fs::read_to_string(d.join("conv/report.html"))
        .unwrap()
        .contains("<h1>hr2scim convert</h1>"));
}
