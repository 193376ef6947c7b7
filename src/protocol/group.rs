//! The rebalance as bytes: what a member sends in JoinGroup, which strategy
//! the broker picks, what the leader sends in SyncGroup, and what a member
//! makes of its assignment.

use std::fmt;
use std::sync::Arc;

use crate::assignor::Assignor;
use crate::decoded::DecodedGroup;
use crate::error::AssignError;
use crate::java::java_cmp;
use crate::model::{Group, History, Member, RebalanceProtocol, Topic, TopicPartition};
use crate::protocol::consumer::{AssignmentData, RunEncoder, Subscription};
use crate::protocol::user_data::{StickyUserData, cooperative_user_data, java_string_hash};
use crate::protocol::wire::{DecodeError, EncodeError};
use crate::strategy::Strategy;

/// A group could not agree on a rebalance protocol or a strategy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NegotiationError {
    /// No strategy was configured (or a member offered none).
    #[error("no strategy configured")]
    NoStrategy,
    /// The configured strategies share no rebalance protocol.
    #[error("strategies {strategies:?} have no rebalance protocol in common")]
    NoCommonProtocol {
        /// The configured strategy names.
        strategies: Vec<&'static str>,
    },
    /// No strategy is offered by every member.
    #[error("no strategy is supported by every member")]
    NoCommonStrategy,
    /// The group has no members.
    #[error("the group has no members")]
    EmptyGroup,
    /// A member's metadata could not be encoded.
    #[error("cannot encode the subscription for {strategy}: {source}")]
    Encode {
        /// The strategy whose metadata failed.
        strategy: &'static str,
        /// Why.
        source: EncodeError,
    },
}

/// The rebalance protocol a consumer with these strategies runs: the newest
/// one every strategy supports, as the Java `ConsumerCoordinator` chooses it.
pub fn rebalance_protocol(strategies: &[Strategy]) -> Result<RebalanceProtocol, NegotiationError> {
    let (first, rest) = strategies
        .split_first()
        .ok_or(NegotiationError::NoStrategy)?;
    first
        .supported_protocols()
        .iter()
        .copied()
        .filter(|p| rest.iter().all(|s| s.supported_protocols().contains(p)))
        .max()
        .ok_or_else(|| NegotiationError::NoCommonProtocol {
            strategies: strategies.iter().map(|s| s.name()).collect(),
        })
}

/// What a consumer knows when it (re)joins its group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientState {
    /// The topics it subscribes to.
    pub topics: Vec<Arc<str>>,
    /// Its current assignment (the last one received).
    pub assigned: Vec<TopicPartition>,
    /// The generation of its current assignment; `None` before the first.
    pub generation: Option<i32>,
    /// `client.rack`.
    pub rack: Option<String>,
}

impl ClientState {
    /// A consumer subscribing to `topics` that has not joined yet.
    pub fn new<I>(topics: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Arc<str>>,
    {
        ClientState {
            topics: topics.into_iter().map(Into::into).collect(),
            ..ClientState::default()
        }
    }

    /// Sets the current assignment and its generation.
    pub fn with_assignment(
        mut self,
        assigned: impl IntoIterator<Item = TopicPartition>,
        generation: i32,
    ) -> Self {
        self.assigned = assigned.into_iter().collect();
        self.generation = Some(generation);
        self
    }

    /// Sets the rack.
    pub fn with_rack(mut self, rack: impl Into<String>) -> Self {
        self.rack = Some(rack.into());
        self
    }
}

impl From<&Member> for ClientState {
    /// What a member rejoining with this subscription and history knows:
    /// its topics, its owned partitions as its current assignment, their
    /// generation and its rack. The way back from the model to the bytes a
    /// client would send (with [`join_protocols`]), for replays, tests and
    /// benchmarks.
    fn from(member: &Member) -> Self {
        ClientState {
            topics: member.topics.clone(),
            assigned: member.owned.clone(),
            generation: member.generation,
            rack: member.rack.clone(),
        }
    }
}

/// One entry of a JoinGroup protocol list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JoinProtocol {
    /// The strategy.
    pub strategy: Strategy,
    /// Its encoded [`Subscription`] (newest version).
    pub metadata: Vec<u8>,
}

