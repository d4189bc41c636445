//! `hr2scim eval 'EXPR' [--set Col=Value]... [--null Col] [--now ...] [--existing T=FILE]...
//! [--format text|json]`

use clap::Args;

use super::{exit, Format};
use crate::check::compile_expression;
use crate::diagnostics::{render, render_json, SourceFile};
use crate::eval::{Env, Flow, Value};
use crate::functions::UniqueRegistry;

const EVAL_HELP: &str = "\
Columns not given with --set are NULL, as absent attributes are in Entra. Text output is the
value exactly as Entra would flow it (dates as M/d/yyyy h:mm:ss tt, booleans as True/False);
JSON output is typed: {\"outcome\":\"value\",\"kind\":...,\"value\":...}, or \"ignored\",
\"skipped\", \"error\" (evaluation failed), \"invalid\" (with the diagnostics).

Exit codes: 0 a value (or ignored/skipped flow), 1 the expression does not compile or fails.

Examples:
  hr2scim eval 'Join(\", \", \"\", [sn], [gn])' --set sn=Doe --set gn=John     # Doe, John
  hr2scim eval 'Switch([s], \"x\", \"A\", \"y\")' --set s=A --format json";

#[derive(Args, Debug)]
#[command(after_help = EVAL_HELP)]
pub struct EvalArgs {
    /// The expression, exactly as it would be pasted into the Entra portal.
    pub expr: String,
    /// Give a column a value: --set FirstName=José (repeatable).
    #[arg(long = "set", value_name = "COL=VALUE")]
    pub set: Vec<String>,
    /// Give a column a multi-valued value as a JSON list: --set-json 'proxy=["a","b"]'.
    #[arg(long = "set-json", value_name = "COL=JSON")]
    pub set_json: Vec<String>,
    /// Make a column NULL explicitly (columns not set are NULL anyway).
    #[arg(long = "null", value_name = "COL")]
    pub null: Vec<String>,
    /// The instant Now() returns, RFC 3339 (default: the real clock).
    #[arg(long)]
    pub now: Option<chrono::DateTime<chrono::Utc>>,
    /// The tenant's default verified domain, for DefaultDomain().
    #[arg(long)]
    pub default_domain: Option<String>,
    /// Evaluate IIF conditions over NULL/empty attributes instead of failing like Entra.
    #[arg(long)]
    pub lenient_iif: bool,
    /// Values already in use for a SelectUniqueValue target, one per line:
    /// --existing userName=existing.txt (repeatable).
    #[arg(long = "existing", value_name = "TARGET=FILE")]
    pub existing: Vec<String>,
    /// `text` prints Entra's rendering; `json` the typed value.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Also print the evaluation tree: every call with its arguments' values and its result,
    /// which IIF branch or Switch key was taken, which Replace mode ran (on stderr).
    #[arg(long)]
    pub explain: bool,
}

pub fn run(args: EvalArgs) -> i32 {
    let prog = match compile_expression(&args.expr) {
        Ok(p) => p,
        Err(diags) => {
            let src = SourceFile { name: "<expression>", text: &args.expr };
            match args.format {
                Format::Text => eprint!("{}", render(&src, &diags)),
                Format::Json => {
                    let mut out = render_json(&src, &diags);
                    out["outcome"] = "invalid".into();
                    println!("{out}");
                }
            }
            return exit::FATAL;
        }
    };
    let mut values: Vec<(String, Value<'static>)> = Vec::new();
    for s in &args.set {
        let Some((k, v)) = s.split_once('=') else {
            eprintln!("error: --set expects COL=VALUE, got '{s}'");
            return exit::FATAL;
        };
        values.push((k.to_string(), Value::Str(v.to_string().into())));
    }
    for s in &args.set_json {
        let parsed = s
            .split_once('=')
            .and_then(|(k, v)| Some((k, serde_json::from_str::<serde_json::Value>(v).ok()?)));
        let Some((k, j)) = parsed else {
            eprintln!("error: --set-json expects COL=JSON, got '{s}'");
            return exit::FATAL;
        };
        values.push((k.to_string(), from_json(&j)));
    }
    for c in &args.null {
        values.push((c.clone(), Value::Null));
    }
    let env = Env {
        now: args.now.unwrap_or_else(chrono::Utc::now),
        default_domain: args.default_domain.clone(),
        lenient_iif: args.lenient_iif,
        ..Env::default()
    };
    let row = prog.row(&values);
    if args.explain {
        let (_, trace) = prog.explain(&env, &row);
        eprint!("{}", crate::authoring::explain::render_trace(&trace));
    }
    let mut out = prog.eval(&env, &row);
    if prog.unique {
        match unique_registry(&args.existing) {
            Ok(mut reg) => out = pick_unique(out, &mut reg),
            Err(msg) => {
                eprintln!("error: {msg}");
                return exit::FATAL;
            }
        }
    } else if !args.existing.is_empty() {
        eprintln!("note: --existing applies only to a top-level SelectUniqueValue; ignored");
    }
    print_outcome(&out, args.format)
}

/// The registry `--existing` describes. `eval` has a single expression and so a single target:
/// every file given is loaded, whatever target it names.
fn unique_registry(existing: &[String]) -> Result<UniqueRegistry, String> {
    let mut reg = UniqueRegistry::new();
    for spec in existing {
        let Some((target, file)) =
            spec.split_once('=').filter(|(t, f)| !t.is_empty() && !f.is_empty())
        else {
            return Err(format!("--existing expects TARGET=FILE, got '{spec}'"));
        };
        reg.load_existing(std::path::Path::new(file)).map_err(|e| {
            format!("cannot read the existing values for {target} from '{file}': {e}")
        })?;
    }
    Ok(reg)
}

/// SelectUniqueValue yields its candidates; the value is the first one not already taken.
fn pick_unique<'a>(
    out: Result<Value<'a>, Flow>,
    reg: &mut UniqueRegistry,
) -> Result<Value<'a>, Flow> {
    let candidates: Vec<String> = out?.into_items().iter().map(|v| v.to_string()).collect();
    reg.choose(&candidates).map(|v| Value::Str(v.into())).map_err(Flow::Error)
}

