//! The target-assignment API: the shape of Kafka's
//! `ConsumerGroupPartitionAssignor`, `GroupSpec`, `SubscribedTopicDescriber`
//! and `GroupAssignment`.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use super::TopicId;
use super::error::{TargetError, TargetErrorKind};
use crate::model::rack_lists;

/// One member of a consumer group, as the coordinator holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct MemberSpec {
    /// The member id; unique in the group.
    pub member_id: String,
    /// `group.instance.id`, for static members; unique in the group.
    pub instance_id: Option<String>,
    /// The member's rack (`client.rack`); an empty string means none.
    pub rack: Option<String>,
    /// The ids of the topics the member subscribes to. Repeats are ignored;
    /// every id must be known to the topic describer. Shared: members with
    /// one subscription may hold one list (as a coordinator holds one set
    /// per subscription), and the assignors then read it once.
    pub subscribed: Arc<[TopicId]>,
    /// The member's current target assignment: topic id -> partitions.
    /// Repeated topics and partitions are merged; every topic must be known
    /// to the describer and every partition in range. Entries of topics the
    /// member no longer subscribes to are allowed (they simply move).
    pub target: Vec<(TopicId, Vec<i32>)>,
}

impl MemberSpec {
    /// A dynamic member with no rack, no subscription and an empty target.
    pub fn new(member_id: impl Into<String>) -> Self {
        MemberSpec {
            member_id: member_id.into(),
            ..MemberSpec::default()
        }
    }

    /// Makes the member static with this `group.instance.id`.
    pub fn with_instance_id(mut self, instance_id: impl Into<String>) -> Self {
        self.instance_id = Some(instance_id.into());
        self
    }

    /// Sets the member's rack.
    pub fn with_rack(mut self, rack: impl Into<String>) -> Self {
        self.rack = Some(rack.into());
        self
    }

    /// Adds subscribed topic ids.
    pub fn subscribe(mut self, topics: impl IntoIterator<Item = TopicId>) -> Self {
        self.subscribed = self.subscribed.iter().copied().chain(topics).collect();
        self
    }

    /// Sets the subscription to a shared list.
    pub fn with_subscription(mut self, topics: Arc<[TopicId]>) -> Self {
        self.subscribed = topics;
        self
    }

    /// Adds partitions of one topic to the current target.
    pub fn with_target(
        mut self,
        topic: TopicId,
        partitions: impl IntoIterator<Item = i32>,
    ) -> Self {
        self.target.push((topic, partitions.into_iter().collect()));
        self
    }

    /// The rack, with the empty string read as none.
    pub fn rack(&self) -> Option<&str> {
        self.rack.as_deref().filter(|rack| !rack.is_empty())
    }
}

/// Whether every member subscribes to the same topics (Kafka's
/// `SubscriptionType`). [`GroupSpec::subscription_type`] derives it from the
/// subscriptions; it is never taken from the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubscriptionType {
    /// Every member subscribes to the same set of topic ids (also an empty
    /// group).
    Homogeneous,
    /// At least two members subscribe to different sets.
    Heterogeneous,
}

/// The group the coordinator asks a target for (Kafka's `GroupSpec`).
///
/// The order of `members`, and of every list inside them, does not change
/// any assignor's answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct GroupSpec {
    /// The members; each member id, and each instance id, at most once.
    pub members: Vec<MemberSpec>,
}

impl GroupSpec {
    /// An empty group.
    pub fn new() -> Self {
        GroupSpec::default()
    }

    /// Adds a member.
    pub fn with_member(mut self, member: MemberSpec) -> Self {
        self.members.push(member);
        self
    }

    /// The subscription type, derived: homogeneous when every member
    /// subscribes to the same set of topic ids (repeats and order ignored).
    pub fn subscription_type(&self) -> SubscriptionType {
        let mut sets = self.members.iter().map(|member| {
            let mut ids = member.subscribed.to_vec();
            ids.sort_unstable();
            ids.dedup();
            ids
        });
        let Some(first) = sets.next() else {
            return SubscriptionType::Homogeneous;
        };
        if sets.all(|set| set == first) {
            SubscriptionType::Homogeneous
        } else {
            SubscriptionType::Heterogeneous
        }
    }
}

