//! What a group says that the rules accept but that is probably a mistake.
//!
//! The model's rules are lenient on purpose, as the Java client is: a
//! subscription to a topic the metadata lacks gets nothing, an owned
//! partition out of range is ignored, a negative generation reads as none.
//! A leader must not fail a rebalance over them, but a person feeding the
//! tool a hand-written scenario, or a client author debugging a member,
//! wants to see them. [`Group::notes`] lists them; `kassign` prints them on
//! standard error (and `--strict` makes them errors).

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use crate::model::Group;

/// One accepted but suspicious thing in a group; see [`Group::notes`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Note {
    /// A member id is the empty string.
    EmptyMemberId,
    /// A topic in the metadata has the empty string as its name.
    EmptyTopicName,
    /// A member subscribes to a topic the metadata does not describe: it gets
    /// none of its partitions.
    UnknownSubscription {
        /// The member.
        member: String,
        /// The topic.
        topic: String,
    },
    /// A member subscribes to one topic more than once (read as once).
    RepeatedSubscription {
        /// The member.
        member: String,
        /// The topic.
        topic: String,
    },
    /// A member claims partitions of a topic the metadata does not
    /// describe (ignored).
    OwnedUnknownTopic {
        /// The member.
        member: String,
        /// The topic.
        topic: String,
        /// How many such claims.
        claims: usize,
    },
    /// A member claims a partition number the topic does not have (ignored).
    OwnedOutOfRange {
        /// The member.
        member: String,
        /// The topic.
        topic: String,
        /// The partition number claimed.
        partition: i32,
        /// The topic's partition count.
        partitions: i32,
    },
    /// A member claims partitions of a topic it does not subscribe to: it
    /// never keeps them, and `cooperative-sticky` withholds them for a round.
    OwnedUnsubscribed {
        /// The member.
        member: String,
        /// The topic.
        topic: String,
        /// How many such claims.
        claims: usize,
    },
    /// A member claims one partition more than once (read as once).
    RepeatedClaim {
        /// The member.
        member: String,
        /// The topic.
        topic: String,
        /// The partition number.
        partition: i32,
    },
    /// A member's generation is negative (read as none, -1).
    NegativeGeneration {
        /// The member.
        member: String,
        /// The generation given.
        generation: i32,
    },
    /// A member claims partitions but has no generation, so any claim with a
    /// generation outranks its claims.
    OwnedWithoutGeneration {
        /// The member.
        member: String,
    },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::EmptyMemberId => write!(f, "a member id is empty"),
            Note::EmptyTopicName => write!(f, "a topic in the metadata has an empty name"),
            Note::UnknownSubscription { member, topic } => write!(
                f,
                "member {member:?} subscribes to topic {topic:?}, which the metadata lacks: it gets none of it"
            ),
            Note::RepeatedSubscription { member, topic } => write!(
                f,
                "member {member:?} subscribes to topic {topic:?} more than once (read as once)"
            ),
            Note::OwnedUnknownTopic {
                member,
                topic,
                claims,
            } => write!(
                f,
                "member {member:?} claims {claims} partition(s) of topic {topic:?}, which the metadata lacks (ignored)"
            ),
            Note::OwnedOutOfRange {
                member,
                topic,
                partition,
                partitions,
            } => write!(
                f,
                "member {member:?} claims partition {partition} of topic {topic:?}, which has {partitions} (ignored)"
            ),
            Note::OwnedUnsubscribed {
                member,
                topic,
                claims,
            } => write!(
                f,
                "member {member:?} claims {claims} partition(s) of topic {topic:?} without subscribing to it (never kept; cooperative-sticky withholds them for a round)"
            ),
            Note::RepeatedClaim {
                member,
                topic,
                partition,
            } => write!(
                f,
                "member {member:?} claims partition {partition} of topic {topic:?} more than once (read as once)"
            ),
            Note::NegativeGeneration { member, generation } => write!(
                f,
                "member {member:?} has negative generation {generation} (read as none)"
            ),
            Note::OwnedWithoutGeneration { member } => write!(
                f,
                "member {member:?} claims partitions without a generation (read as -1: any claim with a generation outranks it)"
            ),
        }
    }
}

impl Group {
    /// Everything in the group that the documented rules accept but that is
    /// probably a mistake, sorted (so the list does not depend on input
    /// order). An empty list means the group says nothing odd. Assigning
    /// never needs this: it is for people and logs.
    ///
    /// ```
    /// use kafka_assignors::{Group, Member, Note, Topic};
    ///
    /// let group = Group::new()
    ///     .with_topic(Topic::new("orders", 2))
    ///     .with_member(Member::new("c1").subscribe(["orders", "ordres"]).with_owned("orders", [5]));
    /// let notes = group.notes();
    /// assert!(notes.contains(&Note::UnknownSubscription { member: "c1".into(), topic: "ordres".into() }));
    /// assert_eq!(notes.len(), 3); // the typo, partition 5 out of range, no generation
    /// ```
    pub fn notes(&self) -> Vec<Note> {
        let partitions: HashMap<&str, i32> = self
            .topics
            .iter()
            .map(|t| (&*t.name, t.partitions))
            .collect();
        let mut notes = BTreeSet::new();
        if self.topics.iter().any(|t| t.name.is_empty()) {
            notes.insert(Note::EmptyTopicName);
        }
        for m in &self.members {
            let member = || m.id.clone();
            if m.id.is_empty() {
                notes.insert(Note::EmptyMemberId);
            }
            let mut subscribed = BTreeSet::new();
            for topic in &m.topics {
                if !subscribed.insert(&**topic) {
                    notes.insert(Note::RepeatedSubscription {
                        member: member(),
                        topic: topic.to_string(),
                    });
                }
                if !partitions.contains_key(&**topic) {
                    notes.insert(Note::UnknownSubscription {
                        member: member(),
                        topic: topic.to_string(),
                    });
                }
            }
            if let Some(generation) = m.generation.filter(|&g| g < 0) {
                notes.insert(Note::NegativeGeneration {
                    member: member(),
                    generation,
                });
            }
            if m.generation.is_none() && !m.owned.is_empty() {
                notes.insert(Note::OwnedWithoutGeneration { member: member() });
            }
            let mut unknown: HashMap<&str, usize> = HashMap::new();
            let mut unsubscribed: HashMap<&str, usize> = HashMap::new();
            let mut claimed = BTreeSet::new();
            for tp in &m.owned {
                let topic = &*tp.topic;
                let Some(&count) = partitions.get(topic) else {
                    *unknown.entry(topic).or_default() += 1;
                    continue;
                };
                if !(0..count).contains(&tp.partition) {
                    notes.insert(Note::OwnedOutOfRange {
                        member: member(),
                        topic: topic.to_string(),
                        partition: tp.partition,
                        partitions: count,
                    });
                    continue;
                }
                if !claimed.insert((topic, tp.partition)) {
                    notes.insert(Note::RepeatedClaim {
                        member: member(),
                        topic: topic.to_string(),
                        partition: tp.partition,
                    });
                } else if !subscribed.contains(topic) {
                    *unsubscribed.entry(topic).or_default() += 1;
                }
            }
            for (topic, claims) in unknown {
                notes.insert(Note::OwnedUnknownTopic {
                    member: member(),
                    topic: topic.to_string(),
                    claims,
                });
            }
            for (topic, claims) in unsubscribed {
                notes.insert(Note::OwnedUnsubscribed {
                    member: member(),
                    topic: topic.to_string(),
                    claims,
                });
            }
        }
        notes.into_iter().collect()
    }
}
