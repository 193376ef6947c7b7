//! The user data the sticky strategies put in a subscription.

use std::sync::Arc;

use crate::model::TopicPartition;
use crate::protocol::consumer::flatten;
use crate::protocol::wire::{EncodeError, Reader, TopicPartitions, Writer};

/// The `sticky` strategy's user data: the member's previous assignment and,
/// from format V1 on, the generation it was assigned in.
///
/// Neither format has a version prefix: V0 is an array of
/// `[topic, int32 array]`, V1 the same followed by an int32 generation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct StickyUserData {
    /// The previous assignment, flat.
    pub owned: Vec<TopicPartition>,
    /// The generation; `None` for V0 data (and for no data at all).
    pub generation: Option<i32>,
}

/// Which format [`StickyUserData::decode`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StickyFormat {
    /// Null or empty user data: no history.
    None,
    /// Partitions and generation.
    V1,
    /// Partitions only (written by clients before Kafka 2.3).
    V0,
    /// Neither format could be read: no partitions, generation -1.
    Fallback,
}

impl StickyUserData {
    /// The previous assignment and its generation.
    pub fn new(owned: impl IntoIterator<Item = TopicPartition>, generation: Option<i32>) -> Self {
        StickyUserData {
            owned: owned.into_iter().collect(),
            generation,
        }
    }

    /// Encodes as V1 when there is a generation, as V0 otherwise (the Java
    /// client always writes V1; V0 is what clients before 2.3 wrote).
    ///
    /// Topics come in the order the Java client's `HashMap` gives them, so the
    /// bytes equal the Java client's (see [`java_hash_map_order`]); partitions
    /// of a topic keep their order here.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let entries = java_hash_map_order(&self.owned);
        let mut w = Writer::default();
        w.topic_partitions(
            entries.iter().map(|e| (&*e.topic, e.partitions.as_slice())),
            entries.len(),
            "previous assignment",
        )?;
        if let Some(generation) = self.generation {
            w.i32(generation);
        }
        Ok(w.bytes)
    }

    /// Decodes as the Java `StickyAssignor` does: null or empty is no
    /// history; otherwise V1 is tried, then V0; bytes after either are
    /// ignored. Data neither format reads is no history with generation -1
    /// ([`StickyFormat::Fallback`]): never an error, because a member's
    /// unreadable history must not stop the group from being assigned.
    ///
    /// A topic name that is not valid UTF-8 makes the data unreadable here
    /// (the Java client would replace the bad bytes instead).
    pub fn decode(user_data: Option<&[u8]>) -> (StickyUserData, StickyFormat) {
        let Some(bytes) = user_data.filter(|b| !b.is_empty()) else {
            return (StickyUserData::default(), StickyFormat::None);
        };
        let mut r = Reader::new(bytes);
        let Ok(owned) = r
            .topic_partitions("previous assignment")
            .map(|entries| flatten(&entries))
        else {
            return (
                StickyUserData {
                    owned: Vec::new(),
                    generation: Some(-1),
                },
                StickyFormat::Fallback,
            );
        };
        match r.i32("generation") {
            Ok(generation) => (
                StickyUserData {
                    owned,
                    generation: Some(generation),
                },
                StickyFormat::V1,
            ),
            Err(_) => (
                StickyUserData {
                    owned,
                    generation: None,
                },
                StickyFormat::V0,
            ),
        }
    }
}

/// The `cooperative-sticky` strategy's user data: the generation of its last
/// assignment as an int32, -1 before the first.
pub fn cooperative_user_data(generation: Option<i32>) -> [u8; 4] {
    generation.unwrap_or(-1).to_be_bytes()
}

/// Reads `cooperative-sticky` user data as the Java client does: null is no
/// generation; otherwise the first four bytes are the generation, and fewer
/// than four give -1.
pub fn decode_cooperative_user_data(user_data: Option<&[u8]>) -> Option<i32> {
    let bytes = user_data?;
    Some(match bytes {
        [a, b, c, d, ..] => i32::from_be_bytes([*a, *b, *c, *d]),
        _ => -1,
    })
}

/// Groups partitions by topic in the iteration order of the Java client's
/// `HashMap` filled by `computeIfAbsent`, one partition at a time.
///
/// The rule: a topic's bucket is `h ^ (h >>> 16)` masked by the table size,
/// with `h` the Java `String.hashCode`; buckets are read in order; inside a
/// bucket the newest topic comes first; the table starts at 16 buckets and
/// doubles at the start of an insertion once it holds more than three
/// quarters of its size, and right after an insertion that makes a bucket 8
/// long in a table of fewer than 64 buckets. A bucket reaching 8 topics in a
/// larger table becomes a tree in Java, whose order is not reproduced: such
/// data still decodes to the same content, only the bytes may differ.
pub fn java_hash_map_order(partitions: &[TopicPartition]) -> Vec<TopicPartitions> {
    let mut entries: Vec<TopicPartitions> = Vec::new();
    let mut hashes: Vec<u32> = Vec::new();
    // Each bucket lists entry indices, head first.
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); 16];
    for tp in partitions {
        if entries.len() > buckets.len() / 4 * 3 {
            buckets = resize(&buckets, &hashes);
        }
        let hash = spread(java_string_hash(&tp.topic));
        let mask = buckets.len() - 1;
        let bucket = hash as usize & mask;
        if let Some(&found) = buckets[bucket]
            .iter()
            .find(|&&e| *entries[e].topic == *tp.topic)
        {
            entries[found].partitions.push(tp.partition);
            continue;
        }
        let chain = buckets[bucket].len();
        entries.push(TopicPartitions::new(
            Arc::clone(&tp.topic),
            vec![tp.partition],
        ));
        hashes.push(hash);
        buckets[bucket].insert(0, entries.len() - 1);
        if chain >= 7 && buckets.len() < 64 {
            buckets = resize(&buckets, &hashes);
        }
    }
    let order: Vec<usize> = buckets.into_iter().flatten().collect();
    let mut slots: Vec<Option<TopicPartitions>> = entries.into_iter().map(Some).collect();
    order.into_iter().filter_map(|e| slots[e].take()).collect()
}

/// Doubles the table; each bucket splits into two, keeping relative order.
fn resize(buckets: &[Vec<usize>], hashes: &[u32]) -> Vec<Vec<usize>> {
    let old = buckets.len();
    let mut out = vec![Vec::new(); old * 2];
    for (b, chain) in buckets.iter().enumerate() {
        for &e in chain {
            let high = hashes[e] as usize & old != 0;
            out[if high { b + old } else { b }].push(e);
        }
    }
    out
}

fn spread(h: u32) -> u32 {
    h ^ (h >> 16)
}

/// Java's `String.hashCode`: `31 * h + c` over the UTF-16 code units.
pub(crate) fn java_string_hash(s: &str) -> u32 {
    s.encode_utf16().fold(0u32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(u32::from(unit))
    })
}
