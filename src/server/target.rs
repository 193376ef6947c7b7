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
    /// The member's current target assignment: topic id -> a set of
    /// partitions, as the coordinator holds it (and as
    /// [`GroupTarget::resolve`] returns it). Every topic must be known to
    /// the describer and every partition in range. Topics the member no
    /// longer subscribes to are allowed (their partitions simply move).
    pub target: TargetAssignment,
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

    /// Adds partitions of one topic to the current target (merged with
    /// any it has of that topic).
    pub fn with_target(
        mut self,
        topic: TopicId,
        partitions: impl IntoIterator<Item = i32>,
    ) -> Self {
        self.target.insert(topic, partitions);
        self
    }

    /// Sets the current target.
    pub fn with_current(mut self, target: TargetAssignment) -> Self {
        self.target = target;
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

/// One member's partitions: topic id -> a set of partition numbers (Kafka's
/// `MemberAssignment`), always in normal form: topics in id order,
/// partitions strictly ascending, no topic with no partitions. Stored flat:
/// two allocations per member, so that reading a member's target is two
/// sequential reads (a list per topic was a cache miss per topic: an
/// incremental `range` on 10,000 members of 50 topics each took 12-13 ms
/// with them, 7.2-7.6 ms without).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TargetAssignment {
    /// Each topic and the end of its partitions in `partitions`.
    topics: Vec<(TopicId, u32)>,
    partitions: Vec<i32>,
}

impl FromIterator<(TopicId, Vec<i32>)> for TargetAssignment {
    /// [`TargetAssignment::from_entries`].
    fn from_iter<I: IntoIterator<Item = (TopicId, Vec<i32>)>>(entries: I) -> Self {
        Self::from_entries(entries)
    }
}

impl TargetAssignment {
    /// The empty assignment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds one from entries in any order, merging repeats; topics left
    /// with no partitions are dropped.
    pub fn from_entries(entries: impl IntoIterator<Item = (TopicId, Vec<i32>)>) -> Self {
        let entries: Vec<(TopicId, Vec<i32>)> = entries.into_iter().collect();
        Self::from_slices(&entries)
    }

    /// Adds partitions of one topic, merged with any it has of that topic
    /// (no partitions: nothing changes). Appending topics in id order, each
    /// with its partitions ascending, copies them once; anything else
    /// rebuilds the assignment.
    pub fn insert(&mut self, topic: TopicId, partitions: impl IntoIterator<Item = i32>) {
        let start = self.partitions.len();
        self.partitions.extend(partitions);
        let added = &self.partitions[start..];
        if added.is_empty() {
            return;
        }
        if self.topics.last().is_none_or(|(last, _)| *last < topic)
            && added.is_sorted_by(|a, b| a < b)
        {
            self.topics.push((topic, self.partitions.len() as u32));
            return;
        }
        let added = self.partitions.split_off(start);
        let mut entries: Vec<(TopicId, Vec<i32>)> =
            self.topics().map(|(t, p)| (t, p.to_vec())).collect();
        entries.push((topic, added));
        *self = Self::from_slices(&entries);
    }

    /// The topics (id, end of its partitions) and the partitions, flat.
    pub(crate) fn raw(&self) -> (&[(TopicId, u32)], &[i32]) {
        (&self.topics, &self.partitions)
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

/// One topic's partitions in a [`GroupTarget`], read in place: ascending,
/// no repeats.
///
/// The group's answer stores them run-length encoded: a partition `p` is
/// the item `p`, a run `p..=q` the two items `p, !q` (a partition number is
/// never negative, so a negative item closes a run). `range` gives each
/// member one run per topic, so its answer is a few integers per member and
/// topic however many partitions the member gets.
#[derive(Clone, Copy, Default)]
pub struct Partitions<'a> {
    items: &'a [i32],
}

impl<'a> Partitions<'a> {
    /// The partition numbers, ascending.
    pub fn iter(&self) -> PartitionsIter<'a> {
        PartitionsIter {
            runs: self.runs(),
            next: 0,
            last: -1,
        }
    }

