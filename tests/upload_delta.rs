//! Delta runs end to end: `hr2scim upload MAPPING INPUT --state` against the Graph emulator and
//! scim2-server, asserting exactly which users each run sends, and that an interrupted upload
//! leaves the state so the next run resends what was not confirmed.

use crate::support::delta_upload::{text, upload as entra_upload, MAP};
use crate::support::graph_emulator;
use crate::support::scim_server;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use graph_emulator::{Config, Emulator, Fault, CLIENT_ID, TENANT};

const BIN: &str = env!("CARGO_BIN_EXE_hr2scim");

fn write_export(dir: &Path, rows: &[(u32, &str, String)]) -> String {
    let mut s = String::from("Id,Status,Title,Name,Dept\n");
    for (id, status, title) in rows {
        s.push_str(&format!("{id},{status},{title},Name{id},D{}\n", id % 3));
    }
    let p = dir.join("hr.csv");
    std::fs::write(&p, s).unwrap();
    p.display().to_string()
}

/// externalIds the emulator accepted since `from` (an index into its accepted list).
fn sent_since(emu: &Emulator, from: usize) -> (BTreeSet<u32>, usize) {
    let st = emu.state();
    let ids = st.accepted[from..].iter().map(|a| a.external_id.parse::<u32>().unwrap()).collect();
    (ids, st.accepted.len())
}

