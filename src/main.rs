//! The `hr2scim` binary: parse arguments, run the command, exit with its code.

#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    let cli = hr2scim::cli::Cli::parse();
    let code = hr2scim::cli::run(cli);
    std::process::exit(code);
}
