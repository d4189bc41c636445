//! The SCIM schema model: RFC 7643 core User, the enterprise extension and custom extensions,
//! all built from RFC 7643 §7 Schema JSON (embedded for the standard ones) rather than code paths.
//!
//! Target paths are resolved against it once, when the mapping is compiled ([`Schema::resolve`]);
//! the resolved form carries precomputed layout data so that per-row assembly never looks names up.

mod json;
pub(crate) mod resolve;

use std::path::Path;

pub use resolve::{check_target_set, MultiFilter, ResolveError, ResolvedTarget};

pub const CORE_USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const ENTERPRISE_USER_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// The alias every mapping can use for the enterprise extension (`enterprise:department`).
pub const ENTERPRISE_ALIAS: &str = "enterprise";
/// Reported (community, unconfirmed by Microsoft) limit of the AD `employeeID` attribute that
/// `externalId` feeds by default; pass it to [`Schema::limit_length`] for AD-bound tenants.
pub const AD_EMPLOYEE_ID_MAX_CHARS: usize = 16;

const CORE_JSON: &str = include_str!("data/core-user.json");
const COMMON_JSON: &str = include_str!("data/common-attributes.json");
const ENTERPRISE_JSON: &str = include_str!("data/enterprise-user.json");

/// RFC 7643 §2.3 attribute data types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttrType {
    String,
    Boolean,
    Integer,
    Decimal,
    DateTime,
    Reference,
    Binary,
    Complex,
}

impl AttrType {
    /// The scalar type names a mapping may declare (`complex` is not declarable).
    pub fn parse(name: &str) -> Option<AttrType> {
        const NAMES: [(&str, AttrType); 7] = [
            ("string", AttrType::String),
            ("boolean", AttrType::Boolean),
            ("integer", AttrType::Integer),
            ("decimal", AttrType::Decimal),
            ("dateTime", AttrType::DateTime),
            ("reference", AttrType::Reference),
            ("binary", AttrType::Binary),
        ];
        NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|&(_, t)| t)
    }

    /// The RFC 7643 spelling, as used in Schema JSON and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Boolean => "boolean",
            AttrType::Integer => "integer",
            AttrType::Decimal => "decimal",
            AttrType::DateTime => "dateTime",
            AttrType::Reference => "reference",
            AttrType::Binary => "binary",
            AttrType::Complex => "complex",
        }
    }
}

impl std::fmt::Display for AttrType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// RFC 7643 §7 `mutability`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

/// One attribute (or sub-attribute) of a schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub ty: AttrType,
    pub multi_valued: bool,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub canonical_values: Vec<String>,
    pub sub_attributes: Vec<Attribute>,
}

impl Attribute {
    /// A custom extension attribute declared in a mapping: single-valued, writable.
    pub fn scalar(name: &str, ty: AttrType) -> Attribute {
        Attribute {
            name: name.to_string(),
            ty,
            multi_valued: false,
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            canonical_values: Vec::new(),
            sub_attributes: Vec::new(),
        }
    }

    /// Case-insensitive lookup (SCIM attribute names are case-insensitive, RFC 7643 §2.1).
    pub fn sub(&self, name: &str) -> Option<(usize, &Attribute)> {
        find_attr(&self.sub_attributes, name)
    }

    pub fn writable(&self) -> bool {
        self.mutability != Mutability::ReadOnly
    }
}

pub(crate) fn find_attr<'a>(attrs: &'a [Attribute], name: &str) -> Option<(usize, &'a Attribute)> {
    attrs.iter().enumerate().find(|(_, a)| a.name.eq_ignore_ascii_case(name))
}

/// One schema: the core User (with the common attributes merged in), the enterprise extension, or
/// a custom extension.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaDef {
    pub urn: String,
    /// The short prefix mappings use (`enterprise`, `hr`), if any.
    pub alias: Option<String>,
    pub attributes: Vec<Attribute>,
    /// Custom extensions accept undeclared attributes, as strings.
    pub open: bool,
}

/// The schema set a mapping is resolved against. Index 0 is the core User, 1 the enterprise
/// extension, then custom extensions in the order they were added.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    defs: Vec<SchemaDef>,
    /// (canonical target path, maximum length in characters).
    max_lengths: Vec<(String, usize)>,
}

impl Schema {
    /// The standard schemas, parsed from the embedded RFC 7643 JSON.
    pub fn builtin() -> Schema {
        // The embedded files are part of the build and covered by tests: failing here is a bug.
        let mut core = json::parse_schema_json(CORE_JSON).expect("embedded core User schema");
        let common = json::parse_schema_json(COMMON_JSON).expect("embedded common attributes");
        let enterprise =
            json::parse_schema_json(ENTERPRISE_JSON).expect("embedded enterprise schema");
        let mut attrs = common.attributes;
        attrs.append(&mut core.attributes);
        core.attributes = attrs;
        let mut enterprise = enterprise;
        enterprise.alias = Some(ENTERPRISE_ALIAS.to_string());
        Schema { defs: vec![core, enterprise], max_lengths: Vec::new() }
    }

