//! The members' owned lists, read as global partition indices.

use std::sync::Arc;

use super::names::{NameKey, TopicResolver, address_place};
use super::{Interned, OwnedLists, PartitionIdx, TopicIdx};

/// A topic as the owned-list loop sees it: the address of its name, its
/// first global index, its partition count, and the last stored
/// subscription row stamped as subscribing to it.
#[derive(Clone, Copy)]
struct Slot {
    address: usize,
    start: PartitionIdx,
    partitions: u32,
    /// A stored subscription row, or `u32::MAX` before the first stamp.
    stamp: u32,
}

/// No stored subscription row has this id.
const UNSTAMPED: u32 = u32::MAX;

/// Reads members' owned lists as global partition indices, in list order,
/// keeping only valid claims: topic subscribed by the member and present,
/// partition in range.
pub(crate) struct OwnedReader<'i, 'g> {
    index: &'i Interned<'g>,
    /// Per topic, then two slots whose address no `Arc` has, so that
    /// `last + 1` never needs a bounds branch.
    slots: Vec<Slot>,
    /// Topic ids by the address of the metadata's name, open addressing
    /// with linear probes; `(0, TopicIdx::NONE)` is an empty place.
    by_address: Vec<(usize, TopicIdx)>,
    /// The stored subscription row last stamped into `slots`.
    stamped: u32,
    /// Per topic, then two that no name has: the key of its name, for the
    /// guesses by content.
    keys: Vec<NameKey>,
    /// For names the address guesses miss; built at the first miss.
    resolver: Option<TopicResolver<'i>>,
    /// Per topic, scratch for [`Self::read_sorted`]; zeros between calls.
    counts: Vec<u32>,
}

impl<'i, 'g> OwnedReader<'i, 'g> {
    pub(crate) fn new(index: &'i Interned<'g>) -> Self {
        let empty = Slot {
            address: 0,
            start: PartitionIdx::new(0),
            partitions: 0,
            stamp: UNSTAMPED,
        };
        let slots = index
            .topics
            .iter()
            .map(|t| Slot {
                address: t.name.as_ptr() as usize,
                start: t.start,
                partitions: t.partitions,
                stamp: UNSTAMPED,
            })
            .chain([empty; 2])
            .collect();
        // At most half full, so probes stay short.
        let places = (index.topics.len() * 2).next_power_of_two().max(16);
        let mut by_address = vec![(0usize, TopicIdx::NONE); places];
        for (t, topic) in index.topics.iter().enumerate() {
            let mut place = address_place(topic.name.as_ptr() as usize, places);
            while !by_address[place].1.is_none() {
                place = (place + 1) & (places - 1);
            }
            by_address[place] = (topic.name.as_ptr() as usize, TopicIdx::new(t));
        }
        let keys = index
            .topics
            .iter()
            .map(|t| NameKey::of(t.name.as_bytes()))
            .chain([NameKey::NONE; 2])
            .collect();
        OwnedReader {
            index,
            slots,
            by_address,
            keys,
            stamped: UNSTAMPED,
            resolver: None,
            counts: Vec::new(),
        }
    }

    /// Calls `claim` with each valid claim of member `m`, in list order.
    #[inline(always)]
    pub(crate) fn read(&mut self, m: usize, mut claim: impl FnMut(PartitionIdx)) {
        self.read_topics(m, |_, p| claim(p));
    }

    /// Member `m`'s valid claims (as [`Self::read`] gives them, no repeats
    /// among them), ascending, into `out`.
    pub(crate) fn read_sorted(&mut self, m: usize, out: &mut Vec<PartitionIdx>) {
        self.read_sorted_with(m, out, |_| {});
    }

