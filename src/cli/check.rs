//! `hr2scim check MAPPING [--input FILE | --columns A,B,C]`

use std::path::PathBuf;

use clap::Args;

use super::{exit, Format};
use crate::check::{check_file, CheckOptions};
use crate::diagnostics::{render, render_json, Diagnostic, SourceFile};

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The mapping file (.map) to check.
    pub mapping: PathBuf,
    /// Header names the input will have, comma-separated, to check `[Column]` references.
    #[arg(long, value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
    /// Do not treat a missing `active` mapping as an error.
    #[arg(long)]
    pub allow_missing_active: bool,
    /// `text` (rustc-style, for people) or `json` (for editors and CI).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: CheckArgs) -> i32 {
    let name = args.mapping.display().to_string();
    let bytes = match std::fs::read(&args.mapping) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read mapping {name}: {e}");
            return exit::FATAL;
        }
    };
    let (text, diags) = match crate::syntax::decode(&bytes) {
        Ok(t) => {
            let opts = CheckOptions {
                headers: args.columns.clone(),
                allow_missing_active: args.allow_missing_active,
            };
            (t, check_file(t, &opts).diagnostics)
        }
        Err(d) => ("", vec![d]),
    };
    report(&name, text, &diags, args.format)
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
