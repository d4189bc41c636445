//! Which attributes of a user change between the document last sent and today's, for the run
//! report: both documents flattened into readable paths (`name.givenName`,
//! `emails[type eq "work"].value`, `enterprise:manager.value`), then compared path by path.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::schema::ENTERPRISE_USER_URN;

/// One attribute that differs. `from` is `None` when the attribute is new, `to` when it is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrChange {
    pub attr: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A document as `path -> value text`, sorted by path. `schemas` is left out: it says which
/// extensions are present, which the paths already show. A document that is not a JSON object
/// flattens to nothing.
pub fn flatten(doc: &[u8]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(doc) else { return out };
    for (k, v) in &map {
        if k == "schemas" {
            continue;
        }
        if k.starts_with("urn:") {
            // The mapping language's own short prefix for the one extension everyone uses.
            let prefix =
                if k == ENTERPRISE_USER_URN { "enterprise:".to_string() } else { format!("{k}:") };
            match v {
                Value::Object(ext) => {
                    for (ek, ev) in ext {
                        walk(&format!("{prefix}{ek}"), ev, &mut out);
                    }
                }
                other => walk(k, other, &mut out),
            }
        } else {
            walk(k, v, &mut out);
        }
    }
    out
}

fn walk(path: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            for (k, sub) in m {
                walk(&format!("{path}.{k}"), sub, out);
            }
        }
        Value::Array(items) if items.iter().any(Value::is_object) => {
            for (i, item) in items.iter().enumerate() {
                // Entries are named by their type where it is distinct, as the mapping names
                // them (the type is then in the name, not a value); otherwise by position.
                let kind = item.get("type").filter(|t| {
                    t.is_string() && items.iter().filter(|o| o.get("type") == Some(*t)).count() == 1
                });
                let key = match kind {
                    Some(t) => format!("{path}[type eq {t}]"),
                    None => format!("{path}[{i}]"),
                };
                match item {
                    Value::Object(m) => {
                        for (k, sub) in m {
                            if !(kind.is_some() && k == "type") {
                                walk(&format!("{key}.{k}"), sub, out);
                            }
                        }
                    }
                    other => walk(&key, other, out),
                }
            }
        }
        Value::String(s) => {
            out.insert(path.to_string(), s.clone());
        }
        other => {
            out.insert(path.to_string(), other.to_string());
        }
    }
}

/// The attributes that differ between `before` and `after`, in path order. With `only_set`,
/// attributes missing from `after` are not reported as removed: a leaver's disable document
/// carries only what it changes, and the target keeps the rest.
pub fn diff(before: &[u8], after: &[u8], only_set: bool) -> Vec<AttrChange> {
    let (a, b) = (flatten(before), flatten(after));
    let mut out = Vec::new();
    let mut ia = a.into_iter().peekable();
    let mut ib = b.into_iter().peekable();
    loop {
        let order = match (ia.peek(), ib.peek()) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some((ka, _)), Some((kb, _))) => ka.cmp(kb),
        };
        match order {
            std::cmp::Ordering::Less => {
                let (attr, from) = ia.next().expect("peeked");
                if !only_set {
                    out.push(AttrChange { attr, from: Some(from), to: None });
                }
            }
            std::cmp::Ordering::Greater => {
                let (attr, to) = ib.next().expect("peeked");
                out.push(AttrChange { attr, from: None, to: Some(to) });
            }
            std::cmp::Ordering::Equal => {
                let (attr, from) = ia.next().expect("peeked");
                let (_, to) = ib.next().expect("peeked");
                if from != to {
                    out.push(AttrChange { attr, from: Some(from), to: Some(to) });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENT: &str = ENTERPRISE_USER_URN;

    fn doc(v: serde_json::Value) -> Vec<u8> {
        serde_json::to_vec(&v).unwrap()
    }

    fn change(attr: &str, from: Option<&str>, to: Option<&str>) -> AttrChange {
        AttrChange { attr: attr.into(), from: from.map(Into::into), to: to.map(Into::into) }
    }

    #[test]
    fn paths_read_like_the_mapping_language() {
        let d = doc(serde_json::json!({
            "schemas": ["x"],
            "externalId": "7",
            "active": true,
            "name": {"givenName": "Ann"},
            "emails": [{"type": "work", "value": "a@x", "primary": true}],
            "phoneNumbers": [{"value": "1"}, {"value": "2"}],
            ENT: {"department": "Sales", "manager": {"value": "9"}},
            "urn:acme:1.0:User": {"badge": 12},
        }));
        let f: Vec<(String, String)> = flatten(&d).into_iter().collect();
        let want = [
            ("active", "true"),
            ("emails[type eq \"work\"].primary", "true"),
            ("emails[type eq \"work\"].value", "a@x"),
            ("enterprise:department", "Sales"),
            ("enterprise:manager.value", "9"),
            ("externalId", "7"),
            ("name.givenName", "Ann"),
            ("phoneNumbers[0].value", "1"),
            ("phoneNumbers[1].value", "2"),
            ("urn:acme:1.0:User:badge", "12"),
        ];
        let want: Vec<(String, String)> =
            want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        assert_eq!(f, want);
    }

    #[test]
    fn added_removed_and_changed_values_in_path_order() {
        let before = doc(serde_json::json!({
            "externalId": "7", "title": "Clerk", "nickName": "Al",
            ENT: {"department": "Sales"},
        }));
        let after = doc(serde_json::json!({
            "externalId": "7", "title": "Manager",
            "emails": [{"type": "work", "value": "a@x"}],
            ENT: {"department": "Sales", "manager": {"value": "9"}},
        }));
        assert_eq!(
            diff(&before, &after, false),
            [
                change("emails[type eq \"work\"].value", None, Some("a@x")),
                change("enterprise:manager.value", None, Some("9")),
                change("nickName", Some("Al"), None),
                change("title", Some("Clerk"), Some("Manager")),
            ]
        );
        assert!(diff(&before, &before, false).is_empty());
    }

    #[test]
    fn a_disable_document_reports_only_what_it_sets() {
        let before = doc(serde_json::json!({"externalId": "7", "active": true, "title": "Clerk"}));
        let after = doc(
            serde_json::json!({"externalId": "7", "active": false, ENT: {"department": "Leavers"}}),
        );
        assert_eq!(
            diff(&before, &after, true),
            [
                change("active", Some("true"), Some("false")),
                change("enterprise:department", None, Some("Leavers")),
            ]
        );
    }

    #[test]
    fn two_entries_of_one_type_are_named_by_position_and_garbage_is_empty() {
        let d = doc(
            serde_json::json!({"emails": [{"type": "work", "value": "a"}, {"type": "work", "value": "b"}]}),
        );
        let f: Vec<String> = flatten(&d).into_keys().collect();
        assert_eq!(f, ["emails[0].type", "emails[0].value", "emails[1].type", "emails[1].value"]);
        assert!(flatten(b"not json").is_empty() && flatten(b"[1]").is_empty());
    }
}
