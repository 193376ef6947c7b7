//! Range, exactly as the Java client's `RangeAssignor` (3.9), rack-aware
//! assignment (KIP-881) included.
//!
//! Per topic, the subscribers in `MemberInfo` order (static members first by
//! instance id, then dynamic members by member id) each take a contiguous
//! range of `n / c` partitions, and the first `n % c` of them one more.
//!
//! When members and partition replicas carry racks, the Java client first
//! hands out the partitions it can align on racks, within the same per-topic
//! quotas, and then fills the quotas in member order with what is left:
//!
//! - A topic *needs* rack-aware assignment when its subscribers have racks,
//!   some replica of it is on one of those racks, and not every partition
//!   has the same set of replica racks.
//! - If any topic needs it, topics are grouped by identical subscriber list
//!   and by "partition count when a subscriber has a rack, else 0". In a group
//!   of several topics, partition `p` of every topic goes to the first member
//!   with quota left whose rack holds a replica of `p` in every topic of the
//!   group (a member without a rack matches anything), which keeps the topics
//!   co-partitioned. A lone topic that needs it gives each member, in order,
//!   the first partitions with a replica on its rack, up to its quota.
//! - Then every topic's remaining partitions fill the remaining quotas, in
//!   member order, lowest partition first.
//!
//! An empty string in a replica rack list means a replica without a rack, as
//! an empty member rack means a member without one.

use crate::assignment::{Assignment, positions};
use crate::assignor::Assignor;
use crate::decoded::DecodedGroup;
use crate::error::AssignError;
use crate::hash::FxHashMap;
use crate::index::{Csr, GroupIndex, Interned, MemberIdx, RackIdx, RackIndex, RackUse, TopicIdx};
use crate::model::{Group, RebalanceProtocol};

/// The `range` strategy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RangeAssignor;

impl Assignor for RangeAssignor {
    fn name(&self) -> &'static str {
        "range"
    }

    fn supported_protocols(&self) -> &'static [RebalanceProtocol] {
        &[RebalanceProtocol::Eager]
    }

    fn assign(&self, group: &Group) -> Result<Assignment, AssignError> {
        let interned = Interned::new(group, RackUse::Present)?;
        Ok(range(&interned))
    }

    fn assign_decoded(&self, group: &DecodedGroup) -> Result<Assignment, AssignError> {
        let interned = Interned::from_decoded(group, RackUse::Present)?;
        Ok(range(&interned))
    }
}

fn range(index: &GroupIndex) -> Assignment {
    let order = index.java_member_order();
    let members_have_racks = index.members_have_racks();
    let topics_have_racks = index.topics_have_racks();
    if !(members_have_racks && topics_have_racks)
        && let Some(row) = index.common_subscription()
    {
        return uniform_range(index, &order, row);
    }
    let subscribers = index.subscribers_in(&order);
    // Rack-aware assignment needs a member rack and a replica rack somewhere;
    // the index interned the racks exactly then (`RackUse::Present`), so the
    // common case does no rack work.
    if let Some(racks) = index.racks() {
        let plan = RackPlan::new(index, racks, &order, &subscribers);
        if plan.needs.iter().any(|&needs| needs) {
            let owner = rack_aware_range(index, racks, &order, &subscribers, &plan);
            return Assignment::from_owners(index, &owner);
        }
    }
    plain_range(index, &order, &subscribers)
}

/// Equal subscriptions: every topic's subscribers are all members, in Java
/// order, so member `i` of `c` takes the same slice of every topic and no
/// per-topic subscriber list is needed.
fn uniform_range(index: &GroupIndex, order: &[MemberIdx], row: &[TopicIdx]) -> Assignment {
    let takers: Vec<MemberIdx> = order
        .iter()
        .copied()
        .filter(|&m| !index.subscriptions.row(m.index()).is_empty())
        .collect();
    let c = takers.len() as u32;
    let split: Vec<(u32, u32)> = row
        .iter()
        .map(|&t| {
            let n = index.topics[t.index()].partitions;
            (n / c, n % c)
        })
        .collect();
    let position = positions(index, &takers);
    Assignment::from_subscription_ranges(index, 1, |m, k| {
        let i = position[m];
        let (per_member, extra) = split[k];
        (
            i * per_member + i.min(extra),
            per_member + u32::from(i < extra),
        )
    })
}

