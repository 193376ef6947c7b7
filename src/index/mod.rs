//! The group interned to dense integer ids, once, at the boundary.
//!
//! Every strategy works on this form: topics and members are dense ids (one
//! type per kind, `ids`), every partition of a subscribed topic has one
//! global index (topics in name order, partitions in number order), and
//! per-member lists are flat arrays.
//! Validation happens here, so the algorithms see only well-formed input.
//!
//! - this module: the container ([`GroupIndex`]), built once per
//!   assignment from a [`Group`] or from a leader's [`DecodedGroup`]. It
//!   owns what it holds (topic names and member ids as shared `Arc`s, the
//!   racks as ids), so nothing built on it borrows the caller's group; the
//!   one thing left in the input is the members' owned lists
//!   ([`OwnedLists`]), which [`Interned`] carries beside the index and
//!   [`OwnedReader`] reads once, streamed, for the strategies that keep
//!   history (see DESIGN.md, "The interned group");
//! - `ids`: the id types, with their `NONE`s, and [`Owner`];
//! - `rows`: the flat row storage ([`Csr`], [`Subscriptions`]);
//! - `names`: topic names to ids, by content ([`TopicResolver`] and the
//!   list comparisons);
//! - `owned`: the owned lists read once as global indices ([`OwnedReader`]);
//! - `racks`: racks to ids, for the rack-aware strategies ([`RackIndex`]),
//!   and the Java client's rack gate;
//! - `orders`: the Java client's member and topic orders, as ids.
//!
//! The strategies read names only through this module: everything they
//! decide on is an id, a count or a flag.

mod ids;
mod names;
mod orders;
mod owned;
mod racks;
mod rows;

use std::collections::hash_map::Entry;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use crate::decoded::DecodedGroup;
use crate::error::{AssignError, AssignErrorKind};
use crate::hash::{FxHashMap, FxHasher};
use crate::model::{Group, Member, Topic, TopicPartition};
use crate::spare::Spare;

pub(crate) use ids::{ClassIdx, MemberIdx, Owner, PartitionIdx, RackIdx, TopicIdx};
pub(crate) use names::same_name;
use names::{TopicResolver, address_hash, list_hash, same_topics};
pub(crate) use owned::OwnedReader;
pub(crate) use racks::RackIndex;
use rows::sort_dedup_tail;
pub(crate) use rows::{Csr, Subscriptions};

/// The most partitions one assignment may cover, over all subscribed topics.
///
/// Far above any real cluster; it exists so that a hostile partition count
/// gets an error instead of an allocation of gigabytes.
pub const MAX_PARTITIONS: u64 = 1 << 26;

/// One subscribed topic that exists in the metadata.
#[derive(Debug, Clone)]
pub(crate) struct TopicEntry {
    /// The metadata's own name (the same allocation: a clone of its `Arc`).
    pub(crate) name: Arc<str>,
    pub(crate) partitions: u32,
    /// Global index of partition 0.
    pub(crate) start: PartitionIdx,
}

/// One member, as the strategies and the answer need it.
#[derive(Debug, Clone)]
pub(crate) struct MemberEntry {
    pub(crate) id: Arc<str>,
    pub(crate) instance_id: Option<Arc<str>>,
    pub(crate) generation: Option<i32>,
}

impl MemberEntry {
    fn of(member: &Member) -> Self {
        MemberEntry {
            id: Arc::from(member.id.as_str()),
            instance_id: member.instance_id.as_deref().map(Arc::from),
            generation: member.generation,
        }
    }
}

/// What a strategy does with racks, so that the index interns them (or
/// not) while it builds, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RackUse {
    /// Racks never matter (RoundRobin, ownership counts).
    Ignored,
    /// Racks matter whenever a member and a replica have one (KIP-881
    /// Range).
    Present,
    /// Racks matter when the Java client's rack gate opens (`racks::gate`;
    /// the sticky strategies).
    Gated,
}

