//! Whole-file checks: extensions, lets (undefined, duplicate, unused, cycles), columns against the
//! input's headers, targets against the schema, required targets. Produces the [`Program`] only
//! when there is no error.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::expr::{ExprCompiler, Scope};
use super::lets::{check_let_cycles, check_unused_lets, collect_columns, count_let_uses};
use super::program::{Program, Target};
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::eval::Node;
use crate::schema::{AttrType, ResolveError, Schema};
use crate::syntax::ast::{MappingFile, Span, Statement, TestBlock};

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// The input's header row, when known (`--input`, `--columns`, or a real run).
    pub headers: Option<Vec<String>>,
    /// Downgrade the missing-`active` error to a warning.
    pub allow_missing_active: bool,
}

pub struct Checked {
    pub program: Option<Program>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

struct FileScope<'a> {
    headers: Option<&'a [String]>,
    columns: Vec<String>,
    lets: &'a HashMap<String, usize>,
    let_names: &'a [String],
}

impl Scope for FileScope<'_> {
    fn column(&mut self, name: &str, span: &Span, diags: &mut Vec<Diagnostic>) -> usize {
        if let Some(h) = self.headers {
            if let Some(i) = h.iter().position(|c| c == name) {
                return i;
            }
            let mut d = Diagnostic::error("E020", format!("unknown column '{name}'"))
                .label(span.clone(), "not in the input's header row");
            if let Some(s) = h.iter().find(|c| c.eq_ignore_ascii_case(name)) {
                d = d.help(format!("did you mean '[{s}]'? column names are case-sensitive"));
            } else if let Some(s) = did_you_mean(name, h.iter().map(String::as_str)) {
                d = d.help(format!("did you mean '[{s}]'?"));
            } else {
                let shown: Vec<&str> = h.iter().take(8).map(String::as_str).collect();
                let more =
                    if h.len() > 8 { format!(", … ({} in all)", h.len()) } else { String::new() };
                d = d.help(format!("the input has: {}{more}", shown.join(", ")));
            }
            diags.push(d);
            return h.len();
        }
        super::discover_column(&mut self.columns, name)
    }

    fn let_ref(&mut self, name: &str, span: &Span, diags: &mut Vec<Diagnostic>) -> usize {
        if let Some(i) = self.lets.get(name) {
            return *i;
        }
        let mut d = Diagnostic::error("E040", format!("'${name}' is not defined"))
            .label(span.clone(), "undefined");
        if let Some(s) = did_you_mean(name, self.let_names.iter().map(String::as_str)) {
            d = d.help(format!("did you mean '${s}'?"));
        } else {
            d = d.help(format!("define it first: let {name} = ..."));
        }
        diags.push(d);
        0
    }
}

pub fn check_file(src: &str, opts: &CheckOptions) -> Checked {
    let (file, mut diags) = crate::syntax::parse_file(src);
    let mut schema = Schema::builtin();
    let aliases = declare_extensions(&file, &mut schema, &mut diags);
    let decls = declare_lets(&file, &mut diags);
    let items = compile_items(src, &file, opts, &schema, &aliases, &decls, &mut diags);
    build_program(src, opts, schema, decls, items, diags)
}

/// The `let` names in declaration order, so targets may refer to lets declared anywhere.
struct LetDecls {
    index: HashMap<String, usize>,
    names: Vec<String>,
    spans: Vec<Span>,
}

/// What the statements compile to, before the whole-file checks.
struct Items {
    columns: Vec<String>,
    lets: Vec<Node>,
    targets: Vec<Target>,
    tests: Vec<TestBlock>,
}

