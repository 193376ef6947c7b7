//! Sticky and CooperativeSticky: the exact optimum.
//!
//! # The objective
//!
//! Given the members' validly owned partitions (see [`ownership`] for who
//! owns a partition claimed twice), the answer is the lexicographic optimum
//! of four goals:
//!
//! 1. **Balance.** The vector of partitions per member minimises the sum of
//!    squares over every assignment the subscriptions allow. For these
//!    transportation structures that vector is the least majorised one: no
//!    chain of moves between subscribers can make it more even.
//! 2. **Rack locality**, when the Java client's rack-aware gate applies
//!    (members and replicas carry racks, they meet, and not every partition
//!    sits on the same racks): the fewest partitions on a member whose rack
//!    holds no replica (or, with [`RackMatch::Leader`], not the leader).
//! 3. **Fewest moves.** The fewest validly owned partitions leave their owner.
//! 4. **Even topics**, then deterministic ties (member ids, partition numbers).
//!
//! The Java client stops at a weaker balance test: no *single* move from a
//! member to another of the same topic helps. Members A {t1} with 3
//! partitions, B {t1, t2} with 2 and C {t2} with 1 pass that test, since A
//! cannot give to C and neither A to B nor B to C is an improvement by
//! itself; the chain A→B (a t1 partition), B→C (a t2 partition) gives
//! (2, 2, 2). This crate finds it.
//!
//! # Why the answer is optimal
//!
//! Partitions of one topic with the same replica racks are interchangeable
//! for goals 1-3, so the solver decides *counts* per (class, member) and
//! places partitions afterwards (each member keeps its own first).
//!
//! - *Balance*: the loads are optimal exactly when no chain
//!   `u → w₁ → … → v`, each member passing one partition of a topic the next
//!   subscribes to, runs from a member with load `L` to one with load at most
//!   `L − 2`. One direction is plain (such a chain lowers the sum of squares);
//!   the other is the optimality condition of convex-cost flow: the loads are
//!   a separable convex cost on a flow from topics to members, and a flow is
//!   optimal when its residual graph has no negative cycle, which for this
//!   cost is such a chain. Stage 2 of the solver removes chains until none is
//!   left, and every removal lowers the sum of squares, so it ends.
//! - *Locality and moves*: the balance-optimal assignments are those whose
//!   loads lie in a box (each member keeps its level or trades places with a
//!   member one level below), a polytope of flows, so minimising remote
//!   partitions, then moves, over them is again a min-cost flow. Stage 3
//!   cancels negative residual cycles that keep the multiset of loads, until
//!   none is left.
//! - *Equal subscriptions* have a closed form ([`uniform`]): quotas `q` and
//!   `q + 1`, the larger ones to the members that own the most. So do groups
//!   whose subscriptions are pairwise equal or disjoint, one component at a
//!   time, since every goal adds up over components.
//!
//! The property tests check all of this against an exhaustive search on
//! small groups.
//!
//! # CooperativeSticky
//!
//! The cooperative strategy computes the same optimum, then withholds every
//! partition that would change owner, every partition whose claim was
//! contested, and every partition whose highest-generation claim is by a
//! member that no longer subscribes to its topic (it may still be reading
//! it; see [`ownership`]): it is revoked this round and assigned in the
//! follow-up rebalance. The follow-up starts from an assignment that is a subset of
//! the optimum, so it reaches the optimum without moving anything, and a
//! third round changes nothing.

mod flow;
mod ownership;
mod place;
mod problem;
mod uniform;

pub(crate) use self::ownership::resolve_owners;

use crate::assignment::Assignment;
use crate::assignor::Assignor;
use crate::decoded::DecodedGroup;
use crate::error::AssignError;
use crate::index::{Csr, Interned, MemberIdx, Owner, PartitionIdx, RackUse};
use crate::model::{Group, History, RebalanceProtocol};

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