/// The JoinGroup protocol list of a consumer configured with `strategies`, in
/// its preference order, as the Java `ConsumerCoordinator` builds it.
///
/// Every entry carries the same topics, rack and generation (-1 before the
/// first assignment) and the partitions the member still owns when it joins:
/// none under the eager protocol, which revokes everything first, the current
/// assignment under the cooperative one. The user data depends on the
/// strategy: `sticky` sends its previous assignment and generation (V1; null
/// before the first assignment), `cooperative-sticky` its generation (4
/// bytes), the others none.
pub fn join_protocols(
    strategies: &[Strategy],
    state: &ClientState,
) -> Result<Vec<JoinProtocol>, NegotiationError> {
    let protocol = rebalance_protocol(strategies)?;
    let owned = match protocol {
        RebalanceProtocol::Eager => Vec::new(),
        RebalanceProtocol::Cooperative => state.assigned.clone(),
    };
    strategies
        .iter()
        .map(|&strategy| {
            let encode_error = |source| NegotiationError::Encode {
                strategy: strategy.name(),
                source,
            };
            let user_data = match strategy.history() {
                History::StickyUserData => state
                    .generation
                    .map(|g| StickyUserData::new(state.assigned.iter().cloned(), Some(g)).encode())
                    .transpose()
                    .map_err(encode_error)?,
                History::CooperativeGeneration => {
                    Some(cooperative_user_data(state.generation).to_vec())
                }
                _ => None,
            };
            let subscription = Subscription {
                topics: state.topics.clone(),
                user_data,
                owned_partitions: owned.clone(),
                generation: state.generation,
                rack: state.rack.clone(),
            };
            Ok(JoinProtocol {
                strategy,
                metadata: subscription.encode().map_err(encode_error)?,
            })
        })
        .collect()
}

/// The strategy the broker picks for a group, given each member's strategies
/// in its preference order: among the strategies every member offers, each
/// member votes for the first it prefers, and the most votes win.
///
/// A tie goes the way the Java broker's `ClassicGroup.selectProtocol` breaks
/// it: the first of the tied names in its `HashMap` iteration order, which
/// for these four names is `sticky`, `range`, `roundrobin`,
/// `cooperative-sticky`.
pub fn select_strategy<M>(members: &[M]) -> Result<Strategy, NegotiationError>
where
    M: AsRef<[Strategy]>,
{
    if members.is_empty() {
        return Err(NegotiationError::EmptyGroup);
    }
    let candidates: Vec<Strategy> = Strategy::ALL
        .into_iter()
        .filter(|s| members.iter().all(|m| m.as_ref().contains(s)))
        .collect();
    if candidates.is_empty() {
        return Err(NegotiationError::NoCommonStrategy);
    }
    let mut votes = [0usize; Strategy::ALL.len()];
    for member in members {
        if let Some(vote) = member.as_ref().iter().find(|s| candidates.contains(s)) {
            votes[position(*vote)] += 1;
        }
    }
    let mut order = Strategy::ALL;
    order.sort_by_key(|s| spread_bucket(s.name()));
    // Strictly greater: the first in iteration order keeps a tie.
    let mut best: Option<Strategy> = None;
    for s in order {
        let v = votes[position(s)];
        if v > 0 && best.is_none_or(|b| v > votes[position(b)]) {
            best = Some(s);
        }
    }
    best.ok_or(NegotiationError::NoCommonStrategy)
}

fn position(s: Strategy) -> usize {
    Strategy::ALL.iter().position(|&x| x == s).unwrap_or(0)
}

/// The bucket of a name in a 16-bucket Java `HashMap`.
fn spread_bucket(name: &str) -> u32 {
    let h = java_string_hash(name);
    (h ^ (h >> 16)) & 15
}

/// One member as the JoinGroup response lists it to the leader.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JoinedMember {
    /// The member id.
    pub member_id: String,
    /// `group.instance.id`, for static members.
    pub group_instance_id: Option<String>,
    /// Its metadata for the chosen strategy: an encoded [`Subscription`].
    pub metadata: Vec<u8>,
}