#[test]
fn delta_sequence_against_the_graph_emulator() {
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut rows: Vec<(u32, &str, String)> =
        (1..=120).map(|i| (i, "Active", "Clerk".to_string())).collect();

    // Initial export: everyone.
    let o = entra_upload(&emu, d, &write_export(d, &rows), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let (sent, mark) = sent_since(&emu, 0);
    assert_eq!(sent.len(), 120);

    // A few changes: only those.
    rows[9].2 = "Manager".into();
    rows[99].1 = "Inactive";
    let o = entra_upload(&emu, d, &write_export(d, &rows), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let (sent, mark) = sent_since(&emu, mark);
    assert_eq!(sent, BTreeSet::from([10, 100]));

    // An interrupted upload: 60 changes = 2 batches; the second is refused (403 stops the run).
    for r in rows.iter_mut().take(60) {
        r.2 = "Analyst".into();
    }
    let state_before = std::fs::read(d.join("hr.state")).unwrap();
    emu.push_fault(Fault::Pass);
    emu.push_fault(Fault::Status(403));
    let o = entra_upload(&emu, d, &write_export(d, &rows), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // What was accepted is recorded (pending); the refused batch's users keep their entries.
    let state_after = std::fs::read_to_string(d.join("hr.state")).unwrap();
    assert_ne!(state_after.as_bytes(), &state_before[..]);
    let pending = state_after.lines().filter(|l| l.contains("\"s\":\"pending\"")).count();
    assert_eq!(pending, 50, "{state_after}");
    let (sent, mark) = sent_since(&emu, mark);
    assert_eq!(sent.len(), 50, "the first batch went through");

    // The rerun resends only the batch that was not accepted (the journal skips the other).
    let o = entra_upload(&emu, d, &write_export(d, &rows), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let (sent, mark) = sent_since(&emu, mark);
    assert_eq!(sent, (51..=60).collect::<BTreeSet<u32>>());
    // ...and the state now holds everything: nothing more to send.
    let o = entra_upload(&emu, d, &write_export(d, &rows), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let (sent, mark) = sent_since(&emu, mark);
    assert!(sent.is_empty(), "{sent:?}");

    // A leaver is disabled with a minimal document.
    rows.retain(|r| r.0 != 77);
    let o = entra_upload(&emu, d, &write_export(d, &rows), &["--leavers", "disable"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let st = emu.state();
    let new: Vec<_> = st.accepted[mark..].to_vec();
    drop(st);
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].external_id, "77");
    assert_eq!(new[0].data["active"], false);
    assert!(new[0].data.get("userName").is_none());

    // A truncated export trips the threshold: nothing sent.
    let before = emu.state().accepted.len();
    let truncated: Vec<_> = rows.iter().take(50).cloned().collect();
    let o = entra_upload(&emu, d, &write_export(d, &truncated), &["--leavers", "disable"]);
    assert_eq!(o.status.code(), Some(3), "a guard stopped it before sending: {}", text(&o));
    assert!(text(&o).contains("safety threshold"), "{}", text(&o));
    assert_eq!(emu.state().accepted.len(), before);

    // A mapping change resends everyone once.
    std::fs::write(d.join("m2.map"), format!("{MAP}nickName = [Title]\n")).unwrap();
    let map2 = d.join("m2.map");
    let o = Command::new(BIN)
        .env_clear()
        .env("AZURE_CLIENT_SECRET", &emu.config.client_secret)
        .arg("upload")
        .arg(&map2)
        .arg(write_export(d, &rows))
        .arg("--out")
        .arg(d.join("out"))
        .arg("--state")
        .arg(d.join("hr.state"))
        .args(["--endpoint", &emu.endpoint(), "--login-url", &emu.base, "--tenant-id", TENANT])
        .args(["--client-id", CLIENT_ID, "--rate", "1000/1s", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(emu.state().accepted.len() - before, rows.len());
}

#[test]
fn delta_sequence_against_scim2_server() {
    let Some(py) = scim_server::skip() else { return };
    let server = scim_server::ScimServer::start(&py, &[]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("m.map"), MAP).unwrap();
    let run = |rows: &[(u32, &str, String)]| {
        let input = write_export(d, rows);
        let o = Command::new(BIN)
            .env_clear()
            .env("SCIM_TOKEN", scim_server::TOKEN)
            .arg("upload")
            .arg(d.join("m.map"))
            .arg(&input)
            .arg("--out")
            .arg(d.join("out"))
            .arg("--state")
            .arg(d.join("hr.state"))
            .args([
                "--target",
                "scim",
                "--url",
                &server.base,
                "--rate",
                "1000/1s",
                "--json",
                "--quiet",
            ])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        summary["users_sent"].as_u64().unwrap()
    };
    let mut rows: Vec<(u32, &str, String)> =
        (1..=30).map(|i| (i, "Active", "Clerk".to_string())).collect();
    assert_eq!(run(&rows), 30);
    assert_eq!(server.user("7")["title"], "Clerk");
    rows[6].2 = "Chief".into();
    assert_eq!(run(&rows), 1, "only the changed user is sent");
    assert_eq!(server.user("7")["title"], "Chief", "and the server holds the change");
    assert_eq!(run(&rows), 0);
}

/// A row rejected before its externalId is known (here: a malformed line) may be any user of the
/// state. Disabling the users missing from such an export would disable that one too, so the
/// run sends the rest and holds every leaver back; the next clean export disables who has left.
#[test]
fn a_rejected_row_without_an_id_holds_the_leavers_back() {
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows: Vec<(u32, &str, String)> =
        (1..=40).map(|i| (i, "Active", "Clerk".to_string())).collect();
    let o = entra_upload(&emu, d, &write_export(d, &rows), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let (_, mark) = sent_since(&emu, 0);

    // Day 2: user 40 has left; user 7's line is broken (a field too many), so 7 looks like a
    // leaver too; user 3 changed.
    let mut today: Vec<(u32, &str, String)> = rows[..39].to_vec();
    today[2].2 = "Manager".into();
    let input = write_export(d, &today);
    let text_in = std::fs::read_to_string(&input).unwrap();
    let broken =
        text_in.replace("\n7,Active,Clerk,Name7,D1\n", "\n7,Active,Clerk,Name7,D1,extra\n");
    assert_ne!(broken, text_in, "the test breaks user 7's line");
    std::fs::write(&input, broken).unwrap();
    let o = entra_upload(&emu, d, &input, &["--leavers", "disable"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "a rejected row makes the run partial: {out}");
    let summary = std::fs::read_to_string(d.join("out/summary.json")).unwrap();
    assert!(summary.contains("2 leaver(s) held back, none disabled"), "{summary}");
    assert!(summary.contains("\"rejected_without_id\": 1"), "{summary}");
    let (sent, mark) = sent_since(&emu, mark);
    assert_eq!(sent, BTreeSet::from([3]), "the change goes, the leaver does not: {out}");
    let directory = emu.directory();
    assert_eq!(directory.len(), 40);
    assert!(directory.values().all(|u| u.active), "nobody was disabled");

    // Day 3: the export is whole again: user 40 is disabled now.
    let o = entra_upload(&emu, d, &write_export(d, &today), &["--leavers", "disable"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let (sent, _) = sent_since(&emu, mark);
    assert_eq!(sent, BTreeSet::from([40]), "{}", text(&o));
}
