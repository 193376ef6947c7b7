//! The group interned to dense integer ids, once, at the boundary.
//!
//! Every strategy works on this form: topics and members are `u32` ids, every
//! partition of a subscribed topic has one global index (topics in name
//! order, partitions in number order), and per-member lists are flat arrays.
//! Validation happens here, so the algorithms see only well-formed input.

use std::sync::Arc;

use crate::error::{AssignError, AssignErrorKind};
use crate::hash::FxHashMap;
use crate::model::{Group, Member, Topic};

/// Marks "no member" or "no topic" in the flat arrays.
pub(crate) const NONE: u32 = u32::MAX;

/// The most partitions one assignment may cover, over all subscribed topics.
///
/// Far above any real cluster; it exists so that a hostile partition count
/// gets an error instead of an allocation of gigabytes.
pub const MAX_PARTITIONS: u64 = 1 << 26;

/// Rows of `u32`, stored flat: row `i` is `items[starts[i]..starts[i + 1]]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Csr {
    starts: Vec<u32>,
    items: Vec<u32>,
}

impl Csr {
    /// Rows from their start offsets (one more than rows) and items.
    pub(crate) fn from_parts(starts: Vec<u32>, items: Vec<u32>) -> Self {
        debug_assert_eq!(*starts.last().unwrap_or(&0) as usize, items.len());
        Csr { starts, items }
    }

    pub(crate) fn with_capacity(rows: usize, items: usize) -> Self {
        let mut starts = Vec::with_capacity(rows + 1);
        starts.push(0);
        Csr {
            starts,
            items: Vec::with_capacity(items),
        }
    }

    /// Makes room for `additional` more items.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.items.reserve(additional);
    }

    /// Appends an item to the row being built.
    #[inline]
    pub(crate) fn push(&mut self, item: u32) {
        self.items.push(item);
    }

    /// Closes the row being built; `sort_dedup` sorts it and drops repeats.
    pub(crate) fn end_row(&mut self, sort_dedup: bool) {
        let start = *self.starts.last().unwrap_or(&0) as usize;
        if sort_dedup {
            let row = &mut self.items[start..];
            // Callers mostly pass rows already in order: one read-only pass
            // proves it and skips the rewrite.
            if row.windows(2).all(|pair| pair[0] < pair[1]) {
                self.starts.push(self.items.len() as u32);
                return;
            }
            if !row.is_sorted() {
                row.sort_unstable();
            }
            let mut kept = start;
            for i in start..self.items.len() {
                if kept == start || self.items[kept - 1] != self.items[i] {
                    self.items[kept] = self.items[i];
                    kept += 1;
                }
            }
            self.items.truncate(kept);
        }
        self.starts.push(self.items.len() as u32);
    }

    /// Appends a copy of the last row as a new row.
    pub(crate) fn repeat_last_row(&mut self) {
        let rows = self.rows();
        let start = self.starts[rows - 1] as usize;
        self.items.extend_from_within(start..);
        self.starts.push(self.items.len() as u32);
    }

    /// Where row `i` starts among all items.
    #[inline]
    pub(crate) fn row_offset(&self, i: usize) -> usize {
        self.starts[i] as usize
    }

    #[inline]
    pub(crate) fn row(&self, i: usize) -> &[u32] {
        &self.items[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    pub(crate) fn rows(&self) -> usize {
        self.starts.len() - 1
    }

    pub(crate) fn total(&self) -> usize {
        self.items.len()
    }

    /// Every row's items, one after another.
    pub(crate) fn items(&self) -> &[u32] {
        &self.items
    }
}

/// One subscribed topic that exists in the metadata.
#[derive(Debug, Clone)]
pub(crate) struct TopicEntry<'g> {
    pub(crate) name: &'g Arc<str>,
    pub(crate) partitions: u32,
    /// Global index of partition 0.
    pub(crate) start: u32,
    pub(crate) replica_racks: Option<&'g [Vec<Arc<str>>]>,
}

