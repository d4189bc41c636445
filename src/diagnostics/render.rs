//! Renders diagnostics rustc-style: `error[E010]: ...`, `--> file:line:col`, each source line
//! once with every label on it underlined (`^` primary, `-` secondary), label messages inline or
//! hung below with `|` connectors, then `= help:`. No colour codes, so output is stable for
//! snapshots.

use std::fmt::Write;

use serde_json::json;

use super::{Diagnostic, Label, Severity};

/// Source lines longer than this are shown as a window around their labels.
const MAX_LINE: usize = 110;
const TAB: &str = "    ";

/// The text a diagnostic points into.
pub struct SourceFile<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

impl SourceFile<'_> {
    /// 1-based line and column (in characters) of a byte offset. For one lookup; rendering
    /// indexes the lines once.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        Lines::new(self.text).line_col(offset)
    }
}

/// Line starts of a source, computed once per render so each lookup is a binary search.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let starts =
            std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Lines { text, starts }
    }

    /// 1-based line and column (in characters) of a byte offset; same as `SourceFile::line_col`.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        (line, self.text[start..offset].chars().count() + 1)
    }

    fn line_text(&self, line: usize) -> &'a str {
        let start = self.starts.get(line - 1).copied().unwrap_or(self.text.len());
        let end = self.starts.get(line).map_or(self.text.len(), |e| e - 1);
        self.text[start..end.max(start)].trim_end_matches('\r')
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
    sorted.sort_by_key(|d| (d.labels.is_empty(), d.start(), d.severity));
    let lines = Lines::new(src.text);
    let mut out = String::new();
    for d in &sorted {
        render_one(&mut out, src.name, &lines, d);
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diags.len() - errors;
    if errors > 0 || warnings > 0 {
        let _ = writeln!(
            out,
            "{}: {} error{}, {} warning{}",
            src.name,
            errors,
            if errors == 1 { "" } else { "s" },
            warnings,
            if warnings == 1 { "" } else { "s" }
        );
    }
    out
}

/// One label placed on one display line: columns are 0-based display columns.
struct Mark<'d> {
    start: usize,
    end: usize,
    primary: bool,
    message: &'d str,
}

fn render_one(out: &mut String, name: &str, src: &Lines<'_>, d: &Diagnostic) {
    let sev = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let _ = writeln!(out, "{sev}[{}]: {}", d.code, d.message);
    let Some(primary) = d.labels.first() else {
        let _ = writeln!(out, "  --> {name}");
        if let Some(h) = &d.help {
            let _ = writeln!(out, "  = help: {h}");
        }
        return;
    };
    // Group labels by the line they start on.
    let mut lines: Vec<(usize, Vec<(usize, &Label)>)> = Vec::new();
    for (i, l) in d.labels.iter().enumerate() {
        let ln = src.line_col(l.span.start).0;
        match lines.iter_mut().find(|(n, _)| *n == ln) {
            Some((_, v)) => v.push((i, l)),
            None => lines.push((ln, vec![(i, l)])),
        }
    }
    lines.sort_by_key(|(n, _)| *n);
    let width = lines.last().map(|(n, _)| n.to_string().len()).unwrap_or(1);
    let pad = " ".repeat(width);
    let (line, col) = src.line_col(primary.span.start);
    let _ = writeln!(out, "{pad}--> {name}:{line}:{col}");
    let _ = writeln!(out, "{pad} |");
    let mut prev: Option<usize> = None;
    for (ln, labels) in &lines {
        if prev.is_some_and(|p| ln - p > 1) {
            let _ = writeln!(out, "{}...", " ".repeat(width.saturating_sub(2)));
        }
        prev = Some(*ln);
        let text = src.line_text(*ln);
        let marks: Vec<Mark<'_>> =
            labels.iter().map(|(i, l)| mark(src, *ln, text, l, *i == 0)).collect();
        render_line(out, *ln, width, text, marks);
    }
    if let Some(h) = &d.help {
        let _ = writeln!(out, "{pad} = help: {h}");
    }
}

