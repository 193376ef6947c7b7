//! The KIP-848 coordinator's per-member reconciliation, as pure functions.
//!
//! Under the consumer protocol every member heartbeats on its own, and on
//! each heartbeat the coordinator moves that one member a step closer to its
//! part of the group's *target assignment*, the way Kafka's
//! `CurrentAssignmentBuilder` does (`org.apache.kafka.coordinator.group.
//! modern.consumer`, read at kafka 4.3.1). [`reconcile`] is that step: the
//! member's [`CurrentAssignment`] and a [`Heartbeat`] (target, target epoch,
//! what the member reports owning) in, the next [`CurrentAssignment`] out,
//! or [`Reconciled::Unchanged`].
//!
//! # The state machine
//!
//! A member's record is its [`MemberState`], its member epoch (and the one
//! before), the partitions *assigned* to it (each with the epoch it was
//! assigned at) and the partitions *pending revocation* (taken from it, not
//! yet confirmed released). A step, with `T` the target (minus topics the
//! member no longer subscribes to) and `C` the assigned partitions:
//!
//! - **kept** = `C ∩ T` stays assigned with its old assignment epoch;
//! - **revoke** = `C \ T` is to be given up;
//! - **new** = `T \ C`, less every partition some member still holds (the
//!   owners query; a partition this member holds as pending revocation
//!   counts as free to itself).
//!
//! Then, in Kafka's order:
//!
//! 1. revoke is non-empty and the member still reports one of it (or
//!    reported nothing): [`UnrevokedPartitions`](MemberState::UnrevokedPartitions),
//!    assigned = kept, pending revocation = revoke, **the epoch does not
//!    move**; nothing new is given;
//! 2. else new is non-empty: assigned = kept ∪ new (new at the target
//!    epoch), epoch = target epoch,
//!    [`UnreleasedPartitions`](MemberState::UnreleasedPartitions) if
//!    some of `T` is still held elsewhere, else
//!    [`Stable`](MemberState::Stable);
//! 3. else some of `T` is held elsewhere: `UnreleasedPartitions` at the
//!    target epoch with assigned = kept;
//! 4. else `Stable` at the target epoch with assigned = kept.
//!
//! Which states run that step: `Stable` when its epoch is behind the target
//! epoch; `UnrevokedPartitions` once the heartbeat's owned partitions no
//! longer include any partition pending revocation (else it waits);
//! `UnreleasedPartitions` on every heartbeat (it picks up what was released
//! meanwhile); `Unknown` (a state from a newer coordinator) only if the
//! member reports owning nothing, at the target epoch, and otherwise the
//! member is fenced ([`ReconcileErrorKind::FencedUnknownState`]) and must
//! rejoin. When the member's subscription changed in this heartbeat and a
//! `Stable` member is at the target epoch (or an `UnrevokedPartitions` one
//! still waits), the assigned partitions of topics it dropped move to
//! pending revocation at once (`UnrevokedPartitions` if it still reports one
//! of them, else they are simply dropped).
//!
//! # Why a partition never has two owners
//!
//! The coordinator's owners query answers from every member's assigned and
//! pending revocation partitions. A partition leaves a member's record only
//! in three ways: it was pending revocation and the member's own heartbeat
//! no longer reports it (so the member has released it); the member never
//! reported owning it in the first place; or the member left or was fenced
//! and the coordinator dropped its whole record (a fenced client gives up
//! its partitions before it rejoins). A partition enters a member's
//! assigned set only in rule 2, and only if the owners query says no other
//! member holds it. So between the moment a partition is taken from one
//! member and the moment it is given to the next, the first member must have
//! confirmed its release, and the coordinator's records never show a
//! partition on two members (the property tests of `tests/server_reconcile.rs`
//! check this over random interleavings of heartbeats, joins, leaves,
//! fencing and target changes). Revocation also comes before assignment: a
//! member with something to revoke gets nothing new in that step and keeps
//! its epoch, so a member at epoch `e` owns nothing of epoch `e + 1`'s target
//! that another member may still hold.
//!
//! # Cost
//!
//! One step reads only this member's record, the target's partitions of
//! this member and the heartbeat's owned list: every set is a flat sorted
//! list of `(topic, partition)` (topics by id, partitions ascending), so the
//! step is one merge, `O(p)` with `p` the partitions of the member's record,
//! target and owned list together, plus at most one owners query per newly
//! targeted partition and one subscription query per run of a topic, and a
//! handful of allocations whatever `p` is. Nothing scans the group.
//! Building a [`PartitionSet`] from an unsorted list costs `O(k log k)` for
//! its `k` entries, `O(k)` from a sorted one.

use std::cmp::Ordering;
use std::fmt;

use super::TopicId;

/// Where a member stands in its reconciliation (Kafka's `MemberState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberState {
    /// The member owns its part of the target at the target epoch, or is
    /// behind and will be reconciled on its next heartbeat.
    Stable,
    /// The member must give up its partitions pending revocation; it stays
    /// at its epoch until its heartbeat no longer reports any of them.
    UnrevokedPartitions,
    /// The member is at the target epoch but some of its target is still
    /// held by other members; it gets them as they are released.
    UnreleasedPartitions,
    /// A state this version does not know (from a newer coordinator): the
    /// member is fenced unless it reports owning nothing.
    Unknown,
}

