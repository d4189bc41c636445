//! What the job does with each user hr2scim would send: the scoping filter (and the clause that
//! decided), the matching attributes, and every attribute mapping evaluated with hr2scim's
//! evaluator, the job's source attribute names bound to the user's SCIM values. Across the
//! users: values that must be unique but repeat, SelectUniqueValue candidates used up within
//! the file, values too long for the target, users out of scope, functions hr2scim lacks.
//!
//! Offline there is no directory: SelectUniqueValue picks, in input order, the first candidate
//! no earlier in-scope user took ("uniqueness not verified" against the directory). Each user is
//! simulated as the operation Entra would run: a creation, unless the caller knows the account
//! exists (hr2scim's sync state confirmed it), then an update, which writes neither
//! `ObjectAddOnly` mappings nor default values.

use std::collections::HashMap;

use serde::Serialize;

use super::model::{AttributeMapping, SourceKind};
use super::names::{flatten_user, FlatValue};
use super::scope::{self, ScopeResult};
use super::select::JobView;
use crate::check::{compile_expression, ExprProgram};
use crate::eval::{Env, Flow, TraceNode, Value};

/// Targets whose values the directory requires to be unique.
const UNIQUE_TARGETS: &[&str] = &["userPrincipalName", "sAMAccountName", "mail", "mailNickname"];

/// Lengths Active Directory's schema allows, used when the job schema's target attribute has no
/// `MaximumLength` metadata (from AD's schema documentation, not from the job schema API).
const AD_LIMITS: &[(&str, usize)] = &[
    ("sAMAccountName", 20),
    ("cn", 64),
    ("givenName", 64),
    ("sn", 64),
    ("initials", 6),
    ("displayName", 256),
    ("company", 64),
    ("department", 64),
    ("title", 128),
    ("c", 2),
    ("employeeID", 16),
];

/// One attribute mapping, prepared once.
struct Prepared<'a> {
    m: &'a AttributeMapping,
    kind: Option<SourceKind>,
    program: Option<ExprProgram>,
    /// Why the expression cannot be evaluated here (a function hr2scim lacks, a syntax error).
    broken: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "lowercase", tag = "state", content = "value")]
pub enum Outcome {
    Value(String),
    Null,
    /// IgnoreFlowIfNullOrEmpty / IgnoreAttributeFlow: the attribute is not written.
    Ignored,
    /// IgnoreObjectFlow: the user is not provisioned.
    Skipped,
    Error(String),
    /// The expression could not be evaluated offline.
    NotSimulated(String),
    /// The operation does not write this attribute (an update and an `ObjectAddOnly` mapping).
    NotWritten(String),
}