/// The members' owned lists, where the caller's group holds them: the one
/// part of the input the index does not copy. A million-partition history
/// is read once, streamed, by [`OwnedReader`], which is cheaper than
/// materialising it (see DESIGN.md).
#[derive(Debug)]
pub(crate) enum OwnedLists<'g> {
    /// Per member id, its [`Member::owned`].
    Members(Vec<&'g [TopicPartition]>),
    /// Per member id, a decoded group's (name id, partition) claims.
    Decoded {
        claims: Vec<&'g [(u32, i32)]>,
        /// Per name id, its topic id, or [`TopicIdx::NONE`].
        topic_of_name: Vec<TopicIdx>,
    },
}

impl TopicEntry {
    /// The global indices of its partitions.
    #[inline]
    pub(crate) fn globals(&self) -> std::ops::Range<usize> {
        self.start.index()..self.start.index() + self.partitions as usize
    }

    /// The global index of its partition `partition` (in range).
    #[inline]
    pub(crate) fn global(&self, partition: u32) -> PartitionIdx {
        self.start.plus(partition)
    }

    /// The global index one past its last partition.
    #[inline]
    pub(crate) fn end(&self) -> PartitionIdx {
        self.start.plus(self.partitions)
    }
}

/// The group, interned and validated. It holds no reference into the
/// caller's group.
#[derive(Debug)]
pub(crate) struct GroupIndex {
    /// Subscribed topics present in the metadata, in name order; id = index.
    pub(crate) topics: Vec<TopicEntry>,
    /// Partitions of all subscribed topics.
    pub(crate) total_partitions: u32,
    /// Members in member-id order; id = index.
    pub(crate) members: Vec<MemberEntry>,
    /// Per member: subscribed topic ids, sorted, without repeats.
    pub(crate) subscriptions: Subscriptions,
    /// Whether some member has a rack.
    members_have_racks: bool,
    /// Whether some subscribed topic carries replica racks.
    topics_have_racks: bool,
    /// The Java client's rack gate, when the strategy asked for it
    /// ([`RackUse::Gated`]); else `false`.
    rack_aware: bool,
    /// The racks as ids, when the strategy uses them and they matter.
    racks: Option<RackIndex>,
    /// The lists a previous answer left for this one's (see `spare.rs`),
    /// moved out of the decoded group.
    spare: Spare,
}

/// The index, and beside it the members' owned lists as the input holds
/// them: what a strategy that keeps history reads. Dereferences to the
/// index, which is all the strategies that ignore history need.
#[derive(Debug)]
pub(crate) struct Interned<'g> {
    pub(crate) index: GroupIndex,
    pub(crate) owned: OwnedLists<'g>,
}

impl Deref for Interned<'_> {
    type Target = GroupIndex;

    fn deref(&self) -> &GroupIndex {
        &self.index
    }
}

/// Subscription rows as they are interned: rows of metadata ranks (a
/// topic's place in name order), equal rows stored once.
struct RowBuilder {
    rows: Csr,
    row_of_member: Vec<u32>,
    /// Stored rows by a hash of their content, to share equal ones.
    row_by_hash: FxHashMap<u64, u32>,
    /// Per rank, whether anyone subscribes to it.
    subscribed_rank: Vec<bool>,
    total: usize,
}

impl RowBuilder {
    fn new(members: usize, metadata: usize) -> Self {
        RowBuilder {
            rows: Csr::with_capacity(members, 0),
            row_of_member: Vec::with_capacity(members),
            row_by_hash: FxHashMap::default(),
            subscribed_rank: vec![false; metadata],
            total: 0,
        }
    }

    /// The next member subscribes as member `seen` did.
    fn same_as(&mut self, seen: usize) {
        let row = self.row_of_member[seen];
        self.row_of_member.push(row);
        self.total += self.rows.row(row as usize).len();
    }