    /// The maximal runs of consecutive partitions, ascending.
    pub fn runs(&self) -> Runs<'a> {
        Runs { items: self.items }
    }

    /// How many partitions (a walk over the runs).
    pub fn len(&self) -> usize {
        self.runs()
            .map(|run| (*run.end() - *run.start()) as usize + 1)
            .sum()
    }

    /// Whether there is no partition.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether `partition` is one of them (a walk over the runs).
    pub fn contains(&self, partition: i32) -> bool {
        self.runs().any(|run| run.contains(&partition))
    }

    /// The partitions as a vector.
    pub fn to_vec(&self) -> Vec<i32> {
        self.iter().collect()
    }
}

impl<'a> IntoIterator for Partitions<'a> {
    type Item = i32;
    type IntoIter = PartitionsIter<'a>;

    fn into_iter(self) -> PartitionsIter<'a> {
        self.iter()
    }
}

impl fmt::Debug for Partitions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Partitions<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Partitions<'_> {}

impl PartialEq<[i32]> for Partitions<'_> {
    fn eq(&self, other: &[i32]) -> bool {
        self.iter().eq(other.iter().copied())
    }
}

impl PartialEq<&[i32]> for Partitions<'_> {
    fn eq(&self, other: &&[i32]) -> bool {
        *self == **other
    }
}

impl<const N: usize> PartialEq<[i32; N]> for Partitions<'_> {
    fn eq(&self, other: &[i32; N]) -> bool {
        *self == other[..]
    }
}

impl<const N: usize> PartialEq<&[i32; N]> for Partitions<'_> {
    fn eq(&self, other: &&[i32; N]) -> bool {
        *self == other[..]
    }
}

impl PartialEq<Vec<i32>> for Partitions<'_> {
    fn eq(&self, other: &Vec<i32>) -> bool {
        *self == other[..]
    }
}

/// The runs of a [`Partitions`], each as `first..=last`.
#[derive(Debug, Clone)]
pub struct Runs<'a> {
    items: &'a [i32],
}

impl Iterator for Runs<'_> {
    type Item = std::ops::RangeInclusive<i32>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let (&first, rest) = self.items.split_first()?;
        match rest.first() {
            Some(&end) if end < 0 => {
                self.items = &rest[1..];
                Some(first..=!end)
            }
            _ => {
                self.items = rest;
                Some(first..=first)
            }
        }
    }
}

/// The partition numbers of a [`Partitions`], ascending.
#[derive(Debug, Clone)]
pub struct PartitionsIter<'a> {
    runs: Runs<'a>,
    /// The rest of the current run, `next..=last` (empty when `next > last`;
    /// wide, so that a run ending at `i32::MAX` ends).
    next: i64,
    last: i64,
}

impl Iterator for PartitionsIter<'_> {
    type Item = i32;

    #[inline]
    fn next(&mut self) -> Option<i32> {
        if self.next > self.last {
            let run = self.runs.next()?;
            self.next = i64::from(*run.start());
            self.last = i64::from(*run.end());
        }
        let partition = self.next as i32;
        self.next += 1;
        Some(partition)
    }
}

/// One topic of one member's new target in a [`GroupTarget`]: the topic's
/// index in the group's topic table, and where its partitions start in the
/// group's items (they end where the next entry's start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    topic: u32,
    start: u32,
}

/// One member's new target inside a [`GroupTarget`], read in place (the
/// borrowed counterpart of [`TargetAssignment`]): topics in id order, each
/// with its [`Partitions`].
#[derive(Clone, Copy)]
pub struct TargetRef<'a> {
    /// The group's topics by index.
    table: &'a [TopicId],
    /// This member's entries.
    entries: &'a [Entry],
    /// Where the last entry's partitions end.
    end: u32,
    /// The group's items.
    items: &'a [i32],
}

impl<'a> TargetRef<'a> {
    /// Entry `i`'s partitions.
    fn entry(&self, i: usize) -> Partitions<'a> {
        let start = self.entries[i].start as usize;
        let end = self.entries.get(i + 1).map_or(self.end, |next| next.start) as usize;
        Partitions {
            items: &self.items[start..end],
        }
    }

    /// Topic ids and their partitions, topics in id order, none empty.
    pub fn topics(&self) -> impl ExactSizeIterator<Item = (TopicId, Partitions<'a>)> + 'a {
        let this = *self;
        (0..self.entries.len())
            .map(move |i| (this.table[this.entries[i].topic as usize], this.entry(i)))
    }

    /// The partitions of one topic (empty when none).
    pub fn partitions(&self, topic: TopicId) -> Partitions<'a> {
        match self
            .entries
            .binary_search_by_key(&topic, |entry| self.table[entry.topic as usize])
        {
            Ok(i) => self.entry(i),
            Err(_) => Partitions::default(),
        }
    }

    /// How many partitions in all (a walk over the runs).
    pub fn len(&self) -> usize {
        (0..self.entries.len()).map(|i| self.entry(i).len()).sum()
    }

    /// Whether it holds no partition.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The same target as an owned [`TargetAssignment`].
    pub fn to_assignment(&self) -> TargetAssignment {
        let mut out = TargetAssignment::with_capacity(self.entries.len(), self.len());
        for (topic, partitions) in self.topics() {
            out.push_topic(topic, partitions);
        }
        out
    }
}

