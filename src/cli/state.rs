//! `hr2scim state show FILE` and `hr2scim state diff FILE MAPPING INPUT`: inspect delta state and
//! see what the next run would send, without writing or sending anything.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::common::{load_program, RunArgs};
use super::input::InputArgs;
use super::{exit, Format};
use crate::pipeline::convert;
use crate::state::{LeaverPolicy, MaxLeavers, State};

#[derive(Args, Debug)]
pub struct StateArgs {
    #[command(subcommand)]
    pub command: StateCommand,
}

#[derive(Subcommand, Debug)]
pub enum StateCommand {
    /// Counts, last run and mapping hash of a state file.
    Show {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// What the next run would send (new, changed, leavers), by category, without sending.
    Diff(Box<DiffArgs>),
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    pub file: PathBuf,
    pub mapping: PathBuf,
    pub input: String,
    /// Treat a changed mapping as unchanged (as --assume-mapping-unchanged would).
    #[arg(long)]
    pub assume_mapping_unchanged: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub input_args: InputArgs,
}

pub fn run(args: StateArgs) -> i32 {
    match args.command {
        StateCommand::Show { file, format } => show(&file, format),
        StateCommand::Diff(d) => diff(*d),
    }
}

fn show(file: &std::path::Path, format: Format) -> i32 {
    if !file.exists() {
        eprintln!(
            "error: no state file at {} (the first run with --state creates it)",
            file.display()
        );
        return exit::FATAL;
    }
    let state = match State::load(file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FATAL;
        }
    };
    let h = state.header.clone();
    match format {
        Format::Json => println!(
            "{}",
            serde_json::json!({
                "file": file.display().to_string(),
                "users": state.users.len(),
                "run_at": h.as_ref().map(|h| h.run_at.clone()),
                "mapping_hash": h.as_ref().map(|h| h.mapping_hash.clone()),
            })
        ),
        Format::Text => {
            println!("{}", file.display());
            println!("  users:        {}", state.users.len());
            if let Some(h) = h {
                println!("  last run:     {}", h.run_at);
                println!("  mapping hash: {}", h.mapping_hash);
            }
        }
    }
    exit::OK
}

fn diff(mut args: DiffArgs) -> i32 {
    args.run.quiet = true;
    let Some(mut ctx) = load_program(&args.mapping, &args.input, &args.input_args, &args.run)
    else {
        return exit::FATAL;
    };
    let previous = match State::load(&args.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FATAL;
        }
    };
    let mut delta =
        crate::state::Delta::new(previous, &ctx.program.hash, args.assume_mapping_unchanged);
    delta.record = Some(Vec::new());
    let Ok(tmp) = tempfile::tempdir() else {
        eprintln!("error: cannot create a temporary directory");
        return exit::FATAL;
    };
    let opts = crate::pipeline::ConvertOptions {
        out_dir: tmp.path().to_path_buf(),
        quiet: true,
        leavers: LeaverPolicy::Ignore,
        max_leavers: MaxLeavers::Percent(100.0),
        ..Default::default()
    };
    if let Err(e) = convert(
        &ctx.program,
        &ctx.env,
        ctx.source.as_mut(),
        &mut ctx.uniques,
        &opts,
        Some(&mut delta),
    ) {
        eprintln!("error: {e}");
        return exit::FATAL;
    }
    let leavers = delta.leavers();
    let changes = delta.record.take().unwrap_or_default();
    let c = &delta.counts;
    match args.format {
        Format::Json => {
            let list = |k: &str| {
                changes
                    .iter()
                    .filter(|(_, x)| *x == k)
                    .map(|(id, _)| id.clone())
                    .collect::<Vec<_>>()
            };
            println!(
                "{}",
                serde_json::json!({
                    "new": list("new"), "changed": list("changed"), "unchanged": c.unchanged,
                    "leavers": leavers, "mapping_changed": c.mapping_changed,
                })
            );
        }
        Format::Text => {
            println!(
                "next run: {} new, {} changed, {} unchanged, {} leaver(s)",
                c.new,
                c.changed,
                c.unchanged,
                leavers.len()
            );
            if c.mapping_changed {
                println!("  the mapping changed since the state was written: everyone is resent (--assume-mapping-unchanged to avoid)");
            }
            for (id, kind) in changes.iter().take(50) {
                println!("  {kind:<8} {id}");
            }
            if changes.len() > 50 {
                println!("  ... {} more", changes.len() - 50);
            }
            for id in leavers.iter().take(50) {
                println!("  leaver   {id}");
            }
        }
    }
    exit::OK
}
