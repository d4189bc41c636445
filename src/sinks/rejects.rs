//! `rejects.csv`: every row that did not become a user, with its position, every reason, and the
//! original fields, so nothing is lost and the file can be fixed and fed back. Every cell goes
//! through [`neutralise`]: the file is opened in Excel, and its values are the employees' own.

use std::io;
use std::path::Path;

use super::csv_cell::neutralise;
use super::{AtomicFile, Listed};

pub struct RejectsWriter {
    w: csv::Writer<AtomicFile>,
    pub count: usize,
}

impl RejectsWriter {
    /// Columns: `line`, `reasons` (joined with " | "), then the input's own headers.
    pub fn create(path: &Path, headers: &[String]) -> io::Result<RejectsWriter> {
        let mut w = csv::WriterBuilder::new().flexible(true).from_writer(AtomicFile::create(path)?);
        let mut head = vec!["line".to_string(), "reasons".to_string()];
        // The export's own headers are outside data too.
        head.extend(headers.iter().map(|h| neutralise(h).into_owned()));
        w.write_record(&head)?;
        Ok(RejectsWriter { w, count: 0 })
    }

    pub fn write<'a>(
        &mut self,
        position: &str,
        reasons: &[String],
        fields: impl IntoIterator<Item = &'a str>,
    ) -> io::Result<()> {
        let joined = reasons.join(" | ");
        let mut rec = csv::StringRecord::new();
        rec.push_field(position);
        // Reasons quote values.
        rec.push_field(&neutralise(&joined));
        for f in fields {
            rec.push_field(&neutralise(f));
        }
        self.w.write_record(&rec)?;
        self.count += 1;
        Ok(())
    }

    /// Moves the file into place; returns what was written, for the manifest.
    pub fn finish(self) -> io::Result<Listed> {
        let inner = self.w.into_inner().map_err(|e| io::Error::other(e.to_string()))?;
        inner.commit_listed()
    }
}
