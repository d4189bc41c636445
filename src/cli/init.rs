//! `hr2scim init INPUT [--out mapping.map]`: a starter mapping from a real export.

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

", super::exit_codes_help!()))]
pub struct InitArgs {
    /// The HR export (CSV or spreadsheet).
    pub input: String,
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
    let opened = args.input_args.options().and_then(|o| input::open(&args.input, &o));
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
    let name = std::path::Path::new(&args.input)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(&args.input);
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
                args.input
            );
        }
    }
    exit::OK
}