/// One topic as the coordinator's metadata image describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TopicDescription {
    /// The topic's id.
    pub id: TopicId,
    /// The topic's name, when known; the assignors do not read it.
    pub name: Option<Arc<str>>,
    /// The number of partitions.
    pub partitions: u32,
    /// For each partition (index = partition number), the racks of its
    /// replicas; `None` when the metadata carries no racks. When given, the
    /// list must have one entry per partition.
    pub replica_racks: Option<Vec<Vec<Arc<str>>>>,
}

impl TopicDescription {
    /// A topic with `partitions` partitions, no name and no racks.
    pub fn new(id: TopicId, partitions: u32) -> Self {
        TopicDescription {
            id,
            name: None,
            partitions,
            replica_racks: None,
        }
    }

    /// Sets the name.
    pub fn with_name(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the racks of each partition's replicas.
    pub fn with_replica_racks<P, R>(mut self, racks: P) -> Self
    where
        P: IntoIterator<Item = R>,
        R: IntoIterator,
        R::Item: Into<Arc<str>>,
    {
        self.replica_racks = Some(rack_lists(racks));
        self
    }
}

/// What the assignors may ask of the metadata (Kafka's
/// `SubscribedTopicDescriber`): the description of a topic, by id.
pub trait SubscribedTopicDescriber {
    /// The topic with this id, or `None` when the metadata does not know it.
    fn describe(&self, topic: TopicId) -> Option<&TopicDescription>;
}

/// A topic describer over a fixed set of topics.
#[derive(Debug, Clone, Default)]
pub struct TopicMetadata {
    topics: HashMap<TopicId, TopicDescription>,
}

impl TopicMetadata {
    /// The metadata of these topics; an id given twice is an error.
    pub fn new(topics: impl IntoIterator<Item = TopicDescription>) -> Result<Self, TargetError> {
        let mut map = HashMap::new();
        for topic in topics {
            let id = topic.id;
            if map.insert(id, topic).is_some() {
                return Err(TargetErrorKind::DuplicateTopic { topic: id }.into());
            }
        }
        Ok(TopicMetadata { topics: map })
    }

    /// The name of the topic with this id, when it has one.
    pub fn name(&self, topic: TopicId) -> Option<&Arc<str>> {
        self.topics.get(&topic)?.name.as_ref()
    }

    /// How many topics it describes.
    pub fn len(&self) -> usize {
        self.topics.len()
    }

    /// Whether it describes no topic.
    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }
}

impl SubscribedTopicDescriber for TopicMetadata {
    fn describe(&self, topic: TopicId) -> Option<&TopicDescription> {
        self.topics.get(&topic)
    }
}

/// One member's partitions: topic id -> partition numbers (Kafka's
/// `MemberAssignment`), topics in id order, partitions ascending, no topic
/// with no partitions. Stored flat: two allocations per member.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TargetAssignment {
    /// Each topic and the end of its partitions in `partitions`.
    topics: Vec<(TopicId, u32)>,
    partitions: Vec<i32>,
}

impl TargetAssignment {
    /// Builds one from entries in any order, merging repeats; topics left
    /// with no partitions are dropped.
    pub fn from_entries(entries: impl IntoIterator<Item = (TopicId, Vec<i32>)>) -> Self {
        let entries: Vec<(TopicId, Vec<i32>)> = entries.into_iter().collect();
        Self::from_slices(&entries)
    }

    /// [`from_entries`](Self::from_entries) from borrowed entries; entries
    /// already in the normal form are copied without sorting.
    pub(crate) fn from_slices(entries: &[(TopicId, Vec<i32>)]) -> Self {
        let normal = entries.windows(2).all(|w| w[0].0 < w[1].0)
            && entries
                .iter()
                .all(|(_, p)| !p.is_empty() && p.is_sorted_by(|a, b| a < b));
        if normal {
            let mut out = TargetAssignment::with_capacity(
                entries.len(),
                entries.iter().map(|(_, p)| p.len()).sum(),
            );
            for (topic, partitions) in entries {
                out.push_topic(*topic, partitions.iter().copied());
            }
            return out;
        }
        let merged = normalise(entries.to_vec());
        let mut out = TargetAssignment::with_capacity(
            merged.len(),
            merged.iter().map(|(_, p)| p.len()).sum(),
        );
        for (topic, partitions) in merged {
            out.push_topic(topic, partitions);
        }
        out
    }

