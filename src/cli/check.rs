//! `hr2scim check MAPPING [--input FILE | --columns A,B,C]`

use std::path::{Path, PathBuf};

use clap::Args;

use super::jobsource::{self, LiveJobArgs, LoadedJob};
use super::{exit, Format};
use crate::check::{check_file, CheckOptions};
use crate::diagnostics::{render, render_json, Diagnostic, SourceFile};

const CHECK_HELP: &str = "\
Every problem is reported in one run, rustc-style: a stable code (error[E010]), the file, line
and column, the source line with carets, and a hint. Warnings (W...) do not fail the check.

Exit codes: 0 no errors (warnings allowed), 1 errors found or the mapping is unreadable.

Examples:
  hr2scim check mapping.map --input hr.csv     # columns from the export's header row
  hr2scim check mapping.map --columns WorkerID,FirstName,LastName,Email,Status
  hr2scim check mapping.map --format json      # for editors and CI";

#[derive(Args, Debug)]
#[command(after_help = CHECK_HELP)]
pub struct CheckArgs {
    /// The mapping file (.map) to check.
    pub mapping: PathBuf,
    /// The HR export (CSV or spreadsheet) whose header row `[Column]` references must match.
    #[arg(long, value_name = "FILE", conflicts_with = "columns")]
    pub input: Option<String>,
    /// Header names the input will have, comma-separated, to check `[Column]` references
    /// (without --input or --columns, columns are not checked).
    #[arg(long, value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
    /// Do not treat a missing `active` mapping as an error.
    #[arg(long)]
    pub allow_missing_active: bool,
    /// `text` (rustc-style, for people) or `json` (for editors and CI).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// The Entra job's synchronization schema (from `hr2scim schema pull`): also check what the
    /// mapping sends against what the job defines and reads, as `hr2scim schema check` does.
    #[arg(long, value_name = "FILE")]
    pub job_schema: Option<PathBuf>,
    /// Under W072, list every attribute the job reads and the mapping never sends (by default
    /// only those whose job mapping has no default value).
    #[arg(long, short)]
    pub verbose: bool,
    #[command(flatten)]
    pub live: LiveJobArgs,
    #[command(flatten)]
    pub input_args: super::input::InputArgs,
}

pub fn run(args: CheckArgs) -> i32 {
    let headers = match &args.input {
        None => args.columns,
        Some(path) => {
            // A source file (.toml) is read whole: its columns are known only from the records.
            let opened = args
                .input_args
                .options()
                .map_err(Into::into)
                .and_then(|o| crate::source::open_input(path, &o, None, &|_, _| {}));
            match opened {
                Ok(src) => Some(src.source.headers().to_vec()),
                Err(e) => {
                    eprintln!("error: {e}");
                    return exit::FATAL;
                }
            }
        }
    };
    let opts = CheckOptions { headers, allow_missing_active: args.allow_missing_active };
    let job = match jobsource::load(args.job_schema.as_deref(), &args.live) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FATAL;
        }
    };
    // JSON is read by tools, which want every finding on its own.
    let verbose = args.verbose || matches!(args.format, Format::Json);
    check_with_headers(&args.mapping, opts, job.as_ref(), verbose, args.format)
}

/// Check the mapping at `path` (and, when given, against the job's schema), print the
/// diagnostics in `format`, and return the exit code (0 clean or warnings only, 1 errors).
pub fn check_with_headers(
    path: &Path,
    opts: CheckOptions,
    job: Option<&LoadedJob>,
    verbose: bool,
    format: Format,
) -> i32 {
    let view = match job.map(|j| crate::jobschema::select(&j.schema)).transpose() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {}: {e}", job.map(|j| j.origin.as_str()).unwrap_or_default());
            return exit::FATAL;
        }
    };
    let name = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read mapping {name}: {e}");
            return exit::FATAL;
        }
    };
    let (text, diags) = match crate::syntax::decode(&bytes) {
        Ok(t) => {
            let headers =
                opts.headers.map(|h| h.into_iter().map(|c| c.trim().to_string()).collect());
            let opts = CheckOptions { headers, ..opts };
            let checked = check_file(t, &opts);
            let mut diags = checked.diagnostics;
            if let (Some(view), Some(program)) = (&view, &checked.program) {
                diags.extend(crate::jobschema::check_against_job(program, view, verbose));
            }
            (t, diags)
        }
        Err(d) => ("", vec![d]),
    };
    report(&name, text, &diags, format)
}

/// Print diagnostics and return the exit code for them.
pub fn report(name: &str, text: &str, diags: &[Diagnostic], format: Format) -> i32 {
    let src = SourceFile { name, text };
    let errors = diags.iter().filter(|d| d.is_error()).count();
    match format {
        Format::Json => println!("{}", render_json(&src, diags)),
        Format::Text if diags.is_empty() => eprintln!("{name}: ok"),
        Format::Text => eprint!("{}", render(&src, diags)),
    }
    if errors > 0 {
        exit::FATAL
    } else {
        exit::OK
    }
}
