//! The flags shared by the commands that run a mapping over an input, and the loading steps
//! that print what went wrong.

use std::path::Path;

use clap::Args;

use super::input::InputArgs;
use super::values::EmptyCellsArg;
use crate::check::Program;
use crate::eval::Env;
use crate::run::{self, Loaded, RunError, RunOptions};

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
    /// The Entra job's synchronization schema (from `hr2scim schema pull`): also check the
    /// mapping against it, as `hr2scim schema check` does; its errors stop the run.
    #[arg(long, value_name = "FILE")]
    pub job_schema: Option<std::path::PathBuf>,
}

impl RunArgs {
    /// The run's plain options, as a library caller or a profile would write them.
    pub fn options(&self) -> RunOptions {
        RunOptions {
            jobs: self.jobs,
            now: self.now,
            default_domain: self.default_domain.clone(),
            lenient_iif: self.lenient_iif,
            empty_cells: self.empty_cells.into(),
            existing: self.existing.clone(),
            allow_missing_active: self.allow_missing_active,
            quiet: self.quiet,
            job_schema: self.job_schema.clone(),
            job_schema_live: None,
            source_dir: None,
        }
    }

    pub fn env(&self) -> Env {
        self.options().env()
    }
}

/// Mapping diagnostics go to standard error as they are found.
pub fn print_report(rendered: &str) {
    say(rendered);
}

/// A message on standard error (a `message` event with `--log-format json`).
pub fn say(text: &str) {
    crate::upload::events::say(text);
}

/// Keeps this run's report, rejects and summary under `out/runs/` and prunes the oldest run
/// folders (`--keep-runs`). A failure is a warning: the run itself is done by then.
pub fn keep_run(out: &Path, started: chrono::DateTime<chrono::Utc>, keep: u32, quiet: bool) {
    match crate::sinks::keep_run(out, started, keep) {
        Ok(None) => {}
        Ok(Some(kept)) => {
            if !quiet {
                let removed = match kept.removed.len() {
                    0 => String::new(),
                    1 => " (removed the oldest run folder)".to_string(),
                    n => format!(" (removed the {n} oldest run folders)"),
                };
                say(&format!(
                    "this run's report, rejects and summary: {}{removed}",
                    kept.folder.display()
                ));
            }
            for (name, why) in kept.left {
                say(&format!(
                    "warning: run folder {} is older than the last {keep} but was left: {why}",
                    out.join(crate::sinks::runs::RUNS_DIR).join(name).display()
                ));
            }
        }
        Err(e) => say(&format!("warning: this run's copies were not kept under runs/: {e}")),
    }
}

/// Prints why a run stopped (diagnostics were already printed) and gives the exit code: 3 when
/// a guard stopped it before anything was sent, else 1.
pub fn fail(e: RunError) -> i32 {
    if !matches!(e, RunError::Mapping) {
        say(&format!("error: {e}"));
    }
    if e.is_guard() {
        crate::upload::events::emit("guard_stop", serde_json::json!({"reason": e.to_string()}));
        super::exit::GUARD
    } else {
        super::exit::FATAL
    }
}

/// Read and check a mapping against known headers; prints diagnostics (warnings too).
pub fn compile_mapping(
    path: &Path,
    headers: Option<Vec<String>>,
    run: &RunArgs,
) -> Option<Program> {
    run::compile_mapping(path, headers, &run.options(), &print_report).map_err(fail).ok()
}

/// Open the input, compile the mapping against its headers, prepare the environment; prints
/// what went wrong.
pub fn load_program(
    mapping: &Path,
    input_path: &str,
    input_args: &InputArgs,
    run: &RunArgs,
) -> Option<Loaded> {
    load_program_into(mapping, input_path, input_args, run, None)
}

/// [`load_program`], saving the records of an HTTP source (INPUT a `.toml` source file) in
/// `out` (the run's output directory); says what was read unless quiet.
pub fn load_program_into(
    mapping: &Path,
    input_path: &str,
    input_args: &InputArgs,
    run: &RunArgs,
    out: Option<&Path>,
) -> Option<Loaded> {
    let opts = match input_args.options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return None;
        }
    };
    let run_opts = run::RunOptions { source_dir: out.map(Path::to_path_buf), ..run.options() };
    let loaded =
        run::load(mapping, input_path, &opts, &run_opts, &print_report).map_err(fail).ok()?;
    if let (Some(f), false) = (&loaded.fetched, run.quiet) {
        say(&format!(
            "read {} records in {} pages ({} retries) from {input_path}; saved in {}",
            f.stats.records,
            f.stats.pages,
            f.stats.retries,
            f.saved.display()
        ));
    }
    Some(loaded)
}

/// Takes the output directory's lock for the whole run (one run at a time per directory);
/// prints a stale-lock warning (even with --quiet: a run died there), or why it is held and
/// gives exit code 3 (a guard: nothing sent).
pub fn lock_output(dir: &Path) -> Result<crate::sinks::RunLock, i32> {
    match crate::sinks::lock::lock_dir(dir) {
        Ok(lock) => {
            if let Some(w) = lock.stale_warning() {
                say(&w);
            }
            Ok(lock)
        }
        Err(e @ crate::sinks::LockError::Held { .. }) => {
            say(&format!("error: {e}"));
            crate::upload::events::emit("guard_stop", serde_json::json!({"reason": e.to_string()}));
            Err(super::exit::GUARD)
        }
        Err(e) => {
            say(&format!("error: {e}"));
            Err(super::exit::FATAL)
        }
    }
}
