//! `hr2scim convert MAPPING INPUT --out DIR`: the main job.

use std::path::PathBuf;

use clap::Args;

use super::common::{fail, print_report};
use super::input::InputArgs;
use super::values::{
    EmptyStringsArg, LeaverPolicyArg, ManagerCheckArg, OnDuplicateArg, OutputFormatArg,
};
use super::{exit, RunArgs};
use crate::pipeline::ConvertOptions;
use crate::run::{self, DeltaOptions};
use crate::state::MaxLeavers;

#[derive(Args, Debug)]
#[command(after_help = concat!("\
Writes DIR/bulk-00001.json ... (SCIM BulkRequests of at most 50 users for Entra's bulkUpload),
DIR/rejects.csv (every row that did not become a user: its line, every reason, the original
fields) and DIR/summary.json. Files are created with mode 0600: they hold personal data.

With --state, only the users the next upload would send are written (new, changed, failed,
pending too long, leavers); the state file is read, never written: only an upload that the
target answered changes it (`hr2scim upload MAPPING INPUT --state FILE`).

", super::exit_codes_help!(), "

Example:
  hr2scim convert mappings/entra-inbound.map fixtures/hr-small.csv --out out/"))]
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
    pub format: OutputFormatArg,
    /// Stream users as NDJSON to standard output instead of files (rejects and summary still go to DIR).
    #[arg(long)]
    pub stdout: bool,
    /// Operations per BulkRequest (Entra accepts at most 50).
    #[arg(long, default_value_t = crate::scim::ENTRA_MAX_OPERATIONS as u16,
          value_parser = clap::value_parser!(u16).range(1..=crate::scim::ENTRA_MAX_OPERATIONS as i64))]
    pub batch_size: u16,
    /// Largest BulkRequest in bytes; a single user larger than this is rejected.
    #[arg(long, default_value_t = crate::scim::DEFAULT_MAX_PAYLOAD_BYTES)]
    pub max_payload_bytes: usize,
    /// `omit` leaves attributes whose value is "" out; `send` sends "".
    #[arg(long, value_enum, default_value_t)]
    pub empty_strings: EmptyStringsArg,
    /// Rows sharing an externalId: `reject` all of them (default), keep the `first` or the `last`.
    #[arg(long, value_enum, default_value_t)]
    pub on_duplicate: OnDuplicateArg,
    /// Managers that are missing from the file, self-managers and cycles: `warn`, `reject` or `off`.
    #[arg(long, value_enum, default_value_t)]
    pub manager_check: ManagerCheckArg,
    /// `html`: write DIR/report.html for the people who approve the run; `none`: no report.
    #[arg(long, value_enum, default_value_t)]
    pub report: super::values::ReportArg,
    /// Keep each run's report, rejects and summary in DIR/runs/<UTC start>/ and remove the
    /// oldest run folders beyond N (only those hr2scim made); 0 keeps no copies.
    #[arg(long, value_name = "N", default_value_t = crate::sinks::DEFAULT_KEEP_RUNS)]
    pub keep_runs: u32,
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
    /// Sync state: what was sent to the target and its outcome per user. Only new, changed and
    /// failed users (and those pending too long) are sent. `upload` updates it (atomically) at the
    /// end of the run; `convert` only reads it. Missing file = first run (everyone).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Users in the state but not in this export: `ignore` (report only) or `disable` (send
    /// `active: false` for each). Needs --state.
    #[arg(long, value_enum, default_value_t, requires = "state")]
    pub leavers: LeaverPolicyArg,
    /// Stop before sending anything (exit 3) when more leavers than this appear (a count, or a
    /// percentage of the users active in the state): a truncated export must not disable the
    /// company.
    #[arg(long, default_value_t = DeltaOptions::default().max_leavers, value_name = "N|P%")]
    pub max_leavers: MaxLeavers,
    /// Do not resend everyone when the mapping changed since the state was written.
    #[arg(long, requires = "state")]
    pub assume_mapping_unchanged: bool,
    /// A mapping whose targets are added to each leaver's disable document (it reads one column,
    /// [externalId]); `externalId` and `active: false` always win.
    #[arg(long, value_name = "MAPPING", requires = "state")]
    pub leaver_template: Option<PathBuf>,
    /// Send a user again when the provisioning logs still have no record of it this long after
    /// it was sent (below the logs' 30-day retention).
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = resend_age)]
    pub resend_pending_after: humantime::Duration,
}

