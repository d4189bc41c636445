//! Resolving a written target path (`emails[type eq "work"].value`, `enterprise:manager`) against
//! the schema: canonical names, types, the multi-valued entry filter and the precomputed layout
//! the document builder uses per row.

use crate::syntax::ast::TargetPath;

use super::{find_attr, AttrType, Attribute, Schema, CORE_USER_URN, ENTERPRISE_USER_URN};

/// The entry a multi-valued target writes to: `[type eq "work" and primary eq true]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiFilter {
    /// Lower-cased: the canonical `type` value written into the entry.
    pub type_value: String,
    /// The filter says `primary eq true`: this entry is the attribute's primary one.
    pub primary: bool,
}

/// A target path that names a writable leaf of the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedTarget {
    /// The schema the attribute belongs to (core, enterprise or a custom extension URN).
    pub urn: String,
    /// Canonical attribute name (schema spelling).
    pub attr: String,
    pub filter: Option<MultiFilter>,
    /// Canonical sub-attribute name, for complex attributes.
    pub sub: Option<String>,
    /// Type of the leaf that receives the value.
    pub ty: AttrType,
    /// The leaf takes a list (a multi-valued simple attribute).
    pub multi_valued_leaf: bool,
    /// Canonical path text (`urn:...:User:manager.value`), equal for targets writing the same leaf.
    pub canonical: String,
    /// RFC 7643 `caseExact` of the leaf (duplicate checks compare case-insensitively otherwise).
    pub case_exact: bool,
    pub(crate) layout: Layout,
}

/// Why a target path does not resolve, with the closest valid path if one is near.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolveError {
    pub message: String,
    pub suggestion: Option<String>,
}

impl std::fmt::Display for ResolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, " Did you mean `{s}`?")?;
        }
        Ok(())
    }
}

impl std::error::Error for ResolveError {}

/// How a leaf sits in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A direct member of the core document or of an extension object.
    Top,
    /// A sub-attribute of a single-valued complex attribute (`name.givenName`).
    Complex,
    /// A sub-attribute of one typed entry of a multi-valued complex attribute.
    Multi,
}

/// Rank used when the schema gives no fixed position (undeclared custom attribute, non-canonical
/// `type`): entries with this rank are ordered and grouped by name instead.
pub(crate) const DYN_RANK: u64 = 0xFFFF;

/// Everything the per-row builder needs, computed once here.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Unique in the process: a builder copies each layout's names once and finds them again
    /// under this number (not part of equality).
    pub id: u32,
    /// Sort key: schema index << 48 | attribute rank << 32 | entry (type) rank << 16 | sub rank.
    pub order: u64,
    pub shape: Shape,
    /// `primary eq true|false` in the filter.
    pub primary: Option<bool>,
    /// The multi-valued attribute has a `primary` sub-attribute the builder sets automatically.
    pub auto_primary: bool,
    /// The leaf is the `primary` sub-attribute itself (set explicitly by the mapping).
    pub is_primary_sub: bool,
    /// An undeclared attribute or a non-canonical type: ordered and grouped by name too.
    pub dynamic: bool,
    /// JSON-escaped names, concatenated: urn (custom extensions only), attr, type value, sub.
    pub names: Box<str>,
    pub lens: [u16; 4],
}

impl PartialEq for Layout {
    fn eq(&self, o: &Layout) -> bool {
        (self.order, self.shape, self.primary, self.auto_primary, self.is_primary_sub)
            == (o.order, o.shape, o.primary, o.auto_primary, o.is_primary_sub)
            && (self.dynamic, &self.names, self.lens) == (o.dynamic, &o.names, o.lens)
    }
}

static NEXT_LAYOUT_ID: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

impl Layout {
    pub fn attr(&self) -> &str {
        let a = self.lens[0] as usize;
        &self.names[a..a + self.lens[1] as usize]
    }
    pub fn type_value(&self) -> &str {
        let a = (self.lens[0] + self.lens[1]) as usize;
        &self.names[a..a + self.lens[2] as usize]
    }
}

fn err(schema: &Schema, path: &TargetPath, message: String) -> ResolveError {
    ResolveError { suggestion: suggest(schema, &path.text), message }
}