impl JoinedMember {
    /// A member with its metadata.
    pub fn new(
        member_id: impl Into<String>,
        group_instance_id: Option<String>,
        metadata: impl Into<Vec<u8>>,
    ) -> Self {
        JoinedMember {
            member_id: member_id.into(),
            group_instance_id,
            metadata: metadata.into(),
        }
    }
}

/// The leader could not assign the group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderError {
    pub(crate) kind: LeaderErrorKind,
}

/// Why the leader could not assign the group.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LeaderErrorKind {
    /// A member's metadata is not a readable subscription.
    BadMetadata {
        /// The member.
        member: String,
        /// Why.
        source: DecodeError,
    },
    /// The decoded group breaks a rule of the model.
    Assign(AssignError),
    /// A member's assignment cannot be encoded.
    Encode {
        /// The member.
        member: String,
        /// Why.
        source: EncodeError,
    },
}

impl LeaderError {
    /// Why, with the member concerned.
    pub fn kind(&self) -> &LeaderErrorKind {
        &self.kind
    }
}

impl fmt::Display for LeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            LeaderErrorKind::BadMetadata { member, source } => {
                write!(f, "member {member:?} sent unreadable metadata: {source}")
            }
            LeaderErrorKind::Assign(e) => write!(f, "{e}"),
            LeaderErrorKind::Encode { member, source } => {
                write!(
                    f,
                    "cannot encode the assignment of member {member:?}: {source}"
                )
            }
        }
    }
}

impl std::error::Error for LeaderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            LeaderErrorKind::BadMetadata { source, .. } => Some(source),
            LeaderErrorKind::Assign(e) => Some(e),
            LeaderErrorKind::Encode { source, .. } => Some(source),
        }
    }
}

/// What the leader decided, as bytes and as data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LeaderAssignment {
    /// The strategy's answer.
    pub assignment: crate::Assignment,
    /// Each member's SyncGroup assignment bytes, in member-id order.
    pub sync: Vec<(String, Vec<u8>)>,
    decoded: DecodedGroup,
}

impl LeaderAssignment {
    /// The group as the leader decoded it, interned.
    pub fn decoded(&self) -> &DecodedGroup {
        &self.decoded
    }

    /// The group the leader decoded from the members' metadata, as the
    /// model's [`Group`] (built on each call; the leader itself never
    /// needs it).
    pub fn group(&self) -> Group {
        self.decoded.to_group()
    }
}

/// Decodes one member's metadata into the model as `assignor` reads it
/// ([`Assignor::history`]).
///
/// `sticky` takes the previous assignment and generation from its user data
/// ([`OwnedSource::StickyUserData`](crate::OwnedSource::StickyUserData)); `cooperative-sticky` from the
/// subscription's owned partitions and generation, taking the generation from
/// its user data when the subscription has none (v0 and v1), as the Java
/// client does; `range` and `roundrobin` from the subscription.
///
/// # Errors
///
/// [`LeaderErrorKind::BadMetadata`] naming the member and the byte offset.
pub fn decode_member(
    assignor: impl Assignor,
    joined: &JoinedMember,
) -> Result<Member, LeaderError> {
    let decoded = DecodedGroup::decode(assignor, std::slice::from_ref(joined), Vec::new())?;
    Ok(decoded
        .to_group()
        .members
        .pop()
        .expect("one member decoded"))
}

