//! Reading RFC 7643 §7 Schema JSON (the embedded standard schemas and extension schema files).

use serde::Deserialize;

use super::{check_attr_name, AttrType, Attribute, Mutability, SchemaDef};

#[derive(Deserialize)]
struct RawSchema {
    id: String,
    #[serde(default)]
    attributes: Vec<RawAttr>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAttr {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    multi_valued: bool,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    case_exact: bool,
    #[serde(default)]
    mutability: Option<String>,
    #[serde(default)]
    canonical_values: Vec<String>,
    #[serde(default)]
    sub_attributes: Vec<RawAttr>,
}

/// One Schema object.
pub(super) fn parse_schema_json(text: &str) -> Result<SchemaDef, String> {
    let raw: RawSchema = serde_json::from_str(text).map_err(|e| format!("{e}"))?;
    convert(raw)
}

/// A Schema object, an array of them, or a SCIM ListResponse of them (what `/Schemas` returns).
pub(super) fn parse_schema_file(text: &str) -> Result<Vec<SchemaDef>, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("{e}"))?;
    let items = match v {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut o) => match o.remove("Resources") {
            Some(serde_json::Value::Array(items)) => items,
            _ => vec![serde_json::Value::Object(o)],
        },
        _ => return Err("expected a Schema object or an array of Schema objects".to_string()),
    };
    let mut defs = Vec::new();
    for item in items {
        let raw: RawSchema = serde_json::from_value(item).map_err(|e| format!("{e}"))?;
        let def = convert(raw)?;
        // Core and enterprise are built in; a `/Schemas` dump repeats them.
        if def.urn != super::CORE_USER_URN && def.urn != super::ENTERPRISE_USER_URN {
            defs.push(def);
        }
    }
    if defs.is_empty() {
        return Err("it holds no extension schema (only core or enterprise ones)".to_string());
    }
    Ok(defs)
}

fn convert(raw: RawSchema) -> Result<SchemaDef, String> {
    // Attribute positions are 16-bit in the builder's layout keys.
    if raw.attributes.len() >= 0xFFFF {
        return Err(format!("schema \"{}\" has too many attributes", raw.id));
    }
    let attributes = raw
        .attributes
        .into_iter()
        .map(|a| convert_attr(a, 0))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("schema \"{}\": {e}", raw.id))?;
    Ok(SchemaDef { urn: raw.id, alias: None, attributes, open: false })
}

fn convert_attr(raw: RawAttr, depth: usize) -> Result<Attribute, String> {
    check_attr_name(&raw.name)?;
    let ty = if raw.ty.eq_ignore_ascii_case("complex") {
        AttrType::Complex
    } else {
        AttrType::parse(&raw.ty)
            .ok_or_else(|| format!("attribute `{}` has unknown type \"{}\"", raw.name, raw.ty))?
    };
    if ty == AttrType::Complex && depth > 0 {
        return Err(format!(
            "sub-attribute `{}` is complex; RFC 7643 §2.3.8 forbids nested complex attributes",
            raw.name
        ));
    }
    if ty == AttrType::Complex && raw.sub_attributes.is_empty() {
        return Err(format!("complex attribute `{}` has no subAttributes", raw.name));
    }
    let mutability = match raw.mutability.as_deref() {
        None => Mutability::ReadWrite,
        Some(m) if m.eq_ignore_ascii_case("readWrite") => Mutability::ReadWrite,
        Some(m) if m.eq_ignore_ascii_case("readOnly") => Mutability::ReadOnly,
        Some(m) if m.eq_ignore_ascii_case("immutable") => Mutability::Immutable,
        Some(m) if m.eq_ignore_ascii_case("writeOnly") => Mutability::WriteOnly,
        Some(m) => return Err(format!("attribute `{}` has unknown mutability \"{m}\"", raw.name)),
    };
    let sub_attributes = raw
        .sub_attributes
        .into_iter()
        .map(|a| convert_attr(a, depth + 1))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Attribute {
        name: raw.name,
        ty,
        multi_valued: raw.multi_valued,
        required: raw.required,
        case_exact: raw.case_exact,
        mutability,
        canonical_values: raw.canonical_values,
        sub_attributes,
    })
}

/// RFC 7643 §7 Schema JSON for the custom extensions (an array, in declaration order), as
/// `convert` can write next to its output so that validators check the declared types.
pub(super) fn extensions_to_json(defs: &[SchemaDef]) -> serde_json::Value {
    let schemas: Vec<serde_json::Value> = defs
        .iter()
        .map(|d| {
            serde_json::json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
                "id": d.urn,
                "name": d.alias.clone().unwrap_or_else(|| d.urn.rsplit(':').next().unwrap_or("").to_string()),
                "attributes": d.attributes.iter().map(attr_to_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::Value::Array(schemas)
}

fn attr_to_json(a: &Attribute) -> serde_json::Value {
    let mutability = match a.mutability {
        Mutability::ReadOnly => "readOnly",
        Mutability::ReadWrite => "readWrite",
        Mutability::Immutable => "immutable",
        Mutability::WriteOnly => "writeOnly",
    };
    let mut v = serde_json::json!({
        "name": a.name,
        "type": a.ty.as_str(),
        "multiValued": a.multi_valued,
        "required": a.required,
        "caseExact": a.case_exact,
        "mutability": mutability,
        "returned": "default",
        "uniqueness": "none",
    });
    if !a.canonical_values.is_empty() {
        v["canonicalValues"] = serde_json::json!(a.canonical_values);
    }
    if !a.sub_attributes.is_empty() {
        v["subAttributes"] =
            serde_json::Value::Array(a.sub_attributes.iter().map(attr_to_json).collect());
    }
    v
}
