//! Compiles one expression AST into an evaluable [`Node`], checking function names, arity,
//! blank slots, keywords, comparisons and placement on the way. Every problem becomes a
//! diagnostic; compilation continues past errors so one pass reports them all.

use super::literal::{check_literal, flow_in_value_slot};
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::eval::{CallNode, Keyword, Node};
use crate::functions::{self, Function, Param, ParamKind, Spec};
use crate::syntax::ast::{Expr, Span, Spanned};

/// Functions that only make sense for Entra-sourced apps, not an HR file. Checked by name before
/// the registry, so the answer does not change when they are registered.
const APP_ROLE_FUNCTIONS: &[&str] =
    &["AppRoleAssignmentsComplex", "AssertiveAppRoleAssignmentsComplex", "SingleAppRoleAssignment"];

/// The flow-control wrapper that may not be an IIF condition (reference §3, REF-LIVE).
const FLOW_WRAPPER: &str = "IgnoreFlowIfNullOrEmpty";

/// Name resolution for columns and lets, supplied by the caller.
pub trait Scope {
    /// Index of a column, registering it when columns are discovered from the expression.
    fn column(&mut self, name: &str, span: &Span, diags: &mut Vec<Diagnostic>) -> usize;
    /// Index of a `let`, or a diagnostic.
    fn let_ref(&mut self, name: &str, span: &Span, diags: &mut Vec<Diagnostic>) -> usize;
}

/// Where a node sits, as far as the checks care.
#[derive(Clone, Copy)]
struct Place {
    /// The whole expression of a target (SelectUniqueValue is allowed only here).
    top: bool,
    /// What the enclosing parameter accepts; `None` at the top or under an unknown function.
    kind: Option<ParamKind>,
    /// Anywhere inside an IIF condition or CBool argument (flow control makes no sense there).
    in_condition: bool,
    /// Under an unknown function: what its parameters accept is unknown, so say nothing.
    lenient: bool,
}

impl Place {
    const TOP: Place = Place { top: true, kind: None, in_condition: false, lenient: false };
}

pub struct ExprCompiler<'s, S: Scope> {
    pub scope: &'s mut S,
    pub diags: Vec<Diagnostic>,
    /// The source the spans point into, when known: lets a diagnostic point at a blank slot.
    source: Option<&'s str>,
}

impl<'s, S: Scope> ExprCompiler<'s, S> {
    pub fn new(scope: &'s mut S) -> Self {
        ExprCompiler { scope, diags: Vec::new(), source: None }
    }

    /// Give the source text the expression's spans point into.
    pub fn with_source(mut self, source: &'s str) -> Self {
        self.source = Some(source);
        self
    }

    /// Compile a whole target or `let` expression (`top` allows SelectUniqueValue).
    pub fn compile_top(&mut self, e: &Spanned<Expr>, top: bool) -> Node {
        self.compile(e, Place { top, ..Place::TOP })
    }

    fn compile(&mut self, e: &Spanned<Expr>, at: Place) -> Node {
        match &e.node {
            Expr::Str(s) => Node::Str(s.clone().into_boxed_str()),
            Expr::Int(i) => Node::Int(*i),
            Expr::Dec(d) => Node::Dec(*d),
            Expr::Column(c) => Node::Column(self.scope.column(c, &e.span, &mut self.diags)),
            Expr::LetRef(n) => Node::Let(self.scope.let_ref(n, &e.span, &mut self.diags)),
            Expr::Keyword(k) => self.keyword(k, &e.span, at),
            Expr::Compare { op, lhs, rhs } => {
                if at.kind != Some(ParamKind::Condition) && !at.lenient {
                    self.diags.push(
                        Diagnostic::error(
                            "E016",
                            "a comparison is only allowed as an IIF condition or a CBool argument",
                        )
                        .label(e.span.clone(), "comparison here")
                        .help("wrap it: CBool(a = b), or IIF(a = b, valueIfTrue, valueIfFalse)"),
                    );
                }
                // Each side is a plain value; flow control there is still inside a condition.
                let side =
                    Place { top: false, kind: Some(ParamKind::Any), in_condition: true, ..at };
                let l = self.compile(lhs, side);
                let r = self.compile(rhs, side);
                Node::Compare(Box::new((*op, l, r)))
            }
            Expr::Call { name, args } => self.call(e, name, args, at),
        }
    }

