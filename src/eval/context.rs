//! Evaluating compiled expressions against one row: the row view, the per-row context with its
//! `let` cache, the lazy argument interface functions see, and the optional explain trace.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::env::{EmptyCells, Env};
use super::node::{Keyword, Node};
use super::trace::Trace;
use super::value::{fail, EvalResult, Flow, Value};
use crate::input::Record;
use crate::syntax::ast::CompareOp;

/// The row an expression reads. CSV and spreadsheet rows arrive as [`Record`]s; `eval --set`
/// and test blocks can also give typed values (lists for multi-valued columns).
#[derive(Clone, Copy)]
pub enum RowRef<'r> {
    Record(&'r Record),
    Values(&'r [Value<'static>]),
}

impl<'r> RowRef<'r> {
    fn get(&self, idx: usize, empty: EmptyCells) -> Value<'r> {
        match *self {
            RowRef::Record(rec) => match rec.get(idx) {
                None => Value::Null,
                Some("") if empty == EmptyCells::Null => Value::Null,
                Some(s) => Value::Str(Cow::Borrowed(s)),
            },
            RowRef::Values(vals) => match vals.get(idx) {
                None => Value::Null,
                Some(Value::Str(s)) if s.is_empty() && empty == EmptyCells::Null => Value::Null,
                Some(Value::Str(s)) => Value::Str(Cow::Borrowed(s.as_ref())),
                Some(v) => v.clone(),
            },
        }
    }
}

/// Lets whose per-row state lives inside the context itself: no allocation per row for
/// mappings with up to this many `let`s (more go to a vector).
const INLINE_LETS: usize = 6;

/// The per-row state of one `let`.
enum LetSlot<'r> {
    Empty,
    /// Evaluated; `reads_left` more references may read it (`u32::MAX` when unknown).
    Cached {
        value: EvalResult<'r>,
        reads_left: u32,
    },
    /// Its last expected reader took the value.
    Spent,
}

/// Everything an evaluation of one row needs. Created per row; cheap.
pub struct RowContext<'p, 'r> {
    pub env: &'p Env,
    pub row: RowRef<'r>,
    lets: &'p [Node],
    columns: &'p [String],
    let_names: &'p [String],
    /// How many places read each `let` (see [`RowContext::with_let_uses`]); empty when unknown.
    let_uses: &'p [u32],
    cache: [LetSlot<'r>; INLINE_LETS],
    more: Vec<LetSlot<'r>>,
    /// Set when a `Redact` call ran: previews and logs show `[Redact]` for the target.
    pub redacted: bool,
    pub trace: Option<Trace>,
}

impl<'p: 'r, 'r> RowContext<'p, 'r> {
    pub fn new(
        env: &'p Env,
        row: RowRef<'r>,
        lets: &'p [Node],
        let_names: &'p [String],
        columns: &'p [String],
    ) -> Self {
        RowContext {
            env,
            row,
            lets,
            columns,
            let_names,
            let_uses: &[],
            cache: std::array::from_fn(|_| LetSlot::Empty),
            more: Vec::new(),
            redacted: false,
            trace: None,
        }
    }

    /// Tell the context how many `$name` references each `let` has in the program. A let read
    /// once is then never cached or cloned, and the last read of a cached value moves it out
    /// instead of cloning it.
    pub fn with_let_uses(mut self, uses: &'p [u32]) -> Self {
        self.let_uses = uses;
        self
    }

    /// Turn on the explain trace.
    pub fn with_trace(mut self) -> Self {
        self.trace = Some(Trace::default());
        self
    }

    pub fn column_name(&self, idx: usize) -> &str {
        self.columns.get(idx).map(String::as_str).unwrap_or("?")
    }

