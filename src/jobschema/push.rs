//! What `schema push` adds to a job schema, and nothing else: source attributes the mapping sends
//! that the API source lacks, and direct or expression attribute mappings the user asked for by
//! name (an expression is checked by hr2scim's checker against the job's source attributes
//! first). The
//! change is a list of JSON Patch `add` operations (RFC 6902) applied to the schema's raw JSON,
//! so every member hr2scim does not model goes back to Graph exactly as it came.

use serde_json::{json, Value};

use super::names::{job_kind, source_name};
use super::select::JobView;
use crate::check::{compile_expression, Program};
use crate::diagnostics::did_you_mean;
use crate::syntax::ast::Expr;

/// The additions, and why some sent attributes were not added.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PushPlan {
    /// `(name, job type)` of each source attribute to add.
    pub attributes: Vec<(String, &'static str)>,
    /// `(source attribute, target attribute)` of each direct mapping to add.
    pub mappings: Vec<(String, String)>,
    /// Each expression mapping to add.
    pub expressions: Vec<ExpressionMap>,
    pub warnings: Vec<String>,
}

/// An attribute mapping of type Function: `target` from `expression`, whose outermost call is
/// `function` (the source's `name`, as the portal writes it).
#[derive(Debug, Clone, PartialEq)]
pub struct ExpressionMap {
    pub target: String,
    pub expression: String,
    pub function: String,
}

impl PushPlan {
    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty() && self.mappings.is_empty() && self.expressions.is_empty()
    }

    /// The number of attribute mappings the plan adds.
    pub fn mapping_count(&self) -> usize {
        self.mappings.len() + self.expressions.len()
    }
}

/// Plan the additions for `program` and the `--map SOURCE=TARGET` pairs. A pair that would
/// change the job (a target already mapped, a name the schema does not know) is an error.
pub fn plan(
    program: &Program,
    job: &JobView,
    maps: &[(String, String)],
) -> Result<PushPlan, String> {
    let mut p = PushPlan::default();
    let existing = job.source_attributes();
    for t in &program.targets {
        let name = source_name(&t.resolved);
        if existing.iter().any(|a| a.name == name) || p.attributes.iter().any(|(n, _)| *n == name) {
            continue;
        }
        if let Some(a) = existing.iter().find(|a| a.name.eq_ignore_ascii_case(&name)) {
            p.warnings.push(format!(
                "'{name}' not added: the job already has '{}' (the case differs; names are \
                 case-sensitive, so correct the mapping instead)",
                a.name
            ));
            continue;
        }
        if t.resolved.multi_valued_leaf {
            p.warnings.push(format!(
                "'{name}' not added: it is multi-valued, and only single-valued attributes are \
                 known to work on the API source"
            ));
            continue;
        }
        p.attributes.push((name, job_kind(t.resolved.ty)));
    }
    for (source, target) in maps {
        let known = existing.iter().any(|a| a.name == *source)
            || p.attributes.iter().any(|(n, _)| n == source);
        if !known {
            return Err(format!(
                "--map {source}={target}: '{source}' is neither in the job's API source nor sent \
                 by the mapping"
            ));
        }
        new_target(job, &p, target, &format!("--map {source}={target}"))?;
        p.mappings.push((source.clone(), target.clone()));
    }
    Ok(p)
}

/// Why `target` cannot receive a new mapping: already mapped in the job or by this plan, or not
/// an attribute of the job's target object.
fn new_target(job: &JobView, p: &PushPlan, target: &str, flag: &str) -> Result<(), String> {
    let mapped = job.mapping.attribute_mappings.items();
    if let Some(m) = mapped.iter().find(|m| m.target_attribute_name.eq_ignore_ascii_case(target)) {
        return Err(format!(
            "{flag}: '{}' is already mapped in the job; push never changes an existing mapping \
             (edit it in the portal)",
            m.target_attribute_name
        ));
    }
    let planned = p.mappings.iter().map(|(_, t)| t).chain(p.expressions.iter().map(|e| &e.target));
    if planned.into_iter().any(|t| t.eq_ignore_ascii_case(target)) {
        return Err(format!("{flag}: '{target}' is given twice"));
    }
    if job.target.is_some() && job.target_attribute(target).is_none() {
        return Err(format!(
            "{flag}: the job's target object '{}' has no attribute '{target}'",
            job.mapping.target_object_name
        ));
    }
    Ok(())
}

