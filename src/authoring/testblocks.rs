//! Runs the `test` blocks of a mapping: each block's `given` row goes through the same transform
//! as `convert`, and every `expect` is compared with the typed result.

use serde::Serialize;

use super::explain::render_trace;
use crate::check::Program;
use crate::eval::{EmptyCells, Env, Flow, RowRef, Value};
use crate::pipeline::{resolve_pending, transform, EmptyStrings, Outcome};
use crate::scim::{coerce, UserBuilder};
use crate::syntax::ast::{Expectation, GivenValue, TargetPath, TestBlock};

#[derive(Debug, Serialize, Clone)]
pub struct Failure {
    pub expectation: String,
    pub expected: String,
    pub actual: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

#[derive(Debug, Serialize, Clone)]
pub struct TestResult {
    pub name: String,
    pub line: usize,
    pub passed: bool,
    pub failures: Vec<Failure>,
}

/// Apply a test block's options over the run's environment.
fn env_for(block: &TestBlock, base: &Env) -> Result<Env, String> {
    let mut env = base.clone();
    for (k, v) in &block.options {
        match k.node.as_str() {
            "now" => {
                env.now = chrono::DateTime::parse_from_rfc3339(&v.node)
                    .map_err(|e| format!("now = \"{}\": {e}", v.node))?
                    .with_timezone(&chrono::Utc)
            }
            "defaultDomain" => env.default_domain = Some(v.node.clone()),
            "lenientIif" => env.lenient_iif = v.node == "true",
            "emptyCells" => {
                env.empty_cells =
                    if v.node == "empty" { EmptyCells::Empty } else { EmptyCells::Null }
            }
            other => return Err(format!("unknown test option '{other}'")),
        }
    }
    Ok(env)
}

/// The row a `given` block describes, in the program's column order.
fn given_row(program: &Program, block: &TestBlock) -> Vec<Value<'static>> {
    let mut row = vec![Value::Null; program.columns.len()];
    for (k, v) in &block.given {
        if let Some(i) = program.column_index(&k.node) {
            row[i] = match &v.node {
                GivenValue::Null => Value::Null,
                GivenValue::Str(s) => Value::Str(s.clone().into()),
                GivenValue::List(l) => {
                    Value::List(l.iter().map(|s| Value::Str(s.clone().into())).collect())
                }
            };
        }
    }
    row
}

fn find_target(program: &Program, path: &TargetPath) -> Option<usize> {
    let canonical = program.schema.resolve(path).ok()?.canonical;
    program.targets.iter().position(|t| t.resolved.canonical == canonical)
}

/// Run every test block of `program`. `line_of` maps a byte offset to a line for reports.
pub fn run_tests(
    program: &Program,
    base: &Env,
    line_of: &dyn Fn(usize) -> usize,
) -> Vec<TestResult> {
    program.tests.iter().map(|b| run_one(program, base, b, line_of(b.span.start))).collect()
}

fn run_one(program: &Program, base: &Env, block: &TestBlock, line: usize) -> TestResult {
    let mut failures = Vec::new();
    let env = match env_for(block, base) {
        Ok(e) => e,
        Err(m) => {
            failures.push(Failure {
                expectation: "options".into(),
                expected: "valid options".into(),
                actual: m,
                trace: None,
            });
            return TestResult { name: block.name.node.clone(), line, passed: false, failures };
        }
    };
    let row = given_row(program, block);
    let used = program.used_columns();
    let mut builder = UserBuilder::new(&program.schema);
    let mut outcome = transform(
        program,
        &env,
        RowRef::Values(&row),
        &[],
        EmptyStrings::Omit,
        &used,
        &mut builder,
    );
    if let Outcome::Pending(p) = outcome {
        outcome =
            resolve_pending(program, &mut crate::pipeline::UniqueSet::default(), &mut builder, p);
    }
    let mut results = Vec::new();
    program.eval_row(&env, RowRef::Values(&row), &mut results);

    for exp in &block.expects {
        let f = match &exp.node {
            Expectation::Rejected(text) => match &outcome {
                Outcome::Rejected(r) if r.iter().any(|(_, m)| m.contains(text.as_str())) => None,
                other => Some(Failure {
                    expectation: format!("expect rejected \"{text}\""),
                    expected: format!("a rejection mentioning \"{text}\""),
                    actual: describe_outcome(other),
                    trace: None,
                }),
            },
            Expectation::Skipped => match &outcome {
                Outcome::Skipped => None,
                other => Some(Failure {
                    expectation: "expect skipped".into(),
                    expected: "the object is skipped".into(),
                    actual: describe_outcome(other),
                    trace: None,
                }),
            },
            Expectation::Omitted(path) | Expectation::Equals(path, _) => {
                let expected = match &exp.node {
                    Expectation::Equals(_, v) => Some(v.clone()),
                    _ => None,
                };
                check_target(program, &env, &row, &results, &path.node, expected)
            }
        };
        failures.extend(f);
    }
    TestResult { name: block.name.node.clone(), line, passed: failures.is_empty(), failures }
}

fn check_target(
    program: &Program,
    env: &Env,
    row: &[Value<'static>],
    results: &[(Result<Value<'_>, Flow>, bool)],
    path: &TargetPath,
    expected: Option<serde_json::Value>,
) -> Option<Failure> {
    let label = match &expected {
        Some(v) => format!("expect {} = {v}", path.text),
        None => format!("expect {} is omitted", path.text),
    };
    let Some(i) = find_target(program, path) else {
        return Some(Failure {
            expectation: label,
            expected: "a target of this mapping".into(),
            actual: format!("the mapping has no target {}", path.text),
            trace: None,
        });
    };
    let t = &program.targets[i];
    let actual: Result<Option<serde_json::Value>, String> = match &results[i].0 {
        Ok(v) if v.is_null() => Ok(None),
        Ok(Value::Str(s)) if s.is_empty() => Ok(None),
        Ok(v) if t.unique => {
            Ok(v.clone().into_items().first().map(|c| serde_json::Value::String(c.to_string())))
        }
        Ok(v) => coerce(v, t.resolved.ty).map(Some),
        Err(Flow::IgnoreAttribute) => Ok(None),
        Err(Flow::SkipObject) => Err("the object is skipped".into()),
        Err(Flow::Error(m)) => Err(format!("error: {m}")),
    };
    let ok = matches!((&expected, &actual), (None, Ok(None)))
        || matches!((&expected, &actual), (Some(e), Ok(Some(a))) if e == a);
    if ok {
        return None;
    }
    let (_, trace) = program.explain(env, RowRef::Values(row), i);
    Some(Failure {
        expectation: label,
        expected: expected.map(|v| v.to_string()).unwrap_or_else(|| "omitted".into()),
        actual: match actual {
            Ok(None) => "omitted".into(),
            Ok(Some(v)) => v.to_string(),
            Err(m) => m,
        },
        trace: Some(render_trace(&trace)),
    })
}

fn describe_outcome(o: &Outcome) -> String {
    match o {
        Outcome::User(_) | Outcome::Pending(_) => "the user is written".into(),
        Outcome::Skipped => "the object is skipped".into(),
        Outcome::Rejected(r) => {
            format!(
                "rejected: {}",
                r.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join(" | ")
            )
        }
    }
}
