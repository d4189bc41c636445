//! The explain trace: a tree of every node evaluated for one target, with values and notes.

use serde::Serialize;

use super::value::{EvalResult, Flow};

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TraceNode {
    pub label: String,
    pub result: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<TraceNode>,
}

/// A stack of open nodes; the bottom one collects the finished roots.
#[derive(Debug, Default)]
pub struct Trace {
    stack: Vec<TraceNode>,
    roots: Vec<TraceNode>,
}

impl Trace {
    pub fn enter(&mut self, label: String) {
        self.stack.push(TraceNode { label, ..TraceNode::default() });
    }

    pub fn leave(&mut self, out: &EvalResult<'_>) {
        let Some(mut node) = self.stack.pop() else { return };
        node.result = describe(out);
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(node),
            None => self.roots.push(node),
        }
    }

    pub fn note(&mut self, msg: String) {
        if let Some(n) = self.stack.last_mut() {
            n.notes.push(msg);
        }
    }

    pub fn finish(self) -> Vec<TraceNode> {
        self.roots
    }
}

/// How a result reads in an explain tree.
pub fn describe(out: &EvalResult<'_>) -> String {
    match out {
        Ok(v) if v.is_null() => "NULL".to_string(),
        Ok(super::value::Value::Str(s)) => format!("{s:?}"),
        Ok(v) => format!("{v} ({})", v.kind()),
        Err(Flow::IgnoreAttribute) => "attribute flow ignored".to_string(),
        Err(Flow::SkipObject) => "object skipped".to_string(),
        Err(Flow::Error(e)) => format!("error: {e}"),
    }
}
