//! `hr2scim simulate MAPPING INPUT --job-schema FILE` (or the job's options, live): what the
//! Entra job will make of every user hr2scim would send (scope, matching, each attribute
//! mapping, as a creation or, for users the sync state confirmed, an update), and what will fail
//! in the directory, before anything is sent.

use std::collections::HashSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::common::{load_program, RunArgs};
use super::input::InputArgs;
use super::jobsource::{self, LiveJobArgs};
use super::{exit, Format};
use crate::authoring::explain::render_trace;
use crate::authoring::preview::{preview, Selection};
use crate::jobschema::simulate::{simulate, Input, Operation, Simulation, UserResult};
use crate::state::{State, Status};

#[derive(Args, Debug)]
#[command(after_help = concat!("\
Each user goes through the job's scoping filter (which group matched, or the clause that failed),
its matching attributes, and every attribute mapping (Direct, Constant or Expression, with its
flow type), evaluated with hr2scim's evaluator on the user's SCIM values under the job's source
attribute names. The report at the end covers the whole file: duplicate values where the
directory needs unique ones, SelectUniqueValue candidates used up, values too long, users out of
scope, functions hr2scim does not implement. SelectUniqueValue is checked within the file only.

Each user is shown as a creation: values marked 'on creation only' (ObjectAddOnly mappings,
default values) are written then and never again. With --state, users the sync state has
confirmed in the target are shown as an update instead, which writes neither. The state must be
this job's: one that records another target is refused (a saved schema is known by its id,
the job id; one without an id is not checked, and a warning says so).

The job's schema comes from a saved file (--job-schema) or, live, from the job itself with the
target options of `schema pull` (needs Synchronization.Read.All).

Examples:
  hr2scim simulate mappings/entra-inbound.map fixtures/hr-small.csv --job-schema fixtures/jobschema-api-to-ad.json
  hr2scim simulate mapping.map hr.csv --job-schema job.json --row 7 --explain sAMAccountName
  hr2scim simulate mapping.map hr.csv --job-schema job.json --state hr2scim.state --format json
  hr2scim simulate mapping.map hr.csv --endpoint URL   # the job's current schema, read live

Exit codes: 0 every user in scope simulated without a finding, 2 findings (out of scope,
duplicates, ...), 1 the mapping, input or job schema cannot be used.
"))]
pub struct SimulateArgs {
    pub mapping: PathBuf,
    pub input: String,
    /// Show only the user of this input line (data line numbers, as `preview`).
    #[arg(long, conflicts_with = "rows")]
    pub row: Option<u64>,
    /// Show only the first N users (the file-wide report still covers every user).
    #[arg(long)]
    pub rows: Option<usize>,
    /// Show the evaluation trace of this target attribute of the job (with --row).
    #[arg(long, value_name = "TARGET")]
    pub explain: Option<String>,
    /// `text` (a table per user) or `json`.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// hr2scim's sync state (only read): users it confirmed in the target are simulated as an
    /// update, the others as a creation.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub live: LiveJobArgs,
    #[command(flatten)]
    pub input_args: InputArgs,
}

pub fn run(args: SimulateArgs) -> i32 {
    // `--job-schema` (of the shared run flags) is required here, and is simulated rather than
    // checked: a user sees what the job makes of the mapping's output even where it disagrees.
    let mut run = args.run.clone();
    let file = run.job_schema.take();
    run.quiet = true;
    let loaded = match jobsource::load(file.as_deref(), &args.live) {
        Ok(Some(l)) => l,
        Ok(None) => {
            eprintln!(
                "error: simulate needs the job's schema: --job-schema FILE (see `hr2scim schema \
                 pull`), or the job to read it from live (--endpoint URL, or \
                 --service-principal ID --job-id ID)"
            );
            return exit::FATAL;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FATAL;
        }
    };
    let job = match crate::jobschema::select(&loaded.schema) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: {}: {e}", loaded.origin);
            return exit::FATAL;
        }
    };
    let existing = match args.state.as_deref().map(|p| confirmed_users(p, &loaded, &args.live)) {
        None => HashSet::new(),
        Some(Ok(e)) => e,
        Some(Err(e)) => {
            eprintln!("error: {e}");
            return exit::FATAL;
        }
    };
    let Some(mut ctx) = load_program(&args.mapping, &args.input, &args.input_args, &run) else {
        return exit::FATAL;
    };
    let rows =
        match preview(&ctx.program, &ctx.env, ctx.source.as_mut(), &Selection::First(usize::MAX)) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::FATAL;
            }
        };
    let users: Vec<Input> = rows
        .iter()
        .filter_map(|r| {
            let doc = r.scim.as_ref()?;
            let id = doc.get("externalId").and_then(|v| v.as_str()).unwrap_or_default();
            Some(Input { line: r.line, doc, exists: existing.contains(id) })
        })
        .collect();
    let mut sim = simulate(&job, &ctx.env, &users, args.explain.as_deref());
    if let Some(line) = args.row {
        sim.users.retain(|u| u.line == line);
        if sim.users.is_empty() {
            eprintln!("error: line {line} is not a user hr2scim would send");
            return exit::FATAL;
        }
    } else if let Some(n) = args.rows {
        sim.users.truncate(n);
    }
    if let Some(target) = &args.explain {
        if !sim
            .users
            .iter()
            .flat_map(|u| &u.attributes)
            .any(|a| a.target.eq_ignore_ascii_case(target))
        {
            eprintln!("error: the job maps no target attribute '{target}'");
            return exit::FATAL;
        }
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&sim).unwrap_or_default()),
        Format::Text => print!("{}", render(&sim, args.explain.as_deref())),
    }
    if sim.findings.is_empty() {
        exit::OK
    } else {
        exit::PARTIAL
    }
}

