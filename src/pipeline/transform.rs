//! One row to one outcome: evaluate every target, coerce to the SCIM type, assemble and validate
//! the User. Runs on worker threads; everything it reads is shared and immutable.

use crate::check::Program;
use crate::eval::{Env, Flow, RowRef, Value};
use crate::input::CellError;
use crate::scim::{coerce, validate, UserBuilder};

/// How empty strings produced by expressions are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum EmptyStrings {
    /// Leave the attribute out of the document (the default: Entra would clear it).
    #[default]
    Omit,
    /// Send `""`.
    Send,
}

/// A finished user, ready for cross-row checks and batching.
pub struct UserDoc {
    pub doc: serde_json::Value,
    pub external_id: String,
    pub user_name: String,
    pub manager: Option<String>,
}

/// A user whose SelectUniqueValue targets still have to be chosen, in input order.
pub struct Pending {
    pub values: Vec<(usize, serde_json::Value)>,
    pub candidates: Vec<(usize, Vec<String>)>,
}

pub enum Outcome {
    User(UserDoc),
    Pending(Pending),
    /// `(category, message)` pairs; the category groups the summary's counts.
    Rejected(Vec<(String, String)>),
    Skipped,
}

/// Evaluate and coerce every target of one row.
pub fn transform(
    program: &Program,
    env: &Env,
    row: RowRef<'_>,
    cell_errors: &[CellError],
    empty: EmptyStrings,
    used_columns: &[usize],
    builder: &mut UserBuilder,
) -> Outcome {
    let mut reasons: Vec<(String, String)> = Vec::new();
    for ce in cell_errors {
        if used_columns.contains(&ce.column) {
            reasons.push(("error cell".into(), format!("cell {} holds the error {}", ce.address, ce.error)));
        }
    }
    if !reasons.is_empty() {
        return Outcome::Rejected(reasons);
    }
    let mut results = Vec::with_capacity(program.targets.len());
    program.eval_row(env, row, &mut results);
    let mut values: Vec<(usize, serde_json::Value)> = Vec::with_capacity(results.len());
    let mut candidates = Vec::new();
    for (i, (res, _redacted)) in results.into_iter().enumerate() {
        let t = &program.targets[i];
        match res {
            Err(Flow::SkipObject) => return Outcome::Skipped,
            Err(Flow::IgnoreAttribute) => {}
            Err(Flow::Error(m)) => reasons.push((t.path.text.clone(), format!("{}: {m}", t.path.text))),
            Ok(Value::Null) => {}
            Ok(Value::Str(s)) if s.is_empty() && empty == EmptyStrings::Omit => {}
            Ok(v) if t.unique => {
                let c: Vec<String> =
                    v.into_items().into_iter().map(|x| x.to_string()).filter(|s| !s.is_empty()).collect();
                candidates.push((i, c));
            }
            Ok(v) => match coerce(&v, t.resolved.ty) {
                Ok(j) => values.push((i, j)),
                Err(m) => reasons.push((t.path.text.clone(), format!("{}: {m}", t.path.text))),
            },
        }
    }
    if !reasons.is_empty() {
        return Outcome::Rejected(reasons);
    }
    if !candidates.is_empty() {
        return Outcome::Pending(Pending { values, candidates });
    }
    assemble(program, builder, &values)
}

/// Build and validate the document from coerced target values.
pub fn assemble(program: &Program, builder: &mut UserBuilder, values: &[(usize, serde_json::Value)]) -> Outcome {
    builder.reset();
    for (i, v) in values {
        builder.set(&program.targets[*i].resolved, v.clone());
    }
    let doc = builder.finish();
    let problems = validate(&doc, &program.schema);
    if !problems.is_empty() {
        return Outcome::Rejected(problems.into_iter().map(|p| (category(&p), p)).collect());
    }
    let text = |k: &str| doc.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let external_id = text("externalId");
    let user_name = text("userName");
    let manager = doc
        .get(crate::schema::ENTERPRISE)
        .and_then(|e| e.get("manager"))
        .and_then(|m| m.get("value"))
        .and_then(|v| v.as_str())
        .map(str::to_string);
    Outcome::User(UserDoc { doc, external_id, user_name, manager })
}

/// The summary groups reasons by the attribute they name (the text before the first ':').
fn category(reason: &str) -> String {
    reason.split(':').next().unwrap_or(reason).trim().to_string()
}