    pub fn defs(&self) -> &[SchemaDef] {
        &self.defs
    }

    /// Declare a custom extension (`extension hr = "urn:..." { hireDate: dateTime }`).
    pub fn add_extension(
        &mut self,
        alias: &str,
        urn: &str,
        attrs: &[(String, AttrType)],
    ) -> Result<(), String> {
        let mut attributes: Vec<Attribute> = Vec::with_capacity(attrs.len());
        for (name, ty) in attrs {
            if *ty == AttrType::Complex {
                return Err(format!(
                    "Extension `{alias}` declares `{name}` as complex; declared custom attributes must be scalar (string, boolean, integer, decimal, dateTime, reference, binary). Load a Schema JSON file for complex attributes."
                ));
            }
            if find_attr(&attributes, name).is_some() {
                return Err(format!(
                    "Extension `{alias}` declares `{name}` twice; attribute names are case-insensitive, keep one declaration."
                ));
            }
            check_attr_name(name).map_err(|e| format!("Extension `{alias}`: {e}"))?;
            attributes.push(Attribute::scalar(name, *ty));
        }
        self.push_def(SchemaDef {
            urn: urn.to_string(),
            alias: Some(alias.to_string()),
            attributes,
            open: true,
        })
    }

    /// Add a custom extension from an RFC 7643 §7 Schema JSON file (one Schema object, or an array
    /// of them; an alias is only accepted with a single schema).
    pub fn load_extension_file(&mut self, alias: Option<&str>, path: &Path) -> Result<(), String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "Cannot read the schema file {}: {e}. Check the path given for the extension.",
                path.display()
            )
        })?;
        let defs = json::parse_schema_file(&text)
            .map_err(|e| format!("The schema file {} is not valid: {e}", path.display()))?;
        if alias.is_some() && defs.len() != 1 {
            return Err(format!(
                "The schema file {} holds {} schemas, but an alias names exactly one; split the file or drop the alias.",
                path.display(),
                defs.len()
            ));
        }
        for mut def in defs {
            def.alias = alias.map(str::to_string);
            // Attributes a file does not list are still accepted as strings, as for declarations.
            def.open = true;
            self.push_def(def)?;
        }
        Ok(())
    }

    fn push_def(&mut self, def: SchemaDef) -> Result<(), String> {
        if !def.urn.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) || def.urn.len() < 6 {
            return Err(format!(
                "The extension namespace \"{}\" is not a URN; use a name such as \"urn:ietf:params:scim:schemas:extension:contoso:1.0:User\".",
                def.urn
            ));
        }
        if def.urn.len() > 1000 {
            return Err(
                "An extension namespace is longer than 1000 characters; use a shorter URN."
                    .to_string(),
            );
        }
        if let Some(other) = self.defs.iter().find(|d| d.urn.eq_ignore_ascii_case(&def.urn)) {
            return Err(format!(
                "The extension namespace \"{}\" is already declared{}; declare each namespace once.",
                def.urn,
                other.alias.as_deref().map(|a| format!(" as `{a}`")).unwrap_or_default()
            ));
        }
        if let Some(alias) = &def.alias {
            let valid = alias.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && alias.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid || alias.eq_ignore_ascii_case("urn") {
                return Err(format!(
                    "`{alias}` cannot be an extension alias; use letters, digits and `_`, starting with a letter (and not `urn`)."
                ));
            }
            if self.alias_index(alias).is_some() {
                return Err(format!(
                    "The extension alias `{alias}` is already used; pick another name."
                ));
            }
        }
        if self.defs.len() >= 200 {
            return Err("Too many extension schemas (at most 200).".to_string());
        }
        self.defs.push(def);
        Ok(())
    }

    fn alias_index(&self, alias: &str) -> Option<usize> {
        self.defs
            .iter()
            .position(|d| d.alias.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(alias)))
    }

    /// The schema a target prefix names: an alias or a full URN (case-insensitive).
    pub(crate) fn def_index(&self, prefix: &str) -> Option<usize> {
        self.alias_index(prefix)
            .or_else(|| self.defs.iter().position(|d| d.urn.eq_ignore_ascii_case(prefix)))
    }

    /// The custom extensions as an array of RFC 7643 §7 Schema objects (empty when there are
    /// none), including the undeclared (string) attributes that `used` targets write. `convert`
    /// writes it as `DIR/schemas.json`, where `scripts/validate_scim.py` finds it.
    pub fn extensions_schema_json(&self, used: &[ResolvedTarget]) -> serde_json::Value {
        let mut defs: Vec<SchemaDef> = self.defs[2..].to_vec();
        for t in used {
            let Some(def) = defs.iter_mut().find(|d| d.urn == t.urn) else { continue };
            if find_attr(&def.attributes, &t.attr).is_none() {
                def.attributes.push(Attribute::scalar(&t.attr, AttrType::String));
            }
        }
        json::extensions_to_json(&defs)
    }

    /// Cap the length (in characters) of a leaf, by canonical path (`externalId`, `userName`,
    /// `urn:...:enterprise:2.0:User:department`). Checked by [`crate::scim::validate`].
    pub fn limit_length(&mut self, canonical: &str, max_chars: usize) {
        self.max_lengths.retain(|(p, _)| !p.eq_ignore_ascii_case(canonical));
        self.max_lengths.push((canonical.to_string(), max_chars));
    }

    pub fn max_lengths(&self) -> &[(String, usize)] {
        &self.max_lengths
    }

    /// Every writable leaf path, in the form a mapping would write it (alias prefixes where one
    /// exists), for did-you-mean suggestions and `check --list-targets`.
    pub fn all_target_paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        for i in 0..self.defs.len() {
            self.paths_of(i, false, &mut out);
        }
        out
    }

    /// Like [`Schema::all_target_paths`], with full URN prefixes for extensions.
    pub(crate) fn target_paths_urn_form(&self) -> Vec<String> {
        let mut out = Vec::new();
        for i in 0..self.defs.len() {
            self.paths_of(i, true, &mut out);
        }
        out
    }

    fn paths_of(&self, i: usize, urn_form: bool, out: &mut Vec<String>) {
        let def = &self.defs[i];
        let prefix = match (i, urn_form, &def.alias) {
            (0, _, _) => String::new(),
            (_, false, Some(a)) => format!("{a}:"),
            _ => format!("{}:", def.urn),
        };
        for a in def.attributes.iter().filter(|a| a.writable()) {
            if a.ty != AttrType::Complex {
                out.push(format!("{prefix}{}", a.name));
                continue;
            }
            let subs = a
                .sub_attributes
                .iter()
                .filter(|s| s.writable() && !(a.multi_valued && s.name == "type"));
            if !a.multi_valued {
                out.extend(subs.map(|s| format!("{prefix}{}.{}", a.name, s.name)));
                continue;
            }
            let types = a
                .sub("type")
                .map(|(_, t)| t.canonical_values.clone())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| vec!["TYPE".to_string()]);
            for s in subs {
                for t in &types {
                    out.push(format!("{prefix}{}[type eq \"{t}\"].{}", a.name, s.name));
                }
            }
        }
    }
}

