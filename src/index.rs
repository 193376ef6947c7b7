//! The group interned to dense integer ids, once, at the boundary.
//!
//! Every strategy works on this form: topics and members are `u32` ids, every
//! partition of a subscribed topic has one global index (topics in name
//! order, partitions in number order), and per-member lists are flat arrays.
//! Validation happens here, so the algorithms see only well-formed input.

use std::sync::Arc;

use crate::error::{AssignError, AssignErrorKind};
use std::collections::hash_map::Entry;
use std::hash::{Hash, Hasher};

use crate::hash::{FxHashMap, FxHasher};
use crate::model::{Group, Member, Topic};
use crate::protocol::DecodedGroup;

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

    /// Rows `0..rows` from (row, item) pairs; each row keeps its items in
    /// the order the pairs come (a stable counting sort).
    pub(crate) fn from_pairs(rows: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> Self {
        let mut starts = vec![0u32; rows + 1];
        for (row, _) in pairs.clone() {
            starts[row as usize + 1] += 1;
        }
        for r in 0..rows {
            starts[r + 1] += starts[r];
        }
        let mut items = vec![0u32; starts[rows] as usize];
        let mut cursor = starts[..rows].to_vec();
        for (row, item) in pairs {
            items[cursor[row as usize] as usize] = item;
            cursor[row as usize] += 1;
        }
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

    /// Appends an item to the row being built.
    #[inline]
    pub(crate) fn push(&mut self, item: u32) {
        self.items.push(item);
    }

    /// Closes the row being built; `sort_dedup` sorts it and drops repeats.
    pub(crate) fn end_row(&mut self, sort_dedup: bool) {
        if sort_dedup {
            let start = *self.starts.last().unwrap_or(&0) as usize;
            sort_dedup_tail(&mut self.items, start);
        }
        self.starts.push(self.items.len() as u32);
    }

    /// Drops the last row.
    pub(crate) fn pop_row(&mut self) {
        self.starts.pop();
        self.items
            .truncate(*self.starts.last().unwrap_or(&0) as usize);
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
}

/// Per member, its subscribed topic ids, sorted, without repeats. Members
/// with equal rows share one stored row, so a large group whose members all
/// subscribe alike costs one row, and equal rows compare by their ids.
#[derive(Debug, Clone, Default)]
pub(crate) struct Subscriptions {
    /// Per member, which stored row is its.
    row_of_member: Vec<u32>,
    rows: Csr,
    /// All members' row lengths added up.
    total: usize,
}

impl Subscriptions {
    #[inline]
    pub(crate) fn row(&self, member: usize) -> &[u32] {
        self.rows.row(self.row_of_member[member] as usize)
    }

    /// Which stored row is the member's: equal rows have equal ids.
    #[inline]
    pub(crate) fn row_id(&self, member: usize) -> u32 {
        self.row_of_member[member]
    }

    /// Stored row `id`.
    pub(crate) fn stored_row(&self, id: u32) -> &[u32] {
        self.rows.row(id as usize)
    }

    /// How many (member, topic) subscriptions there are.
    pub(crate) fn total(&self) -> usize {
        self.total
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

/// Where the members' owned lists are read from.
#[derive(Debug)]
pub(crate) enum OwnedLists<'g> {
    /// Each member's [`Member::owned`].
    Members,
    /// A decoded group's (name id, partition) claims.
    Decoded {
        group: &'g DecodedGroup,
        /// Per member id, its place in the decoded group.
        place: Vec<u32>,
        /// Per name id, its topic id, or [`NONE`].
        topic_of_name: Vec<u32>,
    },
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
    pub(crate) subscriptions: Subscriptions,
    /// Per member: global indices of its validly owned partitions, sorted,
    /// without repeats (topic subscribed and present, partition in range).
    pub(crate) owned: Csr,
    /// Where `owned` and [`OwnedReader`] read the owned lists.
    owned_lists: OwnedLists<'g>,
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

impl<'g> GroupIndex<'g> {
    /// Validates and interns `group`, without the owned partitions: the
    /// strategies that ignore history skip that work, and the others
    /// read them as they need ([`GroupIndex::load_owned`], [`OwnedReader`]).
    pub(crate) fn new(group: &'g Group) -> Result<Self, AssignError> {
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
                None => rows.push(member.topics.iter().filter_map(|topic| {
                    let meta = resolver.resolve(topic);
                    (meta != NONE).then(|| rank_of_meta[meta as usize])
                })),
            }
        }
        Self::finish(&group.topics, &metadata, members, rows, OwnedLists::Members).map(|(i, _)| i)
    }

    /// [`GroupIndex::new`] for a group a leader decoded: the same index as
    /// for [`DecodedGroup::to_group`], read from name ids.
    pub(crate) fn from_decoded(group: &'g DecodedGroup) -> Result<Self, AssignError> {
        let metadata = validate_topics(&group.topics)?;
        let place = validate_members(&group.members)?;
        let members: Vec<&'g Member> = place.iter().map(|&i| &group.members[i as usize]).collect();
        let rank_of_meta = ranks(&metadata);
        // Names the metadata lacks have no rank.
        let mut rank_of_name = vec![NONE; group.names.len()];
        for (meta, &name) in group.topic_name.iter().enumerate() {
            rank_of_name[name as usize] = rank_of_meta[meta];
        }
        let mut rows = RowBuilder::new(members.len(), metadata.len());
        let mut by_content = SeenLists::new();
        let list = |m: usize| group.subscribed(place[m] as usize);
        for m in 0..members.len() {
            let topics = list(m);
            let same = |seen: usize| list(seen) == topics;
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
                        .map(|&name| rank_of_name[name as usize])
                        .filter(|&rank| rank != NONE),
                ),
            }
        }
        let (mut index, topic_of_rank) =
            Self::finish(&group.topics, &metadata, members, rows, OwnedLists::Members)?;
        let topic_of_name = rank_of_name
            .iter()
            .map(|&rank| {
                if rank == NONE {
                    NONE
                } else {
                    topic_of_rank[rank as usize]
                }
            })
            .collect();
        index.owned_lists = OwnedLists::Decoded {
            group,
            place,
            topic_of_name,
        };
        Ok(index)
    }

    /// The index once every member's row is in: topic ids for the
    /// subscribed topics, in name order; also, per rank, its topic id.
    fn finish(
        metadata_topics: &'g [Topic],
        metadata: &[u32],
        members: Vec<&'g Member>,
        rows: RowBuilder,
        owned_lists: OwnedLists<'g>,
    ) -> Result<(Self, Vec<u32>), AssignError> {
        let RowBuilder {
            mut rows,
            row_of_member,
            subscribed_rank,
            total: total_subscriptions,
            ..
        } = rows;
        let mut topic_of_rank = vec![NONE; metadata.len()];
        let mut topics = Vec::new();
        let mut total: u64 = 0;
        for (rank, &meta) in metadata.iter().enumerate() {
            if !subscribed_rank[rank] {
                continue;
            }
            let topic = &metadata_topics[meta as usize];
            let partitions = topic.partitions as u32;
            topic_of_rank[rank] = topics.len() as u32;
            topics.push(TopicEntry {
                name: &topic.name,
                partitions,
                start: total as u32,
                replica_racks: topic.replica_racks.as_deref(),
            });
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
        for item in &mut rows.items {
            *item = topic_of_rank[*item as usize];
        }
        let subscriptions = Subscriptions {
            row_of_member,
            rows,
            total: total_subscriptions,
        };

        let owned = Csr::from_parts(vec![0; members.len() + 1], Vec::new());
        let index = GroupIndex {
            topics,
            total_partitions: total as u32,
            members,
            subscriptions,
            owned,
            owned_lists,
        };
        Ok((index, topic_of_rank))
    }

    /// How many entries member `m`'s owned list has, valid or not.
    #[inline]
    pub(crate) fn owned_len(&self, m: usize) -> usize {
        match &self.owned_lists {
            OwnedLists::Members => self.members[m].owned.len(),
            OwnedLists::Decoded { group, place, .. } => group.claims(place[m] as usize).len(),
        }
    }

    /// Whether any member's owned list has an entry, valid or not.
    pub(crate) fn anything_owned(&self) -> bool {
        match &self.owned_lists {
            OwnedLists::Members => self.members.iter().any(|m| !m.owned.is_empty()),
            OwnedLists::Decoded { group, .. } => !group.claims.is_empty(),
        }
    }

    /// Fills `owned`, for an index built without it.
    pub(crate) fn load_owned(&mut self) {
        self.owned = self.owned_rows();
    }

    /// Per member, its valid claims as global indices, sorted, without
    /// repeats: what `owned` holds once loaded.
    // Kept out of `build` so that its loop gets registers of its own.
    #[inline(never)]
    pub(crate) fn owned_rows(&self) -> Csr {
        let members = self.members.len();
        let mut reader = OwnedReader::new(self);
        let mut starts = Vec::with_capacity(members + 1);
        starts.push(0u32);
        let mut items: Vec<u32> = Vec::with_capacity((0..members).map(|m| self.owned_len(m)).sum());
        for m in 0..members {
            let row_start = items.len();
            reader.read(m, |p| items.push(p));
            sort_dedup_tail(&mut items, row_start);
            starts.push(items.len() as u32);
        }
        Csr::from_parts(starts, items)
    }

    /// The one subscription row every member that subscribes to anything
    /// shares, if there is one.
    pub(crate) fn common_subscription(&self) -> Option<&[u32]> {
        let mut rows = (0..self.members.len())
            .filter(|&m| !self.subscriptions.row(m).is_empty())
            .map(|m| self.subscriptions.row_id(m));
        let first = rows.next()?;
        rows.all(|row| row == first)
            .then(|| self.subscriptions.stored_row(first))
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

/// A topic as the owned-list loop sees it: the address of its name, its
/// first global index, its partition count, and the last stored
/// subscription row stamped as subscribing to it.
#[derive(Clone, Copy)]
struct Slot {
    address: usize,
    start: u32,
    partitions: u32,
    stamp: u32,
}

/// Reads members' owned lists as global partition indices, in list order,
/// keeping only valid claims: topic subscribed by the member and present,
/// partition in range.
pub(crate) struct OwnedReader<'i, 'g> {
    index: &'i GroupIndex<'g>,
    /// Per topic, then two slots whose address no `Arc` has, so that
    /// `last + 1` never needs a bounds branch.
    slots: Vec<Slot>,
    /// Topic ids by the address of the metadata's name, open addressing
    /// with linear probes; `(0, NONE)` is an empty place.
    by_address: Vec<(usize, u32)>,
    /// The stored subscription row last stamped into `slots`.
    stamped: u32,
    /// For names the address guesses miss; built at the first miss.
    resolver: Option<TopicResolver<'g>>,
    /// Per topic, scratch for [`Self::read_sorted`]; zeros between calls.
    counts: Vec<u32>,
}

impl<'i, 'g> OwnedReader<'i, 'g> {
    pub(crate) fn new(index: &'i GroupIndex<'g>) -> Self {
        let empty = Slot {
            address: 0,
            start: 0,
            partitions: 0,
            stamp: NONE,
        };
        let slots = index
            .topics
            .iter()
            .map(|t| Slot {
                address: t.name.as_ptr() as usize,
                start: t.start,
                partitions: t.partitions,
                stamp: NONE,
            })
            .chain([empty; 2])
            .collect();
        // At most half full, so probes stay short.
        let places = (index.topics.len() * 2).next_power_of_two().max(16);
        let mut by_address = vec![(0usize, NONE); places];
        for (t, topic) in index.topics.iter().enumerate() {
            let mut place = address_place(topic.name.as_ptr() as usize, places);
            while by_address[place].1 != NONE {
                place = (place + 1) & (places - 1);
            }
            by_address[place] = (topic.name.as_ptr() as usize, t as u32);
        }
        OwnedReader {
            index,
            slots,
            by_address,
            stamped: NONE,
            resolver: None,
            counts: Vec::new(),
        }
    }

    /// Calls `claim` with each valid claim of member `m`, in list order.
    #[inline(always)]
    pub(crate) fn read(&mut self, m: usize, mut claim: impl FnMut(u32)) {
        self.read_topics(m, |_, p| claim(p));
    }

    /// Member `m`'s valid claims (as [`Self::read`] gives them, no repeats
    /// among them), ascending, into `out`.
    pub(crate) fn read_sorted(&mut self, m: usize, out: &mut Vec<u32>) {
        out.clear();
        if !matches!(self.index.owned_lists, OwnedLists::Decoded { .. }) {
            self.read(m, |p| out.push(p));
            out.sort_unstable();
            return;
        }
        // Decoded lists out of order are mostly the sticky user data's,
        // grouped by topic in the Java `HashMap`'s order: placed by topic
        // along the member's sorted subscription row (a counting sort),
        // then each topic's partitions sorted where they are not already.
        let mut counts = std::mem::take(&mut self.counts);
        counts.resize(self.index.topics.len(), 0);
        let mut total = 0usize;
        self.read_topics(m, |t, _| {
            counts[t as usize] += 1;
            total += 1;
        });
        let row = self.index.subscriptions.row(m);
        let mut next = 0u32;
        for &t in row {
            let c = counts[t as usize];
            counts[t as usize] = next;
            next += c;
        }
        out.resize(total, 0);
        self.read_topics(m, |t, p| {
            out[counts[t as usize] as usize] = p;
            counts[t as usize] += 1;
        });
        let mut start = 0usize;
        for &t in row {
            let end = counts[t as usize] as usize;
            counts[t as usize] = 0;
            let topic = &mut out[start..end];
            if !topic.is_sorted() {
                topic.sort_unstable();
            }
            start = end;
        }
        self.counts = counts;
    }

    /// Calls `claim` with the topic id and global index of each valid claim
    /// of member `m`, in list order.
    #[inline(always)]
    pub(crate) fn read_topics(&mut self, m: usize, claim: impl FnMut(u32, u32)) {
        self.read_claims(m, claim, |_| {});
    }

    /// Calls `claim` with the global index of each claim of member `m` on
    /// a topic the member does not subscribe to (a topic somebody else
    /// subscribes to, partition in range), in list order.
    pub(crate) fn read_foreign(&mut self, m: usize, claim: impl FnMut(u32)) {
        // A member subscribing to every topic of the index has none.
        if self.index.subscriptions.row(m).len() == self.index.topics.len() {
            return;
        }
        self.read_claims(m, |_, _| {}, claim);
    }

    /// Reads member `m`'s claims in list order: `subscribed` gets the topic
    /// id and global index of each valid claim, `foreign` the global index
    /// of each claim in range on a topic of the index that `m` does not
    /// subscribe to. Claims on other topics, or out of range, are skipped.
    #[inline(always)]
    fn read_claims(
        &mut self,
        m: usize,
        mut subscribed: impl FnMut(u32, u32),
        mut foreign: impl FnMut(u32),
    ) {
        let index = self.index;
        if index.owned_len(m) == 0 {
            return;
        }
        let row = self.stamp(m);
        if let OwnedLists::Decoded {
            group,
            place,
            topic_of_name,
        } = &index.owned_lists
        {
            // Decoded claims name topics by id: no guess, no lookup.
            for &(name, partition) in group.claims(place[m] as usize) {
                let t = topic_of_name[name as usize];
                if t == NONE {
                    continue;
                }
                let slot = self.slots[t as usize];
                // A negative partition reads as a huge `u32`: out of range.
                if (partition as u32) < slot.partitions {
                    if slot.stamp == row {
                        subscribed(t, slot.start + partition as u32);
                    } else {
                        foreign(slot.start + partition as u32);
                    }
                }
            }
            return;
        }
        // Owned lists usually come grouped and in name order: guess this
        // topic or the next one, by the address of the metadata's own name,
        // then by content, before asking the resolver. A decoded list names
        // each group's topic with one `Arc` of its own: the same address as
        // the claim before is the same topic.
        let mut last = 0usize;
        let mut last_address = 0usize;
        for tp in &index.members[m].owned {
            let address = tp.topic.as_ptr() as usize;
            let mut t = last;
            if self.slots[t].address != address && address != last_address {
                t = last + 1;
                if self.slots[t].address != address {
                    // A name of the member's own: the next topic or this
                    // one by content, before a lookup (a repeat of this one
                    // mostly shares the claim before's address).
                    let topics = &index.topics;
                    let id = if topics
                        .get(last + 1)
                        .is_some_and(|x| same_name(x.name.as_bytes(), tp.topic.as_bytes()))
                    {
                        last as u32 + 1
                    } else if topics
                        .get(last)
                        .is_some_and(|x| same_name(x.name.as_bytes(), tp.topic.as_bytes()))
                    {
                        last as u32
                    } else {
                        self.find(&tp.topic)
                    };
                    if id == NONE {
                        continue;
                    }
                    t = id as usize;
                }
            }
            last = t;
            last_address = address;
            let slot = self.slots[t];
            // A negative partition reads as a huge `u32`: out of range.
            if (tp.partition as u32) < slot.partitions {
                if slot.stamp == row {
                    subscribed(t as u32, slot.start + tp.partition as u32);
                } else {
                    foreign(slot.start + tp.partition as u32);
                }
            }
        }
    }

    /// Stamps member `m`'s subscription row into the slots, so that a
    /// slot whose stamp is the row is a topic `m` subscribes to; returns
    /// the row.
    #[inline(always)]
    fn stamp(&mut self, m: usize) -> u32 {
        let subscriptions = &self.index.subscriptions;
        let row = subscriptions.row_id(m);
        if row != self.stamped {
            // Members with one stored row share the stamps.
            for &t in subscriptions.stored_row(row) {
                self.slots[t as usize].stamp = row;
            }
            self.stamped = row;
        }
        row
    }

    /// The topic id of `name`: by the address of the metadata's own name,
    /// else by the name.
    #[inline]
    fn find(&mut self, name: &Arc<str>) -> u32 {
        let address = name.as_ptr() as usize;
        let mask = self.by_address.len() - 1;
        let mut place = address_place(address, self.by_address.len());
        loop {
            let (known, t) = self.by_address[place];
            if known == address {
                return t;
            }
            if t == NONE {
                return self.resolve(name);
            }
            place = (place + 1) & mask;
        }
    }

    #[cold]
    fn resolve(&mut self, name: &Arc<str>) -> u32 {
        let topics = &self.index.topics;
        self.resolver
            .get_or_insert_with(|| {
                TopicResolver::new(
                    topics
                        .iter()
                        .enumerate()
                        .map(|(t, topic)| (&**topic.name, t as u32)),
                )
            })
            .resolve(name)
    }
}

/// Where an address starts probing in a table of `places` (a power of two):
/// Fibonacci hashing, because allocations sit a few words apart and the low
/// bits alone would collide.
#[inline]
fn address_place(address: usize, places: usize) -> usize {
    ((address as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - places.trailing_zeros()))
        as usize
}

/// Sorts `items[start..]` and drops repeats there.
fn sort_dedup_tail(items: &mut Vec<u32>, start: usize) {
    let row = &mut items[start..];
    // Callers mostly pass rows already in order: one read-only pass proves it
    // and skips the rewrite.
    if row.windows(2).all(|pair| pair[0] < pair[1]) {
        return;
    }
    row.sort_unstable();
    let mut kept = start;
    for i in start..items.len() {
        if kept == start || items[kept - 1] != items[i] {
            items[kept] = items[i];
            kept += 1;
        }
    }
    items.truncate(kept);
}

/// Whether two topic lists name the same topics in the same order; the same
/// allocation is the same name without reading it.
fn same_topics(a: &[Arc<str>], b: &[Arc<str>]) -> bool {
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
fn address_hash(topics: &[Arc<str>]) -> u64 {
    let mut hasher = FxHasher::default();
    for topic in topics {
        hasher.write_usize(topic.as_ptr() as usize);
    }
    hasher.finish()
}

/// A hash of a topic list's content, names length-prefixed.
fn list_hash(topics: &[Arc<str>]) -> u64 {
    let mut hasher = FxHasher::default();
    for topic in topics {
        hasher.write_usize(topic.len());
        hasher.write(topic.as_bytes());
    }
    hasher.finish()
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

/// Maps topic names to ids by content. A direct-mapped cache by address sits
/// in front: a group that shares one `Arc<str>` per name (as the scenario
/// parser makes) pays a pointer comparison per lookup; one whose members
/// hold their own names (a leader's decoded metadata) pays the string hash,
/// and the cache never grows.
struct TopicResolver<'g> {
    by_name: FxHashMap<&'g str, u32>,
    /// (address, length, id) of the last name resolved into each slot.
    recent: Vec<(usize, usize, u32)>,
}

const RECENT_SLOTS: usize = 4096;

impl<'g> TopicResolver<'g> {
    /// Resolves each name to its id; other names to [`NONE`].
    fn new(names: impl ExactSizeIterator<Item = (&'g str, u32)>) -> Self {
        let mut by_name = FxHashMap::default();
        by_name.reserve(names.len());
        by_name.extend(names);
        TopicResolver {
            by_name,
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
        let meta = self.by_name.get(&**name).copied().unwrap_or(NONE);
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
