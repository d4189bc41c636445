//! `hr2scim functions [NAME]`: the function reference, from the same metadata the checker uses.

use clap::Args;

use super::{exit, Format};
use crate::diagnostics::did_you_mean;
use crate::functions::{all, lookup, Expected};

#[derive(Args, Debug)]
pub struct FunctionsArgs {
    /// Show one function in full (case-insensitive).
    pub name: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: FunctionsArgs) -> i32 {
    let Some(name) = args.name else {
        if args.format == Format::Json {
            let list: Vec<_> = all()
                .iter()
                .map(|f| serde_json::json!({"name": f.spec().name, "summary": f.spec().summary}))
                .collect();
            println!("{}", serde_json::Value::Array(list));
        } else {
            for f in all() {
                println!("{:<26} {}", f.spec().name, f.spec().summary);
            }
        }
        return exit::OK;
    };
    let Some(f) = lookup(&name) else {
        let hint = did_you_mean(&name, all().iter().map(|f| f.spec().name))
            .map(|s| format!(" (did you mean '{s}'?)"))
            .unwrap_or_default();
        eprintln!("error: no function named '{name}'{hint}");
        return exit::FATAL;
    };
    let s = f.spec();
    println!("{}\n\n{}\n\n{}\n", s.signature(), s.summary, s.doc);
    println!("Parameters:");
    for p in s.params {
        let opt = if p.optional {
            " (optional)"
        } else if p.repeats {
            " (repeats)"
        } else {
            ""
        };
        println!("  {:<22} {:?}{opt}: {}", p.name, p.kind, p.doc);
    }
    println!("\nExamples:");
    for e in s.examples {
        let given: Vec<String> = e.columns.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
        let expected = match e.expected {
            Expected::Text(t) => format!("{t:?}"),
            Expected::Json(j) => j.to_string(),
            Expected::Ignored => "(attribute flow ignored)".into(),
            Expected::Skipped => "(object skipped)".into(),
            Expected::Error(m) => format!("error containing {m:?}"),
        };
        println!("  {}", e.expr);
        if !given.is_empty() {
            println!("    with {}", given.join(", "));
        }
        println!("    → {expected}   [{}]", e.note);
    }
    exit::OK
}
