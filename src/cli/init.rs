//! `hr2scim init INPUT [--out mapping.map]`: a starter mapping from a real export;
//! `hr2scim init --profile [--out hr2scim.toml]`: a commented starter run profile.

use std::path::PathBuf;

use clap::Args;

use super::exit;
use super::input::InputArgs;
use crate::authoring::init::starter_mapping;
use crate::input::Item;

#[derive(Args, Debug)]
#[command(after_help = concat!("\
Reads the headers and the first rows, recognises common HR columns (ids, names, email, manager,
department, phones, address, status, dates) and writes a commented mapping with two test blocks.
The result passes `hr2scim check`; review it line by line before use.

With --profile (no INPUT): writes a commented starter run profile for `hr2scim run`; replace
each <...> with your value (`run` refuses the profile until you have).

", super::exit_codes_help!()))]
pub struct InitArgs {
    /// The HR export (CSV, spreadsheet, JSON) or an HTTP source file (.toml).
    #[arg(required_unless_present_any = ["source", "profile"])]
    pub input: Option<String>,
    /// Write a starter source file for an HR system's API (bamboohr, adp, oracle-hcm, workday,
    /// successfactors) as NAME.toml next to --out (or in the current directory), and a starter
    /// mapping from the vendor's field names.
    #[arg(long, value_name = "NAME", conflicts_with = "input")]
    pub source: Option<String>,
    /// Write a starter run profile (hr2scim.toml) for `hr2scim run` instead of a mapping.
    #[arg(long, conflicts_with_all = ["input", "source"])]
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
    if args.profile {
        return write_profile(&args);
    }
    let Some(input) = args.input.clone() else {
        return preset(&args);
    };
    let opened = args
        .input_args
        .options()
        .map_err(Into::into)
        .and_then(|o| crate::source::open_input(&input, &o, None, &|_, _| {}));
    let mut opened = match opened {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FATAL;
        }
    };
    let source = &mut opened.source;
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
    let name = std::path::Path::new(&input).file_name().and_then(|n| n.to_str()).unwrap_or(&input);
    let text = starter_mapping(name, &headers, &samples);
    write_mapping(&args, &text, headers.len(), &input)
}

/// `init --source NAME`: the vendor's source file and a starter mapping from its field names.
fn preset(args: &InitArgs) -> i32 {
    let name = args.source.as_deref().unwrap_or_default();
    let Some(p) = crate::source::presets::find(name) else {
        let known: Vec<&str> = crate::source::presets::PRESETS.iter().map(|p| p.name).collect();
        eprintln!("error: no preset '{name}'; presets: {}", known.join(", "));
        return exit::FATAL;
    };
    let dir = args.out.as_deref().and_then(|o| o.parent()).unwrap_or(std::path::Path::new(""));
    let source_file = dir.join(format!("{}.toml", p.name));
    if source_file.exists() && !args.force {
        eprintln!("error: {} exists; pass --force to overwrite", source_file.display());
        return exit::FATAL;
    }
    if let Err(e) = crate::sinks::write_atomic(&source_file, p.source_file().as_bytes()) {
        eprintln!("error: cannot write {}: {e}", source_file.display());
        return exit::FATAL;
    }
    eprintln!("wrote {} ({}): set the values marked `# SET`", source_file.display(), p.title);
    let headers: Vec<String> = p.columns.iter().map(|c| c.to_string()).collect();
    let text = starter_mapping(&format!("{} records", p.title), &headers, &[]);
    write_mapping(args, &text, headers.len(), &source_file.display().to_string())
}

fn write_mapping(args: &InitArgs, text: &str, columns: usize, input: &str) -> i32 {
    match &args.out {
        None => print!("{text}"),
        Some(p) => {
            if p.exists() && !args.force {
                eprintln!("error: {} exists; pass --force to overwrite", p.display());
                return exit::FATAL;
            }
            if let Err(e) = std::fs::write(p, text) {
                eprintln!("error: cannot write {}: {e}", p.display());
                return exit::FATAL;
            }
            eprintln!(
                "wrote {} ({} columns recognised); next: hr2scim check {} --input {}",
                p.display(),
                columns,
                p.display(),
                input
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