impl Outcome {
    pub fn text(&self) -> String {
        match self {
            Outcome::Value(v) => v.clone(),
            Outcome::Null => "NULL".into(),
            Outcome::Ignored => "(flow ignored)".into(),
            Outcome::Skipped => "(object skipped)".into(),
            Outcome::Error(e) => format!("ERROR: {e}"),
            Outcome::NotSimulated(e) => format!("not simulated: {e}"),
            Outcome::NotWritten(e) => format!("(not written: {e})"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AttributeResult {
    pub target: String,
    /// `Direct`, `Constant`, `Expression` or `None`.
    pub kind: &'static str,
    pub flow_type: String,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The value is written only because the user is created (`ObjectAddOnly`, or the
    /// mapping's default value): an update of the same user would not write it.
    pub create_only: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// What Entra does with a user: create its account, or update the one it has.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Create,
    Update,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UserResult {
    pub line: u64,
    pub external_id: String,
    pub operation: Operation,
    pub in_scope: bool,
    pub scope: String,
    /// `(target, value)` of the matching attributes, lowest priority first.
    pub matching: Vec<(String, Option<String>)>,
    pub attributes: Vec<AttributeResult>,
    /// The evaluation trace of the `--explain` target.
    #[serde(skip)]
    pub trace: Option<Vec<TraceNode>>,
}

/// A file-wide problem, found before the directory finds it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// `duplicate`, `exhausted`, `too-long`, `out-of-scope`, `no-match-value`,
    /// `not-simulated`, `unique-fallback`, `no-flow` (the object mapping's flowTypes lack the
    /// user's operation).
    pub kind: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Simulation {
    pub target_directory: String,
    pub users: Vec<UserResult>,
    pub findings: Vec<Finding>,
}

/// One user to simulate: its line in the input, its SCIM document, and whether its account
/// exists in the directory (an update rather than a creation).
pub struct Input<'a> {
    pub line: u64,
    pub doc: &'a serde_json::Value,
    pub exists: bool,
}

fn prepare<'a>(m: &'a AttributeMapping) -> Prepared<'a> {
    let src = m.source.get();
    let kind = src.and_then(|s| s.kind());
    let (mut program, mut broken) = (None, None);
    if let (Some(SourceKind::Function), Some(s)) = (kind, src) {
        match s.expression.str() {
            None => broken = Some("the Function source has no expression text".into()),
            Some(e) => match compile_expression(e) {
                Ok(p) => program = Some(p),
                Err(diags) => {
                    // E010: not a function hr2scim knows; E015: an app-role function, which
                    // hr2scim leaves out (HR sources have no app roles) but Entra has.
                    let unknown: Vec<String> = diags
                        .iter()
                        .filter_map(|d| match d.code {
                            "E010" => Some(d.message.trim_start_matches("unknown function ")),
                            "E015" => d.message.split(' ').next(),
                            _ => None,
                        })
                        .map(|n| n.trim_matches('\'').to_string())
                        .collect();
                    broken = Some(if unknown.is_empty() {
                        diags.first().map_or("does not compile".into(), |d| d.message.clone())
                    } else {
                        format!("uses {}, which hr2scim does not implement", unknown.join(", "))
                    });
                }
            },
        }
    }
    Prepared { m, kind, program, broken }
}

fn is_create_only(m: &AttributeMapping) -> bool {
    m.flow_type().eq_ignore_ascii_case("ObjectAddOnly")
}

fn flow_note(flow: &str) -> Option<String> {
    match flow.to_ascii_lowercase().as_str() {
        "always" => None,
        "objectaddonly" => Some("ObjectAddOnly: on creation only".into()),
        _ => Some(format!("{flow}: depends on the target's current value")),
    }
}

fn max_length(job: &JobView, target: &str) -> Option<(usize, bool)> {
    if let Some(n) = job.target_attribute(target).and_then(|a| a.metadata("MaximumLength")) {
        return n.trim().parse().ok().map(|n| (n, true));
    }
    let ad = job.target_directory().to_ascii_lowercase().contains("active directory")
        && !job.target_directory().to_ascii_lowercase().contains("azure");
    ad.then(|| {
        AD_LIMITS.iter().find(|(t, _)| t.eq_ignore_ascii_case(target)).map(|(_, n)| (*n, false))
    })
    .flatten()
}

/// Simulate every user; `explain` names a target whose evaluation trace is kept.
pub fn simulate(job: &JobView, env: &Env, users: &[Input], explain: Option<&str>) -> Simulation {
    let prepared: Vec<Prepared> =
        job.mapping.attribute_mappings.items().iter().map(prepare).collect();
    let mut findings = Vec::new();
    for p in &prepared {
        if let Some(why) = &p.broken {
            findings.push(Finding {
                kind: "not-simulated",
                message: format!("the mapping to '{}' {why}", p.m.target_attribute_name),
            });
        }
    }
    let mut matchers: Vec<&Prepared> =
        prepared.iter().filter(|p| p.m.matching().is_some()).collect();
    matchers.sort_by_key(|p| p.m.matching());
    // Per unique target: lower-cased value -> the line that took it.
    let mut taken: HashMap<String, HashMap<String, u64>> = HashMap::new();
    let mut keys: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    for u in users {
        let flat = flatten_user(u.doc);
        let get = |n: &str| {
            flat.iter().find(|(k, _)| k == n).map(|(_, v)| match v {
                FlatValue::One(s) => s.clone(),
                FlatValue::Many(l) => l.join(","),
            })
        };
        let external_id = get("externalId").unwrap_or_default();
        let ScopeResult { in_scope, why } = scope::evaluate(job.mapping, &get);
        let operation = if u.exists { Operation::Update } else { Operation::Create };
        let creates = operation == Operation::Create;
        if !in_scope {
            let fate = if creates {
                "it is not created (an existing account would be disabled)"
            } else {
                "its existing account is disabled"
            };
            findings.push(Finding {
                kind: "out-of-scope",
                message: format!("line {} ({external_id}) is out of scope: {why}; {fate}", u.line),
            });
        } else if !job.mapping.flows(if creates { "Add" } else { "Update" }) {
            findings.push(Finding {
                kind: "no-flow",
                message: format!(
                    "line {} ({external_id}): the job's object mapping does not {} users \
                     (flowTypes '{}')",
                    u.line,
                    operation.as_str(),
                    job.mapping.flow_types.str().unwrap_or_default()
                ),
            });
        }
        let mut attributes = Vec::new();
        let mut trace = None;
        for p in &prepared {
            let target = &p.m.target_attribute_name;
            let want_trace = explain.is_some_and(|e| e.eq_ignore_ascii_case(target));
            // An update never evaluates an ObjectAddOnly mapping (a SelectUniqueValue there
            // would take a value from another user), except a matching one: the job still
            // reads it to find the account.
            if !creates && is_create_only(p.m) && p.m.matching().is_none() {
                attributes.push(AttributeResult {
                    target: target.clone(),
                    kind: kind_of(p),
                    flow_type: p.m.flow_type().to_string(),
                    outcome: Outcome::NotWritten(
                        "ObjectAddOnly applies on creation only; the account keeps its value"
                            .into(),
                    ),
                    create_only: false,
                    notes: Vec::new(),
                });
                continue;
            }
            let (mut outcome, mut notes, unique) = evaluate(p, env, &flat, want_trace, &mut trace);
            let mut create_only = creates && is_create_only(p.m);
            if creates {
                notes.extend(flow_note(p.m.flow_type()));
            } else if is_create_only(p.m) {
                notes.push("matching attribute: read to find the account, not written".into());
            } else if !p.m.flow_type().eq_ignore_ascii_case("Always") {
                notes.extend(flow_note(p.m.flow_type()));
            }
            if outcome == Outcome::Null {
                if let Some(d) = p.m.default_value.str() {
                    if creates {
                        outcome = Outcome::Value(d.to_string());
                        create_only = true;
                        notes.push("defaultValue (on creation only)".into());
                    } else {
                        notes.push(format!(
                            "defaultValue '{d}' applies on creation only, not on this update"
                        ));
                    }
                }
            }
            if let Some(candidates) = unique {
                let seen = taken.entry(target.clone()).or_default();
                let free = candidates.iter().position(|c| !seen.contains_key(&c.to_lowercase()));
                outcome = match free {
                    Some(i) => {
                        if i > 0 && in_scope {
                            let first = &candidates[0];
                            findings.push(Finding {
                                kind: "unique-fallback",
                                message: format!(
                                    "line {}: {target} '{first}' is taken by line {}, so \
                                     SelectUniqueValue gives candidate {} '{}'",
                                    u.line,
                                    seen.get(&first.to_lowercase()).copied().unwrap_or(0),
                                    i + 1,
                                    candidates[i]
                                ),
                            });
                        }
                        notes.push("uniqueness not verified in the directory".into());
                        Outcome::Value(candidates[i].clone())
                    }
                    None => {
                        if in_scope {
                            findings.push(Finding {
                                kind: "exhausted",
                                message: format!(
                                    "line {}: every SelectUniqueValue candidate for {target} is \
                                     already taken in this file ({}): the creation fails",
                                    u.line,
                                    candidates.join(", ")
                                ),
                            });
                        }
                        Outcome::Error("every candidate is taken in this file".into())
                    }
                };
                if in_scope {
                    if let Outcome::Value(v) = &outcome {
                        seen.insert(v.to_lowercase(), u.line);
                    }
                }
            } else if in_scope && UNIQUE_TARGETS.iter().any(|t| t.eq_ignore_ascii_case(target)) {
                if let Outcome::Value(v) = &outcome {
                    let seen = taken.entry(target.clone()).or_default();
                    match seen.get(&v.to_lowercase()) {
                        Some(first) => findings.push(Finding {
                            kind: "duplicate",
                            message: format!(
                                "{target} '{v}' of line {} is also line {first}'s: the \
                                 directory refuses the second account",
                                u.line
                            ),
                        }),
                        None => {
                            seen.insert(v.to_lowercase(), u.line);
                        }
                    }
                }
            }
            if let (true, Outcome::Value(v), Some((max, from_schema))) =
                (in_scope, &outcome, max_length(job, target))
            {
                let n = v.encode_utf16().count();
                if n > max {
                    let src =
                        if from_schema { "the job schema's MaximumLength" } else { "AD's limit" };
                    findings.push(Finding {
                        kind: "too-long",
                        message: format!(
                            "line {}: {target} '{v}' is {n} characters; {src} is {max}",
                            u.line
                        ),
                    });
                    notes.push(format!("longer than {max}"));
                }
            }
            attributes.push(AttributeResult {
                target: target.clone(),
                kind: kind_of(p),
                flow_type: p.m.flow_type().to_string(),
                outcome,
                create_only,
                notes,
            });
        }
        let matching: Vec<(String, Option<String>)> = matchers
            .iter()
            .map(|p| {
                let v = attributes.iter().find(|a| a.target == p.m.target_attribute_name).and_then(
                    |a| match &a.outcome {
                        Outcome::Value(v) if !v.is_empty() => Some(v.clone()),
                        _ => None,
                    },
                );
                (p.m.target_attribute_name.clone(), v)
            })
            .collect();
        if in_scope && !matchers.is_empty() {
            match matching.iter().find_map(|(t, v)| v.as_ref().map(|v| (t, v))) {
                None => findings.push(Finding {
                    kind: "no-match-value",
                    message: format!(
                        "line {}: no matching attribute has a value, so Entra can neither find \
                         nor create the account",
                        u.line
                    ),
                }),
                Some((t, v)) => {
                    if let Some(first) = keys.insert(format!("{t}\u{0}{v}"), u.line) {
                        findings.push(Finding {
                            kind: "duplicate",
                            message: format!(
                                "matching attribute {t} '{v}' of line {} is also line {first}'s: \
                                 both users would be matched to one account",
                                u.line
                            ),
                        });
                    }
                }
            }
        }
        out.push(UserResult {
            line: u.line,
            external_id,
            operation,
            in_scope,
            scope: why,
            matching,
            attributes,
            trace,
        });
    }
    Simulation { target_directory: job.target_directory().to_string(), users: out, findings }
}

fn kind_of(p: &Prepared) -> &'static str {
    match p.kind {
        None if p.m.source.get().is_none() => "None",
        None => "Unknown",
        Some(k) => k.as_str(),
    }
}

type Evaluated = (Outcome, Vec<String>, Option<Vec<String>>);

/// One mapping for one user: the outcome, notes, and the candidates of a SelectUniqueValue.
fn evaluate(
    p: &Prepared,
    env: &Env,
    flat: &[(String, FlatValue)],
    want_trace: bool,
    trace: &mut Option<Vec<TraceNode>>,
) -> Evaluated {
    let lookup = |n: &str| flat.iter().find(|(k, _)| k == n).map(|(_, v)| v);
    let Some(src) = p.m.source.get() else {
        return (Outcome::Null, vec!["no source".into()], None);
    };
    match p.kind {
        None => {
            (Outcome::NotSimulated(format!("unknown source type {:?}", src.kind)), vec![], None)
        }
        Some(SourceKind::Constant) => {
            (Outcome::Value(src.name.str().unwrap_or_default().to_string()), vec![], None)
        }
        Some(SourceKind::Attribute) => {
            let name = src.name.str().unwrap_or_default();
            match lookup(name) {
                Some(FlatValue::One(s)) => (Outcome::Value(s.clone()), vec![], None),
                Some(FlatValue::Many(l)) => (Outcome::Value(l.join(", ")), vec![], None),
                None => (Outcome::Null, vec![], None),
            }
        }
        Some(SourceKind::Function) => {
            let Some(prog) = &p.program else {
                let why = p.broken.clone().unwrap_or_default();
                return (Outcome::NotSimulated(why), vec![], None);
            };
            let values: Vec<(String, Value<'static>)> = prog
                .columns
                .iter()
                .filter_map(|c| {
                    let v = match lookup(c)? {
                        FlatValue::One(s) => Value::Str(s.clone().into()),
                        FlatValue::Many(l) => {
                            Value::List(l.iter().map(|s| Value::Str(s.clone().into())).collect())
                        }
                    };
                    Some((c.clone(), v))
                })
                .collect();
            let row = prog.row(&values);
            if want_trace {
                *trace = Some(prog.explain(env, &row).1);
            }
            match prog.eval(env, &row) {
                Ok(v) if prog.unique => {
                    let c: Vec<String> = v.into_items().iter().map(|v| v.to_string()).collect();
                    if c.is_empty() {
                        (Outcome::Null, vec![], None)
                    } else {
                        (Outcome::Null, vec![], Some(c))
                    }
                }
                Ok(v) if v.is_null() => (Outcome::Null, vec![], None),
                Ok(v) => (Outcome::Value(v.to_string()), vec![], None),
                Err(Flow::IgnoreAttribute) => (Outcome::Ignored, vec![], None),
                Err(Flow::SkipObject) => (Outcome::Skipped, vec![], None),
                Err(Flow::Error(m)) => (Outcome::Error(m), vec![], None),
            }
        }
    }
}
