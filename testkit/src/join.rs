//! A group as its members' JoinGroup requests: the leader's input.

use kafka_assignors::protocol::{ClientState, JoinedMember, join_protocols};
use kafka_assignors::{Group, Strategy};

/// Each member's JoinGroup metadata for `strategy`, as its client writes it
/// (`ClientState::from(&Member)`, then `join_protocols`).
///
/// # Panics
/// When a member's state cannot be encoded (a group the strategies accept
/// always can).
pub fn joined(group: &Group, strategy: Strategy) -> Vec<JoinedMember> {
    group
        .members
        .iter()
        .map(|m| {
            let state = ClientState::from(m);
            let protocols = join_protocols(&[strategy], &state).expect("encodable");
            JoinedMember::new(
                m.id.clone(),
                m.instance_id.clone(),
                protocols[0].metadata.clone(),
            )
        })
        .collect()
}
