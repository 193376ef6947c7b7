//! The scenario JSON format (`serde` feature): [`Group`] in, [`Assignment`]
//! out, as described in the crate's scenario-format document.
//!
//! Deserialization is hand-written rather than derived for two reasons. Every
//! topic name is interned while parsing, so the one `Arc<str>` of a name is
//! shared by the metadata, every subscription and every owned partition; a
//! group of a million owned partitions then holds each name once, and the
//! strategies resolve names by pointer. And the input is streamed straight
//! into the model: no generic JSON tree and no buffered untagged enums, so
//! peak memory is the model's size plus the parser's small buffers.
//!
//! Unknown keys and repeated keys are rejected everywhere, so that a typo is
//! never silently ignored.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::ser::{SerializeMap, SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use crate::assignment::{Assignment, MemberAssignment};
use crate::model::{Group, Member, OwnedSource, Topic, TopicPartition};

// ---------------------------------------------------------------------------
// Serialization.

/// Writes the group in the scenario input format.
///
/// The format has no place for [`Member::owned_source`] and
/// [`Member::user_data`]: they are not written, and a group read back has the
/// defaults (`Subscription`, no user data). A member's owned partitions are
/// written grouped by topic, topics in name order, each topic's partitions in
/// the order the member listed them.
impl Serialize for Group {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Group", 2)?;
        out.serialize_field("topics", &TopicsOut(&self.topics))?;
        out.serialize_field("members", &MembersOut(&self.members))?;
        out.end()
    }
}

struct TopicsOut<'a>(&'a [Topic]);

impl Serialize for TopicsOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|t| (&*t.name, TopicOut(t))))
    }
}

struct TopicOut<'a>(&'a Topic);

impl Serialize for TopicOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0.replica_racks {
            None => serializer.serialize_i32(self.0.partitions),
            Some(racks) => {
                let mut out = serializer.serialize_struct("Topic", 2)?;
                out.serialize_field("partitions", &self.0.partitions)?;
                out.serialize_field("racks", racks)?;
                out.end()
            }
        }
    }
}

struct MembersOut<'a>(&'a [Member]);

impl Serialize for MembersOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(MemberOut))
    }
}

struct MemberOut<'a>(&'a Member);

impl Serialize for MemberOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let member = self.0;
        let fields = 2
            + usize::from(member.instance_id.is_some())
            + usize::from(member.rack.is_some())
            + usize::from(!member.owned.is_empty())
            + usize::from(member.generation.is_some());
        let mut out = serializer.serialize_struct("Member", fields)?;
        out.serialize_field("id", &member.id)?;
        if let Some(instance_id) = &member.instance_id {
            out.serialize_field("instance_id", instance_id)?;
        }
        if let Some(rack) = &member.rack {
            out.serialize_field("rack", rack)?;
        }
        out.serialize_field("topics", &member.topics)?;
        if !member.owned.is_empty() {
            out.serialize_field("owned", &OwnedOut(&member.owned))?;
        }
        if let Some(generation) = member.generation {
            out.serialize_field("generation", &generation)?;
        }
        out.end()
    }
}

struct OwnedOut<'a>(&'a [TopicPartition]);

impl Serialize for OwnedOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The format keys owned partitions by topic, so entries of one topic
        // scattered through the list must be brought together; a stable sort
        // keeps each topic's partitions in the member's order.
        let mut by_topic: Vec<&TopicPartition> = self.0.iter().collect();
        by_topic.sort_by(|a, b| a.topic.cmp(&b.topic));
        let mut out = serializer.serialize_map(None)?;
        for run in by_topic.chunk_by(|a, b| a.topic == b.topic) {
            out.serialize_entry(&*run[0].topic, &PartitionsOut(run))?;
        }
        out.end()
    }
}

struct PartitionsOut<'a>(&'a [&'a TopicPartition]);

impl Serialize for PartitionsOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|tp| tp.partition))
    }
}

/// Writes the assignment as the output format's `assignment` object: member
/// id -> topic -> partitions, members in id order, topics in name order,
/// partitions ascending; a member that gets nothing is written as `{}`.
impl Serialize for Assignment {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.members().map(|m| (m.id(), AssignedOut(m))))
    }
}

struct AssignedOut<'a>(MemberAssignment<'a>);

impl Serialize for AssignedOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.topics())
    }
}

// ---------------------------------------------------------------------------
// Deserialization.

