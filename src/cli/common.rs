//! Options and loading steps shared by the commands that run a mapping over an input.

use std::path::Path;

use clap::Args;

use crate::check::{check_file, CheckOptions, Program};
use crate::diagnostics::{render, SourceFile};
use crate::eval::{EmptyCells, Env};
use crate::input::{self, InputArgs, Source};

#[derive(Args, Debug, Clone, Default)]
pub struct RunArgs {
    /// Threads that transform rows (default: all cores). With 2 or more, the main thread reads
    /// the input and writes the output alongside them; with 1, everything runs on one thread.
    /// Output is identical whatever the number.
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// The instant Now() returns for the whole run, RFC 3339 (default: the real clock).
    #[arg(long)]
    pub now: Option<chrono::DateTime<chrono::Utc>>,
    /// The tenant's default verified domain, for DefaultDomain().
    #[arg(long, env = "HR2SCIM_DEFAULT_DOMAIN")]
    pub default_domain: Option<String>,
    /// Evaluate IIF conditions over NULL/empty attributes instead of failing like Entra does.
    #[arg(long)]
    pub lenient_iif: bool,
    /// What an empty cell is: `null` (absent, the default: Entra's HR connectors drop empty
    /// attributes) or `empty` (the empty string, which Coalesce returns).
    #[arg(long, value_enum, default_value_t = EmptyCellsArg::Null)]
    pub empty_cells: EmptyCellsArg,
    /// Values that already exist in the directory, for SelectUniqueValue: TARGET=FILE, one value
    /// per line (repeatable), e.g. --existing userName=existing-upns.txt.
    #[arg(long, value_name = "TARGET=FILE")]
    pub existing: Vec<String>,
    /// Accept a mapping without `active` (omitting it has disabled real accounts).
    #[arg(long)]
    pub allow_missing_active: bool,
    /// No progress bar and no human summary.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EmptyCellsArg {
    #[default]
    Null,
    Empty,
}

pub struct Loaded {
    pub program: Program,
    pub env: Env,
    pub source: Box<dyn Source>,
    pub uniques: crate::pipeline::UniqueSet,
}

impl RunArgs {
    pub fn env(&self) -> Env {
        Env {
            now: self.now.unwrap_or_else(chrono::Utc::now),
            default_domain: self.default_domain.clone(),
            lenient_iif: self.lenient_iif,
            empty_cells: match self.empty_cells {
                EmptyCellsArg::Null => EmptyCells::Null,
                EmptyCellsArg::Empty => EmptyCells::Empty,
            },
        }
    }
}

/// Read and check a mapping against known headers; prints diagnostics (warnings too).
pub fn compile_mapping(
    path: &Path,
    headers: Option<Vec<String>>,
    run: &RunArgs,
) -> Option<Program> {
    let name = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read mapping {name}: {e}");
            return None;
        }
    };
    let text = match crate::syntax::decode(&bytes) {
        Ok(t) => t,
        Err(d) => {
            eprint!("{}", render(&SourceFile { name: &name, text: "" }, &[d]));
            return None;
        }
    };
    let checked =
        check_file(text, &CheckOptions { headers, allow_missing_active: run.allow_missing_active });
    if !checked.diagnostics.is_empty() && (checked.program.is_none() || !run.quiet) {
        eprint!("{}", render(&SourceFile { name: &name, text }, &checked.diagnostics));
    }
    checked.program
}

/// Open the input, compile the mapping against its headers, prepare the environment.
pub fn load_program(
    mapping: &Path,
    input_path: &str,
    input_args: &InputArgs,
    run: &RunArgs,
) -> Option<Loaded> {
    let opts = match input_args.options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return None;
        }
    };
    let source = match input::open(input_path, &opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return None;
        }
    };
    let program = compile_mapping(mapping, Some(source.headers().to_vec()), run)?;
    if let Some(j) = run.jobs {
        // Only the first call configures the global pool; later ones (tests) keep it.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(j.max(1)).build_global();
    }
    let mut uniques = crate::pipeline::UniqueSet::default();
    for spec in &run.existing {
        let Some((target, file)) = spec.split_once('=') else {
            eprintln!("error: --existing expects TARGET=FILE, got '{spec}'");
            return None;
        };
        let Some(t) = program
            .targets
            .iter()
            .find(|t| t.path.text == target || t.resolved.canonical == target)
        else {
            eprintln!("error: --existing names '{target}', which the mapping does not map");
            return None;
        };
        if !t.unique {
            eprintln!("warning: --existing {target}: the target is not a SelectUniqueValue; the file is not used");
        }
        if let Err(e) = uniques.for_target(&t.resolved.canonical).load_existing(Path::new(file)) {
            eprintln!("error: cannot read --existing file {file}: {e}");
            return None;
        }
    }
    Some(Loaded { program, env: run.env(), source, uniques })
}
