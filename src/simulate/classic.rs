//! The classic protocol's driver: JoinGroup/SyncGroup rounds through the
//! protocol module's bytes.
//!
//! Each member is a small client: it builds its JoinGroup metadata with
//! [`join_protocols`] from what it holds (its last assignment and that
//! assignment's generation), the leader runs [`lead`] over everyone's bytes,
//! and each member applies its SyncGroup bytes with [`follow`]. Under the
//! eager protocol a member revokes everything before it joins; under the
//! cooperative one it keeps consuming and revokes only what `follow` says,
//! then rejoins, so a moved partition reaches its new owner one round later.

use std::collections::HashMap;

use crate::protocol::{ClientState, JoinedMember, follow, join_protocols, lead};
use crate::simulate::error::{ReplayError, ReplayErrorKind};
use crate::simulate::replay::{Driver, NONE, Protocol, World};
use crate::{RebalanceProtocol, Strategy, TopicPartition};

/// Rounds one rebalance may take before the replay gives up. The sticky
/// strategies settle in two; range and roundrobin run eager, in one.
const MAX_ROUNDS: u32 = 8;

/// One strategy on the classic protocol.
pub(crate) struct Classic {
    strategy: Strategy,
    protocol: RebalanceProtocol,
    /// The group's generation, one more at every round.
    generation: i32,
}

impl Classic {
    pub(crate) fn new(strategy: Strategy) -> Result<Self, ReplayError> {
        let protocol = crate::protocol::rebalance_protocol(&[strategy])
            .map_err(|e| ReplayError::new(ReplayErrorKind::Protocol, format!("{strategy}: {e}")))?;
        Ok(Classic {
            strategy,
            protocol,
            generation: 0,
        })
    }

    fn eager(&self) -> bool {
        self.protocol == RebalanceProtocol::Eager
    }

    /// One JoinGroup/SyncGroup round; whether a member revoked something and
    /// so rejoins.
    fn round(&mut self, world: &mut World<'_>, label: &str) -> Result<bool, ReplayError> {
        let strategy = self.strategy;
        let fail = move |what: String| {
            ReplayError::new(
                ReplayErrorKind::Protocol,
                format!("{label}: {strategy}: {what}"),
            )
        };
        self.generation += 1;
        let active = world.active();
        let lane_rate = world.last_rates();

        if self.eager() {
            // Everyone revokes everything before joining.
            for slot in 0..world.consuming.len() {
                if world.consuming[slot] != NONE {
                    world.revoke(slot);
                }
            }
        } else {
            // A cooperative member first drops what it no longer subscribes to.
            for &lane in &active {
                let l = &mut world.lanes[lane as usize];
                let (keep, dropped): (Vec<_>, Vec<_>) = std::mem::take(&mut l.assigned)
                    .into_iter()
                    .partition(|tp| l.topics.contains(&tp.topic));
                l.assigned = keep;
                for tp in dropped {
                    if let Some(slot) = world.slot(&tp)
                        && world.consuming[slot] == lane
                    {
                        world.revoke(slot);
                    }
                }
            }
        }
        world.count_stopped_round();

        let mut joined = Vec::with_capacity(active.len());
        for &lane in &active {
            let l = &world.lanes[lane as usize];
            let mut state = ClientState::new(l.topics.iter().cloned());
            state.assigned = l.assigned.clone();
            state.generation = l.generation;
            state.rack = l.rack.clone();
            let protocols = join_protocols(&[self.strategy], &state)
                .map_err(|e| fail(format!("member {:?}: {e}", l.member_id)))?;
            let metadata = protocols
                .into_iter()
                .next()
                .map(|p| p.metadata)
                .ok_or_else(|| fail(format!("member {:?} offers no protocol", l.member_id)))?;
            joined.push(JoinedMember::new(
                l.member_id.clone(),
                l.instance_id.clone(),
                metadata,
            ));
        }
        let led =
            lead(self.strategy, &joined, world.metadata()).map_err(|e| fail(e.to_string()))?;

        // Owned ids: revoking below changes the world while this is in use.
        let by_id: HashMap<String, u32> = active
            .iter()
            .map(|&l| (world.lanes[l as usize].member_id.clone(), l))
            .collect();
        let mut received = Vec::with_capacity(led.sync.len());
        let mut follow_up = false;
        for (member_id, bytes) in &led.sync {
            let lane = *by_id
                .get(member_id.as_str())
                .ok_or_else(|| fail(format!("the leader answered unknown member {member_id:?}")))?;
            let owned: &[TopicPartition] = if self.eager() {
                &[]
            } else {
                &world.lanes[lane as usize].assigned
            };
            let (data, change) =
                follow(owned, bytes).map_err(|e| fail(format!("member {member_id:?}: {e}")))?;
            follow_up |= !change.revoked.is_empty();
            for tp in &change.revoked {
                if let Some(slot) = world.slot(tp)
                    && world.consuming[slot] == lane
                {
                    world.revoke(slot);
                }
            }
            received.push((lane, data.partitions));
        }
        // Revocations first, then the new assignments, as a partition is
        // only taken once its previous owner let go.
        for (lane, partitions) in received {
            for tp in &partitions {
                if let Some(slot) = world.slot(tp)
                    && world.consuming[slot] != lane
                {
                    world.take(slot, lane, &lane_rate);
                }
            }
            let l = &mut world.lanes[lane as usize];
            l.assigned = partitions;
            l.generation = Some(self.generation);
        }
        Ok(follow_up && !self.eager())
    }
}

impl Driver for Classic {
    fn protocol(&self) -> Protocol {
        match self.protocol {
            RebalanceProtocol::Eager => Protocol::Eager,
            RebalanceProtocol::Cooperative => Protocol::Cooperative,
        }
    }

    /// Rounds until no member revokes anything.
    fn rebalance(&mut self, world: &mut World<'_>, label: &str) -> Result<(), ReplayError> {
        if world.active().is_empty() {
            return Ok(());
        }
        world.event.rebalances += 1;
        for round in 1.. {
            world.event.rounds += 1;
            let follow_up = self.round(world, label)?;
            if !follow_up {
                break;
            }
            if round >= MAX_ROUNDS {
                return Err(ReplayError::new(
                    ReplayErrorKind::Unsettled,
                    format!(
                        "{label}: {} did not settle in {MAX_ROUNDS} rounds",
                        self.strategy
                    ),
                ));
            }
        }
        Ok(())
    }
}
