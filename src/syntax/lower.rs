//! Lowers pest pairs into the typed AST. This is the only place pest's types are touched besides
//! the parser driver; every node gets its span shifted by the item's offset in the file.

use pest::iterators::Pair;

use super::ast::*;
use super::parser::Rule;
use crate::diagnostics::Diagnostic;

fn span(p: &Pair<'_, Rule>, base: usize) -> Span {
    let s = p.as_span();
    (s.start() + base)..(s.end() + base)
}

fn spanned_str(p: &Pair<'_, Rule>, base: usize) -> Spanned<String> {
    Spanned::new(p.as_str().to_string(), span(p, base))
}

fn inner<'i>(p: Pair<'i, Rule>) -> Vec<Pair<'i, Rule>> {
    p.into_inner().collect()
}

pub(crate) fn statement(p: Pair<'_, Rule>, base: usize) -> Result<Statement, Diagnostic> {
    let sp = span(&p, base);
    match p.as_rule() {
        Rule::extension_decl => {
            let parts = inner(p);
            let alias = spanned_str(&parts[1], base);
            let urn = Spanned::new(unescape(string_inner(&parts[2])), span(&parts[2], base));
            let mut attributes = Vec::new();
            if let Some(attrs) = parts.get(3) {
                for a in attrs.clone().into_inner() {
                    let kv = inner(a);
                    attributes.push((spanned_str(&kv[0], base), spanned_str(&kv[1], base)));
                }
            }
            Ok(Statement::Extension(ExtensionDecl { alias, urn, attributes, span: sp }))
        }
        Rule::let_decl => {
            let parts = inner(p);
            let name = spanned_str(&parts[1], base);
            let expr = expr(parts[2].clone(), base)?;
            Ok(Statement::Let(LetDecl { name, expr, span: sp }))
        }
        Rule::assignment => {
            let parts = inner(p);
            let target = target(parts[0].clone(), base);
            let expr = expr(parts[1].clone(), base)?;
            Ok(Statement::Assign(Assignment { target, expr, span: sp }))
        }
        Rule::test_block => test_block(p, base).map(Statement::Test),
        r => Err(Diagnostic::error("E001", format!("unexpected item {r:?}")).label(sp, "here")),
    }
}

/// An `expr` pair: one operand, or `operand compare_op operand`.
pub(crate) fn expr(p: Pair<'_, Rule>, base: usize) -> Result<Spanned<Expr>, Diagnostic> {
    let sp = span(&p, base);
    let mut parts = p.into_inner();
    let Some(first) = parts.next() else {
        return Err(Diagnostic::error("E001", "expected an expression").label(sp, "here"));
    };
    let lhs = operand(first, base)?;
    let (Some(op), Some(rhs)) = (parts.next(), parts.next()) else { return Ok(lhs) };
    let op = match op.as_str() {
        "=" => CompareOp::Eq,
        "<>" => CompareOp::Ne,
        "<" => CompareOp::Lt,
        "<=" => CompareOp::Le,
        ">" => CompareOp::Gt,
        _ => CompareOp::Ge,
    };
    let rhs = operand(rhs, base)?;
    Ok(Spanned::new(Expr::Compare { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, sp))
}

/// An argument slot: `None` when blank.
fn arg(p: Pair<'_, Rule>, base: usize) -> Result<Option<Spanned<Expr>>, Diagnostic> {
    match p.into_inner().next() {
        None => Ok(None),
        Some(e) => expr(e, base).map(Some),
    }
}

fn operand(p: Pair<'_, Rule>, base: usize) -> Result<Spanned<Expr>, Diagnostic> {
    let sp = span(&p, base);
    let expr = match p.as_rule() {
        Rule::string => Expr::Str(unescape(string_inner(&p))),
        Rule::column => Expr::Column(only_inner(p, "a column holds its name").as_str().to_string()),
        Rule::let_ref => {
            Expr::LetRef(only_inner(p, "a let_ref holds its ident").as_str().to_string())
        }
        Rule::keyword => Expr::Keyword(p.as_str().to_string()),
        Rule::number => number(p.as_str())
            .map_err(|m| Diagnostic::error("E001", m).label(sp.clone(), "this number"))?,
        Rule::call => {
            let mut parts = p.into_inner();
            let name_pair = parts.next().ok_or_else(|| Diagnostic::error("E001", "empty call"))?;
            let name = spanned_str(&name_pair, base);
            let mut args = Vec::new();
            for a in parts {
                args.push(arg(a, base)?);
            }
            // `Guid()` has no arguments, not one blank one (reference §2.2).
            if args.len() == 1 && args[0].is_none() {
                args.clear();
            }
            Expr::Call { name, args }
        }
        r => {
            return Err(Diagnostic::error("E001", format!("unexpected {r:?}")).label(sp, "here"));
        }
    };
    Ok(Spanned::new(expr, sp))
}

fn number(text: &str) -> Result<Expr, String> {
    if let Some(hex) = text.strip_prefix("&H").or_else(|| text.strip_prefix("&h")) {
        return i64::from_str_radix(hex, 16)
            .map(Expr::Int)
            .map_err(|_| format!("hex number {text} does not fit in 64 bits"));
    }
    if text.contains('.') {
        return text.parse::<f64>().map(Expr::Dec).map_err(|_| format!("invalid number {text}"));
    }
    text.parse::<i64>()
        .map(Expr::Int)
        .map_err(|_| format!("integer {text} does not fit in 64 bits"))
}

/// The first inner pair of `p`, which the grammar guarantees (`why` says which rule does).
fn only_inner<'i>(p: Pair<'i, Rule>, why: &str) -> Pair<'i, Rule> {
    p.into_inner().next().expect(why)
}