/// One `Arc<str>` per distinct string of the document.
///
/// A std `HashMap` (SipHash) because the names come from the input, and a
/// hostile input must not be able to choose collisions.
#[derive(Default)]
struct Interner {
    ids: HashMap<Arc<str>, u32>,
    /// Per interned id: whether `topics` defined it already.
    defined: Vec<bool>,
    /// Per interned id: 1 + the index of the last member (or assignment
    /// entry) whose map used it as a key, so a repeated key is caught without
    /// a set per member.
    used_by: Vec<u32>,
}

impl Interner {
    fn intern(&mut self, name: &str) -> (Arc<str>, u32) {
        if let Some((shared, &id)) = self.ids.get_key_value(name) {
            return (Arc::clone(shared), id);
        }
        let shared: Arc<str> = Arc::from(name);
        let id = self.ids.len() as u32;
        self.ids.insert(Arc::clone(&shared), id);
        self.defined.push(false);
        self.used_by.push(0);
        (shared, id)
    }

    /// Records that map number `owner` uses key `id`; false if it did already.
    fn claim_key(&mut self, id: u32, owner: usize) -> bool {
        let stamp = owner as u32 + 1;
        let slot = &mut self.used_by[id as usize];
        if *slot == stamp {
            return false;
        }
        *slot = stamp;
        true
    }
}

/// A string, interned.
struct InternSeed<'i>(&'i mut Interner);

impl<'de> DeserializeSeed<'de> for InternSeed<'_> {
    type Value = (Arc<str>, u32);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for InternSeed<'_> {
    type Value = (Arc<str>, u32);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(self.0.intern(value))
    }
}

/// A list of strings, interned.
struct InternListSeed<'i>(&'i mut Interner);

impl<'de> DeserializeSeed<'de> for InternListSeed<'_> {
    type Value = Vec<Arc<str>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for InternListSeed<'_> {
    type Value = Vec<Arc<str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of strings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some((name, _)) = seq.next_element_seed(InternSeed(self.0))? {
            out.push(name);
        }
        Ok(out)
    }
}

/// An object key that must be one of `fields`; yields its position.
struct FieldSeed(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for FieldSeed {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "one of the keys {:?}", self.0)
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        self.0
            .iter()
            .position(|field| *field == key)
            .ok_or_else(|| E::unknown_field(key, self.0))
    }
}

/// Stores a field's value, or fails if the key came before.
fn set_once<T, E: de::Error>(slot: &mut Option<T>, field: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(field));
    }
    *slot = Some(value);
    Ok(())
}

const GROUP_FIELDS: &[&str] = &["topics", "members"];

/// Reads a group in the scenario input format.
///
/// `topics` and `members` are required; so are each member's `id` and
/// `topics`. Partition counts and numbers are read as written (`i32`):
/// negative or out-of-range values are for the strategies to reject or
/// ignore, by the model's documented rules. Topic entries need a
/// self-describing format (a count or an object), such as JSON.
impl<'de> Deserialize<'de> for Group {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(GroupVisitor)
    }
}

struct GroupVisitor;

impl<'de> Visitor<'de> for GroupVisitor {
    type Value = Group;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a group object with `topics` and `members`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Group, A::Error> {
        let mut interner = Interner::default();
        let mut topics = None;
        let mut members = None;
        while let Some(field) = map.next_key_seed(FieldSeed(GROUP_FIELDS))? {
            match field {
                0 => {
                    if topics.is_some() {
                        return Err(de::Error::duplicate_field("topics"));
                    }
                    topics = Some(map.next_value_seed(TopicsSeed(&mut interner))?);
                }
                _ => {
                    if members.is_some() {
                        return Err(de::Error::duplicate_field("members"));
                    }
                    members = Some(map.next_value_seed(MembersSeed(&mut interner))?);
                }
            }
        }
        Ok(Group {
            topics: topics.ok_or_else(|| de::Error::missing_field("topics"))?,
            members: members.ok_or_else(|| de::Error::missing_field("members"))?,
        })
    }
}

/// The scenario format's `topics` object on its own, for the formats that
/// embed it (the simulation's timeline).
#[cfg(feature = "simulate")]
pub(crate) fn deserialize_topics<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<Topic>, D::Error> {
    TopicsSeed(&mut Interner::default()).deserialize(deserializer)
}

/// The `topics` object: name -> count or `{partitions, racks}`.
struct TopicsSeed<'i>(&'i mut Interner);

