//! `hr2scim schema check|pull|push`: the Entra job's synchronization schema, the half of
//! provisioning that turns the SCIM users hr2scim sends into directory accounts.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::{exit, TargetArgs};
use crate::check::{check_file, CheckOptions, Program};
use crate::diagnostics::{render, SourceFile};
use crate::jobschema::{self, push, JobSchema};
use crate::upload::jobschema_api::{self as api, SchemaApi};

const SCHEMA_HELP: &str = "\
The job's schema lists the attributes its API source accepts and the attribute mappings,
scoping filter and matching rules that turn each SCIM user into an account. Save it once with
`schema pull`; `schema check`, `simulate` and `--job-schema` on check, convert and upload work
on the file, offline. `schema check` and `simulate` also read it live with the options of
`schema pull` (--endpoint URL, ...) instead of --job-schema.

Examples:
  hr2scim schema pull --endpoint URL --out job-schema.json
  hr2scim schema check mapping.map --job-schema job-schema.json
  hr2scim schema push mapping.map --endpoint URL --dry-run
  hr2scim schema push mapping.map --endpoint URL --map urn:...:User:grade=extensionAttribute3
  hr2scim schema check mapping.map --endpoint URL
  hr2scim schema push mapping.map --endpoint URL --dry-run \\
      --map-expression 'extensionAttribute4=Join(\"-\", [urn:...:User:grade], [externalId])'";

#[derive(Args, Debug)]
#[command(after_help = SCHEMA_HELP)]
pub struct SchemaArgs {
    #[command(subcommand)]
    pub command: SchemaCommand,
}

#[derive(Subcommand, Debug)]
pub enum SchemaCommand {
    /// Check a mapping against the job's schema: attributes the job does not define, type
    /// mismatches, attributes no job mapping reads, attributes the job reads that are never sent.
    /// Exit codes as `check`.
    Check(Box<super::check::CheckArgs>),
    /// Save the job's synchronization schema as pretty JSON (0600). Needs
    /// Synchronization.Read.All.
    Pull(Box<PullArgs>),
    /// Add the source attributes the mapping sends and the job lacks (and, with --map and
    /// --map-expression, attribute mappings); never removes or changes anything. Needs
    /// Synchronization.ReadWrite.All.
    Push(Box<PushArgs>),
}

#[derive(Args, Debug)]
pub struct PullArgs {
    /// Where to save the schema.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Args, Debug)]
pub struct PushArgs {
    /// The mapping whose sent attributes the job's API source must define.
    pub mapping: PathBuf,
    /// Also add a direct attribute mapping SOURCE -> TARGET (repeatable); refused when TARGET is
    /// already mapped or not an attribute of the job's target object.
    #[arg(long = "map", value_name = "SOURCE=TARGET")]
    pub map: Vec<String>,
    /// Also add an expression mapping to TARGET (repeatable), checked by hr2scim's checker
    /// against the job's source attributes before anything is sent; refused as --map is.
    #[arg(long = "map-expression", value_name = "TARGET=EXPR")]
    pub map_expression: Vec<String>,
    /// Where the backup of the schema as it was goes (schema.JOB.TIME.json).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub backup_dir: PathBuf,
    /// With --dry-run: plan against this saved schema instead of reading the job's.
    #[arg(long, value_name = "FILE", requires = "dry_run")]
    pub job_schema: Option<PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
}

pub fn run(args: SchemaArgs) -> i32 {
    match args.command {
        SchemaCommand::Check(a) => {
            if a.job_schema.is_none() && !a.live.names_a_job() {
                eprintln!(
                    "error: schema check needs the job's schema: --job-schema FILE (see \
                     `hr2scim schema pull`), or the job to read it from live (--endpoint URL, or \
                     --service-principal ID --job-id ID)"
                );
                return exit::FATAL;
            }
            super::check::run(*a)
        }
        SchemaCommand::Pull(a) => pull(&a),
        SchemaCommand::Push(a) => push_cmd(&a),
    }
}

fn connect(target: &TargetArgs) -> Result<SchemaApi, String> {
    let cfg = target.config().map_err(|e| e.to_string())?;
    SchemaApi::new(&cfg).map_err(|e| e.to_string())
}

fn pull(a: &PullArgs) -> i32 {
    let result = connect(&a.target).and_then(|api| {
        let schema = api.get().map_err(|e| e.to_string())?;
        api::save(&a.out, &schema).map_err(|e| e.to_string())?;
        Ok(schema)
    });
    match result {
        Ok(schema) => {
            let version = schema["version"].as_str().unwrap_or("?");
            eprintln!("saved the job schema (version {version}) to {}", a.out.display());
            exit::OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::FATAL
        }
    }
}

/// Compile a mapping for its targets only (columns are not checked); prints its diagnostics.
fn compile(path: &Path) -> Option<Program> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| eprintln!("error: cannot read mapping {name}: {e}"))
        .ok()?;
    let text = match crate::syntax::decode(&bytes) {
        Ok(t) => t,
        Err(d) => {
            eprint!("{}", render(&SourceFile { name: &name, text: "" }, &[d]));
            return None;
        }
    };
    let opts = CheckOptions { headers: None, allow_missing_active: true };
    let checked = check_file(text, &opts);
    if checked.errors() > 0 {
        eprint!("{}", render(&SourceFile { name: &name, text }, &checked.diagnostics));
    }
    checked.program
}

