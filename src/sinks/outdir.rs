//! An output directory across runs: what a run may remove or replace there (only the tool's own
//! files, by the manifest), and the manifest it leaves for the next run.
//!
//! [`OutputDir::open`] runs first, under the directory's lock: it refuses a directory where a
//! reserved name (`summary.json`, `rejects.csv`, ...) holds someone else's file, removes the
//! earlier run's own batches and a killed run's hidden temporaries, keeps (with a warning) every
//! other file, and marks the manifest unfinished. [`OutputDir::commit`] runs last: it removes
//! the earlier run's own files this run did not write again and writes the complete manifest.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::manifest::{self, Listed, Manifest, Owner, FIXED_NAMES};
use super::private_dir;

pub struct OutputDir {
    dir: PathBuf,
    earlier: Vec<Listed>,
    /// By name: a run records one entry per batch, and a million users make 20,000 batches.
    written: BTreeMap<String, Listed>,
    /// What the caller should show: files kept because they are not (or no longer) the tool's.
    pub warnings: Vec<String>,
}

fn not_ours(dir: &Path, name: &str, owner: &Owner) -> io::Error {
    let why = match owner {
        Owner::Changed => "was changed since hr2scim wrote it",
        _ => "was not written by hr2scim",
    };
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{} {why}, and this run would replace it; move it away or use another --out",
            dir.join(name).display()
        ),
    )
}

impl OutputDir {
    /// Prepares `dir` (created 0700 when missing) for a run; see the module docs.
    pub fn open(dir: &Path) -> io::Result<OutputDir> {
        private_dir(dir)?;
        let previous = Manifest::load(dir)?;
        let prev = previous.as_ref();
        // The earlier run's other outputs, exactly as they are now: replaced by this run, or
        // removed at its end when it does not write them again.
        let mut earlier = Vec::new();
        for name in FIXED_NAMES {
            match manifest::owner(dir, name, prev)? {
                Owner::Absent => {}
                Owner::Own => earlier.extend(Listed::of_file(dir, name)?),
                other => return Err(not_ours(dir, name, &other)),
            }
        }
        let mut warnings = Vec::new();
        if prev.is_none_or(|m| !m.complete) {
            let what =
                if prev.is_none() { "has no manifest" } else { "holds a run that did not finish" };
            let batches = count_batches(dir)?;
            if batches > 0 {
                warnings.push(format!(
                    "{} {what}: its {batches} bulk-NNNNN.json file(s) that look like hr2scim's are taken as the earlier run's and removed",
                    dir.display()
                ));
            }
        }
        let mut entries: Vec<String> = fs::read_dir(dir)?
            .filter_map(|e| e.ok().and_then(|e| e.file_name().into_string().ok()))
            .collect();
        entries.sort();
        for name in entries {
            let path = dir.join(&name);
            if manifest::is_own_temporary(&name) {
                remove(&path)?;
                continue;
            }
            if manifest::batch_number(&name).is_none() {
                continue;
            }
            match manifest::owner(dir, &name, prev)? {
                Owner::Own => remove(&path)?,
                Owner::Absent => {}
                Owner::Changed => warnings.push(format!(
                    "{} was changed since hr2scim wrote it: kept, and `upload --from` will not send it",
                    path.display()
                )),
                Owner::Foreign => warnings.push(format!(
                    "{} was not written by hr2scim: kept, and `upload --from` will not send it",
                    path.display()
                )),
            }
        }
        // Until this run ends, the manifest says it did not finish: a file it replaces then
        // differs from the listing, and must not look like the user's to the next run.
        Manifest::new(false, earlier.clone()).save(dir)?;
        Ok(OutputDir { dir: dir.to_path_buf(), earlier, written: BTreeMap::new(), warnings })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// A file this run wrote (for the manifest).
    pub fn record(&mut self, file: Listed) {
        self.written.insert(file.name.clone(), file);
    }

    /// The run's commit point: the earlier run's own files that this run did not write again go,
    /// then the complete manifest is written and fsync'd (file and directory).
    pub fn commit(mut self) -> io::Result<()> {
        for f in &self.earlier {
            if !self.written.contains_key(&f.name) && f.matches_file(&self.dir)? {
                remove(&self.dir.join(&f.name))?;
            }
        }
        let written = std::mem::take(&mut self.written).into_values().collect();
        Manifest::new(true, written).save(&self.dir)
    }
}

/// Refuses when `dir/name`, a batch about to be moved into place, holds a file: at that point
/// it can only be one [`OutputDir::open`] kept as not the tool's (the earlier run's own batches
/// were removed then, and the directory's lock keeps other runs out).
pub fn ensure_free(dir: &Path, name: &str) -> io::Result<()> {
    match fs::symlink_metadata(dir.join(name)) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} is not hr2scim's (it was changed since hr2scim wrote it, or not written by it), and this run would replace it; move it away or use another --out",
                dir.join(name).display()
            ),
        )),
    }
}