/// Every topic split in contiguous ranges: what the fill below gives when no
/// rack matching ran before it, computed without the bookkeeping and written
/// member by member, one range per subscription.
fn plain_range(index: &GroupIndex, order: &[MemberIdx], subscribers: &Csr) -> Assignment {
    let mut ranges = vec![(0u32, 0u32); index.subscriptions.total()];
    // Member `m`'s ranges start at `offset[m]`, one per topic of its row.
    let mut offset = Vec::with_capacity(index.members.len() + 1);
    offset.push(0usize);
    for m in 0..index.members.len() {
        offset.push(offset[m] + index.subscriptions.row(m).len());
    }
    // A member's row lists its topics in id order, and topics are visited in
    // that order, so the member's next row slot is the one for this topic.
    let mut slot = offset.clone();
    for (t, topic) in index.topics.iter().enumerate() {
        let takers = subscribers.row(t);
        if takers.is_empty() {
            continue;
        }
        let per_member = topic.partitions / takers.len() as u32;
        let extra = topic.partitions % takers.len() as u32;
        let mut next = 0;
        for (i, &position) in takers.iter().enumerate() {
            let count = per_member + u32::from((i as u32) < extra);
            let m = order[position as usize].index();
            ranges[slot[m]] = (next, count);
            slot[m] += 1;
            next += count;
        }
    }
    Assignment::from_subscription_ranges(index, 1, |m, k| ranges[offset[m] + k])
}

/// Per topic, what the Java client decides before assigning anything.
struct RackPlan {
    /// Whether the topic needs rack-aware assignment.
    needs: Vec<bool>,
    /// Partition count when some subscriber has a rack, else 0: the size of
    /// the Java client's partition-to-racks map, which co-partitioned groups
    /// are keyed by.
    rack_map_size: Vec<u32>,
}

impl RackPlan {
    fn new(index: &GroupIndex, racks: &RackIndex, order: &[MemberIdx], subscribers: &Csr) -> Self {
        let topics = index.topics.len();
        let mut needs = vec![false; topics];
        let mut rack_map_size = vec![0; topics];
        // Stamps (topic id) instead of a set per topic.
        let mut consumer_stamp = vec![TopicIdx::NONE; racks.rack_count];
        let mut partition_stamp = vec![TopicIdx::NONE; racks.rack_count];
        for (t, topic) in index.topics.iter().enumerate() {
            let stamp = TopicIdx::new(t);
            let mut consumer_racks = false;
            for &position in subscribers.row(t) {
                let rack = racks.member_rack[order[position as usize].index()];
                if let Some(rack) = rack.some() {
                    consumer_stamp[rack.index()] = stamp;
                    consumer_racks = true;
                }
            }
            if !consumer_racks || topic.partitions == 0 {
                continue;
            }
            rack_map_size[t] = topic.partitions;
            let partitions = topic.globals();
            let mut union = 0;
            let mut overlap = false;
            for g in partitions.clone() {
                for &rack in racks.replica_racks.row(g) {
                    if partition_stamp[rack.index()] != stamp {
                        partition_stamp[rack.index()] = stamp;
                        union += 1;
                        overlap |= consumer_stamp[rack.index()] == stamp;
                    }
                }
            }
            // Each partition's racks are a subset of the union, so equal
            // sizes mean equal sets.
            let all_alike = partitions
                .into_iter()
                .all(|g| racks.replica_racks.row(g).len() == union);
            needs[t] = overlap && !all_alike;
        }
        RackPlan {
            needs,
            rack_map_size,
        }
    }
}

/// Per-topic quotas, as the Java client's `TopicAssignmentState` keeps them.
struct Quotas {
    /// Per topic: `n / c`.
    per_member: Vec<u32>,
    /// Per topic: members that may still get `n / c + 1`.
    extra_left: Vec<u32>,
    /// Per topic: partitions not yet assigned.
    unassigned: Vec<u32>,
    /// Per topic: where its subscribers' counts start in `assigned`.
    base: Vec<u32>,
    /// Per (topic, subscriber): partitions assigned so far.
    assigned: Vec<u32>,
}

impl Quotas {
    fn new(index: &GroupIndex, subscribers: &Csr) -> Self {
        let topics = index.topics.len();
        let mut quotas = Quotas {
            per_member: Vec::with_capacity(topics),
            extra_left: Vec::with_capacity(topics),
            unassigned: Vec::with_capacity(topics),
            base: Vec::with_capacity(topics),
            assigned: vec![0; subscribers.total()],
        };
        let mut base = 0;
        for (t, topic) in index.topics.iter().enumerate() {
            let takers = subscribers.row(t).len() as u32;
            quotas
                .per_member
                .push(topic.partitions.checked_div(takers).unwrap_or(0));
            quotas
                .extra_left
                .push(topic.partitions.checked_rem(takers).unwrap_or(0));
            quotas.unassigned.push(topic.partitions);
            quotas.base.push(base);
            base += takers;
        }
        quotas
    }

