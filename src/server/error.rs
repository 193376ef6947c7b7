//! Errors from computing a target assignment.

use std::fmt;

use super::TopicId;
use crate::error::AssignError;

/// The group spec or the topic metadata breaks a rule of the target API.
///
/// Each error names the offending member, topic or value; [`kind`](Self::kind)
/// tells which rule it broke. When several rules are broken, the error
/// reported is the same for any member or topic order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetError {
    kind: TargetErrorKind,
}

/// Which rule a group spec or its metadata broke.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TargetErrorKind {
    /// Two members share one member id.
    DuplicateMember {
        /// The repeated member id.
        member: String,
    },
    /// Two members share one `group.instance.id`.
    DuplicateInstanceId {
        /// The repeated instance id.
        instance_id: String,
        /// The first member that has it (in member id order).
        first: String,
        /// The second member that has it.
        second: String,
    },
    /// The metadata describes a topic id twice.
    DuplicateTopic {
        /// The repeated topic id.
        topic: TopicId,
    },
    /// A member subscribes to a topic id the metadata does not know.
    UnknownSubscribedTopic {
        /// The member (the first in member id order).
        member: String,
        /// The unknown topic id (the smallest of that member's).
        topic: TopicId,
    },
    /// A member's current target names a topic id the metadata does not
    /// know.
    UnknownTargetTopic {
        /// The member (the first in member id order).
        member: String,
        /// The unknown topic id (the smallest of that member's).
        topic: TopicId,
    },
    /// A member's current target names a partition out of the topic's
    /// range.
    PartitionOutOfRange {
        /// The member (the first in member id order).
        member: String,
        /// The topic.
        topic: TopicId,
        /// The partition named (the smallest bad one of that topic).
        partition: i32,
        /// The topic's partition count.
        partitions: u32,
    },
    /// A subscribed topic's replica rack list does not have one entry per
    /// partition.
    RackListLength {
        /// The topic (the smallest such id).
        topic: TopicId,
        /// Its partition count.
        partitions: u32,
        /// How many per-partition rack lists were given.
        rack_lists: usize,
    },
    /// Two topic names derive one [`TopicId::from_name`](super::TopicId::from_name)
    /// ([`GroupSpec::from_group`](super::GroupSpec::from_group)).
    TopicIdCollision {
        /// The first name.
        first: String,
        /// The second name.
        second: String,
        /// The id both derive.
        topic: TopicId,
    },
    /// A topic of a classic group has a negative partition count
    /// ([`GroupSpec::from_group`](super::GroupSpec::from_group)).
    NegativePartitionCount {
        /// The topic's name.
        name: String,
        /// Its partition count.
        partitions: i32,
    },
    /// The group, as the library's model, breaks one of its rules.
    Model {
        /// The model's error.
        error: AssignError,
    },
    /// The subscribed topics hold more partitions than one assignment may.
    TooManyPartitions {
        /// Partitions in all subscribed topics together.
        partitions: u64,
        /// The most a group may have: [`MAX_PARTITIONS`](crate::MAX_PARTITIONS).
        limit: u64,
    },
}

impl TargetError {
    /// Which rule was broken, with the values that broke it.
    pub fn kind(&self) -> &TargetErrorKind {
        &self.kind
    }
}

impl From<TargetErrorKind> for TargetError {
    fn from(kind: TargetErrorKind) -> Self {
        TargetError { kind }
    }
}

impl From<AssignError> for TargetError {
    fn from(error: AssignError) -> Self {
        TargetErrorKind::Model { error }.into()
    }
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            TargetErrorKind::DuplicateMember { member } => {
                write!(f, "member id {member:?} appears more than once")
            }
            TargetErrorKind::DuplicateInstanceId {
                instance_id,
                first,
                second,
            } => write!(
                f,
                "members {first:?} and {second:?} share group.instance.id {instance_id:?}"
            ),
            TargetErrorKind::DuplicateTopic { topic } => {
                write!(f, "topic id {topic} appears more than once in the metadata")
            }
            TargetErrorKind::UnknownSubscribedTopic { member, topic } => write!(
                f,
                "member {member:?} subscribes to topic id {topic}, which the metadata does not describe"
            ),
            TargetErrorKind::UnknownTargetTopic { member, topic } => write!(
                f,
                "the current target of member {member:?} names topic id {topic}, which the metadata does not describe"
            ),
            TargetErrorKind::PartitionOutOfRange {
                member,
                topic,
                partition,
                partitions,
            } => write!(
                f,
                "the current target of member {member:?} names partition {partition} of topic id \
                 {topic}, which has {partitions} partitions"
            ),
            TargetErrorKind::RackListLength {
                topic,
                partitions,
                rack_lists,
            } => write!(
                f,
                "topic id {topic} has {partitions} partitions but {rack_lists} replica rack lists"
            ),
            TargetErrorKind::TopicIdCollision {
                first,
                second,
                topic,
            } => write!(
                f,
                "topics {first:?} and {second:?} derive the same topic id {topic}"
            ),
            TargetErrorKind::NegativePartitionCount { name, partitions } => write!(
                f,
                "topic {name:?} has a negative partition count {partitions}"
            ),
            TargetErrorKind::Model { error } => write!(f, "the group breaks a rule: {error}"),
            TargetErrorKind::TooManyPartitions { partitions, limit } => write!(
                f,
                "the subscribed topics hold {partitions} partitions, more than the limit of {limit}"
            ),
        }
    }
}

impl std::error::Error for TargetError {}
