//! The one trait every built-in function implements, and the metadata the checker, the
//! `functions` command and the example tests read from it. It lives in `eval` because call
//! nodes hold a `&dyn Function`: built-ins depend on eval, never the reverse.

use std::any::Any;

use super::{Call, EvalResult, Node};

/// What a parameter accepts, as far as can be told before a row is seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// Any value (strings, numbers, dates, lists).
    Any,
    /// Text; numbers are rendered.
    Str,
    /// An integer; numeric strings are accepted, as Entra does (`Mid(x, "1", "1")`).
    Int,
    /// A DateTime (from CDate, Now, DateAdd, DateFromNum) or a date string.
    Date,
    /// A multi-valued attribute (or any value, taken as a list of one).
    List,
    /// A bare keyword such as `vbTextCompare`.
    Keyword,
    /// A condition: a comparison or a boolean-valued call.
    Condition,
}

/// One parameter of a function, for arity checks and documentation.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub kind: ParamKind,
    pub optional: bool,
    /// The last parameter may repeat (Join's sources, Coalesce's sources).
    pub repeats: bool,
    pub doc: &'static str,
}

impl Param {
    pub const fn req(name: &'static str, kind: ParamKind, doc: &'static str) -> Param {
        Param { name, kind, optional: false, repeats: false, doc }
    }
    pub const fn opt(name: &'static str, kind: ParamKind, doc: &'static str) -> Param {
        Param { name, kind, optional: true, repeats: false, doc }
    }
    pub const fn many(name: &'static str, kind: ParamKind, doc: &'static str) -> Param {
        Param { name, kind, optional: false, repeats: true, doc }
    }
}

/// What an example must produce.
#[derive(Debug, Clone, Copy)]
pub enum Expected {
    /// The value rendered as Entra renders it (see `Value`'s `Display`).
    Text(&'static str),
    /// The typed value as JSON (`["a","b"]`, `7`, `true`, `null`).
    Json(&'static str),
    /// `IgnoreFlowIfNullOrEmpty` and friends: the attribute does not flow.
    Ignored,
    /// The object is skipped.
    Skipped,
    /// Evaluation fails with a message containing this text.
    Error(&'static str),
}

/// A documented example, run as a test through the registry.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    pub expr: &'static str,
    /// Column values; a column not listed is NULL.
    pub columns: &'static [(&'static str, &'static str)],
    pub expected: Expected,
    /// Where it comes from (`REF`, `REF-LIVE`, `§9 correction: ...`).
    pub note: &'static str,
}

/// Everything static about a function.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub name: &'static str,
    /// One line, shown by `hr2scim functions`.
    pub summary: &'static str,
    /// Longer text: semantics, edge cases, the reading taken where Microsoft's docs are unclear.
    pub doc: &'static str,
    pub params: &'static [Param],
    /// Fewest and most argument slots (blank slots count). `None` means unbounded.
    pub min_args: usize,
    pub max_args: Option<usize>,
    /// SelectUniqueValue: must be the whole expression of a target.
    pub top_level_only: bool,
    pub examples: &'static [Example],
}

/// State prepared once per call site at compile time (a compiled regex, a parsed format).
pub type Prepared = Box<dyn Any + Send + Sync>;

impl Spec {
    /// `Replace(source, oldValue?, …)`: optional parameters end in `?`, repeating ones in `…`.
    pub fn signature(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| match (p.optional, p.repeats) {
                (_, true) => format!("{}…", p.name),
                (true, _) => format!("{}?", p.name),
                _ => p.name.to_string(),
            })
            .collect();
        format!("{}({})", self.name, params.join(", "))
    }
}

/// Why a call site cannot compile; `arg` points at the offending argument when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct PrepareError {
    pub arg: Option<usize>,
    pub message: String,
}

impl PrepareError {
    pub fn at(arg: usize, message: impl Into<String>) -> Self {
        PrepareError { arg: Some(arg), message: message.into() }
    }
    pub fn call(message: impl Into<String>) -> Self {
        PrepareError { arg: None, message: message.into() }
    }
}

/// A built-in function. Implementations are unit structs registered in `functions::all()`.
pub trait Function: Send + Sync + 'static {
    fn spec(&self) -> &'static Spec;

    /// Check literal arguments and prepare what can be prepared once. `args[i]` is `None` for a
    /// blank slot. Called after the arity check.
    fn prepare(&self, args: &[Option<&Node>]) -> Result<Option<Prepared>, PrepareError> {
        let _ = args;
        Ok(None)
    }

    /// Evaluate one call for one row. Arguments are evaluated on demand through `call`, which is
    /// what makes IIF and Switch lazy.
    fn eval<'p: 'r, 'r>(&self, call: &mut Call<'_, 'p, 'r>) -> EvalResult<'r>;

    /// True when a call yields candidates rather than the value (SelectUniqueValue): the
    /// pipeline then picks, per target, the first candidate not yet taken.
    fn yields_unique_candidates(&self) -> bool {
        false
    }

    /// A shortened form with `args` arguments that Microsoft's guides print but the provisioning
    /// service rejects: the index of the slot left out (which must be written, even blank) and
    /// why the form circulates. The checker refuses such a call and shows it with the slot.
    fn omitted_slot(&self, args: usize) -> Option<(usize, &'static str)> {
        let _ = args;
        None
    }
}

/// The literal text of an argument when it is a string literal (for compile-time preparation).
pub fn literal_str(arg: Option<&Node>) -> Option<&str> {
    match arg {
        Some(Node::Str(s)) => Some(s),
        _ => None,
    }
}

/// The literal of an argument when it is a number or numeric string.
pub fn literal_int(arg: Option<&Node>) -> Option<i64> {
    match arg {
        Some(Node::Int(i)) => Some(*i),
        Some(Node::Str(s)) => s.trim().parse().ok(),
        _ => None,
    }
}