impl<'de> DeserializeSeed<'de> for TopicsSeed<'_> {
    type Value = Vec<Topic>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopicsSeed<'_> {
    type Value = Vec<Topic>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of topic name -> partition count")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut topics = Vec::new();
        while let Some((name, id)) = map.next_key_seed(InternSeed(self.0))? {
            let defined = &mut self.0.defined[id as usize];
            if *defined {
                return Err(de::Error::custom(format_args!(
                    "topic {:?} appears more than once",
                    &*name
                )));
            }
            *defined = true;
            topics.push(map.next_value_seed(TopicSeed {
                name,
                interner: self.0,
            })?);
        }
        Ok(topics)
    }
}

const TOPIC_FIELDS: &[&str] = &["partitions", "racks"];

/// One topic's entry: a partition count, or `{partitions, racks}`.
struct TopicSeed<'i> {
    name: Arc<str>,
    interner: &'i mut Interner,
}

impl<'de> DeserializeSeed<'de> for TopicSeed<'_> {
    type Value = Topic;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Topic, D::Error> {
        // Integer or object: the format needs to say which, but nothing is
        // buffered, the parser calls the matching method directly.
        deserializer.deserialize_any(self)
    }
}

fn partition_count<E: de::Error>(value: i64) -> Result<i32, E> {
    i32::try_from(value)
        .map_err(|_| E::invalid_value(Unexpected::Signed(value), &"a partition count (i32)"))
}

impl<'de> Visitor<'de> for TopicSeed<'_> {
    type Value = Topic;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a partition count or an object with `partitions` and `racks`")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Topic, E> {
        Ok(Topic::new(self.name, partition_count(value)?))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Topic, E> {
        let count = i32::try_from(value).map_err(|_| {
            E::invalid_value(Unexpected::Unsigned(value), &"a partition count (i32)")
        })?;
        Ok(Topic::new(self.name, count))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Topic, A::Error> {
        let mut partitions = None;
        let mut racks = None;
        while let Some(field) = map.next_key_seed(FieldSeed(TOPIC_FIELDS))? {
            match field {
                0 => {
                    let value: i32 = map.next_value()?;
                    set_once(&mut partitions, "partitions", value)?;
                }
                _ => {
                    let value = map.next_value_seed(RacksSeed(self.interner))?;
                    set_once(&mut racks, "racks", value)?;
                }
            }
        }
        let mut topic = Topic::new(
            self.name,
            partitions.ok_or_else(|| de::Error::missing_field("partitions"))?,
        );
        topic.replica_racks = racks;
        Ok(topic)
    }
}

/// Per partition, its replicas' racks.
struct RacksSeed<'i>(&'i mut Interner);

impl<'de> DeserializeSeed<'de> for RacksSeed<'_> {
    type Value = Vec<Vec<Arc<str>>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RacksSeed<'_> {
    type Value = Vec<Vec<Arc<str>>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list, per partition, of its replicas' racks")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(replicas) = seq.next_element_seed(InternListSeed(self.0))? {
            out.push(replicas);
        }
        Ok(out)
    }
}

/// The `members` list.
struct MembersSeed<'i>(&'i mut Interner);

impl<'de> DeserializeSeed<'de> for MembersSeed<'_> {
    type Value = Vec<Member>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for MembersSeed<'_> {
    type Value = Vec<Member>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of members")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        loop {
            let seed = MemberSeed {
                interner: self.0,
                position: members.len(),
            };
            match seq.next_element_seed(seed)? {
                Some(member) => members.push(member),
                None => return Ok(members),
            }
        }
    }
}

const MEMBER_FIELDS: &[&str] = &["id", "instance_id", "rack", "topics", "owned", "generation"];

/// One member object.
struct MemberSeed<'i> {
    interner: &'i mut Interner,
    /// The member's position in `members`, to stamp its owned topic keys.
    position: usize,
}

