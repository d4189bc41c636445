//! Renders diagnostics rustc-style: `error[E010]: ...`, `--> file:line:col`, the source line and
//! carets under the span, then `help:`. No colour codes, so output is stable for snapshots.

use std::fmt::Write;

use serde_json::json;

use super::{Diagnostic, Severity};

/// The text a diagnostic points into.
pub struct SourceFile<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

impl SourceFile<'_> {
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char(self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let col = self.text[line_start..offset].chars().count() + 1;
        (line, col)
    }

    fn line_text(&self, line: usize) -> &str {
        self.text.split('\n').nth(line - 1).unwrap_or("").trim_end_matches('\r')
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// All diagnostics, sorted by position, followed by a count line.
pub fn render(src: &SourceFile<'_>, diags: &[Diagnostic]) -> String {
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort_by_key(|d| (d.start(), d.severity));
    let mut out = String::new();
    for d in &sorted {
        render_one(&mut out, src, d);
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diags.len() - errors;
    if errors > 0 || warnings > 0 {
        let _ = writeln!(out, "{}: {} error(s), {} warning(s)", src.name, errors, warnings);
    }
    out
}

fn render_one(out: &mut String, src: &SourceFile<'_>, d: &Diagnostic) {
    let sev = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let _ = writeln!(out, "{sev}[{}]: {}", d.code, d.message);
    let Some(primary) = d.labels.first() else {
        let _ = writeln!(out, "  --> {}", src.name);
        if let Some(h) = &d.help {
            let _ = writeln!(out, "  = help: {h}");
        }
        return;
    };
    let (line, col) = src.line_col(primary.span.start);
    let gutter = d.labels.iter().map(|l| src.line_col(l.span.start).0).max().unwrap_or(line);
    let width = gutter.to_string().len();
    let pad = " ".repeat(width);
    let _ = writeln!(out, "{pad}--> {}:{line}:{col}", src.name);
    let _ = writeln!(out, "{pad} |");
    for l in &d.labels {
        let (ln, c) = src.line_col(l.span.start);
        let text = src.line_text(ln);
        let end = floor_char(src.text, l.span.end.min(src.text.len()));
        let (end_ln, end_c) = src.line_col(end);
        let line_chars = text.chars().count();
        let carets = if end_ln == ln {
            end_c.saturating_sub(c)
        } else {
            line_chars + 1 - c.min(line_chars + 1)
        };
        let _ = writeln!(out, "{ln:>width$} | {text}");
        let _ = writeln!(
            out,
            "{pad} | {}{} {}",
            " ".repeat(c - 1),
            "^".repeat(carets.max(1)),
            l.message
        );
    }
    if let Some(h) = &d.help {
        let _ = writeln!(out, "{pad} = help: {h}");
    }
}

/// Machine-readable diagnostics for editors and CI.
pub fn render_json(src: &SourceFile<'_>, diags: &[Diagnostic]) -> serde_json::Value {
    let items: Vec<_> = diags
        .iter()
        .map(|d| {
            let (line, column) =
                d.labels.first().map(|l| src.line_col(l.span.start)).unwrap_or((0, 0));
            json!({
                "severity": d.severity,
                "code": d.code,
                "message": d.message,
                "file": src.name,
                "line": line,
                "column": column,
                "labels": d.labels.iter().map(|l| {
                    let (sl, sc) = src.line_col(l.span.start);
                    let (el, ec) = src.line_col(l.span.end);
                    json!({"start": [sl, sc], "end": [el, ec], "message": l.message})
                }).collect::<Vec<_>>(),
                "help": d.help,
            })
        })
        .collect();
    json!({
        "file": src.name,
        "errors": diags.iter().filter(|d| d.is_error()).count(),
        "warnings": diags.iter().filter(|d| !d.is_error()).count(),
        "diagnostics": items,
    })
}
