//! Between rebalances: the group as its members rejoin after an answer, what
//! changed owner from one answer to the next, and the cooperative
//! follow-up round. Simulations, comparisons and tests need these, and a
//! client that rebalances cooperatively does the same steps.

use std::collections::HashMap;

use crate::assignment::Assignment;
use crate::assignor::Assignor;
use crate::error::AssignError;
use crate::index::{GroupIndex, Interned, MemberIdx, Owner, RackUse};
use crate::model::{Group, RebalanceProtocol, TopicPartition};
use crate::sticky::{CooperativeStickyAssignor, resolve_owners};

impl Group {
    /// The group as its members rejoin after `answer`: every member the
    /// answer names owns exactly what it was given, in the generation after
    /// the group's highest (the first is 1), as a client reports it. Members
    /// the answer does not name keep what they had; topics are unchanged.
    ///
    /// ```
    /// use kafka_assignors::{Assignor, Group, Member, Strategy, Topic};
    ///
    /// let group = Group::new()
    ///     .with_topic(Topic::new("t", 2))
    ///     .with_member(Member::new("a").subscribe(["t"]));
    /// let answer = Strategy::Sticky.assign(&group)?;
    /// let next = group.next_generation(&answer);
    /// assert_eq!(next.members[0].owned.len(), 2);
    /// assert_eq!(next.members[0].generation, Some(1));
    /// # Ok::<(), kafka_assignors::AssignError>(())
    /// ```
    pub fn next_generation(&self, answer: &Assignment) -> Group {
        let generation = self
            .members
            .iter()
            .filter_map(|m| m.generation)
            .max()
            .unwrap_or(0)
            .saturating_add(1);
        let mut next = self.clone();
        for m in &mut next.members {
            if let Some(given) = answer.member(&m.id) {
                m.owned = given
                    .topics()
                    .flat_map(|(topic, partitions)| {
                        let topic = self.shared_name(topic);
                        partitions
                            .iter()
                            .map(move |&p| TopicPartition::new(topic.clone(), p))
                    })
                    .collect();
                m.generation = Some(generation);
            }
        }
        next
    }

    /// The metadata's own `Arc` for a topic name, so that the next group
    /// holds each name once.
    fn shared_name(&self, topic: &str) -> std::sync::Arc<str> {
        self.topic(topic)
            .map_or_else(|| topic.into(), |t| std::sync::Arc::clone(&t.name))
    }
}

/// Who reads each partition before a rebalance, by the rule the sticky
/// strategies apply to the members' claims: a claim counts when the claimant
/// subscribes to the topic and the partition exists; of several, the one
/// with the highest generation (missing = -1) owns it, and when that
/// generation is shared nobody does. Built by [`Group::ownership`].
#[derive(Debug)]
pub struct Ownership {
    index: GroupIndex,
    /// Per partition: its owner, if one member owns it.
    owner: Vec<Owner>,
}

impl Group {
    /// Who owns each partition now ([`Ownership`]), to count what an answer
    /// moves: `group.ownership()?.moved_by(&answer)`.
    ///
    /// ```
    /// use kafka_assignors::{Assignor, Group, Member, Strategy, Topic};
    ///
    /// let group = Group::new()
    ///     .with_topic(Topic::new("t", 4))
    ///     .with_member(Member::new("a").subscribe(["t"]).with_owned("t", [0, 1, 2, 3]).with_generation(1))
    ///     .with_member(Member::new("b").subscribe(["t"]));
    /// let now = group.ownership()?;
    /// assert_eq!(now.owned(), 4);
    /// assert_eq!(now.moved_by(&Strategy::Sticky.assign(&group)?), 2);
    /// assert_eq!(now.moved_by(&Strategy::CooperativeSticky.assign(&group)?), 2);
    /// # Ok::<(), kafka_assignors::AssignError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The [`AssignError`] every strategy gives an invalid group.
    pub fn ownership(&self) -> Result<Ownership, AssignError> {
        let interned = Interned::new(self, RackUse::Ignored)?;
        let owner = resolve_owners(&interned, &interned.owned_rows(), None);
        Ok(Ownership {
            index: interned.index,
            owner,
        })
    }
}

impl Ownership {
    /// The subscribed topics of the metadata that have partitions.
    pub fn topics(&self) -> usize {
        self.index
            .topics
            .iter()
            .filter(|t| t.partitions > 0)
            .count()
    }

    /// The partitions of the subscribed topics.
    pub fn partitions(&self) -> u64 {
        u64::from(self.index.total_partitions)
    }

    /// How many of them have an owner.
    pub fn owned(&self) -> usize {
        self.owner
            .iter()
            .filter(|o| o.as_member().is_some())
            .count()
    }

    /// How many owned partitions `answer` gives to another member or to
    /// nobody: every partition whose owner must stop reading it.
    pub fn moved_by(&self, answer: &Assignment) -> usize {
        let index = &self.index;
        let mut next = vec![MemberIdx::NONE; self.owner.len()];
        // The answer lists members by id and each member's topics by name,
        // as the index does: both are found walking forward, not searched.
        let mut m = 0;
        for member in answer.members() {
            let found = forward(&index.members, &mut m, member.id(), |x| &*x.id);
            let owner = found.map_or(MemberIdx::NONE, MemberIdx::new);
            let mut t = 0;
            for (topic, partitions) in member.topics() {
                let Some(t) = forward(&index.topics, &mut t, topic, |x| &*x.name) else {
                    continue;
                };
                let entry = &index.topics[t];
                for &p in partitions {
                    if let Ok(p) = u32::try_from(p)
                        && p < entry.partitions
                    {
                        next[entry.global(p).index()] = owner;
                    }
                }
            }
        }
        self.owner
            .iter()
            .zip(&next)
            .filter(|&(now, &next)| now.as_member().is_some_and(|now| now != next))
            .count()
    }
}