/// The leader's work: decodes every member's metadata, runs `assignor` over
/// the group and `topics`, and encodes each member's assignment at the newest
/// version, as the Java leader sends it in SyncGroup.
///
/// Any [`Assignor`] leads: a [`Strategy`] by name, a configured one
/// (`StickyAssignor::new().with_rack_match(RackMatch::Leader)`), or a
/// user's own, which says through [`Assignor::history`] where its members'
/// history is on the wire. The metadata is decoded straight into a
/// [`DecodedGroup`], which the built-in strategies read as it is
/// ([`Assignor::assign_decoded`]); a user's own assignor gets the model's
/// [`Group`].
///
/// # Errors
///
/// A member whose metadata cannot be read fails the whole call with an error
/// naming it; no member is dropped. So does a group the assignor refuses,
/// and an answer that cannot be encoded.
pub fn lead(
    assignor: impl Assignor,
    members: &[JoinedMember],
    topics: Vec<Topic>,
) -> Result<LeaderAssignment, LeaderError> {
    let decoded = DecodedGroup::decode(&assignor, members, topics)?;
    let assignment = assign_decoded(&assignor, &decoded)?;
    let mut sync = Vec::with_capacity(assignment.len());
    encode_sync(&assignment, &mut Vec::new(), |id, bytes| {
        sync.push((id.to_string(), std::mem::take(bytes)));
    })?;
    Ok(LeaderAssignment {
        assignment,
        sync,
        decoded,
    })
}

fn assign_decoded(
    assignor: &impl Assignor,
    decoded: &DecodedGroup,
) -> Result<crate::Assignment, LeaderError> {
    assignor.assign_decoded(decoded).map_err(|e| LeaderError {
        kind: LeaderErrorKind::Assign(e),
    })
}

/// Appends each member's SyncGroup bytes, in member-id order, to `bytes`,
/// handing it to `done` after each member (which may empty it or keep it).
fn encode_sync(
    assignment: &crate::Assignment,
    bytes: &mut Vec<u8>,
    mut done: impl FnMut(&str, &mut Vec<u8>),
) -> Result<(), LeaderError> {
    let encoder = RunEncoder::new(assignment.topic_names());
    for m in assignment.members() {
        // Straight from the answer's runs: no partition is copied.
        encoder
            .encode_member(&m, bytes)
            .map_err(|source| LeaderError {
                kind: LeaderErrorKind::Encode {
                    member: m.id().to_string(),
                    source,
                },
            })?;
        done(m.id(), bytes);
    }
    Ok(())
}

/// A group's leader across rebalances: [`lead`], keeping its memory from
/// one rebalance to the next.
///
/// A large group's answer is tens of megabytes (a million partitions: the
/// decoded owned lists, the answer, every member's SyncGroup bytes), and
/// the allocator gives such blocks back to the system once they are
/// dropped, so each call of [`lead`] faults them in afresh: on a 2-core
/// machine about half of a million-partition leader's time. A `Leader`
/// kept by the client for the group's life fills the same memory again,
/// and hands out each member's bytes as a slice of one buffer, to be
/// copied into the SyncGroup request the client writes anyway.
///
/// ```
/// use kafka_assignors::protocol::{ClientState, JoinedMember, Leader, join_protocols};
/// use kafka_assignors::{Strategy, Topic};
///
/// let state = ClientState::new(["orders"]);
/// let metadata = join_protocols(&[Strategy::Range], &state).unwrap()[0].metadata.clone();
/// let joined: Vec<JoinedMember> = ["m1", "m2"]
///     .iter()
///     .map(|id| JoinedMember::new(*id, None, metadata.clone()))
///     .collect();
/// let mut leader = Leader::new();
/// for _rebalance in 0..2 {
///     let led = leader.lead(Strategy::Range, &joined, vec![Topic::new("orders", 4)]).unwrap();
///     let sync: Vec<(&str, &[u8])> = led.sync().collect();
///     assert_eq!(sync.len(), 2);
///     assert_eq!(sync[0].0, "m1");
/// }
/// ```
#[derive(Debug, Default)]
pub struct Leader {
    /// The last group decoded, whose lists the next decode fills.
    decoded: Option<DecodedGroup>,
    /// The last answer.
    assignment: Option<crate::Assignment>,
    /// Every member's SyncGroup bytes, back to back, in member-id order...
    sync: Vec<u8>,
    /// ...member `m`'s from `sync_bounds[m]` to `sync_bounds[m + 1]`.
    sync_bounds: Vec<usize>,
}

impl Leader {
    /// A leader that has not led yet.
    pub fn new() -> Self {
        Leader::default()
    }