impl fmt::Debug for TargetRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.topics()).finish()
    }
}

impl PartialEq for TargetRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.topics().eq(other.topics())
    }
}

impl Eq for TargetRef<'_> {}

impl PartialEq<TargetAssignment> for TargetRef<'_> {
    fn eq(&self, other: &TargetAssignment) -> bool {
        self.topics().len() == other.topics().len()
            && self
                .topics()
                .zip(other.topics())
                .all(|((a, mine), (b, theirs))| a == b && mine == *theirs)
    }
}

/// One member's part of a target: unchanged from its current target, or a
/// new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberTarget<'a> {
    /// The member's new target equals its current target: nothing is
    /// copied, the coordinator keeps what it has.
    Unchanged,
    /// The member's new target, read in place.
    Changed(TargetRef<'a>),
}

/// A member's slot in [`GroupTarget::slots`] whose target did not change.
const UNCHANGED: (u32, u32) = (u32::MAX, u32::MAX);

/// A target assignment for the whole group (Kafka's `GroupAssignment`): per
/// member, in member id order, its new target or [`MemberTarget::Unchanged`].
///
/// Stored flat: the whole answer is six allocations, however many members
/// and topics (on 1000 members of 50 partitions each, two allocations per
/// member and the partitions written one by one were over half of a
/// `range` call in a profile), and runs of consecutive partitions are two
/// integers each.
#[derive(Clone, Default)]
pub struct GroupTarget {
    /// Every member id, back to back, in member id order...
    ids: String,
    /// ...member `i`'s ending at `id_ends[i]`.
    id_ends: Vec<usize>,
    /// Member `i`'s entries, `slots[i].0..slots[i].1` of `entries`, or
    /// [`UNCHANGED`].
    slots: Vec<(u32, u32)>,
    /// The topics the entries name, by index (in id order).
    table: Vec<TopicId>,
    entries: Vec<Entry>,
    /// Every entry's partitions, back to back, in the encoding of
    /// [`Partitions`].
    items: Vec<i32>,
}

impl fmt::Debug for GroupTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.members()).finish()
    }
}

impl PartialEq for GroupTarget {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.members().eq(other.members())
    }
}

impl Eq for GroupTarget {}

impl GroupTarget {
    /// Member `i`'s id.
    fn id(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.id_ends[i - 1] };
        &self.ids[start..self.id_ends[i]]
    }

    /// Member `i`'s target.
    fn target(&self, i: usize) -> MemberTarget<'_> {
        let (first, end) = self.slots[i];
        if (first, end) == UNCHANGED {
            return MemberTarget::Unchanged;
        }
        let (first, end) = (first as usize, end as usize);
        let items_end = self
            .entries
            .get(end)
            .map_or(self.items.len() as u32, |next| next.start);
        MemberTarget::Changed(TargetRef {
            table: &self.table,
            entries: &self.entries[first..end],
            end: items_end,
            items: &self.items,
        })
    }

    /// Every member, in member id order, with its target.
    pub fn members(&self) -> impl ExactSizeIterator<Item = (&str, MemberTarget<'_>)> + '_ {
        (0..self.slots.len()).map(|i| (self.id(i), self.target(i)))
    }

    /// One member's target.
    pub fn member(&self, id: &str) -> Option<MemberTarget<'_>> {
        let (mut low, mut high) = (0, self.slots.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.id(mid).cmp(id) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(self.target(mid)),
            }
        }
        None
    }

    /// How many members the target names.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the group has no member.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// How many members got a new target.
    pub fn changed(&self) -> usize {
        self.slots.iter().filter(|&&slot| slot != UNCHANGED).count()
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
                    MemberTarget::Changed(assignment) => assignment.to_assignment(),
                    MemberTarget::Unchanged => current
                        .get(id)
                        .map(|member| member.target.clone())
                        .unwrap_or_default(),
                };
                (id.to_string(), assignment)
            })
            .collect()
    }
}

