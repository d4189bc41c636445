//! Interned strings for the cross-row checks: every distinct string once, in one growing arena,
//! found through an open-addressing table of 8-byte slots (32-bit hash, arena position).
//!
//! At a million rows the checks are bound by cache misses, not by hashing: a lookup through a
//! general hash map of boxed strings misses on the control bytes, the slot, the box and the
//! string. Here a slot holds the hash (which settles nearly every mismatch) and where the string
//! sits in the arena; the arena entry holds the string's number and bytes side by side. A lookup
//! costs one miss for the slot and, when the hash matches, one for the string. Memory per
//! distinct string: its bytes, an 8-byte header, padding to 8, and 8-byte slots at a load of at
//! most 3/4 (measured by `per_row_cost_is_what_the_docs_say` in the cross-row tests).

use std::hash::BuildHasher;

// FxHash: the strings come from one HR file, not from an attacker choosing collisions.
use rustc_hash::FxBuildHasher;

const EMPTY: u64 = u64::MAX;

#[derive(Debug)]
pub struct Interner {
    /// Entries `[number: u32][len: u32][bytes][zero padding to 8]`, each starting at a multiple
    /// of 8, so a slot can address 32 GiB with 32 bits.
    arena: Vec<u8>,
    /// Where string number `i` starts in the arena, in 8-byte units.
    starts: Vec<u32>,
    /// `hash << 32 | start`, or EMPTY. The length is a power of two.
    slots: Vec<u64>,
}

impl Default for Interner {
    fn default() -> Self {
        Interner { arena: Vec::new(), starts: Vec::new(), slots: vec![EMPTY; 1024] }
    }
}

/// The hash the tables use for `s`: callers may compute it ahead (on a worker thread) and pass
/// it to the `_hashed` methods.
pub fn hash32(s: &str) -> u32 {
    FxBuildHasher.hash_one(s) as u32
}

/// The first slot to probe: the hash's bits, spread so that similar hashes land apart.
fn home(h: u32, mask: usize) -> usize {
    (u64::from(h).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20) as usize & mask
}

impl Interner {
    /// String number `i`.
    pub fn resolve(&self, i: u32) -> &str {
        std::str::from_utf8(self.at(self.starts[i as usize]).1)
            .expect("only `&str`s are copied into the arena, and read back at their bounds")
    }

    /// The number and bytes of the entry starting at `unit`.
    fn at(&self, unit: u32) -> (u32, &[u8]) {
        let p = unit as usize * 8;
        let word = |k: usize| {
            let bytes = self.arena[k..k + 4].try_into().expect("a 4-byte slice is a [u8; 4]");
            u32::from_le_bytes(bytes)
        };
        let (n, len) = (word(p), word(p + 4) as usize);
        (n, &self.arena[p + 8..p + 8 + len])
    }

    /// The slot that interning a string of [`hash32`] `h` probes first, read for its effect on
    /// the cache: see [`crate::scim::CrossRowChecks::warm`].
    pub fn touch_slot(&self, h: u32) -> u64 {
        self.slots[home(h, self.slots.len() - 1)]
    }

    /// The first bytes of the arena entry that interning a string of hash `h` compares when its
    /// first slot holds that hash (usually the string itself, interned before); 0 otherwise.
    pub fn touch_entry(&self, h: u32) -> u64 {
        let slot = self.touch_slot(h);
        if slot == EMPTY || (slot >> 32) as u32 != h {
            return 0;
        }
        let p = slot as u32 as usize * 8;
        let word =
            |w: &[u8]| u64::from_le_bytes(w.try_into().expect("an 8-byte slice is a [u8; 8]"));
        self.arena.get(p..p + 8).map_or(0, word)
    }

    /// The number of `s`, and whether it is new.
    #[cfg(test)]
    pub fn intern(&mut self, s: &str) -> (u32, bool) {
        self.intern_hashed(s, hash32(s))
    }

    /// [`Interner::intern`] with `s`'s [`hash32`] computed ahead. A wrong hash would file the
    /// string under another slot: debug builds check it.
    pub fn intern_hashed(&mut self, s: &str, h: u32) -> (u32, bool) {
        debug_assert_eq!(h, hash32(s), "hash of {s:?}");
        let mask = self.slots.len() - 1;
        let mut k = home(h, mask);
        loop {
            let slot = self.slots[k];
            if slot == EMPTY {
                break;
            }
            if (slot >> 32) as u32 == h {
                let (n, text) = self.at(slot as u32);
                if text == s.as_bytes() {
                    return (n, false);
                }
            }
            k = (k + 1) & mask;
        }
        let n = self.starts.len() as u32;
        let unit = (self.arena.len() / 8) as u32;
        self.arena.extend_from_slice(&n.to_le_bytes());
        self.arena.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.arena.extend_from_slice(s.as_bytes());
        self.arena.resize(self.arena.len().next_multiple_of(8), 0);
        self.starts.push(unit);
        self.slots[k] = u64::from(h) << 32 | u64::from(unit);
        if self.starts.len() * 4 > self.slots.len() * 3 {
            self.grow();
        }
        (n, true)
    }

    fn grow(&mut self) {
        let doubled = vec![EMPTY; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|&s| s != EMPTY) {
            let mut k = home((slot >> 32) as u32, mask);
            while self.slots[k] != EMPTY {
                k = (k + 1) & mask;
            }
            self.slots[k] = slot;
        }
    }

    /// Resident bytes (for the documented per-row cost): the arena's and index's length (their
    /// spare capacity is never written) and the whole slot table.
    pub fn heap_bytes(&self) -> usize {
        self.arena.len() + self.starts.len() * 4 + self.slots.len() * 8
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

    #[test]
    fn lengths_across_the_padding_and_shared_prefixes() {
        // Every length from 0 to 40 (entries are padded to 8 bytes) and long shared prefixes.
        let mut i = Interner::default();
        let words: Vec<String> = (0..=40).map(|n| "x".repeat(n)).collect();
        for (n, w) in words.iter().enumerate() {
            assert_eq!(i.intern(w), (n as u32, true));
        }
        for (n, w) in words.iter().enumerate() {
            assert_eq!(i.intern(w), (n as u32, false));
            assert_eq!(i.resolve(n as u32), w);
        }
    }
}