    /// Raw column value, with the run's empty-cell policy applied.
    pub fn column(&self, idx: usize) -> Value<'r> {
        self.row.get(idx, self.env.empty_cells)
    }

    /// Evaluate one node.
    pub fn eval(&mut self, node: &'p Node) -> EvalResult<'r> {
        if self.trace.is_some() {
            return self.eval_traced(node);
        }
        self.eval_plain(node)
    }

    fn eval_plain(&mut self, node: &'p Node) -> EvalResult<'r> {
        match node {
            Node::Str(s) => Ok(Value::Str(Cow::Borrowed(s))),
            Node::Int(i) => Ok(Value::Int(*i)),
            Node::Dec(d) => Ok(Value::Dec(*d)),
            Node::Column(i) => Ok(self.column(*i)),
            Node::Keyword(k) => match k {
                Keyword::IgnoreAttributeFlow => Err(Flow::IgnoreAttribute),
                Keyword::IgnoreObjectFlow => Err(Flow::SkipObject),
                other => Ok(Value::Str(Cow::Borrowed(other.name()))),
            },
            Node::Let(i) => self.eval_let(*i),
            Node::Compare(c) => {
                let (op, l, r) = (c.0, &c.1, &c.2);
                let l = self.eval(l)?;
                let r = self.eval(r)?;
                Ok(Value::Bool(compare(op, &l, &r)))
            }
            Node::Call(c) => {
                let mut call = Call { args: &c.args, prepared: c.prepared.as_deref(), cx: self };
                c.func.eval(&mut call)
            }
        }
    }

    fn slot(&mut self, i: usize) -> &mut LetSlot<'r> {
        if i < INLINE_LETS {
            return &mut self.cache[i];
        }
        let k = i - INLINE_LETS;
        if self.more.len() <= k {
            self.more.resize_with(k + 1, || LetSlot::Empty);
        }
        &mut self.more[k]
    }

    fn eval_let(&mut self, i: usize) -> EvalResult<'r> {
        match std::mem::replace(self.slot(i), LetSlot::Empty) {
            LetSlot::Cached { value, reads_left: 1 } => return value,
            LetSlot::Cached { value, reads_left } => {
                let out = value.clone();
                *self.slot(i) = LetSlot::Cached { value, reads_left: reads_left - 1 };
                return out;
            }
            // Read more often than the program says (a function reading an argument twice):
            // evaluate again rather than guess.
            LetSlot::Empty | LetSlot::Spent => {}
        }
        let value = self.eval(&self.lets[i]);
        // Unknown use counts behave as "many": cache and clone, as without the hint.
        let reads_left = self.let_uses.get(i).map_or(u32::MAX, |n| n.saturating_sub(1));
        if reads_left == 0 {
            *self.slot(i) = LetSlot::Spent;
            return value;
        }
        *self.slot(i) = LetSlot::Cached { value: value.clone(), reads_left };
        value
    }

    fn eval_traced(&mut self, node: &'p Node) -> EvalResult<'r> {
        let label = match node {
            Node::Column(i) => format!("[{}]", self.column_name(*i)),
            Node::Let(i) => {
                format!("${}", self.let_names.get(*i).map(String::as_str).unwrap_or("?"))
            }
            Node::Call(c) => format!("{}()", c.func.spec().name),
            Node::Compare(c) => format!("{} comparison", c.0.as_str()),
            other => format!("{other:?}"),
        };
        if let Some(t) = self.trace.as_mut() {
            t.enter(label);
        }
        let out = self.eval_plain(node);
        if let Some(t) = self.trace.as_mut() {
            t.leave(&out);
        }
        out
    }

    /// Record a note on the innermost traced call ("took the true branch", "mode 4").
    pub fn note(&mut self, msg: impl FnOnce() -> String) {
        if let Some(t) = self.trace.as_mut() {
            t.note(msg());
        }
    }

    /// The first column read by `node` (through `let`s too) whose value is NULL or empty: what
    /// makes a strict IIF condition fail (reference A3).
    pub fn empty_column_in(&self, node: &'p Node) -> Option<String> {
        let mut cols = Vec::new();
        let mut seen_lets = Vec::new();
        self.collect_columns(node, &mut cols, &mut seen_lets);
        cols.into_iter()
            .find(|c| self.row.get(*c, EmptyCells::Null).is_null_or_empty())
            .map(|c| self.column_name(c).to_string())
    }

    fn collect_columns(&self, node: &'p Node, cols: &mut Vec<usize>, seen: &mut Vec<usize>) {
        node.columns(cols);
        let mut lets = Vec::new();
        node.lets(&mut lets);
        for l in lets {
            if !seen.contains(&l) {
                seen.push(l);
                self.collect_columns(&self.lets[l], cols, seen);
            }
        }
    }
}

/// Comparison inside IIF and CBool: numeric when both sides are numbers (or numeric strings),
/// dates as dates, otherwise ordinal string comparison (reference A19); NULL compares as `""`.
pub fn compare(op: CompareOp, l: &Value<'_>, r: &Value<'_>) -> bool {
    let ord = match (l, r) {
        (Value::Date(a), Value::Date(b)) => a.cmp(b),
        _ => match (l.as_f64(), r.as_f64()) {
            (Some(a), Some(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
            _ => l.as_text().as_ref().cmp(r.as_text().as_ref()),
        },
    };
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
    }
}

/// What a function sees of its call: lazy access to argument slots, prepared state, the run's
/// environment and the trace.
pub struct Call<'c, 'p, 'r> {
    args: &'p [Option<Node>],
    prepared: Option<&'p (dyn std::any::Any + Send + Sync)>,
    cx: &'c mut RowContext<'p, 'r>,
}