    /// The next member subscribes to these ranks (any order, repeats).
    fn push(&mut self, ranks: impl Iterator<Item = u32>) {
        for rank in ranks {
            self.subscribed_rank[rank as usize] = true;
            self.rows.push(rank);
        }
        let rows = &mut self.rows;
        rows.end_row(true);
        let new = rows.rows() as u32 - 1;
        let content = rows.row(new as usize);
        self.total += content.len();
        let mut hasher = FxHasher::default();
        content.hash(&mut hasher);
        let row = match self.row_by_hash.entry(hasher.finish()) {
            Entry::Occupied(seen) if rows.row(*seen.get() as usize) == content => {
                let seen = *seen.get();
                rows.pop_row();
                seen
            }
            // A hash collision keeps its own row: sharing is only a saving.
            Entry::Occupied(_) => new,
            Entry::Vacant(slot) => *slot.insert(new),
        };
        self.row_of_member.push(row);
    }
}

/// Finds a member's list among those seen before: the previous member's,
/// else one with the same hash (a collision only costs the saving).
struct SeenLists {
    by_hash: FxHashMap<u64, u32>,
}

impl SeenLists {
    fn new() -> Self {
        SeenLists {
            by_hash: FxHashMap::default(),
        }
    }

    /// The earlier member `m`'s list equals, by `same`, if one is found
    /// under `hash`; else `m` is remembered under it.
    fn find(&mut self, m: usize, hash: u64, same: impl Fn(usize) -> bool) -> Option<usize> {
        match self.by_hash.entry(hash) {
            Entry::Occupied(seen) if same(*seen.get() as usize) => Some(*seen.get() as usize),
            Entry::Occupied(_) => None,
            Entry::Vacant(slot) => {
                slot.insert(m as u32);
                None
            }
        }
    }
}

impl<'g> Interned<'g> {
    /// Validates and interns `group`. The owned lists stay where they are:
    /// the strategies that ignore history never read them, and the others
    /// read them once ([`Interned::owned_rows`], [`OwnedReader`]).
    pub(crate) fn new(group: &'g Group, racks: RackUse) -> Result<Self, AssignError> {
        let metadata = validate_topics(&group.topics)?;
        let order = validate_members(&group.members)?;
        let members: Vec<&'g Member> = order.iter().map(|&i| &group.members[i as usize]).collect();

        let mut resolver = TopicResolver::new(
            metadata
                .iter()
                .map(|&meta| (&*group.topics[meta as usize].name, meta)),
        );
        let rank_of_meta = ranks(&metadata);
        let mut rows = RowBuilder::new(members.len(), metadata.len());
        // A member by a hash of its topic list's `Arc` addresses, and by a
        // hash of its content, so that a list seen before is not resolved
        // again. The addresses are cheaper to hash and find the lists that
        // share `Arc`s; the content finds the rest (each member's own names,
        // as a client leader holds them).
        let mut by_addresses = SeenLists::new();
        let mut by_content = SeenLists::new();
        for (m, member) in members.iter().enumerate() {
            // Large groups often give many members the same topic list, in
            // the same order: reuse the row instead of resolving.
            let same = |seen: usize| same_topics(&members[seen].topics, &member.topics);
            let seen = if m > 0 && same(m - 1) {
                Some(m - 1)
            } else {
                by_addresses
                    .find(m, address_hash(&member.topics), same)
                    .or_else(|| by_content.find(m, list_hash(&member.topics), same))
            };
            match seen {
                Some(seen) => rows.same_as(seen),
                None => rows.push(
                    member
                        .topics
                        .iter()
                        .filter_map(|topic| resolver.resolve(topic))
                        .map(|meta| rank_of_meta[meta as usize]),
                ),
            }
        }
        let (index, _) = GroupIndex::finish(&group.topics, &metadata, &members, rows, racks)?;
        let owned = OwnedLists::Members(members.iter().map(|m| &m.owned[..]).collect());
        Ok(Interned { index, owned })
    }