fn count_batches(dir: &Path) -> io::Result<usize> {
    let mut n = 0;
    for e in fs::read_dir(dir)? {
        let name = e?.file_name();
        if let Some(name) = name.to_str() {
            if manifest::batch_number(name).is_some()
                && manifest::owner(dir, name, None)? == Owner::Own
            {
                n += 1;
            }
        }
    }
    Ok(n)
}

fn remove(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BATCH: &[u8] =
        b"{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":[]}";

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn d_of(out: &OutputDir) -> &Path {
        out.path()
    }

    /// A run that writes `batches` batches and a summary.
    fn run(dir: &Path, batches: usize) -> io::Result<Vec<String>> {
        let mut out = OutputDir::open(dir)?;
        for n in 1..=batches {
            let name = crate::sinks::bulk_file_name(n);
            ensure_free(d_of(&out), &name)?;
            let bytes = [BATCH, format!("{n}").as_bytes()].concat();
            fs::write(dir.join(&name), &bytes)?;
            out.record(Listed::of_bytes(&name, &bytes));
        }
        let summary = b"{\n  \"input\": \"x\"\n}";
        fs::write(dir.join("summary.json"), summary)?;
        out.record(Listed::of_bytes("summary.json", summary));
        let warnings = out.warnings.clone();
        out.commit()?;
        Ok(warnings)
    }

    #[test]
    fn a_run_replaces_the_earlier_runs_files_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("bulk-2024.json"), b"mine").unwrap();
        fs::write(d.join(".bulk-00009.json.part"), b"killed").unwrap();
        fs::write(d.join(".notes.tmp-abcdef"), b"mine too").unwrap();
        run(d, 3).unwrap();
        run(d, 1).unwrap();
        assert_eq!(
            names(d),
            [
                ".hr2scim-manifest.json",
                ".notes.tmp-abcdef",
                "bulk-00001.json",
                "bulk-2024.json",
                "summary.json"
            ]
        );
        let m = Manifest::load(d).unwrap().unwrap();
        assert!(m.complete);
        assert_eq!(
            m.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            ["bulk-00001.json", "summary.json"]
        );
    }

    #[test]
    fn a_changed_batch_is_kept_with_a_warning_and_its_name_is_not_taken() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        run(d, 3).unwrap();
        fs::write(d.join("bulk-00002.json"), b"edited").unwrap();
        let warnings = run(d, 1).unwrap();
        assert!(
            warnings.iter().any(|w| w.contains("bulk-00002.json") && w.contains("changed")),
            "{warnings:?}"
        );
        assert_eq!(fs::read(d.join("bulk-00002.json")).unwrap(), b"edited");
        let err = run(d, 2).unwrap_err().to_string();
        assert!(err.contains("bulk-00002.json") && err.contains("--out"), "{err}");
        assert_eq!(fs::read(d.join("bulk-00002.json")).unwrap(), b"edited");
    }

    #[test]
    fn a_foreign_fixed_name_stops_before_anything_is_touched() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        run(d, 2).unwrap();
        fs::write(d.join("rejects.csv"), b"my,own\n").unwrap();
        let err = run(d, 1).err().unwrap().to_string();
        assert!(err.contains("rejects.csv") && err.contains("not written by hr2scim"), "{err}");
        assert!(d.join("bulk-00002.json").exists(), "nothing removed");
        assert!(Manifest::load(d).unwrap().unwrap().complete);
    }

    #[test]
    fn after_a_killed_run_the_tools_files_are_recognised_once() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        run(d, 2).unwrap();
        // A run that died after replacing the summary and publishing one batch.
        let out = OutputDir::open(d).unwrap();
        fs::write(d.join("summary.json"), b"{\n  \"input\": \"new\"\n}").unwrap();
        fs::write(d.join("bulk-00001.json"), BATCH).unwrap();
        drop(out);
        assert!(!Manifest::load(d).unwrap().unwrap().complete);
        let warnings = run(d, 1).unwrap();
        assert!(warnings.iter().any(|w| w.contains("did not finish")), "{warnings:?}");
        assert!(Manifest::load(d).unwrap().unwrap().complete);
    }
}