/// Display columns of a label on line `ln` (tabs count as four columns).
fn mark<'d>(src: &Lines<'_>, ln: usize, text: &str, l: &'d Label, primary: bool) -> Mark<'d> {
    let (_, c) = src.line_col(l.span.start);
    let end = floor_char(src.text, l.span.end.min(src.text.len()));
    let (end_ln, end_c) = src.line_col(end);
    let display = |chars: usize| -> usize {
        text.chars().take(chars).map(|ch| if ch == '\t' { TAB.len() } else { 1 }).sum()
    };
    let start = display(c - 1);
    let end = if end_ln == ln { display(end_c - 1) } else { display(text.chars().count()) };
    Mark { start, end: end.max(start + 1), primary, message: &l.message }
}

fn render_line(out: &mut String, ln: usize, width: usize, text: &str, mut marks: Vec<Mark<'_>>) {
    let pad = " ".repeat(width);
    let mut shown: String = text.replace('\t', TAB);
    // Long lines: a window around the labels, with `...` where text is cut.
    let total = shown.chars().count();
    if total > MAX_LINE {
        let lo = marks.iter().map(|m| m.start).min().unwrap_or(0).saturating_sub(20);
        let hi = (marks.iter().map(|m| m.end).max().unwrap_or(0) + 30).min(total).max(lo);
        // A label longer than the window is cut with the line.
        let hi = hi.min(lo + MAX_LINE);
        let body: String = shown.chars().skip(lo).take(hi - lo).collect();
        let prefix = if lo > 0 { "..." } else { "" };
        let suffix = if hi < total { "..." } else { "" };
        for m in &mut marks {
            m.start = m.start.min(hi.saturating_sub(1)) - lo + prefix.len();
            m.end = m.end.min(hi).saturating_sub(lo) + prefix.len();
            m.end = m.end.max(m.start + 1);
        }
        shown = format!("{prefix}{body}{suffix}");
    }
    let _ = writeln!(out, "{ln:>width$} | {shown}");
    marks.sort_by_key(|m| (m.start, m.end));
    let row_len = marks.iter().map(|m| m.end).max().unwrap_or(0);
    let mut under = vec![' '; row_len];
    // Secondary first, so primary carets win where spans overlap.
    for m in marks.iter().filter(|m| !m.primary).chain(marks.iter().filter(|m| m.primary)) {
        for c in &mut under[m.start..m.end] {
            *c = if m.primary { '^' } else { '-' };
        }
    }
    let under: String = under.into_iter().collect();
    // The rightmost label speaks inline when no other underline reaches past its start.
    let with_msg: Vec<&Mark<'_>> = marks.iter().filter(|m| !m.message.is_empty()).collect();
    let inline = with_msg
        .last()
        .filter(|last| marks.iter().all(|m| std::ptr::eq(m, **last) || m.end <= last.start));
    match inline {
        Some(m) => {
            let _ = writeln!(out, "{pad} | {} {}", under.trim_end(), m.message);
        }
        None => {
            let _ = writeln!(out, "{pad} | {}", under.trim_end());
        }
    }
    let hung: Vec<&Mark<'_>> = with_msg
        .iter()
        .copied()
        .filter(|m| !inline.is_some_and(|i| std::ptr::eq(*i, *m)))
        .collect();
    for idx in (0..hung.len()).rev() {
        let bars = |upto: usize| {
            let mut row = vec![' '; hung.iter().map(|m| m.start + 1).max().unwrap_or(0)];
            for m in &hung[..upto] {
                row[m.start] = '|';
            }
            row
        };
        let row: String = bars(idx + 1).into_iter().collect();
        let _ = writeln!(out, "{pad} | {}", row.trim_end());
        let mut row = bars(idx);
        row.truncate(hung[idx].start);
        let row: String = row.into_iter().collect();
        let _ = writeln!(out, "{pad} | {row}{}", hung[idx].message);
    }
}