impl<'c, 'p: 'r, 'r> Call<'c, 'p, 'r> {
    /// Number of slots written, blank ones included.
    pub fn len(&self) -> usize {
        self.args.len()
    }

    pub fn is_empty(&self) -> bool {
        self.args.is_empty()
    }

    /// True when slot `i` exists and is not blank (`""` counts as given).
    pub fn is_given(&self, i: usize) -> bool {
        matches!(self.args.get(i), Some(Some(_)))
    }

    /// The compiled node in slot `i` (None when blank or absent).
    pub fn node(&self, i: usize) -> Option<&'p Node> {
        self.args.get(i).and_then(|a| a.as_ref())
    }

    /// Evaluate slot `i`; `None` when the slot is blank or absent.
    pub fn arg(&mut self, i: usize) -> Result<Option<Value<'r>>, Flow> {
        match self.node(i) {
            None => Ok(None),
            Some(n) => self.cx.eval(n).map(Some),
        }
    }

    /// Evaluate slot `i`, a blank slot being NULL.
    pub fn value(&mut self, i: usize) -> EvalResult<'r> {
        Ok(self.arg(i)?.unwrap_or(Value::Null))
    }

    /// Evaluate slot `i` as text (NULL and blank are `""`).
    pub fn text(&mut self, i: usize) -> Result<Cow<'r, str>, Flow> {
        Ok(self.value(i)?.into_text())
    }

    /// Evaluate slot `i` as an integer; `None` when blank. Names the parameter in the error.
    pub fn int(&mut self, i: usize, param: &str) -> Result<Option<i64>, Flow> {
        match self.arg(i)? {
            None => Ok(None),
            Some(v) => match v.as_i64() {
                Some(n) => Ok(Some(n)),
                None => fail(format!("{param} must be a whole number, got {} '{}'", v.kind(), v)),
            },
        }
    }

    /// The state `Function::prepare` returned for this call site.
    pub fn prepared<T: 'static>(&self) -> Option<&'p T> {
        self.prepared.and_then(|p| p.downcast_ref::<T>())
    }

    pub fn env(&self) -> &'p Env {
        self.cx.env
    }

    /// Mark the current target's value as redacted for display.
    pub fn redact(&mut self) {
        self.cx.redacted = true;
    }

    /// Whether an explain trace is being recorded (a function may then skip a shortcut, so the
    /// trace shows every argument it evaluates).
    pub fn tracing(&self) -> bool {
        self.cx.trace.is_some()
    }

    /// A note for the explain trace; the closure runs only when tracing.
    pub fn note(&mut self, msg: impl FnOnce() -> String) {
        self.cx.note(msg)
    }

    /// The first NULL/empty column read by slot `i` (strict IIF).
    pub fn empty_column_in(&self, i: usize) -> Option<String> {
        self.node(i).and_then(|n| self.cx.empty_column_in(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn let_reads_beyond_the_counted_uses_still_see_the_value() {
        let env = Env::default();
        let lets = vec![Node::Column(0), Node::Str("k".into())];
        let names = vec!["a".to_string(), "b".to_string()];
        let columns = vec!["x".to_string()];
        let row = [Value::str("v")];
        // `a` is declared as read once, `b` twice; read each three times.
        let uses = [1, 2];
        let mut cx = RowContext::new(&env, RowRef::Values(&row), &lets, &names, &columns)
            .with_let_uses(&uses);
        let reads: Vec<String> = (0..3)
            .flat_map(|_| [0, 1])
            .map(|i| cx.eval_let(i).map(|v| v.to_string()).unwrap_or_default())
            .collect();
        assert_eq!(reads, ["v", "k", "v", "k", "v", "k"]);
        // Without use counts every read is served from the cache.
        let mut cx = RowContext::new(&env, RowRef::Values(&row), &lets, &names, &columns);
        assert_eq!(cx.eval_let(0).map(|v| v.to_string()).ok().as_deref(), Some("v"));
        assert!(
            matches!(cx.cache[0], LetSlot::Cached { reads_left, .. } if reads_left == u32::MAX)
        );
        assert_eq!(cx.eval_let(0).map(|v| v.to_string()).ok().as_deref(), Some("v"));
    }

    #[test]
    fn lets_past_the_inline_slots_are_cached_too() {
        let env = Env::default();
        let n = INLINE_LETS + 3;
        let lets: Vec<Node> = (0..n).map(|i| Node::Str(format!("v{i}").into())).collect();
        let names: Vec<String> = (0..n).map(|i| format!("l{i}")).collect();
        let uses = vec![2; n];
        let mut cx =
            RowContext::new(&env, RowRef::Values(&[]), &lets, &names, &[]).with_let_uses(&uses);
        for round in 0..3 {
            for i in (0..n).rev() {
                let v = cx.eval_let(i).map(|v| v.to_string()).unwrap_or_default();
                assert_eq!(v, format!("v{i}"), "round {round}");
            }
        }
        assert_eq!(cx.more.len(), 3);
    }
}
