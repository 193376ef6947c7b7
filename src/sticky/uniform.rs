//! The closed form for groups whose members all subscribe to the same topics,
//! and for groups made of such parts: when any two members' subscriptions are
//! either equal or disjoint, the members with one subscription and their
//! topics form a component that shares nothing with the rest, and every goal
//! (balance, moves, topic spread) adds up over components, so each component
//! is solved on its own.
//!
//! Within a component of `c` members and `P` partitions every balanced
//! answer gives each member `q = P / c` or `q + 1` partitions, exactly
//! `r = P % c` of them the larger quota. A member with quota `Q` keeps at
//! most `min(owned, Q)`, and every member can take any partition, so the
//! fewest moves come from giving the `r` larger quotas to the members that
//! own the most: a larger quota saves a move exactly when its member owns
//! more than `q`.
//!
//! Which partitions move is free for balance and moves, so it serves the
//! third goal, an even share of each topic: a member over its quota releases
//! from the topic where it is furthest above its fair share (ties to the
//! topic released least so far in this rebalance), and the free partitions
//! are dealt in topic order to the members still below quota, in turn, as
//! RoundRobin deals.
//!
//! The answer is written member by member: a member keeps its own sorted
//! list of held partitions, less what it releases, merged with what it is
//! dealt, so nothing is kept per partition but a bit. Quotas need only each
//! member's count, and when every owned list is valid and no two claims
//! collide, a list's length is that count: then every list is read once, a
//! member at its quota written as it is read, one above it after releasing,
//! and one below it (the only kind that is dealt anything) after the deal.
//! Lists that break that assumption are found as they are read, and the
//! group is solved again from counts and owners resolved first.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::assignment::{Assignment, MemberMajor, strided_deal};
use crate::bitset::Bitset;
use crate::index::{Csr, GroupIndex, Interned, MemberIdx, OwnedReader, PartitionIdx, TopicIdx};
use crate::sticky::ownership::Holdings;

/// Members grouped by subscription, when any two members' subscriptions
/// are equal or disjoint.
struct Components {
    /// Per component, its members, ascending.
    members: Csr<MemberIdx>,
    /// Per component, a member whose subscription row lists its topics.
    representative: Vec<MemberIdx>,
}

impl Components {
    fn of(index: &GroupIndex) -> Option<Self> {
        let member_count = index.members.len();
        let mut topic_component: Vec<Option<u32>> = vec![None; index.topics.len()];
        let mut representative: Vec<MemberIdx> = Vec::new();
        let mut member_component: Vec<Option<u32>> = vec![None; member_count];
        for (m, component) in member_component.iter_mut().enumerate() {
            let row = index.subscriptions.row(m);
            let Some(&first) = row.first() else {
                continue;
            };
            let c = match topic_component[first.index()] {
                Some(c) => {
                    let same = representative[c as usize].index();
                    let equal = index.subscriptions.row_id(m) == index.subscriptions.row_id(same)
                        || row == index.subscriptions.row(same);
                    if !equal {
                        return None;
                    }
                    c
                }
                None => {
                    let c = representative.len() as u32;
                    for &t in row {
                        if topic_component[t.index()].is_some() {
                            return None;
                        }
                        topic_component[t.index()] = Some(c);
                    }
                    representative.push(MemberIdx::new(m));
                    c
                }
            };
            *component = Some(c);
        }
        let by_component = member_component
            .iter()
            .enumerate()
            .filter_map(|(m, &c)| Some((c? as usize, MemberIdx::new(m))));
        Some(Components {
            members: Csr::from_pairs(representative.len(), by_component),
            representative,
        })
    }
}

/// The answer for a group with equal subscriptions where nobody owns
/// anything: what [`assign`] deals, quotas and all, written directly as
/// strided runs. `None` when the group is not such a group. Racks must not
/// matter.
pub(crate) fn fresh(index: &Interned<'_>) -> Option<Assignment> {
    if index.anything_owned() {
        return None;
    }
    let row = index.common_subscription()?;
    let takers: Vec<MemberIdx> = MemberIdx::all(index.members.len())
        .filter(|&m| !index.subscriptions.row(m.index()).is_empty())
        .collect();
    // Topic ids are name order, the order `assign` deals in.
    Some(strided_deal(index, row, &takers, row))
}

