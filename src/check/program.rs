//! The compiled mapping: immutable, `Send + Sync`, shared by every worker thread. Evaluating a
//! row walks its nodes with a fresh per-row context.

use crate::eval::{Env, EvalResult, Node, RowContext, RowRef, TraceNode, Value};
use crate::schema::{ResolvedTarget, Schema, CORE_USER_URN, ENTERPRISE_USER_URN};
use crate::syntax::ast::{Span, TargetPath, TestBlock};

/// One `TARGET = EXPR` line, compiled.
pub struct Target {
    pub path: TargetPath,
    pub span: Span,
    pub resolved: ResolvedTarget,
    pub node: Node,
    /// The expression is a top-level SelectUniqueValue: it yields candidates, and the pipeline
    /// picks the first one not yet used, in input order.
    pub unique: bool,
    /// Column indices read, directly or through `let`s (for previews and unused-column checks).
    pub columns: Vec<usize>,
}

/// Where the targets that cross-row checks need are, if the mapping has them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct KeyTargets {
    pub external_id: Option<usize>,
    pub user_name: Option<usize>,
    pub manager: Option<usize>,
}

impl KeyTargets {
    pub fn find(targets: &[Target]) -> KeyTargets {
        let pos = |urn: &str, attr: &str, sub: Option<&str>| {
            targets.iter().position(|t| {
                t.resolved.urn == urn && t.resolved.attr == attr && t.resolved.sub.as_deref() == sub
            })
        };
        KeyTargets {
            external_id: pos(CORE_USER_URN, "externalId", None),
            user_name: pos(CORE_USER_URN, "userName", None),
            manager: pos(ENTERPRISE_USER_URN, "manager", Some("value")),
        }
    }
}

pub struct Program {
    /// Column names; `Node::Column(i)` reads `columns[i]`. When the input's headers were known at
    /// compile time this *is* the header list, so a record is read without remapping.
    pub columns: Vec<String>,
    pub let_names: Vec<String>,
    pub lets: Vec<Node>,
    /// References to each let in the whole program (lets the evaluator avoid clones).
    pub let_uses: Vec<u32>,
    pub targets: Vec<Target>,
    /// Target indices in the order their attributes appear in a document (declaration order
    /// among equals): evaluated in this order, a row's values reach the builder already sorted.
    pub schema_order: Vec<usize>,
    pub schema: Schema,
    pub keys: KeyTargets,
    pub tests: Vec<TestBlock>,
    /// sha256 of the mapping text: delta state resends everything when it changes.
    pub hash: String,
}

impl Program {
    /// A fresh per-row context.
    pub fn cx<'p: 'r, 'r>(&'p self, env: &'p Env, row: RowRef<'r>) -> RowContext<'p, 'r> {
        RowContext::new(env, row, &self.lets, &self.let_names, &self.columns)
            .with_let_uses(&self.let_uses)
    }

    /// Evaluate every target for one row, in mapping order, into `out` (cleared first). Each
    /// entry is the target's outcome and whether `Redact` touched it.
    pub fn eval_row<'p: 'r, 'r>(
        &'p self,
        env: &'p Env,
        row: RowRef<'r>,
        out: &mut Vec<(EvalResult<'r>, bool)>,
    ) {
        out.clear();
        let mut cx = self.cx(env, row);
        for t in &self.targets {
            cx.redacted = false;
            let r = cx.eval(&t.node);
            out.push((r, cx.redacted));
        }
    }

    /// Evaluate one target with the explain trace on.
    pub fn explain<'p: 'r, 'r>(
        &'p self,
        env: &'p Env,
        row: RowRef<'r>,
        target: usize,
    ) -> (EvalResult<'r>, Vec<TraceNode>) {
        let mut cx = self.cx(env, row).with_trace();
        let r = cx.eval(&self.targets[target].node);
        let trace = cx.trace.take().map(|t| t.finish()).unwrap_or_default();
        (r, trace)
    }

    /// Index of a column by name (exact, then case-insensitive).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c == name)
            .or_else(|| self.columns.iter().position(|c| c.eq_ignore_ascii_case(name)))
    }

    /// Columns read by any target or let.
    pub fn used_columns(&self) -> Vec<usize> {
        let mut cols = Vec::new();
        for t in &self.targets {
            t.node.columns(&mut cols);
        }
        for l in &self.lets {
            l.columns(&mut cols);
        }
        cols.sort_unstable();
        cols
    }
}

/// A single compiled expression (for `eval`): columns discovered in order of appearance.
pub struct ExprProgram {
    pub node: Node,
    pub columns: Vec<String>,
    pub unique: bool,
}

impl ExprProgram {
    /// Evaluate against typed column values given by name; missing columns are NULL.
    pub fn eval<'p>(&'p self, env: &'p Env, row: &'p [Value<'static>]) -> EvalResult<'p> {
        let mut cx = RowContext::new(env, RowRef::Values(row), &[], &[], &self.columns);
        cx.eval(&self.node)
    }

    /// Evaluate with the explain trace.
    pub fn explain<'p>(
        &'p self,
        env: &'p Env,
        row: &'p [Value<'static>],
    ) -> (EvalResult<'p>, Vec<TraceNode>) {
        let mut cx =
            RowContext::new(env, RowRef::Values(row), &[], &[], &self.columns).with_trace();
        let r = cx.eval(&self.node);
        (r, cx.trace.take().map(|t| t.finish()).unwrap_or_default())
    }

    /// Build a row in this program's column order from `(name, value)` pairs.
    pub fn row(&self, values: &[(String, Value<'static>)]) -> Vec<Value<'static>> {
        self.columns
            .iter()
            .map(|c| {
                values.iter().find(|(n, _)| n == c).map(|(_, v)| v.clone()).unwrap_or(Value::Null)
            })
            .collect()
    }
}

/// See [`Program::schema_order`].
pub fn schema_order(targets: &[Target]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..targets.len()).collect();
    // Stable: targets of one leaf keep their declaration order.
    order.sort_by_key(|&i| targets[i].resolved.layout.order);
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check_file, CheckOptions};

    #[test]
    fn lets_read_once_twice_and_lazily_give_the_same_values() {
        let src = r#"
let a = Join("-", [x], [y])
let b = Join("+", $a, $a)
let c = [x]
let d = Join("!", [y], [y])
externalId = $b
userName = Join("", $c, $a)
active = IIF([x] = "1", "true", $d)
"#;
        let opts =
            CheckOptions { headers: Some(vec!["x".into(), "y".into()]), ..Default::default() };
        let checked = check_file(src, &opts);
        let Some(prog) = checked.program else { panic!("{:#?}", checked.diagnostics) };
        assert_eq!(prog.let_uses, vec![3, 1, 1, 1]);
        let env = Env::default();
        for (x, active) in [("1", "true"), ("0", "2!2")] {
            let rec = crate::input::Record::from(vec![x, "2"]);
            let mut out = Vec::new();
            prog.eval_row(&env, RowRef::Record(&rec), &mut out);
            let got: Vec<String> = out
                .iter()
                .map(|(r, _)| r.as_ref().map(|v| v.to_string()).unwrap_or_default())
                .collect();
            assert_eq!(got, vec![format!("{x}-2+{x}-2"), format!("{x}{x}-2"), active.to_string()]);
        }
    }
}
