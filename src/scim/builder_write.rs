//! Writing the finished User: entries in schema order, grouped into objects, complex
//! attributes and multi-valued entries, as compact JSON. Rows shaped like an earlier row reuse
//! its skeleton (see [`super::template`]).

use super::template::{signature, Span};
use super::{Entry, UserBuilder};
use crate::schema::resolve::{Shape, DYN_RANK};
use crate::schema::{CORE_USER_URN, ENTERPRISE_USER_URN};

impl UserBuilder {
    /// Write the finished document as compact JSON at the end of `out`. What was set stays
    /// readable ([`UserBuilder::append_str`]) until the next [`UserBuilder::reset`].
    pub fn write_doc(&mut self, out: &mut Vec<u8>) {
        let mut entries = std::mem::take(&mut self.entries);
        // Entries set strictly in schema order (the convert engine's rows) are final already.
        let sig = if self.shape.is_some() {
            self.shape
        } else {
            self.sort_and_dedup(&mut entries);
            signature(&entries)
        };
        match sig.and_then(|s| self.templates.find(s, &entries)) {
            Some(t) => t.write(out, |i| self.value(&entries[i])),
            None => {
                let start = out.len();
                let mut spans = std::mem::take(&mut self.spans);
                spans.clear();
                self.write_entries(out, &entries, &mut spans);
                if let Some(s) = sig {
                    self.templates.add(s, &entries, &out[start..], start, &spans);
                }
                self.spans = spans;
            }
        }
        self.entries = entries;
    }

    fn sort_and_dedup(&self, entries: &mut Vec<Entry>) {
        if entries.iter().any(|e| e.dynamic) {
            entries.sort_unstable_by(|a, b| {
                a.order
                    .cmp(&b.order)
                    .then_with(|| self.name(a, 1).cmp(self.name(b, 1)))
                    .then_with(|| self.name(a, 2).cmp(self.name(b, 2)))
                    .then(a.seq.cmp(&b.seq))
            });
        } else if !entries.is_sorted_by_key(|e| (e.order, e.seq)) {
            // Fixed schema positions identify leaves: sorting by key alone is enough (and cheap).
            entries.sort_unstable_by_key(|e| (e.order, e.seq));
        }
        // A target set twice keeps its last value.
        let mut k = 0;
        while k + 1 < entries.len() {
            if self.same_leaf(&entries[k], &entries[k + 1]) {
                entries.remove(k);
            } else {
                k += 1;
            }
        }
    }

    /// The general writer. Records where each value went in `spans`, so the document's
    /// skeleton can become a template.
    fn write_entries(&self, out: &mut Vec<u8>, entries: &[Entry], spans: &mut Vec<Span>) {
        out.extend_from_slice(b"{\"schemas\":[\"");
        out.extend_from_slice(CORE_USER_URN.as_bytes());
        out.extend_from_slice(b"\",\"");
        out.extend_from_slice(ENTERPRISE_USER_URN.as_bytes());
        out.push(b'"');
        let mut last_ext = 1;
        for e in entries {
            let ext = e.order >> 48;
            if ext > last_ext {
                out.extend_from_slice(b",\"");
                out.extend_from_slice(self.urn(e).as_bytes());
                out.push(b'"');
                last_ext = ext;
            }
        }
        out.push(b']');
        let mut cur_ext = 0;
        // The core object already holds `schemas`, so its first attribute needs a comma.
        let mut first_in_obj = false;
        let mut i = 0;
        while i < entries.len() {
            let e = &entries[i];
            let ext = e.order >> 48;
            if ext != cur_ext {
                if cur_ext != 0 {
                    out.push(b'}');
                }
                out.extend_from_slice(b",\"");
                out.extend_from_slice(self.urn(e).as_bytes());
                out.extend_from_slice(b"\":{");
                cur_ext = ext;
                first_in_obj = true;
            }
            if !first_in_obj {
                out.push(b',');
            }
            first_in_obj = false;
            let mut j = i + 1;
            while j < entries.len() && self.same_attr(e, &entries[j]) {
                j += 1;
            }
            out.push(b'"');
            out.extend_from_slice(self.name(e, 1).as_bytes());
            out.extend_from_slice(b"\":");
            match e.shape {
                Shape::Top => self.put_value(out, entries, i, spans),
                Shape::Complex => {
                    out.push(b'{');
                    for n in i..j {
                        if n > i {
                            out.push(b',');
                        }
                        self.write_member(out, entries, n, spans);
                    }
                    out.push(b'}');
                }
                Shape::Multi => self.write_multi(out, entries, i..j, spans),
            }
            i = j;
        }
        if cur_ext != 0 {
            out.push(b'}');
        }
        out.push(b'}');
    }

