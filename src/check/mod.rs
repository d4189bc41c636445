//! The checker and compiler: resolves names against the input's headers, the schema and the
//! function registry, reports every problem in one pass, and builds the immutable [`Program`].

mod depth;
mod expectations;
mod expr;
mod file;
mod lets;
mod literal;
mod program;

pub use depth::MAX_EVAL_DEPTH;
pub use expr::{ExprCompiler, Scope};
pub use file::{check_file, CheckOptions, Checked};
pub use program::{ExprProgram, KeyTargets, Program, Target};

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::Span;

/// Compile one expression on its own (for `hr2scim eval` and function examples). Columns are
/// discovered from the expression, in order of first appearance.
pub fn compile_expression(src: &str) -> Result<ExprProgram, Vec<Diagnostic>> {
    if let Some(d) = too_long(&(0..src.len()), src) {
        return Err(vec![d]);
    }
    let ast = crate::syntax::parse_expression(src).map_err(|d| vec![d])?;
    let mut scope = DiscoverScope::default();
    let mut c = ExprCompiler::new(&mut scope).with_source(src);
    let node = c.compile_top(&ast, true);
    let diags = c.diags;
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    let unique = is_unique_select(&node);
    Ok(ExprProgram { node, columns: scope.columns, unique })
}

/// Entra's portal refuses expressions over 10,000 characters (REF-LIVE).
pub(crate) fn too_long(span: &Span, src: &str) -> Option<Diagnostic> {
    let n = src.get(span.clone()).map_or(0, |s| s.chars().count());
    (n > MAX_EXPRESSION_CHARS).then(|| {
        Diagnostic::error(
            "E003",
            format!("expression is {n} characters long; Entra's limit is 10,000"),
        )
        .label(span.clone(), "this expression")
        .help("split it with `let` bindings; the portal would refuse it")
    })
}

/// The longest expression Entra accepts, in characters.
pub const MAX_EXPRESSION_CHARS: usize = 10_000;

/// The whole expression is a call whose values the pipeline makes unique (SelectUniqueValue).
pub(crate) fn is_unique_select(node: &crate::eval::Node) -> bool {
    matches!(node, crate::eval::Node::Call(c) if c.func.yields_unique_candidates())
}

/// Columns discovered as they appear; `let`s are not available.
#[derive(Default)]
pub struct DiscoverScope {
    pub columns: Vec<String>,
}

/// The index of `name` in `columns`, adding it at the end the first time it is seen.
pub(crate) fn discover_column(columns: &mut Vec<String>, name: &str) -> usize {
    match columns.iter().position(|c| c == name) {
        Some(i) => i,
        None => {
            columns.push(name.to_string());
            columns.len() - 1
        }
    }
}

impl Scope for DiscoverScope {
    fn column(&mut self, name: &str, _span: &Span, _diags: &mut Vec<Diagnostic>) -> usize {
        discover_column(&mut self.columns, name)
    }

    fn let_ref(&mut self, name: &str, span: &Span, diags: &mut Vec<Diagnostic>) -> usize {
        diags.push(
            Diagnostic::error("E040", format!("'${name}' is not defined here"))
                .label(span.clone(), "undefined")
                .help("`let` bindings exist only inside a mapping file"),
        );
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(src: &str) -> Vec<&'static str> {
        match compile_expression(src) {
            Ok(_) => Vec::new(),
            Err(d) => d.into_iter().map(|d| d.code).collect(),
        }
    }

    #[test]
    fn expressions_compile_or_say_why() {
        assert!(codes(r#"Join(", ", "", [sn], [gn])"#).is_empty());
        let long = format!("Join(\"\", \"{}\")", "x".repeat(MAX_EXPRESSION_CHARS));
        assert_eq!(codes(&long), ["E003"]);
        assert_eq!(codes("$first"), ["E040"]);
        assert_eq!(codes("Jion([a])"), ["E010"]);
        // Arguments of an unknown call are still checked, without guessing their kinds.
        assert_eq!(codes("Jion($x, [a] = 1, vbTextCompare)"), ["E010", "E040"]);
        assert_eq!(codes("IIF(IgnoreFlowIfNullOrEmpty([a]), 1, 2)"), ["E017"]);
        assert_eq!(codes("Join(\",\", [a] = 1)"), ["E016"]);
        assert_eq!(codes("IIF([a] = 1, IgnoreObjectFlow, vbTextCompare)"), ["E013"]);
        let p = compile_expression("Join(\",\", [b], [a], [b])").ok().map(|p| p.columns);
        assert_eq!(p, Some(vec!["b".to_string(), "a".to_string()]));
    }
}
