//! `hr2scim preview`: a dry run a person can read. Every row is transformed exactly as `convert`
//! would (so cross-row checks see the whole file), and the selected rows are shown target by
//! target with their values, the columns they read, and what happened to them.

use serde::Serialize;

use crate::check::Program;
use crate::eval::{Env, Flow, RowRef, Value};
use crate::input::{InputError, Item, Source};
use crate::pipeline::{resolve_pending, transform, EmptyStrings, Outcome};
use crate::scim::{CrossRowChecks, ManagerCheck, OnDuplicate, UserBuilder};

/// Which rows to show.
#[derive(Debug, Clone)]
pub enum Selection {
    First(usize),
    Line(u64),
    Where(String, String),
}

#[derive(Debug, Serialize, Clone, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Value,
    Null,
    Ignored,
    Skipped,
    Error,
    Redacted,
}

#[derive(Debug, Serialize, Clone)]
pub struct TargetView {
    pub target: String,
    pub state: State,
    /// Entra's rendering of the value (`[Redact]` for redacted values).
    pub value: String,
    /// The typed value, absent for redacted and non-values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub typed: Option<serde_json::Value>,
    pub columns: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize, Clone)]
pub struct PreviewRow {
    pub line: u64,
    pub position: String,
    pub targets: Vec<TargetView>,
    /// `user`, `rejected` or `skipped`.
    pub outcome: String,
    pub reasons: Vec<String>,
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub scim: Option<serde_json::Value>,
}

fn selected(
    sel: &Selection,
    shown: usize,
    line: u64,
    program: &Program,
    rec: &crate::input::Record,
) -> bool {
    match sel {
        Selection::First(n) => shown < *n,
        Selection::Line(l) => *l == line,
        Selection::Where(col, val) => {
            program.column_index(col).and_then(|i| rec.get(i)).is_some_and(|v| v == val)
        }
    }
}

/// Transform the whole input, returning the views of the selected rows.
pub fn preview(
    program: &Program,
    env: &Env,
    source: &mut dyn Source,
    sel: &Selection,
) -> Result<Vec<PreviewRow>, InputError> {
    let used = program.used_columns();
    let mut builder = UserBuilder::new(&program.schema);
    let mut uniques = crate::pipeline::UniqueSet::default();
    let mut checks = CrossRowChecks::new(OnDuplicate::Reject, ManagerCheck::Warn);
    let mut rows: Vec<PreviewRow> = Vec::new();
    while let Some(item) = source.next_item()? {
        let row = match item {
            Item::Row(r) => r,
            Item::Rejected(r) => {
                if matches!(sel, Selection::Line(l) if *l == r.line)
                    || matches!(sel, Selection::First(n) if rows.len() < *n)
                {
                    rows.push(PreviewRow {
                        line: r.line,
                        position: source.position(r.line),
                        targets: vec![],
                        outcome: "rejected".into(),
                        reasons: vec![r.reason],
                        warnings: vec![],
                        scim: None,
                    });
                }
                continue;
            }
        };
        let mut outcome = transform(
            program,
            env,
            RowRef::Record(&row.record),
            &row.cell_errors,
            EmptyStrings::Omit,
            &used,
            &mut builder,
        );
        if let Outcome::Pending(p) = outcome {
            outcome = resolve_pending(program, &mut uniques, &mut builder, p);
        }
        if let Outcome::User(u) = &outcome {
            checks.push(row.line, u.external_id(), u.user_name(), u.manager());
        }
        if !selected(sel, rows.len(), row.line, program, &row.record) {
            continue;
        }
        let mut results = Vec::new();
        program.eval_row(env, RowRef::Record(&row.record), &mut results);
        let targets = program
            .targets
            .iter()
            .zip(results.drain(..))
            .map(|(t, (res, redacted))| view(program, t, res, redacted))
            .collect();
        let (name, reasons, scim) = match outcome {
            Outcome::User(u) => ("user", vec![], serde_json::from_slice(u.doc()).ok()),
            Outcome::Rejected(r) => ("rejected", r.into_iter().map(|(_, m)| m).collect(), None),
            Outcome::Skipped => ("skipped", vec![], None),
            Outcome::Pending(_) => ("user", vec![], None),
        };
        rows.push(PreviewRow {
            line: row.line,
            position: source.position(row.line),
            targets,
            outcome: name.into(),
            reasons,
            warnings: vec![],
            scim,
        });
    }
    let verdict = checks.finish();
    for r in &mut rows {
        if let Some(reasons) = verdict.rejected(r.line) {
            r.outcome = "rejected".into();
            r.scim = None;
            r.reasons.extend(reasons.iter().cloned());
        }
        r.warnings.extend(verdict.warnings.iter().filter(|w| w.0 == r.line).map(|w| w.1.clone()));
    }
    Ok(rows)
}