/// Adds every extension to the schema first (targets may use them wherever they are declared);
/// returns the aliases with where each was declared.
fn declare_extensions(
    file: &MappingFile,
    schema: &mut Schema,
    diags: &mut Vec<Diagnostic>,
) -> HashMap<String, Span> {
    let mut aliases: HashMap<String, Span> = HashMap::new();
    for stmt in &file.statements {
        if let Statement::Extension(x) = stmt {
            if let Some(prev) = aliases.get(&x.alias.node) {
                diags.push(
                    Diagnostic::error(
                        "E033",
                        format!("extension '{}' is declared twice", x.alias.node),
                    )
                    .label(x.alias.span.clone(), "declared again here")
                    .label(prev.clone(), "first declared here"),
                );
                continue;
            }
            aliases.insert(x.alias.node.clone(), x.alias.span.clone());
            let mut attrs = Vec::new();
            for (name, ty) in &x.attributes {
                match AttrType::parse(&ty.node) {
                    Some(t) => attrs.push((name.node.clone(), t)),
                    None => diags.push(
                        Diagnostic::error("E033", format!("unknown attribute type '{}'", ty.node))
                            .label(ty.span.clone(), "unknown type")
                            .help("types are string, boolean, integer, decimal, dateTime, reference, binary"),
                    ),
                }
            }
            if !x.urn.node.starts_with("urn:") {
                diags.push(
                    Diagnostic::error("E033", "an extension schema must be a URN")
                        .label(x.urn.span.clone(), "not a URN")
                        .help("for example \"urn:ietf:params:scim:schemas:extension:contoso:1.0:User\""),
                );
            } else if let Err(e) = schema.add_extension(&x.alias.node, &x.urn.node, &attrs) {
                diags.push(Diagnostic::error("E033", e).label(x.span.clone(), "this extension"));
            }
        }
    }
    aliases
}

/// Numbers the `let` names (E041 for a second definition, which is then ignored).
fn declare_lets(file: &MappingFile, diags: &mut Vec<Diagnostic>) -> LetDecls {
    let mut d = LetDecls { index: HashMap::new(), names: Vec::new(), spans: Vec::new() };
    for stmt in &file.statements {
        if let Statement::Let(l) = stmt {
            if let Some(&i) = d.index.get(&l.name.node) {
                diags.push(
                    Diagnostic::error("E041", format!("'{}' is defined twice", l.name.node))
                        .label(l.name.span.clone(), "defined again here")
                        .label(d.spans[i].clone(), "first defined here"),
                );
                continue;
            }
            d.index.insert(l.name.node.clone(), d.names.len());
            d.names.push(l.name.node.clone());
            d.spans.push(l.name.span.clone());
        }
    }
    d
}

/// Compiles every `let` (its first definition) and every assignment whose target resolves
/// (E030, E031, E032), and collects the test blocks.
fn compile_items(
    src: &str,
    file: &MappingFile,
    opts: &CheckOptions,
    schema: &Schema,
    aliases: &HashMap<String, Span>,
    decls: &LetDecls,
    diags: &mut Vec<Diagnostic>,
) -> Items {
    let mut scope = FileScope {
        headers: opts.headers.as_deref(),
        columns: Vec::new(),
        lets: &decls.index,
        let_names: &decls.names,
    };
    let mut lets: Vec<Option<Node>> = (0..decls.names.len()).map(|_| None).collect();
    let mut targets = Vec::new();
    let mut seen_targets: HashMap<String, Span> = HashMap::new();
    let mut tests = Vec::new();
    for stmt in &file.statements {
        match stmt {
            Statement::Let(l) => {
                let Some(&i) = decls.index.get(&l.name.node) else { continue };
                if lets[i].is_some() {
                    continue;
                }
                check_length(&l.expr.span, src, diags);
                let mut c = ExprCompiler::new(&mut scope).with_source(src);
                let node = c.compile_top(&l.expr, false);
                diags.extend(c.diags);
                lets[i] = Some(node);
            }
            Statement::Assign(a) => {
                check_length(&a.expr.span, src, diags);
                let mut c = ExprCompiler::new(&mut scope).with_source(src);
                let node = c.compile_top(&a.expr, true);
                diags.extend(c.diags);
                if let Some(d) = unknown_alias(&a.target, aliases) {
                    diags.push(d);
                    continue;
                }
                match schema.resolve(&a.target.node) {
                    Ok(resolved) => {
                        if let Some(prev) = seen_targets.get(&resolved.canonical) {
                            diags.push(
                                Diagnostic::error(
                                    "E031",
                                    format!("'{}' is mapped twice", a.target.node.text),
                                )
                                .label(a.target.span.clone(), "mapped again here")
                                .label(prev.clone(), "first mapped here")
                                .help("a target takes one expression; delete one of the two lines"),
                            );
                        } else {
                            seen_targets.insert(resolved.canonical.clone(), a.target.span.clone());
                        }
                        let unique = super::is_unique_select(&node);
                        targets.push(Target {
                            path: a.target.node.clone(),
                            span: a.target.span.clone(),
                            resolved,
                            node,
                            unique,
                            columns: Vec::new(),
                        });
                    }
                    Err(e) => diags.push(unknown_target(e, &a.target.span)),
                }
            }
            Statement::Test(t) => tests.push(t.clone()),
            Statement::Extension(_) => {}
        }
    }
    let columns = match &opts.headers {
        Some(h) => h.clone(),
        None => scope.columns,
    };
    let lets = lets
        .into_iter()
        .map(|n| n.expect("every let name was numbered from a let statement, compiled above"))
        .collect();
    Items { columns, lets, targets, tests }
}