    fn keyword(&mut self, k: &str, span: &Span, at: Place) -> Node {
        let Some(kw) = Keyword::lookup(k) else {
            let names = Keyword::ALL.iter().map(|k| k.name());
            let mut d = Diagnostic::error("E050", format!("unknown keyword '{k}'"))
                .label(span.clone(), "not a keyword, a column or a call");
            if let Some(f) = functions::lookup(k) {
                d = d.help(format!("'{0}' is a function: call it as {0}(...)", f.spec().name));
            } else if let Some(s) = did_you_mean(k, names) {
                d = d.help(format!("did you mean '{s}'?"));
            } else {
                d = d.help(format!("to read a column, write it in brackets: [{k}]"));
            }
            self.diags.push(d);
            return Node::Str("".into());
        };
        if kw.name() != k {
            self.diags.push(casing(k, kw.name(), span, "keyword"));
        }
        let flow = kw.is_flow();
        if flow && at.in_condition {
            self.diags.push(flow_in_condition(kw.name(), span));
        } else if flow && at.kind.is_some_and(flow_in_value_slot) {
            self.diags.push(
                Diagnostic::error(
                    "E017",
                    format!("{} is flow control, not a value", kw.name()),
                )
                .label(span.clone(), "used as an argument value")
                .help("it can only be the result of a target: directly, or as an IIF or Switch result"),
            );
        } else if !flow && at.kind != Some(ParamKind::Keyword) && !at.lenient {
            self.diags.push(
                Diagnostic::error("E013", format!("'{}' is a keyword where a value is needed", kw.name()))
                    .label(span.clone(), "keyword")
                    .help("vbTextCompare/vbBinaryCompare fit InStr's compareType, UTF8/ASCII/Unicode ConvertFromBase64's encoding; write \"...\" for text"),
            );
        }
        Node::Keyword(kw)
    }