fn view(
    program: &Program,
    t: &crate::check::Target,
    res: Result<Value<'_>, Flow>,
    redacted: bool,
) -> TargetView {
    let columns =
        t.columns.iter().map(|&c| program.columns.get(c).cloned().unwrap_or_default()).collect();
    let (state, value, typed, error) = match res {
        Ok(_) if redacted => (State::Redacted, "[Redact]".to_string(), None, None),
        Ok(v) if v.is_null() => (State::Null, "NULL".to_string(), None, None),
        Ok(v) => (State::Value, v.to_string(), Some(v.to_json()), None),
        Err(Flow::IgnoreAttribute) => (State::Ignored, "(flow ignored)".to_string(), None, None),
        Err(Flow::SkipObject) => (State::Skipped, "(object skipped)".to_string(), None, None),
        Err(Flow::Error(m)) => (State::Error, "ERROR".to_string(), None, Some(m)),
    };
    TargetView { target: t.path.text.clone(), state, value, typed, columns, error }
}

/// The human table: one block per row, one line per target, fitted to `width` columns.
pub fn render_table(rows: &[PreviewRow], width: usize, colour: bool) -> String {
    let paint = |code: &str, s: &str| {
        if colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    for r in rows {
        let head = match r.outcome.as_str() {
            "user" => paint("32", "user"),
            "skipped" => paint("33", "skipped"),
            _ => paint("31", "REJECTED"),
        };
        out.push_str(&format!("{}  {}\n", r.position, head));
        let tw = r.targets.iter().map(|t| t.target.chars().count()).max().unwrap_or(6).min(40);
        let vw = width.saturating_sub(tw + 6).clamp(16, 200);
        for t in &r.targets {
            let marker = match t.state {
                State::Value => " ",
                State::Null => "∅",
                State::Ignored => "-",
                State::Skipped => "!",
                State::Error => "✗",
                State::Redacted => "#",
            };
            let shown = match &t.error {
                Some(e) => format!("ERROR: {e}"),
                None => t.value.clone(),
            };
            let from = if t.columns.is_empty() {
                String::new()
            } else {
                format!("  ← {}", t.columns.join(", "))
            };
            let text = fit(&format!("{shown}{from}"), vw);
            let text = match t.state {
                State::Error => paint("31", &text),
                State::Null | State::Ignored => paint("2", &text),
                _ => text,
            };
            out.push_str(&format!("  {marker} {:<tw$}  {text}\n", fit(&t.target, tw)));
        }
        for reason in &r.reasons {
            out.push_str(&format!("  {} {reason}\n", paint("31", "rejected:")));
        }
        for w in &r.warnings {
            out.push_str(&format!("  {} {w}\n", paint("33", "warning:")));
        }
        out.push('\n');
    }
    if rows.is_empty() {
        out.push_str("no row matched the selection\n");
    }
    out
}

fn fit(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        return s.to_string();
    }
    let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
    t.push('…');
    t
}
