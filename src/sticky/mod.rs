//! Sticky and CooperativeSticky: the exact optimum.
//!
//! (Work in progress: the optimum solver lands in the next commits.)

use crate::assignment::Assignment;
use crate::error::AssignError;
use crate::index::GroupIndex;
use crate::model::{Group, RebalanceProtocol};
use crate::strategy::Assignor;

/// Which replicas' racks make a partition local to a member, for rack-aware
/// sticky assignment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RackMatch {
    /// A member is local to a partition when any replica is on its rack (the
    /// Java client's rule).
    #[default]
    AnyReplica,
    /// A member is local to a partition when its leader (the first replica)
    /// is on its rack (franz-go's rule; KAFKA-17755).
    Leader,
}

/// The eager `sticky` strategy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StickyAssignor {
    rack_match: RackMatch,
}

impl StickyAssignor {
    /// The strategy with default settings (any replica's rack is local).
    pub const fn new() -> Self {
        StickyAssignor {
            rack_match: RackMatch::AnyReplica,
        }
    }

    /// Chooses which replicas' racks count as local.
    pub const fn with_rack_match(mut self, rack_match: RackMatch) -> Self {
        self.rack_match = rack_match;
        self
    }

    /// Which replicas' racks count as local.
    pub const fn rack_match(&self) -> RackMatch {
        self.rack_match
    }
}

/// The `cooperative-sticky` strategy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CooperativeStickyAssignor {
    rack_match: RackMatch,
}

impl CooperativeStickyAssignor {
    /// The strategy with default settings (any replica's rack is local).
    pub const fn new() -> Self {
        CooperativeStickyAssignor {
            rack_match: RackMatch::AnyReplica,
        }
    }

    /// Chooses which replicas' racks count as local.
    pub const fn with_rack_match(mut self, rack_match: RackMatch) -> Self {
        self.rack_match = rack_match;
        self
    }

    /// Which replicas' racks count as local.
    pub const fn rack_match(&self) -> RackMatch {
        self.rack_match
    }
}

impl Assignor for StickyAssignor {
    fn name(&self) -> &'static str {
        "sticky"
    }

    fn supported_protocols(&self) -> &'static [RebalanceProtocol] {
        &[RebalanceProtocol::Eager]
    }

    fn assign(&self, group: &Group) -> Result<Assignment, AssignError> {
        let index = GroupIndex::new(group)?;
        let owner = placeholder(&index);
        Ok(Assignment::from_owners(&index, &owner))
    }
}

impl Assignor for CooperativeStickyAssignor {
    fn name(&self) -> &'static str {
        "cooperative-sticky"
    }

    fn supported_protocols(&self) -> &'static [RebalanceProtocol] {
        &[RebalanceProtocol::Eager, RebalanceProtocol::Cooperative]
    }

    fn assign(&self, group: &Group) -> Result<Assignment, AssignError> {
        let index = GroupIndex::new(group)?;
        let owner = placeholder(&index);
        Ok(Assignment::from_owners(&index, &owner))
    }
}

/// Temporary: every partition to its first subscriber, until the solver lands.
fn placeholder(index: &GroupIndex<'_>) -> Vec<u32> {
    let mut owner = vec![crate::index::NONE; index.total_partitions as usize];
    for m in (0..index.members.len()).rev() {
        for &t in index.subscriptions.row(m) {
            let topic = &index.topics[t as usize];
            owner[topic.start as usize..(topic.start + topic.partitions) as usize].fill(m as u32);
        }
    }
    owner
}
