//! Delta runs through the built binary: a sequence of exports, asserting exactly which users are
//! written each time, the leaver threshold, mapping changes, and that failed runs keep the state.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

const MAP: &str = "externalId = [Id]\nuserName = Join(\"@\", [Id], \"x.example\")\nactive = Switch([Status], \"false\", \"Active\", \"true\")\ntitle = [Title]\n";

struct Run {
    code: i32,
    ids: Vec<String>,
    disabled: Vec<String>,
    err: String,
}

fn export(dir: &Path, rows: &[(u32, &str, &str)]) -> String {
    let mut s = String::from("Id,Status,Title\n");
    for (id, status, title) in rows {
        s.push_str(&format!("{id},{status},{title}\n"));
    }
    let p = dir.join("hr.csv");
    fs::write(&p, s).unwrap();
    p.display().to_string()
}

fn convert(dir: &Path, map: &str, input: &str, extra: &[&str]) -> Run {
    let m = dir.join("m.map");
    fs::write(&m, map).unwrap();
    let out = dir.join("out");
    let o = Command::cargo_bin("hr2scim")
        .unwrap()
        .args(["convert", m.to_str().unwrap(), input, "--quiet", "--out"])
        .arg(&out)
        .arg("--state")
        .arg(dir.join("state"))
        .args(extra)
        .output()
        .unwrap();
    let mut ids = Vec::new();
    let mut disabled = Vec::new();
    if o.status.success() {
        let mut names: Vec<_> =
            fs::read_dir(&out).unwrap().filter_map(|e| e.ok()).map(|e| e.path()).collect();
        names.sort();
        for p in
            names.iter().filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("bulk-"))
        {
            let b: serde_json::Value = serde_json::from_slice(&fs::read(p).unwrap()).unwrap();
            for op in b["Operations"].as_array().unwrap() {
                let d = &op["data"];
                let id = d["externalId"].as_str().unwrap().to_string();
                if d.get("userName").is_none() && d["active"] == false {
                    disabled.push(id);
                } else {
                    ids.push(id);
                }
            }
        }
    }
    Run {
        code: o.status.code().unwrap_or(-1),
        ids,
        disabled,
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

#[test]
fn a_sequence_of_exports_sends_exactly_what_changed() {
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

    // 5. A truncated export trips the threshold: nothing written, state untouched.
    let state_before = fs::read(d.join("state")).unwrap();
    let truncated: Vec<_> = rows.iter().take(20).cloned().collect();
    let r = convert(d, MAP, &export(d, &truncated), &["--leavers", "disable"]);
    assert_eq!(r.code, 1);
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
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows: Vec<(u32, &str, &str)> = (1..=10).map(|i| (i, "Active", "Clerk")).collect();
    let input = export(d, &rows);
    convert(d, MAP, &input, &[]);
    let show = Command::cargo_bin("hr2scim")
        .unwrap()
        .args(["state", "show"])
        .arg(d.join("state"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(v["users"], 10);
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
    assert_eq!(v["changed"], serde_json::json!(["3"]));
    assert_eq!(v["leavers"], serde_json::json!(["10"]));
    assert_eq!(v["unchanged"], 8);
    assert_eq!(fs::read(d.join("state")).unwrap(), before);
}

#[test]
fn a_leaver_template_adds_attributes_to_the_disable() {
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
    let out: serde_json::Value =
        serde_json::from_slice(&fs::read(d.join("out/bulk-00001.json")).unwrap()).unwrap();
    let user = &out["Operations"][0]["data"];
    assert_eq!(user["externalId"], "4");
    assert_eq!(user["active"], false);
    assert_eq!(user["nickName"], "left-4");
    assert_eq!(
        user["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "Leavers"
    );
}
