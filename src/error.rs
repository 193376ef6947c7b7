//! Errors from assigning a group: input the rules cannot give an answer for.

use std::fmt;

/// The group could not be assigned: the input breaks a rule of the model.
///
/// Each error names the offending member, topic or value; [`kind`](Self::kind)
/// tells which rule it broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignError {
    kind: AssignErrorKind,
}

/// Which rule of the model a group broke.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AssignErrorKind {
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
    /// A topic appears twice in the metadata.
    DuplicateTopic {
        /// The repeated topic name.
        topic: String,
    },
    /// A topic's partition count is negative.
    NegativePartitionCount {
        /// The topic.
        topic: String,
        /// The count given.
        partitions: i32,
    },
    /// A topic's replica rack list does not have one entry per partition.
    RackListLength {
        /// The topic.
        topic: String,
        /// Its partition count.
        partitions: i32,
        /// How many per-partition rack lists were given.
        rack_lists: usize,
    },
    /// The subscribed topics hold more partitions than one assignment may.
    TooManyPartitions {
        /// Partitions in all subscribed topics together.
        partitions: u64,
        /// The subscribed topic with the most partitions (the first by name
        /// among equals), where to look first.
        largest_topic: String,
        /// Its partition count.
        largest_partitions: i32,
        /// The most a group may have: [`MAX_PARTITIONS`](crate::MAX_PARTITIONS).
        limit: u64,
    },
}

impl AssignError {
    pub(crate) fn new(kind: AssignErrorKind) -> Self {
        AssignError { kind }
    }

    /// Which rule the group broke, with the values that broke it.
    pub fn kind(&self) -> &AssignErrorKind {
        &self.kind
    }
}

impl From<AssignErrorKind> for AssignError {
    fn from(kind: AssignErrorKind) -> Self {
        AssignError::new(kind)
    }
}

impl fmt::Display for AssignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            AssignErrorKind::DuplicateMember { member } => {
                write!(f, "member id {member:?} appears more than once")
            }
            AssignErrorKind::DuplicateInstanceId {
                instance_id,
                first,
                second,
            } => write!(
                f,
                "members {first:?} and {second:?} share group.instance.id {instance_id:?}"
            ),
            AssignErrorKind::DuplicateTopic { topic } => {
                write!(f, "topic {topic:?} appears more than once in the metadata")
            }
            AssignErrorKind::NegativePartitionCount { topic, partitions } => {
                write!(
                    f,
                    "topic {topic:?} has a negative partition count {partitions}"
                )
            }
            AssignErrorKind::RackListLength {
                topic,
                partitions,
                rack_lists,
            } => write!(
                f,
                "topic {topic:?} has {partitions} partitions but {rack_lists} replica rack lists"
            ),
            AssignErrorKind::TooManyPartitions {
                partitions,
                largest_topic,
                largest_partitions,
                limit,
            } => write!(
                f,
                "the subscribed topics hold {partitions} partitions, more than the limit of \
                 {limit} (the largest, topic {largest_topic:?}, has {largest_partitions})"
            ),
        }
    }
}

impl std::error::Error for AssignError {}
