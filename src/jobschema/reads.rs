//! What the job's own mappings read: the source attribute names of each attribute mapping and
//! of the scoping filter, and the functions its expressions call. Expressions are parsed with
//! hr2scim's grammar (the `[...]` references are names, taken verbatim); the `parameters` tree is
//! only a fallback, as its keys are not documented.

use super::model::{MappingSource, ObjectMapping, SourceKind};
use crate::syntax::ast::{Expr, Spanned};

/// The names a source reads, in order of first appearance, and the functions it calls.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Reads {
    pub names: Vec<String>,
    pub functions: Vec<String>,
}

impl Reads {
    fn add_name(&mut self, n: &str) {
        if !self.names.iter().any(|x| x == n) {
            self.names.push(n.to_string());
        }
    }
}

/// What one mapping source reads.
pub fn source_reads(src: &MappingSource) -> Reads {
    let mut r = Reads::default();
    collect(src, &mut r);
    r
}

fn collect(src: &MappingSource, r: &mut Reads) {
    match src.kind() {
        Some(SourceKind::Attribute) => {
            if let Some(n) = src.name.str() {
                r.add_name(n);
            }
        }
        Some(SourceKind::Constant) | None => {}
        Some(SourceKind::Function) => {
            let parsed = src.expression.str().and_then(|e| crate::syntax::parse_expression(e).ok());
            match parsed {
                Some(ast) => walk(&ast, r),
                None => {
                    if let Some(f) = src.name.str() {
                        if !r.functions.iter().any(|x| x == f) {
                            r.functions.push(f.to_string());
                        }
                    }
                    for p in src.parameters.items() {
                        collect(&p.value, r);
                    }
                }
            }
        }
    }
}

fn walk(e: &Spanned<Expr>, r: &mut Reads) {
    match &e.node {
        Expr::Column(c) => r.add_name(c),
        Expr::Call { name, args } => {
            if !r.functions.iter().any(|x| x.eq_ignore_ascii_case(&name.node)) {
                r.functions.push(name.node.clone());
            }
            for a in args.iter().flatten() {
                walk(a, r);
            }
        }
        Expr::Compare { lhs, rhs, .. } => {
            walk(lhs, r);
            walk(rhs, r);
        }
        _ => {}
    }
}

/// The source names the scoping filter's clauses test.
pub fn scope_reads(m: &ObjectMapping) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    if let Some(scope) = m.scope.get() {
        let groups = scope
            .groups
            .items()
            .iter()
            .chain(scope.input_filter_groups.items())
            .chain(scope.category_filter_groups.items());
        for g in groups {
            for c in g.clauses.items() {
                if !names.contains(&c.source_operand_name) {
                    names.push(c.source_operand_name.clone());
                }
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(json: serde_json::Value) -> MappingSource {
        serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn expressions_are_parsed_for_their_names_and_functions() {
        let s = source(serde_json::json!({"type": "Function", "name": "Switch", "parameters": [],
            "expression": "Switch([urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department], \"x\", \"Sales\", Join(\",\", [emails[type eq \"work\"].value], [a]))"}));
        let r = source_reads(&s);
        assert_eq!(
            r.names,
            [
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                "emails[type eq \"work\"].value",
                "a"
            ]
        );
        assert_eq!(r.functions, ["Switch", "Join"]);
    }

    #[test]
    fn the_parameter_tree_is_the_fallback() {
        let s = source(serde_json::json!({"type": "Function", "name": "Mid", "parameters": [
            {"key": "source", "value": {"type": "Attribute", "name": "name.givenName"}},
            {"key": "start", "value": {"type": "Constant", "name": "1"}}]}));
        let r = source_reads(&s);
        assert_eq!(r.names, ["name.givenName"]);
        assert_eq!(r.functions, ["Mid"]);
        let attr = source(serde_json::json!({"name": "externalId"}));
        assert_eq!(source_reads(&attr).names, ["externalId"]);
        let constant = source(serde_json::json!({"type": "Constant", "name": "Contoso"}));
        assert!(source_reads(&constant).names.is_empty());
    }
}
