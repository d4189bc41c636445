//! Runs every function's documented examples through the registry, the parser and the compiler:
//! the examples in the `functions` help are tests, so they cannot drift from behaviour. Test-only:
//! running an example needs the checker, which sits above the built-ins.

#![cfg(test)]

use chrono::{TimeZone, Utc};

use crate::check::compile_expression;
use crate::eval::{Env, Example, Expected, Flow, Value};
use crate::functions::all;

/// The fixed clock examples run at (so `Now()` examples are reproducible).
pub fn example_env() -> Env {
    Env {
        now: Utc.with_ymd_and_hms(2021, 8, 25, 17, 41, 18).single().unwrap_or_default(),
        default_domain: Some("contoso.com".into()),
        ..Env::default()
    }
}

/// Evaluate one example; `Err` describes the mismatch.
fn run_example(ex: &Example, env: &Env) -> Result<(), String> {
    let prog = compile_expression(ex.expr).map_err(|d| format!("does not compile: {d:?}"))?;
    let values: Vec<(String, Value<'static>)> = ex
        .columns
        .iter()
        .map(|(k, v)| (k.to_string(), Value::Str((*v).to_string().into())))
        .collect();
    let row = prog.row(&values);
    let got = prog.eval(env, &row);
    let ok = match (&ex.expected, &got) {
        (Expected::Text(t), Ok(v)) => v.to_string() == *t,
        (Expected::Json(j), Ok(v)) => {
            serde_json::from_str::<serde_json::Value>(j).ok() == Some(v.to_json())
        }
        (Expected::Ignored, Err(Flow::IgnoreAttribute)) => true,
        (Expected::Skipped, Err(Flow::SkipObject)) => true,
        (Expected::Error(s), Err(Flow::Error(m))) => m.contains(s),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{}: expected {:?}, got {:?}", ex.expr, ex.expected, got))
    }
}

#[test]
fn every_documented_example_holds() {
    let env = example_env();
    let mut failures = Vec::new();
    let mut count = 0;
    for f in all() {
        assert!(!f.spec().examples.is_empty(), "{} has no examples", f.spec().name);
        for ex in f.spec().examples {
            count += 1;
            if let Err(e) = run_example(ex, &env) {
                failures.push(format!("{}: {e} ({})", f.spec().name, ex.note));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn registry_names_are_unique_and_sorted() {
    let names: Vec<&str> = all().iter().map(|f| f.spec().name).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    sorted.dedup();
    assert_eq!(names, sorted);
}
