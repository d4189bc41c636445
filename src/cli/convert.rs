//! `hr2scim convert MAPPING INPUT --out DIR`: the main job.

use std::path::PathBuf;

use clap::Args;

use super::common::{compile_mapping, Loaded};
use super::{exit, load_program, RunArgs};
use crate::eval::Env;
use crate::input::InputArgs;
use crate::pipeline::{convert, ConvertOptions, EmptyStrings, OutputFormat, Summary};
use crate::scim::{ManagerCheck, OnDuplicate};
use crate::state::{Delta, LeaverPolicy, LeaverTemplate, MaxLeavers, State};

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
    pub delta: DeltaArgs,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub input_args: InputArgs,
}

/// Delta runs: send only what changed since the last run recorded in a state file.
#[derive(Args, Debug, Clone)]
pub struct DeltaArgs {
    /// State file of the previous run: only new and changed users are written, and the file is
    /// updated (atomically) once the run has finished. Missing file = first run (everyone).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Users in the state but not in this export: `ignore` (report only) or `disable` (send
    /// `active: false` for each). Needs --state.
    #[arg(long, value_enum, default_value_t, requires = "state")]
    pub leavers: LeaverPolicy,
    /// Stop before writing anything when more leavers than this appear (a count, or a
    /// percentage of the previous run's users): a truncated export must not disable the company.
    #[arg(long, default_value = "5%", value_name = "N|P%")]
    pub max_leavers: MaxLeavers,
    /// Do not resend everyone when the mapping changed since the state was written.
    #[arg(long, requires = "state")]
    pub assume_mapping_unchanged: bool,
    /// A mapping whose targets are added to each leaver's disable document (it reads one column,
    /// [externalId]); `externalId` and `active: false` always win.
    #[arg(long, value_name = "MAPPING", requires = "state")]
    pub leaver_template: Option<PathBuf>,
}

/// Convert with the delta the arguments ask for; prints the error and gives the exit code when
/// the run stops.
pub fn run_conversion(
    ctx: &mut Loaded,
    opts: &ConvertOptions,
    delta_args: &DeltaArgs,
) -> Result<(Summary, Option<Delta>), i32> {
    let mut delta = delta_args.load(&ctx.program.hash, &ctx.env)?;
    match convert(
        &ctx.program,
        &ctx.env,
        ctx.source.as_mut(),
        &mut ctx.uniques,
        opts,
        delta.as_mut(),
    ) {
        Ok(s) => Ok((s, delta)),
        Err(e) => {
            eprintln!("error: {e}");
            Err(exit::FATAL)
        }
    }
}

impl DeltaArgs {
    /// Save the delta's state to `--state` (nothing without one).
    pub fn save(&self, delta: Option<Delta>, ctx: &Loaded) -> Result<(), i32> {
        let (Some(d), Some(path)) = (delta, &self.state) else { return Ok(()) };
        d.into_state().save(path, &ctx.program.hash, ctx.env.now).map_err(|e| {
            eprintln!("error: {e}");
            exit::FATAL
        })
    }

    /// Load the previous state and prepare the delta, or print why not.
    pub fn load(&self, mapping_hash: &str, env: &Env) -> Result<Option<Delta>, i32> {
        let Some(path) = &self.state else { return Ok(None) };
        let mut delta = match State::load(path) {
            Ok(s) => Delta::new(s, mapping_hash, self.assume_mapping_unchanged),
            Err(e) => {
                eprintln!("error: {e}");
                return Err(exit::FATAL);
            }
        };
        if let Some(t) = &self.leaver_template {
            let run = RunArgs { allow_missing_active: true, quiet: true, ..RunArgs::default() };
            let program = compile_mapping(t, Some(vec!["externalId".to_string()]), &run)
                .ok_or(exit::FATAL)?;
            delta.template = Some(LeaverTemplate { program, env: env.clone() });
        }
        Ok(Some(delta))
    }
}

pub fn run(args: ConvertArgs) -> i32 {
    let Some(mut ctx) = load_program(&args.mapping, &args.input, &args.input_args, &args.run)
    else {
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
        chunk_rows: crate::pipeline::CHUNK_ROWS,
        quiet: args.run.quiet,
        leavers: args.delta.leavers,
        max_leavers: args.delta.max_leavers,
    };
    let (summary, delta) = match run_conversion(&mut ctx, &opts, &args.delta) {
        Ok(done) => done,
        Err(code) => return code,
    };
    // Written only now that the run's outcome is known: a failed run keeps the old state.
    if let Err(code) = args.delta.save(delta, &ctx) {
        return code;
    }
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
        chunk_rows: crate::pipeline::CHUNK_ROWS,
        quiet,
        leavers: LeaverPolicy::Ignore,
        max_leavers: MaxLeavers::Percent(5.0),
    }
}
