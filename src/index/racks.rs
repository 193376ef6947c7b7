//! Racks to ids, for the strategies that use them.

use super::{Csr, RackIdx};
use crate::hash::FxHashMap;
use crate::model::{Member, Topic};

/// Racks interned to ids, built only by strategies that use racks.
#[derive(Debug)]
pub(crate) struct RackIndex {
    /// How many distinct racks there are; ids are `0..rack_count`.
    pub(crate) rack_count: usize,
    /// Per member: its rack id, or [`RackIdx::NONE`].
    pub(crate) member_rack: Vec<RackIdx>,
    /// Per global partition: its replicas' rack ids, sorted, without repeats.
    pub(crate) replica_racks: Csr<RackIdx>,
    /// Per global partition: the rack of its first replica (the leader), or
    /// [`RackIdx::NONE`].
    pub(crate) leader_rack: Vec<RackIdx>,
}

impl RackIndex {
    /// Interns every rack name of `members` (in member-id order) and of the
    /// subscribed `topics` (in topic-id order, `total` partitions); ids
    /// follow name order, so they do not depend on the order of the input.
    pub(super) fn new(members: &[&Member], topics: &[&Topic], total: usize) -> Self {
        let mut seen: FxHashMap<&str, RackIdx> = FxHashMap::default();
        let member_racks = members.iter().filter_map(|m| m.rack());
        let replica_racks = topics
            .iter()
            .flat_map(|t| t.replica_racks.as_deref().unwrap_or(&[]))
            .flatten()
            .map(|r| &**r);
        for rack in member_racks.chain(replica_racks) {
            if !rack.is_empty() {
                seen.entry(rack).or_insert(RackIdx::NONE);
            }
        }
        let mut names: Vec<&str> = seen.keys().copied().collect();
        names.sort_unstable();
        for (id, name) in names.iter().enumerate() {
            seen.insert(name, RackIdx::new(id));
        }
        let id = |rack: &str| seen.get(rack).copied().unwrap_or(RackIdx::NONE);
        let member_rack = members
            .iter()
            .map(|m| m.rack().map_or(RackIdx::NONE, id))
            .collect();
        let mut replica_racks = Csr::with_capacity(total, 0);
        let mut leader_rack = Vec::with_capacity(total);
        for topic in topics {
            for p in 0..topic.partitions as usize {
                let replicas = topic.replica_racks.as_ref().map_or(&[][..], |r| &r[p][..]);
                leader_rack.push(
                    replicas
                        .first()
                        .filter(|r| !r.is_empty())
                        .map_or(RackIdx::NONE, |r| id(r)),
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

/// The Java client's gate for rack-aware assignment: some member has a rack,
/// the members' racks meet the replicas' racks, and the partitions of the
/// topics that carry racks do not all sit on the same set of racks (then
/// locality could not differ).
///
/// On the names rather than on a [`RackIndex`]: when the gate is shut (the
/// common case of every partition on every rack), interning every replica's
/// rack first measured 22% more instructions for the whole sticky
/// assignment (callgrind, 200 members x 20,000 partitions x 3 racks).
///
/// Read while the index is built, from `members` and the subscribed
/// `topics`.
pub(super) fn gate(members: &[&Member], topics: &[&Topic]) -> bool {
    let mut member_racks: Vec<&str> = members.iter().filter_map(|m| m.rack()).collect();
    if member_racks.is_empty() {
        return false;
    }
    member_racks.sort_unstable();
    member_racks.dedup();
    let mut all: Vec<&str> = Vec::new();
    let mut first: Option<Vec<&str>> = None;
    let mut all_same = true;
    let mut scratch: Vec<&str> = Vec::new();
    for topic in topics {
        let Some(per_partition) = &topic.replica_racks else {
            continue;
        };
        for replicas in per_partition {
            scratch.clear();
            scratch.extend(replicas.iter().map(|r| &**r).filter(|r| !r.is_empty()));
            scratch.sort_unstable();
            scratch.dedup();
            all.extend_from_slice(&scratch);
            match &first {
                None => first = Some(scratch.clone()),
                Some(f) => all_same &= *f == scratch,
            }
        }
    }
    all.sort_unstable();
    all.dedup();
    let overlap = member_racks.iter().any(|r| all.binary_search(r).is_ok());
    // Every partition's set equals the first one's, so all equal the union.
    overlap && !all_same
}