    /// [`Interned::new`] for a group a leader decoded: the same index as
    /// for [`DecodedGroup::to_group`], read from name ids.
    pub(crate) fn from_decoded(
        group: &'g DecodedGroup,
        racks: RackUse,
    ) -> Result<Self, AssignError> {
        let metadata = validate_topics(&group.topics)?;
        let place = validate_members(&group.members)?;
        let members: Vec<&'g Member> = place.iter().map(|&i| &group.members[i as usize]).collect();
        let rank_of_meta = ranks(&metadata);
        // Names the metadata lacks have no rank.
        let mut rank_of_name = vec![None; group.names.len()];
        for (meta, &name) in group.topic_name.iter().enumerate() {
            rank_of_name[name as usize] = Some(rank_of_meta[meta]);
        }
        let mut rows = RowBuilder::new(members.len(), metadata.len());
        let mut by_content = SeenLists::new();
        let list = |m: usize| group.subscribed(place[m] as usize);
        let range = |m: usize| group.subscribed_range(place[m] as usize);
        for m in 0..members.len() {
            let topics = list(m);
            // One range is one list (the decoder found them equal); other
            // ranges are compared by content.
            let same = |seen: usize| range(seen) == range(m) || list(seen) == topics;
            let seen = if m > 0 && same(m - 1) {
                Some(m - 1)
            } else {
                let mut hasher = FxHasher::default();
                topics.hash(&mut hasher);
                by_content.find(m, hasher.finish(), same)
            };
            match seen {
                Some(seen) => rows.same_as(seen),
                None => rows.push(
                    topics
                        .iter()
                        .filter_map(|&name| rank_of_name[name as usize]),
                ),
            }
        }
        let (mut index, topic_of_rank) =
            GroupIndex::finish(&group.topics, &metadata, &members, rows, racks)?;
        let topic_of_name = rank_of_name
            .iter()
            .map(|&rank| rank.map_or(TopicIdx::NONE, |rank| topic_of_rank[rank as usize]))
            .collect();
        index.spare = group.spare.take_all();
        let owned = OwnedLists::Decoded {
            claims: place.iter().map(|&i| group.claims(i as usize)).collect(),
            topic_of_name,
        };
        Ok(Interned { index, owned })
    }

    /// How many entries member `m`'s owned list has, valid or not.
    #[inline]
    pub(crate) fn owned_len(&self, m: usize) -> usize {
        match &self.owned {
            OwnedLists::Members(lists) => lists[m].len(),
            OwnedLists::Decoded { claims, .. } => claims[m].len(),
        }
    }

    /// Whether any member's owned list has an entry, valid or not.
    pub(crate) fn anything_owned(&self) -> bool {
        match &self.owned {
            OwnedLists::Members(lists) => lists.iter().any(|list| !list.is_empty()),
            OwnedLists::Decoded { claims, .. } => claims.iter().any(|list| !list.is_empty()),
        }
    }

    /// Per member, its valid claims as global indices (topic subscribed by
    /// the member and present, partition in range), sorted, without
    /// repeats: the owned history as rows, for the paths that need it whole.
    // Kept out of `build` so that its loop gets registers of its own.
    #[inline(never)]
    pub(crate) fn owned_rows(&self) -> Csr<PartitionIdx> {
        let members = self.members.len();
        let mut reader = OwnedReader::new(self);
        let mut starts = Vec::with_capacity(members + 1);
        starts.push(0u32);
        let mut items: Vec<PartitionIdx> =
            Vec::with_capacity((0..members).map(|m| self.owned_len(m)).sum());
        for m in 0..members {
            let row_start = items.len();
            reader.read(m, |p| items.push(p));
            sort_dedup_tail(&mut items, row_start);
            starts.push(items.len() as u32);
        }
        Csr::from_parts(starts, items)
    }
}