/// The group, interned and validated.
#[derive(Debug)]
pub(crate) struct GroupIndex<'g> {
    /// Subscribed topics present in the metadata, in name order; id = index.
    pub(crate) topics: Vec<TopicEntry<'g>>,
    /// Partitions of all subscribed topics.
    pub(crate) total_partitions: u32,
    /// Members in member-id order; id = index.
    pub(crate) members: Vec<&'g Member>,
    /// Per member: subscribed topic ids, sorted, without repeats.
    pub(crate) subscriptions: Csr,
    /// Per member: global indices of its validly owned partitions, sorted,
    /// without repeats (topic subscribed and present, partition in range).
    pub(crate) owned: Csr,
}

impl<'g> GroupIndex<'g> {
    /// Validates and interns `group`, without the owned partitions (the
    /// strategies that ignore history skip that work).
    pub(crate) fn new(group: &'g Group) -> Result<Self, AssignError> {
        Self::build(group, false)
    }

    /// Validates and interns `group`, owned partitions included.
    pub(crate) fn with_owned(group: &'g Group) -> Result<Self, AssignError> {
        Self::build(group, true)
    }

    fn build(group: &'g Group, with_owned: bool) -> Result<Self, AssignError> {
        let metadata = validate_topics(&group.topics)?;
        let members = validate_members(&group.members)?;

        let mut resolver = TopicResolver::new(&group.topics, &metadata);

        // Which metadata topics anyone subscribes to decides the topic ids.
        let mut subscribed_meta = vec![false; group.topics.len()];
        let mut member_meta = Csr::with_capacity(members.len(), 0);
        let mut repeats = vec![false; members.len()];
        for (m, member) in members.iter().enumerate() {
            // Large groups often pass the same topic list, as the same
            // `Arc`s, to every member: reuse the row instead of resolving.
            if m > 0 && same_topics(&members[m - 1].topics, &member.topics) {
                member_meta.repeat_last_row();
                repeats[m] = true;
                continue;
            }
            for topic in &member.topics {
                let meta = resolver.resolve(topic);
                if meta != NONE {
                    subscribed_meta[meta as usize] = true;
                    member_meta.push(meta);
                }
            }
            member_meta.end_row(false);
        }

        let mut topic_of_meta = vec![NONE; group.topics.len()];
        let mut topics = Vec::new();
        let mut total: u64 = 0;
        for &meta in &metadata {
            if !subscribed_meta[meta as usize] {
                continue;
            }
            let topic = &group.topics[meta as usize];
            let partitions = topic.partitions as u32;
            topic_of_meta[meta as usize] = topics.len() as u32;
            topics.push(TopicEntry {
                name: &topic.name,
                partitions,
                start: total as u32,
                replica_racks: topic.replica_racks.as_deref(),
            });
            total += u64::from(partitions);
            if total > MAX_PARTITIONS {
                // Report the whole sum, so the message does not depend on order.
                let partitions = metadata
                    .iter()
                    .filter(|&&m| subscribed_meta[m as usize])
                    .map(|&m| group.topics[m as usize].partitions.max(0) as u64)
                    .sum();
                return Err(AssignErrorKind::TooManyPartitions {
                    partitions,
                    limit: MAX_PARTITIONS,
                }
                .into());
            }
        }

        let mut subscriptions = Csr::with_capacity(members.len(), member_meta.total());
        for (m, &repeat) in repeats.iter().enumerate() {
            if repeat {
                subscriptions.repeat_last_row();
                continue;
            }
            for &meta in member_meta.row(m) {
                subscriptions.push(topic_of_meta[meta as usize]);
            }
            subscriptions.end_row(true);
        }

        // A stamp per topic says "member m subscribes", without a set per member.
        let mut stamp = vec![NONE; topics.len()];
        // Flat copies for the owned loop; the address list ends in a value no
        // `Arc` has, so `last + 1` never needs a bounds branch.
        let mut topic_address: Vec<usize> =
            topics.iter().map(|t| t.name.as_ptr() as usize).collect();
        topic_address.extend([0, 0]);
        let topic_span: Vec<(u32, u32)> = topics.iter().map(|t| (t.start, t.partitions)).collect();
        let mut owned = Csr::with_capacity(members.len(), 0);
        for (m, member) in members.iter().enumerate() {
            if !with_owned {
                owned.end_row(false);
                continue;
            }
            for &t in subscriptions.row(m) {
                stamp[t as usize] = m as u32;
            }
            // Owned lists usually come grouped and in name order, naming
            // topics with the metadata's own `Arc`s: guess this topic or the
            // next one, by address, before asking the resolver.
            owned.reserve(member.owned.len());
            let mut last = 0usize;
            for tp in &member.owned {
                let address = tp.topic.as_ptr() as usize;
                let t = if address == topic_address[last] {
                    last
                } else if address == topic_address[last + 1] {
                    last + 1
                } else {
                    let meta = resolver.resolve(&tp.topic);
                    if meta == NONE || topic_of_meta[meta as usize] == NONE {
                        continue;
                    }
                    topic_of_meta[meta as usize] as usize
                };
                last = t;
                let (start, partitions) = topic_span[t];
                if stamp[t] == m as u32 && tp.partition >= 0 && (tp.partition as u32) < partitions {
                    owned.push(start + tp.partition as u32);
                }
            }
            owned.end_row(true);
        }

        Ok(GroupIndex {
            topics,
            total_partitions: total as u32,
            members,
            subscriptions,
            owned,
        })
    }