/// The optimum when any two subscriptions are equal or disjoint; `None`
/// otherwise. Racks must not matter. With `cooperative`, every partition
/// dealt that somebody claims is withheld: it changes owner, or its claim
/// was contested.
pub(crate) fn assign(index: &Interned<'_>, cooperative: bool) -> Option<Assignment> {
    let components = Components::of(index)?;
    let mut reader = OwnedReader::new(index);
    // Owned lists are mostly valid and never collide: then each list's
    // length is its member's count, and one reading of every list is enough.
    let trusted = Trusted {
        index,
        claimed: Bitset::new(index.total_partitions as usize),
        unsorted: false,
    };
    if let Some(answer) = settle(index, &components, cooperative, trusted, &mut reader) {
        return Some(answer);
    }
    let exact = Holdings::read(index);
    settle(index, &components, cooperative, exact, &mut reader)
}

/// Where [`settle`] reads what each member holds.
trait Claims {
    /// How many partitions member `m` holds.
    fn count(&self, m: usize) -> u32;
    /// Writes member `m`'s partitions into `out`, where `m` is open; false
    /// when they turn out not to be what `count` said.
    fn write(
        &mut self,
        m: usize,
        reader: &mut OwnedReader<'_, '_>,
        out: &mut MemberMajor<'_>,
        scratch: &mut Vec<PartitionIdx>,
    ) -> bool;
    /// Member `m`'s partitions, ascending, into `row`; false likewise.
    fn collect(
        &mut self,
        m: usize,
        reader: &mut OwnedReader<'_, '_>,
        row: &mut Vec<PartitionIdx>,
    ) -> bool;
    /// Once every member was read: the partitions somebody claims, and those
    /// somebody owns.
    fn bits(self) -> (Bitset, Bitset);
}

/// Claims taken at their word: every entry of an owned list valid, no
/// partition claimed twice. Each read checks that, and fails otherwise.
struct Trusted<'i, 'g> {
    index: &'i Interned<'g>,
    claimed: Bitset,
    /// Whether the last list read was out of order. Members' lists mostly
    /// come alike: the sticky user data's in the Java `HashMap`'s topic
    /// order, every one of them out of order, or sorted ones. After the first
    /// list out of order, each list is sorted as it is checked, not checked
    /// first (a sorted one then costs a second pass, not a third).
    unsorted: bool,
}

impl Trusted<'_, '_> {
    /// Reads member `m`'s list, claiming each entry; false when an entry is
    /// invalid or claimed before. `in_order` tells whether it came ascending.
    #[inline(always)]
    fn read(
        &mut self,
        m: usize,
        reader: &mut OwnedReader<'_, '_>,
        in_order: &mut bool,
        mut take: impl FnMut(TopicIdx, PartitionIdx),
    ) -> bool {
        let claimed = &mut self.claimed;
        let mut repeated = false;
        let mut read = 0usize;
        let mut next = PartitionIdx::new(0);
        reader.read_topics(m, |t, p| {
            *in_order &= p >= next;
            next = p.plus(1);
            repeated |= claimed.replace(p);
            read += 1;
            take(t, p);
        });
        !repeated && read == self.index.owned_len(m)
    }

    /// Member `m`'s list, ascending, into `row`, claiming each entry as it
    /// is read; false as for [`Self::read`].
    #[inline(always)]
    fn read_sorted(
        &mut self,
        m: usize,
        reader: &mut OwnedReader<'_, '_>,
        row: &mut Vec<PartitionIdx>,
    ) -> bool {
        let claimed = &mut self.claimed;
        let mut repeated = false;
        let mut read = 0usize;
        reader.read_sorted_with(m, row, |p| {
            repeated |= claimed.replace(p);
            read += 1;
        });
        !repeated && read == self.index.owned_len(m)
    }
}

impl Claims for Trusted<'_, '_> {
    fn count(&self, m: usize) -> u32 {
        self.index.owned_len(m) as u32
    }

    fn write(
        &mut self,
        m: usize,
        reader: &mut OwnedReader<'_, '_>,
        out: &mut MemberMajor<'_>,
        scratch: &mut Vec<PartitionIdx>,
    ) -> bool {
        if self.unsorted {
            if !self.read_sorted(m, reader, scratch) {
                return false;
            }
            for &p in scratch.iter() {
                out.push(p);
            }
            return true;
        }
        let mut in_order = true;
        if !self.read(m, reader, &mut in_order, |t, p| out.push_in(t, p)) {
            return false;
        }
        if !in_order {
            self.unsorted = true;
            out.restart();
            reader.read_sorted(m, scratch);
            for &p in scratch.iter() {
                out.push(p);
            }
        }
        true
    }