/// The whole-file checks (let cycles, unused lets, required targets, test expectations), each
/// target's columns through its lets, and the [`Program`] when no error was found.
fn build_program(
    src: &str,
    opts: &CheckOptions,
    schema: Schema,
    decls: LetDecls,
    items: Items,
    mut diags: Vec<Diagnostic>,
) -> Checked {
    let Items { columns, lets, mut targets, tests } = items;
    check_let_cycles(&lets, &decls.names, &decls.spans, &mut diags);
    let target_nodes: Vec<(&Node, &Span)> = targets.iter().map(|t| (&t.node, &t.span)).collect();
    super::depth::check_depth(&lets, &decls.names, &decls.spans, &target_nodes, &mut diags);
    let too_deep = diags.iter().any(|d| d.code == "E043");
    check_unused_lets(&lets, &targets, &decls.names, &decls.spans, &mut diags);
    // After a syntax error the missing target may just be the statement that did not parse.
    if !diags.iter().any(|d| d.code == "E001") {
        check_required(&targets, opts, &mut diags);
    }
    super::expectations::check_tests(&tests, &targets, &mut diags);

    // Columns each target reads, through lets too (a walk as deep as the chain, so not when
    // the chain is too deep; there is no program then anyway).
    for t in targets.iter_mut().filter(|_| !too_deep) {
        let mut cols = Vec::new();
        collect_columns(&t.node, &lets, &mut cols, &mut Vec::new());
        t.columns = cols;
    }

    diags.sort_by_key(|d| d.start());
    let has_errors = diags.iter().any(Diagnostic::is_error);
    let program = (!has_errors).then(|| Program {
        columns,
        let_names: decls.names,
        let_uses: count_let_uses(&targets, &lets),
        lets,
        keys: super::program::KeyTargets::find(&targets),
        schema_order: super::program::schema_order(&targets),
        targets,
        schema,
        tests,
        hash: hex::encode(Sha256::digest(src.as_bytes())),
    });
    Checked { program, diagnostics: diags }
}

/// E030 for a target the schema does not know; the schema's suggestion becomes the help.
pub fn unknown_target(e: ResolveError, span: &Span) -> Diagnostic {
    let d = Diagnostic::error("E030", e.message).label(span.clone(), "unknown target");
    match e.suggestion {
        Some(s) => d.help(format!("did you mean '{s}'?")),
        None => d.help("`enterprise:` and declared `extension` aliases reach extension attributes"),
    }
}