    /// [`Self::read_sorted`], calling `each` with every valid claim as it
    /// reads them the first time, in list order: a caller checking the
    /// claims needs no pass of its own.
    #[inline(always)]
    pub(crate) fn read_sorted_with(
        &mut self,
        m: usize,
        out: &mut Vec<PartitionIdx>,
        mut each: impl FnMut(PartitionIdx),
    ) {
        out.clear();
        if !matches!(self.index.owned, OwnedLists::Decoded { .. }) {
            self.read(m, |p| {
                each(p);
                out.push(p);
            });
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
        self.read_topics(m, |t, p| {
            each(p);
            counts[t.index()] += 1;
            total += 1;
        });
        let row = self.index.subscriptions.row(m);
        let mut next = 0u32;
        for &t in row {
            let c = counts[t.index()];
            counts[t.index()] = next;
            next += c;
        }
        out.resize(total, PartitionIdx::NONE);
        self.read_topics(m, |t, p| {
            out[counts[t.index()] as usize] = p;
            counts[t.index()] += 1;
        });
        let mut start = 0usize;
        for &t in row {
            let end = counts[t.index()] as usize;
            counts[t.index()] = 0;
            let topic = &mut out[start..end];
            // Mostly one partition per topic: nothing to check.
            if topic.len() > 1 && !topic.is_sorted() {
                topic.sort_unstable();
            }
            start = end;
        }
        self.counts = counts;
    }

    /// Calls `claim` with the topic id and global index of each valid claim
    /// of member `m`, in list order.
    #[inline(always)]
    pub(crate) fn read_topics(&mut self, m: usize, claim: impl FnMut(TopicIdx, PartitionIdx)) {
        self.read_claims(m, claim, |_| {});
    }

    /// Calls `claim` with the global index of each claim of member `m` on
    /// a topic the member does not subscribe to (a topic somebody else
    /// subscribes to, partition in range), in list order.
    pub(crate) fn read_foreign(&mut self, m: usize, claim: impl FnMut(PartitionIdx)) {
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
        mut subscribed: impl FnMut(TopicIdx, PartitionIdx),
        mut foreign: impl FnMut(PartitionIdx),
    ) {
        let index = self.index;
        if index.owned_len(m) == 0 {
            return;
        }
        let row = self.stamp(m);
        let lists = match &index.owned {
            OwnedLists::Members(lists) => lists,
            OwnedLists::Decoded {
                claims,
                topic_of_name,
            } => {
                // Decoded claims name topics by id: no guess, no lookup.
                self.read_decoded(claims[m], topic_of_name, row, subscribed, foreign);
                return;
            }
        };
        // Owned lists usually come grouped and in name order: guess this
        // topic or the next one, by the address of the metadata's own name,
        // then by content, before asking the resolver. A decoded list names
        // each group's topic with one `Arc` of its own: the same address as
        // the claim before is the same topic.
        let mut last = 0usize;
        let mut last_address = 0usize;
        let row_topics = index.subscriptions.row(m);
        // Where in the row `next_in_row` found the last topic, plus one.
        let mut row_at = 0usize;
        for tp in lists[m] {
            let address = tp.topic.as_ptr() as usize;
            let mut t = last;
            if self.slots[t].address != address && address != last_address {
                t = last + 1;
                if self.slots[t].address != address {
                    // A name of the member's own: the next topic or this
                    // one by content, before a lookup (a repeat of this one
                    // mostly shares the claim before's address).
                    let topics = &index.topics;
                    let name = tp.topic.as_bytes();
                    let key = NameKey::of(name);
                    let keys = &self.keys;
                    let is =
                        |t: usize| keys[t].names_same(&key, || topics[t].name.as_bytes(), name);
                    let id = if is(last + 1) {
                        TopicIdx::new(last + 1)
                    } else if is(last) {
                        TopicIdx::new(last)
                    } else if let Some(t) = next_in_row(row_topics, &mut row_at, last, is) {
                        t
                    } else {
                        self.find(&tp.topic)
                    };
                    if id.is_none() {
                        continue;
                    }
                    t = id.index();
                }
            }
            last = t;
            last_address = address;
            let slot = self.slots[t];
            // A negative partition reads as a huge `u32`: out of range.
            if (tp.partition as u32) < slot.partitions {
                if slot.stamp == row {
                    subscribed(TopicIdx::new(t), slot.start.plus(tp.partition as u32));
                } else {
                    foreign(slot.start.plus(tp.partition as u32));
                }
            }
        }
    }

    /// [`Self::read_claims`] for a decoded member's claims.
    #[inline(always)]
    fn read_decoded(
        &self,
        claims: &[(u32, i32)],
        topic_of_name: &[TopicIdx],
        row: u32,
        mut subscribed: impl FnMut(TopicIdx, PartitionIdx),
        mut foreign: impl FnMut(PartitionIdx),
    ) {
        for &(name, partition) in claims {
            let t = topic_of_name[name as usize];
            if t.is_none() {
                continue;
            }
            let slot = self.slots[t.index()];
            // A negative partition reads as a huge `u32`: out of range.
            if (partition as u32) < slot.partitions {
                if slot.stamp == row {
                    subscribed(t, slot.start.plus(partition as u32));
                } else {
                    foreign(slot.start.plus(partition as u32));
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
                self.slots[t.index()].stamp = row;
            }
            self.stamped = row;
        }
        row
    }

    /// The topic id of `name`: by the address of the metadata's own name,
    /// else by the name.
    #[inline]
    fn find(&mut self, name: &Arc<str>) -> TopicIdx {
        let address = name.as_ptr() as usize;
        let mask = self.by_address.len() - 1;
        let mut place = address_place(address, self.by_address.len());
        loop {
            let (known, t) = self.by_address[place];
            if known == address {
                return t;
            }
            if t.is_none() {
                return self.resolve(name);
            }
            place = (place + 1) & mask;
        }
    }

    #[cold]
    fn resolve(&mut self, name: &Arc<str>) -> TopicIdx {
        let topics = &self.index.topics;
        self.resolver
            .get_or_insert_with(|| {
                TopicResolver::new(
                    topics
                        .iter()
                        .enumerate()
                        .map(|(t, topic)| (&*topic.name, t as u32)),
                )
            })
            .resolve(name)
            .map_or(TopicIdx::NONE, |t| TopicIdx::new(t as usize))
    }
}

/// How many of a member's subscribed topics after the last one read
/// [`next_in_row`] compares by content before a lookup.
const ROW_LOOKAHEAD: usize = 8;

/// The topic of `name` among the few the member subscribes to right after
/// topic `last`, compared by content. A member owning some of its topics
/// lists them in name order, skipping the ones it does not own; the next
/// one is mostly a few places on along its own (sorted) row, and comparing
/// there reads names already in cache, where a lookup hashes the name and
/// probes a table. `at` is the place after the last topic this found: the
/// search starts there when `last` is still that topic, and is found by
/// bisection otherwise.
#[inline]
fn next_in_row(
    row: &[TopicIdx],
    at: &mut usize,
    last: usize,
    is: impl Fn(usize) -> bool,
) -> Option<TopicIdx> {
    let from = match at.checked_sub(1).and_then(|i| row.get(i)) {
        Some(t) if t.index() == last => *at,
        _ => row.partition_point(|t| t.index() <= last),
    };
    let found = row[from..]
        .iter()
        .take(ROW_LOOKAHEAD)
        .position(|t| is(t.index()))?;
    *at = from + found + 1;
    Some(row[from + found])
}