    fn collect(
        &mut self,
        m: usize,
        reader: &mut OwnedReader<'_, '_>,
        row: &mut Vec<PartitionIdx>,
    ) -> bool {
        if self.unsorted {
            return self.read_sorted(m, reader, row);
        }
        row.clear();
        let mut in_order = true;
        if !self.read(m, reader, &mut in_order, |_, p| row.push(p)) {
            return false;
        }
        if !in_order {
            self.unsorted = true;
            reader.read_sorted(m, row);
        }
        true
    }

    fn bits(self) -> (Bitset, Bitset) {
        (self.claimed.clone(), self.claimed)
    }
}

impl Claims for Holdings {
    fn count(&self, m: usize) -> u32 {
        self.counts[m]
    }

    fn write(
        &mut self,
        m: usize,
        reader: &mut OwnedReader<'_, '_>,
        out: &mut MemberMajor<'_>,
        _: &mut Vec<PartitionIdx>,
    ) -> bool {
        self.for_each(m, reader, |p| out.push(p));
        true
    }

    fn collect(
        &mut self,
        m: usize,
        reader: &mut OwnedReader<'_, '_>,
        row: &mut Vec<PartitionIdx>,
    ) -> bool {
        row.clear();
        self.for_each(m, reader, |p| row.push(p));
        true
    }

    fn bits(self) -> (Bitset, Bitset) {
        (self.claimed, self.holding)
    }
}

/// The closed form over every component, reading each member's holdings
/// once, in member order: a member at its quota is written as it is read,
/// one above releases first, and one below is written last, after the
/// deal. `None` when `claims` fails.
fn settle(
    index: &GroupIndex,
    components: &Components,
    cooperative: bool,
    mut claims: impl Claims,
    reader: &mut OwnedReader<'_, '_>,
) -> Option<Assignment> {
    let member_count = index.members.len();
    let mut component_of: Vec<Option<u32>> = vec![None; member_count];
    // Per member: its quota, and how many partitions it keeps.
    let mut quota = vec![0u32; member_count];
    let mut keeps = vec![0u32; member_count];
    let mut by_owned: Vec<MemberIdx> = Vec::new();
    for (c, &representative) in components.representative.iter().enumerate() {
        let members = components.members.row(c);
        let total: u64 = index
            .subscriptions
            .row(representative.index())
            .iter()
            .map(|&t| u64::from(index.topics[t.index()].partitions))
            .sum();
        let count = members.len() as u64;
        let base = (total / count) as u32;
        let extra = (total % count) as usize;
        by_owned.clear();
        by_owned.extend_from_slice(members);
        by_owned.sort_unstable_by_key(|&m| (Reverse(claims.count(m.index())), m));
        for (rank, &m) in by_owned.iter().enumerate() {
            quota[m.index()] = base + u32::from(rank < extra);
            component_of[m.index()] = Some(c as u32);
        }
    }

    let mut out = MemberMajor::new(index, index.total_partitions as usize);
    let mut row: Vec<PartitionIdx> = Vec::new();
    let mut release = Release::new(index);
    // Rows of the members below quota, written after the deal.
    let mut below_rows = Csr::with_capacity(0, 0);
    let mut below: Vec<MemberIdx> = Vec::new();
    for m in 0..member_count {
        let count = claims.count(m);
        let Some(c) = component_of[m] else {
            // Subscribed to nothing, so holding nothing.
            if count != 0 {
                return None;
            }
            continue;
        };
        let q = quota[m];
        if count == q {
            out.start(MemberIdx::new(m));
            if !claims.write(m, reader, &mut out, &mut row) {
                return None;
            }
            keeps[m] = q;
        } else if count > q {
            if !claims.collect(m, reader, &mut row) {
                return None;
            }
            out.start(MemberIdx::new(m));
            let size = components.members.row(c as usize).len() as u64;
            release.release(&row, count - q, size, &mut out);
            keeps[m] = q;
        } else {
            if !claims.collect(m, reader, &mut row) {
                return None;
            }
            for &p in &row {
                below_rows.push(p);
            }
            below_rows.end_row(false);
            below.push(MemberIdx::new(m));
            keeps[m] = count;
        }
    }
    let (claimed, mut holding) = claims.bits();
    for &p in &release.released {
        holding.remove(p);
    }

    // Deal the free partitions, component by component in topic order, to
    // the members below quota, in turn.
    let mut dealt: Vec<(usize, PartitionIdx)> = Vec::new();
    let mut takers: Vec<MemberIdx> = Vec::new();
    let mut filled = keeps;
    for (c, &representative) in components.representative.iter().enumerate() {
        takers.clear();
        takers.extend(
            components
                .members
                .row(c)
                .iter()
                .filter(|&&m| filled[m.index()] < quota[m.index()]),
        );
        let mut turn = 0usize;
        for &t in index.subscriptions.row(representative.index()) {
            let topic = &index.topics[t.index()];
            let more = holding.for_each_missing(topic.start, topic.end(), |p| {
                if takers.is_empty() {
                    return false;
                }
                if turn >= takers.len() {
                    turn = 0;
                }
                let m = takers[turn].index();
                if !(cooperative && claimed.contains(p)) {
                    dealt.push((m, p));
                }
                filled[m] += 1;
                if filled[m] == quota[m] {
                    takers.remove(turn);
                } else {
                    turn += 1;
                }
                true
            });
            if !more {
                break;
            }
        }
    }

    // What each member is dealt, member by member, still ascending; merged
    // into the rows of those below quota.
    let received = Csr::from_pairs(member_count, dealt.iter().copied());
    for (i, &m) in below.iter().enumerate() {
        out.start(m);
        let got = received.row(m.index());
        let mut j = 0;
        for &p in below_rows.row(i) {
            while j < got.len() && got[j] < p {
                out.push(got[j]);
                j += 1;
            }
            out.push(p);
        }
        for &p in &got[j..] {
            out.push(p);
        }
    }
    Some(out.finish())
}