/// `--resend-pending-after`: a duration below the provisioning logs' retention.
fn resend_age(s: &str) -> Result<humantime::Duration, String> {
    let d: humantime::Duration = s.parse().map_err(|e| format!("{e}"))?;
    if *d >= run::LOG_RETENTION {
        return Err("must be below 30 days, the provisioning logs' retention".into());
    }
    Ok(d)
}

impl DeltaArgs {
    /// The delta's plain options.
    pub fn options(&self) -> DeltaOptions {
        DeltaOptions {
            state: self.state.clone(),
            leavers: self.leavers.into(),
            max_leavers: self.max_leavers,
            assume_mapping_unchanged: self.assume_mapping_unchanged,
            leaver_template: self.leaver_template.clone(),
            resend_pending_after: self.resend_pending_after.into(),
        }
    }
}

impl ConvertArgs {
    /// The conversion's plain options.
    pub fn options(&self) -> ConvertOptions {
        let delta = self.delta.options();
        ConvertOptions {
            out_dir: self.out.clone(),
            format: self.format.into(),
            stdout: self.stdout,
            batch_size: self.batch_size as usize,
            max_payload_bytes: self.max_payload_bytes,
            empty_strings: self.empty_strings.into(),
            on_duplicate: self.on_duplicate.into(),
            manager_check: self.manager_check.into(),
            quiet: self.run.quiet,
            leavers: delta.leavers,
            max_leavers: delta.max_leavers,
            ..ConvertOptions::default()
        }
    }
}

pub fn run(args: ConvertArgs) -> i32 {
    let started = crate::clock::now();
    let _lock = match super::common::lock_output(&args.out) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let loaded = super::common::load_program_into(
        &args.mapping,
        &args.input,
        &args.input_args,
        &args.run,
        Some(&args.out),
    );
    let Some(mut ctx) = loaded else {
        return exit::FATAL;
    };
    let delta_opts = args.delta.options();
    let state = match run::load_state(&delta_opts) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    // The state is only read: it records what a target answered, and nothing was sent here.
    let (summary, mut delta) =
        match run::convert_with_state(&mut ctx, &args.options(), &delta_opts, state, &print_report)
        {
            Ok(done) => done,
            Err(e) => return fail(e),
        };
    if args.report == super::values::ReportArg::Html && !args.stdout {
        let leavers = delta.as_ref().map(|d| d.leavers()).unwrap_or_default();
        let changes = run::changes(delta.as_mut(), &delta_opts);
        let data = run::ReportData {
            command: "convert",
            converted: &summary,
            upload: None,
            leavers: &leavers,
            dry_run: false,
            changes: changes.as_ref(),
        };
        if let Err(e) = run::write_report(&args.out, &data) {
            super::common::say(&format!("warning: report.html not written: {e}"));
        }
    }
    super::common::keep_run(&args.out, started, args.keep_runs, args.run.quiet);
    if !args.run.quiet {
        eprint!("{}", summary.human());
        if let Some(p) = &delta_opts.state {
            eprintln!(
                "state {} not changed (convert never writes it; `upload MAPPING INPUT --state` records what the target took)",
                p.display()
            );
        }
    }
    if summary.rejected > 0 {
        exit::PARTIAL
    } else {
        exit::OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct C {
        #[command(flatten)]
        c: ConvertArgs,
    }

    #[test]
    fn bare_flags_are_the_core_defaults() {
        let args = C::parse_from(["c", "m.map", "hr.csv"]).c;
        assert_eq!(args.options(), ConvertOptions::default());
        assert_eq!(args.delta.options(), DeltaOptions::default());
        assert_eq!(args.run.options().existing, Vec::<String>::new());
    }
}
