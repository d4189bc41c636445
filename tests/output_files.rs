//! The files a run leaves, through the built binary: only the tool's own files are ever removed
//! or replaced (a manifest names them), everything it creates is private, planted symbolic links
//! are never written through, and `upload --from` sends only the batches convert wrote.

use crate::support::graph_emulator;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use graph_emulator::{Config, Emulator, CLIENT_ID, TENANT};

const BIN: &str = env!("CARGO_BIN_EXE_hr2scim");
const MAP: &str = "externalId = [Id]\nuserName = Join(\"@\", [Id], \"x.example\")\nactive = Switch([Status], \"false\", \"Active\", \"true\")\n";

/// A mapping and an export of `users` active users (ids 1..=users) in `dir`.
fn inputs(dir: &Path, users: u32) -> (PathBuf, PathBuf) {
    let map = dir.join("m.map");
    fs::write(&map, MAP).unwrap();
    let mut csv = String::from("Id,Status\n");
    for i in 1..=users {
        csv.push_str(&format!("{i},Active\n"));
    }
    let input = dir.join(format!("hr-{users}.csv"));
    fs::write(&input, csv).unwrap();
    (map, input)
}

fn clean(c: &mut Command) -> &mut Command {
    c.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default())
}

/// `convert` of `users` users into `out`, one user per batch.
fn convert(dir: &Path, out: &Path, users: u32) -> Output {
    let (map, input) = inputs(dir, users);
    clean(&mut Command::new(BIN))
        .arg("convert")
        .arg(&map)
        .arg(&input)
        .arg("--out")
        .arg(out)
        .args(["--batch-size", "1", "--quiet"])
        .output()
        .unwrap()
}

/// The Entra flags for the emulator; the tenant's call log goes to `quota`.
fn entra(c: &mut Command, emu: &Emulator, quota: &Path) {
    c.env("AZURE_CLIENT_SECRET", &emu.config.client_secret)
        .args(["--endpoint", &emu.endpoint(), "--login-url", &emu.base, "--tenant-id", TENANT])
        .args(["--client-id", CLIENT_ID, "--backoff-base", "20ms", "--timeout", "2s"])
        .args(["--rate", "1000/1s", "--concurrency", "1", "--quiet", "--quota-dir"])
        .arg(quota);
}

/// `upload MAPPING INPUT --out OUT --state STATE` of `users` users against the emulator.
fn upload(
    emu: &Emulator,
    dir: &Path,
    users: u32,
    out: &Path,
    state: &Path,
    quota: &Path,
) -> Output {
    let (map, input) = inputs(dir, users);
    let mut c = Command::new(BIN);
    clean(&mut c).arg("upload").arg(&map).arg(&input).arg("--out").arg(out);
    c.arg("--state").arg(state);
    entra(&mut c, emu, quota);
    c.output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_users_own_bulk_file_survives_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("bulk-2024.json"), b"the user's notes").unwrap();
    for users in [3, 1] {
        let o = convert(dir.path(), &out, users);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        assert_eq!(fs::read(out.join("bulk-2024.json")).unwrap(), b"the user's notes");
    }
    assert!(out.join("bulk-00001.json").exists());
    assert!(!out.join("bulk-00002.json").exists(), "the earlier run's own batches went");
}

#[test]
fn an_edited_tool_file_is_kept_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_eq!(convert(dir.path(), &out, 3).status.code(), Some(0));
    let edited = b"{\"edited\": \"by hand\"}";
    fs::write(out.join("bulk-00003.json"), edited).unwrap();
    // Two users: bulk-00003.json is not needed, so the run goes on and keeps it.
    let o = convert(dir.path(), &out, 2);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(fs::read(out.join("bulk-00003.json")).unwrap(), edited);
    assert!(text(&o).contains("bulk-00003.json"), "a warning names it: {}", text(&o));
    // Three users would need that name: the run stops rather than replace it.
    let o = convert(dir.path(), &out, 3);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("bulk-00003.json") && text(&o).contains("--out"), "{}", text(&o));
    assert_eq!(fs::read(out.join("bulk-00003.json")).unwrap(), edited);
}

#[test]
fn a_foreign_summary_stops_the_run() {
    for name in ["summary.json", "rejects.csv"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        fs::write(out.join(name), b"{\"mine\": true}").unwrap();
        let o = convert(dir.path(), &out, 2);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        let said = text(&o);
        assert!(said.contains(name) && said.contains("--out"), "{said}");
        assert_eq!(fs::read(out.join(name)).unwrap(), b"{\"mine\": true}");
        assert!(!out.join("bulk-00001.json").exists(), "nothing written: {:?}", names(&out));
    }
    // The tool's own summary, even edited, is not the tool's any more.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_eq!(convert(dir.path(), &out, 2).status.code(), Some(0));
    let mut summary = fs::read(out.join("summary.json")).unwrap();
    summary.extend_from_slice(b"\n");
    fs::write(out.join("summary.json"), &summary).unwrap();
    let o = convert(dir.path(), &out, 2);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("summary.json"), "{}", text(&o));
    // ... and an untouched one is simply replaced.
    fs::remove_file(out.join("summary.json")).unwrap();
    let o = convert(dir.path(), &out, 2);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(convert(dir.path(), &out, 1).status.code(), Some(0));
}

