//! `hr2scim upload MAPPING INPUT` (convert, then send) and `hr2scim upload --from DIR` (send what a
//! previous `convert` wrote), to Entra's bulkUpload or any SCIM server.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use clap::Args;

use super::common::{fail, lock_output, print_report, say, RunArgs};
use super::convert::DeltaArgs;
use super::exit;
use super::input::InputArgs;
use super::target::{LogsArgs, TargetArgs};
use crate::input::InputOptions;
use crate::pipeline::ConvertOptions;
use crate::run::{self, RunOptions, WaitOptions};
use crate::upload::events;
use crate::upload::{self, batches_from_dir, Batch, LogsQuery, TargetKind, UploadConfig};

#[derive(Args, Debug)]
#[command(after_help = concat!("\
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

With --state (the daily sync): first the users earlier runs left pending are checked against the
job's provisioning logs (one paged query; needs AuditLog.Read.All, else they stay pending): success
confirms them, failure sends them again now, skipped is final. Then only new, changed, failed and
long-pending users are sent; after bulkUpload's 202 they are pending. The state is written at the
end of every run that got an answer from the target, never on --dry-run.

", super::exit_codes_help!()))]
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
    /// `html`: write DIR/report.html for the people who approve the run; `none`: no report.
    #[arg(long, value_enum, default_value_t)]
    pub report: super::values::ReportArg,
    /// Keep each run's report, rejects and summary in DIR/runs/<UTC start>/ and remove the
    /// oldest run folders beyond N (only those hr2scim made); 0 keeps no copies. A dry run
    /// keeps none and removes none.
    #[arg(long, value_name = "N", default_value_t = crate::sinks::DEFAULT_KEEP_RUNS)]
    pub keep_runs: u32,
    /// After sending, poll the provisioning logs until every user of this run has a record (or
    /// --wait-timeout), and record the outcomes in the state (Entra).
    #[arg(long)]
    pub wait_for_logs: bool,
    /// How long --wait-for-logs polls; users without a record by then stay pending.
    #[arg(long, value_name = "DURATION", default_value = "30m", requires = "wait_for_logs")]
    pub wait_timeout: humantime::Duration,
    /// Before converting, read the job's schema from the target (as `schema pull` does; needs
    /// Synchronization.Read.All, also on --dry-run) and check the mapping against it, as
    /// `schema check` does: its errors stop the run.
    #[arg(long, conflicts_with_all = ["job_schema", "from"])]
    pub live_job_schema: bool,
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
    let (Some(mapping), Some(input)) = (&args.mapping, &args.input) else {
        eprintln!("error: give MAPPING INPUT, or --from DIR");
        return exit::FATAL;
    };
    let input_opts = match args.input_args.options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FATAL;
        }
    };
    let job = SyncJob {
        mapping: mapping.clone(),
        input: input.clone(),
        out: args.out.clone(),
        input_opts,
        run: RunOptions {
            job_schema_live: args.live_job_schema.then(|| target.clone()),
            ..args.run.options()
        },
        delta: args.delta.options(),
        wait: WaitOptions {
            wait_for_logs: args.wait_for_logs,
            timeout: args.wait_timeout.into(),
            ..WaitOptions::default()
        },
        json: args.json,
        command: "upload",
        report: args.report == super::values::ReportArg::Html,
        keep_runs: args.keep_runs,
    };
    convert_and_send(&job, &target)
}

/// `upload MAPPING INPUT` as plain options: what the flags say, or what `run` makes of a
/// profile and its flags. Both commands go through [`convert_and_send`], so a scheduled `run`
/// does exactly what the equivalent `upload` command line does.
#[derive(Debug, Clone)]
pub(super) struct SyncJob {
    pub mapping: PathBuf,
    pub input: String,
    pub out: PathBuf,
    pub input_opts: InputOptions,
    pub run: RunOptions,
    pub delta: run::DeltaOptions,
    pub wait: WaitOptions,
    pub json: bool,
    /// `upload` or `run`, for the report's title.
    pub command: &'static str,
    /// Write DIR/report.html.
    pub report: bool,
    /// Run folders kept under DIR/runs/ (0: none).
    pub keep_runs: u32,
}

/// Lock the output directory, load the mapping against the input, then [`sync_run`]; prints
/// what went wrong and gives the exit code.
pub(super) fn convert_and_send(job: &SyncJob, target: &UploadConfig) -> i32 {
    let mut job = job.clone();
    // JSON lines leave no room for a progress bar or human summaries: the events say it.
    job.run.quiet |= events::json();
    events::emit(
        "run_start",
        serde_json::json!({
            "mapping": job.mapping.display().to_string(),
            "input": job.input,
            "out": job.out.display().to_string(),
            "state": job.delta.state.as_ref().map(|s| s.display().to_string()),
            "target": format!("{:?}", target.target).to_lowercase(),
            "dry_run": target.dry_run,
        }),
    );
    let code = convert_and_send_locked(&job, target);
    events::emit("summary", serde_json::json!({"exit_code": code}));
    code
}

fn convert_and_send_locked(job: &SyncJob, target: &UploadConfig) -> i32 {
    let started = crate::clock::now();
    let _lock = match lock_output(&job.out) {
        Ok(l) => l,
        Err(code) => return code,
    };
    // An HTTP source is read into the output directory, as `upload` always did.
    let run_opts = RunOptions { source_dir: Some(job.out.clone()), ..job.run.clone() };
    let mut ctx =
        match run::load(&job.mapping, &job.input, &job.input_opts, &run_opts, &print_report) {
            Ok(c) => c,
            Err(e) => return fail(e),
        };
    if let (Some(f), false) = (&ctx.fetched, job.run.quiet) {
        say(&format!(
            "read {} records in {} pages ({} retries) from {}; saved in {}",
            f.stats.records,
            f.stats.pages,
            f.stats.retries,
            job.input,
            f.saved.display()
        ));
    }
    match sync_run(job, target, &mut ctx, started) {
        Ok(code) => code,
        Err(e) => fail(e),
    }
}