impl MemberState {
    /// Kafka's name for the state (`STABLE`, `UNREVOKED_PARTITIONS`, ...).
    pub const fn kafka_name(self) -> &'static str {
        match self {
            MemberState::Stable => "STABLE",
            MemberState::UnrevokedPartitions => "UNREVOKED_PARTITIONS",
            MemberState::UnreleasedPartitions => "UNRELEASED_PARTITIONS",
            MemberState::Unknown => "UNKNOWN",
        }
    }
}

impl fmt::Display for MemberState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kafka_name())
    }
}

/// Reconciliation input that no coordinator can produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileError {
    kind: ReconcileErrorKind,
}

impl ReconcileError {
    /// Which rule the input broke, with the values that broke it.
    pub fn kind(&self) -> &ReconcileErrorKind {
        &self.kind
    }
}

impl From<ReconcileErrorKind> for ReconcileError {
    fn from(kind: ReconcileErrorKind) -> Self {
        ReconcileError { kind }
    }
}

impl fmt::Display for ReconcileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.kind, f)
    }
}

impl std::error::Error for ReconcileError {}

/// Which rule reconciliation input broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReconcileErrorKind {
    /// A partition number is negative.
    #[error("topic {topic} has a negative partition number {partition}")]
    NegativePartition {
        /// The topic.
        topic: TopicId,
        /// The partition number given.
        partition: i32,
    },
    /// A member epoch, target epoch or assignment epoch is negative.
    #[error("the {what} {epoch} is negative")]
    NegativeEpoch {
        /// Which epoch (`member epoch`, `target epoch`, `assignment epoch`).
        what: &'static str,
        /// The epoch given.
        epoch: i32,
    },
    /// One partition is listed twice with two different assignment epochs.
    #[error("partition {partition} of topic {topic} is listed with epochs {first} and {second}")]
    ConflictingEpochs {
        /// The topic.
        topic: TopicId,
        /// The partition.
        partition: i32,
        /// The smaller epoch.
        first: i32,
        /// The larger epoch.
        second: i32,
    },
    /// A partition was assigned at an epoch after the member's epoch.
    #[error(
        "partition {partition} of topic {topic} has assignment epoch {epoch}, after the member epoch {member_epoch}"
    )]
    AssignmentEpochAhead {
        /// The topic.
        topic: TopicId,
        /// The partition.
        partition: i32,
        /// Its assignment epoch.
        epoch: i32,
        /// The member's epoch.
        member_epoch: i32,
    },
    /// A partition is both assigned to the member and pending its
    /// revocation.
    #[error("partition {partition} of topic {topic} is both assigned and pending revocation")]
    AssignedAndPendingRevocation {
        /// The topic.
        topic: TopicId,
        /// The partition.
        partition: i32,
    },
    /// A member waits to revoke but has nothing pending revocation.
    #[error("the member is in state UNREVOKED_PARTITIONS with nothing pending revocation")]
    NothingPendingRevocation,
    /// A member not waiting to revoke has partitions pending revocation.
    #[error("the member is in state {state} with {partitions} partitions pending revocation")]
    PendingRevocationOutsideUnrevoked {
        /// The member's state.
        state: MemberState,
        /// How many partitions are pending revocation.
        partitions: usize,
    },
    /// The member's epoch is after the target epoch (target epochs only
    /// grow, and a member's epoch is always one of them).
    #[error("the member epoch {member_epoch} is ahead of the target epoch {target_epoch}")]
    MemberEpochAheadOfTarget {
        /// The member's epoch.
        member_epoch: i32,
        /// The target epoch.
        target_epoch: i32,
    },
    /// The member is in [`MemberState::Unknown`] and reported owning
    /// partitions (or did not report): Kafka answers `FENCED_MEMBER_EPOCH`,
    /// and the member must give up everything and rejoin.
    #[error(
        "the member is in an unknown state and {}: it is fenced and must rejoin",
        match owned { Some(n) => format!("reported {n} owned partitions"), None => "did not report its owned partitions".to_owned() }
    )]
    FencedUnknownState {
        /// How many partitions it reported, `None` when it did not report.
        owned: Option<usize>,
    },
}

/// A set of partitions: `(topic, partition)` pairs sorted (topics by id,
/// partitions ascending), no duplicates, stored flat. A target assignment's
/// share of a member, or the partitions a member reports owning.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PartitionSet {
    items: Vec<(TopicId, i32)>,
}

impl PartitionSet {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The set of the given `(topic, partition)` pairs, in any order;
    /// repeats count once. `O(k log k)` for `k` pairs.
    pub fn from_partitions(
        pairs: impl IntoIterator<Item = (TopicId, i32)>,
    ) -> Result<Self, ReconcileError> {
        let mut items: Vec<(TopicId, i32)> = pairs.into_iter().collect();
        if let Some(&(topic, partition)) = items.iter().find(|(_, p)| *p < 0) {
            return Err(ReconcileErrorKind::NegativePartition { topic, partition }.into());
        }
        if !items.is_sorted() {
            items.sort_unstable();
        }
        items.dedup();
        Ok(PartitionSet { items })
    }

    /// The set of the given topics' partitions (a topic may repeat).
    pub fn from_topics<P: IntoIterator<Item = i32>>(
        topics: impl IntoIterator<Item = (TopicId, P)>,
    ) -> Result<Self, ReconcileError> {
        Self::from_partitions(
            topics
                .into_iter()
                .flat_map(|(topic, partitions)| partitions.into_iter().map(move |p| (topic, p))),
        )
    }

