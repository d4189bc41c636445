//! One row to one outcome: evaluate every target, coerce each value to its SCIM type straight
//! into the per-thread User builder, then check the document. Runs on worker threads; everything
//! it reads is shared and immutable.

use crate::check::Program;
use crate::eval::{Env, Flow, RowRef, Value};
use crate::input::CellError;
use crate::scim::KeyHashes;
use crate::scim::UserBuilder;

/// How empty strings produced by expressions are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EmptyStrings {
    /// Leave the attribute out of the document (the default: Entra would clear it).
    #[default]
    Omit,
    /// Send `""`.
    Send,
}

/// A finished user, ready for cross-row checks and batching: the compact SCIM User JSON followed
/// by the externalId, userName and manager it holds, in one allocation.
pub struct UserDoc {
    buf: Vec<u8>,
    /// Where the document, the externalId and the userName end; the manager follows.
    ends: [usize; 3],
    has_manager: bool,
    /// The document's state digest, when a delta run had the worker compute it.
    digest: Option<u64>,
    /// The cross-row tables' hashes of the keys, computed by the worker.
    hashes: KeyHashes,
}

impl UserDoc {
    fn text(&self, from: usize, to: usize) -> &str {
        std::str::from_utf8(&self.buf[from..to]).expect(
            "`finish` appends after the document only the text of strings the builder wrote from \
             Rust strings, cut at their ends",
        )
    }

    /// The externalId, userName and manager, checked as UTF-8 together: the intake wants all
    /// three, and one check of their bytes costs about what one check per key did.
    pub fn keys(&self) -> (&str, &str, Option<&str>) {
        let base = self.ends[0];
        let all = self.text(base, self.buf.len());
        let cut = |from: usize, to: usize| {
            all.get(from - base..to - base).expect("`finish` cuts the keys at the ends of strings")
        };
        let manager = self.has_manager.then(|| cut(self.ends[2], self.buf.len()));
        (cut(self.ends[0], self.ends[1]), cut(self.ends[1], self.ends[2]), manager)
    }

    /// The SCIM User as compact JSON.
    pub fn doc(&self) -> &[u8] {
        &self.buf[..self.ends[0]]
    }

    pub fn external_id(&self) -> &str {
        self.text(self.ends[0], self.ends[1])
    }

    pub fn key_hashes(&self) -> &KeyHashes {
        &self.hashes
    }

    pub fn user_name(&self) -> &str {
        self.text(self.ends[1], self.ends[2])
    }

    pub fn manager(&self) -> Option<&str> {
        self.has_manager.then(|| self.text(self.ends[2], self.buf.len()))
    }

    /// Compute the delta-state digest now (on a worker thread, where SHA-256 over every document
    /// runs in parallel).
    pub fn compute_digest(&mut self) {
        self.digest = Some(crate::state::doc_hash(self.doc()));
    }

    /// The buffer, for the next document to reuse; this document is empty afterwards.
    pub fn take_buffer(&mut self) -> Vec<u8> {
        self.ends = [0; 3];
        self.has_manager = false;
        std::mem::take(&mut self.buf)
    }

    /// The delta-state digest of the document.
    pub fn digest(&self) -> u64 {
        self.digest.unwrap_or_else(|| crate::state::doc_hash(self.doc()))
    }
}

