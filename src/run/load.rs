//! Loading a run: open the input, compile the mapping against its headers, prepare the
//! environment and the SelectUniqueValue registries.

use std::path::Path;

use super::{Report, RunError, RunOptions};
use crate::check::{check_file, CheckOptions, Program};
use crate::diagnostics::{render, SourceFile};
use crate::eval::Env;
use crate::input::{self, InputOptions, Source};
use crate::pipeline::UniqueSet;

/// Everything a conversion reads from.
pub struct Loaded {
    pub program: Program,
    pub env: Env,
    pub source: Box<dyn Source>,
    pub uniques: UniqueSet,
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
    if let (Some(path), Some(program)) = (&run.job_schema, &checked.program) {
        let schema = crate::jobschema::load(path).map_err(RunError::Other)?;
        let job = crate::jobschema::select(&schema)
            .map_err(|e| RunError::Other(format!("{}: {e}", path.display())))?;
        checked.diagnostics.extend(crate::jobschema::check_against_job(program, &job));
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
    let source = input::open(input_path, input_options)?;
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
    Ok(Loaded { program, env: run.env(), source, uniques })
}
