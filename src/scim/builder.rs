//! Assembling one SCIM User per row as compact JSON bytes.
//!
//! Per row the builder only appends: each `set` records the target's precomputed layout (its
//! names are copied once per builder) and writes the value's JSON into reusable buffers.
//! `finish_into` puts the (≈20) entries in schema order and writes the document, through a
//! remembered skeleton when the row's shape was met before. Nothing is looked up by name and,
//! once the buffers have grown, nothing is allocated.

use crate::eval::Value;
use crate::schema::resolve::{Layout, Shape};
use crate::schema::{ResolvedTarget, Schema, CORE_USER_URN, ENTERPRISE_USER_URN};

use super::coerce::write_coerced;
use template::{fits, mix, Span, Templates};

#[path = "builder_template.rs"]
mod template;
#[path = "builder_write.rs"]
mod write;

#[derive(Debug, Clone)]
struct Entry {
    order: u64,
    seq: u32,
    shape: Shape,
    primary: Option<bool>,
    auto_primary: bool,
    is_primary_sub: bool,
    dynamic: bool,
    /// Offset of this entry's names in `names`, and the four lengths (urn, attr, type, sub).
    names_at: u32,
    lens: [u16; 4],
    value: (u32, u32),
}

/// Builds SCIM User documents; create one per thread and reuse it for every row.
#[derive(Debug, Clone)]
pub struct UserBuilder {
    entries: Vec<Entry>,
    /// The names of every layout this builder has met, each copied once: `known[id]` is where
    /// layout `id`'s start, plus one (0: not yet copied). Copying them per entry and row cost
    /// a memcpy each.
    names: String,
    known: Vec<u32>,
    /// The names' bytes of this row's entries, for [`UserBuilder::size_hint`].
    row_names: usize,
    values: Vec<u8>,
    seq: u32,
    /// Order prefixes (schema << 16 | attribute rank) of externalId, userName and active.
    required: [u64; 3],
    max_lengths: Vec<(String, usize)>,
    send_empty_strings: bool,
    /// A buffer for the next finished document (see [`UserBuilder::give_buffer`]).
    spare: Vec<u8>,
    /// Skeletons of the document shapes met so far, and the general writer's value positions.
    templates: Templates,
    spans: Vec<Span>,
    /// The row's shape fingerprint while its entries arrive strictly in schema order (then they
    /// need no sort and hold no repeat); None otherwise.
    shape: Option<u64>,
}

impl UserBuilder {
    pub fn new(schema: &Schema) -> Self {
        let rank = |name: &str| {
            schema.defs()[0]
                .attributes
                .iter()
                .position(|a| a.name == name)
                .map_or(u64::MAX, |i| i as u64)
        };
        UserBuilder {
            entries: Vec::with_capacity(32),
            names: String::with_capacity(1024),
            known: Vec::new(),
            row_names: 0,
            values: Vec::with_capacity(1024),
            seq: 0,
            required: [rank("externalId"), rank("userName"), rank("active")],
            max_lengths: schema.max_lengths().to_vec(),
            send_empty_strings: false,
            spare: Vec::new(),
            templates: Templates::default(),
            spans: Vec::new(),
            shape: Some(0),
        }
    }

    /// Keep `buf` for the next finished document (its content is dropped): documents can
    /// recycle the buffers of documents already written.
    pub fn give_buffer(&mut self, buf: Vec<u8>) {
        if buf.capacity() > self.spare.capacity() {
            self.spare = buf;
        }
    }