/// A user whose SelectUniqueValue targets still have to be chosen, in input order.
pub struct Pending {
    pub values: Vec<(usize, Value<'static>)>,
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
            reasons.push((
                "error cell".into(),
                format!("cell {} holds the error {}", ce.address, ce.error),
            ));
        }
    }
    if !reasons.is_empty() {
        return Outcome::Rejected(reasons);
    }
    let unique = program.targets.iter().any(|t| t.unique);
    let mut pending: Vec<(usize, Value<'static>)> = Vec::new();
    let mut candidates = Vec::new();
    builder.reset();
    // Each value goes into the builder as soon as it is computed: no per-row list of results.
    // Targets are evaluated in schema order, so the builder need not sort the document; the
    // outcome does not depend on the order (lets are pure, a skip wins whatever came before).
    let mut cx = program.cx(env, row);
    let mut failed = Vec::new();
    for &i in &program.schema_order {
        let t = &program.targets[i];
        match cx.eval(&t.node) {
            Err(Flow::SkipObject) => return Outcome::Skipped,
            Err(Flow::IgnoreAttribute) => {}
            Err(Flow::Error(m)) => {
                failed.push((i, t.path.text.clone(), format!("{}: {m}", t.path.text)))
            }
            Ok(Value::Null) => {}
            Ok(Value::Str(s)) if s.is_empty() && empty == EmptyStrings::Omit => {}
            Ok(v) if t.unique => {
                let c: Vec<String> = v
                    .into_items()
                    .into_iter()
                    .map(|x| x.to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                candidates.push((i, c));
            }
            Ok(v) if unique => pending.push((i, v.into_owned())),
            Ok(v) => {
                if let Err(e) = builder.set_value_as(&t.resolved, &v, i as u32) {
                    failed.push((i, t.path.text.clone(), e));
                }
            }
        }
    }
    if !failed.is_empty() {
        // Reasons are listed in mapping order.
        failed.sort_by_key(|f| f.0);
        return Outcome::Rejected(failed.into_iter().map(|(_, c, m)| (c, m)).collect());
    }
    if unique {
        return Outcome::Pending(Pending { values: pending, candidates });
    }
    finish(program, builder)
}

/// Check the document in the builder and take it out.
pub fn finish(program: &Program, builder: &mut UserBuilder) -> Outcome {
    let problems = builder.check();
    if !problems.is_empty() {
        return Outcome::Rejected(problems.into_iter().map(|p| (category(&p), p)).collect());
    }
    // Sized for the document and its keys, so it is allocated once.
    let hint = builder.size_hint();
    // A spent buffer handed back by the intake when there is one: no allocation per row.
    let mut buf = builder.take_buffer();
    buf.clear();
    buf.reserve(hint + 128);
    builder.write_doc(&mut buf);
    debug_assert!(buf.len() <= hint, "size_hint {hint} < document {}", buf.len());
    // The keys follow the document, copied straight from the builder.
    let key = |k: Option<usize>, buf: &mut Vec<u8>| {
        k.is_some_and(|i| builder.append_str(&program.targets[i].resolved, buf))
    };
    let mut ends = [buf.len(), 0, 0];
    key(program.keys.external_id, &mut buf);
    ends[1] = buf.len();
    key(program.keys.user_name, &mut buf);
    ends[2] = buf.len();
    let has_manager = key(program.keys.manager, &mut buf);
    builder.reset();
    let mut doc = UserDoc { buf, ends, has_manager, digest: None, hashes: KeyHashes::default() };
    let (external_id, user_name, manager) = doc.keys();
    doc.hashes = KeyHashes::of(external_id, user_name, manager);
    Outcome::User(doc)
}

/// Assemble a pending user once its unique values are chosen (`chosen` holds them as values).
pub fn assemble(
    program: &Program,
    builder: &mut UserBuilder,
    values: &[(usize, Value<'_>)],
) -> Outcome {
    builder.reset();
    let mut reasons = Vec::new();
    for (i, v) in values {
        let t = &program.targets[*i];
        if let Err(e) = builder.set_value(&t.resolved, v) {
            reasons.push((t.path.text.clone(), e));
        }
    }
    if !reasons.is_empty() {
        return Outcome::Rejected(reasons);
    }
    finish(program, builder)
}

/// The summary groups reasons by the attribute they name (the text before the first ':').
fn category(reason: &str) -> String {
    let head = reason.split(':').next().unwrap_or(reason);
    head.split_whitespace().next().unwrap_or(head).to_string()
}

#[cfg(test)]
#[path = "transform_tests.rs"]
mod tests;
