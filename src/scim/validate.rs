//! Validating a finished SCIM User document against the schema (RFC 7643 types, canonical values,
//! mutability, `schemas` membership) and Entra's requirements (externalId, userName, active).
//!
//! The per-row pipeline relies on typing at assembly ([`super::UserBuilder::check`]); this full
//! check serves `validate`-style commands, NDJSON input and tests.

use serde_json::{Map, Value as J};

use crate::schema::{AttrType, Attribute, Mutability, Schema, SchemaDef, CORE_USER_URN};

/// Every problem of the document; empty when it is valid. Each message names the attribute path
/// and quotes the offending value.
pub fn validate(user: &J, schema: &Schema) -> Vec<String> {
    let mut v = Validator { schema, problems: Vec::new() };
    let Some(obj) = user.as_object() else {
        return vec![format!("the user is not a JSON object: {}", short(user))];
    };
    v.schemas(obj);
    v.required(obj);
    let defs = schema.defs();
    for (key, value) in obj {
        if key == "schemas" {
            continue;
        }
        if let Some((_, a)) = find(&defs[0].attributes, key) {
            v.attribute(key, a, value);
        } else if let Some(def) = defs.iter().skip(1).find(|d| d.urn.eq_ignore_ascii_case(key)) {
            v.extension(key, def, value);
        } else if key.to_ascii_lowercase().starts_with("urn:") {
            v.problems.push(format!(
                "{key}: this extension namespace is not declared, so its attributes cannot be checked"
            ));
        } else {
            v.problems.push(format!(
                "{key}: not an attribute of the core User schema (value {})",
                short(value)
            ));
        }
    }
    v.lengths(obj);
    v.problems
}

struct Validator<'s> {
    schema: &'s Schema,
    problems: Vec<String>,
}

fn find<'a>(attrs: &'a [Attribute], name: &str) -> Option<(usize, &'a Attribute)> {
    attrs.iter().enumerate().find(|(_, a)| a.name.eq_ignore_ascii_case(name))
}

/// A value as quoted in messages, cut to keep messages readable.
fn short(v: &J) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}

