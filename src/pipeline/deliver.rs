//! Delivery, the second pass of delta, NDJSON and standard-output runs: the spooled users go to
//! batch files written one by one, an NDJSON file, or standard output.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::scim::BulkWriter;
use crate::sinks;

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
    Bulk { dir: PathBuf, writer: BulkWriter, files: usize },
    Ndjson { out: Box<dyn Write>, file: Option<sinks::AtomicFile> },
}

impl Delivery {
    pub fn new(opts: &ConvertOptions) -> Result<Delivery, ConvertError> {
        let dir = opts.out_dir.clone();
        Ok(match (opts.format, opts.stdout) {
            (OutputFormat::Bulk, false) => {
                let writer = BulkWriter::new(opts.batch_size, opts.max_payload_bytes)
                    .map_err(|e| ConvertError::Options(e.to_string()))?;
                Delivery::Bulk { dir, writer, files: 0 }
            }
            (_, true) => Delivery::Ndjson {
                out: Box::new(io::BufWriter::new(io::stdout().lock())),
                file: None,
            },
            (OutputFormat::Ndjson, false) => {
                let path = dir.join("users.ndjson");
                let f = sinks::AtomicFile::create(&path).map_err(out_err(&dir))?;
                Delivery::Ndjson { out: Box::new(io::sink()), file: Some(f) }
            }
        })
    }

    pub fn push(&mut self, external_id: &str, doc: &[u8]) -> Result<(), DeliverError> {
        match self {
            Delivery::Bulk { dir, writer, files } => {
                match writer.push(external_id, doc) {
                    Ok(Some(batch)) => {
                        *files += 1;
                        let path = dir.join(sinks::bulk_file_name(*files));
                        sinks::write_atomic(&path, &batch.bytes).map_err(out_err(dir))?;
                        writer.recycle(batch.bytes);
                    }
                    Ok(None) => {}
                    Err(e) => return Err(DeliverError::Oversize(e.to_string())),
                }
                Ok(())
            }
            Delivery::Ndjson { out, file } => {
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

    pub fn finish(self) -> Result<u64, ConvertError> {
        match self {
            Delivery::Bulk { dir, mut writer, mut files } => {
                if let Some(batch) = writer.finish() {
                    files += 1;
                    sinks::write_atomic(&dir.join(sinks::bulk_file_name(files)), &batch.bytes)
                        .map_err(out_err(&dir))?;
                }
                sinks::remove_stale_batches(&dir, files).map_err(out_err(&dir))?;
                Ok(files as u64)
            }
            Delivery::Ndjson { mut out, file } => {
                out.flush()
                    .map_err(|e| ConvertError::Output { path: "stdout".into(), source: e })?;
                if let Some(f) = file {
                    f.commit().map_err(|e| ConvertError::Output {
                        path: "users.ndjson".into(),
                        source: e,
                    })?;
                }
                Ok(0)
            }
        }
    }
}
