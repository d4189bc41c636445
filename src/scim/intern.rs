//! Interned strings for the cross-row checks: every distinct string once, in one growing arena,
//! found through a hash table of (index, 32-bit hash) pairs. A million externalIds or userNames
//! then cost their bytes plus about 20 bytes each, instead of a boxed string per entry (16 bytes of
//! pointer and length, malloc's own header, and a 24-byte hash-map slot). The stored hash settles
//! most comparisons and every rehash without touching the arena, which at a million strings is a
//! cache miss each time.

use std::hash::BuildHasher;

use hashbrown::HashTable;
// FxHash: the strings come from one HR file, not from an attacker choosing collisions.
use rustc_hash::FxBuildHasher;

#[derive(Debug, Default)]
pub struct Interner {
    text: String,
    /// Where string `i` starts in `text`; it ends where `i + 1` starts (or at the end).
    starts: Vec<u64>,
    table: HashTable<(u32, u32)>,
}

/// The table's 64-bit hash from the stored 32 bits, spread over the high bits (hashbrown takes
/// its 7-bit tags from there).
fn widen(h: u32) -> u64 {
    u64::from(h).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(h)
}

impl Interner {
    /// String number `i`.
    pub fn resolve(&self, i: u32) -> &str {
        let i = i as usize;
        let start = self.starts[i] as usize;
        let end = self.starts.get(i + 1).map_or(self.text.len(), |e| *e as usize);
        &self.text[start..end]
    }

    /// The number of `s`, and whether it is new.
    pub fn intern(&mut self, s: &str) -> (u32, bool) {
        let h = FxBuildHasher.hash_one(s) as u32;
        let Interner { text, starts, table } = self;
        let resolve = |i: u32| {
            let i = i as usize;
            let end = starts.get(i + 1).map_or(text.len(), |e| *e as usize);
            &text[starts[i] as usize..end]
        };
        let entry =
            table.entry(widen(h), |&(i, eh)| eh == h && resolve(i) == s, |&(_, eh)| widen(eh));
        match entry {
            hashbrown::hash_table::Entry::Occupied(o) => (o.get().0, false),
            hashbrown::hash_table::Entry::Vacant(v) => {
                let n = starts.len() as u32;
                v.insert((n, h));
                starts.push(text.len() as u64);
                text.push_str(s);
                (n, true)
            }
        }
    }

    /// Resident bytes (for the documented per-row cost): the arena's and index's length (their
    /// spare capacity is never written), the table's whole capacity (8-byte slots + control byte).
    pub fn heap_bytes(&self) -> usize {
        self.text.len() + self.starts.len() * 8 + self.table.capacity() * 9
    }
}

#[cfg(test)]
mod tests {
    use super::Interner;

    #[test]
    fn interns_each_string_once_and_resolves_it() {
        let mut i = Interner::default();
        assert_eq!(i.intern("E1"), (0, true));
        assert_eq!(i.intern("E2"), (1, true));
        assert_eq!(i.intern("E1"), (0, false));
        assert_eq!(i.intern(""), (2, true));
        assert_eq!(i.intern("é"), (3, true));
        assert_eq!((i.resolve(0), i.resolve(1), i.resolve(2), i.resolve(3)), ("E1", "E2", "", "é"));
        assert_eq!(i.intern("E2"), (1, false));
        assert_eq!(i.intern("E3"), (4, true));
    }

    #[test]
    fn survives_growth() {
        let mut i = Interner::default();
        for n in 0..10_000 {
            assert_eq!(i.intern(&n.to_string()), (n, true));
        }
        for n in (0..10_000).rev() {
            assert_eq!(i.intern(&n.to_string()), (n, false));
            assert_eq!(i.resolve(n), n.to_string());
        }
    }
}