impl Validator<'_> {
    fn schemas(&mut self, obj: &Map<String, J>) {
        let listed: Vec<&str> = match obj.get("schemas").and_then(J::as_array) {
            Some(a) => a.iter().filter_map(J::as_str).collect(),
            None => {
                self.problems.push(
                    "schemas: missing; it must list the core and enterprise User schemas".into(),
                );
                return;
            }
        };
        for must in [CORE_USER_URN, crate::schema::ENTERPRISE_USER_URN] {
            if !listed.contains(&must) {
                self.problems
                    .push(format!("schemas: {listed:?} does not list {must} (Entra requires it)"));
            }
        }
        for (i, urn) in listed.iter().enumerate() {
            if listed[..i].contains(urn) {
                self.problems.push(format!("schemas: \"{urn}\" is listed twice"));
            }
        }
        for key in obj.keys().filter(|k| k.to_ascii_lowercase().starts_with("urn:")) {
            if !listed.iter().any(|u| u.eq_ignore_ascii_case(key)) {
                self.problems.push(format!(
                    "schemas: the extension object \"{key}\" is present but its URN is not listed"
                ));
            }
        }
    }

    fn required(&mut self, obj: &Map<String, J>) {
        for name in ["externalId", "userName"] {
            match obj.get(name) {
                None => self.problems.push(format!("{name}: missing; every user needs one")),
                Some(J::String(s)) if s.trim().is_empty() => self
                    .problems
                    .push(format!("{name}: empty ({}); every user needs one", short(&obj[name]))),
                _ => {}
            }
        }
        if !obj.contains_key("active") {
            self.problems.push(
                "active: missing; always send it, omitting it has disabled accounts".to_string(),
            );
        }
    }

    fn extension(&mut self, urn: &str, def: &SchemaDef, value: &J) {
        let Some(obj) = value.as_object() else {
            self.problems
                .push(format!("{urn}: must be an object of attributes, got {}", short(value)));
            return;
        };
        for (key, v) in obj {
            let path = format!("{urn}:{key}");
            match find(&def.attributes, key) {
                Some((_, a)) => self.attribute(&path, a, v),
                None if def.open => self.scalar(&path, AttrType::String, v),
                None => self.problems.push(format!(
                    "{path}: not an attribute of {} (value {})",
                    def.urn,
                    short(v)
                )),
            }
        }
    }

    fn attribute(&mut self, path: &str, a: &Attribute, v: &J) {
        if a.mutability == Mutability::ReadOnly {
            self.problems
                .push(format!("{path}: read-only, a client must not send it (value {})", short(v)));
            return;
        }
        if a.multi_valued {
            let Some(items) = v.as_array() else {
                self.problems
                    .push(format!("{path}: multi-valued, expected a list, got {}", short(v)));
                return;
            };
            let mut primaries = 0;
            for (i, item) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                if a.ty == AttrType::Complex {
                    self.complex(&p, a, item);
                    primaries += usize::from(item.get("primary") == Some(&J::Bool(true)));
                } else {
                    self.scalar_attr(&p, a, item);
                }
            }
            if primaries > 1 {
                self.problems.push(format!(
                    "{path}: {primaries} entries have \"primary\": true; at most one may"
                ));
            }
        } else if a.ty == AttrType::Complex {
            self.complex(path, a, v);
        } else {
            self.scalar_attr(path, a, v);
        }
    }

    fn complex(&mut self, path: &str, a: &Attribute, v: &J) {
        let Some(obj) = v.as_object() else {
            self.problems.push(format!("{path}: complex, expected an object, got {}", short(v)));
            return;
        };
        for (key, sv) in obj {
            let p = format!("{path}.{key}");
            match a.sub(key) {
                Some((_, s)) if s.mutability == Mutability::ReadOnly => self.problems.push(
                    format!("{p}: read-only, a client must not send it (value {})", short(sv)),
                ),
                Some((_, s)) => self.scalar_attr(&p, s, sv),
                None => self.problems.push(format!(
                    "{p}: `{}` has no sub-attribute `{key}` (value {})",
                    a.name,
                    short(sv)
                )),
            }
        }
    }

    fn scalar_attr(&mut self, path: &str, a: &Attribute, v: &J) {
        self.scalar(path, a.ty, v);
        if let (false, Some(s)) = (a.canonical_values.is_empty(), v.as_str()) {
            // Entra matches `emails[type eq "work"]` exactly, so canonical values are enforced
            // in their lower-case canonical spelling.
            if !a.canonical_values.iter().any(|c| c == s) {
                self.problems.push(format!(
                    "{path}: \"{s}\" is not a canonical value (use one of: {})",
                    a.canonical_values.join(", ")
                ));
            }
        }
    }

    fn scalar(&mut self, path: &str, ty: AttrType, v: &J) {
        let ok = match ty {
            AttrType::String | AttrType::Reference => v.is_string(),
            AttrType::Boolean => v.is_boolean(),
            AttrType::Integer => v.is_i64() || v.is_u64(),
            AttrType::Decimal => v.is_number(),
            AttrType::DateTime => {
                v.as_str().is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
            }
            AttrType::Binary => v.as_str().is_some_and(|s| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.decode(s).is_ok()
            }),
            AttrType::Complex => false,
        };
        if !ok {
            let expected = match ty {
                AttrType::DateTime => "an RFC 3339 dateTime string such as 2024-03-01T00:00:00Z",
                AttrType::Binary => "a base64 string",
                AttrType::Boolean => "true or false",
                AttrType::Integer => "an integer",
                AttrType::Decimal => "a number",
                AttrType::Complex => "an object",
                AttrType::String | AttrType::Reference => "a string",
            };
            self.problems.push(format!("{path}: expected {expected} ({ty}), got {}", short(v)));
        }
    }

    fn lengths(&mut self, obj: &Map<String, J>) {
        for (path, max) in self.schema.max_lengths() {
            let Some(s) = lookup(obj, path) else { continue };
            let n = s.chars().count();
            if n > *max {
                self.problems
                    .push(format!("{path}: \"{s}\" is {n} characters long; the limit is {max}"));
            }
        }
    }
}

/// The string at a canonical path of the kinds `attr`, `attr.sub`, `urn:...:attr[.sub]`
/// (length limits do not address multi-valued entries).
fn lookup<'a>(obj: &'a Map<String, J>, path: &str) -> Option<&'a str> {
    let (scope, rest) = match path.rfind(':') {
        Some(i) => (obj.get(&path[..i])?.as_object()?, &path[i + 1..]),
        None => (obj, path),
    };
    match rest.split_once('.') {
        Some((a, s)) => scope.get(a)?.get(s)?.as_str(),
        None => scope.get(rest)?.as_str(),
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
