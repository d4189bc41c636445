//! Drives the pest parser one item at a time and turns pest errors into diagnostics in human
//! words. After an error it resynchronises at the next line that starts an item, so one run
//! reports the syntax errors of every item.

use pest::error::InputLocation;
use pest::Parser;
use pest_derive::Parser;

use super::ast::{Expr, MappingFile, Spanned};
use super::lower;
use super::messages::{nesting_too_deep, syntax_error, trailing_text};

use crate::diagnostics::Diagnostic;

#[derive(Parser)]
#[grammar = "../grammar/mapping.pest"]
pub(crate) struct MappingParser;

/// Deepest nesting of `(` accepted. Real mappings stay far below it (Entra's own limit of 10,000
/// characters allows silly depths); the bound keeps every recursive pass well inside the stack.
pub const MAX_DEPTH: usize = 64;

/// Parse a whole mapping file. Returns the statements that parsed and every syntax diagnostic.
///
/// Each item is parsed only up to the next line that starts an item at column 1, so a broken
/// item (a missing `)`, a missing expression) never swallows the next one, and parsing carries
/// on there after an error. Continuation lines of an expression are indented.
pub fn parse_file(src: &str) -> (MappingFile, Vec<Diagnostic>) {
    // Expected literal tokens (`,` `)` `=`) make the messages concrete.
    pest::set_error_detail(true);
    let mut file = MappingFile::default();
    let mut diags = Vec::new();
    let mut pos = skip_trivia(src, 0);
    while pos < src.len() {
        let next = next_item_start(src, pos);
        if let Err(d) = parse_statement(src, pos, next, &mut file) {
            diags.push(d);
        }
        pos = skip_trivia(src, next);
    }
    (file, diags)
}

/// Parse the one item in `src[pos..next]` into `file`, or say what is wrong with it.
fn parse_statement(
    src: &str,
    pos: usize,
    next: usize,
    file: &mut MappingFile,
) -> Result<(), Diagnostic> {
    if let Some(at) = too_deep(&src[pos..next]) {
        return Err(nesting_too_deep(pos + at));
    }
    let mut pairs = MappingParser::parse(Rule::item_at, &src[pos..next])
        .map_err(|e| syntax_error(&e, pos, src))?;
    let Some(item_at) = pairs.next() else { return Ok(()) };
    let end = pos + item_end(&item_at);
    if let Some(item) = item_at.into_inner().next() {
        file.statements.push(lower::statement(item, pos)?);
    }
    // Only trivia may follow an item: anything else is a stray token or a missing comma.
    let rest = skip_trivia(src, end);
    if rest < next {
        let same_line = !src[end..rest].contains('\n');
        return Err(trailing_text(src, rest, same_line));
    }
    Ok(())
}

/// Parse one expression on its own (for `hr2scim eval` and the reference-expression test).
pub fn parse_expression(src: &str) -> Result<Spanned<Expr>, Diagnostic> {
    pest::set_error_detail(true);
    if let Some(at) = too_deep(src) {
        return Err(nesting_too_deep(at));
    }
    let mut pairs = MappingParser::parse(Rule::expr_only, src).map_err(|e| {
        // An expression on its own has no file around it.
        let mut d = syntax_error(&e, 0, src);
        d.message = d.message.replace("the end of the file", "the end of the expression");
        d
    })?;
    match pairs.next().and_then(|p| p.into_inner().find(|p| p.as_rule() == Rule::expr)) {
        Some(e) => lower::expr(e, 0),
        None => Err(Diagnostic::error("E001", "the expression is empty")
            .label(0..src.len(), "nothing to evaluate")
            .help("write an expression, for example Join(\" \", [FirstName], [LastName])")),
    }
}

/// Where parsing got furthest: pest's own location can lag behind the literal tokens it tried.
pub(crate) fn error_offset(e: &pest::error::Error<Rule>) -> usize {
    let loc = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    e.parse_attempts().map_or(loc, |a| a.max_position.max(loc))
}

/// Where an item really ends. pest lets a trailing optional (`ext_attrs?`, a comparison's
/// right side) swallow the whitespace and comments after it, so for items that end in an
/// expression or an optional part, the end is where the last token inside ends.
fn item_end(item_at: &pest::iterators::Pair<'_, Rule>) -> usize {
    let whole = item_at.as_span().end();
    let Some(item) = item_at.clone().into_inner().next() else { return whole };
    if item.as_rule() == Rule::test_block {
        return item.as_span().end();
    }
    item.into_inner()
        .flatten()
        .filter(|p| !matches!(p.as_rule(), Rule::expr | Rule::arg))
        .map(|p| p.as_span().end())
        .max()
        .unwrap_or(whole)
}

/// The start of the first line after the one holding `from` that begins a new item (`let`,
/// `extension`, `test` or `TARGET =` / `TARGET[` at column 1), or the end of the file.
fn next_item_start(src: &str, from: usize) -> usize {
    let Some(nl) = src[from..].find('\n') else { return src.len() };
    let mut offset = from + nl + 1;
    while offset < src.len() {
        let line = &src[offset..];
        let starts_item = line.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && MappingParser::parse(Rule::item_head, line).is_ok();
        if starts_item {
            return offset;
        }
        match line.find('\n') {
            Some(i) => offset += i + 1,
            None => return src.len(),
        }
    }
    src.len()
}

/// Skip whitespace, byte-order marks and `#` comments from `at`.
fn skip_trivia(src: &str, mut at: usize) -> usize {
    loop {
        let rest = &src[at..];
        let trimmed = rest.trim_start_matches([' ', '\t', '\r', '\n', '\u{FEFF}']);
        at += rest.len() - trimmed.len();
        if trimmed.starts_with('#') {
            at += trimmed.find('\n').unwrap_or(trimmed.len());
        } else {
            return at;
        }
    }
}

/// Where `(` nesting first exceeds [`MAX_DEPTH`], skipping strings, `[Column]`s and comments.
fn too_deep(src: &str) -> Option<usize> {
    let bytes = src.as_bytes();
    let (mut i, mut depth) = (0, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'(' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b')' => depth = depth.saturating_sub(1),
            b'"' => {
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'[' | b'#' => {
                let close = if bytes[i] == b'[' { b']' } else { b'\n' };
                while i < bytes.len() && bytes[i] != close && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::Statement;

    #[test]
    fn resync_reports_every_broken_item() {
        let src = "a = Join(\"x\" [b])\nb = ToLower(\n  [c]\nc = 'x'\nd = [ok]\n";
        let (file, diags) = parse_file(src);
        assert_eq!(diags.len(), 3, "{diags:#?}");
        assert_eq!(file.statements.len(), 1);
        assert!(matches!(&file.statements[0], Statement::Assign(a) if a.target.node.text == "d"));
    }

    #[test]
    fn two_items_on_one_line_is_an_error() {
        let (file, diags) = parse_file("a = [x] b = [y]\nc = [z]\n");
        assert_eq!(diags.len(), 1);
        assert!(diags[0].message.contains("end of the line"), "{}", diags[0].message);
        assert_eq!(file.statements.len(), 2);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let src = format!("a = {}[x]{}", "ToLower(".repeat(5000), ")".repeat(5000));
        let (_, diags) = parse_file(&src);
        assert_eq!(diags[0].code, "E001");
        assert!(diags[0].message.contains("nested"));
        let ok = format!("{}[x]{}", "ToLower(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(parse_expression(&ok).is_ok());
    }
}
