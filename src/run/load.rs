//! Loading a run: open the input, compile the mapping against its headers, prepare the
//! environment and the SelectUniqueValue registries.

use std::path::Path;

use super::{Report, RunError, RunOptions};
use crate::check::{check_file, CheckOptions, Program};
use crate::diagnostics::{render, SourceFile};
use crate::eval::Env;
use crate::input::{InputOptions, Source};
use crate::pipeline::UniqueSet;
use crate::source::{self, FetchStats};

/// Everything a conversion reads from.
pub struct Loaded {
    pub program: Program,
    pub env: Env,
    pub source: Box<dyn Source>,
    pub uniques: UniqueSet,
    /// When the input was an HTTP source file: what the read took, and where the records are.
    pub fetched: Option<Fetched>,
}

/// What reading an HTTP source gave: its counts, and the saved records (in a private temporary
/// directory, removed with this, when the command has no output directory).
pub struct Fetched {
    pub stats: FetchStats,
    pub saved: std::path::PathBuf,
    _opened: source::Opened,
}

/// Read and check a mapping against known headers. Its diagnostics go to `report` (warnings
/// only when not quiet, or when the mapping fails).
pub fn compile_mapping(
    path: &Path,
    headers: Option<Vec<String>>,
    run: &RunOptions,
    report: Report<'_>,
) -> Result<Program, RunError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| RunError::Other(format!("cannot read mapping {name}: {e}")))?;
    let text = match crate::syntax::decode(&bytes) {
        Ok(t) => t,
        Err(d) => {
            report(&render(&SourceFile { name: &name, text: "" }, &[d]));
            return Err(RunError::Mapping);
        }
    };
    let mut checked =
        check_file(text, &CheckOptions { headers, allow_missing_active: run.allow_missing_active });
    let job_schema = match (&checked.program, &run.job_schema, &run.job_schema_live) {
        (None, _, _) => None,
        (Some(_), Some(path), _) => Some((
            crate::jobschema::load(path).map_err(RunError::Other)?,
            path.display().to_string(),
        )),
        (Some(_), None, Some(target)) => {
            let schema = crate::upload::jobschema_api::fetch(target)
                .map_err(|e| RunError::Other(format!("cannot read the job's schema: {e}")))?;
            Some((schema, "the job's schema".to_string()))
        }
        (Some(_), None, None) => None,
    };
    if let (Some((schema, origin)), Some(program)) = (&job_schema, &checked.program) {
        let job = crate::jobschema::select(schema)
            .map_err(|e| RunError::Other(format!("{origin}: {e}")))?;
        checked.diagnostics.extend(crate::jobschema::check_against_job(program, &job, false));
        if checked.errors() > 0 {
            checked.program = None;
        }
    }
    if !checked.diagnostics.is_empty() && (checked.program.is_none() || !run.quiet) {
        report(&render(&SourceFile { name: &name, text }, &checked.diagnostics));
    }
    checked.program.ok_or(RunError::Mapping)
}

/// Open the input, compile the mapping against its headers, prepare the environment.
pub fn load(
    mapping: &Path,
    input_path: &str,
    input_options: &InputOptions,
    run: &RunOptions,
    report: Report<'_>,
) -> Result<Loaded, RunError> {
    let mut opened = open_input(input_path, input_options, run)?;
    let source = std::mem::replace(&mut opened.source, Box::new(NoRows));
    let fetched = opened.fetched.map(|stats| Fetched {
        stats,
        saved: opened.saved.clone().unwrap_or_default(),
        _opened: opened,
    });
    let program = compile_mapping(mapping, Some(source.headers().to_vec()), run, report)?;
    if let Some(j) = run.jobs {
        // Only the first call configures the global pool; later ones (tests) keep it.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(j.max(1)).build_global();
    }
    let mut uniques = UniqueSet::default();
    for spec in &run.existing {
        let Some((target, file)) = spec.split_once('=') else {
            return Err(RunError::Other(format!("--existing expects TARGET=FILE, got '{spec}'")));
        };
        let Some(t) = program
            .targets
            .iter()
            .find(|t| t.path.text == target || t.resolved.canonical == target)
        else {
            return Err(RunError::Other(format!(
                "--existing names '{target}', which the mapping does not map"
            )));
        };
        if !t.unique {
            report(&format!("warning: --existing {target}: the target is not a SelectUniqueValue; the file is not used\n"));
        }
        if let Err(e) = uniques.for_target(&t.resolved.canonical).load_existing(Path::new(file)) {
            return Err(RunError::Other(format!("cannot read --existing file {file}: {e}")));
        }
    }
    Ok(Loaded { program, env: run.env(), source, uniques, fetched })
}

/// The export, or an HTTP source file read into `run.source_dir` (with a progress line on a
/// terminal unless quiet).
fn open_input(
    input_path: &str,
    opts: &InputOptions,
    run: &RunOptions,
) -> Result<source::Opened, RunError> {
    let bar = (source::is_source_file(input_path)
        && !run.quiet
        && !crate::upload::events::json()
        && std::io::IsTerminal::is_terminal(&std::io::stderr()))
    .then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        pb.set_message(format!("{input_path}: reading page 1"));
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        pb
    });
    let progress = |pages: u64, records: u64| {
        if let Some(pb) = &bar {
            pb.set_message(format!("{input_path}: {pages} pages, {records} records"));
        }
    };
    let opened = source::open_input(input_path, opts, run.source_dir.as_deref(), &progress);
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    let opened = opened?;
    if let Some(stats) = &opened.fetched {
        crate::upload::events::emit(
            "source_read",
            serde_json::json!({
                "input": input_path,
                "pages": stats.pages,
                "records": stats.records,
                "retries": stats.retries,
                "saved": opened.saved.as_ref().map(|p| p.display().to_string()),
            }),
        );
    }
    Ok(opened)
}

/// Stands in for the source while it is moved out of [`source::Opened`].
struct NoRows;

impl Source for NoRows {
    fn headers(&self) -> &[String] {
        &[]
    }
    fn describe(&self) -> String {
        String::new()
    }
    fn row_names(&self) -> crate::input::RowNames {
        crate::input::RowNames::lines()
    }
    fn next_item(&mut self) -> Result<Option<crate::input::Item>, crate::input::InputError> {
        Ok(None)
    }
}