/// The eager `sticky` strategy: the most even loads, then rack locality,
/// then the fewest moved partitions, exactly.
///
/// Every answer is the lexicographic optimum of these goals (DESIGN.md
/// carries the argument): the partitions per member are as even as the subscriptions
/// allow (no chain of hand-overs could even them further); among those
/// answers, when members and replicas carry racks, the fewest partitions sit
/// on a member whose rack holds no replica; among those, the fewest
/// partitions leave the member that owned them (the highest-generation
/// claimant). Ties go to an even share of each topic, then to member ids and
/// partition numbers, so the answer does not depend on input order.
///
/// # Against the Java client
///
/// The group protocol, the strategy name and the user data (V0 and V1) are
/// the Java `StickyAssignor`'s, so members of both may share a group and
/// either may lead. The answers differ where Java's heuristic stops short:
/// it accepts loads that only a chain of moves through a third member could
/// even out (this crate finds the chain), and it may move more partitions
/// than needed to reach its loads. On equal subscriptions both give the
/// same loads. A member returning with a stale generation keeps no
/// ownership here, but its claims do not void the whole member's history as
/// in Java.
///
/// # When to choose it
///
/// Choose `sticky` for groups on the eager protocol, where every member
/// stops everything at each rebalance anyway: it keeps the most of what
/// each member had, so caches and local state stay warm. Choose
/// [`CooperativeStickyAssignor`] when members should keep consuming what
/// they keep during a rebalance; choose `range` for co-partitioned joins
/// and `roundrobin` only when history does not matter.
///
/// ```
/// use kafka_assignors::{Assignor, Group, Member, StickyAssignor, Topic};
///
/// let group = Group::new()
///     .with_topic(Topic::new("t", 4))
///     .with_member(Member::new("a").subscribe(["t"]).with_owned("t", [0, 1, 2, 3]).with_generation(3))
///     .with_member(Member::new("b").subscribe(["t"]));
/// let answer = StickyAssignor::new().assign(&group)?;
/// // a keeps two of its four, b takes the other two: two moves, no fewer.
/// assert_eq!(answer.member("a").unwrap().partitions("t"), &[0, 1]);
/// assert_eq!(answer.member("b").unwrap().partitions("t"), &[2, 3]);
/// # Ok::<(), kafka_assignors::AssignError>(())
/// ```
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

/// The `cooperative-sticky` strategy: [`StickyAssignor`]'s optimum under
/// the cooperative protocol, never handing a partition to a new owner while
/// another member may still be reading it.
///
/// The answer is the same optimum as [`StickyAssignor`]'s, less every
/// partition that would change owner, every partition two members claim at
/// its highest generation, and every partition whose highest-generation
/// claim is by a member that no longer subscribes to its topic. Those are
/// revoked this round; the members that lose them rejoin at once, and the
/// follow-up rebalance ([`CooperativeStickyAssignor::follow_up`]) assigns
/// them, reaching the optimum without moving anything else. A third round
/// changes nothing.
///
/// # Against the Java client
///
/// The strategy name, the supported protocols (eager and cooperative), the
/// user data (the generation) and the owned partitions in the subscription
/// are the Java `CooperativeStickyAssignor`'s, so members of both may share a
/// group and either may lead. The first round's answers differ where the
/// optimum differs (see [`StickyAssignor`]); both withhold exactly what
/// changes owner.
///
/// # When to choose it
///
/// The default choice for a group whose clients support the cooperative
/// protocol: only moved partitions pause, and the group reaches the most
/// even loads in two short rounds. Kafka's newer consumer protocol
/// (KIP-848) moves assignment into the broker instead; this strategy is for
/// the classic protocol, which every client and broker speaks.
///
/// ```
/// use kafka_assignors::{Assignor, CooperativeStickyAssignor, Group, Member, Topic};
///
/// let group = Group::new()
///     .with_topic(Topic::new("t", 4))
///     .with_member(Member::new("a").subscribe(["t"]).with_owned("t", [0, 1, 2, 3]).with_generation(3))
///     .with_member(Member::new("b").subscribe(["t"]));
/// let coop = CooperativeStickyAssignor::new();
/// let first = coop.assign(&group)?;
/// // a gives up 2 and 3; b waits for the follow-up round to get them.
/// assert_eq!(first.member("a").unwrap().partitions("t"), &[0, 1]);
/// assert!(first.member("b").unwrap().is_empty());
/// let second = coop.follow_up(&group, &first)?;
/// assert_eq!(second.member("b").unwrap().partitions("t"), &[2, 3]);
/// # Ok::<(), kafka_assignors::AssignError>(())
/// ```
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
        let interned = Interned::new(group, RackUse::Gated)?;
        Ok(solve(&interned, self.rack_match, false))
    }

    fn assign_decoded(&self, group: &DecodedGroup) -> Result<Assignment, AssignError> {
        let interned = Interned::from_decoded(group, RackUse::Gated)?;
        Ok(solve(&interned, self.rack_match, false))
    }

    fn history(&self) -> History {
        History::StickyUserData
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
        let interned = Interned::new(group, RackUse::Gated)?;
        Ok(solve(&interned, self.rack_match, true))
    }

    fn assign_decoded(&self, group: &DecodedGroup) -> Result<Assignment, AssignError> {
        let interned = Interned::from_decoded(group, RackUse::Gated)?;
        Ok(solve(&interned, self.rack_match, true))
    }

    fn history(&self) -> History {
        History::CooperativeGeneration
    }
}