    /// Every `(topic, partition)`, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (TopicId, i32)> + '_ {
        self.items.iter().copied()
    }

    /// The topic's partitions, ascending.
    pub fn partitions(&self, topic: TopicId) -> impl Iterator<Item = i32> + '_ {
        let start = self.items.partition_point(|(t, _)| *t < topic);
        self.items[start..]
            .iter()
            .take_while(move |(t, _)| *t == topic)
            .map(|(_, p)| *p)
    }

    /// Whether the partition is in the set.
    pub fn contains(&self, topic: TopicId, partition: i32) -> bool {
        self.items.binary_search(&(topic, partition)).is_ok()
    }

    /// How many partitions the set holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the set holds nothing.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// Partitions, each with the epoch it was assigned to the member at
/// (Kafka's `Map<Uuid, Map<Integer, Integer>>`): `(topic, partition,
/// epoch)` sorted by topic id and partition, one entry per partition,
/// stored flat.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PartitionEpochs {
    items: Vec<(TopicId, i32, i32)>,
}

impl PartitionEpochs {
    /// The empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// The map of the given `(topic, partition, assignment epoch)` triples in
    /// any order; a repeat with the same epoch counts once, with another
    /// epoch it is an error. `O(k log k)` for `k` triples.
    pub fn from_partitions(
        triples: impl IntoIterator<Item = (TopicId, i32, i32)>,
    ) -> Result<Self, ReconcileError> {
        let mut items: Vec<(TopicId, i32, i32)> = triples.into_iter().collect();
        for &(topic, partition, epoch) in &items {
            if partition < 0 {
                return Err(ReconcileErrorKind::NegativePartition { topic, partition }.into());
            }
            if epoch < 0 {
                return Err(ReconcileErrorKind::NegativeEpoch {
                    what: "assignment epoch",
                    epoch,
                }
                .into());
            }
        }
        if !items.is_sorted() {
            items.sort_unstable();
        }
        items.dedup();
        if let Some(w) = items
            .windows(2)
            .find(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
        {
            return Err(ReconcileErrorKind::ConflictingEpochs {
                topic: w[0].0,
                partition: w[0].1,
                first: w[0].2,
                second: w[1].2,
            }
            .into());
        }
        Ok(PartitionEpochs { items })
    }

    /// Every `(topic, partition, assignment epoch)`, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (TopicId, i32, i32)> + '_ {
        self.items.iter().copied()
    }

    /// The partition's assignment epoch, if it is here.
    pub fn epoch(&self, topic: TopicId, partition: i32) -> Option<i32> {
        self.items
            .binary_search_by(|&(t, p, _)| (t, p).cmp(&(topic, partition)))
            .ok()
            .map(|i| self.items[i].2)
    }

    /// Whether the partition is here.
    pub fn contains(&self, topic: TopicId, partition: i32) -> bool {
        self.epoch(topic, partition).is_some()
    }

    /// The partitions without their epochs.
    pub fn to_set(&self) -> PartitionSet {
        PartitionSet {
            items: self.items.iter().map(|&(t, p, _)| (t, p)).collect(),
        }
    }

    /// How many partitions are here.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is here.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// A member's reconciliation record, as the coordinator keeps it: state,
/// epochs, assigned partitions and partitions pending revocation. Checked
/// once when built, so [`reconcile`] only checks it against the heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CurrentAssignment {
    state: MemberState,
    epoch: i32,
    previous_epoch: i32,
    assigned: PartitionEpochs,
    pending_revocation: PartitionEpochs,
}

impl Default for CurrentAssignment {
    fn default() -> Self {
        Self::joining()
    }
}

impl CurrentAssignment {
    /// A member that has just joined: `Stable` at epoch 0 (previous epoch
    /// -1), owning nothing, as Kafka creates it.
    pub fn joining() -> Self {
        CurrentAssignment {
            state: MemberState::Stable,
            epoch: 0,
            previous_epoch: -1,
            assigned: PartitionEpochs::new(),
            pending_revocation: PartitionEpochs::new(),
        }
    }

    /// A record from its parts, checked: epochs not negative (the previous
    /// epoch may be -1, "none"), no assignment epoch after the member epoch,
    /// nothing both assigned and pending revocation, partitions pending
    /// revocation exactly when the state is `UnrevokedPartitions` (any in
    /// `Unknown`). `O(p)`.
    pub fn new(
        state: MemberState,
        epoch: i32,
        previous_epoch: i32,
        assigned: PartitionEpochs,
        pending_revocation: PartitionEpochs,
    ) -> Result<Self, ReconcileError> {
        if epoch < 0 {
            return Err(ReconcileErrorKind::NegativeEpoch {
                what: "member epoch",
                epoch,
            }
            .into());
        }
        if previous_epoch < -1 {
            return Err(ReconcileErrorKind::NegativeEpoch {
                what: "previous member epoch",
                epoch: previous_epoch,
            }
            .into());
        }
        for (topic, partition, e) in assigned.iter().chain(pending_revocation.iter()) {
            if e > epoch {
                return Err(ReconcileErrorKind::AssignmentEpochAhead {
                    topic,
                    partition,
                    epoch: e,
                    member_epoch: epoch,
                }
                .into());
            }
        }
        if let Some((topic, partition)) = first_common(&assigned.items, &pending_revocation.items) {
            return Err(
                ReconcileErrorKind::AssignedAndPendingRevocation { topic, partition }.into(),
            );
        }
        match state {
            MemberState::UnrevokedPartitions if pending_revocation.is_empty() => {
                return Err(ReconcileErrorKind::NothingPendingRevocation.into());
            }
            MemberState::Stable | MemberState::UnreleasedPartitions
                if !pending_revocation.is_empty() =>
            {
                return Err(ReconcileErrorKind::PendingRevocationOutsideUnrevoked {
                    state,
                    partitions: pending_revocation.len(),
                }
                .into());
            }
            _ => {}
        }
        Ok(CurrentAssignment {
            state,
            epoch,
            previous_epoch,
            assigned,
            pending_revocation,
        })
    }

