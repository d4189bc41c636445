//! The synchronization schema as Graph returns it (`GET .../jobs/{id}/schema`), typed for reading.
//!
//! Every struct keeps the members it does not model in `extra`, and every optional member is a
//! [`Nullable`] that remembers absent, `null` and a value apart, so parsing then serialising gives
//! back the same JSON: a push must never drop what a later Graph version adds. Enum-like strings
//! (`type`, `flowType`, operator names) stay strings, compared case-insensitively, because Graph
//! and its examples do not agree on their case.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// An optional member: absent, explicitly `null`, or a value. Serialises back the way it came.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Nullable<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<T> Nullable<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    pub fn get(&self) -> Option<&T> {
        match self {
            Nullable::Value(v) => Some(v),
            _ => None,
        }
    }

    pub fn get_mut(&mut self) -> Option<&mut T> {
        match self {
            Nullable::Value(v) => Some(v),
            _ => None,
        }
    }
}

impl<T> Nullable<Vec<T>> {
    /// The list, empty when absent or null.
    pub fn items(&self) -> &[T] {
        self.get().map_or(&[], Vec::as_slice)
    }
}

impl Nullable<String> {
    pub fn str(&self) -> Option<&str> {
        self.get().map(String::as_str)
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(v) => v.serialize(s),
            _ => s.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Only a present member reaches here (absent ones take `Default`).
        Ok(Option::<T>::deserialize(d)?.map_or(Nullable::Null, Nullable::Value))
    }
}

/// `synchronizationSchema`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSchema {
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub id: Nullable<String>,
    /// Changes on every save: what `schema push` compares before its PUT.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub version: Nullable<String>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub directories: Nullable<Vec<Directory>>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub synchronization_rules: Nullable<Vec<SyncRule>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `directoryDefinition`: rules name directories by `name`, never by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Directory {
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub id: Nullable<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub objects: Nullable<Vec<ObjectDef>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `objectDefinition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectDef {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub attributes: Nullable<Vec<AttributeDef>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `attributeDefinition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeDef {
    #[serde(default)]
    pub name: String,
    /// `String` (the default), `Integer`, `Reference`, `Binary`, `Boolean`, `DateTime`; any case.
    #[serde(rename = "type", default, skip_serializing_if = "Nullable::is_absent")]
    pub kind: Nullable<String>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub anchor: Nullable<bool>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub multivalued: Nullable<bool>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub required: Nullable<bool>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub flow_null_values: Nullable<bool>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub default_value: Nullable<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AttributeDef {
    /// The declared type, `String` when absent.
    pub fn kind(&self) -> &str {
        self.kind.str().unwrap_or("String")
    }

    pub fn is_multivalued(&self) -> bool {
        self.multivalued.get().copied().unwrap_or(false)
    }

    pub fn is_required(&self) -> bool {
        self.required.get().copied().unwrap_or(false)
    }

    /// A `metadata` entry's value (`MaximumLength`, ...), if the attribute has it.
    pub fn metadata(&self, key: &str) -> Option<&str> {
        self.extra.get("metadata")?.as_array()?.iter().find_map(|m| {
            (m.get("key")?.as_str()? == key).then(|| m.get("value")?.as_str()).flatten()
        })
    }
}

/// `synchronizationRule`: one direction, source directory to target directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncRule {
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub id: Nullable<String>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub name: Nullable<String>,
    #[serde(default)]
    pub source_directory_name: String,
    #[serde(default)]
    pub target_directory_name: String,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub object_mappings: Nullable<Vec<ObjectMapping>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `objectMapping`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMapping {
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub name: Nullable<String>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub enabled: Nullable<bool>,
    /// Comma-separated `Add`, `Update`, `Delete` (spaces optional).
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub flow_types: Nullable<String>,
    #[serde(default)]
    pub source_object_name: String,
    #[serde(default)]
    pub target_object_name: String,
    /// `null` (or no groups) puts everyone in scope.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub scope: Nullable<Filter>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub attribute_mappings: Nullable<Vec<AttributeMapping>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ObjectMapping {
    /// Absent counts as enabled, as in Graph's default.
    pub fn is_enabled(&self) -> bool {
        self.enabled.get().copied().unwrap_or(true)
    }

    /// Whether `flowTypes` holds `kind` (`Add`, `Update`, `Delete`); absent means all three.
    pub fn flows(&self, kind: &str) -> bool {
        self.flow_types
            .str()
            .is_none_or(|f| f.split(',').any(|t| t.trim().eq_ignore_ascii_case(kind)))
    }
}

/// `filter`: groups are OR-ed, the clauses of a group AND-ed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub groups: Nullable<Vec<FilterGroup>>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub input_filter_groups: Nullable<Vec<FilterGroup>>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub category_filter_groups: Nullable<Vec<FilterGroup>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterGroup {
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub name: Nullable<String>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub clauses: Nullable<Vec<FilterClause>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterClause {
    #[serde(default)]
    pub operator_name: String,
    /// A source attribute name.
    #[serde(default)]
    pub source_operand_name: String,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub target_operand: Nullable<FilterOperand>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FilterClause {
    pub fn values(&self) -> &[String] {
        self.target_operand.get().map_or(&[], |o| o.values.items())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterOperand {
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub values: Nullable<Vec<String>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `attributeMapping`: one target attribute, from a source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeMapping {
    #[serde(default)]
    pub target_attribute_name: String,
    /// `null` is the portal's "None": only `defaultValue` flows.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub source: Nullable<MappingSource>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub default_value: Nullable<String>,
    /// `Always` (the default), `ObjectAddOnly`, `MultiValueAddOnly`, `ValueAddOnly`,
    /// `AttributeAddOnly`.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub flow_type: Nullable<String>,
    /// `0` (or absent): not a matching attribute; lower positive numbers are tried first.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub matching_priority: Nullable<i64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AttributeMapping {
    pub fn flow_type(&self) -> &str {
        self.flow_type.str().unwrap_or("Always")
    }

    /// The matching priority when this mapping is a matching attribute.
    pub fn matching(&self) -> Option<i64> {
        self.matching_priority.get().copied().filter(|p| *p > 0)
    }
}

/// `attributeMappingSource`: `Attribute` (a source attribute name), `Constant` (the value in
/// `name`) or `Function` (the whole `expression`, with a parameter tree).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MappingSource {
    #[serde(rename = "type", default, skip_serializing_if = "Nullable::is_absent")]
    pub kind: Nullable<String>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub name: Nullable<String>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub expression: Nullable<String>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub parameters: Nullable<Vec<SourceParameter>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The three kinds of mapping source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Attribute,
    Constant,
    Function,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Attribute => "Direct",
            SourceKind::Constant => "Constant",
            SourceKind::Function => "Expression",
        }
    }
}

impl MappingSource {
    /// The kind; an absent `type` is `Attribute`, Graph's default; an unknown one is `None`.
    pub fn kind(&self) -> Option<SourceKind> {
        match self.kind.str().unwrap_or("Attribute") {
            k if k.eq_ignore_ascii_case("Attribute") => Some(SourceKind::Attribute),
            k if k.eq_ignore_ascii_case("Constant") => Some(SourceKind::Constant),
            k if k.eq_ignore_ascii_case("Function") => Some(SourceKind::Function),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceParameter {
    #[serde(default)]
    pub key: String,
    pub value: MappingSource,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