    /// An empty assignment with room for `topics` topics and `partitions`
    /// partitions.
    pub(crate) fn with_capacity(topics: usize, partitions: usize) -> Self {
        TargetAssignment {
            topics: Vec::with_capacity(topics),
            partitions: Vec::with_capacity(partitions),
        }
    }

    /// Appends a topic above every topic so far, with its partitions
    /// ascending; a topic with none is not recorded.
    pub(crate) fn push_topic(&mut self, topic: TopicId, partitions: impl IntoIterator<Item = i32>) {
        debug_assert!(self.topics.last().is_none_or(|(last, _)| *last < topic));
        let start = self.partitions.len();
        self.partitions.extend(partitions);
        if self.partitions.len() > start {
            self.topics.push((topic, self.partitions.len() as u32));
        }
    }

    /// Appends one partition of the last topic, or of a topic above every
    /// topic so far, above every partition of it so far.
    #[inline]
    pub(crate) fn push_one(&mut self, topic: TopicId, partition: i32) {
        self.partitions.push(partition);
        match self.topics.last_mut() {
            Some((last, end)) if *last == topic => *end += 1,
            _ => {
                debug_assert!(self.topics.last().is_none_or(|(last, _)| *last < topic));
                self.topics.push((topic, self.partitions.len() as u32));
            }
        }
    }

    /// Topic ids and their partitions, topics in id order.
    pub fn topics(&self) -> impl ExactSizeIterator<Item = (TopicId, &[i32])> + '_ {
        self.topics.iter().enumerate().map(|(i, &(topic, end))| {
            let start = if i == 0 { 0 } else { self.topics[i - 1].1 };
            (topic, &self.partitions[start as usize..end as usize])
        })
    }

    /// The partitions of one topic (empty when none).
    pub fn partitions(&self, topic: TopicId) -> &[i32] {
        match self.topics.binary_search_by_key(&topic, |(id, _)| *id) {
            Ok(i) => {
                let start = if i == 0 { 0 } else { self.topics[i - 1].1 };
                &self.partitions[start as usize..self.topics[i].1 as usize]
            }
            Err(_) => &[],
        }
    }

    /// How many partitions in all.
    pub fn len(&self) -> usize {
        self.partitions.len()
    }

    /// Whether it holds no partition.
    pub fn is_empty(&self) -> bool {
        self.partitions.is_empty()
    }
}

/// One member's part of a target: unchanged from its current target, or a
/// new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberTarget {
    /// The member's new target equals its current target: nothing is
    /// copied, the coordinator keeps what it has.
    Unchanged,
    /// The member's new target.
    Changed(TargetAssignment),
}

/// A target assignment for the whole group (Kafka's `GroupAssignment`): per
/// member, in member id order, its new target or [`MemberTarget::Unchanged`].
#[derive(Clone, PartialEq, Eq, Default)]
pub struct GroupTarget {
    /// Every member id, back to back, in member id order: one allocation for
    /// the group instead of one per member (on 10,000 members of five
    /// partitions each, allocating and freeing the answer was over a third
    /// of the whole call in a profile)...
    ids: String,
    /// ...member `i`'s ending at `id_ends[i]`.
    id_ends: Vec<usize>,
    /// Member `i`'s target.
    targets: Vec<MemberTarget>,
}

impl fmt::Debug for GroupTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.members()).finish()
    }
}

impl GroupTarget {
    /// The target of `members`, given in member id order, whose ids add up
    /// to `id_bytes` bytes (so that the id buffer is allocated once).
    pub(crate) fn new<'a>(
        id_bytes: usize,
        members: impl ExactSizeIterator<Item = (&'a str, MemberTarget)>,
    ) -> Self {
        let mut out = GroupTarget {
            ids: String::with_capacity(id_bytes),
            id_ends: Vec::with_capacity(members.len()),
            targets: Vec::with_capacity(members.len()),
        };
        for (id, target) in members {
            debug_assert!(out.id_ends.is_empty() || out.id(out.id_ends.len() - 1) < id);
            out.ids.push_str(id);
            out.id_ends.push(out.ids.len());
            out.targets.push(target);
        }
        out
    }

