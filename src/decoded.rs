//! The leader's group in integers: one name table for the whole group,
//! each member's subscription as name ids and its owned partitions as (name
//! id, partition) pairs. The protocol module fills it from JoinGroup bytes
//! (`DecodedGroup::decode`, in `protocol/decoded.rs`); the strategies read
//! it ([`Assignor::assign_decoded`](crate::Assignor::assign_decoded)) as
//! they read a [`Group`](crate::Group). It lives outside the protocol module so that the
//! strategies, which the protocol's leader calls, need not import the
//! protocol: data flows protocol -> decoded -> strategies, one way.

use std::sync::Arc;

use crate::model::{Member, Topic};
use crate::spare::Spare;

/// A group as its leader decoded it from the members' JoinGroup metadata,
/// with every name interned once for the whole group.
///
/// Built by `protocol::lead` (see `protocol::LeaderAssignment::decoded`) or
/// by `DecodedGroup::decode`; read by [`Assignor::assign_decoded`](crate::Assignor::assign_decoded).
/// [`to_group`](Self::to_group) gives the same [`Group`](crate::Group) that decoding each
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
    /// Per member (missing at the end: `false`), whether its user data is
    /// left out of `members` because the claims and the generation rebuild
    /// it byte for byte (see `protocol/decoded.rs`).
    pub(crate) rebuilt_user_data: Vec<bool>,
    /// The lists of the answer before this one on the same leader, for this
    /// group's answer to fill (see `spare.rs`); not part of the value.
    pub(crate) spare: Spare,
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
}

/// A member's subscription or claims named an id the builder never gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedGroupError {
    kind: DecodedGroupErrorKind,
}

/// Why a [`DecodedGroupBuilder`] refused a member.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodedGroupErrorKind {
    /// A subscribed topic or an owned partition's topic is not a name id
    /// of the builder's table.
    UnknownName {
        /// The member.
        member: String,
        /// The id.
        id: u32,
        /// How many names the table holds.
        names: usize,
    },
}

impl DecodedGroupError {
    /// Why.
    pub fn kind(&self) -> &DecodedGroupErrorKind {
        &self.kind
    }
}

impl std::fmt::Display for DecodedGroupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            DecodedGroupErrorKind::UnknownName { member, id, names } => write!(
                f,
                "member {member:?} names topic id {id}, outside the {names} names of the group"
            ),
        }
    }
}

impl std::error::Error for DecodedGroupError {}

/// Builds a [`DecodedGroup`] from name ids, for a caller that holds its
/// group in integers already (a binding that interned the names on its own
/// side): no `Arc<str>` per member per topic and no [`TopicPartition`](crate::TopicPartition) per
/// owned partition, as the decoder's own group.
///
/// Names are interned by text ([`name`](Self::name)): the metadata's topics
/// get ids `0..topics.len()` in their order (a repeated name keeps its first
/// id), every other name the next free id. Members are added in the order
/// the leader received them ([`member`](Self::member)); a member whose
/// subscribed ids equal the previous member's shares that member's list.
///
/// ```
/// use kafka_assignors::protocol::DecodedGroup;
/// use kafka_assignors::{Assignor, CooperativeStickyAssignor, Member, Topic};
///
/// let mut builder = DecodedGroup::builder(vec![Topic::new("orders", 2)]);
/// let orders = builder.name("orders");
/// builder
///     .member(Member::new("c1").with_generation(3), &[orders], [(orders, 0), (orders, 1)])
///     .unwrap();
/// builder.member(Member::new("c2"), &[orders], []).unwrap();
/// let group = builder.build();
/// let answer = CooperativeStickyAssignor::new().assign_decoded(&group).unwrap();
/// assert_eq!(answer, CooperativeStickyAssignor::new().assign(&group.to_group()).unwrap());
/// ```
#[derive(Debug, Clone)]
pub struct DecodedGroupBuilder {
    group: DecodedGroup,
    ids: indexmap::IndexSet<Arc<str>, foldhash::fast::RandomState>,
}

impl DecodedGroup {
    /// A builder for a group beside the metadata `topics` (see
    /// [`DecodedGroupBuilder`]).
    pub fn builder(topics: Vec<Topic>) -> DecodedGroupBuilder {
        DecodedGroup::empty(0).into_builder(topics)
    }

