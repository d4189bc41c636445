//! The command line: clap definitions and dispatch. Each subcommand lives in its own file and
//! returns the process exit code.

use clap::{Parser, Subcommand};

mod check;
mod eval;
mod functions;

/// Exit codes, documented in `--help` and the README.
pub mod exit {
    /// Everything succeeded.
    pub const OK: i32 = 0;
    /// Nothing usable: mapping errors, unreadable input, upload stopped.
    pub const FATAL: i32 = 1;
    /// Partial: some rows rejected (files still written) or some users failed.
    pub const PARTIAL: i32 = 2;
}

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  nothing usable: mapping errors, unreadable input, a stopped upload, failing tests
  2  partial: some rows were rejected (the other files are still written)

The authoring loop:
  hr2scim check mapping.map --input hr.csv      # every mistake at once, with carets and hints
  hr2scim eval 'Join(\", \", [sn], [gn])' --set sn=Doe --set gn=John
  hr2scim functions Replace                    # what a function does, with examples";

/// hr2scim: HR exports (CSV, spreadsheets) to validated SCIM 2.0 users for Microsoft Entra
/// API-driven inbound provisioning, with mappings written in Entra's own expression language.
#[derive(Parser, Debug)]
#[command(name = "hr2scim", version, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a mapping file: syntax, functions, arguments, columns, targets. Reports every problem.
    Check(check::CheckArgs),
    /// Evaluate one expression offline and print its value as Entra renders it.
    Eval(eval::EvalArgs),
    /// List the built-in functions, or show one function's documentation and examples.
    Functions(functions::FunctionsArgs),
}

pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Check(a) => check::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Functions(a) => functions::run(a),
    }
}

/// `--format` for commands with machine-readable output.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Text,
    Json,
}