fn from_json(j: &serde_json::Value) -> Value<'static> {
    match j {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            n.as_i64().map(Value::Int).unwrap_or_else(|| Value::Dec(n.as_f64().unwrap_or(0.0)))
        }
        serde_json::Value::String(s) => Value::Str(s.clone().into()),
        serde_json::Value::Array(a) => Value::List(a.iter().map(from_json).collect()),
        serde_json::Value::Object(_) => Value::Str(j.to_string().into()),
    }
}

/// Stable, machine-friendly kind names for `--format json` (`Value::kind` is for people).
fn json_kind(v: &Value<'_>) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Str(_) => "string",
        Value::Int(_) => "integer",
        Value::Dec(_) => "decimal",
        Value::Bool(_) => "boolean",
        Value::Date(_) => "dateTime",
        Value::List(_) => "list",
    }
}

fn print_outcome(out: &Result<Value<'_>, Flow>, format: Format) -> i32 {
    match (format, out) {
        (Format::Text, Ok(v)) => {
            println!("{v}");
            exit::OK
        }
        (Format::Json, Ok(v)) => {
            println!(
                "{}",
                serde_json::json!({"outcome": "value", "kind": json_kind(v), "value": v.to_json()})
            );
            exit::OK
        }
        (Format::Text, Err(Flow::IgnoreAttribute)) => {
            eprintln!("(attribute flow ignored: the target would be left out)");
            exit::OK
        }
        (Format::Text, Err(Flow::SkipObject)) => {
            eprintln!("(object skipped: the whole user would not be sent)");
            exit::OK
        }
        (Format::Json, Err(Flow::IgnoreAttribute)) => {
            println!("{}", serde_json::json!({"outcome": "ignored"}));
            exit::OK
        }
        (Format::Json, Err(Flow::SkipObject)) => {
            println!("{}", serde_json::json!({"outcome": "skipped"}));
            exit::OK
        }
        (Format::Text, Err(Flow::Error(m))) => {
            eprintln!("error: {m}");
            exit::FATAL
        }
        (Format::Json, Err(Flow::Error(m))) => {
            println!("{}", serde_json::json!({"outcome": "error", "message": m}));
            exit::FATAL
        }
    }
}
