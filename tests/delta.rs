//! Sync runs through the built binary (`upload MAPPING INPUT --state` against the Graph
//! emulator): a sequence of exports, asserting exactly which users are sent each time, the
//! leaver threshold, mapping changes, and that stopped runs keep the state.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

use crate::support::graph_emulator::{Config, Emulator, CLIENT_ID, TENANT};

pub const MAP: &str = "externalId = [Id]\nuserName = Join(\"@\", [Id], \"x.example\")\nactive = Switch([Status], \"false\", \"Active\", \"true\")\ntitle = [Title]\n";

pub struct Run {
    pub code: i32,
    pub ids: Vec<String>,
    pub disabled: Vec<String>,
    pub err: String,
}

pub fn export(dir: &Path, rows: &[(u32, &str, &str)]) -> String {
    let mut s = String::from("Id,Status,Title\n");
    for (id, status, title) in rows {
        s.push_str(&format!("{id},{status},{title}\n"));
    }
    let p = dir.join("hr.csv");
    fs::write(&p, s).unwrap();
    p.display().to_string()
}

/// `hr2scim upload MAP INPUT --out DIR/out --state DIR/state` against `emu`; what the emulator
/// accepted during the run, split into documents and plain disables.
pub fn sync(emu: &Emulator, dir: &Path, map: &str, input: &str, extra: &[&str]) -> Run {
    sync_env(emu, dir, map, input, extra, &[])
}