    /// The member's state.
    pub fn state(&self) -> MemberState {
        self.state
    }

    /// The member epoch.
    pub fn epoch(&self) -> i32 {
        self.epoch
    }

    /// The epoch before the last change of the record (-1 for none); Kafka
    /// accepts a heartbeat at this epoch when its response was lost.
    pub fn previous_epoch(&self) -> i32 {
        self.previous_epoch
    }

    /// The partitions assigned to the member, with their assignment epochs:
    /// what the heartbeat response tells the member to own.
    pub fn assigned(&self) -> &PartitionEpochs {
        &self.assigned
    }

    /// The partitions the member must release.
    pub fn pending_revocation(&self) -> &PartitionEpochs {
        &self.pending_revocation
    }

    /// Whether the member owns its target at `target_epoch` (Kafka's
    /// `isReconciledTo`).
    pub fn is_reconciled_to(&self, target_epoch: i32) -> bool {
        self.state == MemberState::Stable && self.epoch == target_epoch
    }

    /// Every partition this record holds (assigned, then pending
    /// revocation): what the owners query must answer for this member.
    pub fn held(&self) -> impl Iterator<Item = (TopicId, i32)> + '_ {
        self.assigned
            .iter()
            .chain(self.pending_revocation.iter())
            .map(|(t, p, _)| (t, p))
    }
}

/// Answers whether a partition is held by a member of the group (in its
/// assigned partitions or pending its revocation), as Kafka's
/// `currentPartitionEpoch` does: the holder's member epoch, or `None` when
/// the partition is free. The answer may include the reconciled member
/// itself; a partition it holds as pending revocation counts as free to it.
///
/// Any `Fn(TopicId, i32) -> Option<i32>` is one.
pub trait PartitionOwners {
    /// The epoch of the member holding the partition, `None` when free.
    fn owner_epoch(&self, topic: TopicId, partition: i32) -> Option<i32>;
}

impl<F: Fn(TopicId, i32) -> Option<i32> + ?Sized> PartitionOwners for F {
    fn owner_epoch(&self, topic: TopicId, partition: i32) -> Option<i32> {
        self(topic, partition)
    }
}

/// Answers whether the member subscribes to a topic (its subscribed names
/// and resolved regular expression, resolved to ids). A target partition of
/// a topic it does not subscribe to is treated as not targeted.
///
/// Any `Fn(TopicId) -> bool` is one.
pub trait Subscription {
    /// Whether the member subscribes to the topic.
    fn is_subscribed(&self, topic: TopicId) -> bool;
}

impl<F: Fn(TopicId) -> bool + ?Sized> Subscription for F {
    fn is_subscribed(&self, topic: TopicId) -> bool {
        self(topic)
    }
}

/// What the coordinator knows at one heartbeat of one member.
#[derive(Debug, Clone, Copy)]
pub struct Heartbeat<'a> {
    /// The epoch of the group's current target assignment.
    pub target_epoch: i32,
    /// The member's part of the target assignment.
    pub target: &'a PartitionSet,
    /// The partitions the member reports owning in this heartbeat; `None`
    /// when the request does not carry the field (then nothing counts as
    /// released).
    pub owned: Option<&'a PartitionSet>,
    /// Whether this heartbeat changed the member's subscription.
    pub subscription_changed: bool,
}

/// The outcome of one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reconciled {
    /// The record stays as it was (Kafka returns the same member and writes
    /// no record).
    Unchanged,
    /// The record's next value.
    Updated(CurrentAssignment),
}

impl Reconciled {
    /// The record after the step, given the one before.
    pub fn into_next(self, current: &CurrentAssignment) -> CurrentAssignment {
        match self {
            Reconciled::Unchanged => current.clone(),
            Reconciled::Updated(next) => next,
        }
    }
}