#[cfg(unix)]
#[test]
fn everything_a_run_creates_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("made");
    let (out, state, quota) = (root.join("a/out"), root.join("s/hr.state"), root.join("q"));
    let o = upload(&emu, dir.path(), 3, &out, &state, &quota);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(out.join("journal/batches.jsonl").exists() && state.exists());
    let mut seen = (0, 0);
    let mut todo = vec![root.clone()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let meta = fs::symlink_metadata(e.path()).unwrap();
            let mode = meta.permissions().mode() & 0o777;
            if meta.is_dir() {
                assert_eq!(mode, 0o700, "{}", e.path().display());
                todo.push(e.path());
                seen.0 += 1;
            } else {
                assert_eq!(mode, 0o600, "{}", e.path().display());
                seen.1 += 1;
            }
        }
    }
    // a, out, journal, s, q, q/calls; a batch, rejects, summary, manifest, lock, journal,
    // state, its lock and the call log.
    assert!(seen.0 >= 6 && seen.1 >= 9, "{seen:?}");
    // A directory the user made keeps the mode they chose.
    fs::set_permissions(&out, fs::Permissions::from_mode(0o750)).unwrap();
    let o = upload(&emu, dir.path(), 3, &out, &state, &quota);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o750);
}

#[cfg(unix)]
#[test]
fn planted_symlinks_are_never_written_through() {
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let quota = d.join("q");
    let victim = d.join("victim.txt");
    let precious = b"someone else's file";
    // One run per planted name, each in a directory a first run has made (so the name is one
    // this tool writes there), except the names a fresh directory gets.
    for name in [
        "summary.json",
        "rejects.csv",
        "bulk-00001.json",
        "journal/batches.jsonl",
        ".hr2scim.lock",
        "STATE",
        "STATE.lock",
    ] {
        fs::write(&victim, precious).unwrap();
        let out = d.join(format!("out-{}", name.replace(['/', '.'], "_")));
        let state = out.join("hr.state");
        let o = upload(&emu, d, 3, &out, &state, &quota);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let planted = match name {
            "STATE" => state.clone(),
            "STATE.lock" => out.join("hr.state.lock"),
            n => out.join(n),
        };
        fs::remove_file(&planted).unwrap();
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        // A new user, so the second run has something to send (and a journal to write).
        let o = upload(&emu, d, 4, &out, &state, &quota);
        assert_eq!(fs::read(&victim).unwrap(), precious, "{name} was followed: {}", text(&o));
        let still_link = fs::symlink_metadata(&planted).unwrap().file_type().is_symlink();
        // Either the run refused (naming the file) or the atomic writer replaced the link.
        if still_link {
            assert_ne!(o.status.code(), Some(0), "{name}: {}", text(&o));
        } else {
            assert!(fs::metadata(&planted).unwrap().is_file(), "{name}");
        }
    }
}

#[test]
fn upload_from_sends_only_the_batches_convert_wrote() {
    let emu = Emulator::start(Config::default());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_eq!(convert(dir.path(), &out, 2).status.code(), Some(0));
    let foreign = graph_emulator::bulk_request("FOREIGN", 0, 1).to_string();
    fs::write(out.join("bulk-00003.json"), &foreign).unwrap();
    let mut c = Command::new(BIN);
    clean(&mut c).args(["upload", "--from"]).arg(&out);
    entra(&mut c, &emu, &dir.path().join("q"));
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let sent = emu.accepted_ids();
    assert!(sent.contains("1") && sent.contains("2"), "{sent:?}");
    assert!(!sent.iter().any(|id| id.starts_with("FOREIGN")), "{sent:?}");
    assert!(text(&o).contains("bulk-00003.json"), "a warning names it: {}", text(&o));
    // A listed batch changed since convert wrote it is not sent either.
    let changed = graph_emulator::bulk_request("EDITED", 0, 1).to_string();
    fs::write(out.join("bulk-00002.json"), &changed).unwrap();
    let mut c = Command::new(BIN);
    clean(&mut c).args(["upload", "--from"]).arg(&out);
    entra(&mut c, &emu, &dir.path().join("q"));
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("bulk-00002.json"), "{}", text(&o));
    assert!(!emu.accepted_ids().iter().any(|id| id.starts_with("EDITED")));
}
