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

/// A name's length and its first and last eight bytes (zero-padded below
/// eight): for names of up to 16 bytes, equal keys are equal names. Kept in
/// a dense array beside the topics, so that comparing a name with several
/// candidates reads neither the candidates' allocations nor, below 17
/// bytes, anything but the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct NameKey {
    len: usize,
    head: u64,
    tail: u64,
}

impl NameKey {
    /// A key no name has.
    pub(super) const NONE: NameKey = NameKey {
        len: usize::MAX,
        head: 0,
        tail: 0,
    };

    #[inline(always)]
    pub(super) fn of(name: &[u8]) -> Self {
        let n = name.len();
        let word = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&name[at..at + 8]);
            u64::from_ne_bytes(w)
        };
        let (head, tail) = if n < 8 {
            let mut w = [0u8; 8];
            w[..n].copy_from_slice(name);
            (u64::from_ne_bytes(w), 0)
        } else {
            (word(0), word(n - 8))
        };
        NameKey { len: n, head, tail }
    }

    /// Whether the name keyed `self` is `name` (whose key is `key`), asking
    /// for this name's bytes only when the keys agree past 16 bytes.
    #[inline(always)]
    pub(super) fn names_same<'a>(
        &self,
        key: &NameKey,
        this: impl FnOnce() -> &'a [u8],
        name: &[u8],
    ) -> bool {
        self == key && (self.len <= 16 || this()[8..] == name[8..])
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

#[cfg(test)]
mod tests {
    use super::NameKey;

    /// Equal keys, and the bytes past 16 when they are asked for, decide
    /// equality exactly: names around the eight- and sixteen-byte edges,
    /// trailing zero bytes, and long names differing only in the middle.
    #[test]
    fn name_keys_tell_names_apart_exactly() {
        let names: Vec<&[u8]> = vec![
            b"",
            b"\0",
            b"a",
            b"a\0",
            b"abcdefg",
            b"abcdefgh",
            b"abcdefgh\0",
            b"abcdefghi",
            b"abcdefghijklmno",
            b"abcdefghijklmnop",
            b"abcdefghijklmnopq",
            b"abcdefghXjklmnopq",
            b"abcdefghijklXnopqrstuvwxyz",
            b"abcdefghijklmnopqrstuvwxyz",
        ];
        for a in &names {
            for b in &names {
                let (ka, kb) = (NameKey::of(a), NameKey::of(b));
                assert_eq!(
                    ka.names_same(&kb, || a, b),
                    a == b,
                    "{:?} against {:?}",
                    String::from_utf8_lossy(a),
                    String::from_utf8_lossy(b)
                );
            }
            assert!(!NameKey::NONE.names_same(&NameKey::of(a), || unreachable!(), a));
        }
    }
}
