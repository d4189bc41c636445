//! Drives the pest parser one item at a time and turns pest errors into diagnostics with human
//! rule names. After an error it resynchronises at the next line that starts an item, so one run
//! reports the syntax errors of every item.

use pest::error::{ErrorVariant, InputLocation};
use pest::Parser;
use pest_derive::Parser;

use super::ast::MappingFile;
use super::lower;
use crate::diagnostics::Diagnostic;

#[derive(Parser)]
#[grammar = "../grammar/mapping.pest"]
pub(crate) struct MappingParser;

/// Parse a whole mapping file. Returns the items that parsed and every syntax diagnostic.
pub fn parse_file(src: &str) -> (MappingFile, Vec<Diagnostic>) {
    let mut file = MappingFile::default();
    let mut diags = Vec::new();
    let mut pos = 0;
    loop {
        let rest = &src[pos..];
        if MappingParser::parse(Rule::end_at, rest).is_ok() {
            break;
        }
        match MappingParser::parse(Rule::item_at, rest) {
            Ok(mut pairs) => {
                let Some(item_at) = pairs.next() else { break };
                let end = item_at.as_span().end();
                match item_at.into_inner().next() {
                    Some(item) => match lower::item(item, pos) {
                        Ok(it) => file.items.push(it),
                        Err(d) => diags.push(d),
                    },
                    None => break,
                }
                if end == 0 {
                    break;
                }
                pos += end;
            }
            Err(e) => {
                diags.push(syntax_error(&e, pos, src));
                match resync(src, pos, error_offset(&e) + pos) {
                    Some(next) => pos = next,
                    None => break,
                }
            }
        }
    }
    (file, diags)
}

/// Parse one expression on its own (for `hr2scim eval`).
pub fn parse_expression(src: &str) -> Result<super::ast::Spanned<super::ast::Expr>, Diagnostic> {
    let mut pairs =
        MappingParser::parse(Rule::expr_only, src).map_err(|e| syntax_error(&e, 0, src))?;
    let top = pairs.next().and_then(|p| p.into_inner().next());
    match top {
        Some(arg) => lower::arg(arg, 0)?.ok_or_else(|| {
            Diagnostic::error("E001", "the expression is empty")
                .label(0..src.len(), "nothing to evaluate")
        }),
        None => Err(Diagnostic::error("E001", "the expression is empty").label(0..0, "here")),
    }
}

fn error_offset(e: &pest::error::Error<Rule>) -> usize {
    match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    }
}

/// The next line after `err_at` whose first character starts an item (a letter at column 1),
/// or `None` at the end of the file.
fn resync(src: &str, item_start: usize, err_at: usize) -> Option<usize> {
    let from = err_at.max(item_start + 1).min(src.len());
    let mut offset = src[from..].find('\n')? + from + 1;
    loop {
        let line = &src[offset..];
        match line.chars().next() {
            Some(c) if c.is_ascii_alphabetic() || c == '_' => return Some(offset),
            None => return None,
            _ => offset += line.find('\n')? + 1,
        }
    }
}

/// Human names for grammar rules in "expected ..." messages.
fn rule_name(r: &Rule) -> Option<&'static str> {
    Some(match r {
        Rule::item | Rule::item_at => "an item (`TARGET = EXPR`, `let`, `extension` or `test`)",
        Rule::extension_decl | Rule::kw_extension => "`extension`",
        Rule::let_decl | Rule::kw_let => "`let`",
        Rule::test_block | Rule::kw_test => "`test`",
        Rule::assignment | Rule::target | Rule::target_head => "a target attribute",
        Rule::target_filter => "a `[type eq \"...\"]` filter",
        Rule::filter_cond => "a filter condition like `type eq \"work\"`",
        Rule::target_sub => "a sub-attribute name",
        Rule::kw_and => "`and`",
        Rule::kw_eq => "`eq`",
        Rule::expr | Rule::expr_only | Rule::arg => "an expression",
        Rule::compare_op => "a comparison operator",
        Rule::call => "a function call",
        Rule::column | Rule::column_name => "a `[Column]` reference",
        Rule::string | Rule::string_inner => "a string literal",
        Rule::number | Rule::hex => "a number",
        Rule::let_ref => "a `$name` reference",
        Rule::keyword | Rule::ident => "a name",
        Rule::ext_attrs | Rule::ext_attr => "an attribute declaration like `hireDate: dateTime`",
        Rule::given | Rule::given_pair | Rule::given_key | Rule::given_ident => "a `given` column",
        Rule::given_value | Rule::list_lit | Rule::null_lit => "a value",
        Rule::expect
        | Rule::expect_rejected
        | Rule::expect_skipped
        | Rule::expect_omitted
        | Rule::expect_equals => "an `expect` line",
        Rule::test_option | Rule::option_name => "a test option",
        Rule::json_lit | Rule::bool_lit => "a value",
        Rule::EOI | Rule::end_at => "the end of the file",
        _ => return None,
    })
}

fn syntax_error(e: &pest::error::Error<Rule>, base: usize, src: &str) -> Diagnostic {
    let at = base + error_offset(e);
    let found = src[at.min(src.len())..].chars().next();
    let found_txt = match found {
        None => "the end of the file".to_string(),
        Some('\n') => "the end of the line".to_string(),
        Some(c) => format!("`{c}`"),
    };
    let expected = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().filter_map(rule_name).collect();
            names.sort();
            names.dedup();
            names
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let message = if expected.is_empty() {
        format!("unexpected {found_txt}")
    } else {
        format!("expected {}, found {found_txt}", join_or(&expected))
    };
    let end = (at + found.map(char::len_utf8).unwrap_or(0)).min(src.len());
    let mut d = Diagnostic::error("E001", message).label(at..end.max(at), "here");
    if found == Some('\'') {
        d = d.help("string literals use double quotes: \"text\"");
    } else if expected.contains(&"an expression") && found == Some(')') {
        d = d.help("a blank argument slot is written as `, ,`; `()` means no arguments");
    }
    d
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}
