//! Syntax errors in human words: grammar rules get readable names, the offending token is named
//! whole, and common slips from other languages (single quotes, AND/OR, `&`, `==`) get a hint.

use pest::error::ErrorVariant;

use super::parser::{Rule, MAX_DEPTH};
use crate::diagnostics::Diagnostic;

/// Human names for grammar rules in "expected ..." messages; `None` hides a rule.
fn rule_name(r: &Rule) -> Option<&'static str> {
    Some(match r {
        Rule::item | Rule::item_at | Rule::item_head => {
            "an item (`TARGET = EXPR`, `let`, `extension` or `test`)"
        }
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
        Rule::call => "a function call",
        Rule::column => "a `[Column]` reference",
        Rule::column_name => "a column name",
        Rule::string | Rule::string_inner => "a string literal",
        Rule::number | Rule::hex => "a number",
        Rule::let_ref => "a `$name` reference",
        Rule::keyword | Rule::ident | Rule::filter_word => "a name",
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
        Rule::EOI => "the end of the file",
        // Comparison operators fit after every complete operand; naming them is noise. Other
        // rules (trivia, silent helpers) never describe what is missing.
        _ => return None,
    })
}

/// The token at `at`, named for a message, and its byte length (0 for an end).
fn found_at(src: &str, at: usize) -> (String, usize) {
    let rest = &src[at.min(src.len())..];
    let Some(c) = rest.chars().next() else { return ("the end of the file".into(), 0) };
    if c == '\n' || rest.starts_with("\r\n") {
        return ("the end of the line".into(), 0);
    }
    if c == ' ' || c == '\t' {
        return ("a space".into(), 1);
    }
    let word_len = if c.is_alphanumeric() || c == '_' {
        rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')).unwrap_or(rest.len())
    } else {
        let two = rest.get(..2).unwrap_or("");
        if matches!(two, "==" | "!=" | "&&" | "||") {
            2
        } else {
            c.len_utf8()
        }
    };
    (format!("`{}`", &rest[..word_len]), word_len)
}