/// The optimum; with `cooperative`, less every partition that would change
/// owner or was contested, and less every partition still claimed at its
/// highest generation by a member outside its topic.
fn solve(index: &Interned<'_>, rack_match: RackMatch, cooperative: bool) -> Assignment {
    let (mut answer, owned) = optimum(index, rack_match, cooperative);
    // Claims on topics their claimants left never change the optimum, only
    // what is withheld from it. They are rare (never in a group of clients
    // that revoke before rejoining), so they are looked for once, cheaply,
    // and resolved only when found.
    if cooperative && let Some(foreign) = ownership::foreign_claims(index) {
        // The owned rows the general path read, or read now.
        let owned = owned.unwrap_or_else(|| index.owned_rows());
        let claimant = ownership::resolve_owners(index, &owned, Some(&foreign));
        answer.retain(index, |p| {
            !matches!(claimant[p.index()], Owner::FOREIGN | Owner::CONTESTED)
        });
    }
    answer
}

/// The optimum; with `cooperative`, less every partition that would change
/// owner or was contested among the subscribed claimants. Also the members'
/// valid claims as rows, when the path taken read them into rows (the
/// closed forms stream the lists instead).
fn optimum(
    index: &Interned<'_>,
    rack_match: RackMatch,
    cooperative: bool,
) -> (Assignment, Option<Csr<PartitionIdx>>) {
    if !index.rack_aware() {
        // Nothing is owned in a fresh group, so nothing is withheld.
        if let Some(answer) = uniform::fresh(index) {
            return (answer, None);
        }
        if let Some(answer) = uniform::assign(index, cooperative) {
            return (answer, None);
        }
    }
    let owned = index.owned_rows();
    let owner = ownership::resolve_owners(index, &owned, None);
    let problem = problem::Problem::new(index, &owned, &owner, rack_match);
    let counts = flow::solve(&problem);
    let mut target = place::place(&problem, &counts, &owner, index.total_partitions as usize);
    if cooperative {
        withhold_moves(&owner, &mut target);
    }
    (Assignment::from_owners(index, &target), Some(owned))
}

/// A partition changing owner, or contested, goes to nobody this round.
fn withhold_moves(owner: &[Owner], target: &mut [MemberIdx]) {
    for (previous, next) in owner.iter().zip(target.iter_mut()) {
        let moving = previous.is_claimed() && !previous.is(*next);
        if moving {
            *next = MemberIdx::NONE;
        }
    }
}
