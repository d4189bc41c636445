//! Test helper for the function unit tests: compile and evaluate one expression at the examples'
//! fixed clock (2021-08-25T17:41:18Z, default domain contoso.com).

use super::examples::example_env;
use crate::check::compile_expression;
use crate::eval::{Flow, Value};

fn eval_with(
    expr: &str,
    cols: &[(&str, &str)],
    render: fn(&Value<'_>) -> String,
) -> Result<String, String> {
    let prog = compile_expression(expr).map_err(|d| format!("does not compile: {d:?}"))?;
    let values: Vec<(String, Value<'static>)> =
        cols.iter().map(|(k, v)| (k.to_string(), Value::Str(v.to_string().into()))).collect();
    let row = prog.row(&values);
    let env = example_env();
    match prog.eval(&env, &row) {
        Ok(v) => Ok(render(&v)),
        Err(Flow::Error(m)) => Err(m),
        Err(Flow::IgnoreAttribute) => Err("<ignored>".into()),
        Err(Flow::SkipObject) => Err("<skipped>".into()),
    }
}

/// The value as Entra renders it (NULL renders as "").
pub fn text(expr: &str, cols: &[(&str, &str)]) -> Result<String, String> {
    eval_with(expr, cols, |v| v.to_string())
}

/// The typed value as compact JSON (`null`, `"x"`, `7`, `["a"]`).
pub fn json(expr: &str, cols: &[(&str, &str)]) -> Result<String, String> {
    eval_with(expr, cols, |v| v.to_json().to_string())
}

/// The compile errors' messages, or `Ok` when it compiles.
pub fn compile_errors(expr: &str) -> Result<(), String> {
    compile_expression(expr).map(|_| ()).map_err(|d| format!("{d:?}"))
}