/// `upload MAPPING INPUT [--state]`: lock, reconcile the state with the logs, convert, send,
/// record per-user outcomes, optionally wait for the logs, save the state. The exit code.
fn sync_run(
    job: &SyncJob,
    target: &UploadConfig,
    ctx: &mut run::Loaded,
    started: chrono::DateTime<chrono::Utc>,
) -> Result<i32, run::RunError> {
    let (delta_opts, wait) = (&job.delta, &job.wait);
    let quiet = job.run.quiet;
    let _locks = run::lock(delta_opts.state.as_deref())?;
    let mut state = run::load_state(delta_opts)?;
    let target_key = target_key(target);
    if let Some(s) = state.as_mut() {
        run::check_state_target(s, delta_opts, target_key.as_deref())?;
        if let Some(r) = run::reconcile(s, target, &print_report) {
            if !quiet || !r.failed.is_empty() || !r.skipped.is_empty() {
                say(&run::describe("provisioning logs of earlier runs", &r));
            }
        }
    }
    let opts = ConvertOptions { out_dir: job.out.clone(), quiet, ..Default::default() };
    let (converted, mut delta) =
        run::convert_with_state(ctx, &opts, delta_opts, state, &print_report)?;
    if !quiet {
        say(&converted.human());
    }
    events::emit("converted", serde_json::to_value(&converted).unwrap_or_default());
    let convert_code = if converted.rejected > 0 { exit::PARTIAL } else { exit::OK };
    let leavers = delta.as_ref().map(|d| d.leavers()).unwrap_or_default();
    let changes = if job.report { run::changes(delta.as_mut(), delta_opts) } else { None };
    let report = |upload: Option<&upload::UploadSummary>| {
        if job.report {
            let data = run::ReportData {
                command: job.command,
                converted: &converted,
                upload,
                leavers: &leavers,
                dry_run: target.dry_run,
                changes: changes.as_ref(),
            };
            if let Err(e) = run::write_report(&job.out, &data) {
                say(&format!("warning: report.html not written: {e}"));
            }
        }
        // A dry run is a rehearsal: it must not push real runs out of the kept ones.
        if !target.dry_run {
            super::common::keep_run(&job.out, started, job.keep_runs, quiet);
        }
    };
    if converted.batches == 0 {
        say("nothing to send: no new, changed, failed or leaving users");
        if job.json {
            println!(
                "{}",
                serde_json::json!({"batches_sent": 0, "users_sent": 0, "nothing_to_send": true})
            );
        }
        report(None);
        if !target.dry_run {
            // The reconcile may have changed entries (and a format-1 file is migrated).
            run::save_state(delta_opts, delta, ctx, target_key.as_deref())?;
        }
        return Ok(convert_code);
    }
    // Batches are sent from the files just written: the journal keys them by content, so a rerun
    // of the same command after a crash converts identically and skips what was accepted.
    let batches = batches_from_dir(&job.out).map_err(|e| run::RunError::Other(e.to_string()))?;
    let journal = target.journal.clone().unwrap_or_else(|| job.out.join("journal"));
    let sent: Vec<Batch> = batches.clone();
    let summary = upload::upload(Box::new(batches.into_iter().map(Ok)), target, &journal, quiet)
        .map_err(|e| run::RunError::Other(e.to_string()))?;
    summary.print_human();
    report(Some(&summary));
    events::emit("upload", serde_json::to_value(&summary).unwrap_or_default());
    if job.json {
        println!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
    }
    let mut code = summary.exit_code();
    if code == exit::GUARD {
        events::emit("guard_stop", serde_json::json!({"reason": summary.stopped}));
    }
    if summary.stopped.is_some() {
        let argv: Vec<String> = std::env::args().map(|a| shell_quote(&a)).collect();
        say(&format!("resume with the same command: {}", argv.join(" ")));
    }
    if target.dry_run {
        return Ok(code.max(convert_code));
    }
    match delta.as_mut() {
        Some(d) => {
            // What the target took is recorded even when the run stopped: the rest keeps its
            // previous entries, so the next run sends it again.
            run::record_upload(d, &sent, &summary, target.target);
            if wait.wait_for_logs && target.target == TargetKind::Entra {
                let mine: HashSet<String> = summary
                    .accepted
                    .iter()
                    .filter_map(|a| sent.iter().find(|b| b.hash() == a.hash))
                    .flat_map(|b| b.external_ids.iter().cloned())
                    .collect();
                let r = run::wait_for_logs(d, target, &mine, wait, &print_report);
                say(&run::describe("provisioning logs of this run", &r));
                if !r.failed.is_empty() {
                    code = code.max(exit::PARTIAL);
                }
            }
        }
        None if wait.wait_for_logs && code != exit::FATAL => {
            code = wait_for_logs(target, journal, code);
        }
        None => {}
    }
    run::save_state(delta_opts, delta, ctx, target_key.as_deref())?;
    Ok(if code == exit::FATAL || code == exit::GUARD { code } else { code.max(convert_code) })
}

/// The target the state's entries were sent to, for its header.
fn target_key(target: &UploadConfig) -> Option<String> {
    match target.target {
        TargetKind::Entra => upload::entra_target_key(target),
        TargetKind::Scim => target.url.clone().map(|u| format!("scim:{}", u.trim_end_matches('/'))),
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