    /// A builder filling `self`, which is empty.
    pub(crate) fn into_builder(mut self, topics: Vec<Topic>) -> DecodedGroupBuilder {
        let mut ids = indexmap::IndexSet::with_capacity_and_hasher(
            topics.len(),
            foldhash::fast::RandomState::default(),
        );
        let topic_name = topics
            .iter()
            .map(|t| ids.insert_full(Arc::clone(&t.name)).0 as u32)
            .collect();
        self.topics = topics;
        self.topic_name = topic_name;
        self.claim_starts.push(0);
        DecodedGroupBuilder { group: self, ids }
    }

    /// Empties every list, keeping its capacity (and the spare).
    pub(crate) fn clear(&mut self) {
        self.topics.clear();
        self.topic_name.clear();
        self.names.clear();
        self.members.clear();
        self.subscribed.clear();
        self.subscribed_ranges.clear();
        self.claims.clear();
        self.claim_starts.clear();
        self.rebuilt_user_data.clear();
    }

    /// A group with no topics and no members, with room for `members`
    /// members' per-member lists.
    pub(crate) fn empty(members: usize) -> DecodedGroup {
        DecodedGroup {
            topics: Vec::new(),
            topic_name: Vec::new(),
            names: Vec::new(),
            members: Vec::with_capacity(members),
            subscribed: Vec::new(),
            subscribed_ranges: Vec::with_capacity(members),
            claims: Vec::new(),
            claim_starts: Vec::with_capacity(members + 1),
            rebuilt_user_data: Vec::new(),
            spare: Spare::default(),
        }
    }
}

impl DecodedGroupBuilder {
    /// The id of `name`, interned once by text.
    pub fn name(&mut self, name: &str) -> u32 {
        match self.ids.get_index_of(name) {
            Some(id) => id as u32,
            None => self.ids.insert_full(Arc::from(name)).0 as u32,
        }
    }

    /// How many names the table holds: the valid ids are `0..names()`.
    pub fn names(&self) -> usize {
        self.ids.len()
    }

    /// Room for `members` more members, `subscribed` more subscribed ids
    /// (members sharing the previous member's list take none) and `claims`
    /// more owned partitions, so that the lists do not grow by doubling.
    pub fn reserve(&mut self, members: usize, subscribed: usize, claims: usize) {
        self.group.members.reserve(members);
        self.group.subscribed_ranges.reserve(members);
        self.group.claim_starts.reserve(members);
        self.group.subscribed.reserve(subscribed);
        self.group.claims.reserve(claims);
    }

    /// Adds a member: its subscribed topics as name ids, in the order it
    /// listed them, and its owned partitions as (name id, partition), in
    /// the order the strategy reads them (for
    /// [`History::StickyUserData`](crate::History::StickyUserData)
    /// strategies, the user data's). The member's own `topics` and `owned`
    /// lists are ignored (left empty): the ids stand for them. Everything
    /// else (id, instance id, rack, generation, user data, owned source) is
    /// kept as given.
    ///
    /// # Errors
    ///
    /// [`DecodedGroupErrorKind::UnknownName`] for an id outside the table;
    /// the member is not added.
    pub fn member(
        &mut self,
        mut member: Member,
        subscribed: &[u32],
        claims: impl IntoIterator<Item = (u32, i32)>,
    ) -> Result<(), DecodedGroupError> {
        let names = self.ids.len();
        let unknown = |member: &Member, id: u32| DecodedGroupError {
            kind: DecodedGroupErrorKind::UnknownName {
                member: member.id.clone(),
                id,
                names,
            },
        };
        if let Some(&id) = subscribed.iter().find(|&&id| id as usize >= names) {
            return Err(unknown(&member, id));
        }
        let group = &mut self.group;
        let claims_start = group.claims.len();
        for (id, partition) in claims {
            if id as usize >= names {
                group.claims.truncate(claims_start);
                return Err(unknown(&member, id));
            }
            group.claims.push((id, partition));
        }
        let range = match group.subscribed_ranges.last() {
            Some(&(start, end)) if group.subscribed[start..end] == *subscribed => (start, end),
            _ => {
                let start = group.subscribed.len();
                group.subscribed.extend_from_slice(subscribed);
                (start, group.subscribed.len())
            }
        };
        group.subscribed_ranges.push(range);
        group.claim_starts.push(group.claims.len());
        member.topics = Vec::new();
        member.owned = Vec::new();
        group.members.push(member);
        Ok(())
    }

    /// The group.
    pub fn build(self) -> DecodedGroup {
        let mut group = self.group;
        group.names = self.ids.into_iter().collect();
        group
    }
}