impl GroupIndex {
    /// The index once every member's row is in: topic ids for the
    /// subscribed topics, in name order, and the racks as `racks` asks;
    /// also, per rank, its topic id.
    fn finish(
        metadata_topics: &[Topic],
        metadata: &[u32],
        members: &[&Member],
        rows: RowBuilder,
        racks: RackUse,
    ) -> Result<(Self, Vec<TopicIdx>), AssignError> {
        let RowBuilder {
            rows,
            row_of_member,
            subscribed_rank,
            total: total_subscriptions,
            ..
        } = rows;
        let mut topic_of_rank = vec![TopicIdx::NONE; metadata.len()];
        let mut topics = Vec::new();
        // The subscribed topics' metadata, by topic id, for the racks.
        let mut subscribed: Vec<&Topic> = Vec::new();
        let mut total: u64 = 0;
        for (rank, &meta) in metadata.iter().enumerate() {
            if !subscribed_rank[rank] {
                continue;
            }
            let topic = &metadata_topics[meta as usize];
            let partitions = topic.partitions as u32;
            topic_of_rank[rank] = TopicIdx::new(topics.len());
            topics.push(TopicEntry {
                name: Arc::clone(&topic.name),
                partitions,
                start: PartitionIdx::new(total as usize),
            });
            subscribed.push(topic);
            total += u64::from(partitions);
            if total > MAX_PARTITIONS {
                return Err(too_many_partitions(
                    metadata_topics,
                    metadata,
                    &subscribed_rank,
                ));
            }
        }
        // Ranks to topic ids, in place: the map keeps order.
        let rows = rows.map(|rank| topic_of_rank[rank as usize]);
        let subscriptions = Subscriptions {
            row_of_member,
            rows,
            total: total_subscriptions,
        };

        let members_have_racks = members.iter().any(|m| m.rack().is_some());
        let topics_have_racks = subscribed.iter().any(|t| t.replica_racks.is_some());
        let rack_aware = racks == RackUse::Gated
            && members_have_racks
            && topics_have_racks
            && racks::gate(members, &subscribed);
        let interned = match racks {
            RackUse::Ignored => false,
            RackUse::Present => members_have_racks && topics_have_racks,
            RackUse::Gated => rack_aware,
        };
        let racks = interned.then(|| RackIndex::new(members, &subscribed, total as usize));

        let index = GroupIndex {
            topics,
            total_partitions: total as u32,
            members: members.iter().map(|m| MemberEntry::of(m)).collect(),
            subscriptions,
            members_have_racks,
            topics_have_racks,
            rack_aware,
            racks,
            spare: Spare::default(),
        };
        Ok((index, topic_of_rank))
    }

    /// What a previous answer left behind, if it was a `T`.
    pub(crate) fn take_spare<T: std::any::Any>(&self) -> Option<T> {
        self.spare.take()
    }

    /// The one subscription row every member that subscribes to anything
    /// shares, if there is one.
    pub(crate) fn common_subscription(&self) -> Option<&[TopicIdx]> {
        let mut rows = (0..self.members.len())
            .filter(|&m| !self.subscriptions.row(m).is_empty())
            .map(|m| self.subscriptions.row_id(m));
        let first = rows.next()?;
        rows.all(|row| row == first)
            .then(|| self.subscriptions.stored_row(first))
    }

    /// Per topic id, its subscribers as positions in `order` (a permutation
    /// of the member ids), ascending; with the identity order, member ids.
    pub(crate) fn subscribers_in(&self, order: &[MemberIdx]) -> Csr {
        let topics = self.topics.len();
        let mut counts = vec![0u32; topics + 1];
        for m in 0..self.members.len() {
            for &t in self.subscriptions.row(m) {
                counts[t.index() + 1] += 1;
            }
        }
        for t in 0..topics {
            counts[t + 1] += counts[t];
        }
        let mut items = vec![0u32; counts[topics] as usize];
        let mut cursor = counts.clone();
        for (position, &m) in order.iter().enumerate() {
            for &t in self.subscriptions.row(m.index()) {
                items[cursor[t.index()] as usize] = position as u32;
                cursor[t.index()] += 1;
            }
        }
        Csr::from_parts(counts, items)
    }

    /// Whether some member has a rack.
    pub(crate) fn members_have_racks(&self) -> bool {
        self.members_have_racks
    }

    /// Whether some subscribed topic carries replica racks.
    pub(crate) fn topics_have_racks(&self) -> bool {
        self.topics_have_racks
    }

    /// The racks as ids, when the strategy's [`RackUse`] made them matter:
    /// with [`RackUse::Present`], when a member and a subscribed topic have
    /// racks; with [`RackUse::Gated`], when the gate is open.
    pub(crate) fn racks(&self) -> Option<&RackIndex> {
        self.racks.as_ref()
    }