    fn put_value(&self, out: &mut Vec<u8>, entries: &[Entry], n: usize, spans: &mut Vec<Span>) {
        let v = self.value(&entries[n]);
        spans.push(Span { at: out.len(), len: v.len(), entry: n });
        out.extend_from_slice(v);
    }

    fn write_member(&self, out: &mut Vec<u8>, entries: &[Entry], n: usize, spans: &mut Vec<Span>) {
        out.push(b'"');
        out.extend_from_slice(self.name(&entries[n], 3).as_bytes());
        out.extend_from_slice(b"\":");
        self.put_value(out, entries, n, spans);
    }

    /// `"emails":[{"type":"work","value":...,"primary":true},...]` for one attribute's entries.
    fn write_multi(
        &self,
        out: &mut Vec<u8>,
        entries: &[Entry],
        range: std::ops::Range<usize>,
        spans: &mut Vec<Span>,
    ) {
        let base = range.start;
        let group = &entries[range];
        let explicit = group.iter().any(|e| e.is_primary_sub);
        let auto = group[0].auto_primary && !explicit;
        // The primary entry: one whose filter says `primary eq true`, else the first declared
        // (lowest seq) that does not say `primary eq false`. Identified by its first index.
        let mut chosen: Option<(bool, u32, usize)> = None;
        let mut a = 0;
        while auto && a < group.len() {
            let b = self.entry_end(group, a);
            let slice = &group[a..b];
            if !slice.iter().any(|e| e.primary == Some(false)) {
                let wanted = slice.iter().any(|e| e.primary == Some(true));
                let seq = slice.iter().map(|e| e.seq).min().unwrap_or(u32::MAX);
                let better = match chosen {
                    None => true,
                    Some((w, s, _)) => (wanted, std::cmp::Reverse(seq)) > (w, std::cmp::Reverse(s)),
                };
                if better {
                    chosen = Some((wanted, seq, a));
                }
            }
            a = b;
        }
        // Explicit `.primary` values: the first declared `true` stays, later ones become false.
        let first_true = group
            .iter()
            .filter(|e| e.is_primary_sub && self.value(e) == b"true")
            .map(|e| e.seq)
            .min();
        out.push(b'[');
        let mut a = 0;
        while a < group.len() {
            let b = self.entry_end(group, a);
            if a > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"type\":");
            write_json_str_raw(out, self.name(&group[a], 2));
            for (n, e) in group.iter().enumerate().take(b).skip(a) {
                out.push(b',');
                if e.is_primary_sub && self.value(e) == b"true" && Some(e.seq) != first_true {
                    out.extend_from_slice(b"\"primary\":false");
                } else {
                    self.write_member(out, entries, base + n, spans);
                }
            }
            if chosen.is_some_and(|c| c.2 == a) {
                out.extend_from_slice(b",\"primary\":true");
            }
            out.push(b'}');
            a = b;
        }
        out.push(b']');
    }

    fn entry_end(&self, group: &[Entry], a: usize) -> usize {
        let mut b = a + 1;
        while b < group.len() && self.same_entry(&group[a], &group[b]) {
            b += 1;
        }
        b
    }

    fn same_attr(&self, a: &Entry, b: &Entry) -> bool {
        a.order >> 32 == b.order >> 32
            && ((a.order >> 32) & 0xFFFF != DYN_RANK || self.name(a, 1) == self.name(b, 1))
    }

    fn same_entry(&self, a: &Entry, b: &Entry) -> bool {
        self.same_attr(a, b)
            && a.order >> 16 == b.order >> 16
            && ((a.order >> 16) & 0xFFFF != DYN_RANK || self.name(a, 2) == self.name(b, 2))
    }

    fn same_leaf(&self, a: &Entry, b: &Entry) -> bool {
        self.same_entry(a, b) && a.order == b.order
    }
}

/// Names in the layout are already JSON-escaped: only the quotes are added.
fn write_json_str_raw(out: &mut Vec<u8>, escaped: &str) {
    out.push(b'"');
    out.extend_from_slice(escaped.as_bytes());
    out.push(b'"');
}