    /// The buffer given last, or an empty one.
    pub fn take_buffer(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.spare)
    }

    /// Keep attributes whose value is the empty string (`--empty-strings send`). By default they
    /// are left out, like NULL, because Entra would otherwise blank the attribute.
    pub fn send_empty_strings(&mut self, yes: bool) {
        self.send_empty_strings = yes;
    }

    /// At least the finished document's size, so its buffer is allocated once: every value,
    /// every name twice (an extension's URN is written in `schemas` and as a key), the
    /// punctuation and `"primary":true` of each entry, and the core URNs.
    pub fn size_hint(&self) -> usize {
        self.values.len() + 2 * self.row_names + 24 * self.entries.len() + 256
    }

    /// Forget the current row (also done by `finish_into`).
    pub fn reset(&mut self) {
        self.entries.clear();
        self.row_names = 0;
        self.values.clear();
        self.seq = 0;
        self.shape = Some(0);
    }

    /// Set a target to an already-typed JSON value (see [`super::coerce`]). `null`, `[]` and
    /// (unless [`UserBuilder::send_empty_strings`]) `""` leave the attribute absent. Each target
    /// should be set once per row; a repeat replaces the value.
    pub fn set(&mut self, target: &ResolvedTarget, value: serde_json::Value) {
        let empty_str = value.as_str().is_some_and(str::is_empty) && !self.send_empty_strings;
        if value.is_null() || empty_str || value.as_array().is_some_and(Vec::is_empty) {
            return;
        }
        let start = self.values.len();
        if target.multi_valued_leaf && !value.is_array() {
            self.values.push(b'[');
            let _ = serde_json::to_writer(&mut self.values, &value);
            self.values.push(b']');
        } else {
            // Writing a serde_json::Value into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut self.values, &value);
        }
        self.push_entry(&target.layout, start);
    }

    /// Coerce an expression value to the target's type and set it: the per-row fast path (no
    /// intermediate `serde_json::Value`). NULL, and the empty string unless
    /// [`UserBuilder::send_empty_strings`], leave the attribute absent (`Ok(false)`). The error
    /// names the target and the value.
    pub fn set_value(
        &mut self,
        target: &ResolvedTarget,
        value: &Value<'_>,
    ) -> Result<bool, String> {
        let seq = self.seq;
        self.set_value_as(target, value, seq)
    }

    /// [`UserBuilder::set_value`] for the target declared `seq`-th in the mapping, for callers
    /// that set targets in another order (schema order, so the document needs no sort). Declaration
    /// order still decides which entry of a multi-valued attribute is primary and which of two
    /// values of one leaf wins.
    pub fn set_value_as(
        &mut self,
        target: &ResolvedTarget,
        value: &Value<'_>,
        seq: u32,
    ) -> Result<bool, String> {
        self.seq = seq;
        if !self.send_empty_strings && matches!(value, Value::Str(s) if s.is_empty()) {
            return Ok(false);
        }
        let start = self.values.len();
        let wrap = target.multi_valued_leaf && !matches!(value, Value::List(_));
        if let Value::List(items) = value {
            if !target.multi_valued_leaf {
                return Err(format!(
                    "{}: got a list of {} values for a single-valued attribute; combine them with Join or pick one with Item",
                    target.canonical,
                    items.len()
                ));
            }
            if items.is_empty() {
                return Ok(false);
            }
        }
        if wrap {
            self.values.push(b'[');
        }
        match write_coerced(value, target.ty, &mut self.values) {
            Ok(true) => {}
            Ok(false) => {
                self.values.truncate(start);
                return Ok(false);
            }
            Err(e) => {
                self.values.truncate(start);
                return Err(format!("{}: {e}", target.canonical));
            }
        }
        if wrap {
            self.values.push(b']');
        }
        self.push_entry(&target.layout, start);
        Ok(true)
    }

    fn push_entry(&mut self, l: &Layout, value_start: usize) {
        let id = l.id as usize;
        let names_at = match self.known.get(id) {
            Some(&at) if at != 0 => at - 1,
            _ => {
                if self.known.len() <= id {
                    self.known.resize(id + 1, 0);
                }
                let at = self.names.len() as u32;
                self.names.push_str(&l.names);
                self.known[id] = at + 1;
                at
            }
        };
        self.row_names += l.names.len();
        let e = Entry {
            order: l.order,
            seq: self.seq,
            shape: l.shape,
            primary: l.primary,
            auto_primary: l.auto_primary,
            is_primary_sub: l.is_primary_sub,
            dynamic: l.dynamic,
            names_at,
            lens: l.lens,
            value: (value_start as u32, self.values.len() as u32),
        };
        let in_order = self.entries.last().is_none_or(|p| p.order < e.order);
        self.shape = self.shape.filter(|_| in_order && fits(&e)).map(|h| mix(h, &e));
        self.entries.push(e);
        self.seq += 1;
    }

    /// The raw JSON last set for `target` in this row, if any.
    pub fn get_raw(&self, target: &ResolvedTarget) -> Option<&[u8]> {
        let l = &target.layout;
        if self.shape.is_some() && !l.dynamic {
            // Entries came strictly in schema order: at most one holds this leaf.
            let k = self.entries.binary_search_by_key(&l.order, |e| e.order).ok()?;
            return Some(self.value(&self.entries[k]));
        }
        self.entries
            .iter()
            .rev()
            .find(|e| {
                // A fixed schema position names one leaf; only dynamic ones need their names.
                e.order == l.order
                    && (!l.dynamic
                        || (self.name(e, 1) == l.attr() && self.name(e, 2) == l.type_value()))
            })
            .map(|e| &self.values[e.value.0 as usize..e.value.1 as usize])
    }

    /// Append the string last set for `target` (externalId, userName, manager for the cross-row
    /// checks), unescaped, to `out`; false (and nothing appended) when it holds no string.
    /// Valid until the next [`UserBuilder::reset`], so the keys can follow a document
    /// [`UserBuilder::write_doc`] wrote without a copy.
    pub fn append_str(&self, target: &ResolvedTarget, out: &mut Vec<u8>) -> bool {
        let Some(raw) = self.get_raw(target) else { return false };
        // Most values need no unescaping: skip the JSON parser for them.
        match raw {
            [b'"', inner @ .., b'"'] if !inner.contains(&b'\\') => {
                out.extend_from_slice(inner);
                true
            }
            _ => match serde_json::from_slice::<String>(raw) {
                Ok(s) => {
                    out.extend_from_slice(s.as_bytes());
                    true
                }
                Err(_) => false,
            },
        }
    }

    fn urn(&self, e: &Entry) -> &str {
        match e.order >> 48 {
            0 => CORE_USER_URN,
            1 => ENTERPRISE_USER_URN,
            _ => self.name(e, 0),
        }
    }

    fn name(&self, e: &Entry, part: usize) -> &str {
        let mut at = e.names_at as usize;
        for len in &e.lens[..part] {
            at += *len as usize;
        }
        &self.names[at..at + e.lens[part] as usize]
    }

    fn value(&self, e: &Entry) -> &[u8] {
        &self.values[e.value.0 as usize..e.value.1 as usize]
    }

    /// Row-level checks on what was set, without parsing the document: `externalId` and
    /// `userName` present and non-empty, `active` present, length limits of the schema.
    pub fn check(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let found = |rank: u64| self.entries.iter().rev().find(|e| e.order >> 32 == rank);
        for (rank, name) in self.required.iter().zip(["externalId", "userName"]) {
            match found(*rank) {
                None => problems.push(format!("{name} is missing: every user needs one")),
                Some(e) if is_blank(self.value(e)) => problems.push(format!(
                    "{name} is empty ({}): every user needs one",
                    String::from_utf8_lossy(self.value(e))
                )),
                Some(_) => {}
            }
        }
        if found(self.required[2]).is_none() {
            problems.push(
                "active is missing: always send it, omitting it has disabled accounts".to_string(),
            );
        }
        for (path, max) in &self.max_lengths {
            for e in &self.entries {
                if !canonical_eq(self, e, path) {
                    continue;
                }
                if let Ok(s) = serde_json::from_slice::<String>(self.value(e)) {
                    let n = s.chars().count();
                    if n > *max {
                        problems.push(format!(
                            "{path} \"{s}\" is {n} characters long; the limit is {max}"
                        ));
                    }
                }
            }
        }
        problems
    }

    /// Write the finished document as compact JSON at the end of `out`, then reset for the next row.
    pub fn finish_into(&mut self, out: &mut Vec<u8>) {
        self.write_doc(out);
        self.reset();
    }

    /// Convenience for tests and previews: the finished document as a `serde_json::Value`.
    pub fn finish(&mut self) -> serde_json::Value {
        let mut out = Vec::with_capacity(512);
        self.finish_into(&mut out);
        // The writer only emits valid JSON; a failure here would be a bug worth seeing.
        serde_json::from_slice(&out).expect("UserBuilder wrote invalid JSON")
    }
}

