//! `hr2scim convert MAPPING INPUT --out DIR`: the main job.

use std::path::PathBuf;

use clap::Args;

use super::{exit, load_program, RunArgs};
use crate::input::InputArgs;
use crate::pipeline::{convert, ConvertOptions, EmptyStrings, OutputFormat};
use crate::scim::{ManagerCheck, OnDuplicate};

#[derive(Args, Debug)]
#[command(after_help = "\
Writes DIR/bulk-00001.json ... (SCIM BulkRequests of at most 50 users for Entra's bulkUpload),
DIR/rejects.csv (every row that did not become a user: its line, every reason, the original
fields) and DIR/summary.json. Files are created with mode 0600: they hold personal data.

Exit codes: 0 every row written; 2 some rows rejected (files still written); 1 nothing usable.

Example:
  hr2scim convert mappings/entra-inbound.map fixtures/hr-small.csv --out out/")]
pub struct ConvertArgs {
    /// The mapping file (.map).
    pub mapping: PathBuf,
    /// The HR export: CSV/TSV, xlsx, xlsm, xlsb, xls or ods; `-` reads CSV from standard input.
    pub input: String,
    /// Output directory (created if needed).
    #[arg(long, short, default_value = "out")]
    pub out: PathBuf,
    /// `bulk`: BulkRequest files; `ndjson`: one User per line in users.ndjson.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
    /// Stream users as NDJSON to standard output instead of files (rejects and summary still go to DIR).
    #[arg(long)]
    pub stdout: bool,
    /// Operations per BulkRequest (Entra accepts at most 50).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u16).range(1..=50))]
    pub batch_size: u16,
    /// Largest BulkRequest in bytes; a single user larger than this is rejected.
    #[arg(long, default_value_t = 1 << 20)]
    pub max_payload_bytes: usize,
    /// `omit` leaves attributes whose value is "" out; `send` sends "".
    #[arg(long, value_enum, default_value_t)]
    pub empty_strings: EmptyStrings,
    /// Rows sharing an externalId: `reject` all of them (default), keep the `first` or the `last`.
    #[arg(long, value_enum, default_value_t)]
    pub on_duplicate: OnDuplicate,
    /// Managers that are missing from the file, self-managers and cycles: `warn`, `reject` or `off`.
    #[arg(long, value_enum, default_value_t)]
    pub manager_check: ManagerCheck,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub input_args: InputArgs,
}

pub fn run(args: ConvertArgs) -> i32 {
    let Some(mut ctx) = load_program(&args.mapping, &args.input, &args.input_args, &args.run) else {
        return exit::FATAL;
    };
    let opts = ConvertOptions {
        out_dir: args.out.clone(),
        format: args.format,
        stdout: args.stdout,
        batch_size: args.batch_size as usize,
        max_payload_bytes: args.max_payload_bytes,
        empty_strings: args.empty_strings,
        on_duplicate: args.on_duplicate,
        manager_check: args.manager_check,
        chunk_rows: 4096,
        quiet: args.run.quiet,
    };
    let summary = match convert(&ctx.program, &ctx.env, ctx.source.as_mut(), &mut ctx.uniques, &opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FATAL;
        }
    };
    if !args.run.quiet {
        eprint!("{}", summary.human());
    }
    if summary.rejected > 0 {
        exit::PARTIAL
    } else {
        exit::OK
    }
}

/// The options `convert` uses by default (for snapshot tests and previews).
pub fn default_options(out_dir: std::path::PathBuf, quiet: bool) -> ConvertOptions {
    ConvertOptions {
        out_dir,
        format: OutputFormat::Bulk,
        stdout: false,
        batch_size: 50,
        max_payload_bytes: 1 << 20,
        empty_strings: EmptyStrings::Omit,
        on_duplicate: OnDuplicate::default(),
        manager_check: ManagerCheck::default(),
        chunk_rows: 4096,
        quiet,
    }
}
