//! `hr2scim upload MAPPING INPUT` (convert, then send) and `hr2scim upload --from DIR` (send what a
//! previous `convert` wrote), to Entra's bulkUpload or any SCIM server.

use std::path::{Path, PathBuf};

use clap::Args;

use super::common::{fail, load_program, lock_output, print_report, RunArgs};
use super::convert::DeltaArgs;
use super::exit;
use super::input::InputArgs;
use super::target::{LogsArgs, TargetArgs};
use crate::pipeline::ConvertOptions;
use crate::run;
use crate::upload::{self, batches_from_dir, Batch, LogsQuery, UploadConfig};

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
network failure and the unfinished run is resumed (its accepted batches skipped, the rest
resent); a run that finished is never skipped again. One run at a time per DIR (a second one
stops with exit code 3, naming the holder). The daily quota and the pacing are the tenant's,
shared by every run on this machine (--quota-dir). Secrets come only from
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
    let target = match args.target.config() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FATAL;
        }
    };
    if let Some(from) = &args.from {
        if args.delta.state.is_some() {
            eprintln!(
                "error: --state needs MAPPING INPUT (it records what this run converts and sends)"
            );
            return exit::FATAL;
        }
        let _lock = match lock_output(from) {
            Ok(l) => l,
            Err(code) => return code,
        };
        return upload_from_dir(from, &target, args.json, args.run.quiet, args.wait_for_logs);
    }
    let _lock = match lock_output(&args.out) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let (Some(mapping), Some(input)) = (&args.mapping, &args.input) else {
        eprintln!("error: give MAPPING INPUT, or --from DIR");
        return exit::FATAL;
    };
    let Some(mut ctx) = load_program(mapping, input, &args.input_args, &args.run) else {
        return exit::FATAL;
    };
    let delta_opts = args.delta.options();
    let opts =
        ConvertOptions { out_dir: args.out.clone(), quiet: args.run.quiet, ..Default::default() };
    let (converted, delta) =
        match run::convert_with_state(&mut ctx, &opts, &delta_opts, &print_report) {
            Ok(done) => done,
            Err(e) => return fail(e),
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
        if let Err(e) = run::save_state(&delta_opts, delta, &ctx) {
            return fail(e);
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
    let journal = target.journal.clone().unwrap_or_else(|| args.out.join("journal"));
    let sent: Vec<Batch> = batches.clone();
    let summary = match upload::upload(
        Box::new(batches.into_iter().map(Ok)),
        &target,
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
    if let Some(mut d) = delta.filter(|_| summary.stopped.is_none() && !target.dry_run) {
        let accepted = upload::accepted_hashes(&journal, &summary.target);
        run::settle_upload(&mut d, &sent, &accepted, &summary);
        if let Err(e) = run::save_state(&delta_opts, Some(d), &ctx) {
            return fail(e);
        }
    }
    let code = if args.wait_for_logs && code != exit::FATAL && !target.dry_run {
        wait_for_logs(&target, journal, code)
    } else {
        code
    };
    if code == exit::FATAL {
        exit::FATAL
    } else {
        code.max(convert_code)
    }
}

/// `hr2scim upload --from DIR`: send what a previous `convert` wrote; prints the outcome and
/// returns the exit code (0, 1 or 2).
fn upload_from_dir(
    from: &Path,
    target: &UploadConfig,
    json: bool,
    quiet: bool,
    wait_logs: bool,
) -> i32 {
    let journal = target.journal.clone().unwrap_or_else(|| from.join("journal"));
    let batches = match batches_from_dir(from) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FATAL;
        }
    };
    let summary =
        match upload::upload(Box::new(batches.into_iter().map(Ok)), target, &journal, quiet) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::FATAL;
            }
        };
    summary.print_human();
    if summary.stopped.is_some() {
        // argv never holds a secret (secrets come only from env vars and files), so it is safe
        // to echo back as the command that resumes.
        let argv: Vec<String> = std::env::args().map(|a| shell_quote(&a)).collect();
        eprintln!("resume with: {}", argv.join(" "));
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
    }
    let code = summary.exit_code();
    if wait_logs && code != exit::FATAL && !target.dry_run {
        return wait_for_logs(target, journal, code);
    }
    code
}

/// `--wait-for-logs`: poll the provisioning logs until every user of the last upload (from the
/// journal) has a record, print the outcome per user, and fold it into the exit code.
fn wait_for_logs(target: &UploadConfig, journal: PathBuf, code: i32) -> i32 {
    let logs = LogsQuery { wait: true, ..LogsQuery::new(target.clone().with_journal(journal)) };
    match upload::run_logs(&logs) {
        Ok(c) => c.max(code),
        Err(e) => {
            eprintln!("error: {e}");
            exit::FATAL
        }
    }
}

/// `hr2scim logs`: prints errors and returns the exit code.
pub fn logs(args: LogsArgs) -> i32 {
    args.query().and_then(|q| upload::run_logs(&q)).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        exit::FATAL
    })
}

fn shell_quote(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c);
    if !arg.is_empty() && arg.chars().all(plain) {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn arguments_are_quoted_for_a_shell() {
        assert_eq!(super::shell_quote("--from"), "--from");
        assert_eq!(super::shell_quote("my dir"), "'my dir'");
        assert_eq!(super::shell_quote("it's"), r"'it'\''s'");
        assert_eq!(super::shell_quote(""), "''");
    }
}
