//! Racks to ids, for the strategies that use them.

use super::{Csr, GroupIndex, RackIdx};
use crate::hash::FxHashMap;

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
    /// Interns every rack name; ids follow name order, so they do not depend
    /// on the order of the input.
    pub(crate) fn new(index: &GroupIndex<'_>) -> Self {
        let mut seen: FxHashMap<&str, RackIdx> = FxHashMap::default();
        let member_racks = index.members.iter().filter_map(|m| m.rack());
        let replica_racks = index
            .topics
            .iter()
            .flat_map(|t| t.replica_racks.unwrap_or(&[]))
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
        let member_rack = index
            .members
            .iter()
            .map(|m| m.rack().map_or(RackIdx::NONE, id))
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
