//! Diagnostics as data (code, severity, message, labelled spans, help), and the one renderer
//! that turns them into rustc-style text or JSON. Nothing else formats an error for a mapping.

mod codes;
mod render;

pub use codes::{describe_code, CODES};
pub use render::{render, render_json, SourceFile};

use serde::Serialize;

use crate::syntax::ast::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code such as `E012`; see [`CODES`].
    pub code: &'static str,
    pub message: String,
    /// The first label is the primary one (it gets the `-->` location and the carets).
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message) }
    }

    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The start of the primary label, for sorting.
    pub fn start(&self) -> usize {
        self.labels.first().map(|l| l.span.start).unwrap_or(0)
    }
}

/// "did you mean" over a candidate list: the closest name within a small edit distance.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&lower, &c.to_lowercase());
        let lev = strsim::levenshtein(&lower, &c.to_lowercase());
        let close = lev <= 2.max(name.len() / 3) || score > 0.88;
        if close && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}
