//! HTTP sources: HR records read from a REST/JSON API described by a TOML source file, saved
//! as NDJSON in the output directory, then read like any NDJSON export.
//!
//! Reading is all or nothing: every page must arrive (with bounded retries) within the limits,
//! or the run stops with exit 1 before a single row is converted, sent or taken for a leaver,
//! since a truncated read would disable everyone not read. The saved file (0600, written
//! atomically, kept only when the read completed) is what rejects and previews point at, and
//! what a later run can be given offline.

mod fetch;
pub mod presets;
pub mod spec;

use std::path::{Path, PathBuf};

use crate::input::{self, InputOptions, Source};

pub use fetch::Progress;
pub use spec::SourceSpec;

/// The name of the saved records in the output directory.
pub const SAVED_RECORDS: &str = "source-records.ndjson";

/// What a read did, for summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct FetchStats {
    pub pages: u64,
    pub records: u64,
    pub retries: u64,
}

/// Why an HTTP source could not be read. Every message names the source file, and for pages
/// the page number and URL (without its query, which may hold a key).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Auth(String),
    #[error("{0}")]
    Server(String),
    #[error("{0}")]
    Transport(String),
    #[error("{0}")]
    BadResponse(String),
    #[error("{0}")]
    Paging(String),
    #[error("{0}")]
    Limit(String),
    #[error("cannot save the records read: {0}")]
    Output(String),
    #[error("{0}")]
    Input(#[from] crate::input::InputError),
}

/// Whether an input argument names a source file rather than an export.
pub fn is_source_file(input: &str) -> bool {
    Path::new(input).extension().is_some_and(|e| e.eq_ignore_ascii_case("toml"))
}

/// An opened input: an export, or the saved records of an HTTP source.
pub struct Opened {
    pub source: Box<dyn Source>,
    /// Set when the input was an HTTP source.
    pub fetched: Option<FetchStats>,
    /// Where the records read were saved.
    pub saved: Option<PathBuf>,
    /// A private directory holding the records when the command has no output directory;
    /// removed when this is dropped.
    _scratch: Option<tempfile::TempDir>,
}

/// Opens `input` as an export, or, when it is a source file (`.toml`), reads the API, saves
/// the records as NDJSON in `save_dir` (or a private temporary directory) and opens that.
pub fn open_input(
    input: &str,
    opts: &InputOptions,
    save_dir: Option<&Path>,
    progress: Progress<'_>,
) -> Result<Opened, SourceError> {
    if !is_source_file(input) {
        let source = input::open(input, opts)?;
        return Ok(Opened { source, fetched: None, saved: None, _scratch: None });
    }
    let spec = spec::load(Path::new(input))?;
    let (dir, scratch) = match save_dir {
        Some(d) => {
            std::fs::create_dir_all(d)
                .map_err(|e| SourceError::Output(format!("{}: {e}", d.display())))?;
            (d.to_path_buf(), None)
        }
        None => {
            let t = tempfile::tempdir().map_err(|e| SourceError::Output(e.to_string()))?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    let path = dir.join(SAVED_RECORDS);
    let stats = fetch_to(&spec, &path, progress)?;
    let mut ndjson_opts = opts.clone();
    // The path into each response was applied while reading; the saved file is one record a line.
    ndjson_opts.records_path = None;
    ndjson_opts.format = input::InputFormat::Ndjson;
    ndjson_opts.json_columns = spec.columns.clone();
    let source = input::open(&path.display().to_string(), &ndjson_opts)?;
    Ok(Opened { source, fetched: Some(stats), saved: Some(path), _scratch: scratch })
}

/// Reads every page of `spec` into `path` (NDJSON, 0600), which appears only if all arrived.
pub fn fetch_to(
    spec: &SourceSpec,
    path: &Path,
    progress: Progress<'_>,
) -> Result<FetchStats, SourceError> {
    let mut file = crate::sinks::AtomicFile::create(path)
        .map_err(|e| SourceError::Output(format!("{}: {e}", path.display())))?;
    let stats = fetch::fetch(spec, &mut file, progress)?;
    file.commit().map_err(|e| SourceError::Output(format!("{}: {e}", path.display())))?;
    Ok(stats)
}
