//! Delivery, the second pass of delta, NDJSON and standard-output runs: the spooled users go to
//! batch files written one by one, an NDJSON file, or standard output.
//!
//! As in plain runs, batch files are written hidden (`.bulk-00001.json.part`) and renamed into
//! place only when the run ends; the earlier run's own `bulk-*.json` were removed when the run
//! started (`sinks::OutputDir`). A run that dies therefore leaves nothing `upload --from DIR`
//! would send. `finish` returns what was written, for the manifest.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::scim::BulkWriter;
use crate::sinks::{self, Listed};

use super::batch_files::part_name;
use super::{out_err, ConvertError, ConvertOptions, OutputFormat};

pub enum DeliverError {
    Oversize(String),
    Fatal(ConvertError),
}

impl From<ConvertError> for DeliverError {
    fn from(e: ConvertError) -> Self {
        DeliverError::Fatal(e)
    }
}

/// Where users go in the second pass.
pub enum Delivery {
    Bulk { writer: BulkWriter, parts: Parts },
    Ndjson { dir: PathBuf, out: Box<dyn Write>, file: Option<sinks::AtomicFile> },
}

/// Hidden batch files written so far; removed if the run stops before [`Parts::publish`].
pub struct Parts {
    dir: PathBuf,
    listed: Vec<Listed>,
    published: bool,
}

impl Parts {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        let name = part_name(self.listed.len() + 1);
        sinks::private_file(&self.dir.join(&name))?.write_all(bytes)?;
        self.listed.push(Listed::of_bytes(&name, bytes));
        Ok(())
    }

    /// Renames the parts into place, once every name is known to be free.
    fn publish(mut self) -> io::Result<Vec<Listed>> {
        let names: Vec<String> = (1..=self.listed.len()).map(sinks::bulk_file_name).collect();
        for name in &names {
            sinks::ensure_free(&self.dir, name)?;
        }
        for (n, name) in names.iter().enumerate() {
            std::fs::rename(self.dir.join(part_name(n + 1)), self.dir.join(name))?;
            self.listed[n].name = name.clone();
        }
        self.published = true;
        Ok(std::mem::take(&mut self.listed))
    }
}

impl Drop for Parts {
    fn drop(&mut self) {
        if !self.published {
            for n in 1..=self.listed.len() {
                let _ = std::fs::remove_file(self.dir.join(part_name(n)));
            }
        }
    }
}

impl Delivery {
    /// Called once the run has decided to write (past the leaver threshold); the earlier run's
    /// batches went when it started, so a run killed from here on leaves no batch at all.
    pub fn new(opts: &ConvertOptions) -> Result<Delivery, ConvertError> {
        let dir = opts.out_dir.clone();
        Ok(match (opts.format, opts.stdout) {
            (OutputFormat::Bulk, false) => {
                let writer = BulkWriter::new(opts.batch_size, opts.max_payload_bytes)
                    .map_err(|e| ConvertError::Options(e.to_string()))?;
                Delivery::Bulk {
                    writer,
                    parts: Parts { dir, listed: Vec::new(), published: false },
                }
            }
            (_, true) => Delivery::Ndjson {
                dir,
                out: Box::new(io::BufWriter::new(io::stdout().lock())),
                file: None,
            },
            (OutputFormat::Ndjson, false) => {
                let path = dir.join("users.ndjson");
                let f = sinks::AtomicFile::create(&path).map_err(out_err(&dir))?;
                Delivery::Ndjson { dir, out: Box::new(io::sink()), file: Some(f) }
            }
        })
    }

    pub fn push(&mut self, external_id: &str, doc: &[u8]) -> Result<(), DeliverError> {
        match self {
            Delivery::Bulk { writer, parts } => {
                match writer.push(external_id, doc) {
                    Ok(Some(batch)) => {
                        parts.write(&batch.bytes).map_err(out_err(&parts.dir))?;
                        writer.recycle(batch.bytes);
                    }
                    Ok(None) => {}
                    Err(e) => return Err(DeliverError::Oversize(e.to_string())),
                }
                Ok(())
            }
            Delivery::Ndjson { out, file, .. } => {
                let w: &mut dyn Write = match file {
                    Some(f) => f,
                    None => out,
                };
                w.write_all(doc).and_then(|_| w.write_all(b"\n")).map_err(|e| {
                    DeliverError::Fatal(ConvertError::Output { path: "output".into(), source: e })
                })
            }
        }
    }

    /// Moves the files into place; returns them (batches, or `users.ndjson`), in order.
    pub fn finish(self) -> Result<Vec<Listed>, ConvertError> {
        match self {
            Delivery::Bulk { mut writer, mut parts } => {
                let dir = parts.dir.clone();
                if let Some(batch) = writer.finish() {
                    parts.write(&batch.bytes).map_err(out_err(&dir))?;
                }
                parts.publish().map_err(out_err(&dir))
            }
            Delivery::Ndjson { dir, mut out, file } => {
                out.flush()
                    .map_err(|e| ConvertError::Output { path: "stdout".into(), source: e })?;
                match file {
                    Some(f) => Ok(vec![f.commit_listed().map_err(out_err(&dir))?]),
                    None => Ok(Vec::new()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &std::path::Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn opts(dir: &std::path::Path, format: OutputFormat) -> ConvertOptions {
        ConvertOptions { out_dir: dir.to_path_buf(), format, batch_size: 1, ..Default::default() }
    }

    fn push_two(d: &mut Delivery) {
        for id in ["1", "2"] {
            let doc = format!("{{\"externalId\":\"{id}\",\"active\":true}}");
            assert!(d.push(id, doc.as_bytes()).is_ok());
        }
    }

    #[test]
    fn batches_stay_hidden_until_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = Delivery::new(&opts(dir.path(), OutputFormat::Bulk)).unwrap();
        push_two(&mut d);
        // Mid-run (a kill -9 here): only hidden parts, nothing `upload --from` would read.
        assert_eq!(names(dir.path()), [".bulk-00001.json.part"]);
        let files = d.finish().unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(
            sinks::Listed::of_file(dir.path(), "bulk-00002.json").unwrap().as_ref(),
            Some(&files[1])
        );
        assert_eq!(names(dir.path()), ["bulk-00001.json", "bulk-00002.json"]);
        let first = std::fs::read_to_string(dir.path().join("bulk-00001.json")).unwrap();
        assert!(first.contains("\"1\""), "{first}");
    }

    #[test]
    fn a_run_that_stops_leaves_no_parts() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = Delivery::new(&opts(dir.path(), OutputFormat::Bulk)).unwrap();
        push_two(&mut d);
        drop(d);
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    }

    #[test]
    fn an_ndjson_run_lists_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = Delivery::new(&opts(dir.path(), OutputFormat::Ndjson)).unwrap();
        push_two(&mut d);
        let files = d.finish().unwrap();
        assert_eq!(names(dir.path()), ["users.ndjson"]);
        assert_eq!(files[0].name, "users.ndjson");
    }

    #[test]
    fn a_kept_file_at_a_batch_name_stops_publishing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(sinks::bulk_file_name(2)), b"mine").unwrap();
        let mut d = Delivery::new(&opts(dir.path(), OutputFormat::Bulk)).unwrap();
        push_two(&mut d);
        assert!(d.finish().is_err());
        assert_eq!(names(dir.path()), ["bulk-00002.json"]);
    }
}
