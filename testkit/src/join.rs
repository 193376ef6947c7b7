//! A group as its members' JoinGroup requests: the leader's input.

use std::fmt;

use kafka_assignors::protocol::{ClientState, JoinedMember, NegotiationError, join_protocols};
use kafka_assignors::{Group, Strategy};

/// A member whose JoinGroup metadata cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinError {
    /// The member's id.
    pub member: String,
    /// Why.
    pub error: NegotiationError,
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "member {:?}: {}", self.member, self.error)
    }
}

impl std::error::Error for JoinError {}

/// Each member's JoinGroup metadata for `strategy`, as its client writes it
/// (`ClientState::from(&Member)`, then `join_protocols`).
///
/// # Errors
///
/// The first member whose state cannot be encoded (a topic name too long
/// for the wire, say).
pub fn try_joined(group: &Group, strategy: Strategy) -> Result<Vec<JoinedMember>, JoinError> {
    group
        .members
        .iter()
        .map(|m| {
            let state = ClientState::from(m);
            let protocols = join_protocols(&[strategy], &state).map_err(|error| JoinError {
                member: m.id.clone(),
                error,
            })?;
            let metadata = protocols
                .into_iter()
                .next()
                .map(|p| p.metadata)
                .unwrap_or_default();
            Ok(JoinedMember::new(
                m.id.clone(),
                m.instance_id.clone(),
                metadata,
            ))
        })
        .collect()
}

/// [`try_joined`], for groups the strategies accept.
///
/// # Panics
/// When a member's state cannot be encoded (a group the strategies accept
/// always can).
pub fn joined(group: &Group, strategy: Strategy) -> Vec<JoinedMember> {
    try_joined(group, strategy).expect("encodable")
}
