//! Evaluation: values, compiled nodes, the per-row context and the explain trace.

mod cx;
mod env;
mod node;
mod trace;
pub mod value;

pub use cx::{compare, Call, Cx, RowRef};
pub use env::{EmptyCells, Env};
pub use node::{CallNode, Keyword, Node};
pub use trace::{describe, Trace, TraceNode};
pub use value::{fail, render_date, EvalResult, Flow, Value};
