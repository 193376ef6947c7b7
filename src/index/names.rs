//! Topic names to ids, by content, with the comparisons that let equal
//! lists skip the lookups.

use std::sync::Arc;

use crate::hash::{FxHashMap, FxHasher};
use std::hash::Hasher;

/// Whether two topic lists name the same topics in the same order; the same
/// allocation is the same name without reading it.
pub(super) fn same_topics(a: &[Arc<str>], b: &[Arc<str>]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| Arc::ptr_eq(x, y) || same_name(x.as_bytes(), y.as_bytes()))
}

/// String equality, inlined for names up to 16 bytes: the first and the
/// last eight bytes as words. A group compares millions of short names;
/// through `memcmp` each comparison was a call, and the calls were 40% of
/// assigning a million partitions whose members hold their own names.
#[inline(always)]
pub(crate) fn same_name(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_ne_bytes(w)
    };
    match n {
        0..8 => a == b,
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => word(a, 0) == word(b, 0) && a[8..] == b[8..],
    }
}

/// A hash of a topic list's `Arc` addresses.
pub(super) fn address_hash(topics: &[Arc<str>]) -> u64 {
    let mut hasher = FxHasher::default();
    for topic in topics {
        hasher.write_usize(topic.as_ptr() as usize);
    }
    hasher.finish()
}

/// A hash of a topic list's content: its length and a few of its names,
/// length-prefixed. Only a way to find a candidate seen before, which is
/// then compared in full ([`same_topics`]): a sample keeps a member's hash
/// far cheaper than reading its list, and a collision costs only the
/// saving (the list is resolved on its own).
pub(super) fn list_hash(topics: &[Arc<str>]) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write_usize(topics.len());
    let n = topics.len();
    let sample = [0, n / 4, n / 2, n - n / 4, n.wrapping_sub(1)];
    for &at in &sample {
        if let Some(topic) = topics.get(at) {
            hasher.write_usize(topic.len());
            hasher.write(topic.as_bytes());
        }
    }
    hasher.finish()
}

/// Maps topic names to ids by content. A direct-mapped cache by address sits
/// in front: a group that shares one `Arc<str>` per name (as the scenario
/// parser makes) pays a pointer comparison per lookup; one whose members
/// hold their own names (a leader's decoded metadata) pays the string hash,
/// and the cache never grows.
pub(super) struct TopicResolver<'g> {
    by_name: FxHashMap<&'g str, u32>,
    /// (address, length, id) of the last name resolved into each slot.
    recent: Vec<(usize, usize, Option<u32>)>,
}

const RECENT_SLOTS: usize = 4096;

impl<'g> TopicResolver<'g> {
    /// Resolves each name to its id; other names to `None`.
    pub(super) fn new(names: impl ExactSizeIterator<Item = (&'g str, u32)>) -> Self {
        let mut by_name = FxHashMap::default();
        by_name.reserve(names.len());
        by_name.extend(names);
        TopicResolver {
            by_name,
            recent: vec![(0, 0, None); RECENT_SLOTS],
        }
    }

    #[inline]
    pub(super) fn resolve(&mut self, name: &Arc<str>) -> Option<u32> {
        let key = (name.as_ptr() as usize, name.len());
        // Fibonacci hashing: allocations sit a few words apart, so the low
        // bits alone would collide.
        let slot = ((key.0 as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize;
        let (pointer, len, meta) = self.recent[slot];
        if pointer == key.0 && len == key.1 && pointer != 0 {
            return meta;
        }
        let meta = self.by_name.get(&**name).copied();
        self.recent[slot] = (key.0, key.1, meta);
        meta
    }
}

/// Where an address starts probing in a table of `places` (a power of two):
/// Fibonacci hashing, because allocations sit a few words apart and the low
/// bits alone would collide.
#[inline]
pub(super) fn address_place(address: usize, places: usize) -> usize {
    ((address as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - places.trailing_zeros()))
        as usize
}