/// [`sync`] with extra environment variables (HR2SCIM_FAKE_NOW).
pub fn sync_env(
    emu: &Emulator,
    dir: &Path,
    map: &str,
    input: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Run {
    let m = dir.join("m.map");
    fs::write(&m, map).unwrap();
    let before = emu.state().accepted.len();
    let o = Command::cargo_bin("hr2scim")
        .unwrap()
        .env_clear()
        .env("AZURE_CLIENT_SECRET", &emu.config.client_secret)
        .envs(env.iter().copied())
        .args(["upload", m.to_str().unwrap(), input, "--quiet", "--out"])
        .arg(dir.join("out"))
        .arg("--state")
        .arg(dir.join("state"))
        .args(["--endpoint", &emu.endpoint(), "--login-url", &emu.base, "--tenant-id", TENANT])
        .args(["--client-id", CLIENT_ID, "--rate", "1000/1s", "--concurrency", "1"])
        .args(["--backoff-base", "20ms", "--timeout", "5s"])
        .args(extra)
        .output()
        .unwrap();
    let mut ids = Vec::new();
    let mut disabled = Vec::new();
    for a in &emu.state().accepted[before..] {
        if a.data.get("userName").is_none() && a.data["active"] == false {
            disabled.push(a.external_id.clone());
        } else {
            ids.push(a.external_id.clone());
        }
    }
    Run {
        code: o.status.code().unwrap_or(-1),
        ids,
        disabled,
        err: format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    }
}

#[test]
fn a_sequence_of_exports_sends_exactly_what_changed() {
    let emu = Emulator::start(Config::default());
    let convert =
        |d: &Path, map: &str, input: &str, extra: &[&str]| sync(&emu, d, map, input, extra);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut rows: Vec<(u32, &str, &str)> = (1..=40).map(|i| (i, "Active", "Clerk")).collect();

    // 1. Initial run: everyone.
    let r = convert(d, MAP, &export(d, &rows), &[]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(r.ids.len(), 40);

    // 2. Nothing changed: nothing written.
    let r = convert(d, MAP, &export(d, &rows), &[]);
    assert!(r.ids.is_empty() && r.disabled.is_empty());

    // 3. Two changes and a new hire.
    rows[4].2 = "Manager";
    rows[9].1 = "Inactive";
    rows.push((41, "Active", "Clerk"));
    let r = convert(d, MAP, &export(d, &rows), &[]);
    assert_eq!(r.ids, vec!["5", "10", "41"]);

    // 4. One leaver, reported but not disabled by default; then disabled when asked.
    rows.retain(|r| r.0 != 7);
    let r = convert(d, MAP, &export(d, &rows), &[]);
    assert!(r.ids.is_empty() && r.disabled.is_empty());
    let r = convert(d, MAP, &export(d, &rows), &["--leavers", "disable"]);
    assert_eq!(r.disabled, vec!["7"]);
    assert!(r.ids.is_empty());
    // ...and not disabled again on the next run.
    let r = convert(d, MAP, &export(d, &rows), &["--leavers", "disable"]);
    assert!(r.disabled.is_empty());

    // 5. A truncated export trips the threshold: nothing sent, state untouched, exit 3.
    let state_before = fs::read(d.join("state")).unwrap();
    let truncated: Vec<_> = rows.iter().take(20).cloned().collect();
    let r = convert(d, MAP, &export(d, &truncated), &["--leavers", "disable"]);
    assert_eq!(r.code, 3, "{}", r.err);
    assert!(r.ids.is_empty() && r.disabled.is_empty());
    assert!(r.err.contains("safety threshold"), "{}", r.err);
    assert_eq!(fs::read(d.join("state")).unwrap(), state_before, "a stopped run keeps the state");

    // 6. A row rejected today (no status, so no `active`) is not a leaver.
    let mut bad = rows.clone();
    bad[0].1 = "";
    let strict = MAP.replace(
        "Switch([Status], \"false\", \"Active\", \"true\")",
        "IgnoreFlowIfNullOrEmpty(Switch([Status], \"\", \"Active\", \"true\", \"Inactive\", \"false\"))",
    );
    let r = convert(
        d,
        &strict,
        &export(d, &bad),
        &["--leavers", "disable", "--assume-mapping-unchanged"],
    );
    assert_eq!(r.code, 2, "the row without a status is rejected: {}", r.err);
    assert!(r.disabled.is_empty(), "{:?}", r.disabled);
    assert!(r.ids.is_empty(), "{:?}", r.ids);

    // 7. A mapping change resends everyone once, unless assumed unchanged.
    let changed = format!("{MAP}nickName = [Title]\n");
    let r = convert(d, &changed, &export(d, &rows), &["--assume-mapping-unchanged"]);
    assert_eq!(r.ids.len(), rows.len(), "nickName is new in every document, so every user changed");
    let r = convert(d, &changed, &export(d, &rows), &[]);
    assert!(r.ids.is_empty(), "the state now holds the new mapping's documents");
    let renamed = changed.replace("nickName", "displayName");
    let r = convert(d, &renamed, &export(d, &rows), &[]);
    assert_eq!(r.ids.len(), rows.len());
}

#[test]
fn state_show_and_diff_report_without_writing() {
    // Log records take an hour to appear: the users stay pending.
    let emu = Emulator::start(Config {
        logs_delay: std::time::Duration::from_secs(3600),
        ..Config::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows: Vec<(u32, &str, &str)> = (1..=10).map(|i| (i, "Active", "Clerk")).collect();
    let input = export(d, &rows);
    assert_eq!(sync(&emu, d, MAP, &input, &[]).code, 0);
    let show = Command::cargo_bin("hr2scim")
        .unwrap()
        .args(["state", "show"])
        .arg(d.join("state"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(v["users"], 10);
    assert_eq!((v["pending"].as_u64(), v["confirmed"].as_u64()), (Some(10), Some(0)));
    assert_eq!(
        (v["failed"].as_u64(), v["skipped"].as_u64(), v["active"].as_u64()),
        (Some(0), Some(0), Some(10))
    );
    let mut next = rows.clone();
    next[2].2 = "Boss";
    next.pop();
    let input = export(d, &next);
    let before = fs::read(d.join("state")).unwrap();
    let diff = Command::cargo_bin("hr2scim")
        .unwrap()
        .args(["state", "diff"])
        .arg(d.join("state"))
        .arg(d.join("m.map"))
        .arg(&input)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    assert_eq!(v["send"], serde_json::json!([{"id": "3", "kind": "changed", "why": "changed"}]));
    assert_eq!(v["leavers"], serde_json::json!(["10"]));
    assert_eq!(v["unchanged"], 8);
    assert_eq!(fs::read(d.join("state")).unwrap(), before);
    // Two days on, the users the logs never answered for are due again.
    let diff = Command::cargo_bin("hr2scim")
        .unwrap()
        .env("HR2SCIM_FAKE_NOW", (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339())
        .args(["state", "diff"])
        .arg(d.join("state"))
        .arg(d.join("m.map"))
        .arg(&input)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(text.contains("1 changed, 8 sent again"), "{text}");
    assert!(
        text.contains("3            changed") && text.contains("4            pending since 20"),
        "{text}"
    );
}

#[test]
fn a_leaver_template_adds_attributes_to_the_disable() {
    let emu = Emulator::start(Config::default());
    let convert =
        |d: &Path, map: &str, input: &str, extra: &[&str]| sync(&emu, d, map, input, extra);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows: Vec<(u32, &str, &str)> = (1..=30).map(|i| (i, "Active", "Clerk")).collect();
    convert(d, MAP, &export(d, &rows), &[]);
    let template = d.join("leaver.map");
    fs::write(
        &template,
        "enterprise:department = \"Leavers\"\nnickName = Join(\"-\", \"left\", [externalId])\n",
    )
    .unwrap();
    let left: Vec<_> = rows.iter().filter(|r| r.0 != 4).cloned().collect();
    let t = template.display().to_string();
    let r = convert(d, MAP, &export(d, &left), &["--leavers", "disable", "--leaver-template", &t]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(r.disabled, vec!["4"]);
    assert!(r.ids.is_empty());
    let st = emu.state();
    let user = &st.accepted.last().unwrap().data;
    assert_eq!(user["externalId"], "4");
    assert_eq!(user["active"], false);
    assert_eq!(user["nickName"], "left-4");
    assert_eq!(
        user["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "Leavers"
    );
    drop(st);
    // Recorded as inactive: not disabled again.
    let r = convert(d, MAP, &export(d, &left), &["--leavers", "disable", "--leaver-template", &t]);
    assert_eq!((r.code, r.ids.len(), r.disabled.len()), (0, 0, 0), "{}", r.err);
}