/// One reconciliation step of one member, on one heartbeat, with the
/// semantics of Kafka's `CurrentAssignmentBuilder` (kafka 4.3.1).
///
/// With `T` the target (less topics the member no longer subscribes to)
/// and `C` its assigned partitions: *kept* = `C ∩ T` keeps its assignment
/// epochs, *revoke* = `C \ T`, *new* = `T \ C` less every partition the
/// `owners` query says is held (by another member; what this member holds
/// as pending revocation is free to it). Then, in order:
///
/// 1. something to revoke that the heartbeat still reports owning (or no
///    report at all): [`MemberState::UnrevokedPartitions`], assigned = kept,
///    pending revocation = revoke, the epoch unchanged, nothing new;
/// 2. else something new: assigned = kept ∪ new (new at the target epoch),
///    the target epoch, `UnreleasedPartitions` if part of `T` is still held
///    elsewhere, else `Stable`;
/// 3. else part of `T` held elsewhere: `UnreleasedPartitions` at the target
///    epoch;
/// 4. else `Stable` at the target epoch.
///
/// `Stable` members run these rules when behind the target epoch,
/// `UnrevokedPartitions` ones once nothing pending revocation is reported
/// any more, `UnreleasedPartitions` ones on every heartbeat, `Unknown` ones
/// only when reporting no partitions (else they are fenced). A subscription
/// change moves the assigned partitions of dropped topics to pending
/// revocation at once. Because a partition enters a member's assigned set
/// only in rule 2 and only when no one else holds it, and leaves a record
/// only once its owner stopped reporting it (or never did, or left), no
/// partition is ever given to a member before its previous owner released
/// it.
///
/// Cost: one merge, `O(p)` in the member's own partitions (its record, its
/// target and its owned list), plus at most one `owners` query per
/// partition newly in its target and one `subscription` query per run of a
/// topic; nothing about the rest of the group is read.
///
/// Errors: a negative target epoch, a member epoch ahead of the target
/// epoch, or (in state `Unknown`) the fencing Kafka answers with.
///
/// ```
/// use kafka_assignors::server::{
///     CurrentAssignment, Heartbeat, MemberState, PartitionSet, TopicId, reconcile,
/// };
///
/// let orders = TopicId::from(1u128);
/// // A member joins; its target at epoch 3 is partitions 0 and 1, and
/// // partition 1 is still held by another member.
/// let target = PartitionSet::from_partitions([(orders, 0), (orders, 1)])?;
/// let owned = PartitionSet::new();
/// let heartbeat = Heartbeat {
///     target_epoch: 3,
///     target: &target,
///     owned: Some(&owned),
///     subscription_changed: false,
/// };
/// let member = CurrentAssignment::joining();
/// let held = |_: TopicId, partition: i32| (partition == 1).then_some(2);
/// let next = reconcile(&member, &heartbeat, &|_| true, &held)?.into_next(&member);
/// assert_eq!(next.state(), MemberState::UnreleasedPartitions);
/// assert_eq!(next.epoch(), 3);
/// assert_eq!(next.assigned().to_set(), PartitionSet::from_partitions([(orders, 0)])?);
/// # Ok::<(), kafka_assignors::server::ReconcileError>(())
/// ```
pub fn reconcile<S, O>(
    member: &CurrentAssignment,
    heartbeat: &Heartbeat<'_>,
    subscription: &S,
    owners: &O,
) -> Result<Reconciled, ReconcileError>
where
    S: Subscription + ?Sized,
    O: PartitionOwners + ?Sized,
{
    let target_epoch = heartbeat.target_epoch;
    if target_epoch < 0 {
        return Err(ReconcileErrorKind::NegativeEpoch {
            what: "target epoch",
            epoch: target_epoch,
        }
        .into());
    }
    if member.epoch > target_epoch {
        return Err(ReconcileErrorKind::MemberEpochAheadOfTarget {
            member_epoch: member.epoch,
            target_epoch,
        }
        .into());
    }
    let step = Step {
        member,
        heartbeat,
        subscription,
        owners,
    };
    Ok(match member.state {
        MemberState::Stable => {
            if member.epoch != target_epoch {
                Reconciled::Updated(step.next_assignment(member.epoch))
            } else if heartbeat.subscription_changed {
                step.drop_unsubscribed()
            } else {
                Reconciled::Unchanged
            }
        }
        MemberState::UnrevokedPartitions => {
            if owns_any(heartbeat.owned, &member.pending_revocation.items) {
                if heartbeat.subscription_changed {
                    step.drop_unsubscribed()
                } else {
                    Reconciled::Unchanged
                }
            } else {
                Reconciled::Updated(step.next_assignment(member.epoch))
            }
        }
        MemberState::UnreleasedPartitions => {
            Reconciled::Updated(step.next_assignment(member.epoch))
        }
        MemberState::Unknown => match heartbeat.owned {
            Some(owned) if owned.is_empty() => {
                Reconciled::Updated(step.next_assignment(target_epoch))
            }
            owned => {
                return Err(ReconcileErrorKind::FencedUnknownState {
                    owned: owned.map(PartitionSet::len),
                }
                .into());
            }
        },
    })
}

struct Step<'a, 'h, S: ?Sized, O: ?Sized> {
    member: &'a CurrentAssignment,
    heartbeat: &'a Heartbeat<'h>,
    subscription: &'a S,
    owners: &'a O,
}

type Items = Vec<(TopicId, i32, i32)>;