/// A JSON string of only whitespace (`""`, `"  "`, `"\t"`).
fn is_blank(json: &[u8]) -> bool {
    if json.contains(&b'\\') {
        return serde_json::from_slice::<String>(json).is_ok_and(|s| s.trim().is_empty());
    }
    json.len() >= 2
        && json[0] == b'"'
        && json[1..json.len() - 1].iter().all(u8::is_ascii_whitespace)
}

/// Does entry `e` write the leaf whose canonical path is `path`? (Only used with length limits.)
fn canonical_eq(b: &UserBuilder, e: &Entry, path: &str) -> bool {
    let mut c = String::new();
    if e.order >> 48 != 0 {
        c.push_str(b.urn(e));
        c.push(':');
    }
    c.push_str(b.name(e, 1));
    if e.shape == Shape::Multi {
        c.push_str(&format!("[type eq \"{}\"]", b.name(e, 2)));
    }
    if e.shape != Shape::Top {
        c.push('.');
        c.push_str(b.name(e, 3));
    }
    c.eq_ignore_ascii_case(path)
}

#[cfg(test)]
#[path = "builder_tests.rs"]
mod tests;

/// The value a target holds in a finished document (for `expect` lines in mapping tests and
/// previews); `None` when the attribute is absent.
pub fn lookup<'d>(
    doc: &'d serde_json::Value,
    target: &ResolvedTarget,
) -> Option<&'d serde_json::Value> {
    let scope = if target.is_core() { doc } else { doc.get(&target.urn)? };
    let value = scope.get(&target.attr)?;
    let holder = match &target.filter {
        Some(f) => value
            .as_array()?
            .iter()
            .find(|e| e.get("type").and_then(|t| t.as_str()) == Some(f.type_value.as_str()))?,
        None => value,
    };
    match &target.sub {
        Some(sub) => holder.get(sub),
        None => Some(holder),
    }
}
