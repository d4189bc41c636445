//! Compiles one expression AST into an evaluable [`Node`], checking function names, arity,
//! blank slots, keywords, comparisons and literal arguments on the way. Every problem becomes a
//! diagnostic; compilation continues past errors so one pass reports them all.

use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::eval::{CallNode, Keyword, Node};
use crate::functions::{self, Function, ParamKind};
use crate::syntax::ast::{Expr, Spanned};

/// Functions that only make sense for Entra-sourced apps, not an HR file.
const APP_ROLE_FUNCTIONS: &[&str] = &["AppRoleAssignmentsComplex", "SingleAppRoleAssignment"];

/// Name resolution for columns and lets, supplied by the caller.
pub trait Scope {
    /// Index of a column, registering it when columns are discovered from the expression.
    fn column(
        &mut self,
        name: &str,
        span: &crate::syntax::ast::Span,
        diags: &mut Vec<Diagnostic>,
    ) -> usize;
    /// Index of a `let`, or a diagnostic.
    fn let_ref(
        &mut self,
        name: &str,
        span: &crate::syntax::ast::Span,
        diags: &mut Vec<Diagnostic>,
    ) -> usize;
}

pub struct ExprCompiler<'s, S: Scope> {
    pub scope: &'s mut S,
    pub diags: Vec<Diagnostic>,
}

impl<'s, S: Scope> ExprCompiler<'s, S> {
    pub fn new(scope: &'s mut S) -> Self {
        ExprCompiler { scope, diags: Vec::new() }
    }

    /// Compile a whole target or `let` expression (`top` allows SelectUniqueValue).
    pub fn compile_top(&mut self, e: &Spanned<Expr>, top: bool) -> Node {
        if let Expr::Compare { .. } = e.node {
            self.diags.push(
                Diagnostic::error(
                    "E016",
                    "a comparison is only allowed as an IIF condition or a CBool argument",
                )
                .label(e.span.clone(), "comparison here")
                .help("wrap it: CBool(a = b), or IIF(a = b, x, y)"),
            );
        }
        self.compile(e, top, false)
    }

    fn compile(&mut self, e: &Spanned<Expr>, top: bool, in_condition: bool) -> Node {
        match &e.node {
            Expr::Str(s) => Node::Str(s.clone().into_boxed_str()),
            Expr::Int(i) => Node::Int(*i),
            Expr::Dec(d) => Node::Dec(*d),
            Expr::Column(c) => Node::Column(self.scope.column(c, &e.span, &mut self.diags)),
            Expr::LetRef(n) => Node::Let(self.scope.let_ref(n, &e.span, &mut self.diags)),
            Expr::Keyword(k) => match Keyword::lookup(k) {
                Some(kw) => Node::Keyword(kw),
                None => {
                    let names: Vec<&str> = Keyword::ALL.iter().map(|k| k.name()).collect();
                    let mut d = Diagnostic::error("E050", format!("unknown keyword '{k}'"))
                        .label(e.span.clone(), "not a keyword or a column");
                    if let Some(s) = did_you_mean(k, names.iter().copied()) {
                        d = d.help(format!("did you mean '{s}'?"));
                    } else if functions::lookup(k).is_some() {
                        d = d.help(format!("'{k}' is a function: call it as {k}(...)"));
                    } else {
                        d = d.help(format!("to read a column, write it in brackets: [{k}]"));
                    }
                    self.diags.push(d);
                    Node::Str("".into())
                }
            },
            Expr::Compare { op, lhs, rhs } => {
                if !in_condition {
                    self.diags.push(
                        Diagnostic::error(
                            "E016",
                            "a comparison is only allowed as an IIF condition or a CBool argument",
                        )
                        .label(e.span.clone(), "comparison here"),
                    );
                }
                let l = self.compile(lhs, false, false);
                let r = self.compile(rhs, false, false);
                Node::Compare(Box::new((*op, l, r)))
            }
            Expr::Call { name, args } => self.call(e, name, args, top),
        }
    }