/// An unterminated string on the line of `at`: the offset of its opening quote.
fn open_string_on_line(src: &str, at: usize) -> Option<usize> {
    let at = at.min(src.len());
    let line_start = src[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = src[at..].find('\n').map(|i| at + i).unwrap_or(src.len());
    let bytes = &src.as_bytes()[line_start..line_end];
    let (mut i, mut open) = (0, None);
    while i < bytes.len() {
        match (bytes[i], open) {
            (b'\\', Some(_)) => i += 1,
            (b'"', Some(_)) => open = None,
            (b'"', None) => open = Some(line_start + i),
            (b'#', None) => break,
            (b'[', None) => {
                while i < bytes.len() && bytes[i] != b']' {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    open
}

/// Expected tokens at the error: punctuation by itself, everything else by a human name.
fn expected(e: &pest::error::Error<Rule>, at: usize, base: usize) -> Vec<String> {
    let mut words: Vec<&str> = Vec::new();
    let mut punct: Vec<String> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = &e.variant {
        let loc = match e.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
        // Positives describe pest's own location, which may be behind the furthest attempt.
        if base + loc == at {
            words.extend(positives.iter().filter_map(rule_name));
        }
    }
    if let Some(attempts) = e.parse_attempts() {
        for t in attempts.expected_tokens() {
            let t = t.to_string();
            if matches!(t.as_str(), "," | ")" | "(" | "=" | "]" | "}" | "{" | ":" | ".") {
                punct.push(format!("`{t}`"));
            } else if matches!(t.as_str(), "\"" | "[" | "$") {
                words.push("an expression");
            }
        }
    }
    // After a complete operand, `=` would start a comparison and `(` would turn a bare name
    // into a call: true, but never the fix when a `,`, a `)` or the end was possible too.
    let end_possible = words.contains(&"the end of the file");
    if end_possible || punct.iter().any(|p| p == "`,`" || p == "`)`") {
        punct.retain(|p| p != "`=`" && p != "`(`");
    }
    punct.sort();
    punct.dedup();
    words.sort();
    words.dedup();
    punct.extend(words.into_iter().map(str::to_string));
    punct
}

/// The last `(` in `from..to` that is still open, skipping strings, columns and comments.
fn open_paren(src: &str, from: usize, to: usize) -> Option<usize> {
    let bytes = &src.as_bytes()[from.min(to)..to];
    let (mut i, mut stack) = (0, Vec::new());
    while i < bytes.len() {
        match bytes[i] {
            b'(' => stack.push(from + i),
            b')' => {
                stack.pop();
            }
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
    stack.pop()
}

/// A syntax error for the item starting at `base`.
pub(crate) fn syntax_error(e: &pest::error::Error<Rule>, base: usize, src: &str) -> Diagnostic {
    let at = (base + super::parser::error_offset(e)).min(src.len());
    if let Some(open) = open_string_on_line(src, at).filter(|&o| o <= at) {
        let end = src[open..].find('\n').map(|i| open + i).unwrap_or(src.len());
        let end = if src[..end].ends_with('\r') { end - 1 } else { end };
        return Diagnostic::error("E001", "this string literal is never closed")
            .label(open..end.max(open + 1), "the closing `\"` is missing")
            .help("a string ends on its line; a `\"` inside a string is written `\\\"`");
    }
    if src.as_bytes()[..at].ends_with(b"=") && src[at..].starts_with('=') {
        return Diagnostic::error("E001", "`==` is not an operator")
            .label(at - 1..at + 1, "written here")
            .help("a target is assigned with one `=`; comparisons inside IIF also use one `=`");
    }
    let (found, len) = found_at(src, at);
    let expected = expected(e, at, base);
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", join_or(&expected))
    };
    let mut d = Diagnostic::error("E001", message);
    // When the surprise is on a later line, the mistake is at the end of the previous token
    // (a missing `)` or `,`), like rustc's "expected `;`".
    let prev_end = src[base.min(at)..at].trim_end().len() + base.min(at);
    let first_on_line = src[prev_end..at].contains('\n');
    if first_on_line && !expected.is_empty() {
        let what = expected.iter().take(2).cloned().collect::<Vec<_>>().join(" or ");
        d = d.label(prev_end..prev_end, format!("expected {what} after this"));
        if len > 0 {
            d = d.label(at..at + len, "unexpected token");
        }
    } else {
        let label = if len == 0 { "expected here" } else { "unexpected here" };
        d = d.label(at..at + len, label);
    }
    if (first_on_line || at == src.len()) && expected.iter().any(|x| x == "`)`") {
        if let Some(open) = open_paren(src, base, at) {
            d = d.label(open..open + 1, "this `(` is not closed");
        }
    }
    match hint(&src[at..at + len], &expected) {
        Some(h) => d.help(h),
        None => d,
    }
}

/// A hint for slips that come from other languages.
fn hint(token: &str, expected: &[String]) -> Option<&'static str> {
    Some(match token {
        "'" => "string literals use double quotes: \"text\"",
        "==" => "comparisons use a single `=`, and only inside IIF or CBool",
        "!=" => "\"not equal\" is written `<>`",
        "&&" | "||" => "there is no AND/OR: nest IIF calls instead",
        t if t.eq_ignore_ascii_case("and") || t.eq_ignore_ascii_case("or") => {
            "there is no AND/OR: nest IIF in the true branch for AND, in the false branch for OR"
        }
        "&" => {
            "`&` is not part of Entra's provisioning language: use Join(\"\", a, b) or Append(a, b)"
        }
        "+" | "-" | "*" | "/" => {
            "there are no arithmetic operators; to concatenate use Join or Append"
        }
        "{" | "}" => "expressions have no blocks; call functions with ( )",
        _ if expected.iter().any(|e| e == "`,`") => "arguments are separated by `,`",
        _ => return None,
    })
}

/// Text after a complete item: on its line, or on an indented line below it.
pub(crate) fn trailing_text(src: &str, at: usize, same_line: bool) -> Diagnostic {
    let (found, len) = found_at(src, at);
    let message = if same_line {
        format!("expected the end of the line, found {found}")
    } else {
        format!("expected a new item at the start of a line, found {found}")
    };
    let d = Diagnostic::error("E001", message).label(at..at + len, "unexpected here");
    match (hint(&src[at..at + len], &[]), same_line) {
        (Some(h), _) => d.help(h),
        (None, true) => {
            d.help("each item goes on its own line; inside a call, arguments are separated by `,`")
        }
        (None, false) => {
            d.help("an indented line continues the item above it, which was already complete")
        }
    }
}

pub(crate) fn nesting_too_deep(at: usize) -> Diagnostic {
    Diagnostic::error("E001", format!("calls are nested more than {MAX_DEPTH} deep"))
        .label(at..at + 1, "too deep from here")
        .help("split the expression with `let` bindings")
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}
