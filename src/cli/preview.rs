//! `hr2scim preview MAPPING INPUT`: a dry run a person can read; `--explain TARGET` shows why a
//! value came out. Nothing is written and nothing is sent.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use super::common::{load_program, RunArgs};
use super::exit;
use super::input::InputArgs;
use crate::authoring::explain::render_trace;
use crate::authoring::preview::{preview, render_table, Selection};
use crate::eval::RowRef;
use crate::input::Item;

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PreviewFormat {
    /// One block per row, one line per target: value, source columns, markers
    /// (∅ NULL/omitted, - flow ignored, ✗ error, # redacted, ! object skipped).
    #[default]
    Table,
    /// Machine-readable per-target results.
    Json,
    /// The exact SCIM User JSON that convert would send.
    Scim,
}

#[derive(Args, Debug)]
#[command(after_help = concat!("\
Examples:
  hr2scim preview mappings/entra-inbound.map fixtures/hr-small.csv --rows 3
  hr2scim preview mappings/entra-inbound.map fixtures/hr-small.csv --where WorkerID=100004 --format scim
  hr2scim preview mappings/entra-inbound.map fixtures/hr-small.csv --row 5 --explain userName

Data checks (duplicate ids, managers) consider the whole file, as convert does.

", super::exit_codes_help!()))]
pub struct PreviewArgs {
    pub mapping: PathBuf,
    pub input: String,
    /// Show the first N rows (default 5).
    #[arg(long, conflicts_with_all = ["row", "where_"])]
    pub rows: Option<usize>,
    /// Show the row at this line (CSV line or sheet row, as rejects.csv reports it).
    #[arg(long)]
    pub row: Option<u64>,
    /// Show rows whose column equals a value: --where WorkerID=1001.
    #[arg(long = "where", id = "where_", value_name = "COL=VALUE")]
    pub where_: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: PreviewFormat,
    /// Print the evaluation tree of one target (needs --row or --where).
    #[arg(long, value_name = "TARGET")]
    pub explain: Option<String>,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub input_args: InputArgs,
}

pub fn run(args: PreviewArgs) -> i32 {
    let sel = match (&args.row, &args.where_) {
        (Some(l), _) => Selection::Line(*l),
        (_, Some(w)) => match w.split_once('=') {
            Some((c, v)) => Selection::Where(c.to_string(), v.to_string()),
            None => {
                eprintln!("error: --where expects COL=VALUE");
                return exit::FATAL;
            }
        },
        _ => Selection::First(args.rows.unwrap_or(5)),
    };
    let mut run = args.run.clone();
    run.quiet = true;
    let Some(mut ctx) = load_program(&args.mapping, &args.input, &args.input_args, &run) else {
        return exit::FATAL;
    };
    if let Some(target) = &args.explain {
        return explain(&mut ctx, &sel, target);
    }
    let rows = match preview(&ctx.program, &ctx.env, ctx.source.as_mut(), &sel) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FATAL;
        }
    };
    match args.format {
        PreviewFormat::Table => {
            let out = std::io::stdout();
            let width = terminal_size::terminal_size().map(|(w, _)| w.0 as usize).unwrap_or(100);
            print!("{}", render_table(&rows, width, out.is_terminal()));
        }
        PreviewFormat::Json => {
            println!("{}", serde_json::to_string_pretty(&rows).unwrap_or_default())
        }
        PreviewFormat::Scim => {
            let docs: Vec<_> = rows.iter().filter_map(|r| r.scim.clone()).collect();
            println!("{}", serde_json::to_string_pretty(&docs).unwrap_or_default());
        }
    }
    if rows.is_empty() {
        exit::FATAL
    } else {
        exit::OK
    }
}

fn explain(ctx: &mut crate::run::Loaded, sel: &Selection, target: &str) -> i32 {
    let program = &ctx.program;
    let Some(ti) = program
        .targets
        .iter()
        .position(|t| t.path.text == target || t.resolved.canonical == target)
    else {
        let names: Vec<&str> = program.targets.iter().map(|t| t.path.text.as_str()).collect();
        let hint = crate::diagnostics::did_you_mean(target, names.iter().copied())
            .map(|s| format!(" (did you mean '{s}'?)"))
            .unwrap_or_default();
        eprintln!("error: the mapping has no target '{target}'{hint}");
        return exit::FATAL;
    };
    loop {
        let item = match ctx.source.next_item() {
            Ok(Some(i)) => i,
            Ok(None) => break,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::FATAL;
            }
        };
        let Item::Row(row) = item else { continue };
        let hit = match sel {
            Selection::Line(l) => row.line == *l,
            Selection::Where(c, v) => {
                program.column_index(c).and_then(|i| row.record.get(i)).is_some_and(|x| x == v)
            }
            Selection::First(_) => true,
        };
        if !hit {
            continue;
        }
        let (_, trace) = program.explain(&ctx.env, RowRef::Record(&row.record), ti);
        println!("{} {}", ctx.source.position(row.line), target);
        print!("{}", render_trace(&trace));
        return exit::OK;
    }
    eprintln!("error: no row matched the selection");
    exit::FATAL
}