    /// How many more partitions of topic `t` its `k`-th subscriber may take.
    #[inline]
    fn max_assignable(&self, t: usize, k: usize) -> u32 {
        let cap = self.per_member[t] + u32::from(self.extra_left[t] > 0);
        cap.saturating_sub(self.assigned[(self.base[t] as usize) + k])
    }

    #[inline]
    fn on_assigned(&mut self, t: usize, k: usize, count: u32) {
        let assigned = &mut self.assigned[self.base[t] as usize + k];
        *assigned += count;
        if *assigned > self.per_member[t] {
            self.extra_left[t] -= 1;
        }
        self.unassigned[t] -= count;
    }
}

/// Buffers reused across topics and groups, so the rack phase allocates per
/// call, not per topic or partition.
struct Scratch {
    /// Bucket starts, one bucket per rack and one for "no rack".
    starts: Vec<u32>,
    /// Bucket contents.
    items: Vec<u32>,
    /// Per bucket, the first entry not yet known to be used up.
    heads: Vec<u32>,
    /// Racks every topic of a group has a replica of the partition on.
    common: Vec<RackIdx>,
}

fn rack_aware_range(
    index: &GroupIndex,
    racks: &RackIndex,
    order: &[MemberIdx],
    subscribers: &Csr,
    plan: &RackPlan,
) -> Vec<MemberIdx> {
    let mut owner = vec![MemberIdx::NONE; index.total_partitions as usize];
    let mut quotas = Quotas::new(index, subscribers);
    let mut scratch = Scratch {
        starts: Vec::new(),
        items: Vec::new(),
        heads: Vec::new(),
        common: Vec::new(),
    };

    // Groups of topics with one subscriber list and one rack map size. The
    // Java client visits them in hash order; that order cannot matter, since
    // each group touches only its own topics' quotas.
    let mut group_of: FxHashMap<(&[u32], u32), u32> = FxHashMap::default();
    let mut groups: Vec<Vec<TopicIdx>> = Vec::new();
    for (t, topic) in index.topics.iter().enumerate() {
        if topic.partitions == 0 {
            continue;
        }
        let key = (subscribers.row(t), plan.rack_map_size[t]);
        let g = *group_of.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() as u32 - 1
        });
        groups[g as usize].push(TopicIdx::new(t));
    }
    for topics in &groups {
        if topics.len() > 1 {
            let t = topics[0].index();
            co_partitioned(
                index,
                racks,
                order,
                subscribers.row(t),
                plan.rack_map_size[t],
                topics,
                &mut quotas,
                &mut owner,
                &mut scratch,
            );
        } else if plan.needs[topics[0].index()] {
            single_topic(
                index,
                racks,
                order,
                subscribers,
                topics[0].index(),
                &mut quotas,
                &mut owner,
                &mut scratch,
            );
        }
    }

    for t in 0..index.topics.len() {
        fill(index, order, subscribers, t, &mut quotas, &mut owner);
    }
    owner
}

/// Partition `p` of every topic in `topics` to the first subscriber, in
/// order, with quota left in all of them and a rack (or none) matching `p` in
/// all of them.
#[allow(clippy::too_many_arguments)]
fn co_partitioned(
    index: &GroupIndex,
    racks: &RackIndex,
    order: &[MemberIdx],
    takers: &[u32],
    partitions: u32,
    topics: &[TopicIdx],
    quotas: &mut Quotas,
    owner: &mut [MemberIdx],
    scratch: &mut Scratch,
) {
    if partitions == 0 || takers.is_empty() {
        return;
    }
    let no_rack = racks.rack_count;
    let rack_of = |k: usize| {
        let rack = racks.member_rack[order[takers[k] as usize].index()];
        rack.some().map_or(no_rack, RackIdx::index)
    };
    bucket(
        scratch,
        no_rack + 1,
        (0..takers.len()).map(|k| (rack_of(k), k as u32)),
    );
    // Only this phase assigns the group's topics, and it assigns every one of
    // them at once: their quotas move in step, so the first topic speaks for
    // all. A subscriber without quota never regains it, so it can leave its
    // bucket for good.
    let lead = topics[0].index();
    for p in 0..partitions {
        scratch.common.clear();
        let first = &index.topics[lead];
        scratch
            .common
            .extend_from_slice(racks.replica_racks.row(first.global(p).index()));
        for &t in &topics[1..] {
            let row = racks
                .replica_racks
                .row(index.topics[t.index()].global(p).index());
            scratch
                .common
                .retain(|rack| row.binary_search(rack).is_ok());
        }
        let mut chosen = u32::MAX;
        let candidates = scratch.common.len();
        for c in 0..=candidates {
            let bucket = if c == candidates {
                no_rack
            } else {
                scratch.common[c].index()
            };
            let end = scratch.starts[bucket + 1];
            let head = &mut scratch.heads[bucket];
            while *head < end
                && quotas.max_assignable(lead, scratch.items[*head as usize] as usize) == 0
            {
                *head += 1;
            }
            if *head < end {
                chosen = chosen.min(scratch.items[*head as usize]);
            }
        }
        if chosen == u32::MAX {
            continue;
        }
        let k = chosen as usize;
        let member = order[takers[k] as usize];
        for &t in topics {
            let t = t.index();
            owner[index.topics[t].global(p).index()] = member;
            quotas.on_assigned(t, k, 1);
        }
    }
}