/// The closest valid target path, if it is reasonably close.
pub(crate) fn suggest(schema: &Schema, text: &str) -> Option<String> {
    let wanted = text.to_ascii_lowercase();
    let urn_form = wanted.starts_with("urn:");
    let candidates =
        if urn_form { schema.target_paths_urn_form() } else { schema.all_target_paths() };
    candidates
        .into_iter()
        .map(|c| (strsim::normalized_damerau_levenshtein(&wanted, &c.to_ascii_lowercase()), c))
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

impl Schema {
    /// Resolve a target path once, at compile time. Attribute names, sub-attribute names, filter
    /// keys and `type` values are matched case-insensitively and canonicalised.
    pub fn resolve(&self, path: &TargetPath) -> Result<ResolvedTarget, ResolveError> {
        let ext = match &path.prefix {
            None => 0,
            Some(p) => self.def_index(p).ok_or_else(|| {
                let message = if p.to_ascii_lowercase().starts_with("urn:") {
                    format!(
                        "`{}` uses the namespace \"{p}\", which is not declared. Declare it first: extension NAME = \"{p}\" {{ ... }}.",
                        path.text
                    )
                } else {
                    format!(
                        "`{}` uses the prefix `{p}:`, which is neither `enterprise` nor a declared extension alias. Declare it with extension {p} = \"urn:...\" {{ ... }}.",
                        path.text
                    )
                };
                err(self, path, message)
            })?,
        };
        let def = &self.defs[ext];
        let found = find_attr(&def.attributes, &path.attr);
        let (attr_rank, attr): (u64, std::borrow::Cow<'_, Attribute>) = match found {
            Some((i, a)) => (i as u64, std::borrow::Cow::Borrowed(a)),
            None if def.open && path.filter.is_empty() && path.sub.is_none() => {
                if super::check_attr_name(&path.attr).is_err() {
                    return Err(err(
                        self,
                        path,
                        format!(
                            "`{}` is not a valid attribute name; use letters, digits, `_` and `-`.",
                            path.attr
                        ),
                    ));
                }
                let a = Attribute::scalar(&path.attr, AttrType::String);
                (DYN_RANK, std::borrow::Cow::Owned(a))
            }
            None => {
                let hint = if ext == 0 && find_attr(&self.defs[1].attributes, &path.attr).is_some()
                {
                    format!(
                        " It belongs to the enterprise extension: write `enterprise:{}`.",
                        path.attr
                    )
                } else {
                    String::new()
                };
                let schema_name = if ext == 0 { "the core User schema" } else { &def.urn };
                return Err(err(
                    self,
                    path,
                    format!("`{}` names no attribute of {schema_name}.{hint}", path.text),
                ));
            }
        };
        if !attr.writable() {
            return Err(err(
                self,
                path,
                format!(
                    "`{}` is read-only in SCIM ({}); the service sets it, a client cannot.",
                    path.text, attr.name
                ),
            ));
        }
        if attr.ty == AttrType::Complex {
            self.resolve_complex(path, ext, attr_rank, &attr)
        } else {
            if !path.filter.is_empty() {
                return Err(err(
                    self,
                    path,
                    format!(
                        "`{}` has a filter, but `{}` is not a multi-valued complex attribute; remove the [...] part.",
                        path.text, attr.name
                    ),
                ));
            }
            if let Some(sub) = &path.sub {
                return Err(err(
                    self,
                    path,
                    format!(
                        "`{}` is a {} attribute and has no sub-attribute `{sub}`.",
                        attr.name, attr.ty
                    ),
                ));
            }
            Ok(self.finish(ext, attr_rank, &attr, None, None, Shape::Top))
        }
    }

    fn resolve_complex(
        &self,
        path: &TargetPath,
        ext: usize,
        attr_rank: u64,
        attr: &Attribute,
    ) -> Result<ResolvedTarget, ResolveError> {
        let sub_name = match (&path.sub, ext, attr.name.as_str()) {
            (Some(s), _, _) => s.as_str(),
            // Entra names the manager reference `...:User:manager`; it is `manager.value` in SCIM.
            (None, 1, "manager") => "value",
            (None, _, _) => {
                let subs: Vec<&str> = attr
                    .sub_attributes
                    .iter()
                    .filter(|s| s.writable() && s.name != "type")
                    .map(|s| s.name.as_str())
                    .collect();
                return Err(err(
                    self,
                    path,
                    format!(
                        "`{}` is complex; name a sub-attribute ({}), e.g. `{}.{}`.",
                        path.text,
                        subs.join(", "),
                        path.text,
                        subs.first().copied().unwrap_or("value")
                    ),
                ));
            }
        };
        let Some((sub_rank, sub)) = attr.sub(sub_name) else {
            let subs: Vec<&str> = attr.sub_attributes.iter().map(|s| s.name.as_str()).collect();
            return Err(err(
                self,
                path,
                format!(
                    "`{}` has no sub-attribute `{sub_name}`; it has {}.",
                    attr.name,
                    subs.join(", ")
                ),
            ));
        };
        if !sub.writable() {
            return Err(err(
                self,
                path,
                format!(
                    "`{}.{}` is read-only in SCIM; the service fills it in.",
                    attr.name, sub.name
                ),
            ));
        }
        if !attr.multi_valued {
            if !path.filter.is_empty() {
                return Err(err(
                    self,
                    path,
                    format!(
                        "`{}` is single-valued; remove the [...] filter from `{}`.",
                        attr.name, path.text
                    ),
                ));
            }
            return Ok(self.finish(
                ext,
                attr_rank,
                attr,
                Some((sub_rank, sub)),
                None,
                Shape::Complex,
            ));
        }
        let Some((_, type_attr)) = attr.sub("type") else {
            return Err(err(
                self,
                path,
                format!(
                    "`{}` is multi-valued without a `type` sub-attribute, so an entry cannot be picked; it cannot be a target.",
                    attr.name
                ),
            ));
        };
        if sub.name == "type" {
            return Err(err(
                self,
                path,
                format!(
                    "`{}` sets `type`, which comes from the filter; write `{}[type eq \"...\"].value` instead.",
                    path.text, attr.name
                ),
            ));
        }
        let filter = self.parse_filter(path, attr, type_attr)?;
        Ok(self.finish(ext, attr_rank, attr, Some((sub_rank, sub)), Some(filter), Shape::Multi))
    }

    fn parse_filter(
        &self,
        path: &TargetPath,
        attr: &Attribute,
        type_attr: &Attribute,
    ) -> Result<(MultiFilter, Option<bool>, u64), ResolveError> {
        let mut type_value: Option<String> = None;
        let mut primary: Option<bool> = None;
        for (key, value) in &path.filter {
            if key.eq_ignore_ascii_case("type") && type_value.is_none() {
                type_value = Some(value.to_lowercase());
            } else if key.eq_ignore_ascii_case("primary") && primary.is_none() {
                if attr.sub("primary").is_none() {
                    return Err(err(
                        self,
                        path,
                        format!(
                            "`{}` has no `primary` sub-attribute; remove `primary eq {value}`.",
                            attr.name
                        ),
                    ));
                }
                primary = Some(match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(err(self, path, format!("`primary eq {value}` in `{}`: primary is a boolean, write `primary eq true`.", path.text))),
                });
            } else {
                return Err(err(
                    self,
                    path,
                    format!(
                        "`{}`: a filter may hold `type eq \"...\"` once and `primary eq true` once; `{key}` is not allowed here.",
                        path.text
                    ),
                ));
            }
        }
        let Some(type_value) = type_value else {
            return Err(err(
                self,
                path,
                format!(
                    "`{}` is multi-valued; pick the entry by type, e.g. `{}[type eq \"{}\"].{}`.",
                    path.text,
                    attr.name,
                    type_attr.canonical_values.first().map(String::as_str).unwrap_or("work"),
                    path.sub.as_deref().unwrap_or("value")
                ),
            ));
        };
        if type_value.len() > 256 {
            let msg = format!("`{}`: the type value is longer than 256 characters.", path.text);
            return Err(err(self, path, msg));
        }
        let canon = &type_attr.canonical_values;
        let rank = if canon.is_empty() {
            if type_value.is_empty() {
                return Err(err(self, path, format!("`{}`: the type value is empty.", path.text)));
            }
            DYN_RANK
        } else {
            match canon.iter().position(|c| c.eq_ignore_ascii_case(&type_value)) {
                Some(i) => i as u64,
                None => {
                    return Err(err(
                        self,
                        path,
                        format!(
                            "`{}`: \"{type_value}\" is not a canonical type of `{}` (use one of: {}); Entra picks entries by these values.",
                            path.text,
                            attr.name,
                            canon.join(", ")
                        ),
                    ))
                }
            }
        };
        let filter = MultiFilter { type_value, primary: primary == Some(true) };
        Ok((filter, primary, rank))
    }

    fn finish(
        &self,
        ext: usize,
        attr_rank: u64,
        attr: &Attribute,
        sub: Option<(usize, &Attribute)>,
        filter: Option<(MultiFilter, Option<bool>, u64)>,
        shape: Shape,
    ) -> ResolvedTarget {
        let def = &self.defs[ext];
        let leaf = sub.map(|(_, s)| s).unwrap_or(attr);
        let (entry_rank, primary) = filter.as_ref().map(|f| (f.2, f.1)).unwrap_or((0, None));
        // Sub rank 0 is reserved for the entry's `type`, written first.
        let sub_rank = sub.map(|(i, _)| i as u64 + 1).unwrap_or(0);
        let order = (ext as u64) << 48 | attr_rank << 32 | entry_rank << 16 | sub_rank;
        let type_value = filter.as_ref().map(|f| f.0.type_value.as_str()).unwrap_or("");
        let sub_name = sub.map(|(_, s)| s.name.as_str()).unwrap_or("");
        // The builder knows the core and enterprise URNs; only custom ones are carried per row.
        let urn = if ext <= 1 { String::new() } else { escape(&def.urn) };
        let parts = [urn, escape(&attr.name), escape(type_value), escape(sub_name)];
        let lens = parts.each_ref().map(|p| p.len().min(u16::MAX as usize) as u16);
        let names = parts.concat().into_boxed_str();
        let mut canonical = if ext == 0 { String::new() } else { format!("{}:", def.urn) };
        canonical.push_str(&attr.name);
        if let Some(f) = &filter {
            canonical.push_str(&format!("[type eq \"{}\"]", f.0.type_value));
        }
        if let Some((_, s)) = sub {
            canonical.push('.');
            canonical.push_str(&s.name);
        }
        ResolvedTarget {
            urn: def.urn.clone(),
            attr: attr.name.clone(),
            sub: sub.map(|(_, s)| s.name.clone()),
            ty: leaf.ty,
            multi_valued_leaf: leaf.multi_valued
                && leaf.ty != AttrType::Complex
                && shape == Shape::Top,
            canonical,
            case_exact: leaf.case_exact,
            layout: Layout {
                id: NEXT_LAYOUT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                order,
                shape,
                primary,
                auto_primary: shape == Shape::Multi && attr.sub("primary").is_some(),
                is_primary_sub: shape == Shape::Multi && sub_name == "primary",
                dynamic: attr_rank == DYN_RANK || entry_rank == DYN_RANK,
                names,
                lens,
            },
            filter: filter.map(|f| f.0),
        }
    }
}

