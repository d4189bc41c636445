//! Test helpers for the function unit tests: evaluate an expression through the real parser and
//! compiler at the examples' fixed clock (2021-08-25T17:41:18Z, default domain contoso.com),
//! against typed column values (the top level) or text columns with the outcome rendered
//! (`rendered`).

#![cfg(test)]

use super::examples::example_env;
use crate::check::compile_expression;
use crate::eval::{EmptyCells, Env, Flow, Value};

/// Evaluate `expr` with `cols` (columns not listed are NULL) in `env`.
pub fn eval_in(
    env: &Env,
    expr: &str,
    cols: &[(&str, Value<'static>)],
) -> Result<Value<'static>, Flow> {
    let prog = match compile_expression(expr) {
        Ok(p) => p,
        Err(d) => panic!("{expr} does not compile: {d:?}"),
    };
    let values: Vec<(String, Value<'static>)> =
        cols.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let row = prog.row(&values);
    prog.eval(env, &row).map(Value::into_owned)
}

/// Evaluate with the examples' environment, where an empty cell is NULL.
pub fn eval(expr: &str, cols: &[(&str, Value<'static>)]) -> Result<Value<'static>, Flow> {
    eval_in(&example_env(), expr, cols)
}

/// Evaluate with empty cells kept as `""` (`--empty-cells empty`).
pub fn eval_keep_empty(
    expr: &str,
    cols: &[(&str, Value<'static>)],
) -> Result<Value<'static>, Flow> {
    let env = Env { empty_cells: EmptyCells::Empty, ..example_env() };
    eval_in(&env, expr, cols)
}

/// Entra's text rendering of a successful evaluation.
pub fn text(expr: &str, cols: &[(&str, Value<'static>)]) -> String {
    match eval(expr, cols) {
        Ok(v) => v.to_string(),
        Err(f) => panic!("{expr}: expected a value, got {f:?}"),
    }
}

/// The message of a failed evaluation.
pub fn error(expr: &str, cols: &[(&str, Value<'static>)]) -> String {
    match eval(expr, cols) {
        Err(Flow::Error(m)) => m,
        other => panic!("{expr}: expected an evaluation error, got {other:?}"),
    }
}

/// The messages of the diagnostics an expression that must not compile produces.
pub fn compile_error(expr: &str) -> String {
    match compile_expression(expr) {
        Ok(_) => panic!("{expr}: expected a compile error"),
        Err(d) => d.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("\n"),
    }
}

pub fn s(x: &str) -> Value<'static> {
    Value::Str(x.to_string().into())
}

pub fn list(xs: &[&str]) -> Value<'static> {
    Value::List(xs.iter().map(|x| s(x)).collect())
}

/// Text columns in, the outcome as a string out: a value rendered, or the failure as `Err`
/// (`<ignored>` and `<skipped>` for the flow signals).
pub mod rendered {
    use super::example_env;
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
}