/// E032 for `alias:attr` when `alias` is neither `enterprise`, a URN, nor a declared extension.
fn unknown_alias(
    target: &crate::syntax::ast::Spanned<crate::syntax::ast::TargetPath>,
    aliases: &HashMap<String, Span>,
) -> Option<Diagnostic> {
    let prefix = target.node.prefix.as_deref()?;
    if prefix == "enterprise" || prefix.starts_with("urn:") || aliases.contains_key(prefix) {
        return None;
    }
    let span = target.span.start..target.span.start + prefix.len();
    let mut known: Vec<&str> = aliases.keys().map(String::as_str).collect();
    known.push("enterprise");
    known.sort_unstable();
    let d = Diagnostic::error("E032", format!("unknown extension alias '{prefix}'"))
        .label(span, "not declared");
    Some(match did_you_mean(prefix, known.iter().copied()) {
        Some(s) => d.help(format!("did you mean '{s}:'?")),
        None => d.help(format!("declare it first: extension {prefix} = \"urn:...\"")),
    })
}

fn check_length(span: &Span, src: &str, diags: &mut Vec<Diagnostic>) {
    diags.extend(super::too_long(span, src));
}

fn check_required(targets: &[Target], opts: &CheckOptions, diags: &mut Vec<Diagnostic>) {
    // The cross-row key targets of the core schema, not same-named extension attributes.
    let keys = super::program::KeyTargets::find(targets);
    let active = targets
        .iter()
        .any(|t| t.resolved.attr == "active" && t.resolved.urn == crate::schema::CORE_USER_URN);
    let has = |attr: &str| match attr {
        "externalId" => keys.external_id.is_some(),
        "userName" => keys.user_name.is_some(),
        _ => active,
    };
    if !has("externalId") {
        diags.push(
            Diagnostic::warning("W002", "no externalId mapping: Entra matches users by externalId")
                .help("add: externalId = [EmployeeID]"),
        );
    }
    if !has("userName") {
        diags.push(
            Diagnostic::warning(
                "W003",
                "no userName mapping: new users cannot be created without it",
            )
            .help("add: userName = ToLower(Join(\"@\", ..., \"contoso.com\"))"),
        );
    }
    if !has("active") {
        let msg = "no active mapping: omitting active has disabled real accounts";
        let d = if opts.allow_missing_active {
            Diagnostic::warning("E004", msg)
        } else {
            Diagnostic::error("E004", msg)
        };
        diags.push(d.help("add: active = Switch([Status], \"false\", \"Active\", \"true\"), or pass --allow-missing-active"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{render, SourceFile};

    #[test]
    fn unknown_target_carries_the_schema_suggestion() {
        let text = "nmae.givenName = [FirstName]\n";
        let e = ResolveError {
            message: "unknown target attribute 'nmae.givenName'".into(),
            suggestion: Some("name.givenName".into()),
        };
        let d = unknown_target(e, &(0..14));
        assert_eq!(d.code, "E030");
        let out = render(&SourceFile { name: "t.map", text }, &[d]);
        assert_eq!(
            out,
            "error[E030]: unknown target attribute 'nmae.givenName'\n --> t.map:1:1\n  |\n\
             1 | nmae.givenName = [FirstName]\n  | ^^^^^^^^^^^^^^ unknown target\n\
             \x20 = help: did you mean 'name.givenName'?\n\nt.map: 1 error, 0 warnings\n"
        );
        let e = ResolveError { message: "unknown target attribute 'zzz'".into(), suggestion: None };
        assert!(unknown_target(e, &(0..3)).help.is_some_and(|h| h.contains("enterprise:")));
    }

    #[test]
    fn headers_drive_column_indices_and_errors() {
        let opts = CheckOptions {
            headers: Some(vec!["Id".into(), "Mail".into(), "State".into()]),
            allow_missing_active: false,
        };
        let src = "externalId = [Id]\nuserName = [Mail]\nactive = Switch([State], \"false\", \"A\", \"true\")\n";
        let checked = check_file(src, &opts);
        assert_eq!(checked.errors(), 0, "{:#?}", checked.diagnostics);
        let prog = checked.program.unwrap_or_else(|| panic!("no program"));
        assert_eq!(prog.columns, vec!["Id", "Mail", "State"]);
        assert_eq!(prog.targets[2].columns, vec![2]);
        let bad = check_file("externalId = [id]\n", &opts);
        assert!(bad.program.is_none());
        assert!(bad.diagnostics.iter().any(|d| d.code == "E020"));
    }
}
