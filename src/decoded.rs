//! The leader's group in integers: one name table for the whole group,
//! each member's subscription as name ids and its owned partitions as (name
//! id, partition) pairs. The protocol module fills it from JoinGroup bytes
//! (`DecodedGroup::decode`, in `protocol/decoded.rs`); the strategies read
//! it ([`Assignor::assign_decoded`](crate::Assignor::assign_decoded)) as
//! they read a [`Group`]. It lives outside the protocol module so that the
//! strategies, which the protocol's leader calls, need not import the
//! protocol: data flows protocol -> decoded -> strategies, one way.

use std::sync::Arc;

use crate::model::{Group, Member, Topic, TopicPartition};

/// A group as its leader decoded it from the members' JoinGroup metadata,
/// with every name interned once for the whole group.
///
/// Built by `protocol::lead` (see `protocol::LeaderAssignment::decoded`) or
/// by `DecodedGroup::decode`; read by [`Assignor::assign_decoded`](crate::Assignor::assign_decoded).
/// [`to_group`](Self::to_group) gives the same [`Group`] that decoding each
/// member with `protocol::decode_member` gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedGroup {
    /// The metadata, as the leader passed it.
    pub(crate) topics: Vec<Topic>,
    /// Per metadata topic, the id of its name.
    pub(crate) topic_name: Vec<u32>,
    /// Every name, by id: the metadata's own first, then the others in the
    /// order members named them.
    pub(crate) names: Vec<Arc<str>>,
    /// The members without their topics and owned partitions, which are
    /// kept as ids below. In the order the leader received them.
    pub(crate) members: Vec<Member>,
    /// Per member, its subscribed topics' name ids in wire order:
    /// `subscribed[subscribed_ranges[m].0..subscribed_ranges[m].1]`. Members
    /// whose lists were found equal when they were read share one range, so
    /// equal ranges are equal lists (and unequal ranges may still be).
    pub(crate) subscribed: Vec<u32>,
    pub(crate) subscribed_ranges: Vec<(usize, usize)>,
    /// Per member, its owned partitions as (name id, partition), in wire
    /// order (from the sticky user data for [`History::StickyUserData`](crate::History::StickyUserData)).
    pub(crate) claims: Vec<(u32, i32)>,
    pub(crate) claim_starts: Vec<usize>,
}

impl DecodedGroup {
    /// The metadata the group was decoded beside.
    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }

    /// How many members there are.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Where member `m`'s subscribed list lies in the shared list: members
    /// with one range have one list.
    pub(crate) fn subscribed_range(&self, m: usize) -> (usize, usize) {
        self.subscribed_ranges[m]
    }

    /// Member `m`'s subscribed topics' name ids, in wire order.
    pub(crate) fn subscribed(&self, m: usize) -> &[u32] {
        let (start, end) = self.subscribed_ranges[m];
        &self.subscribed[start..end]
    }

    /// Member `m`'s owned partitions as (name id, partition), in wire order.
    pub(crate) fn claims(&self, m: usize) -> &[(u32, i32)] {
        &self.claims[self.claim_starts[m]..self.claim_starts[m + 1]]
    }

    /// The model's group: each member with its topics and owned partitions
    /// as names (the table's own `Arc`s, so one allocation per name for the
    /// whole group), in the order the members were received.
    pub fn to_group(&self) -> Group {
        let mut group = Group::new();
        group.topics = self.topics.clone();
        group.members = (0..self.members.len())
            .map(|m| {
                let mut member = self.members[m].clone();
                member.topics = self
                    .subscribed(m)
                    .iter()
                    .map(|&id| Arc::clone(&self.names[id as usize]))
                    .collect();
                member.owned = self
                    .claims(m)
                    .iter()
                    .map(|&(id, p)| TopicPartition::new(Arc::clone(&self.names[id as usize]), p))
                    .collect();
                member
            })
            .collect();
        group
    }
}