/// Writes a [`GroupTarget`] member by member, in any member order: each
/// member's topics ascending, each topic's partitions ascending. Members not
/// written are unchanged.
pub(crate) struct TargetWriter {
    slots: Vec<(u32, u32)>,
    entries: Vec<Entry>,
    items: Vec<i32>,
    /// The member being written and its first entry.
    open: Option<(usize, u32)>,
}

/// Whether `mine` are the partitions `theirs`, strictly ascending: a run
/// `a..=b` is then the next `b - a + 1` of them exactly when they start at
/// `a` and end at `b`, so each run is checked at its ends.
fn same_as_ascending(mine: Partitions<'_>, theirs: &[i32]) -> bool {
    let mut rest = theirs;
    for run in mine.runs() {
        let n = (*run.end() - *run.start()) as usize + 1;
        if rest.len() < n || rest[0] != *run.start() || rest[n - 1] != *run.end() {
            return false;
        }
        rest = &rest[n..];
    }
    rest.is_empty()
}

impl TargetWriter {
    /// A writer for `members` members, with room for `entries` topics of
    /// members and `items` items.
    pub(crate) fn with_capacity(members: usize, entries: usize, items: usize) -> Self {
        TargetWriter {
            slots: vec![UNCHANGED; members],
            entries: Vec::with_capacity(entries),
            items: Vec::with_capacity(items),
            open: None,
        }
    }

    /// Starts member `m`'s new target (empty until partitions are pushed).
    #[inline]
    pub(crate) fn begin(&mut self, m: usize) {
        debug_assert!(self.open.is_none());
        self.open = Some((m, self.entries.len() as u32));
    }

    /// Whether the open member's last topic is `topic`.
    #[inline]
    fn on_topic(&self, topic: u32) -> bool {
        match (self.open, self.entries.last()) {
            (Some((_, first)), Some(last)) => {
                self.entries.len() as u32 > first && last.topic == topic
            }
            _ => false,
        }
    }

    /// Appends `partition` of `topic` to the open member: `topic` at or
    /// above its last topic, `partition` above the last one of that topic.
    /// A partition right after the last one extends its run.
    #[inline]
    pub(crate) fn push(&mut self, topic: u32, partition: i32) {
        if self.on_topic(topic) {
            let last = self.items.len() - 1;
            let tail = self.items[last];
            if tail < 0 && !tail == partition - 1 {
                self.items[last] = !partition;
                return;
            }
            if tail >= 0 && tail == partition - 1 {
                self.items.push(!partition);
                return;
            }
        } else {
            self.entries.push(Entry {
                topic,
                start: self.items.len() as u32,
            });
        }
        self.items.push(partition);
    }

    /// Appends partitions `start..end` (not empty) of `topic`, a topic above
    /// the open member's last one, as one run.
    #[inline]
    pub(crate) fn push_run(&mut self, topic: u32, start: i32, end: i32) {
        debug_assert!(start < end && !self.on_topic(topic));
        self.entries.push(Entry {
            topic,
            start: self.items.len() as u32,
        });
        self.items.push(start);
        if end - start > 1 {
            self.items.push(!(end - 1));
        }
    }

    /// Closes the open member's new target.
    #[inline]
    pub(crate) fn end(&mut self) {
        if let Some((m, first)) = self.open.take() {
            self.slots[m] = (first, self.entries.len() as u32);
        }
    }

    /// Closes the open member's new target, or, when it equals `current`
    /// (topic index and partitions strictly ascending, as [`Spec`]'s
    /// targets hold them), drops it and leaves the member unchanged. Returns whether it
    /// was kept.
    ///
    /// [`Spec`]: super::spec::Spec
    pub(crate) fn end_unless<'c>(
        &mut self,
        mut current: impl ExactSizeIterator<Item = (u32, &'c [i32])>,
    ) -> bool {
        let Some((m, first)) = self.open.take() else {
            return false;
        };
        let written = &self.entries[first as usize..];
        let same = current.len() == written.len()
            && written.iter().enumerate().all(|(i, entry)| {
                let end = written
                    .get(i + 1)
                    .map_or(self.items.len() as u32, |next| next.start);
                let mine = Partitions {
                    items: &self.items[entry.start as usize..end as usize],
                };
                current.next().is_some_and(|(topic, theirs)| {
                    topic == entry.topic && same_as_ascending(mine, theirs)
                })
            });
        if same {
            if let Some(entry) = written.first() {
                self.items.truncate(entry.start as usize);
            }
            self.entries.truncate(first as usize);
            false
        } else {
            self.slots[m] = (first, self.entries.len() as u32);
            true
        }
    }