impl<S: Subscription + ?Sized, O: PartitionOwners + ?Sized> Step<'_, '_, S, O> {
    /// Kafka's `computeNextAssignment`: rules 1-4 of the module doc, with
    /// `epoch` the epoch the member keeps when it must revoke. One merge of
    /// the target with the assigned partitions (and a cursor over the
    /// member's own pending revocation).
    fn next_assignment(&self, epoch: i32) -> CurrentAssignment {
        let member = self.member;
        let target_epoch = self.heartbeat.target_epoch;
        let target = &self.heartbeat.target.items;
        let current = &member.assigned.items;
        let own_pending = &member.pending_revocation.items;

        let mut kept: Items = Vec::with_capacity(current.len().min(target.len()));
        let mut revoke: Items = Vec::new();
        let mut fresh: Items = Vec::new();
        let mut unreleased = false;
        // The subscription answer for the last target topic seen.
        let mut last: Option<(TopicId, bool)> = None;
        let mut subscribed = |topic: TopicId| match last {
            Some((t, answer)) if t == topic => answer,
            _ => {
                let answer = self.subscription.is_subscribed(topic);
                last = Some((topic, answer));
                answer
            }
        };

        let (mut ti, mut ci, mut qi) = (0, 0, 0);
        loop {
            // The next target partition the member still subscribes to.
            while ti < target.len() && !subscribed(target[ti].0) {
                ti += 1;
            }
            let order = match (target.get(ti), current.get(ci)) {
                (Some(&(t, p)), Some(&(ct, cp, _))) => (t, p).cmp(&(ct, cp)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => break,
            };
            match order {
                Ordering::Equal => {
                    kept.push(current[ci]);
                    ti += 1;
                    ci += 1;
                }
                Ordering::Greater => {
                    revoke.push(current[ci]);
                    ci += 1;
                }
                Ordering::Less => {
                    let (t, p) = target[ti];
                    ti += 1;
                    while qi < own_pending.len() && (own_pending[qi].0, own_pending[qi].1) < (t, p)
                    {
                        qi += 1;
                    }
                    let own =
                        qi < own_pending.len() && (own_pending[qi].0, own_pending[qi].1) == (t, p);
                    if !own && self.owners.owner_epoch(t, p).is_some() {
                        unreleased = true;
                    } else {
                        fresh.push((t, p, target_epoch));
                    }
                }
            }
        }

        let (state, epoch, assigned, pending_revocation) =
            if !revoke.is_empty() && owns_any(self.heartbeat.owned, &revoke) {
                (MemberState::UnrevokedPartitions, epoch, kept, revoke)
            } else if !fresh.is_empty() {
                let state = if unreleased {
                    MemberState::UnreleasedPartitions
                } else {
                    MemberState::Stable
                };
                (state, target_epoch, merge(&kept, &fresh), Vec::new())
            } else if unreleased {
                (
                    MemberState::UnreleasedPartitions,
                    target_epoch,
                    kept,
                    Vec::new(),
                )
            } else {
                (MemberState::Stable, target_epoch, kept, Vec::new())
            };
        CurrentAssignment {
            state,
            epoch,
            previous_epoch: member.epoch,
            assigned: PartitionEpochs { items: assigned },
            pending_revocation: PartitionEpochs {
                items: pending_revocation,
            },
        }
    }

    /// Kafka's `updateCurrentAssignment`: the assigned partitions of topics
    /// the member no longer subscribes to move to pending revocation, the
    /// epoch stays.
    fn drop_unsubscribed(&self) -> Reconciled {
        let member = self.member;
        let mut last: Option<(TopicId, bool)> = None;
        let (kept, dropped): (Items, Items) =
            member
                .assigned
                .items
                .iter()
                .partition(|(t, _, _)| match last {
                    Some((topic, answer)) if topic == *t => answer,
                    _ => {
                        let answer = self.subscription.is_subscribed(*t);
                        last = Some((*t, answer));
                        answer
                    }
                });
        if dropped.is_empty() {
            return Reconciled::Unchanged;
        }
        let pending = merge(&member.pending_revocation.items, &dropped);
        let next = if owns_any(self.heartbeat.owned, &pending) {
            CurrentAssignment {
                state: MemberState::UnrevokedPartitions,
                epoch: member.epoch,
                previous_epoch: member.epoch,
                assigned: PartitionEpochs { items: kept },
                pending_revocation: PartitionEpochs { items: pending },
            }
        } else {
            // Nothing dropped is still owned: shrink, state and pending
            // revocation as they were (only reached from `Stable`, whose
            // pending revocation is empty).
            CurrentAssignment {
                state: member.state,
                epoch: member.epoch,
                previous_epoch: member.epoch,
                assigned: PartitionEpochs { items: kept },
                pending_revocation: member.pending_revocation.clone(),
            }
        };
        Reconciled::Updated(next)
    }
}

/// Whether the owned report holds any partition of `partitions` (a missing
/// report holds everything). Linear merge.
fn owns_any(owned: Option<&PartitionSet>, partitions: &[(TopicId, i32, i32)]) -> bool {
    let Some(owned) = owned else {
        return true;
    };
    let owned = &owned.items;
    let (mut i, mut j) = (0, 0);
    while i < owned.len() && j < partitions.len() {
        match owned[i].cmp(&(partitions[j].0, partitions[j].1)) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => return true,
        }
    }
    false
}

/// The first `(topic, partition)` in both, if any. Linear merge.
fn first_common(a: &[(TopicId, i32, i32)], b: &[(TopicId, i32, i32)]) -> Option<(TopicId, i32)> {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match (a[i].0, a[i].1).cmp(&(b[j].0, b[j].1)) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => return Some((a[i].0, a[i].1)),
        }
    }
    None
}