/// The externalIds the state file says the target confirmed. A missing file is an error here
/// (unlike a first `convert --state`): a mistyped path would show every user as created. So is
/// a state of another target: its users were confirmed somewhere else.
fn confirmed_users(
    path: &Path,
    job: &jobsource::LoadedJob,
    live: &LiveJobArgs,
) -> Result<HashSet<String>, String> {
    if !path.exists() {
        return Err(format!("the state file {} does not exist", path.display()));
    }
    let state = State::load(path).map_err(|e| e.to_string())?;
    if let Some(was) = state.header.as_ref().and_then(|h| h.target.as_deref()) {
        check_state_job(path, was, job, live)?;
    }
    Ok(state
        .users
        .into_iter()
        .filter(|(_, e)| e.s == Status::Confirmed)
        .map(|(id, _)| id)
        .collect())
}

/// The state records the target it sent to (the job's bulkUpload URL, or a SCIM server), as
/// `upload` checks before it sends. Simulated against another job, its confirmed users would
/// show as updates that are creations there. A live job is named by its service principal and
/// job id; a saved schema only by its `id` (the job id, as Graph returns it), and a file
/// without one cannot be checked: a warning says so rather than guessing.
fn check_state_job(
    path: &Path,
    was: &str,
    job: &jobsource::LoadedJob,
    live: &LiveJobArgs,
) -> Result<(), String> {
    let state_job = crate::upload::entra_job_of_key(was);
    let (same, now) = if live.names_a_job() {
        let Some(now) = crate::upload::entra_job(&live.options()) else { return Ok(()) };
        let same = state_job.as_ref().is_some_and(|(sp, id)| {
            sp.eq_ignore_ascii_case(&now.0) && id.eq_ignore_ascii_case(&now.1)
        });
        (same, format!("job {} of service principal {}", now.1, now.0))
    } else {
        let Some(id) = job.schema.id.str() else {
            eprintln!(
                "warning: the job schema {} does not say which job it is (it has no \"id\"), so \
                 whether the state file {} (which records what was sent to {was}) belongs to that \
                 job is not checked",
                job.origin,
                path.display()
            );
            return Ok(());
        };
        let same = state_job.as_ref().is_some_and(|(_, sid)| sid.eq_ignore_ascii_case(id));
        (same, format!("job {id} (the id in {})", job.origin))
    };
    if same {
        return Ok(());
    }
    Err(format!(
        "the state file {} records what was sent to {was}, but this simulates {now}: the users \
         it confirmed are another target's, and would show as updates. Use the state file of \
         this job (or no --state: every user a creation)",
        path.display()
    ))
}

fn user_block(out: &mut String, u: &UserResult, explain: Option<&str>) {
    let op = match u.operation {
        Operation::Create => "create",
        Operation::Update => "update (confirmed in the state)",
    };
    let _ = writeln!(out, "line {}  externalId {}  {op}", u.line, u.external_id);
    let scope = if u.in_scope { "in scope" } else { "OUT OF SCOPE" };
    let _ = writeln!(out, "  scope     {scope}: {}", u.scope);
    for (t, v) in &u.matching {
        let _ = writeln!(out, "  matching  {t} = {}", v.as_deref().unwrap_or("NULL"));
    }
    let width = u.attributes.iter().map(|a| a.target.chars().count()).max().unwrap_or(0);
    for a in &u.attributes {
        let notes =
            if a.notes.is_empty() { String::new() } else { format!("  ({})", a.notes.join("; ")) };
        let _ =
            writeln!(out, "  {:<width$}  {:<10}  {}{notes}", a.target, a.kind, a.outcome.text());
        if explain.is_some_and(|e| e.eq_ignore_ascii_case(&a.target)) {
            if let Some(trace) = &u.trace {
                for l in render_trace(trace).lines() {
                    let _ = writeln!(out, "      {l}");
                }
            }
        }
    }
    out.push('\n');
}

/// The text report: one block per user, then the file-wide findings.
fn render(sim: &Simulation, explain: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "target directory: {}\n", sim.target_directory);
    for u in &sim.users {
        user_block(&mut out, u, explain);
    }
    if sim.findings.is_empty() {
        let _ = writeln!(out, "no findings");
    } else {
        let _ = writeln!(out, "findings ({}):", sim.findings.len());
        for f in &sim.findings {
            let _ = writeln!(out, "  {:<15} {}", f.kind, f.message);
        }
    }
    out
}
