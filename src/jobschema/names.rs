//! The names Entra's job schema gives the attributes of a SCIM user (`name.givenName`,
//! `emails[type eq "work"].value`, `urn:...:enterprise:2.0:User:department`): from a mapping's
//! resolved targets (what it sends) and from a SCIM user document (what one user carries).

use serde_json::Value;

use crate::schema::{AttrType, ResolvedTarget, CORE_USER_URN, ENTERPRISE_USER_URN};

/// The source attribute name the job schema uses for what `t` writes.
pub fn source_name(t: &ResolvedTarget) -> String {
    let leaf = match (&t.filter, &t.sub) {
        (Some(f), Some(sub)) => format!("{}[type eq \"{}\"].{sub}", t.attr, f.type_value),
        (Some(f), None) => format!("{}[type eq \"{}\"]", t.attr, f.type_value),
        (None, Some(sub)) => format!("{}.{sub}", t.attr),
        (None, None) => t.attr.clone(),
    };
    if t.urn == CORE_USER_URN {
        leaf
    } else if t.urn == ENTERPRISE_USER_URN && t.attr == "manager" {
        // The job reads the manager's id under the attribute's own name, without `.value`.
        format!("{}:manager", t.urn)
    } else {
        format!("{}:{leaf}", t.urn)
    }
}

/// The JSON kind a SCIM leaf of type `ty` is sent as, in the job schema's type words.
pub fn job_kind(ty: AttrType) -> &'static str {
    match ty {
        AttrType::Boolean => "Boolean",
        AttrType::Integer | AttrType::Decimal => "Integer",
        AttrType::DateTime => "DateTime",
        _ => "String",
    }
}

/// Every source attribute a SCIM user document carries, flattened as the job schema names them,
/// in document order. Booleans become `True`/`False` (as the job's expressions compare them);
/// a multi-valued simple attribute keeps its values as a list.
pub fn flatten_user(doc: &Value) -> Vec<(String, FlatValue)> {
    let mut out = Vec::new();
    let Some(obj) = doc.as_object() else { return out };
    for (k, v) in obj {
        if k == "schemas" || k == "id" || k == "meta" {
            continue;
        }
        if k.starts_with("urn:") {
            // An extension object: its members are `URN:attr` (the manager without `.value`).
            let Some(ext) = v.as_object() else { continue };
            for (a, av) in ext {
                let name = format!("{k}:{a}");
                match av {
                    Value::Object(o) if k == ENTERPRISE_USER_URN && a == "manager" => {
                        if let Some(id) = o.get("value").and_then(scalar) {
                            out.push((name, FlatValue::One(id)));
                        }
                    }
                    _ => push_value(&mut out, name, av),
                }
            }
            continue;
        }
        push_value(&mut out, k.clone(), v);
    }
    out
}

/// One flattened value.
#[derive(Debug, Clone, PartialEq)]
pub enum FlatValue {
    One(String),
    Many(Vec<String>),
}

fn push_value(out: &mut Vec<(String, FlatValue)>, name: String, v: &Value) {
    match v {
        Value::Object(o) => {
            for (sub, sv) in o {
                if let Some(s) = scalar(sv) {
                    out.push((format!("{name}.{sub}"), FlatValue::One(s)));
                }
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object()) => {
            let list: Vec<String> = items.iter().filter_map(scalar).collect();
            out.push((name, FlatValue::Many(list)));
        }
        Value::Array(items) => {
            // Entries are addressed by their `type`; an entry without one has no job name.
            for item in items {
                let Some(o) = item.as_object() else { continue };
                let Some(ty) = o.get("type").and_then(Value::as_str) else { continue };
                for (sub, sv) in o {
                    if sub == "type" {
                        continue;
                    }
                    if let Some(s) = scalar(sv) {
                        out.push((format!("{name}[type eq \"{ty}\"].{sub}"), FlatValue::One(s)));
                    }
                }
            }
        }
        other => {
            if let Some(s) = scalar(other) {
                out.push((name, FlatValue::One(s)));
            }
        }
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(true) => Some("True".into()),
        Value::Bool(false) => Some("False".into()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;
    use crate::syntax::ast::{Statement, TargetPath};

    fn target(text: &str) -> ResolvedTarget {
        let src = format!("{text} = \"x\"");
        let (file, diags) = crate::syntax::parse_file(&src);
        assert!(diags.is_empty(), "{text}: {diags:?}");
        let path: Option<TargetPath> = file.statements.iter().find_map(|s| match s {
            Statement::Assign(a) => Some(a.target.node.clone()),
            _ => None,
        });
        let path = path.unwrap_or_else(|| panic!("{text}: no target"));
        Schema::builtin().resolve(&path).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn targets_are_named_as_the_job_schema_names_them() {
        assert_eq!(source_name(&target("externalId")), "externalId");
        assert_eq!(source_name(&target("name.givenName")), "name.givenName");
        assert_eq!(
            source_name(&target("emails[type eq \"Work\"].value")),
            "emails[type eq \"work\"].value"
        );
        assert_eq!(
            source_name(&target("enterprise:department")),
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"
        );
        assert_eq!(
            source_name(&target("enterprise:manager.value")),
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"
        );
    }

    #[test]
    fn a_user_flattens_to_the_job_schema_names() {
        let doc = serde_json::json!({
            "schemas": ["x"],
            "externalId": "100042",
            "active": true,
            "name": {"givenName": "Zoë", "familyName": "Adams"},
            "emails": [{"type": "work", "value": "zoe@contoso.com", "primary": true}, {"value": "untyped"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "department": "Sales", "manager": {"value": "100007"}
            }
        });
        let flat = flatten_user(&doc);
        let get = |n: &str| flat.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        assert_eq!(get("externalId"), Some(FlatValue::One("100042".into())));
        assert_eq!(get("active"), Some(FlatValue::One("True".into())));
        assert_eq!(get("name.givenName"), Some(FlatValue::One("Zoë".into())));
        assert_eq!(
            get("emails[type eq \"work\"].value"),
            Some(FlatValue::One("zoe@contoso.com".into()))
        );
        assert_eq!(get("emails[type eq \"work\"].primary"), Some(FlatValue::One("True".into())));
        assert_eq!(
            get("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"),
            Some(FlatValue::One("100007".into()))
        );
        assert!(get("schemas").is_none());
        assert_eq!(flat.iter().filter(|(k, _)| k.starts_with("emails")).count(), 2);
    }
}
