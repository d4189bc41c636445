//! Static checks of the expectations in `test` blocks (E060): what can be known without running
//! them. Running them is `authoring::testblocks`.

use super::program::Target;
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::syntax::ast::{Expectation, Span, TargetPath, TestBlock};

/// Every expectation names a mapped target, and every option has a value of the right form.
pub(crate) fn check_tests(tests: &[TestBlock], targets: &[Target], diags: &mut Vec<Diagnostic>) {
    let mapped: Vec<String> = targets.iter().map(|t| squash(&t.path.text)).collect();
    for t in tests {
        for e in &t.expects {
            let path = match &e.node {
                Expectation::Equals(p, _) | Expectation::Omitted(p) => p,
                Expectation::Rejected(_) | Expectation::Skipped => continue,
            };
            if !mapped.contains(&squash(&path.node.text)) {
                diags.push(unmapped(&t.name.node, &path.node, &path.span, targets));
            }
        }
        for (name, value) in &t.options {
            let ok = match name.node.as_str() {
                "now" => chrono::DateTime::parse_from_rfc3339(&value.node).is_ok(),
                "emptyCells" => matches!(value.node.as_str(), "null" | "empty"),
                "lenientIif" => matches!(value.node.as_str(), "true" | "false"),
                _ => true,
            };
            if !ok {
                let expect = match name.node.as_str() {
                    "now" => "an RFC 3339 instant such as \"2026-01-01T00:00:00Z\"",
                    "emptyCells" => "\"null\" or \"empty\"",
                    _ => "\"true\" or \"false\"",
                };
                diags.push(
                    Diagnostic::error(
                        "E060",
                        format!(
                            "test '{}': option {} has an invalid value",
                            t.name.node, name.node
                        ),
                    )
                    .label(value.span.clone(), "invalid value")
                    .help(format!("{} takes {expect}", name.node)),
                );
            }
        }
    }
}

/// Paths compare without spaces: `emails[type eq "work"].value` is one target however spaced.
fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn unmapped(test: &str, path: &TargetPath, span: &Span, targets: &[Target]) -> Diagnostic {
    let d = Diagnostic::error(
        "E060",
        format!("test '{test}' expects '{}', which this mapping does not map", path.text),
    )
    .label(span.clone(), "not a mapped target");
    match did_you_mean(&path.text, targets.iter().map(|t| t.path.text.as_str())) {
        Some(s) => d.help(format!("did you mean '{s}'?")),
        None => d.help("expectations name targets exactly as the mapping writes them"),
    }
}