    /// The Java client's gate for rack-aware assignment (`racks::gate`),
    /// for an index built with [`RackUse::Gated`] (else `false`).
    pub(crate) fn rack_aware(&self) -> bool {
        self.rack_aware
    }

    /// The member's generation, with a missing one read as -1.
    pub(crate) fn generation(&self, member: MemberIdx) -> i32 {
        self.members[member.index()].generation.unwrap_or(-1)
    }
}

/// Metadata indices in name order, after checking names, counts and racks.
fn validate_topics(topics: &[Topic]) -> Result<Vec<u32>, AssignError> {
    let mut order: Vec<u32> = (0..topics.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| topics[a as usize].name.cmp(&topics[b as usize].name));
    for pair in order.windows(2) {
        let (a, b) = (&topics[pair[0] as usize], &topics[pair[1] as usize]);
        if a.name == b.name {
            return Err(AssignErrorKind::DuplicateTopic {
                topic: a.name.to_string(),
            }
            .into());
        }
    }
    for &i in &order {
        let topic = &topics[i as usize];
        if topic.partitions < 0 {
            return Err(AssignErrorKind::NegativePartitionCount {
                topic: topic.name.to_string(),
                partitions: topic.partitions,
            }
            .into());
        }
        if let Some(racks) = &topic.replica_racks
            && racks.len() != topic.partitions as usize
        {
            return Err(AssignErrorKind::RackListLength {
                topic: topic.name.to_string(),
                partitions: topic.partitions,
                rack_lists: racks.len(),
            }
            .into());
        }
    }
    Ok(order)
}

/// The places of `members` in id order, after checking ids and instance
/// ids are unique.
fn validate_members(members: &[Member]) -> Result<Vec<u32>, AssignError> {
    let mut sorted: Vec<u32> = (0..members.len() as u32).collect();
    sorted.sort_unstable_by(|&a, &b| members[a as usize].id.cmp(&members[b as usize].id));
    for pair in sorted.windows(2) {
        let (a, b) = (&members[pair[0] as usize], &members[pair[1] as usize]);
        if a.id == b.id {
            return Err(AssignErrorKind::DuplicateMember {
                member: a.id.clone(),
            }
            .into());
        }
    }
    let mut statics: Vec<(&str, &str)> = sorted
        .iter()
        .map(|&i| &members[i as usize])
        .filter_map(|m| m.instance_id.as_deref().map(|i| (i, m.id.as_str())))
        .collect();
    statics.sort_unstable();
    for pair in statics.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(AssignErrorKind::DuplicateInstanceId {
                instance_id: pair[0].0.to_string(),
                first: pair[0].1.to_string(),
                second: pair[1].1.to_string(),
            }
            .into());
        }
    }
    Ok(sorted)
}

/// Per metadata index, its rank: its place in name order, so rows of ranks
/// sort like rows of names, and stay sorted when ranks become topic ids.
fn ranks(metadata: &[u32]) -> Vec<u32> {
    let mut rank_of_meta = vec![0u32; metadata.len()];
    for (rank, &meta) in metadata.iter().enumerate() {
        rank_of_meta[meta as usize] = rank as u32;
    }
    rank_of_meta
}

/// The error for subscribed topics whose partitions add up past
/// [`MAX_PARTITIONS`]: the whole sum and the largest topic (the first by
/// name among equals), so the message does not depend on order.
#[cold]
fn too_many_partitions(
    topics: &[Topic],
    metadata: &[u32],
    subscribed_rank: &[bool],
) -> AssignError {
    let subscribed = || {
        metadata
            .iter()
            .enumerate()
            .filter(|&(rank, _)| subscribed_rank[rank])
            .map(|(_, &m)| &topics[m as usize])
    };
    let partitions = subscribed().map(|t| t.partitions.max(0) as u64).sum();
    let largest = subscribed()
        .reduce(|best, t| {
            if t.partitions > best.partitions {
                t
            } else {
                best
            }
        })
        .expect("a topic was subscribed");
    AssignErrorKind::TooManyPartitions {
        partitions,
        largest_topic: largest.name.to_string(),
        largest_partitions: largest.partitions,
        limit: MAX_PARTITIONS,
    }
    .into()
}