/// Add the `--map-expression TARGET=EXPR` pairs to `p`. Each expression must pass hr2scim's
/// checker, read only names the job's API source defines (or `p` adds), and be a function call:
/// a bare name is a direct mapping (`--map`), a literal a constant.
pub fn plan_expressions(
    p: &mut PushPlan,
    job: &JobView,
    exprs: &[(String, String)],
) -> Result<(), String> {
    for (target, expression) in exprs {
        let flag = format!("--map-expression {target}");
        let program = compile_expression(expression).map_err(|diags| {
            let why: Vec<String> = diags
                .iter()
                .filter(|d| d.is_error())
                .map(|d| match &d.help {
                    Some(h) => format!("{} {} ({h})", d.code, d.message),
                    None => format!("{} {}", d.code, d.message),
                })
                .collect();
            format!("{flag}: the expression does not check: {}", why.join("; "))
        })?;
        let names: Vec<&str> = job
            .source_attributes()
            .iter()
            .map(|a| a.name.as_str())
            .chain(p.attributes.iter().map(|(n, _)| n.as_str()))
            .collect();
        for c in &program.columns {
            if names.contains(&c.as_str()) {
                continue;
            }
            let hint = match did_you_mean(c, names.iter().copied()) {
                Some(s) => format!(" (did you mean '{s}'?)"),
                None => String::new(),
            };
            return Err(format!(
                "{flag}: the expression reads '{c}', which the job's API source does not \
                 define and the mapping does not send{hint}"
            ));
        }
        let function = match crate::syntax::parse_expression(expression).map(|e| e.node) {
            Ok(Expr::Call { name, .. }) => name.node,
            _ => {
                return Err(format!(
                    "{flag}: an expression mapping is a function call; use --map SOURCE={target} \
                     for a direct mapping"
                ))
            }
        };
        new_target(job, p, target, &flag)?;
        p.expressions.push(ExpressionMap {
            target: target.clone(),
            expression: expression.clone(),
            function,
        });
    }
    Ok(())
}

/// The attribute definition Microsoft's own tools add (CSV2SCIM, the Graph examples).
pub fn attribute_json(name: &str, kind: &str) -> Value {
    json!({
        "name": name, "type": kind, "anchor": false, "caseExact": false, "defaultValue": null,
        "flowNullValues": false, "multivalued": false, "mutability": "ReadWrite",
        "required": false, "apiExpressions": [], "metadata": [], "referencedObjects": []
    })
}

/// A direct attribute mapping, flowing always, not a matching attribute.
pub fn mapping_json(source: &str, target: &str) -> Value {
    json!({
        "source": {"type": "Attribute", "name": source, "expression": format!("[{source}]"),
                   "parameters": []},
        "targetAttributeName": target, "defaultValue": null, "flowType": "Always",
        "flowBehavior": "FlowWhenChanged", "matchingPriority": 0, "exportMissingReferences": false
    })
}

/// An expression mapping (source type Function), flowing always, not a matching attribute.
pub fn expression_json(e: &ExpressionMap) -> Value {
    json!({
        "source": {"type": "Function", "name": e.function, "expression": e.expression,
                   "parameters": []},
        "targetAttributeName": e.target, "defaultValue": null, "flowType": "Always",
        "flowBehavior": "FlowWhenChanged", "matchingPriority": 0, "exportMissingReferences": false
    })
}

/// The JSON Patch of a plan: `add` operations appending to the source object's attributes and
/// to the object mapping's attribute mappings.
pub fn patch(job: &JobView, plan: &PushPlan) -> Result<Vec<Value>, String> {
    let (dir, obj, rule, om) = locate(job)?;
    let mut ops = Vec::new();
    for (name, kind) in &plan.attributes {
        ops.push(
            json!({"op": "add", "path": format!("/directories/{dir}/objects/{obj}/attributes/-"),
                        "value": attribute_json(name, kind)}),
        );
    }
    for (source, target) in &plan.mappings {
        ops.push(json!({"op": "add",
            "path": format!("/synchronizationRules/{rule}/objectMappings/{om}/attributeMappings/-"),
            "value": mapping_json(source, target)}));
    }
    for e in &plan.expressions {
        ops.push(json!({"op": "add",
            "path": format!("/synchronizationRules/{rule}/objectMappings/{om}/attributeMappings/-"),
            "value": expression_json(e)}));
    }
    Ok(ops)
}