    /// Member `m`'s new target is empty.
    pub(crate) fn empty(&mut self, m: usize) {
        let at = self.entries.len() as u32;
        self.slots[m] = (at, at);
    }

    /// The group target: `ids` are the members' ids in member id order
    /// (`id_bytes` bytes in all), `table` the topics by index.
    pub(crate) fn finish<'a>(
        self,
        id_bytes: usize,
        ids: impl ExactSizeIterator<Item = &'a str>,
        table: Vec<TopicId>,
    ) -> GroupTarget {
        debug_assert!(self.open.is_none());
        debug_assert_eq!(ids.len(), self.slots.len());
        let mut out = GroupTarget {
            ids: String::with_capacity(id_bytes),
            id_ends: Vec::with_capacity(ids.len()),
            slots: self.slots,
            table,
            entries: self.entries,
            items: self.items,
        };
        for id in ids {
            debug_assert!(out.id_ends.is_empty() || out.id(out.id_ends.len() - 1) < id);
            out.ids.push_str(id);
            out.id_ends.push(out.ids.len());
        }
        out
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
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::{GroupTarget, MemberTarget, TargetAssignment, TargetWriter, TopicId};

    /// `ids` written: member `i` odd gets partition `i` of topic `i % 3`,
    /// even ones are unchanged.
    fn written(ids: &[&str]) -> GroupTarget {
        let mut out = TargetWriter::with_capacity(ids.len(), 0, 0);
        for i in (1..ids.len()).step_by(2).rev() {
            out.begin(i);
            out.push((i % 3) as u32, i as i32);
            out.end();
        }
        let bytes = ids.iter().map(|id| id.len()).sum();
        out.finish(
            bytes,
            ids.iter().copied(),
            (0..3).map(|t| TopicId([t; 16])).collect(),
        )
    }

    /// Ids back to back in one buffer still read apart exactly: every id is
    /// found, with its own target (written in another order than the
    /// ids'), next to ids that are prefixes of it or empty, and ids that are
    /// not members are not found.
    #[test]
    fn a_group_target_finds_each_member_by_its_own_id() {
        let ids = ["", "a", "ab", "abc", "b", "ba", "z\u{e9}"];
        let group = written(&ids);
        assert_eq!(group.len(), ids.len());
        assert_eq!(group.changed(), 3);
        let listed: Vec<&str> = group.members().map(|(id, _)| id).collect();
        assert_eq!(listed, ids);
        for (i, id) in ids.iter().enumerate() {
            let want = (i % 2 == 1).then(|| {
                TargetAssignment::from_entries([(TopicId([(i % 3) as u8; 16]), vec![i as i32])])
            });
            match (group.member(id), want) {
                (Some(MemberTarget::Unchanged), None) => {}
                (Some(MemberTarget::Changed(got)), Some(want)) => {
                    assert_eq!(got, want, "member {id:?}");
                    assert_eq!(got.to_assignment(), want, "member {id:?}");
                }
                (got, want) => panic!("member {id:?}: {got:?}, want {want:?}"),
            }
        }
        for absent in ["aa", "abcd", "c", "z"] {
            assert_eq!(group.member(absent), None, "{absent:?}");
        }
        assert!(format!("{group:?}").contains("\"ab\": Unchanged"));
        assert_eq!(group, written(&ids));
    }

    /// Pushed partitions come back exactly, whatever runs they form: runs
    /// are merged as they grow, singles stay singles, a run may end at
    /// `i32::MAX`, and `len`, `contains` and the runs agree with the list.
    #[test]
    fn partitions_read_back_as_pushed_through_the_run_encoding() {
        let lists: [&[i32]; 6] = [
            &[0],
            &[0, 1, 2, 3],
            &[1, 3, 5, 6, 7, 9],
            &[0, 2, 3, 10, 11, 12, 13, 20],
            &[i32::MAX - 2, i32::MAX - 1, i32::MAX],
            &[5, 6, 100, 101, 102, 1000],
        ];
        let mut out = TargetWriter::with_capacity(1, 0, 0);
        out.begin(0);
        for (t, list) in lists.iter().enumerate() {
            for &p in *list {
                out.push(t as u32, p);
            }
        }
        out.end();
        let table: Vec<TopicId> = (0..lists.len()).map(|t| TopicId([t as u8; 16])).collect();
        let group = out.finish(1, ["m"].into_iter(), table.clone());
        let Some(MemberTarget::Changed(got)) = group.member("m") else {
            panic!("{group:?}");
        };
        assert_eq!(got.topics().len(), lists.len());
        assert_eq!(got.len(), lists.iter().map(|l| l.len()).sum::<usize>());
        for (t, list) in lists.iter().enumerate() {
            let partitions = got.partitions(table[t]);
            assert_eq!(partitions.to_vec(), *list, "topic {t}");
            assert_eq!(partitions.len(), list.len(), "topic {t}");
            for p in [0, 1, 4, 6, 12, 101, 999, i32::MAX] {
                assert_eq!(partitions.contains(p), list.contains(&p), "topic {t}, {p}");
            }
            // Runs are maximal: consecutive partitions are never split.
            let runs: Vec<_> = partitions.runs().collect();
            assert!(
                runs.windows(2).all(|w| *w[0].end() + 1 < *w[1].start()),
                "{runs:?}"
            );
        }
        assert!(got.partitions(TopicId([99; 16])).is_empty());
    }

    /// A member written and then found equal to its current target is
    /// dropped: unchanged, and nothing of it left in the buffers, so the
    /// next member reads back intact.
    #[test]
    fn a_target_equal_to_the_current_one_is_dropped() {
        let mut out = TargetWriter::with_capacity(3, 0, 0);
        out.begin(0);
        out.push(0, 1);
        out.push(0, 2);
        out.push(1, 7);
        assert!(!out.end_unless([(0, &[1, 2][..]), (1, &[7][..])].into_iter()));
        out.begin(1);
        out.push(0, 1);
        out.push(0, 2);
        assert!(out.end_unless([(0, &[1][..])].into_iter()));
        out.empty(2);
        let table = vec![TopicId([0; 16]), TopicId([1; 16])];
        let group = out.finish(3, ["a", "b", "c"].into_iter(), table);
        assert_eq!(group.member("a"), Some(MemberTarget::Unchanged));
        let Some(MemberTarget::Changed(b)) = group.member("b") else {
            panic!("{group:?}");
        };
        assert_eq!(b.partitions(TopicId([0; 16])), [1, 2]);
        assert_eq!(b.topics().len(), 1);
        let Some(MemberTarget::Changed(c)) = group.member("c") else {
            panic!("{group:?}");
        };
        assert!(c.is_empty());
        assert_eq!(group.changed(), 2);
    }

    /// `insert` keeps the normal form whatever order it is given: topics
    /// in id order, partitions merged, sorted and without repeats, nothing
    /// recorded for an empty list.
    #[test]
    fn inserting_in_any_order_keeps_the_normal_form() {
        let (a, b, c) = (TopicId([1; 16]), TopicId([2; 16]), TopicId([3; 16]));
        let mut got = TargetAssignment::new();
        got.insert(b, [4, 2]);
        got.insert(a, [7]);
        got.insert(c, []);
        got.insert(b, [2, 3]);
        got.insert(c, [0, 1]);
        let topics: Vec<(TopicId, Vec<i32>)> = got.topics().map(|(t, p)| (t, p.to_vec())).collect();
        assert_eq!(
            topics,
            vec![(a, vec![7]), (b, vec![2, 3, 4]), (c, vec![0, 1])]
        );
        assert_eq!(got.len(), 6);
        assert_eq!(
            got,
            TargetAssignment::from_entries([(c, vec![1, 0]), (b, vec![3, 4, 2]), (a, vec![7])])
        );
    }

    /// A member's target as the model holds it: per topic index, a set.
    type Model = Vec<BTreeSet<i32>>;

    fn model() -> impl Strategy<Value = Model> {
        proptest::collection::vec(
            proptest::collection::btree_set(
                prop_oneof![0..40i32, (i32::MAX - 3)..=i32::MAX],
                0..12,
            ),
            0..5,
        )
    }

    proptest! {
        /// Members written in any order, their partitions pushed one by one
        /// or as runs, read back as the model's sets: topics, partitions,
        /// runs, `len`, `contains`; a member whose target equals its current
        /// one (as `end_unless` is told) is unchanged, and dropping it
        /// leaves the others intact.
        #[test]
        fn a_written_target_reads_back_as_the_model(
            members in proptest::collection::vec((model(), any::<bool>(), any::<bool>()), 1..8),
            order_seed in any::<u64>(),
        ) {
            let mut order: Vec<usize> = (0..members.len()).collect();
            let mut x = order_seed | 1;
            for i in (1..order.len()).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                order.swap(i, (x % (i as u64 + 1)) as usize);
            }
            let mut out = TargetWriter::with_capacity(members.len(), 0, 0);
            for &m in &order {
                let (target, as_runs, is_current) = &members[m];
                out.begin(m);
                for (t, set) in target.iter().enumerate() {
                    let list: Vec<i32> = set.iter().copied().collect();
                    let mut i = 0;
                    while i < list.len() {
                        let mut j = i + 1;
                        while *as_runs && j < list.len() && list[j] == list[j - 1] + 1 {
                            j += 1;
                        }
                        // A run ending at `i32::MAX` cannot be given as
                        // an exclusive end: pushed one by one.
                        if j - i > 1 && list[j - 1] < i32::MAX && !out.on_topic(t as u32) {
                            out.push_run(t as u32, list[i], list[j - 1] + 1);
                        } else {
                            for &p in &list[i..j] {
                                out.push(t as u32, p);
                            }
                        }
                        i = j;
                    }
                }
                let mut current: Vec<(u32, Vec<i32>)> = target
                    .iter()
                    .enumerate()
                    .filter(|(_, set)| !set.is_empty())
                    .map(|(t, set)| (t as u32, set.iter().copied().collect()))
                    .collect();
                if !*is_current {
                    // Not the current target: as many partitions, the last
                    // of a list one higher (so a run's count matches but
                    // not its end), or else a topic more.
                    match current.last_mut() {
                        Some((_, list)) if list[list.len() - 1] < i32::MAX => {
                            *list.last_mut().unwrap() += 1;
                        }
                        _ => current.push((9, vec![0])),
                    }
                }
                let kept = out.end_unless(current.iter().map(|(t, p)| (*t, &p[..])));
                prop_assert_eq!(kept, !*is_current);
            }
            let ids: Vec<String> = (0..members.len()).map(|m| format!("m{m}")).collect();
            let bytes = ids.iter().map(String::len).sum();
            let table: Vec<TopicId> = (0..5).map(|t| TopicId([t as u8; 16])).collect();
            let group = out.finish(bytes, ids.iter().map(String::as_str), table.clone());
            for (m, (target, _, is_current)) in members.iter().enumerate() {
                let got = group.member(&ids[m]);
                if *is_current {
                    prop_assert_eq!(got, Some(MemberTarget::Unchanged));
                    continue;
                }
                let Some(MemberTarget::Changed(got)) = got else {
                    return Err(TestCaseError::fail(format!("member {m}: {got:?}")));
                };
                let want: Vec<(TopicId, Vec<i32>)> = target
                    .iter()
                    .enumerate()
                    .filter(|(_, set)| !set.is_empty())
                    .map(|(t, set)| (table[t], set.iter().copied().collect()))
                    .collect();
                let read: Vec<(TopicId, Vec<i32>)> =
                    got.topics().map(|(t, p)| (t, p.to_vec())).collect();
                prop_assert_eq!(&read, &want);
                prop_assert_eq!(got.len(), want.iter().map(|(_, p)| p.len()).sum::<usize>());
                prop_assert_eq!(got.to_assignment(), TargetAssignment::from_entries(want.clone()));
                for (t, set) in target.iter().enumerate() {
                    let partitions = got.partitions(table[t]);
                    prop_assert_eq!(partitions.len(), set.len());
                    for p in [0, 1, 17, 39, i32::MAX - 1, i32::MAX] {
                        prop_assert_eq!(partitions.contains(p), set.contains(&p));
                    }
                    // Runs are maximal and ascending.
                    let runs: Vec<_> = partitions.runs().collect();
                    prop_assert!(runs.windows(2).all(|w| *w[0].end() < *w[1].start() - 1));
                }
            }
        }
    }
}