/// Which partitions a member above quota lets go: from the topic where it
/// is furthest above its fair share, ties to the topic released least so
/// far in this rebalance; within a topic, the highest numbers.
struct Release<'i> {
    index: &'i GroupIndex,
    /// Per topic, how many partitions were released so far.
    so_far: Vec<u32>,
    /// Every partition released, in the order released.
    released: Vec<PartitionIdx>,
    /// The member's partitions as runs (topic, first, kept) over its row.
    runs: Vec<(TopicIdx, u32, u32)>,
    heap: BinaryHeap<(i64, Reverse<u32>, Reverse<usize>)>,
}

impl<'i> Release<'i> {
    fn new(index: &'i GroupIndex) -> Self {
        Release {
            index,
            so_far: vec![0; index.topics.len()],
            released: Vec::new(),
            runs: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// Releases `count` partitions of `row` (ascending) for a member of a
    /// component of `size` members, and writes the rest into `out`.
    fn release(&mut self, row: &[PartitionIdx], count: u32, size: u64, out: &mut MemberMajor<'_>) {
        let topics = &self.index.topics;
        self.runs.clear();
        let mut topic = 0usize;
        let mut i = 0;
        while i < row.len() {
            while topics[topic].end() <= row[i] {
                topic += 1;
            }
            let end_of_topic = topics[topic].end();
            let first = i;
            while i < row.len() && row[i] < end_of_topic {
                i += 1;
            }
            self.runs
                .push((TopicIdx::new(topic), first as u32, (i - first) as u32));
        }
        // Built in one go: heapifying is linear, pushing one by one is not.
        let mut keys = std::mem::take(&mut self.heap).into_vec();
        keys.clear();
        keys.extend(
            self.runs
                .iter()
                .enumerate()
                .map(|(k, &(t, _, kept))| self.key(size, t, kept, k)),
        );
        self.heap = BinaryHeap::from(keys);
        for _ in 0..count {
            let Some((_, _, Reverse(k))) = self.heap.pop() else {
                break;
            };
            let (t, first, kept) = &mut self.runs[k];
            *kept -= 1;
            self.released.push(row[(*first + *kept) as usize]);
            self.so_far[t.index()] += 1;
            if *kept > 0 {
                let (t, kept) = (*t, *kept);
                let key = self.key(size, t, kept, k);
                self.heap.push(key);
            }
        }
        for &(t, first, kept) in &self.runs {
            for &p in &row[first as usize..(first + kept) as usize] {
                out.push_in(t, p);
            }
        }
    }

    /// Heap key for releasing from one topic: furthest above the fair share
    /// first, then the topic released least so far, then the lowest topic.
    fn key(
        &self,
        size: u64,
        t: TopicIdx,
        holding: u32,
        run: usize,
    ) -> (i64, Reverse<u32>, Reverse<usize>) {
        let partitions = self.index.topics[t.index()].partitions;
        let excess = i64::from(holding) * size as i64 - i64::from(partitions);
        (excess, Reverse(self.so_far[t.index()]), Reverse(run))
    }
}