    /// What [`lead`] does, in this leader's memory: the answer and bytes of
    /// the rebalance before are gone once this is called.
    ///
    /// # Errors
    ///
    /// As [`lead`].
    pub fn lead(
        &mut self,
        assignor: impl Assignor,
        members: &[JoinedMember],
        topics: Vec<Topic>,
    ) -> Result<Led<'_>, LeaderError> {
        let previous = self.decoded.take();
        if let (Some(previous), Some(answer)) = (&previous, self.assignment.take()) {
            previous.spare.put(answer.into_lists());
        }
        self.sync.clear();
        self.sync_bounds.clear();
        self.sync_bounds.push(0);
        let decoded = DecodedGroup::decode_reusing(&assignor, members, topics, previous)?;
        let decoded = self.decoded.insert(decoded);
        let assignment = self.assignment.insert(assign_decoded(&assignor, decoded)?);
        let bounds = &mut self.sync_bounds;
        encode_sync(assignment, &mut self.sync, |_, bytes| {
            bounds.push(bytes.len())
        })?;
        Ok(Led { leader: self })
    }
}

/// What a [`Leader`] decided in its last rebalance, borrowed from it.
#[derive(Debug, Clone, Copy)]
pub struct Led<'l> {
    leader: &'l Leader,
}

impl<'l> Led<'l> {
    /// The strategy's answer.
    pub fn assignment(&self) -> &'l crate::Assignment {
        self.leader.assignment.as_ref().expect("led")
    }

    /// The group as the leader decoded it, interned.
    pub fn decoded(&self) -> &'l DecodedGroup {
        self.leader.decoded.as_ref().expect("led")
    }

    /// Each member's id and SyncGroup assignment bytes, in member-id order:
    /// the bytes [`lead`] gives for the same group.
    pub fn sync(&self) -> impl ExactSizeIterator<Item = (&'l str, &'l [u8])> + 'l {
        let leader = self.leader;
        let ids = self.assignment().members().map(|m| m.id());
        ids.zip(leader.sync_bounds.windows(2))
            .map(|(id, bounds)| (id, &leader.sync[bounds[0]..bounds[1]]))
    }
}

/// How a member's partitions change with a new assignment: the cooperative
/// protocol's two lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AssignmentChange {
    /// Partitions newly assigned (assigned now, not owned before).
    pub added: Vec<TopicPartition>,
    /// Partitions to revoke (owned before, not assigned now).
    pub revoked: Vec<TopicPartition>,
    /// Partitions kept.
    pub kept: Vec<TopicPartition>,
}

/// Compares what a member owned with its new assignment. Each list is in
/// (topic, partition) order, Java string order for topics, repeats removed.
pub fn assignment_change(owned: &[TopicPartition], assigned: &AssignmentData) -> AssignmentChange {
    let sorted = |list: &[TopicPartition]| {
        let mut v = list.to_vec();
        v.sort_by(|a, b| java_cmp(&a.topic, &b.topic).then(a.partition.cmp(&b.partition)));
        v.dedup();
        v
    };
    let (before, after) = (sorted(owned), sorted(&assigned.partitions));
    let contains = |list: &[TopicPartition], tp: &TopicPartition| {
        list.binary_search_by(|x| {
            java_cmp(&x.topic, &tp.topic).then(x.partition.cmp(&tp.partition))
        })
        .is_ok()
    };
    let mut change = AssignmentChange::default();
    for tp in &after {
        if contains(&before, tp) {
            change.kept.push(tp.clone());
        } else {
            change.added.push(tp.clone());
        }
    }
    change.revoked = before
        .into_iter()
        .filter(|tp| !contains(&after, tp))
        .collect();
    change
}

/// Decodes a SyncGroup assignment and compares it with what the member owned.
pub fn follow(
    owned: &[TopicPartition],
    assignment: &[u8],
) -> Result<(AssignmentData, AssignmentChange), DecodeError> {
    let decoded = AssignmentData::decode(assignment)?;
    let change = assignment_change(owned, &decoded.assignment);
    Ok((decoded.assignment, change))
}