impl ResolvedTarget {
    /// The target lives in the core User schema (written at the top level of the document).
    pub fn is_core(&self) -> bool {
        self.urn == CORE_USER_URN
    }

    pub fn is_enterprise(&self) -> bool {
        self.urn == ENTERPRISE_USER_URN
    }
}

/// JSON string escaping (without the quotes) for names written verbatim by the builder.
pub(crate) fn escape(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted[1..quoted.len() - 1].to_string()
}

/// Checks over all targets of a mapping, once at compile time: `(index, message)` for each target
/// that writes a leaf an earlier target already writes, and for each second entry of the same
/// multi-valued attribute whose filter also says `primary eq true`.
pub fn check_target_set(targets: &[ResolvedTarget]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        if let Some(j) = targets[..i].iter().position(|o| o.canonical == t.canonical) {
            out.push((
                i,
                format!(
                    "`{}` is assigned twice (target {} and {}); keep one assignment.",
                    t.canonical,
                    j + 1,
                    i + 1
                ),
            ));
            continue;
        }
        let primary = |o: &ResolvedTarget| o.filter.as_ref().is_some_and(|f| f.primary);
        if !primary(t) {
            continue;
        }
        let other = targets[..i].iter().find(|o| {
            primary(o)
                && o.urn == t.urn
                && o.attr == t.attr
                && o.filter.as_ref().map(|f| &f.type_value)
                    != t.filter.as_ref().map(|f| &f.type_value)
        });
        if let Some(o) = other {
            out.push((
                i,
                format!(
                    "`{}` and `{}` both say `primary eq true`; at most one entry of `{}` can be primary.",
                    o.canonical, t.canonical, t.attr
                ),
            ));
        }
    }
    out
}
