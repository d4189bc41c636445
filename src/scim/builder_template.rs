//! Document skeletons. The JSON around a User's values (keys, brackets, `schemas`, `type` and
//! `primary` members) depends only on which leaves the row set and in which declaration order,
//! not on the values; most rows of an export share a handful of such shapes. The general writer
//! runs once per shape, and later rows of that shape copy the skeleton's pieces between their
//! values: two copies per value instead of walking the groups again (a third of the writing).

use super::Entry;

/// The most shapes one builder remembers; rows of other shapes take the general writer.
const MAX_TEMPLATES: usize = 64;

/// Where the general writer put one value: its offset in the output, its length, its entry.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    pub at: usize,
    pub len: usize,
    pub entry: usize,
}

/// The shapes one builder has met.
#[derive(Debug, Clone, Default)]
pub(super) struct Templates {
    list: Vec<Template>,
}

#[derive(Debug, Clone)]
pub(super) struct Template {
    sig: u64,
    key: Box<[(u64, u64)]>,
    /// The document with its values cut out.
    text: Box<[u8]>,
    /// For each value, in document order: where the skeleton piece before it ends in `text`,
    /// and which entry holds it.
    cuts: Box<[(u32, u32)]>,
}

/// What of an entry shapes the JSON around it. Its schema position names the leaf (and so its
/// names and kind); declaration order and a `primary eq` filter choose the primary entry.
fn key(e: &Entry) -> (u64, u64) {
    let primary = match e.primary {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    };
    (e.order, u64::from(e.seq) | primary << 32)
}

/// Fold one more entry into a shape fingerprint (see [`signature`]).
pub(super) fn mix(h: u64, e: &Entry) -> u64 {
    let (a, b) = key(e);
    (h.rotate_left(5) ^ a ^ b.rotate_left(17)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Can a template stand for this entry? Undeclared attributes are grouped by name, and explicit
/// `primary` values change the members around them: the skeleton then depends on more than
/// the shape.
pub(super) fn fits(e: &Entry) -> bool {
    !e.dynamic && !e.is_primary_sub
}

/// A fingerprint of the row's shape (sorted, deduplicated entries), or None when no template
/// can stand for it. The builder folds it as entries arrive when they come in schema order.
pub(super) fn signature(entries: &[Entry]) -> Option<u64> {
    entries.iter().try_fold(0, |h, e| fits(e).then(|| mix(h, e)))
}

impl Templates {
    /// The template of exactly this shape (the fingerprint only narrows the search).
    pub fn find(&self, sig: u64, entries: &[Entry]) -> Option<&Template> {
        self.list.iter().find(|t| {
            t.sig == sig
                && t.key.len() == entries.len()
                && t.key.iter().zip(entries).all(|(k, e)| *k == key(e))
        })
    }

    /// Remember the shape of a document the general writer just wrote: `doc` starts at
    /// `start` in the output that `spans` point into.
    pub fn add(&mut self, sig: u64, entries: &[Entry], doc: &[u8], start: usize, spans: &[Span]) {
        if self.list.len() >= MAX_TEMPLATES {
            return;
        }
        let mut text = Vec::with_capacity(doc.len());
        let mut cuts = Vec::with_capacity(spans.len());
        let mut pos = 0;
        for s in spans {
            let at = s.at - start;
            text.extend_from_slice(&doc[pos..at]);
            cuts.push((text.len() as u32, s.entry as u32));
            pos = at + s.len;
        }
        text.extend_from_slice(&doc[pos..]);
        self.list.push(Template {
            sig,
            key: entries.iter().map(key).collect(),
            text: text.into(),
            cuts: cuts.into(),
        });
    }
}

impl Template {
    /// The document: skeleton pieces with `value(entry)` between them.
    pub fn write<'v>(&self, out: &mut Vec<u8>, value: impl Fn(usize) -> &'v [u8]) {
        let mut pos = 0;
        for &(end, entry) in self.cuts.iter() {
            out.extend_from_slice(&self.text[pos..end as usize]);
            out.extend_from_slice(value(entry as usize));
            pos = end as usize;
        }
        out.extend_from_slice(&self.text[pos..]);
    }
}

#[cfg(test)]
impl Templates {
    pub fn len(&self) -> usize {
        self.list.len()
    }
}

#[cfg(test)]
#[path = "builder_template_tests.rs"]
mod tests;
