//! Evaluation: values, compiled nodes, the per-row context, the explain trace, and the
//! `Function` trait the built-ins implement.

mod context;
mod env;
mod function;
mod node;
mod trace;
pub mod value;

pub use context::{compare, Call, RowContext, RowRef};
pub use env::{EmptyCells, Env};
pub use function::{
    literal_int, literal_str, Example, Expected, Function, Param, ParamKind, PrepareError,
    Prepared, Spec,
};
pub use node::{CallNode, Keyword, Node};
pub use trace::{describe, Trace, TraceNode};
pub use value::{fail, render_date, EvalResult, Flow, Value};