    fn call(
        &mut self,
        e: &Spanned<Expr>,
        name: &Spanned<String>,
        args: &[Option<Spanned<Expr>>],
        top: bool,
    ) -> Node {
        let Some(f) = functions::lookup(&name.node) else {
            if let Some(app) =
                APP_ROLE_FUNCTIONS.iter().find(|a| a.eq_ignore_ascii_case(&name.node))
            {
                self.diags.push(
                    Diagnostic::error("E015", format!("{app} has no meaning for an HR source"))
                        .label(name.span.clone(), "app-role function")
                        .help(
                            "it reads the appRoleAssignments of Entra users; an HR file has none",
                        ),
                );
            } else {
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
            // Still check the arguments, so their own mistakes are reported too.
            for a in args.iter().flatten() {
                self.compile(a, false, true);
            }
            return Node::Str("".into());
        };
        let spec = f.spec();
        if spec.name != name.node {
            // Matching is case-insensitive like the portal; the casing is normalised silently.
        }
        if spec.top_level_only && !top {
            self.diags.push(
                Diagnostic::error(
                    "E014",
                    format!("{} must be the whole expression of a target", spec.name),
                )
                .label(name.span.clone(), "nested here")
                .help("Entra evaluates it only at the top level; move it outward"),
            );
        }
        let arity_ok = self.check_arity(f, name, args, e);
        let mut nodes = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            let kind = param_kind(f, i);
            nodes.push(
                a.as_ref().map(|a| self.compile(a, false, kind == Some(ParamKind::Condition))),
            );
        }
        let mut prepared = None;
        if arity_ok {
            let refs: Vec<Option<&Node>> = nodes.iter().map(|n| n.as_ref()).collect();
            match f.prepare(&refs) {
                Ok(p) => prepared = p,
                Err(err) => {
                    let sp = err
                        .arg
                        .and_then(|i| args.get(i).and_then(|a| a.as_ref()).map(|a| a.span.clone()))
                        .unwrap_or_else(|| e.span.clone());
                    self.diags.push(
                        Diagnostic::error("E013", format!("{}: {}", spec.name, err.message))
                            .label(sp, "this argument"),
                    );
                }
            }
        }
        Node::Call(Box::new(CallNode { func: f, args: nodes, prepared, span: e.span.clone() }))
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
                Some(m) if m == spec.min_args => format!("{m}"),
                Some(m) => format!("{} to {m}", spec.min_args),
                None => format!("at least {}", spec.min_args),
            };
            let sig: Vec<String> = spec
                .params
                .iter()
                .map(|p| match (p.optional, p.repeats) {
                    (_, true) => format!("{}…", p.name),
                    (true, _) => format!("{}?", p.name),
                    _ => p.name.to_string(),
                })
                .collect();
            self.diags.push(
                Diagnostic::error(
                    "E011",
                    format!("{} takes {expect} argument(s), this call has {n}", spec.name),
                )
                .label(e.span.clone(), "in this call")
                .label(name.span.clone(), "function")
                .help(format!("{}({})", spec.name, sig.join(", "))),
            );
            return false;
        }
        let mut ok = true;
        for (i, a) in args.iter().enumerate() {
            if a.is_none() {
                if let Some(p) = param_at(f, i) {
                    if !p.optional && !p.repeats {
                        self.diags.push(
                            Diagnostic::error(
                                "E012",
                                format!(
                                    "{}'s argument '{}' is required but its slot is blank",
                                    spec.name, p.name
                                ),
                            )
                            .label(e.span.clone(), format!("argument {} is blank", i + 1)),
                        );
                        ok = false;
                    }
                }
            }
        }
        ok
    }
}

fn param_at(f: &dyn Function, i: usize) -> Option<&'static crate::functions::Param> {
    let params = f.spec().params;
    params.get(i).or_else(|| params.last().filter(|p| p.repeats))
}

fn param_kind(f: &dyn Function, i: usize) -> Option<ParamKind> {
    param_at(f, i).map(|p| p.kind)
}
