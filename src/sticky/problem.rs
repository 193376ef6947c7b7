//! The sticky problem in counts: classes of interchangeable partitions,
//! members, and one arc per (class, subscriber).
//!
//! Partitions of one topic are interchangeable for balance and for moves
//! (which partition a member keeps does not change how many it keeps), so
//! the solver decides counts per (topic, member). With rack awareness the
//! partitions of a topic differ by the racks of their replicas, so a class is
//! a topic's partitions with one rack signature.

use crate::index::{
    ClassIdx, Csr, GroupIndex, MemberIdx, Owner, PartitionIdx, RackIdx, RackIndex, TopicIdx,
};
use crate::sticky::RackMatch;

/// The count problem the solvers work on.
#[derive(Debug)]
pub(crate) struct Problem {
    pub(crate) members: usize,
    /// Per class: the global partitions in it, ascending.
    pub(crate) class_partitions: Csr<PartitionIdx>,
    /// Class `c`'s arcs are `arc_start[c]..arc_start[c + 1]`, by member id.
    pub(crate) arc_start: Vec<u32>,
    pub(crate) arc_member: Vec<MemberIdx>,
    pub(crate) arc_class: Vec<ClassIdx>,
    /// Partitions of the arc's class its member validly owns.
    pub(crate) arc_owned: Vec<u32>,
    /// Whether the member's rack holds no (matching) replica of the class.
    pub(crate) arc_remote: Vec<bool>,
    /// Per member: its arc ids, in class order.
    pub(crate) member_arcs: Csr,
}

impl Problem {
    pub(crate) fn classes(&self) -> usize {
        self.arc_start.len() - 1
    }

    pub(crate) fn arcs_of_class(&self, class: usize) -> std::ops::Range<usize> {
        self.arc_start[class] as usize..self.arc_start[class + 1] as usize
    }

    pub(crate) fn arc_count(&self) -> usize {
        self.arc_member.len()
    }

    /// Builds the problem. `owned` is each member's valid claims
    /// ([`Interned::owned_rows`](crate::index::Interned::owned_rows)), `owner` the resolved previous owner per
    /// global partition.
    pub(crate) fn new(
        index: &GroupIndex,
        owned: &Csr<PartitionIdx>,
        owner: &[Owner],
        rack_match: RackMatch,
    ) -> Self {
        let racks = index.racks().filter(|_| index.rack_aware());
        let (class_partitions, class_topic) = match &racks {
            None => topic_classes(index),
            Some(racks) => rack_classes(index, racks, rack_match),
        };
        let classes = class_topic.len();

        let identity: Vec<MemberIdx> = MemberIdx::all(index.members.len()).collect();
        let subscribers = index.subscribers_in(&identity);

        let mut arc_start = Vec::with_capacity(classes + 1);
        let mut arc_member = Vec::new();
        let mut arc_remote = Vec::new();
        arc_start.push(0);
        for (c, &t) in class_topic.iter().enumerate() {
            let first = class_partitions.row(c).first().copied();
            // With the identity order, positions are member ids.
            for m in subscribers
                .row(t.index())
                .iter()
                .map(|&m| MemberIdx::new(m as usize))
            {
                arc_member.push(m);
                arc_remote.push(match (&racks, first) {
                    (Some(racks), Some(p)) => is_remote(racks, m, p, rack_match),
                    _ => false,
                });
            }
            arc_start.push(arc_member.len() as u32);
        }

        // Per member, its arcs in class order.
        let members = index.members.len();
        let member_arcs = Csr::from_pairs(
            members,
            arc_member
                .iter()
                .enumerate()
                .map(|(a, &m)| (m.index(), a as u32)),
        );

        let mut arc_class = vec![ClassIdx::NONE; arc_member.len()];
        for c in 0..classes {
            arc_class[arc_start[c] as usize..arc_start[c + 1] as usize].fill(ClassIdx::new(c));
        }
        let mut class_of = vec![ClassIdx::NONE; index.total_partitions as usize];
        for c in 0..classes {
            for &p in class_partitions.row(c) {
                class_of[p.index()] = ClassIdx::new(c);
            }
        }
        // Owned counts. The table from class to the member's arc is stale for
        // other members; the member check makes resetting it unnecessary.
        let mut arc_for_class: Vec<Option<u32>> = vec![None; classes];
        let mut arc_owned = vec![0u32; arc_member.len()];
        for m in MemberIdx::all(members) {
            for &a in member_arcs.row(m.index()) {
                arc_for_class[arc_class[a as usize].index()] = Some(a);
            }
            for &p in owned.row(m.index()) {
                if !owner[p.index()].is(m) {
                    continue;
                }
                if let Some(a) = arc_for_class[class_of[p.index()].index()]
                    && arc_member[a as usize] == m
                {
                    arc_owned[a as usize] += 1;
                }
            }
        }

        Problem {
            members,
            class_partitions,
            arc_start,
            arc_member,
            arc_class,
            arc_owned,
            arc_remote,
            member_arcs,
        }
    }
}

/// One class per topic.
fn topic_classes(index: &GroupIndex) -> (Csr<PartitionIdx>, Vec<TopicIdx>) {
    let mut partitions = Csr::with_capacity(index.topics.len(), index.total_partitions as usize);
    let mut topic = Vec::with_capacity(index.topics.len());
    for (t, entry) in index.topics.iter().enumerate() {
        for p in entry.globals() {
            partitions.push(PartitionIdx::new(p));
        }
        partitions.end_row(false);
        topic.push(TopicIdx::new(t));
    }
    (partitions, topic)
}

/// One class per (topic, rack signature): the replicas' racks, or the
/// leader's rack, by `rack_match`.
fn rack_classes(
    index: &GroupIndex,
    racks: &RackIndex,
    rack_match: RackMatch,
) -> (Csr<PartitionIdx>, Vec<TopicIdx>) {
    let mut partitions = Csr::with_capacity(index.topics.len(), index.total_partitions as usize);
    let mut topic = Vec::new();
    let mut order: Vec<PartitionIdx> = Vec::new();
    for (t, entry) in index.topics.iter().enumerate() {
        order.clear();
        order.extend(entry.globals().map(PartitionIdx::new));
        let signature = |p: PartitionIdx| -> &[RackIdx] {
            match rack_match {
                RackMatch::AnyReplica => racks.replica_racks.row(p.index()),
                RackMatch::Leader => std::slice::from_ref(&racks.leader_rack[p.index()]),
            }
        };
        // Stable, so each class keeps its partitions ascending.
        order.sort_by(|&a, &b| signature(a).cmp(signature(b)));
        let mut i = 0;
        while i < order.len() {
            let mut j = i + 1;
            while j < order.len() && signature(order[j]) == signature(order[i]) {
                j += 1;
            }
            let mut class: Vec<PartitionIdx> = order[i..j].to_vec();
            class.sort_unstable();
            for p in class {
                partitions.push(p);
            }
            partitions.end_row(false);
            topic.push(TopicIdx::new(t));
            i = j;
        }
    }
    (partitions, topic)
}

/// Whether member `m` reading partition `p` crosses racks. A member without
/// a rack is never remote; a member with one is remote on a partition whose
/// metadata gives no racks.
fn is_remote(racks: &RackIndex, m: MemberIdx, p: PartitionIdx, rack_match: RackMatch) -> bool {
    let rack = racks.member_rack[m.index()];
    if rack.is_none() {
        return false;
    }
    match rack_match {
        RackMatch::AnyReplica => racks
            .replica_racks
            .row(p.index())
            .binary_search(&rack)
            .is_err(),
        RackMatch::Leader => racks.leader_rack[p.index()] != rack,
    }
}