/// The union of two sorted partition maps; on a partition in both (never,
/// for the callers' disjoint inputs) the second's epoch wins, as Java's
/// `putAll` has it.
fn merge(a: &[(TopicId, i32, i32)], b: &[(TopicId, i32, i32)]) -> Items {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let order = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => (x.0, x.1).cmp(&(y.0, y.1)),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match order {
            Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            Ordering::Equal => {
                out.push(b[j]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(n: u128) -> TopicId {
        TopicId::from(n)
    }

    fn set(pairs: &[(u128, i32)]) -> PartitionSet {
        PartitionSet::from_partitions(pairs.iter().map(|&(topic, p)| (t(topic), p))).unwrap()
    }

    fn epochs(triples: &[(u128, i32, i32)]) -> PartitionEpochs {
        PartitionEpochs::from_partitions(triples.iter().map(|&(topic, p, e)| (t(topic), p, e)))
            .unwrap()
    }

    fn all(_: TopicId) -> bool {
        true
    }

    fn free(_: TopicId, _: i32) -> Option<i32> {
        None
    }

    fn step(
        member: &CurrentAssignment,
        target_epoch: i32,
        target: &PartitionSet,
        owned: Option<&PartitionSet>,
        owners: &dyn Fn(TopicId, i32) -> Option<i32>,
    ) -> CurrentAssignment {
        let hb = Heartbeat {
            target_epoch,
            target,
            owned,
            subscription_changed: false,
        };
        reconcile(member, &hb, &all, owners)
            .unwrap()
            .into_next(member)
    }

    #[test]
    fn a_joining_member_gets_its_free_target_at_the_target_epoch() {
        let member = CurrentAssignment::joining();
        let target = set(&[(1, 0), (1, 1), (2, 3)]);
        let next = step(&member, 5, &target, Some(&set(&[])), &free);
        assert_eq!(next.state(), MemberState::Stable);
        assert_eq!(next.epoch(), 5);
        assert_eq!(next.previous_epoch(), 0);
        assert_eq!(next.assigned(), &epochs(&[(1, 0, 5), (1, 1, 5), (2, 3, 5)]));
    }

    #[test]
    fn partitions_held_elsewhere_wait_and_arrive_when_released() {
        let member = CurrentAssignment::joining();
        let target = set(&[(1, 0), (1, 1)]);
        let held = |_: TopicId, p: i32| (p == 1).then_some(4);
        let next = step(&member, 5, &target, Some(&set(&[])), &held);
        assert_eq!(next.state(), MemberState::UnreleasedPartitions);
        assert_eq!(next.epoch(), 5);
        assert_eq!(next.assigned(), &epochs(&[(1, 0, 5)]));
        // Still held: no change but the previous epoch.
        let again = step(&next, 5, &target, Some(&set(&[(1, 0)])), &held);
        assert_eq!(again.assigned(), next.assigned());
        assert_eq!(again.state(), MemberState::UnreleasedPartitions);
        // Released: assigned, stable.
        let done = step(&again, 5, &target, Some(&set(&[(1, 0)])), &free);
        assert_eq!(done.state(), MemberState::Stable);
        assert_eq!(done.assigned(), &epochs(&[(1, 0, 5), (1, 1, 5)]));
    }

    #[test]
    fn revocation_comes_first_and_keeps_the_epoch() {
        let member = CurrentAssignment::new(
            MemberState::Stable,
            3,
            2,
            epochs(&[(1, 0, 2), (1, 1, 3)]),
            PartitionEpochs::new(),
        )
        .unwrap();
        let target = set(&[(1, 1), (1, 2)]);
        let owned = set(&[(1, 0), (1, 1)]);
        let next = step(&member, 4, &target, Some(&owned), &free);
        assert_eq!(next.state(), MemberState::UnrevokedPartitions);
        assert_eq!(next.epoch(), 3);
        assert_eq!(next.assigned(), &epochs(&[(1, 1, 3)]));
        assert_eq!(next.pending_revocation(), &epochs(&[(1, 0, 2)]));
        // Still owns 1-0: waits, unchanged.
        let hb = Heartbeat {
            target_epoch: 4,
            target: &target,
            owned: Some(&owned),
            subscription_changed: false,
        };
        assert_eq!(
            reconcile(&next, &hb, &all, &free).unwrap(),
            Reconciled::Unchanged
        );
        // No report at all: waits too.
        let hb = Heartbeat { owned: None, ..hb };
        assert_eq!(
            reconcile(&next, &hb, &all, &free).unwrap(),
            Reconciled::Unchanged
        );
        // Released: moves to the target epoch with 1-2 added.
        let done = step(&next, 4, &target, Some(&set(&[(1, 1)])), &free);
        assert_eq!(done.state(), MemberState::Stable);
        assert_eq!(done.epoch(), 4);
        assert_eq!(done.previous_epoch(), 3);
        assert_eq!(done.assigned(), &epochs(&[(1, 1, 3), (1, 2, 4)]));
        assert!(done.pending_revocation().is_empty());
    }

    #[test]
    fn a_revoked_partition_the_member_no_longer_owns_is_dropped_at_once() {
        let member = CurrentAssignment::new(
            MemberState::Stable,
            3,
            2,
            epochs(&[(1, 0, 3), (1, 1, 3)]),
            PartitionEpochs::new(),
        )
        .unwrap();
        let next = step(&member, 4, &set(&[(1, 1)]), Some(&set(&[(1, 1)])), &free);
        assert_eq!(next.state(), MemberState::Stable);
        assert_eq!(next.epoch(), 4);
        assert_eq!(next.assigned(), &epochs(&[(1, 1, 3)]));
    }

    #[test]
    fn own_pending_revocation_counts_as_free_to_the_member() {
        let member = CurrentAssignment::new(
            MemberState::UnrevokedPartitions,
            3,
            2,
            epochs(&[(1, 1, 3)]),
            epochs(&[(1, 0, 2)]),
        )
        .unwrap();
        // The owners query sees 1-0 held (by this member, at epoch 3).
        let held = |_: TopicId, p: i32| (p <= 1).then_some(3);
        // The target moved back to include 1-0; the member released it.
        let next = step(
            &member,
            5,
            &set(&[(1, 0), (1, 1)]),
            Some(&set(&[(1, 1)])),
            &held,
        );
        assert_eq!(next.state(), MemberState::Stable);
        assert_eq!(next.assigned(), &epochs(&[(1, 0, 5), (1, 1, 3)]));
    }

    #[test]
    fn unsubscribed_topics_are_revoked_without_a_new_epoch() {
        let member = CurrentAssignment::new(
            MemberState::Stable,
            4,
            3,
            epochs(&[(1, 0, 4), (2, 0, 4)]),
            PartitionEpochs::new(),
        )
        .unwrap();
        let target = set(&[(1, 0), (2, 0)]);
        let only_one = |topic: TopicId| topic == t(1);
        let owned = set(&[(1, 0), (2, 0)]);
        let hb = Heartbeat {
            target_epoch: 4,
            target: &target,
            owned: Some(&owned),
            subscription_changed: true,
        };
        let next = reconcile(&member, &hb, &only_one, &free)
            .unwrap()
            .into_next(&member);
        assert_eq!(next.state(), MemberState::UnrevokedPartitions);
        assert_eq!(next.epoch(), 4);
        assert_eq!(next.assigned(), &epochs(&[(1, 0, 4)]));
        assert_eq!(next.pending_revocation(), &epochs(&[(2, 0, 4)]));
        // Without a subscription change, a reconciled member is left alone.
        let hb = Heartbeat {
            subscription_changed: false,
            ..hb
        };
        assert_eq!(
            reconcile(&member, &hb, &only_one, &free).unwrap(),
            Reconciled::Unchanged
        );
    }

    #[test]
    fn impossible_input_is_a_typed_error() {
        let member = CurrentAssignment::new(
            MemberState::Stable,
            7,
            6,
            PartitionEpochs::new(),
            PartitionEpochs::new(),
        )
        .unwrap();
        let target = set(&[]);
        let hb = Heartbeat {
            target_epoch: 6,
            target: &target,
            owned: None,
            subscription_changed: false,
        };
        let err = reconcile(&member, &hb, &all, &free).unwrap_err();
        assert_eq!(
            err.kind(),
            &ReconcileErrorKind::MemberEpochAheadOfTarget {
                member_epoch: 7,
                target_epoch: 6
            }
        );
        assert_eq!(
            err.to_string(),
            "the member epoch 7 is ahead of the target epoch 6"
        );
        let both = CurrentAssignment::new(
            MemberState::UnrevokedPartitions,
            3,
            2,
            epochs(&[(1, 0, 3)]),
            epochs(&[(1, 0, 2)]),
        );
        assert!(matches!(
            both.unwrap_err().kind(),
            ReconcileErrorKind::AssignedAndPendingRevocation { partition: 0, .. }
        ));
        let ahead = CurrentAssignment::new(
            MemberState::Stable,
            3,
            2,
            epochs(&[(1, 0, 4)]),
            PartitionEpochs::new(),
        );
        assert!(matches!(
            ahead.unwrap_err().kind(),
            ReconcileErrorKind::AssignmentEpochAhead { epoch: 4, .. }
        ));
        assert!(matches!(
            CurrentAssignment::new(
                MemberState::UnrevokedPartitions,
                1,
                0,
                epochs(&[]),
                epochs(&[])
            )
            .unwrap_err()
            .kind(),
            ReconcileErrorKind::NothingPendingRevocation
        ));
        assert!(matches!(
            PartitionSet::from_partitions([(t(1), -1)])
                .unwrap_err()
                .kind(),
            ReconcileErrorKind::NegativePartition { partition: -1, .. }
        ));
        assert!(matches!(
            PartitionEpochs::from_partitions([(t(1), 0, 1), (t(1), 0, 2)])
                .unwrap_err()
                .kind(),
            ReconcileErrorKind::ConflictingEpochs {
                first: 1,
                second: 2,
                ..
            }
        ));
    }

    #[test]
    fn an_unknown_state_is_fenced_unless_the_member_owns_nothing() {
        let member = CurrentAssignment::new(
            MemberState::Unknown,
            2,
            1,
            epochs(&[(1, 0, 2)]),
            PartitionEpochs::new(),
        )
        .unwrap();
        let target = set(&[(1, 0), (1, 1)]);
        let owned = set(&[(1, 0)]);
        let hb = Heartbeat {
            target_epoch: 3,
            target: &target,
            owned: Some(&owned),
            subscription_changed: false,
        };
        assert_eq!(
            reconcile(&member, &hb, &all, &free).unwrap_err().kind(),
            &ReconcileErrorKind::FencedUnknownState { owned: Some(1) }
        );
        let next = step(&member, 3, &target, Some(&set(&[])), &free);
        assert_eq!(next.state(), MemberState::Stable);
        assert_eq!(next.assigned(), &epochs(&[(1, 0, 2), (1, 1, 3)]));
    }
}
