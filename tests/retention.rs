//! Per-run copies (`--keep-runs`, the profile's `keep-runs`): each run's report, rejects and
//! summary in `OUT/runs/<UTC start>/`, the newest N of the tool's run folders kept, nothing
//! else under `runs/` ever removed, private modes, and none for dry runs.

use std::fs;
use std::path::Path;
use std::process::Output;

use assert_cmd::Command;

use crate::delta::MAP;
use crate::support::graph_emulator::{Config, Emulator};

const HR: &str = "Id,Status,Title\n1,Active,Clerk\n2,Active,Boss\n,Active,Nobody\n";

/// `hr2scim convert` in `d` into `d/out`, with the clock at `now`.
fn convert(d: &Path, now: &str, extra: &[&str]) -> Output {
    fs::write(d.join("m.map"), MAP).unwrap();
    fs::write(d.join("hr.csv"), HR).unwrap();
    Command::cargo_bin("hr2scim")
        .unwrap()
        .env_clear()
        .env("HR2SCIM_FAKE_NOW", now)
        .current_dir(d)
        .args(["convert", "m.map", "hr.csv", "--out", "out", "--quiet"])
        .args(extra)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

const DAYS: [&str; 4] = [
    "2026-03-01T02:15:00Z",
    "2026-03-02T02:15:00Z",
    "2026-03-03T02:15:09Z",
    "2026-03-04T02:15:00Z",
];

#[test]
fn the_newest_runs_are_kept_and_nothing_foreign_is_ever_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let runs = d.join("out/runs");
    // Things under runs/ that hr2scim did not make: a folder named like a run (but without the
    // tool's manifest), any other folder, a file.
    fs::create_dir_all(runs.join("2020-01-01T000000Z")).unwrap();
    fs::write(runs.join("2020-01-01T000000Z/notes.txt"), "mine").unwrap();
    fs::create_dir(runs.join("audit")).unwrap();
    fs::write(runs.join("README.txt"), "mine too").unwrap();

    for (i, now) in DAYS.iter().enumerate() {
        let o = convert(d, now, &["--keep-runs", "2"]);
        assert_eq!(o.status.code(), Some(2), "a rejected row: {}", stderr(&o));
        if i == 1 {
            // Someone keeps a note in the first run's folder: that folder is theirs now.
            fs::write(runs.join("2026-03-01T021500Z/approved-by.txt"), "Kim").unwrap();
        }
        if i == 2 {
            assert!(
                stderr(&o).contains("2026-03-01T021500Z is older than the last 2 but was left")
                    && stderr(&o).contains("approved-by.txt was not written by hr2scim"),
                "{}",
                stderr(&o)
            );
        }
    }
    assert_eq!(
        names(&runs),
        [
            "2020-01-01T000000Z",
            "2026-03-01T021500Z",
            "2026-03-03T021509Z",
            "2026-03-04T021500Z",
            "README.txt",
            "audit"
        ],
        "the two newest runs, the one kept by the user's note, and everything foreign"
    );
    assert_eq!(fs::read_to_string(runs.join("2020-01-01T000000Z/notes.txt")).unwrap(), "mine");
    assert_eq!(fs::read_to_string(runs.join("README.txt")).unwrap(), "mine too");
    assert_eq!(
        names(&runs.join("2026-03-01T021500Z")),
        [".hr2scim-manifest.json", "approved-by.txt", "rejects.csv", "report.html", "summary.json"]
    );

    // The newest folder holds exactly this run's outputs, as the top level does.
    let last = runs.join("2026-03-04T021500Z");
    assert_eq!(
        names(&last),
        [".hr2scim-manifest.json", "rejects.csv", "report.html", "summary.json"]
    );
    for name in ["rejects.csv", "report.html", "summary.json"] {
        assert_eq!(fs::read(last.join(name)).unwrap(), fs::read(d.join("out").join(name)).unwrap());
    }
    assert!(fs::read_to_string(last.join("rejects.csv")).unwrap().contains("Nobody"));

    // An edited file in a run folder also keeps it: it is not the file the tool wrote.
    fs::write(runs.join("2026-03-03T021509Z/summary.json"), "{}").unwrap();
    let o = convert(d, "2026-03-05T02:15:00Z", &["--keep-runs", "1"]);
    assert!(
        stderr(&o).contains("summary.json was changed since hr2scim wrote it"),
        "{}",
        stderr(&o)
    );
    assert!(runs.join("2026-03-03T021509Z").exists() && !runs.join("2026-03-04T021500Z").exists());
    assert!(runs.join("2026-03-05T021500Z").exists());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let newest = runs.join("2026-03-05T021500Z");
        assert_eq!(mode(&newest), 0o700);
        for f in names(&newest) {
            assert_eq!(mode(&newest.join(&f)), 0o600, "{f}");
        }
        let fresh = tempfile::tempdir().unwrap();
        convert(fresh.path(), DAYS[0], &[]);
        assert_eq!(mode(&fresh.path().join("out/runs")), 0o700);
    }
}

#[test]
fn two_runs_in_one_second_get_two_folders_and_zero_keeps_none() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    convert(d, DAYS[0], &[]);
    convert(d, DAYS[0], &[]);
    assert_eq!(names(&d.join("out/runs")), ["2026-03-01T021500Z", "2026-03-01T021500Z-02"]);
    // --keep-runs 0: no copy, and what is there stays.
    let o = convert(d, DAYS[1], &["--keep-runs", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(names(&d.join("out/runs")).len(), 2);
    let other = tempfile::tempdir().unwrap();
    convert(other.path(), DAYS[1], &["--keep-runs", "0"]);
    assert!(!other.path().join("out/runs").exists());
    // A file where runs/ should be is a warning: the run itself is done.
    let o = convert(other.path(), DAYS[1], &[]);
    assert_eq!(o.status.code(), Some(2));
    fs::remove_dir_all(other.path().join("out/runs")).unwrap();
    fs::write(other.path().join("out/runs"), "x").unwrap();
    let o = convert(other.path(), DAYS[2], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("runs is not a directory"), "{}", stderr(&o));
}

#[test]
fn the_profile_keeps_runs_and_a_dry_run_keeps_none() {
    let emu = Emulator::start(Config::default());
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let prof = crate::daily::profile(&emu, d, "");
    fs::write(&prof, format!("keep-runs = 1\n{}", fs::read_to_string(&prof).unwrap())).unwrap();
    fs::write(d.join("hr.csv"), HR).unwrap();
    let run = |now: &str, args: &[&str]| {
        let mut c = Command::cargo_bin("hr2scim").unwrap();
        c.env_clear()
            .env("AZURE_CLIENT_SECRET", &emu.config.client_secret)
            .env("HR2SCIM_FAKE_NOW", now)
            .arg("run")
            .arg(&prof)
            .args(args)
            .output()
            .unwrap()
    };
    let runs = d.join("out/runs");
    let o = run(DAYS[0], &["--dry-run"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!runs.exists(), "a dry run keeps no copy");
    let o = run(DAYS[1], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(names(&runs), ["2026-03-02T021500Z"]);
    let o = run(DAYS[2], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(names(&runs), ["2026-03-03T021509Z"], "keep-runs = 1");
    let o = run(DAYS[3], &["--dry-run"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(names(&runs), ["2026-03-03T021509Z"], "a dry run removes nothing either");
    // The flag overrides the profile.
    run(DAYS[3], &["--keep-runs", "3"]);
    assert_eq!(names(&runs), ["2026-03-03T021509Z", "2026-03-04T021500Z"]);
}
