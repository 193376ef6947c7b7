//! ConsumerProtocol Subscription and Assignment, versions 0 to 3.

use std::collections::HashMap;
use std::sync::Arc;

use crate::assignment::MemberAssignment;
use crate::java::java_cmp;
use crate::model::TopicPartition;
use crate::protocol::wire::{
    DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind, Reader, TopicPartitions, Writer,
};

/// The newest ConsumerProtocol version this crate knows (and writes by
/// default).
pub const LATEST_VERSION: i16 = 3;

/// A member's subscription, the JoinGroup metadata of the consumer protocol,
/// as the Java client's `ConsumerPartitionAssignor.Subscription` exposes it.
///
/// Fields that a version lacks are dropped when encoding at that version:
/// `owned_partitions` needs v1, `generation` v2 and `rack` v3.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Subscription {
    /// Subscribed topics. Encoding sorts them (Java string order); decoding
    /// keeps the wire order.
    pub topics: Vec<Arc<str>>,
    /// The strategy's user data; `None` is null on the wire, distinct from
    /// empty.
    pub user_data: Option<Vec<u8>>,
    /// Partitions owned before this rebalance, flat, in wire order after
    /// decoding. Encoding sorts them and writes one entry per topic.
    pub owned_partitions: Vec<TopicPartition>,
    /// The generation `owned_partitions` was assigned in. Decoding reads any
    /// negative wire value as `None`, as the Java client does; encoding writes
    /// `None` and negatives as -1.
    pub generation: Option<i32>,
    /// `client.rack`. The empty string is kept as `Some("")`, because it is
    /// written differently from null; [`rack_id`](Self::rack_id) reads it as
    /// no rack, as the Java client does.
    pub rack: Option<String>,
}

impl Subscription {
    /// A subscription to `topics` with nothing else set.
    pub fn new<I>(topics: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Arc<str>>,
    {
        Subscription {
            topics: topics.into_iter().map(Into::into).collect(),
            ..Subscription::default()
        }
    }

    /// Sets the user data.
    pub fn with_user_data(mut self, user_data: impl Into<Vec<u8>>) -> Self {
        self.user_data = Some(user_data.into());
        self
    }

    /// Sets the owned partitions.
    pub fn with_owned_partitions(
        mut self,
        owned: impl IntoIterator<Item = TopicPartition>,
    ) -> Self {
        self.owned_partitions = owned.into_iter().collect();
        self
    }

    /// Sets the generation.
    pub fn with_generation(mut self, generation: i32) -> Self {
        self.generation = Some(generation);
        self
    }

    /// Sets the rack.
    pub fn with_rack(mut self, rack: impl Into<String>) -> Self {
        self.rack = Some(rack.into());
        self
    }

    /// The rack, with the empty string read as no rack.
    pub fn rack_id(&self) -> Option<&str> {
        self.rack.as_deref().filter(|rack| !rack.is_empty())
    }

    /// Encodes at the newest version, header included.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        self.encode_version(LATEST_VERSION)
    }

    /// Encodes at `version`, header included. A version above the newest is
    /// written as the newest (header and body), as the Java client does.
    pub fn encode_version(&self, version: i16) -> Result<Vec<u8>, EncodeError> {
        let version = effective_version(version)?;
        let mut w = Writer::default();
        w.i16(version);

        let mut topics: Vec<&str> = self.topics.iter().map(|t| &**t).collect();
        topics.sort_by(|a, b| java_cmp(a, b));
        w.count(topics.len(), "topics")?;
        for topic in topics {
            w.string(topic, "topic name")?;
        }
        w.nullable_bytes(self.user_data.as_deref(), "user data")?;

        if version >= 1 {
            let mut owned: Vec<(&str, i32)> = self
                .owned_partitions
                .iter()
                .map(|tp| (&*tp.topic, tp.partition))
                .collect();
            owned.sort_by(|a, b| java_cmp(a.0, b.0).then(a.1.cmp(&b.1)));
            let entries = group_consecutive(&owned);
            w.topic_partitions(
                entries.iter().map(|(t, p)| (*t, p.as_slice())),
                entries.len(),
                "owned partitions",
            )?;
        }
        if version >= 2 {
            w.i32(self.generation.filter(|&g| g >= 0).unwrap_or(-1));
        }
        if version >= 3 {
            w.nullable_string(self.rack.as_deref(), "rack id")?;
        }
        Ok(w.bytes)
    }