    /// The one subscription row every member that subscribes to anything
    /// shares, if there is one.
    pub(crate) fn common_subscription(&self) -> Option<&[u32]> {
        let mut rows = (0..self.members.len())
            .map(|m| self.subscriptions.row(m))
            .filter(|row| !row.is_empty());
        let first = rows.next()?;
        rows.all(|row| row == first).then_some(first)
    }

    /// Per topic id, its subscribers as positions in `order` (a permutation
    /// of the member ids), ascending; with the identity order, member ids.
    pub(crate) fn subscribers_in(&self, order: &[u32]) -> Csr {
        let topics = self.topics.len();
        let mut counts = vec![0u32; topics + 1];
        for m in 0..self.members.len() {
            for &t in self.subscriptions.row(m) {
                counts[t as usize + 1] += 1;
            }
        }
        for t in 0..topics {
            counts[t + 1] += counts[t];
        }
        let mut items = vec![0u32; counts[topics] as usize];
        let mut cursor = counts.clone();
        for (position, &m) in order.iter().enumerate() {
            for &t in self.subscriptions.row(m as usize) {
                items[cursor[t as usize] as usize] = position as u32;
                cursor[t as usize] += 1;
            }
        }
        Csr::from_parts(counts, items)
    }

    /// The member's generation, with a missing one read as -1.
    pub(crate) fn generation(&self, member: u32) -> i32 {
        self.members[member as usize].generation.unwrap_or(-1)
    }
}