/// The text between a `string`'s quotes (not yet unescaped).
fn string_inner<'i>(p: &Pair<'i, Rule>) -> &'i str {
    // `string_inner` is a non-silent rule, so it yields a pair even when it matches nothing.
    only_inner(p.clone(), "a string holds a string_inner").as_str()
}

/// `\"` → `"`, `\\` → `\`; any other backslash is kept with its character (reference A2).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n @ ('"' | '\\')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

pub(crate) fn target(p: Pair<'_, Rule>, base: usize) -> Spanned<TargetPath> {
    let sp = span(&p, base);
    let text = p.as_str().to_string();
    let mut head = String::new();
    let mut filter = Vec::new();
    let mut sub = None;
    for part in p.into_inner() {
        match part.as_rule() {
            Rule::target_head => head = part.as_str().to_string(),
            Rule::target_filter => {
                for cond in part.into_inner().filter(|c| c.as_rule() == Rule::filter_cond) {
                    let kv = inner(cond);
                    let key = kv[0].as_str().to_string();
                    let val = match kv[2].as_rule() {
                        Rule::string => unescape(string_inner(&kv[2])),
                        _ => kv[2].as_str().to_string(),
                    };
                    filter.push((key, val));
                }
            }
            Rule::target_sub => sub = Some(part.as_str().to_string()),
            _ => {}
        }
    }
    // `urn:...:User:manager.value` and `hr:hireDate`: the prefix is everything before the last ':'.
    let (prefix, rest) = match head.rfind(':') {
        Some(i) => (Some(head[..i].to_string()), head[i + 1..].to_string()),
        None => (None, head),
    };
    let (attr, head_sub) = match rest.split_once('.') {
        Some((a, s)) => (a.to_string(), Some(s.to_string())),
        None => (rest, None),
    };
    Spanned::new(TargetPath { prefix, attr, filter, sub: sub.or(head_sub), text }, sp)
}

fn test_block(p: Pair<'_, Rule>, base: usize) -> Result<TestBlock, Diagnostic> {
    let sp = span(&p, base);
    let mut parts = p.into_inner();
    parts.next(); // `test`
    let name_pair = parts.next().ok_or_else(|| Diagnostic::error("E001", "test needs a name"))?;
    let name = Spanned::new(unescape(string_inner(&name_pair)), span(&name_pair, base));
    let mut block = TestBlock { name, given: vec![], options: vec![], expects: vec![], span: sp };
    for stmt in parts {
        match stmt.as_rule() {
            Rule::given => {
                for pair in stmt.into_inner() {
                    let kv = inner(pair);
                    let key_pair = only_inner(kv[0].clone(), "a given_key is a string or ident");
                    let key = match key_pair.as_rule() {
                        Rule::string => unescape(string_inner(&key_pair)),
                        _ => key_pair.as_str().to_string(),
                    };
                    let vsp = span(&kv[1], base);
                    let v = only_inner(kv[1].clone(), "a given_value holds one alternative");
                    let value = match v.as_rule() {
                        Rule::string => GivenValue::Str(unescape(string_inner(&v))),
                        Rule::list_lit => GivenValue::List(
                            v.into_inner().map(|s| unescape(string_inner(&s))).collect(),
                        ),
                        Rule::number => GivenValue::Str(v.as_str().to_string()),
                        _ => GivenValue::Null,
                    };
                    block
                        .given
                        .push((Spanned::new(key, span(&key_pair, base)), Spanned::new(value, vsp)));
                }
            }
            Rule::test_option => {
                let kv = inner(stmt);
                let val = Spanned::new(unescape(string_inner(&kv[1])), span(&kv[1], base));
                block.options.push((spanned_str(&kv[0], base), val));
            }
            Rule::expect => {
                let esp = span(&stmt, base);
                let Some(e) = stmt.into_inner().next() else { continue };
                let exp = match e.as_rule() {
                    Rule::expect_rejected => {
                        let s = only_inner(e, "expect_rejected holds its string");
                        Expectation::Rejected(unescape(string_inner(&s)))
                    }
                    Rule::expect_skipped => Expectation::Skipped,
                    Rule::expect_omitted => {
                        let t = e.into_inner().next().map(|t| target(t, base));
                        match t {
                            Some(t) => Expectation::Omitted(t),
                            None => continue,
                        }
                    }
                    _ => {
                        let kv = inner(e);
                        let t = target(kv[0].clone(), base);
                        Expectation::Equals(t, json_lit(kv[1].clone()))
                    }
                };
                block.expects.push(Spanned::new(exp, esp));
            }
            _ => {}
        }
    }
    Ok(block)
}

fn json_lit(p: Pair<'_, Rule>) -> serde_json::Value {
    let Some(v) = p.into_inner().next() else { return serde_json::Value::Null };
    match v.as_rule() {
        Rule::string => serde_json::Value::String(unescape(string_inner(&v))),
        Rule::number => match number(v.as_str()) {
            Ok(Expr::Int(i)) => serde_json::Value::from(i),
            Ok(Expr::Dec(d)) => serde_json::Value::from(d),
            _ => serde_json::Value::String(v.as_str().to_string()),
        },
        Rule::bool_lit => serde_json::Value::Bool(v.as_str() == "true"),
        _ => serde_json::Value::Null,
    }
}
