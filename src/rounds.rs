//! Between rebalances: the group as its members rejoin after an answer, what
//! changed owner from one answer to the next, and the cooperative
//! follow-up round. Simulations, comparisons and tests need these, and a
//! client that rebalances cooperatively does the same steps.

use std::collections::HashMap;

use crate::assignment::Assignment;
use crate::assignor::Assignor;
use crate::error::AssignError;
use crate::model::{Group, TopicPartition};
use crate::sticky::CooperativeStickyAssignor;

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
