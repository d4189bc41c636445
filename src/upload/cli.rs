//! `hr2scim upload --from DIR`: the CLI entry the integrator calls (argument struct + runner).

use std::path::PathBuf;

use super::args::{LogsArgs, LogsFormat, TargetArgs};
use super::{batches_from_dir, run_logs, upload};

/// Options of `hr2scim upload --from DIR`.
#[derive(clap::Args, Debug, Clone)]
pub struct UploadCliArgs {
    /// Directory written by `hr2scim convert` (bulk-*.json).
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Print the run summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Only errors and the summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// After sending, wait for the provisioning logs of every uploaded user (Entra).
    #[arg(long)]
    pub wait_for_logs: bool,
}

/// Runs the upload and prints the outcome; returns the process exit code (0, 1 or 2).
pub fn cli_upload_from_dir(args: UploadCliArgs) -> i32 {
    let journal = args.target.journal.clone().unwrap_or_else(|| args.from.join("journal"));
    let batches = match batches_from_dir(&args.from) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let summary =
        match upload(Box::new(batches.into_iter().map(Ok)), &args.target, &journal, args.quiet) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        };
    summary.print_human();
    if summary.stopped.is_some() {
        // argv never holds a secret (secrets come only from env vars and files), so it is safe
        // to echo back as the command that resumes.
        let argv: Vec<String> = std::env::args().map(|a| shell_quote(&a)).collect();
        eprintln!("resume with: {}", argv.join(" "));
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
    }
    let code = summary.exit_code();
    if args.wait_for_logs && code != 1 && !args.target.dry_run {
        return wait_for_logs(&args.target, journal, code);
    }
    code
}

/// `--wait-for-logs`: poll the provisioning logs until every user of the last upload (from the
/// journal) has a record, print the outcome per user, and fold it into the exit code.
pub fn wait_for_logs(target: &TargetArgs, journal: PathBuf, code: i32) -> i32 {
    let mut target = target.clone();
    target.journal = Some(journal);
    let logs = LogsArgs {
        target,
        since: None,
        cycle: None,
        status: None,
        external_ids: Vec::new(),
        wait: true,
        wait_timeout: std::time::Duration::from_secs(30 * 60),
        poll_interval: std::time::Duration::from_secs(15),
        format: LogsFormat::Table,
    };
    match run_logs(&logs) {
        Ok(c) => c.max(code),
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// `hr2scim logs`: prints errors and returns the exit code.
pub fn cli_logs(args: LogsArgs) -> i32 {
    run_logs(&args).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        1
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