impl<'de> DeserializeSeed<'de> for MemberSeed<'_> {
    type Value = Member;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Member, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MemberSeed<'_> {
    type Value = Member;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member object with `id` and `topics`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Member, A::Error> {
        let mut id: Option<String> = None;
        let mut instance_id: Option<Option<String>> = None;
        let mut rack: Option<Option<String>> = None;
        let mut topics = None;
        let mut owned: Option<Vec<TopicPartition>> = None;
        let mut generation: Option<Option<i32>> = None;
        while let Some(field) = map.next_key_seed(FieldSeed(MEMBER_FIELDS))? {
            match field {
                0 => {
                    let value = map.next_value()?;
                    set_once(&mut id, "id", value)?;
                }
                1 => {
                    let value = map.next_value()?;
                    set_once(&mut instance_id, "instance_id", value)?;
                }
                2 => {
                    let value = map.next_value()?;
                    set_once(&mut rack, "rack", value)?;
                }
                3 => {
                    let value = map.next_value_seed(InternListSeed(self.interner))?;
                    set_once(&mut topics, "topics", value)?;
                }
                4 => {
                    if owned.is_some() {
                        return Err(de::Error::duplicate_field("owned"));
                    }
                    let mut partitions = Vec::new();
                    map.next_value_seed(OwnedSeed {
                        interner: self.interner,
                        position: self.position,
                        out: &mut partitions,
                    })?;
                    owned = Some(partitions);
                }
                _ => {
                    let value = map.next_value()?;
                    set_once(&mut generation, "generation", value)?;
                }
            }
        }
        Ok(Member {
            id: id.ok_or_else(|| de::Error::missing_field("id"))?,
            instance_id: instance_id.flatten(),
            rack: rack.flatten(),
            topics: topics.ok_or_else(|| de::Error::missing_field("topics"))?,
            owned: owned.unwrap_or_default(),
            generation: generation.flatten(),
            owned_source: OwnedSource::Subscription,
            user_data: None,
        })
    }
}

/// A member's `owned` object: topic -> partition numbers, appended to `out`.
struct OwnedSeed<'i, 'o> {
    interner: &'i mut Interner,
    position: usize,
    out: &'o mut Vec<TopicPartition>,
}

impl<'de> DeserializeSeed<'de> for OwnedSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for OwnedSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of topic name -> partition numbers")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some((topic, id)) = map.next_key_seed(InternSeed(self.interner))? {
            if !self.interner.claim_key(id, self.position) {
                return Err(de::Error::custom(format_args!(
                    "topic {:?} appears more than once in `owned`",
                    &*topic
                )));
            }
            map.next_value_seed(OwnedPartitionsSeed {
                topic: &topic,
                out: self.out,
            })?;
        }
        Ok(())
    }
}

/// One topic's owned partition numbers, appended as `TopicPartition`s that
/// share the topic's interned name.
struct OwnedPartitionsSeed<'t, 'o> {
    topic: &'t Arc<str>,
    out: &'o mut Vec<TopicPartition>,
}

impl<'de> DeserializeSeed<'de> for OwnedPartitionsSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for OwnedPartitionsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of partition numbers")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(partition) = seq.next_element::<i32>()? {
            self.out.push(TopicPartition {
                topic: Arc::clone(self.topic),
                partition,
            });
        }
        Ok(())
    }
}

/// Reads the output format's `assignment` object (member id -> topic ->
/// partitions). Members and topics may come in any order and partitions
/// unsorted; a member id or a topic of one member given twice is an error.
impl<'de> Deserialize<'de> for Assignment {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(AssignmentVisitor)
    }
}

struct AssignmentVisitor;

impl<'de> Visitor<'de> for AssignmentVisitor {
    type Value = Assignment;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of member id -> topic -> partitions")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Assignment, A::Error> {
        let mut interner = Interner::default();
        let mut members: Vec<(String, AssignedTopics)> = Vec::new();
        while let Some(id) = map.next_key::<String>()? {
            let topics = map.next_value_seed(AssignedTopicsSeed {
                interner: &mut interner,
                position: members.len(),
            })?;
            members.push((id, topics));
        }
        let mut ids: Vec<&str> = members.iter().map(|(id, _)| id.as_str()).collect();
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(de::Error::custom(format_args!(
                "member {:?} appears more than once",
                pair[0]
            )));
        }
        Ok(Assignment::from_members(members))
    }
}

/// One member's assigned topics, in the order read.
type AssignedTopics = Vec<(Arc<str>, Vec<i32>)>;

/// One member's topic -> partitions object.
struct AssignedTopicsSeed<'i> {
    interner: &'i mut Interner,
    position: usize,
}

impl<'de> DeserializeSeed<'de> for AssignedTopicsSeed<'_> {
    type Value = AssignedTopics;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for AssignedTopicsSeed<'_> {
    type Value = AssignedTopics;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of topic name -> partition numbers")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut topics = Vec::new();
        while let Some((topic, id)) = map.next_key_seed(InternSeed(self.interner))? {
            if !self.interner.claim_key(id, self.position) {
                return Err(de::Error::custom(format_args!(
                    "topic {:?} appears more than once for one member",
                    &*topic
                )));
            }
            let partitions: Vec<i32> = map.next_value()?;
            topics.push((topic, partitions));
        }
        Ok(topics)
    }
}
