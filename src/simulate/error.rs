//! What can go wrong: a timeline that does not check, and a replay that
//! cannot go on.

use std::fmt;

/// What is wrong with a timeline file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimelineErrorKind {
    /// More events or partitions than a timeline may hold.
    TooLarge,
    /// A member name that is empty, repeated, unknown, or an instance id
    /// another member has.
    Name,
    /// An event the member's state does not allow (an active member
    /// recovering, an absent one leaving).
    State,
    /// A topic that is unknown, deleted, has a negative count, or does not
    /// grow.
    Topic,
    /// A rate that is not from 0 to [`MAX_RATE`](crate::simulate::MAX_RATE),
    /// or a rate list of the wrong length.
    Rate,
    /// Replica racks that do not match the partitions.
    Racks,
}

/// A timeline that does not check: its kind, and one lowercase line naming
/// the place in the file and the values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineError {
    kind: TimelineErrorKind,
    message: String,
}

impl TimelineError {
    pub(crate) fn new(kind: TimelineErrorKind, message: String) -> Self {
        TimelineError { kind, message }
    }

    /// What is wrong.
    pub fn kind(&self) -> TimelineErrorKind {
        self.kind
    }
}

impl fmt::Display for TimelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TimelineError {}

/// Why a replay stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplayErrorKind {
    /// A member could not build its JoinGroup metadata, the leader could not
    /// assign, or a member could not read its SyncGroup bytes.
    Protocol,
    /// A rebalance did not settle within its round limit.
    Unsettled,
    /// The balance reference (StickyAssignor without history) failed.
    Optimum,
}

/// A replay that cannot go on: its kind, and one lowercase line naming the
/// event and the strategy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayError {
    kind: ReplayErrorKind,
    message: String,
}

impl ReplayError {
    pub(crate) fn new(kind: ReplayErrorKind, message: String) -> Self {
        ReplayError { kind, message }
    }

    /// Why it stopped.
    pub fn kind(&self) -> ReplayErrorKind {
        self.kind
    }
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReplayError {}
