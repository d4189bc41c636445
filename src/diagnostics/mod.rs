//! Diagnostics as data (code, severity, message, labelled spans, help), and the one renderer
//! that turns them into rustc-style text or JSON. Nothing else formats an error for a mapping.

mod codes;
mod render;

pub use codes::{describe_code, CODES};
pub use render::{render, render_json, SourceFile};

use serde::Serialize;

use crate::span::Span;

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

/// "did you mean" over a candidate list: the closest name by edit distance (a swap of two
/// neighbours counts as one edit), compared case-insensitively. Short names must be within one
/// edit, so `Mid` does not suggest `IIF`; longer names may be two or three edits away.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let len = lower.chars().count();
    let limit = match len {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    let mut best: Option<(usize, f64, &str)> = None;
    for c in candidates {
        let cl = c.to_lowercase();
        let dist = strsim::osa_distance(&lower, &cl);
        if dist > limit {
            continue;
        }
        let sim = strsim::jaro_winkler(&lower, &cl);
        if best.is_none_or(|(d, s, _)| dist < d || (dist == d && sim > s)) {
            best = Some((dist, sim, c));
        }
    }
    best.map(|(_, _, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    const FUNCS: &[&str] = &["Append", "Coalesce", "IIF", "Join", "Mid", "Switch", "ToLower"];

    #[test]
    fn suggestions_are_close_and_short_names_strict() {
        assert_eq!(did_you_mean("Jion", FUNCS.iter().copied()), Some("Join"));
        assert_eq!(did_you_mean("Coalese", FUNCS.iter().copied()), Some("Coalesce"));
        assert_eq!(did_you_mean("tolwer", FUNCS.iter().copied()), Some("ToLower"));
        assert_eq!(did_you_mean("Mid", ["IIF", "Join"].iter().copied()), None);
        assert_eq!(did_you_mean("IF", FUNCS.iter().copied()), Some("IIF"));
        assert_eq!(did_you_mean("Len", ["Left", "IIF"].iter().copied()), None);
        assert_eq!(did_you_mean("Frobnicate", FUNCS.iter().copied()), None);
        assert_eq!(
            did_you_mean("FristName", ["FirstName", "LastName"].iter().copied()),
            Some("FirstName")
        );
    }
}
