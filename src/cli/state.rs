//! `hr2scim state show FILE` and `hr2scim state diff FILE MAPPING INPUT`: inspect delta state and
//! see what the next run would send, without writing or sending anything.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::common::{fail, load_program, print_report, RunArgs};
use super::input::InputArgs;
use super::{exit, Format};
use crate::pipeline::convert;
use crate::run::{self, DeltaOptions};
use crate::state::{LeaverPolicy, MaxLeavers, State, Status};

#[derive(Args, Debug)]
#[command(after_help = concat!("\
A state entry says: this document was sent to this target at this time, and the target's last
word on it is confirmed, pending (accepted, no provisioning log record yet), failed (sent again
by the next run) or skipped (final). See \"How sync works\" in the README.

", super::exit_codes_help!()))]
pub struct StateArgs {
    #[command(subcommand)]
    pub command: StateCommand,
}

#[derive(Subcommand, Debug)]
pub enum StateCommand {
    /// Counts per outcome (confirmed, pending, failed, skipped), last run, target, mapping hash.
    Show {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// What the next run would send and why (new, changed, failed, pending too long, leavers).
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
    /// As the run would use it: pending users older than this are sent again.
    #[arg(long, value_name = "DURATION", default_value = "24h")]
    pub resend_pending_after: humantime::Duration,
    /// As the run would use it: the disable documents of leavers.
    #[arg(long, value_name = "MAPPING")]
    pub leaver_template: Option<PathBuf>,
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
            "error: no state file at {} (the first upload with --state creates it)",
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
    let c = state.counts();
    let stamp =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let oldest = state.earliest_pending().map(stamp);
    let mut failed: Vec<(&String, &crate::state::Entry)> =
        state.users.iter().filter(|(_, e)| e.s == Status::Failed).collect();
    failed.sort_by(|a, b| a.0.cmp(b.0));
    match format {
        Format::Json => println!(
            "{}",
            serde_json::json!({
                "file": file.display().to_string(),
                "users": state.users.len(),
                "confirmed": c.confirmed, "pending": c.pending, "failed": c.failed,
                "skipped": c.skipped, "active": c.active,
                "oldest_pending": oldest,
                "failed_users": failed.iter().map(|(id, e)| serde_json::json!({
                    "id": id, "at": e.at.map(stamp), "reason": e.r})).collect::<Vec<_>>(),
                "run_at": h.as_ref().map(|h| h.run_at.clone()),
                "target": h.as_ref().and_then(|h| h.target.clone()),
                "mapping_hash": h.as_ref().map(|h| h.mapping_hash.clone()),
                "format": h.as_ref().map(|h| h.version),
            })
        ),
        Format::Text => {
            println!("{}", file.display());
            println!("  users:        {} ({} active)", state.users.len(), c.active);
            println!("  confirmed:    {}", c.confirmed);
            match &oldest {
                Some(t) => println!("  pending:      {} (oldest sent {t})", c.pending),
                None => println!("  pending:      0"),
            }
            println!("  failed:       {}", c.failed);
            println!("  skipped:      {}", c.skipped);
            if let Some(h) = h {
                println!("  last run:     {}", h.run_at);
                if let Some(t) = &h.target {
                    println!("  target:       {t}");
                }
                println!("  mapping hash: {}", h.mapping_hash);
                if h.version < crate::state::FORMAT_VERSION {
                    println!("  format:       {} (the next upload migrates it; every entry becomes pending)", h.version);
                }
            }
            for (id, e) in failed.iter().take(50) {
                let at = e.at.map(stamp).unwrap_or_else(|| "?".into());
                println!("  failed   {id}: on {at}: {}", e.r.as_deref().unwrap_or(""));
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
    let opts = DeltaOptions {
        state: Some(args.file.clone()),
        assume_mapping_unchanged: args.assume_mapping_unchanged,
        resend_pending_after: args.resend_pending_after.into(),
        leaver_template: args.leaver_template.clone(),
        ..DeltaOptions::default()
    };
    let made = run::load_state(&opts).and_then(|s| {
        run::make_delta(s.unwrap_or_default(), &opts, &ctx.program.hash, &ctx.env, &print_report)
    });
    let mut delta = match made {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    delta.record = Some(Vec::new());
    // Only the reasons are printed: the documents are not kept.
    delta.docs = None;
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
            let list: Vec<serde_json::Value> = changes
                .iter()
                .map(|(id, why)| serde_json::json!({"id": id, "kind": why.kind(), "why": why.to_string()}))
                .collect();
            println!(
                "{}",
                serde_json::json!({
                    "send": list, "new": c.new, "changed": c.changed, "resent": c.resent,
                    "unchanged": c.unchanged, "leavers": leavers,
                    "mapping_changed": c.mapping_changed,
                })
            );
        }
        Format::Text => {
            println!(
                "next run: {} new, {} changed, {} sent again (failed or pending too long), {} unchanged, {} leaver(s)",
                c.new,
                c.changed,
                c.resent,
                c.unchanged,
                leavers.len()
            );
            if c.mapping_changed {
                println!("  the mapping changed since the state was written: everyone is resent (--assume-mapping-unchanged to avoid)");
            }
            for (id, why) in changes.iter().take(50) {
                println!("  {id:<12} {why}");
            }
            if changes.len() > 50 {
                println!("  ... {} more", changes.len() - 50);
            }
            for id in leavers.iter().take(50) {
                println!("  {id:<12} leaver (not in the export)");
            }
        }
    }
    exit::OK
}