/// Machine-readable diagnostics for editors and CI.
pub fn render_json(file: &SourceFile<'_>, diags: &[Diagnostic]) -> serde_json::Value {
    let src = Lines::new(file.text);
    let items: Vec<_> = diags
        .iter()
        .map(|d| {
            let (line, column) =
                d.labels.first().map(|l| src.line_col(l.span.start)).unwrap_or((0, 0));
            json!({
                "severity": d.severity,
                "code": d.code,
                "message": d.message,
                "file": file.name,
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
        "file": file.name,
        "errors": diags.iter().filter(|d| d.is_error()).count(),
        "warnings": diags.iter().filter(|d| !d.is_error()).count(),
        "diagnostics": items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str, d: Diagnostic) -> String {
        render(&SourceFile { name: "t.map", text }, &[d])
    }

    #[test]
    fn several_labels_on_one_line_share_it() {
        let text = "a = Join(\",\", [x], [y])\n";
        let d = Diagnostic::error("E020", "two things")
            .label(14..17, "first")
            .label(4..8, "the call")
            .label(19..22, "second");
        let out = show(text, d);
        assert_eq!(out.matches("a = Join").count(), 1, "{out}");
        assert!(out.contains("  |     ----      ^^^  --- second\n"), "{out}");
        assert!(out.contains("  |     |         |\n  |     |         first\n"), "{out}");
        assert!(out.contains("  |     |\n  |     the call\n"), "{out}");
        assert!(out.ends_with("t.map: 1 error, 0 warnings\n"), "{out}");
    }

    #[test]
    fn labels_on_distant_lines_are_separated_by_dots() {
        let text = "a = [x]\nb = [y]\nc = [z]\nd = [x]\n";
        let d = Diagnostic::warning("W001", "w").label(28..31, "again").label(4..7, "first");
        let out = show(text, d);
        assert!(out.contains("--> t.map:4:5"), "{out}");
        assert!(out.contains("1 | a = [x]\n  |     --- first\n...\n4 | d = [x]"), "{out}");
    }

    #[test]
    fn line_col_counts_characters_and_crlf_lines() {
        let src = SourceFile { name: "t", text: "ab\r\néé x\n\nz" };
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(4), (2, 1));
        assert_eq!(src.line_col(9), (2, 4));
        assert_eq!(src.line_col(11), (3, 1));
        assert_eq!(src.line_col(12), (4, 1));
        assert_eq!(src.line_col(99), (4, 2));
        // Inside a multi-byte character: the character's own column.
        assert_eq!(src.line_col(5), (2, 1));
        let lines = Lines::new(src.text);
        assert_eq!(lines.line_text(1), "ab");
        assert_eq!(lines.line_text(2), "éé x");
        assert_eq!(lines.line_text(3), "");
        assert_eq!(lines.line_text(9), "");
    }

    #[test]
    fn tabs_and_long_lines_keep_carets_aligned() {
        let text = "a =\tJoin([x])\n";
        let out = show(text, Diagnostic::error("E010", "t").label(4..8, "here"));
        assert!(out.contains("1 | a =    Join([x])\n  |        ^^^^ here"), "{out}");
        let long = format!("a = Join(\"{}\", [bad])\n", "x".repeat(300));
        let at = long.find("[bad]").unwrap_or(0);
        let out = show(&long, Diagnostic::error("E020", "t").label(at..at + 5, "here"));
        let src_line = out.lines().find(|l| l.starts_with("1 | ")).unwrap_or_default();
        assert!(src_line.starts_with("1 | ...") && src_line.len() < 140, "{out}");
        let caret_line = out.lines().find(|l| l.contains("^^^^^ here")).unwrap_or_default();
        let caret = caret_line.find('^').unwrap_or(0);
        assert_eq!(&src_line[caret..caret + 5], "[bad]", "{out}");
    }
}