/// Array positions of the view's parts in the schema (the typed lists keep the JSON's order).
fn locate(job: &JobView) -> Result<(usize, usize, usize, usize), String> {
    let s = job.schema;
    let pos = |found: Option<(usize, usize)>, what: &str| {
        found.ok_or(format!("cannot locate the {what} in the schema"))
    };
    let mut at = None;
    for (d, dir) in s.directories.items().iter().enumerate() {
        for (o, obj) in dir.objects.items().iter().enumerate() {
            if std::ptr::eq(obj, job.source) {
                at = Some((d, o));
            }
        }
    }
    let (dir, obj) = pos(at, "source object")?;
    let mut at = None;
    for (r, rule) in s.synchronization_rules.items().iter().enumerate() {
        for (m, om) in rule.object_mappings.items().iter().enumerate() {
            if std::ptr::eq(om, job.mapping) {
                at = Some((r, m));
            }
        }
    }
    let (rule, om) = pos(at, "object mapping")?;
    Ok((dir, obj, rule, om))
}

/// Apply `add` operations that append to arrays (the only kind [`patch`] makes).
pub fn apply(raw: &mut Value, ops: &[Value]) -> Result<(), String> {
    for op in ops {
        let path = op["path"].as_str().ok_or("a patch operation without a path")?;
        let parent = path.strip_suffix("/-").ok_or(format!("unsupported patch path {path}"))?;
        let list = raw
            .pointer_mut(parent)
            .and_then(Value::as_array_mut)
            .ok_or(format!("the schema has no list at {parent}"))?;
        list.push(op["value"].clone());
    }
    Ok(())
}

/// Whether the schema read back is the one sent, apart from what Graph sets itself (`version`,
/// `@odata.context`). The first difference, as a JSON pointer, otherwise.
pub fn verify(sent: &Value, read_back: &Value) -> Result<(), String> {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            o.remove("version");
            o.remove("@odata.context");
        }
        v
    };
    match first_difference(&strip(sent), &strip(read_back), String::new()) {
        None => Ok(()),
        Some(at) => Err(format!("the schema read back differs from the one sent at '{at}'")),
    }
}

fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                let here = format!("{at}/{k}");
                match y.get(k) {
                    Some(w) => {
                        if let Some(d) = first_difference(v, w, here) {
                            return Some(d);
                        }
                    }
                    None => return Some(here),
                }
            }
            y.keys().find(|k| !x.contains_key(*k)).map(|k| format!("{at}/{k}"))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| first_difference(v, w, format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(if at.is_empty() { "/".into() } else { at }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn additions_append_and_the_read_back_is_compared_except_what_graph_sets() {
        let mut raw = json!({"version": "1", "directories": [{"objects": [{"attributes": [
            {"name": "externalId"}]}]}]});
        let ops = vec![json!({"op": "add", "path": "/directories/0/objects/0/attributes/-",
                              "value": attribute_json("urn:x:User:grade", "Integer")})];
        apply(&mut raw, &ops).unwrap();
        let attrs = raw.pointer("/directories/0/objects/0/attributes").unwrap();
        assert_eq!(attrs[1]["name"], "urn:x:User:grade");
        assert_eq!(attrs[1]["type"], "Integer");
        assert!(apply(&mut raw, &[json!({"op": "add", "path": "/nope/-", "value": 1})]).is_err());
        assert!(apply(&mut raw, &[json!({"op": "replace", "path": "/version"})]).is_err());

        let mut back = raw.clone();
        back["version"] = json!("2");
        back["@odata.context"] = json!("https://graph/$metadata");
        assert_eq!(verify(&raw, &back), Ok(()));
        back["directories"][0]["objects"][0]["attributes"][1]["type"] = json!("String");
        let err = verify(&raw, &back).unwrap_err();
        assert!(err.ends_with("at '/directories/0/objects/0/attributes/1/type'"), "{err}");
        let mut dropped = raw.clone();
        dropped["directories"][0]["objects"][0]["attributes"].as_array_mut().unwrap().pop();
        assert!(verify(&raw, &dropped)
            .unwrap_err()
            .contains("/directories/0/objects/0/attributes"));
    }
}
