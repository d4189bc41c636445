//! INTERIM schema model (replaced by the data-driven model from the `scim` branch).

use crate::syntax::ast::TargetPath;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    pub fn parse(name: &str) -> Option<AttrType> {
        Some(match name.to_ascii_lowercase().as_str() {
            "string" => AttrType::String,
            "boolean" => AttrType::Boolean,
            "integer" => AttrType::Integer,
            "decimal" => AttrType::Decimal,
            "datetime" => AttrType::DateTime,
            "reference" => AttrType::Reference,
            "binary" => AttrType::Binary,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MultiFilter {
    pub type_value: String,
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedTarget {
    pub urn: String,
    pub attr: String,
    pub filter: Option<MultiFilter>,
    pub sub: Option<String>,
    pub ty: AttrType,
    pub multi_valued_leaf: bool,
    pub canonical: String,
}

pub struct ResolveError {
    pub message: String,
    pub suggestion: Option<String>,
}

pub const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

pub struct Schema {
    extensions: Vec<(String, String, Vec<(String, AttrType)>)>,
}

impl Schema {
    pub fn builtin() -> Schema {
        Schema { extensions: vec![] }
    }

    pub fn add_extension(
        &mut self,
        alias: &str,
        urn: &str,
        attrs: &[(String, AttrType)],
    ) -> Result<(), String> {
        self.extensions.push((alias.into(), urn.into(), attrs.to_vec()));
        Ok(())
    }

    pub fn resolve(&self, path: &TargetPath) -> Result<ResolvedTarget, ResolveError> {
        let urn = match path.prefix.as_deref() {
            None => CORE.to_string(),
            Some("enterprise") => ENTERPRISE.to_string(),
            Some(p) if p.starts_with("urn:") => p.to_string(),
            Some(p) => match self.extensions.iter().find(|e| e.0 == p) {
                Some(e) => e.1.clone(),
                None => {
                    return Err(ResolveError {
                        message: format!("unknown extension alias '{p}'"),
                        suggestion: None,
                    })
                }
            },
        };
        let ty = if path.attr == "active" { AttrType::Boolean } else { AttrType::String };
        Ok(ResolvedTarget {
            urn,
            attr: path.attr.clone(),
            filter: path
                .filter
                .iter()
                .find(|f| f.0 == "type")
                .map(|f| MultiFilter { type_value: f.1.to_lowercase(), primary: false }),
            sub: path.sub.clone(),
            ty,
            multi_valued_leaf: false,
            canonical: path.text.clone(),
        })
    }

    pub fn all_target_paths(&self) -> Vec<String> {
        vec!["userName".into(), "externalId".into(), "active".into()]
    }
}