    fn call(
        &mut self,
        e: &Spanned<Expr>,
        name: &Spanned<String>,
        args: &[Option<Spanned<Expr>>],
        at: Place,
    ) -> Node {
        let reported = self.placement(name, at);
        let Some(f) = functions::lookup(&name.node).filter(|_| !reported) else {
            if !reported {
                self.unknown_function(name);
            }
            // Still check the arguments, so their own mistakes are reported too.
            for a in args.iter().flatten() {
                let place = Place { top: false, kind: None, lenient: true, ..at };
                self.compile(a, place);
            }
            return Node::Str("".into());
        };
        let spec = f.spec();
        if spec.name != name.node {
            self.diags.push(casing(&name.node, spec.name, &name.span, "function"));
        }
        if spec.top_level_only && !at.top {
            self.diags.push(
                Diagnostic::error(
                    "E014",
                    format!("{} must be the whole expression of a target", spec.name),
                )
                .label(name.span.clone(), "nested here")
                .help("Entra evaluates it only at the top level; move it outward"),
            );
        }
        let errors_before = self.error_count();
        let omitted = f.omitted_slot(args.len());
        if let Some((slot, why)) = omitted {
            self.omitted_slot(spec, slot, why, name, e);
        }
        let arity_ok = omitted.is_none() && self.check_arity(f, name, args, e);
        let mut nodes = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            // With a slot left out, the later arguments mean the parameters after it.
            let shifted = omitted.is_some_and(|(slot, _)| i >= slot);
            let param = param_at(f, i + usize::from(shifted));
            let kind = param.map(|p| p.kind);
            if let (Some(p), Some(a)) = (param, a) {
                self.diags.extend(check_literal(spec.name, p, a));
            }
            let in_condition = at.in_condition || kind == Some(ParamKind::Condition);
            let place = Place { top: false, kind, in_condition, lenient: false };
            nodes.push(a.as_ref().map(|a| self.compile(a, place)));
        }
        let mut prepared = None;
        // A broken argument compiles to a placeholder; preparing on it would only add noise.
        if arity_ok && self.error_count() == errors_before {
            let refs: Vec<Option<&Node>> = nodes.iter().map(|n| n.as_ref()).collect();
            match f.prepare(&refs) {
                Ok(p) => prepared = p,
                Err(err) => {
                    let sp = err
                        .arg
                        .and_then(|i| args.get(i).and_then(|a| a.as_ref()).map(|a| a.span.clone()))
                        .unwrap_or_else(|| e.span.clone());
                    let label = if err.arg.is_some() { "this argument" } else { "this call" };
                    // Functions usually name themselves in the message; do not say it twice.
                    let msg = if err.message.starts_with(spec.name) {
                        err.message
                    } else {
                        format!("{}: {}", spec.name, err.message)
                    };
                    self.diags.push(Diagnostic::error("E013", msg).label(sp, label));
                }
            }
        }
        Node::Call(Box::new(CallNode { func: f, args: nodes, prepared, span: e.span.clone() }))
    }

    fn error_count(&self) -> usize {
        self.diags.iter().filter(|d| d.is_error()).count()
    }

    /// Checks that depend only on the name and the place: app-role functions, and the flow
    /// wrapper inside a condition. True when one was reported (the call is not compiled).
    fn placement(&mut self, name: &Spanned<String>, at: Place) -> bool {
        if let Some(app) = APP_ROLE_FUNCTIONS.iter().find(|a| a.eq_ignore_ascii_case(&name.node)) {
            self.diags.push(
                Diagnostic::error("E015", format!("{app} has no meaning for an HR source"))
                    .label(name.span.clone(), "app-role function")
                    .help("it reads the appRoleAssignments of Entra users; an HR file has none"),
            );
            return true;
        }
        if at.in_condition && FLOW_WRAPPER.eq_ignore_ascii_case(&name.node) {
            self.diags.push(flow_in_condition(FLOW_WRAPPER, &name.span));
            return true;
        }
        false
    }

    fn unknown_function(&mut self, name: &Spanned<String>) {
        let names = functions::all().iter().map(|f| f.spec().name);
        let mut d = Diagnostic::error("E010", format!("unknown function '{}'", name.node))
            .label(name.span.clone(), "unknown function");
        if let Some(s) = did_you_mean(&name.node, names) {
            d = d.help(format!("did you mean '{s}'?"));
        } else {
            d = d.help("`hr2scim functions` lists every function");
        }
        self.diags.push(d);
    }

    /// E018: a shortened form the service rejects, shown corrected when the source is known.
    fn omitted_slot(
        &mut self,
        spec: &Spec,
        slot: usize,
        why: &str,
        name: &Spanned<String>,
        e: &Spanned<Expr>,
    ) {
        let param = spec.params.get(slot).map_or("", |p| p.name);
        let n = spec.min_args.saturating_sub(1);
        let mut d = Diagnostic::error(
            "E018",
            format!(
                "{} with {n} arguments is rejected by the provisioning service: its '{param}' \
                 slot (argument {}) must be written, even blank",
                spec.name,
                slot + 1
            ),
        )
        .label(name.span.clone(), why.to_string());
        let corrected = self.source.and_then(|src| {
            let slots = crate::syntax::arg_slots(src, &e.span);
            // The slot goes after the argument before it (or right after the parenthesis).
            let at = match slot {
                0 => slots.first()?.start,
                s => slots.get(s - 1)?.end,
            };
            let call = src.get(e.span.clone())?;
            let at = at - e.span.start;
            let sep = if slot == 0 { " ," } else { ", " };
            Some(format!("{}{sep}{}", &call[..at], &call[at..]))
        });
        if let Some(c) = corrected {
            d = d.help(format!("write the slot, blank: {c}"));
        } else {
            d = d.help(spec.signature());
        }
        self.diags.push(d);
    }

    fn check_arity(
        &mut self,
        f: &dyn Function,
        name: &Spanned<String>,
        args: &[Option<Spanned<Expr>>],
        e: &Spanned<Expr>,
    ) -> bool {
        let spec = f.spec();
        let n = args.len();
        let too_few = n < spec.min_args;
        let too_many = spec.max_args.is_some_and(|m| n > m);
        if too_few || too_many {
            let expect = match spec.max_args {
                Some(0) => "no arguments".to_string(),
                Some(m) if m == spec.min_args => plural(m, "argument"),
                Some(m) => format!("{} to {m} arguments", spec.min_args),
                None => format!("at least {}", plural(spec.min_args, "argument")),
            };
            self.diags.push(
                Diagnostic::error(
                    "E011",
                    format!("{} takes {expect}, this call has {n}", spec.name),
                )
                .label(name.span.clone(), format!("takes {expect}"))
                .label(name.span.end..e.span.end, plural(n, "argument"))
                .help(spec.signature()),
            );
            return false;
        }
        let mut ok = true;
        for (i, a) in args.iter().enumerate() {
            // A blank repeating slot (a Join source, a Coalesce candidate) is simply NULL.
            let Some(p) = param_at(f, i).filter(|p| a.is_none() && !p.optional && !p.repeats)
            else {
                continue;
            };
            let message =
                format!("{}'s argument '{}' is required but its slot is blank", spec.name, p.name);
            let label = format!("argument {} ('{}') is blank", i + 1, p.name);
            let slot = self
                .source
                .and_then(|src| crate::syntax::arg_slots(src, &e.span).get(i).cloned())
                // An empty slot points at the delimiter that closes it.
                .map(|s| if s.is_empty() { s.start..s.start + 1 } else { s });
            let d = match slot {
                Some(slot) => Diagnostic::error("E012", message)
                    .label(slot, label)
                    .label(name.span.clone(), "in this call"),
                None => Diagnostic::error("E012", message).label(name.span.clone(), label),
            };
            self.diags.push(d.help(spec.signature()));
            ok = false;
        }
        ok
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn casing(written: &str, canonical: &str, span: &Span, what: &str) -> Diagnostic {
    Diagnostic::warning("W005", format!("{what} '{canonical}' is written '{written}'"))
        .label(span.clone(), format!("write '{canonical}'"))
        .help("the portal matches names case-insensitively, but Microsoft's reference spells it this way")
}

fn flow_in_condition(what: &str, span: &Span) -> Diagnostic {
    Diagnostic::error("E017", format!("{what} cannot be used inside a condition"))
        .label(span.clone(), "flow control inside an IIF condition or CBool argument")
        .help("wrap the whole IIF instead: IgnoreFlowIfNullOrEmpty(IIF(...))")
}

fn param_at(f: &dyn Function, i: usize) -> Option<&'static Param> {
    let params = f.spec().params;
    params.get(i).or_else(|| params.last().filter(|p| p.repeats))
}
