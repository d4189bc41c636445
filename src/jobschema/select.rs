//! Which part of a job schema is the API-to-directory user flow: the one enabled object mapping
//! from a `User` object, and the directories and objects its rule names. Chosen by names and
//! flags, never by array positions or directory display names (an API2AD schema holds two
//! directories and neither is called "API" in any documented way).

use super::model::{AttributeDef, JobSchema, ObjectDef, ObjectMapping, SyncRule};

/// The user flow of a job schema.
pub struct JobView<'a> {
    pub schema: &'a JobSchema,
    pub rule: &'a SyncRule,
    pub mapping: &'a ObjectMapping,
    /// The API source's user object: the attributes the SCIM payload may carry.
    pub source: &'a ObjectDef,
    /// The directory's user object, when the schema defines it.
    pub target: Option<&'a ObjectDef>,
}

impl JobView<'_> {
    pub fn source_attributes(&self) -> &[AttributeDef] {
        self.source.attributes.items()
    }

    pub fn source_attribute(&self, name: &str) -> Option<&AttributeDef> {
        self.source_attributes().iter().find(|a| a.name == name)
    }

    pub fn target_attribute(&self, name: &str) -> Option<&AttributeDef> {
        self.target?.attributes.items().iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// The target directory's name (`Active Directory`, `Azure Active Directory`, ...).
    pub fn target_directory(&self) -> &str {
        &self.rule.target_directory_name
    }
}

/// Parse a schema file's text, with the position of a JSON error.
pub fn parse(text: &str) -> Result<JobSchema, String> {
    serde_json::from_str(text).map_err(|e| {
        format!("not a synchronization schema (line {}, column {}): {e}", e.line(), e.column())
    })
}

fn object<'a>(schema: &'a JobSchema, directory: &str, name: &str) -> Option<&'a ObjectDef> {
    let dir = schema.directories.items().iter().find(|d| d.name == directory)?;
    let objects = dir.objects.items();
    objects.iter().find(|o| o.name == name).or_else(|| {
        // Cloud sync spells AD's object `user`; rules are not always written the same way.
        objects.iter().find(|o| o.name.eq_ignore_ascii_case(name))
    })
}

/// The enabled `User` → `User` object mapping; exactly one, else an error listing them.
pub fn select(schema: &JobSchema) -> Result<JobView<'_>, String> {
    let mut found = Vec::new();
    for rule in schema.synchronization_rules.items() {
        for m in rule.object_mappings.items() {
            if m.is_enabled()
                && m.source_object_name.eq_ignore_ascii_case("User")
                && m.target_object_name.eq_ignore_ascii_case("User")
            {
                found.push((rule, m));
            }
        }
    }
    let (rule, mapping) = match found.as_slice() {
        [one] => *one,
        [] => {
            return Err("the job schema has no enabled object mapping from User to User \
                        (is this an API-driven inbound provisioning job?)"
                .to_string())
        }
        many => {
            let names: Vec<String> = many
                .iter()
                .map(|(r, m)| {
                    format!(
                        "'{}' ({} -> {})",
                        m.name.str().unwrap_or("?"),
                        r.source_directory_name,
                        r.target_directory_name
                    )
                })
                .collect();
            return Err(format!(
                "the job schema has {} enabled User object mappings: {}; hr2scim does not \
                 guess which one the API feeds",
                many.len(),
                names.join(", ")
            ));
        }
    };
    let source = object(schema, &rule.source_directory_name, &mapping.source_object_name)
        .ok_or_else(|| {
            format!(
                "the job schema's rule reads '{}' from directory '{}', which it does not define",
                mapping.source_object_name, rule.source_directory_name
            )
        })?;
    let target = object(schema, &rule.target_directory_name, &mapping.target_object_name);
    Ok(JobView { schema, rule, mapping, source, target })
}