    /// Member `i`'s id.
    fn id(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.id_ends[i - 1] };
        &self.ids[start..self.id_ends[i]]
    }

    /// Every member, in member id order, with its target.
    pub fn members(&self) -> impl ExactSizeIterator<Item = (&str, &MemberTarget)> + '_ {
        self.targets
            .iter()
            .enumerate()
            .map(|(i, target)| (self.id(i), target))
    }

    /// One member's target.
    pub fn member(&self, id: &str) -> Option<&MemberTarget> {
        let (mut low, mut high) = (0, self.targets.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.id(mid).cmp(id) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(&self.targets[mid]),
            }
        }
        None
    }

    /// How many members the target names.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether the group has no member.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// How many members got a new target.
    pub fn changed(&self) -> usize {
        self.targets
            .iter()
            .filter(|target| matches!(target, MemberTarget::Changed(_)))
            .count()
    }

    /// Every member's full target, [`MemberTarget::Unchanged`] read from
    /// the member's current target in `spec` (the spec it was computed
    /// from).
    pub fn resolve(&self, spec: &GroupSpec) -> Vec<(String, TargetAssignment)> {
        let current: HashMap<&str, &MemberSpec> = spec
            .members
            .iter()
            .map(|member| (member.member_id.as_str(), member))
            .collect();
        self.members()
            .map(|(id, target)| {
                let assignment = match target {
                    MemberTarget::Changed(assignment) => assignment.clone(),
                    MemberTarget::Unchanged => current
                        .get(id)
                        .map(|member| TargetAssignment::from_slices(&member.target))
                        .unwrap_or_default(),
                };
                (id.to_string(), assignment)
            })
            .collect()
    }
}

/// A server-side assignor (Kafka's `ConsumerGroupPartitionAssignor`): a
/// group spec and the topic metadata in, a target assignment out.
pub trait TargetAssignor {
    /// The name clients choose it by (`group.remote.assignor`).
    fn name(&self) -> &'static str;

    /// Computes the group's target assignment.
    fn assign(
        &self,
        spec: &GroupSpec,
        topics: &dyn SubscribedTopicDescriber,
    ) -> Result<GroupTarget, TargetError>;
}

/// Entries in normal form: topics in id order and merged, partitions
/// ascending without repeats, empty topics dropped.
pub(crate) fn normalise(mut entries: Vec<(TopicId, Vec<i32>)>) -> Vec<(TopicId, Vec<i32>)> {
    entries.sort_unstable_by_key(|(topic, _)| *topic);
    let mut merged: Vec<(TopicId, Vec<i32>)> = Vec::with_capacity(entries.len());
    for (topic, partitions) in entries {
        match merged.last_mut() {
            Some((last, into)) if *last == topic => into.extend(partitions),
            _ => merged.push((topic, partitions)),
        }
    }
    for (_, partitions) in &mut merged {
        if !partitions.is_sorted_by(|a, b| a < b) {
            partitions.sort_unstable();
            partitions.dedup();
        }
    }
    merged.retain(|(_, partitions)| !partitions.is_empty());
    merged
}

#[cfg(test)]
mod tests {
    use super::{GroupTarget, MemberTarget, TargetAssignment, TopicId};

    /// Ids back to back in one buffer still read apart exactly: every id is
    /// found, with its own target, next to ids that are prefixes of it or
    /// empty, and ids that are not members are not found.
    #[test]
    fn a_group_target_finds_each_member_by_its_own_id() {
        let ids = ["", "a", "ab", "abc", "b", "ba", "z\u{e9}"];
        let target = |i: usize| {
            if i.is_multiple_of(2) {
                MemberTarget::Unchanged
            } else {
                MemberTarget::Changed(TargetAssignment::from_entries([(
                    TopicId([i as u8; 16]),
                    vec![i as i32],
                )]))
            }
        };
        let bytes = ids.iter().map(|id| id.len()).sum();
        let group = GroupTarget::new(
            bytes,
            ids.iter().enumerate().map(|(i, id)| (*id, target(i))),
        );
        assert_eq!(group.len(), ids.len());
        assert_eq!(group.changed(), 3);
        let listed: Vec<&str> = group.members().map(|(id, _)| id).collect();
        assert_eq!(listed, ids);
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(group.member(id), Some(&target(i)), "member {id:?}");
        }
        for absent in ["aa", "abcd", "c", "z"] {
            assert_eq!(group.member(absent), None, "{absent:?}");
        }
        assert!(format!("{group:?}").contains("\"ab\": Unchanged"));
    }
}