/// Names that would break the JSON keys or the path syntax are refused up front.
fn check_attr_name(name: &str) -> Result<(), String> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '$')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a valid SCIM attribute name (RFC 7643 §2.1: a letter, then letters, digits, `_`, `-`)."
        ))
    }
}

#[cfg(test)]
mod tests;

/// Test helper: a [`TargetPath`] as the mapping parser would produce it, for simple paths.
#[cfg(test)]
pub(crate) fn test_path(text: &str) -> crate::syntax::ast::TargetPath {
    let (prefix, rest) = if text.to_ascii_lowercase().starts_with("urn:") {
        let head = text.split('[').next().unwrap_or(text);
        let cut = head.rfind(':').unwrap_or(0);
        (Some(text[..cut].to_string()), &text[cut + 1..])
    } else {
        match text.split_once(':') {
            Some((p, r)) => (Some(p.to_string()), r),
            None => (None, text),
        }
    };
    let (attr_filter, sub) = match rest.rfind(['.']) {
        Some(i) if !rest[i..].contains(']') => (&rest[..i], Some(rest[i + 1..].to_string())),
        _ => (rest, None),
    };
    let (attr, filter) = match attr_filter.split_once('[') {
        Some((a, f)) => {
            let pairs = f
                .trim_end_matches(']')
                .split(" and ")
                .map(|c| {
                    let mut it = c.splitn(3, ' ');
                    let k = it.next().unwrap_or("").to_string();
                    let _op = it.next();
                    let v = it.next().unwrap_or("").trim_matches('"').to_string();
                    (k, v)
                })
                .collect();
            (a.to_string(), pairs)
        }
        None => (attr_filter.to_string(), Vec::new()),
    };
    crate::syntax::ast::TargetPath { prefix, attr, filter, sub, text: text.to_string() }
}
