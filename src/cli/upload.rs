//! `hr2scim upload MAPPING INPUT` (convert, then send) and `hr2scim upload --from DIR` (send what a
//! previous `convert` wrote), to Entra's bulkUpload or any SCIM server.

use std::path::PathBuf;

use clap::Args;

use super::common::{load_program, RunArgs};
use super::convert::{default_options, run_conversion, DeltaArgs};
use super::exit;
use crate::input::InputArgs;
use crate::upload::{
    self, batches_from_dir, cli_upload_from_dir, Batch, TargetArgs, UploadCliArgs,
};

#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  export AZURE_TENANT_ID=... AZURE_CLIENT_ID=... AZURE_CLIENT_SECRET=...
  hr2scim upload mappings/entra-inbound.map hr.csv --out run/ \\
      --endpoint 'https://graph.microsoft.com/beta/servicePrincipals/<id>/synchronization/jobs/<job>/bulkUpload'
  hr2scim upload --from run/ --service-principal <id> --job-id <job>     # resend what convert wrote
  hr2scim upload mappings/entra-inbound.map hr.csv --target scim --url https://scim.example/scim/v2
  hr2scim upload mappings/entra-inbound.map hr.csv --dry-run ...

Rows that fail validation are never sent (they go to DIR/rejects.csv). A journal in DIR/journal
records every batch before and after it is sent: rerun the same command after a crash, Ctrl-C or
network failure and accepted batches are skipped, the rest resent. Secrets come only from
AZURE_CLIENT_SECRET, --client-secret-file, certificates, token files or managed identity.

Exit codes: 0 everything sent and accepted; 2 some rows rejected or some users/batches failed;
1 nothing usable or the run stopped (quota, refusal, Ctrl-C: rerun to resume).")]
pub struct UploadArgs {
    /// The mapping file; with INPUT, converts and sends in one run.
    #[arg(requires = "input", conflicts_with = "from")]
    pub mapping: Option<PathBuf>,
    /// The HR export (CSV or spreadsheet).
    pub input: Option<String>,
    /// Send the BulkRequests a previous `hr2scim convert` wrote in DIR.
    #[arg(long, value_name = "DIR", required_unless_present = "mapping")]
    pub from: Option<PathBuf>,
    /// Where batches, rejects.csv, summary.json and the journal go (MAPPING INPUT mode).
    #[arg(long, short, default_value = "out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Print the upload summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// After sending, wait for the provisioning logs of every uploaded user (Entra).
    #[arg(long)]
    pub wait_for_logs: bool,
    #[command(flatten)]
    pub delta: DeltaArgs,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub input_args: InputArgs,
}

pub fn run(args: UploadArgs) -> i32 {
    if let Some(from) = args.from.clone() {
        if args.delta.state.is_some() {
            eprintln!(
                "error: --state needs MAPPING INPUT (it records what this run converts and sends)"
            );
            return exit::FATAL;
        }
        return cli_upload_from_dir(UploadCliArgs {
            from,
            target: args.target,
            json: args.json,
            quiet: args.run.quiet,
            wait_for_logs: args.wait_for_logs,
        });
    }
    let (Some(mapping), Some(input)) = (&args.mapping, &args.input) else {
        eprintln!("error: give MAPPING INPUT, or --from DIR");
        return exit::FATAL;
    };
    let Some(mut ctx) = load_program(mapping, input, &args.input_args, &args.run) else {
        return exit::FATAL;
    };
    let mut opts = default_options(args.out.clone(), args.run.quiet);
    opts.leavers = args.delta.leavers;
    opts.max_leavers = args.delta.max_leavers;
    let (converted, delta) = match run_conversion(&mut ctx, &opts, &args.delta) {
        Ok(done) => done,
        Err(code) => return code,
    };
    if !args.run.quiet {
        eprint!("{}", converted.human());
    }
    let convert_code = if converted.rejected > 0 { exit::PARTIAL } else { exit::OK };
    if converted.batches == 0 {
        eprintln!("nothing to send: no new, changed or leaving users");
        if args.json {
            println!(
                "{}",
                serde_json::json!({"batches_sent": 0, "users_sent": 0, "nothing_to_send": true})
            );
        }
        if let Err(code) = args.delta.save(delta, &ctx) {
            return code;
        }
        return convert_code;
    }
    // Batches are sent from the files just written: the journal keys them by content, so a rerun
    // of the same command after a crash converts identically and skips what was accepted.
    let batches = match batches_from_dir(&args.out) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FATAL;
        }
    };
    let journal = args.target.journal.clone().unwrap_or_else(|| args.out.join("journal"));
    let sent: Vec<Batch> = batches.clone();
    let summary = match upload::upload(
        Box::new(batches.into_iter().map(Ok)),
        &args.target,
        &journal,
        args.run.quiet,
    ) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FATAL;
        }
    };
    summary.print_human();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
    }
    let code = summary.exit_code();
    if summary.stopped.is_some() {
        let argv: Vec<String> = std::env::args().collect();
        eprintln!("resume with the same command: {}", argv.join(" "));
    }
    // The state records only what the target accepted; an interrupted or dry run keeps the
    // previous state, so the next run resends whatever was not confirmed.
    if let Some(mut d) = delta.filter(|_| summary.stopped.is_none() && !args.target.dry_run) {
        let accepted = upload::accepted_hashes(&journal, &summary.target);
        for b in sent.iter().filter(|b| !accepted.contains(&b.hash())) {
            b.external_ids.iter().for_each(|id| d.revert(id));
        }
        summary.failed_users.iter().for_each(|f| d.revert(&f.external_id));
        if let Err(code) = args.delta.save(Some(d), &ctx) {
            return code;
        }
    }
    let code = if args.wait_for_logs && code != exit::FATAL && !args.target.dry_run {
        upload::wait_for_logs(&args.target, journal, code)
    } else {
        code
    };
    if code == exit::FATAL {
        exit::FATAL
    } else {
        code.max(convert_code)
    }
}

/// `hr2scim logs`.
pub fn logs(args: upload::LogsArgs) -> i32 {
    upload::cli_logs(args)
}