fn parse_maps(maps: &[String]) -> Result<Vec<(String, String)>, String> {
    maps.iter()
        .map(|m| {
            // Source names may hold `=` only inside quotes (`emails[type eq "work"]`), never
            // target names: split at the last one.
            let (s, t) = m
                .rsplit_once('=')
                .filter(|(s, t)| !s.trim().is_empty() && !t.trim().is_empty())
                .ok_or(format!("--map expects SOURCE=TARGET, got '{m}'"))?;
            Ok((s.trim().to_string(), t.trim().to_string()))
        })
        .collect()
}

fn parse_expressions(exprs: &[String]) -> Result<Vec<(String, String)>, String> {
    exprs
        .iter()
        .map(|m| {
            // Target names hold no `=`; expressions may (`IIF([a]="x", ...)`): split at the first.
            let (t, e) = m
                .split_once('=')
                .filter(|(t, e)| !t.trim().is_empty() && !e.trim().is_empty())
                .ok_or(format!("--map-expression expects TARGET=EXPR, got '{m}'"))?;
            Ok((t.trim().to_string(), e.trim().to_string()))
        })
        .collect()
}

fn push_cmd(a: &PushArgs) -> i32 {
    let Some(program) = compile(&a.mapping) else { return exit::FATAL };
    let parsed = parse_maps(&a.map).and_then(|m| Ok((m, parse_expressions(&a.map_expression)?)));
    let (maps, exprs) = match parsed {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FATAL;
        }
    };
    let offline = a.job_schema.as_deref();
    let api = match offline {
        Some(_) => None,
        None => match connect(&a.target) {
            Ok(api) => Some(api),
            Err(e) => {
                eprintln!("error: {e}");
                return exit::FATAL;
            }
        },
    };
    let raw = match (&api, offline) {
        (Some(api), _) => api.get().map_err(|e| e.to_string()),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read job schema {}: {e}", path.display()))
            .and_then(|t| serde_json::from_str(&t).map_err(|e| format!("{}: {e}", path.display()))),
        (None, None) => Err("no job schema".to_string()),
    };
    let planned = raw.and_then(|raw| {
        let typed: JobSchema = serde_json::from_value(raw.clone())
            .map_err(|e| format!("not a synchronization schema: {e}"))?;
        let view = jobschema::select(&typed)?;
        let mut plan = push::plan(&program, &view, &maps)?;
        push::plan_expressions(&mut plan, &view, &exprs)?;
        let ops = push::patch(&view, &plan)?;
        Ok((raw, plan, ops))
    });
    let (raw, plan, ops) = match planned {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FATAL;
        }
    };
    for w in &plan.warnings {
        eprintln!("warning: {w}");
    }
    if plan.is_empty() {
        eprintln!("nothing to add: the job's API source defines every attribute the mapping sends");
        return exit::OK;
    }
    if a.target.dry_run {
        let diff = serde_json::json!({"version": raw["version"], "add": ops});
        println!("{}", serde_json::to_string_pretty(&diff).unwrap_or_default());
        eprintln!(
            "dry run: {} attribute(s) and {} mapping(s) would be added; nothing was sent",
            plan.attributes.len(),
            plan.mapping_count()
        );
        return exit::OK;
    }
    let Some(api) = api else { return exit::FATAL };
    match api::push(&api, &raw, &ops, &a.backup_dir) {
        Ok(done) => {
            eprintln!(
                "added {} attribute(s) and {} mapping(s); the job schema is now version {}.\n\
                 backup of the previous schema: {}\n\
                 Entra re-evaluates every user after a schema change (the next cycle is an \
                 initial cycle): prefer a quiet window.",
                plan.attributes.len(),
                plan.mapping_count(),
                done.version.as_deref().unwrap_or("?"),
                done.backup.display()
            );
            exit::OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::FATAL
        }
    }
}
