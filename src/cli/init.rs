//! `hr2scim init INPUT [--out mapping.map]`: a starter mapping from a real export;
//! `hr2scim init --profile [--out hr2scim.toml]`: a commented starter run profile.

use std::path::PathBuf;

use clap::Args;

use super::exit;
use super::input::InputArgs;
use crate::authoring::init::starter_mapping;
use crate::input::{self, Item};

#[derive(Args, Debug)]
#[command(after_help = concat!("\
Reads the headers and the first rows, recognises common HR columns (ids, names, email, manager,
department, phones, address, status, dates) and writes a commented mapping with two test blocks.
The result passes `hr2scim check`; review it line by line before use.

With --profile (no INPUT): writes a commented starter run profile for `hr2scim run`; replace
each <...> with your value (`run` refuses the profile until you have).

", super::exit_codes_help!()))]
pub struct InitArgs {
    /// The HR export (CSV or spreadsheet).
    #[arg(required_unless_present = "profile", conflicts_with = "profile")]
    pub input: Option<String>,
    /// Write a starter run profile (hr2scim.toml) instead of a mapping.
    #[arg(long)]
    pub profile: bool,
    /// Where to write the mapping (default: standard output).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Overwrite --out if it exists.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub input_args: InputArgs,
}

pub fn run(args: InitArgs) -> i32 {
    let Some(input_path) = args.input.clone().filter(|_| !args.profile) else {
        return write_profile(&args);
    };
    let opened = args.input_args.options().and_then(|o| input::open(&input_path, &o));
    let mut source = match opened {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FATAL;
        }
    };
    let headers = source.headers().to_vec();
    let mut samples = Vec::new();
    while samples.len() < 200 {
        match source.next_item() {
            Ok(Some(Item::Row(r))) => {
                samples.push(r.record.iter().map(str::to_string).collect::<Vec<_>>())
            }
            Ok(Some(Item::Rejected(_))) => {}
            Ok(None) => break,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::FATAL;
            }
        }
    }
    let name = std::path::Path::new(&input_path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(&input_path);
    let text = starter_mapping(name, &headers, &samples);
    match &args.out {
        None => print!("{text}"),
        Some(p) => {
            if p.exists() && !args.force {
                eprintln!("error: {} exists; pass --force to overwrite", p.display());
                return exit::FATAL;
            }
            if let Err(e) = std::fs::write(p, &text) {
                eprintln!("error: cannot write {}: {e}", p.display());
                return exit::FATAL;
            }
            eprintln!(
                "wrote {} ({} columns recognised); next: hr2scim check {} --input {}",
                p.display(),
                headers.len(),
                p.display(),
                input_path
            );
        }
    }
    exit::OK
}

/// `init --profile`: the starter profile on standard output or into --out.
fn write_profile(args: &InitArgs) -> i32 {
    let text = crate::profile::STARTER;
    let Some(p) = &args.out else {
        print!("{text}");
        return exit::OK;
    };
    if p.exists() && !args.force {
        eprintln!("error: {} exists; pass --force to overwrite", p.display());
        return exit::FATAL;
    }
    if let Err(e) = crate::sinks::write_atomic(p, text.as_bytes()) {
        eprintln!("error: cannot write {}: {e}", p.display());
        return exit::FATAL;
    }
    eprintln!(
        "wrote {}; replace each <...> with your value, then: hr2scim run {} --dry-run",
        p.display(),
        p.display()
    );
    exit::OK
}