/// Each subscriber of topic `t`, in order, takes the first unassigned
/// partitions with a replica on its rack, up to its quota; a subscriber
/// without a rack matches every partition.
#[allow(clippy::too_many_arguments)]
fn single_topic(
    index: &GroupIndex,
    racks: &RackIndex,
    order: &[MemberIdx],
    subscribers: &Csr,
    t: usize,
    quotas: &mut Quotas,
    owner: &mut [MemberIdx],
    scratch: &mut Scratch,
) {
    let topic = &index.topics[t];
    let no_rack = racks.rack_count;
    // Bucket per rack: the topic's partitions with a replica there, in order.
    bucket(
        scratch,
        no_rack + 1,
        (0..topic.partitions).flat_map(|p| {
            racks
                .replica_racks
                .row(topic.global(p).index())
                .iter()
                .map(move |&rack| (rack.index(), p))
        }),
    );
    // Partitions before a bucket's head are all assigned, and so are those
    // before `any`, the cursor of members without a rack.
    let mut any = 0;
    for (k, &position) in subscribers.row(t).iter().enumerate() {
        if quotas.unassigned[t] == 0 {
            break;
        }
        let limit = quotas.max_assignable(t, k);
        if limit == 0 {
            continue;
        }
        let member = order[position as usize];
        let rack = racks.member_rack[member.index()];
        let mut taken = 0;
        if rack.is_none() {
            while taken < limit && any < topic.partitions {
                let slot = &mut owner[topic.global(any).index()];
                if slot.is_none() {
                    *slot = member;
                    taken += 1;
                }
                any += 1;
            }
        } else {
            let rack = rack.index();
            let end = scratch.starts[rack + 1];
            let head = &mut scratch.heads[rack];
            while taken < limit && *head < end {
                let p = scratch.items[*head as usize];
                let slot = &mut owner[topic.global(p).index()];
                if slot.is_none() {
                    *slot = member;
                    taken += 1;
                }
                *head += 1;
            }
        }
        if taken > 0 {
            quotas.on_assigned(t, k, taken);
        }
    }
}

/// The plain pass: each subscriber of topic `t`, in order, takes the first
/// unassigned partitions up to its quota.
fn fill(
    index: &GroupIndex,
    order: &[MemberIdx],
    subscribers: &Csr,
    t: usize,
    quotas: &mut Quotas,
    owner: &mut [MemberIdx],
) {
    let topic = &index.topics[t];
    let (mut next, end) = (topic.start.index(), topic.end().index());
    for (k, &position) in subscribers.row(t).iter().enumerate() {
        if quotas.unassigned[t] == 0 {
            break;
        }
        let limit = quotas.max_assignable(t, k);
        let member = order[position as usize];
        let mut taken = 0;
        while taken < limit && next < end {
            let slot = &mut owner[next];
            if slot.is_none() {
                *slot = member;
                taken += 1;
            }
            next += 1;
        }
        if taken > 0 {
            quotas.on_assigned(t, k, taken);
        }
    }
}

/// Counting sort of `(bucket, item)` pairs into `scratch`, items keeping
/// their order within a bucket; resets every bucket's head to its start.
fn bucket<I>(scratch: &mut Scratch, buckets: usize, pairs: I)
where
    I: Iterator<Item = (usize, u32)> + Clone,
{
    scratch.starts.clear();
    scratch.starts.resize(buckets + 1, 0);
    for (b, _) in pairs.clone() {
        scratch.starts[b + 1] += 1;
    }
    for b in 0..buckets {
        scratch.starts[b + 1] += scratch.starts[b];
    }
    scratch.heads.clear();
    scratch.heads.extend_from_slice(&scratch.starts[..buckets]);
    scratch.items.clear();
    scratch.items.resize(scratch.starts[buckets] as usize, 0);
    for (b, item) in pairs {
        let at = &mut scratch.heads[b];
        scratch.items[*at as usize] = item;
        *at += 1;
    }
    scratch.heads.clear();
    scratch.heads.extend_from_slice(&scratch.starts[..buckets]);
}