/// Whether two topic lists hold the same allocations in the same order.
fn same_topics(a: &[Arc<str>], b: &[Arc<str>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| Arc::ptr_eq(x, y))
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

/// Members in id order, after checking ids and instance ids are unique.
fn validate_members(members: &[Member]) -> Result<Vec<&Member>, AssignError> {
    let mut sorted: Vec<&Member> = members.iter().collect();
    sorted.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    for pair in sorted.windows(2) {
        if pair[0].id == pair[1].id {
            return Err(AssignErrorKind::DuplicateMember {
                member: pair[0].id.clone(),
            }
            .into());
        }
    }
    let mut statics: Vec<(&str, &str)> = sorted
        .iter()
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

/// Maps topic names to metadata indices. Callers that share one `Arc<str>`
/// per topic name (as the scenario parser does) pay one pointer hash per
/// lookup instead of a string hash.
struct TopicResolver<'g> {
    by_name: FxHashMap<&'g str, u32>,
    by_pointer: FxHashMap<(usize, usize), u32>,
    /// A direct-mapped cache in front of `by_pointer`: a group names its
    /// topics millions of times but holds only hundreds of names.
    recent: Vec<(usize, usize, u32)>,
}

const RECENT_SLOTS: usize = 4096;

impl<'g> TopicResolver<'g> {
    fn new(topics: &'g [Topic], order: &[u32]) -> Self {
        let mut by_name = FxHashMap::default();
        by_name.reserve(order.len());
        for &i in order {
            by_name.insert(&*topics[i as usize].name, i);
        }
        TopicResolver {
            by_name,
            by_pointer: FxHashMap::default(),
            recent: vec![(0, 0, NONE); RECENT_SLOTS],
        }
    }

    #[inline]
    fn resolve(&mut self, name: &Arc<str>) -> u32 {
        let key = (name.as_ptr() as usize, name.len());
        // Fibonacci hashing: allocations sit a few words apart, so the low
        // bits alone would collide.
        let slot = ((key.0 as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize;
        let (pointer, len, meta) = self.recent[slot];
        if pointer == key.0 && len == key.1 && pointer != 0 {
            return meta;
        }
        let meta = match self.by_pointer.get(&key) {
            Some(&meta) => meta,
            None => {
                let meta = self.by_name.get(&**name).copied().unwrap_or(NONE);
                // Bounded: one entry per distinct allocation the caller passed.
                self.by_pointer.insert(key, meta);
                meta
            }
        };
        self.recent[slot] = (key.0, key.1, meta);
        meta
    }
}

/// Racks interned to ids, built only by strategies that use racks.
#[derive(Debug)]
pub(crate) struct RackIndex {
    /// How many distinct racks there are; ids are `0..rack_count`.
    pub(crate) rack_count: usize,
    /// Per member: its rack id, or [`NONE`].
    pub(crate) member_rack: Vec<u32>,
    /// Per global partition: its replicas' rack ids, sorted, without repeats.
    pub(crate) replica_racks: Csr,
    /// Per global partition: the rack of its first replica (the leader), or
    /// [`NONE`].
    pub(crate) leader_rack: Vec<u32>,
}

impl RackIndex {
    /// Interns every rack name; ids follow name order, so they do not depend
    /// on the order of the input.
    pub(crate) fn new(index: &GroupIndex<'_>) -> Self {
        let mut seen: FxHashMap<&str, u32> = FxHashMap::default();
        let member_racks = index.members.iter().filter_map(|m| m.rack());
        let replica_racks = index
            .topics
            .iter()
            .flat_map(|t| t.replica_racks.unwrap_or(&[]))
            .flatten()
            .map(|r| &**r);
        for rack in member_racks.chain(replica_racks) {
            if !rack.is_empty() {
                seen.entry(rack).or_insert(0);
            }
        }
        let mut names: Vec<&str> = seen.keys().copied().collect();
        names.sort_unstable();
        for (id, name) in names.iter().enumerate() {
            seen.insert(name, id as u32);
        }
        let id = |rack: &str| seen.get(rack).copied().unwrap_or(NONE);
        let member_rack = index
            .members
            .iter()
            .map(|m| m.rack().map_or(NONE, id))
            .collect();
        let total = index.total_partitions as usize;
        let mut replica_racks = Csr::with_capacity(total, 0);
        let mut leader_rack = Vec::with_capacity(total);
        for topic in &index.topics {
            for p in 0..topic.partitions as usize {
                let replicas = topic.replica_racks.map_or(&[][..], |r| &r[p][..]);
                leader_rack.push(
                    replicas
                        .first()
                        .filter(|r| !r.is_empty())
                        .map_or(NONE, |r| id(r)),
                );
                for rack in replicas.iter().filter(|r| !r.is_empty()) {
                    replica_racks.push(id(rack));
                }
                replica_racks.end_row(true);
            }
        }
        RackIndex {
            rack_count: names.len(),
            member_rack,
            replica_racks,
            leader_rack,
        }
    }
}