/// A strategy's answer once the rebalance settles ([`Ownership::settle`]).
#[derive(Debug, Clone)]
pub struct Settled {
    /// The answer after the follow-up round, or the first answer when there
    /// is none.
    pub assignment: Assignment,
    /// Under a cooperative strategy, partitions its first round gives to
    /// nobody (revoked, to be assigned in the follow-up round); `None` under
    /// an eager one, which has no follow-up.
    pub held_back: Option<usize>,
    /// Owned partitions the settled answer takes from their owner
    /// ([`Ownership::moved_by`]).
    pub moved: usize,
}

impl Ownership {
    /// `first`, `assignor`'s answer for `group` (whose ownership this is),
    /// once the rebalance settles. A cooperative assignor leaves what
    /// changes owner unassigned for a round, so its first answer shows those
    /// partitions as lost and the loads as uneven; one follow-up round
    /// ([`Group::next_generation`]) assigns them, and the answer then stops
    /// changing until the group does.
    ///
    /// # Errors
    ///
    /// As [`Assignor::assign`] on the next group (which is as valid as
    /// `group`).
    pub fn settle(
        &self,
        group: &Group,
        assignor: &impl Assignor,
        first: Assignment,
    ) -> Result<Settled, AssignError> {
        let cooperative =
            assignor.supported_protocols().last() == Some(&RebalanceProtocol::Cooperative);
        let total = self.partitions() as usize;
        let held_back = cooperative.then(|| total.saturating_sub(first.assigned_partitions()));
        let assignment = if held_back.is_some_and(|held| held > 0) {
            assignor.assign(&group.next_generation(&first))?
        } else {
            first
        };
        let moved = self.moved_by(&assignment);
        Ok(Settled {
            assignment,
            held_back,
            moved,
        })
    }
}

/// The place of `key` in `items` (in key order), looking from `*from` on
/// and leaving `*from` there: a walk through two sorted lists.
fn forward<T>(
    items: &[T],
    from: &mut usize,
    key: &str,
    name: impl Fn(&T) -> &str,
) -> Option<usize> {
    while *from < items.len() && name(&items[*from]) < key {
        *from += 1;
    }
    (*from < items.len() && name(&items[*from]) == key).then_some(*from)
}

impl Assignment {
    /// How many partitions `before` gave to one member and this answer gives
    /// to another: the hand-overs between the two answers. Partitions either
    /// answer leaves unassigned are not counted (see [`Self::revoked_since`]).
    pub fn moved_since(&self, before: &Assignment) -> usize {
        let previous = owners(before);
        self.members()
            .flat_map(|m| m.iter().map(move |(topic, p)| (m.id(), topic, p)))
            .filter(|(id, topic, p)| previous.get(&(*topic, *p)).is_some_and(|was| was != id))
            .count()
    }

    /// How many partitions `before` gave to a member that this answer does
    /// not give them to: every partition some member must stop reading,
    /// whether it moves now or is withheld for a round.
    pub fn revoked_since(&self, before: &Assignment) -> usize {
        let now = owners(self);
        before
            .members()
            .flat_map(|m| m.iter().map(move |(topic, p)| (m.id(), topic, p)))
            .filter(|(id, topic, p)| now.get(&(*topic, *p)) != Some(id))
            .count()
    }
}

/// How evenly an answer spreads the partitions ([`Assignment::loads`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loads {
    /// The fewest partitions a member is given (0 without members).
    pub min: usize,
    /// The most partitions a member is given (0 without members).
    pub max: usize,
    /// Members given none.
    pub idle: usize,
}

impl Assignment {
    /// The fewest and most partitions a member is given, and how many
    /// members are given none.
    pub fn loads(&self) -> Loads {
        let mut sizes = self.members().map(|m| m.len());
        let Some(first) = sizes.next() else {
            return Loads::default();
        };
        let start = Loads {
            min: first,
            max: first,
            idle: usize::from(first == 0),
        };
        sizes.fold(start, |l, n| Loads {
            min: l.min.min(n),
            max: l.max.max(n),
            idle: l.idle + usize::from(n == 0),
        })
    }
}

/// Who each partition goes to in `answer`.
fn owners(answer: &Assignment) -> HashMap<(&str, i32), &str> {
    answer
        .members()
        .flat_map(|m| m.iter().map(move |(topic, p)| ((topic, p), m.id())))
        .collect()
}

impl CooperativeStickyAssignor {
    /// The follow-up rebalance after `first`, this strategy's answer for
    /// `group`: members rejoin owning what they were given
    /// ([`Group::next_generation`]), and what `first` withheld is assigned.
    /// After it the answer stops changing until the group does.
    ///
    /// # Errors
    ///
    /// As [`Assignor::assign`] on the next group (which is as valid as
    /// `group`).
    pub fn follow_up(&self, group: &Group, first: &Assignment) -> Result<Assignment, AssignError> {
        self.assign(&group.next_generation(first))
    }
}