    /// Decodes a subscription, header included. Any version from 0 up is
    /// accepted: above 3 the v3 layout is read and the rest ignored; bytes
    /// after the fields never fail.
    pub fn decode(bytes: &[u8]) -> Result<DecodedSubscription, DecodeError> {
        Self::read(Reader::new(bytes))
    }

    /// Reads a subscription, keeping the owned partitions both as the wire
    /// grouped them and flat.
    fn read(mut r: Reader<'_, '_>) -> Result<DecodedSubscription, DecodeError> {
        let version = read_version(&mut r)?;

        let (count, capacity) = r.name_count("topics", 2)?;
        let mut topics = Vec::with_capacity(capacity);
        for _ in 0..count {
            topics.push(r.topic_name("topic name")?);
        }
        let user_data = r.nullable_bytes("user data")?.map(<[u8]>::to_vec);

        let mut owned_entries = Vec::new();
        let mut owned_partitions = Vec::new();
        let mut generation_id = -1;
        let mut rack = None;
        if version >= 1 {
            owned_entries = r.topic_partitions("owned partitions")?;
            owned_partitions = flatten(&owned_entries);
        }
        if version >= 2 {
            generation_id = r.i32("generation id")?;
        }
        if version >= 3 {
            rack = r.nullable_string("rack id")?.map(str::to_string);
        }
        let subscription = Subscription {
            topics,
            user_data,
            owned_partitions,
            generation: (generation_id >= 0).then_some(generation_id),
            rack,
        };
        Ok(DecodedSubscription {
            version,
            subscription,
            owned_entries,
            generation_id,
            trailing_bytes: r.remaining(),
        })
    }
}

/// A decoded [`Subscription`] with what the wire said beyond it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodedSubscription {
    /// The version header as read (may be above 3).
    pub version: i16,
    /// The subscription as the Java client exposes it.
    pub subscription: Subscription,
    /// The owned partitions as the wire grouped them, repeats kept.
    pub owned_entries: Vec<TopicPartitions>,
    /// The generation id as read: -1 before v2, and negatives kept.
    pub generation_id: i32,
    /// Bytes after the fields of the version read (ignored).
    pub trailing_bytes: usize,
}

/// A member's assignment, the SyncGroup payload of the consumer protocol, as
/// the Java client's `ConsumerPartitionAssignor.Assignment` exposes it.
///
/// Unlike a subscription it is not sorted when encoded: topics come in order
/// of first appearance, one entry each, partitions in the given order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AssignmentData {
    /// The assigned partitions, flat, in wire order after decoding.
    pub partitions: Vec<TopicPartition>,
    /// The strategy's user data; `None` is null on the wire.
    pub user_data: Option<Vec<u8>>,
}

impl AssignmentData {
    /// An assignment of these partitions with no user data.
    pub fn new(partitions: impl IntoIterator<Item = TopicPartition>) -> Self {
        AssignmentData {
            partitions: partitions.into_iter().collect(),
            user_data: None,
        }
    }

    /// Sets the user data.
    pub fn with_user_data(mut self, user_data: impl Into<Vec<u8>>) -> Self {
        self.user_data = Some(user_data.into());
        self
    }

