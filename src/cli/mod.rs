//! The command line: clap definitions and dispatch. Each subcommand lives in its own file and
//! returns the process exit code.

use clap::{Parser, Subcommand};

/// The exit codes every command shares (the scheduler's contract), as a literal for each
/// command's `after_help` (`concat!` takes only literals).
macro_rules! exit_codes_help {
    () => {
        "Exit codes:
  0  done
  2  partial: some rows were rejected, or some users or batches failed (the rest is done)
  3  stopped by a guard before anything was sent: leaver threshold, lock held by another run,
     daily quota used up
  1  anything else: mapping errors, unreadable input or state, a stopped upload, failing tests"
    };
}
pub(crate) use exit_codes_help;

mod check;
mod common;
mod convert;
mod daily;
mod docs;
mod eval;
mod functions;
mod init;
mod input;
mod jobsource;
mod preview;
mod schema;
mod simulate;
mod state;
mod target;
mod test;
mod upload;
mod values;

pub use common::{load_program, RunArgs};
pub use input::InputArgs;
pub use target::{LogsArgs, TargetArgs};

/// Exit codes, documented in `--help` and the README.
pub mod exit {
    /// Everything succeeded.
    pub const OK: i32 = 0;
    /// Nothing usable: mapping errors, unreadable input, upload stopped.
    pub const FATAL: i32 = 1;
    /// Partial: some rows rejected (files still written) or some users failed.
    pub const PARTIAL: i32 = 2;
    /// Stopped by a guard before anything was sent: leaver threshold, another run holding the
    /// lock, daily quota exhausted. Rerun later (or fix the cause); nothing needs repair.
    pub const GUARD: i32 = 3;
}

const AFTER_HELP: &str = concat!(
    exit_codes_help!(),
    "\n",
    "
The authoring loop:
  hr2scim init hr.csv --out mapping.map         # a starter mapping from your export
  hr2scim check mapping.map --input hr.csv      # every mistake at once, with carets and hints
  hr2scim preview mapping.map hr.csv --rows 3   # what the first rows become, target by target
  hr2scim test mapping.map                      # the test blocks in the mapping
  hr2scim convert mapping.map hr.csv --out out/ # SCIM BulkRequests, rejects.csv, summary.json
  hr2scim eval 'Join(\", \", [sn], [gn])' --set sn=Doe --set gn=John
  hr2scim functions Replace                    # what a function does, with examples

Every day (a scheduler):
  hr2scim init --profile --out hr2scim.toml     # a commented run profile; fill in the <...>
  hr2scim run hr2scim.toml --dry-run            # everything but sending
  hr2scim run hr2scim.toml                      # reconcile, convert, guard, send, confirm"
);

/// hr2scim: HR exports (CSV, spreadsheets) to validated SCIM 2.0 users for Microsoft Entra
/// API-driven inbound provisioning, with mappings written in Entra's own expression language.
#[derive(Parser, Debug)]
#[command(name = "hr2scim", version, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// How events go to standard error: `text` for people, `json` for log collectors (one
    /// object per line: run_start, batch, retry, throttle, guard_stop, summary, message).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// `--log-format`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Convert an HR export into SCIM BulkRequest files (the main job).
    Convert(Box<convert::ConvertArgs>),
    /// Check a mapping file: syntax, functions, arguments, columns, targets. Reports every problem.
    Check(Box<check::CheckArgs>),
    /// Show what a mapping makes of some rows, target by target; nothing is written or sent.
    Preview(Box<preview::PreviewArgs>),
    /// Run the test blocks of mappings, or a snapshot test of a whole conversion.
    Test(Box<test::TestArgs>),
    /// Write a starter mapping from an export's headers and first rows.
    Init(init::InitArgs),
    /// Convert and send to Entra's bulkUpload (or any SCIM server), paced, journaled, resumable.
    Upload(Box<upload::UploadArgs>),
    /// The daily run from a profile (hr2scim.toml): reconcile, convert, guard, send, confirm.
    Run(Box<daily::DailyArgs>),
    /// Provisioning logs of the Entra job: counts, failures, `--wait` for the last upload.
    Logs(Box<target::LogsArgs>),
    /// Inspect delta state, and see what the next run would send.
    State(state::StateArgs),
    /// Evaluate one expression offline and print its value as Entra renders it.
    Eval(eval::EvalArgs),
    /// List the built-in functions, or show one function's documentation and examples.
    Functions(functions::FunctionsArgs),
    /// The Entra job's synchronization schema: check a mapping against it, pull it, push the
    /// attributes the mapping sends and the job lacks.
    Schema(schema::SchemaArgs),
    /// What the Entra job will make of each user: scope, matching, every attribute mapping, and
    /// what will fail in the directory. Offline, on a saved job schema.
    Simulate(Box<simulate::SimulateArgs>),
    /// Shell completions (bash, zsh, fish, powershell), generated from these definitions.
    Completions(docs::CompletionsArgs),
    /// The manual page (or, with --out DIR, one page per command).
    Man(docs::ManArgs),
}

/// The binary's entry: parse the process's arguments, run the command, give its exit code.
/// `run` needs to know which flags were given (they override its profile), which only the
/// parsed matches say.
pub fn main() -> i32 {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().get_matches();
    let mut cli =
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut Cli::command()).exit());
    if let (Command::Run(a), Some(("run", sub))) = (&mut cli.command, matches.subcommand()) {
        a.given = daily::Given::from_matches(sub);
    }
    run(cli)
}

pub fn run(cli: Cli) -> i32 {
    crate::upload::events::set_json(cli.log_format == LogFormat::Json);
    match cli.command {
        Command::Convert(a) => convert::run(*a),
        Command::Check(a) => check::run(*a),
        Command::Preview(a) => preview::run(*a),
        Command::Test(a) => test::run(*a),
        Command::Init(a) => init::run(a),
        Command::Upload(a) => upload::run(*a),
        Command::Run(a) => daily::run(*a),
        Command::Logs(a) => upload::logs(*a),
        Command::State(a) => state::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Functions(a) => functions::run(a),
        Command::Completions(a) => docs::completions(a),
        Command::Man(a) => docs::man(a),
        Command::Schema(a) => schema::run(a),
        Command::Simulate(a) => simulate::run(*a),
    }
}

/// `--format` for commands with machine-readable output.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Text,
    Json,
}
