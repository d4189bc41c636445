//! Per-run copies: the same output directory every day keeps each run's report, rejects and
//! summary in `DIR/runs/<UTC start>/`, and only the newest N such folders that this tool made.
//!
//! The top-level files stay the latest run's (what a scheduler's mail or a script reads). A run
//! folder is the tool's when its name is a run stamp, it is a real directory, and it holds a
//! complete manifest (the same `.hr2scim-manifest.json` an output directory has) listing what
//! was copied. Pruning removes only listed, unchanged files and then the empty folder; a folder
//! holding anything else is left whole, and whatever is not a run folder is never looked into.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};

use super::manifest::{owner, Listed, Manifest, Owner, MANIFEST_NAME};

/// The folder under the output directory that holds the per-run copies.
pub const RUNS_DIR: &str = "runs";

/// How many run folders are kept when nothing says otherwise: a month of daily runs.
pub const DEFAULT_KEEP_RUNS: u32 = 30;

/// The outputs a run folder keeps (those this run wrote: a `--report none` run has no report).
pub const KEPT_NAMES: [&str; 4] = ["report.html", "rejects.csv", "summary.json", "changes.csv"];

/// `2026-01-31T060000Z`: sorts as time does, and has no `:` (refused in Windows names).
const STAMP: &str = "%Y-%m-%dT%H%M%SZ";

/// What [`keep_run`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Kept {
    /// This run's folder.
    pub folder: PathBuf,
    /// Older run folders removed.
    pub removed: Vec<String>,
    /// Older run folders that are past the count but were left, and why.
    pub left: Vec<(String, String)>,
}

/// A run folder's name for a run started at `t`; `n` > 1 for a second run in the same second.
pub fn folder_name(t: DateTime<Utc>, n: u32) -> String {
    let stamp = t.format(STAMP).to_string();
    if n <= 1 {
        stamp
    } else {
        format!("{stamp}-{n:02}")
    }
}

/// Is `name` a name [`folder_name`] gives?
pub fn is_run_name(name: &str) -> bool {
    let Some(stamp) = name.get(..18) else { return false };
    let n = &name[18..];
    let Ok(t) = NaiveDateTime::parse_from_str(stamp, STAMP) else { return false };
    let n = match n.strip_prefix('-') {
        None if n.is_empty() => 1,
        Some(d) if d.len() == 2 && d.bytes().all(|b| b.is_ascii_digit()) => match d.parse() {
            Ok(n) if n >= 2 => n,
            _ => return false,
        },
        _ => return false,
    };
    folder_name(t.and_utc(), n) == name
}

/// Copies this run's outputs from `out` into `out/runs/<start>/` (0700, files 0600, with a
/// manifest), then removes the tool's run folders beyond the newest `keep`. `keep == 0` keeps
/// no copy and touches nothing under `runs/`.
pub fn keep_run(out: &Path, started: DateTime<Utc>, keep: u32) -> io::Result<Option<Kept>> {
    if keep == 0 {
        return Ok(None);
    }
    let runs = out.join(RUNS_DIR);
    match fs::symlink_metadata(&runs) {
        Ok(m) if !m.is_dir() => {
            return Err(io::Error::other(format!(
                "{} is not a directory; hr2scim keeps each run's report, rejects and summary there \
                 (move it away, or use --keep-runs 0)",
                runs.display()
            )))
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => super::private_dir(&runs)?,
        Err(e) => return Err(e),
    }
    let manifest = Manifest::load(out)?;
    let mut files = Vec::new();
    for name in KEPT_NAMES {
        if owner(out, name, manifest.as_ref())? == Owner::Own {
            files.push((name, fs::read(out.join(name))?));
        }
    }
    let folder = new_folder(&runs, started)?;
    let mut listed = Vec::new();
    for (name, bytes) in files {
        super::write_atomic(&folder.join(name), &bytes)?;
        listed.push(Listed::of_bytes(name, &bytes));
    }
    Manifest::new(true, listed).save(&folder)?;
    let mut kept = Kept { folder, ..Kept::default() };
    prune(&runs, keep as usize, &mut kept)?;
    Ok(Some(kept))
}

/// Creates the run's folder (0700), never reusing one: a second run in the same second (or a
/// clock set back) gets the next free `-NN`.
fn new_folder(runs: &Path, started: DateTime<Utc>) -> io::Result<PathBuf> {
    for n in 1..=99 {
        let folder = runs.join(folder_name(started, n));
        let mut b = fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        match b.create(&folder) {
            Ok(()) => return Ok(folder),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "{} already holds 99 run folders for {}",
        runs.display(),
        folder_name(started, 1)
    )))
}

/// Removes the tool's run folders beyond the newest `keep`; notes in `kept` the names removed
/// and those left with the reason.
fn prune(runs: &Path, keep: usize, kept: &mut Kept) -> io::Result<()> {
    let mut ours = Vec::new();
    for e in fs::read_dir(runs)? {
        let e = e?;
        let Some(name) = e.file_name().to_str().map(str::to_string) else { continue };
        if !is_run_name(&name) || !fs::symlink_metadata(e.path())?.is_dir() {
            continue;
        }
        // A folder without a complete manifest was not finished by this tool (or not made by
        // it): it is not a run folder and does not count.
        if let Ok(Some(m)) = Manifest::load(&e.path()) {
            if m.complete {
                ours.push((name, m));
            }
        }
    }
    ours.sort_by(|a, b| b.0.cmp(&a.0));
    for (name, m) in ours.into_iter().skip(keep) {
        match remove_folder(&runs.join(&name), &m)? {
            None => kept.removed.push(name),
            Some(why) => kept.left.push((name, why)),
        }
    }
    Ok(())
}

/// Removes a run folder whose every entry is its manifest or a listed, unchanged file; `Some`
/// says why the folder was left as it is.
fn remove_folder(folder: &Path, m: &Manifest) -> io::Result<Option<String>> {
    for e in fs::read_dir(folder)? {
        let name = e?.file_name().to_string_lossy().into_owned();
        if name == MANIFEST_NAME {
            continue;
        }
        let why = match owner(folder, &name, Some(m))? {
            Owner::Own => continue,
            Owner::Changed => format!("{name} was changed since hr2scim wrote it"),
            Owner::Foreign | Owner::Absent => format!("{name} was not written by hr2scim"),
        };
        return Ok(Some(why));
    }
    for f in &m.files {
        match fs::remove_file(folder.join(&f.name)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    fs::remove_file(folder.join(MANIFEST_NAME))?;
    fs::remove_dir(folder)?;
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn run_names_sort_as_time_and_are_recognised_exactly() {
        let a = folder_name(at("2026-01-31T06:00:00Z"), 1);
        let b = folder_name(at("2026-01-31T06:00:00Z"), 2);
        let c = folder_name(at("2026-02-01T05:59:59Z"), 1);
        assert_eq!((a.as_str(), b.as_str()), ("2026-01-31T060000Z", "2026-01-31T060000Z-02"));
        assert!(a < b && b < c);
        assert!(!a.contains(':'), "Windows refuses ':' in names");
        for ok in [&a, &b, &c] {
            assert!(is_run_name(ok), "{ok}");
        }
        for not in [
            "2026-01-31T060000Z-1",
            "2026-01-31T060000Z-01",
            "2026-01-31T060000Z-2",
            "2026-01-31T060000Z.bak",
            "2026-13-31T060000Z",
            "2026-01-31T06:00:00Z",
            "notes",
            "",
            "2026-01-31T060000",
        ] {
            assert!(!is_run_name(not), "{not}");
        }
    }
}