    /// Encodes at the newest version, header included; this is what the
    /// Java leader sends in SyncGroup.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        self.encode_version(LATEST_VERSION)
    }

    /// Encodes at `version` (the body is the same at every version; above 3
    /// the header says 3).
    pub fn encode_version(&self, version: i16) -> Result<Vec<u8>, EncodeError> {
        let version = effective_version(version)?;
        let mut w = Writer::default();
        w.i16(version);
        let mut slot: HashMap<&str, usize> = HashMap::new();
        let mut entries: Vec<(&str, Vec<i32>)> = Vec::new();
        for tp in &self.partitions {
            let at = *slot.entry(&*tp.topic).or_insert_with(|| {
                entries.push((&*tp.topic, Vec::new()));
                entries.len() - 1
            });
            entries[at].1.push(tp.partition);
        }
        w.topic_partitions(
            entries.iter().map(|(t, p)| (*t, p.as_slice())),
            entries.len(),
            "assigned partitions",
        )?;
        w.nullable_bytes(self.user_data.as_deref(), "user data")?;
        Ok(w.bytes)
    }

    /// Decodes an assignment, header included; any version from 0 up.
    pub fn decode(bytes: &[u8]) -> Result<DecodedAssignment, DecodeError> {
        let mut r = Reader::new(bytes);
        let version = read_version(&mut r)?;
        let entries = r.topic_partitions("assigned partitions")?;
        let user_data = r.nullable_bytes("user data")?.map(<[u8]>::to_vec);
        Ok(DecodedAssignment {
            version,
            assignment: AssignmentData {
                partitions: flatten(&entries),
                user_data,
            },
            entries,
            trailing_bytes: r.remaining(),
        })
    }
}

/// Writes assignments at the newest version, null user data, straight from
/// an answer's `(topic index, partitions)` runs: what
/// [`AssignmentData::encode`] writes for the same partitions, without a
/// `TopicPartition` per partition. Each topic's name is written once, as
/// the wire has it (length, then UTF-8), and copied into every member's
/// bytes that name it: a leader writes a million such entries for a large
/// group, and writing each name field by field was a third of the encoding.
pub(crate) struct RunEncoder {
    /// The names' wire form, back to back.
    names: Vec<u8>,
    /// Per topic, where its wire form lies in `names`; a name too long for
    /// the wire (its length here) has none and fails the member that is
    /// assigned it.
    spans: Vec<Result<(usize, usize), usize>>,
    /// The names' mean wire length, rounded up.
    mean_name: usize,
}

impl RunEncoder {
    /// The encoder for an answer over `topics` (its topic names, by index).
    pub(crate) fn new(topics: &[Arc<str>]) -> Self {
        let mut w = Writer {
            bytes: Vec::with_capacity(topics.iter().map(|t| 2 + t.len()).sum()),
        };
        let spans = topics
            .iter()
            .map(|t| {
                let start = w.bytes.len();
                w.string(t, "topic name")
                    .map(|()| (start, w.bytes.len()))
                    .map_err(|_| t.len())
            })
            .collect();
        let mean_name = w.bytes.len().div_ceil(topics.len().max(1));
        RunEncoder {
            names: w.bytes,
            spans,
            mean_name,
        }
    }

    /// Appends member `m`'s assignment bytes to `out`, from its runs; on an
    /// error `out` is as it was.
    ///
    /// One pass: the counts are the answer's own, and the room is reserved
    /// for names of the mean length (a leader writes a million entries for
    /// a large group, and sizing each member exactly first was a second
    /// walk over every run).
    pub(crate) fn encode_member(
        &self,
        m: &MemberAssignment<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let topics = m.topic_count();
        let count = i32::try_from(topics).map_err(|_| {
            EncodeError::new(EncodeErrorKind::TooLong {
                field: "assigned partitions",
                length: topics,
            })
        })?;
        out.reserve(2 + 4 + 4 + topics * (self.mean_name + 4) + 4 * m.len());
        let before = out.len();
        out.extend_from_slice(&LATEST_VERSION.to_be_bytes());
        out.extend_from_slice(&count.to_be_bytes());
        for (t, partitions) in m.topic_indices() {
            let name = match self.name(t) {
                Ok(name) => name,
                Err(e) => {
                    out.truncate(before);
                    return Err(e);
                }
            };
            out.extend_from_slice(name);
            // A run is at most one topic's partitions, whose numbers are
            // `i32`s: its length is one too.
            out.extend_from_slice(&(partitions.len() as i32).to_be_bytes());
            for &p in partitions {
                out.extend_from_slice(&p.to_be_bytes());
            }
        }
        // Null user data.
        out.extend_from_slice(&(-1i32).to_be_bytes());
        Ok(())
    }

    /// Topic `t`'s name as the wire writes it.
    #[inline]
    fn name(&self, t: usize) -> Result<&[u8], EncodeError> {
        match self.spans[t] {
            Ok((start, end)) => Ok(&self.names[start..end]),
            Err(length) => Err(EncodeError::new(EncodeErrorKind::StringTooLong {
                field: "topic name",
                length,
            })),
        }
    }
}

/// A decoded [`AssignmentData`] with what the wire said beyond it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodedAssignment {
    /// The version header as read (may be above 3).
    pub version: i16,
    /// The assignment as the Java client exposes it.
    pub assignment: AssignmentData,
    /// The partitions as the wire grouped them, repeats kept.
    pub entries: Vec<TopicPartitions>,
    /// Bytes after the fields (ignored).
    pub trailing_bytes: usize,
}

/// Partitions grouped by topic in order of first appearance, as the Java
/// client's `groupPartitionsByTopic` into a `LinkedHashMap` would show them.
pub fn group_by_topic(partitions: &[TopicPartition]) -> Vec<TopicPartitions> {
    let mut slot: HashMap<&str, usize> = HashMap::new();
    let mut out: Vec<TopicPartitions> = Vec::new();
    for tp in partitions {
        let at = *slot.entry(&*tp.topic).or_insert_with(|| {
            out.push(TopicPartitions::new(Arc::clone(&tp.topic), Vec::new()));
            out.len() - 1
        });
        out[at].partitions.push(tp.partition);
    }
    out
}

fn effective_version(version: i16) -> Result<i16, EncodeError> {
    if version < 0 {
        return Err(EncodeError::new(EncodeErrorKind::NegativeVersion {
            version,
        }));
    }
    Ok(version.min(LATEST_VERSION))
}

pub(crate) fn read_version(r: &mut Reader<'_, '_>) -> Result<i16, DecodeError> {
    let version = r.i16("version")?;
    if version < 0 {
        return Err(DecodeError::new(
            DecodeErrorKind::NegativeVersion { version },
            0,
        ));
    }
    Ok(version)
}

pub(crate) fn flatten(entries: &[TopicPartitions]) -> Vec<TopicPartition> {
    // Reserved exactly: a flat map's collect would grow by doubling, and
    // this is the largest part of a decoded message.
    let mut out = Vec::with_capacity(entries.iter().map(|e| e.partitions.len()).sum());
    for e in entries {
        out.extend(
            e.partitions
                .iter()
                .map(|&p| TopicPartition::new(Arc::clone(&e.topic), p)),
        );
    }
    out
}

fn group_consecutive<'a>(sorted: &[(&'a str, i32)]) -> Vec<(&'a str, Vec<i32>)> {
    let mut out: Vec<(&'a str, Vec<i32>)> = Vec::new();
    for &(topic, partition) in sorted {
        match out.last_mut() {
            Some((last, partitions)) if *last == topic => partitions.push(partition),
            _ => out.push((topic, vec![partition])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{AssignmentData, RunEncoder};
    use crate::Assignment;
    use crate::model::TopicPartition;
    use crate::protocol::wire::EncodeErrorKind;

    #[test]
    fn a_member_is_written_as_assignment_data_writes_it_and_a_name_too_long_leaves_nothing() {
        let long = "x".repeat(40_000);
        let answer = Assignment::from_members([
            ("a", vec![("orders", vec![2, 0]), ("payments", vec![1])]),
            ("b", vec![(long.as_str(), vec![0])]),
            ("c", vec![]),
        ]);
        let encoder = RunEncoder::new(answer.topic_names());
        let mut out = b"kept".to_vec();
        for id in ["a", "c"] {
            let member = answer.member(id).unwrap();
            let start = out.len();
            encoder.encode_member(&member, &mut out).unwrap();
            let expected =
                AssignmentData::new(member.iter().map(|(t, p)| TopicPartition::new(t, p)))
                    .encode()
                    .unwrap();
            assert_eq!(&out[start..], &expected[..], "{id}");
        }
        let before = out.clone();
        let error = encoder
            .encode_member(&answer.member("b").unwrap(), &mut out)
            .unwrap_err();
        assert!(matches!(
            error.kind(),
            EncodeErrorKind::StringTooLong { length: 40_000, .. }
        ));
        assert_eq!(out, before);
    }
}
