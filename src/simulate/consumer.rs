//! The consumer protocol's driver (KIP-848): server-side target assignment
//! and heartbeat reconciliation through [`crate::server`].
//!
//! The coordinator keeps a group epoch, each member's target (its share of
//! the group's target assignment, computed by a server-side assignor,
//! [`server::UniformTargetAssignor`] or [`server::RangeTargetAssignor`],
//! whenever the group changes) and each member's reconciliation record
//! ([`server::CurrentAssignment`]), stepped by [`server::reconcile`].
//!
//! A rebalance bumps the group epoch, recomputes the target from the
//! members' current targets (so the assignor can be sticky), then runs
//! heartbeat rounds. In one round every member in the group heartbeats
//! once, reporting what its client owns; the coordinator steps its record
//! against the owners as they stood when the round began (in a real group
//! heartbeats interleave; a snapshot keeps the answer independent of member
//! order, and a partition free at the round's start is in one member's
//! target only, so no two members can take it in one round). The response
//! is the record's assigned partitions: the client releases what it no
//! longer has ([`World::revoke`]) and starts consuming what is new
//! ([`World::take`]), then reports the smaller set on its next heartbeat.
//! Rounds repeat until every member is stable at the target epoch. A move
//! from one member to another takes three rounds: the owner is told to
//! revoke, its next heartbeat confirms the release, and the new owner's next
//! heartbeat takes the partition.
//!
//! Members are kept by lane, not member id: a quick static restart keeps
//! its place (no rebalance), and a member leaving, crashing or restarting
//! slowly is dropped at the next rebalance and rejoins as a new member at
//! epoch 0 owning nothing.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::TopicPartition;
use crate::server::{
    self, CurrentAssignment, GroupSpec, Heartbeat, MemberSpec, PartitionSet, TargetAssignment,
    TargetAssignor, TopicDescription, TopicId, TopicMetadata,
};
use crate::simulate::error::{ReplayError, ReplayErrorKind};
use crate::simulate::replay::{Driver, NONE, Protocol, World};

/// Heartbeat rounds one rebalance may take before the replay gives up. A
/// move takes three (revoke, release, take).
const MAX_ROUNDS: u32 = 16;

/// The server-side assignor of a consumer-protocol replay
/// (`group.remote.assignor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ConsumerAssignor {
    /// [`server::UniformTargetAssignor`] (Kafka's default).
    Uniform,
    /// [`server::RangeTargetAssignor`].
    Range,
}

impl ConsumerAssignor {
    /// Both, in the order `kassign simulate` lists them.
    pub const ALL: [ConsumerAssignor; 2] = [ConsumerAssignor::Uniform, ConsumerAssignor::Range];

    /// `consumer-uniform` or `consumer-range`: the replay's strategy name.
    pub fn name(self) -> &'static str {
        match self {
            ConsumerAssignor::Uniform => "consumer-uniform",
            ConsumerAssignor::Range => "consumer-range",
        }
    }

    /// The server-side assignor it replays with; its
    /// [`name`](TargetAssignor::name) is the one clients choose it by
    /// (`group.remote.assignor`: `uniform`, `range`).
    pub fn target_assignor(self) -> &'static dyn TargetAssignor {
        match self {
            ConsumerAssignor::Uniform => &server::UniformTargetAssignor,
            ConsumerAssignor::Range => &server::RangeTargetAssignor,
        }
    }
}

/// What the coordinator keeps of one member.
#[derive(Clone)]
struct Record {
    /// The member's share of the target assignment.
    target: PartitionSet,
    /// Its reconciliation record.
    current: CurrentAssignment,
    /// Its subscription, as of its last heartbeat.
    subscribed: Vec<TopicId>,
    /// The subscription changed since its last heartbeat.
    subscription_changed: bool,
}

/// One server-side assignor on the consumer protocol.
pub(crate) struct Consumer {
    assignor: ConsumerAssignor,
    /// The group epoch, one more at every change of the group.
    epoch: i32,
    /// Per lane, the coordinator's record of the member (`None`: not in the
    /// group).
    records: Vec<Option<Record>>,
}

impl Consumer {
    pub(crate) fn new(assignor: ConsumerAssignor) -> Self {
        Consumer {
            assignor,
            epoch: 0,
            records: Vec::new(),
        }
    }

    fn fail(
        &self,
        label: &str,
        kind: ReplayErrorKind,
        what: impl std::fmt::Display,
    ) -> ReplayError {
        ReplayError::new(kind, format!("{label}: {}: {what}", self.assignor.name()))
    }

    /// The group changed: drop members that left, add those that joined,
    /// bump the epoch and compute the new target.
    fn new_target(
        &mut self,
        world: &mut World<'_>,
        label: &str,
        ids: &HashMap<Arc<str>, TopicId>,
        active: &[u32],
    ) -> Result<(), ReplayError> {
        self.records.resize(world.lanes.len(), None);
        let active_set: HashSet<u32> = active.iter().copied().collect();
        for (lane, record) in self.records.iter_mut().enumerate() {
            if !active_set.contains(&(lane as u32)) {
                *record = None;
            }
        }
        let mut topics = Vec::with_capacity(ids.len());
        for topic in world.metadata() {
            let partitions = u32::try_from(topic.partitions).unwrap_or(0);
            let mut d = TopicDescription::new(ids[&topic.name], partitions)
                .with_name(Arc::clone(&topic.name));
            d.replica_racks = topic.replica_racks.clone();
            topics.push(d);
        }
        let metadata = TopicMetadata::new(topics)
            .map_err(|e| self.fail(label, ReplayErrorKind::Protocol, e))?;
        let known: HashSet<TopicId> = ids.values().copied().collect();
        let mut spec = GroupSpec::new();
        for &lane in active {
            let l = &world.lanes[lane as usize];
            let subscribed: Vec<TopicId> = l
                .topics
                .iter()
                .filter_map(|t| ids.get(t).copied())
                .collect();
            let record = self.records[lane as usize].get_or_insert_with(|| {
                // A new member: the client owns nothing the group knows of.
                Record {
                    target: PartitionSet::new(),
                    current: CurrentAssignment::joining(),
                    subscribed: subscribed.clone(),
                    subscription_changed: false,
                }
            });
            if record.subscribed != subscribed {
                record.subscribed = subscribed.clone();
                record.subscription_changed = true;
            }
            let mut member = MemberSpec::new(l.member_id.clone()).subscribe(subscribed);
            member.instance_id = l.instance_id.clone();
            member.rack = l.rack.clone();
            let mut target: Vec<(TopicId, Vec<i32>)> = Vec::new();
            // A deleted topic leaves the current target with the metadata.
            for (topic, partition) in record.target.iter().filter(|(t, _)| known.contains(t)) {
                match target.last_mut() {
                    Some((t, ps)) if *t == topic => ps.push(partition),
                    _ => target.push((topic, vec![partition])),
                }
            }
            member.target = TargetAssignment::from_entries(target);
            spec.members.push(member);
        }
        let answer = self
            .assignor
            .target_assignor()
            .assign(&spec, &metadata)
            .map_err(|e| self.fail(label, ReplayErrorKind::Protocol, e))?;
        let lane_of: HashMap<&str, u32> = active
            .iter()
            .map(|&l| (world.lanes[l as usize].member_id.as_str(), l))
            .collect();
        for (member_id, target) in answer.resolve(&spec) {
            let Some(&lane) = lane_of.get(member_id.as_str()) else {
                return Err(self.fail(
                    label,
                    ReplayErrorKind::Protocol,
                    format!("the assignor answered unknown member {member_id:?}"),
                ));
            };
            let set = PartitionSet::from_topics(target.topics().map(|(t, ps)| (t, ps.to_vec())))
                .map_err(|e| self.fail(label, ReplayErrorKind::Protocol, e))?;
            if let Some(record) = &mut self.records[lane as usize] {
                record.target = set;
            }
        }
        self.epoch += 1;
        Ok(())
    }

    /// One heartbeat round; whether every member is stable at the target
    /// epoch with its client owning exactly its record.
    fn round(
        &mut self,
        world: &mut World<'_>,
        label: &str,
        ids: &HashMap<Arc<str>, TopicId>,
        names: &HashMap<TopicId, Arc<str>>,
        active: &[u32],
    ) -> Result<bool, ReplayError> {
        // The owners as the round begins: partition -> (lane, epoch).
        let mut held: HashMap<(TopicId, i32), (u32, i32)> = HashMap::new();
        for &lane in active {
            if let Some(r) = &self.records[lane as usize] {
                for tp in r.current.held() {
                    held.insert(tp, (lane, r.current.epoch()));
                }
            }
        }
        let lane_rate = world.last_rates();
        let mut settled = true;
        let mut responses = Vec::with_capacity(active.len());
        for &lane in active {
            let l = &world.lanes[lane as usize];
            let owned = PartitionSet::from_partitions(
                l.assigned
                    .iter()
                    .filter_map(|tp| Some((*ids.get(&tp.topic)?, tp.partition))),
            )
            .map_err(|e| self.fail(label, ReplayErrorKind::Protocol, e))?;
            let Some(record) = self.records[lane as usize].as_mut() else {
                continue;
            };
            let subscribed = &record.subscribed;
            let heartbeat = Heartbeat {
                target_epoch: self.epoch,
                target: &record.target,
                owned: Some(&owned),
                subscription_changed: record.subscription_changed,
            };
            let owners = |t: TopicId, p: i32| {
                held.get(&(t, p))
                    .filter(|(holder, _)| *holder != lane)
                    .map(|&(_, e)| e)
            };
            let next = server::reconcile(
                &record.current,
                &heartbeat,
                &|t: TopicId| subscribed.contains(&t),
                &owners,
            )
            .map_err(|e| {
                ReplayError::new(
                    ReplayErrorKind::Protocol,
                    format!(
                        "{label}: {}: member {:?}: {e}",
                        self.assignor.name(),
                        l.member_id
                    ),
                )
            })?
            .into_next(&record.current);
            record.current = next;
            record.subscription_changed = false;
            let assigned = record.current.assigned().to_set();
            // The client adopts the response at once (below), so a member
            // stable at the target epoch owns exactly its record.
            settled &= record.current.is_reconciled_to(self.epoch);
            responses.push((lane, assigned));
        }
        // The clients apply the responses: releases first, then takes.
        let mut takes = Vec::new();
        for (lane, assigned) in responses {
            let l = &mut world.lanes[lane as usize];
            let before = std::mem::take(&mut l.assigned);
            let now: Vec<TopicPartition> = assigned
                .iter()
                .map(|(t, p)| TopicPartition::new(Arc::clone(&names[&t]), p))
                .collect();
            l.assigned = now.clone();
            l.generation = Some(self.epoch);
            for tp in before.iter().filter(|tp| !now.contains(tp)) {
                if let Some(slot) = world.slot(tp)
                    && world.consuming[slot] == lane
                {
                    world.revoke(slot);
                }
            }
            for tp in now {
                if let Some(slot) = world.slot(&tp)
                    && world.consuming[slot] != lane
                {
                    takes.push((slot, lane));
                }
            }
        }
        for (slot, lane) in takes {
            if world.consuming[slot] != NONE {
                // The coordinator handed out a partition another member
                // still consumes: the safety rule broken.
                return Err(self.fail(
                    label,
                    ReplayErrorKind::Protocol,
                    format!(
                        "a partition went to member {:?} while {:?} still consumed it",
                        world.lanes[lane as usize].member_id,
                        world.lanes[world.consuming[slot] as usize].member_id
                    ),
                ));
            }
            world.take(slot, lane, &lane_rate);
        }
        Ok(settled)
    }
}

impl Driver for Consumer {
    fn protocol(&self) -> Protocol {
        Protocol::Consumer
    }

    /// A new target, then heartbeat rounds until every member is stable at
    /// it.
    fn rebalance(&mut self, world: &mut World<'_>, label: &str) -> Result<(), ReplayError> {
        let active = world.active();
        let mut ids: HashMap<Arc<str>, TopicId> = HashMap::new();
        let mut names: HashMap<TopicId, Arc<str>> = HashMap::new();
        for topic in world.metadata() {
            let id = TopicId::from_name(&topic.name);
            if let Some(other) = names.get(&id).filter(|o| **o != topic.name) {
                return Err(self.fail(
                    label,
                    ReplayErrorKind::Protocol,
                    format!(
                        "topics {other:?} and {:?} derive the same topic id {id}",
                        topic.name
                    ),
                ));
            }
            names.insert(id, Arc::clone(&topic.name));
            ids.insert(Arc::clone(&topic.name), id);
        }
        // A member new to the group owns nothing (a recovered member's
        // stale assignment was lost with its old member id).
        self.records.resize(world.lanes.len(), None);
        for &lane in &active {
            if self.records[lane as usize].is_none() {
                world.lanes[lane as usize].assigned.clear();
                world.lanes[lane as usize].generation = None;
            }
        }
        self.new_target(world, label, &ids, &active)?;
        if active.is_empty() {
            return Ok(());
        }
        world.event.rebalances += 1;
        for round in 1.. {
            world.event.rounds += 1;
            world.count_stopped_round();
            if self.round(world, label, &ids, &names, &active)? {
                break;
            }
            if round >= MAX_ROUNDS {
                return Err(self.fail(
                    label,
                    ReplayErrorKind::Unsettled,
                    format!("did not settle in {MAX_ROUNDS} heartbeat rounds"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::Strategy;
    use crate::simulate::{
        CommitMode, ConsumerAssignor, Protocol, Replay, ReplayStrategy, Status, Timeline, replay,
        replay_consumer,
    };

    const AUTO: CommitMode = CommitMode::Auto { interval_ms: 2000 };

    fn timeline(events: &str) -> Timeline {
        let json = format!(
            r#"{{"topics": {{"t": 6, "u": 3}}, "rates": {{"t": [1, 2, 3, 4, 5, 6]}},
               "members": [{{"name": "a", "topics": ["t", "u"]}}, {{"name": "b", "topics": ["t", "u"]}},
                           {{"name": "c", "topics": ["t", "u"]}}],
               "events": [{events}]}}"#
        );
        Timeline::new(serde_json::from_str(&json).unwrap()).unwrap()
    }

    /// Every event ends with each active member holding an even share and
    /// nothing consumed twice (a take of a partition still consumed
    /// elsewhere is a replay error, so reaching here means none happened).
    fn check_settled(r: &Replay, partitions: u32) {
        for e in &r.events {
            let active: Vec<_> = e
                .lanes
                .iter()
                .filter(|l| l.status == Status::Active)
                .collect();
            let total: u32 = active.iter().map(|l| l.load).sum();
            assert_eq!(
                total, partitions,
                "{}: every partition consumed once",
                e.label
            );
            assert!(
                e.spread <= 1,
                "{}: target reached, spread {}",
                e.label,
                e.spread
            );
            assert_eq!(e.sumsq_excess, 0, "{}", e.label);
        }
    }

    #[test]
    fn a_leave_moves_only_the_leavers_partitions_in_one_round() {
        let t = timeline(r#"{"event": "leave", "member": "c"}"#);
        let uniform = replay_consumer(&t, ConsumerAssignor::Uniform, AUTO).unwrap();
        let coop = replay(&t, Strategy::CooperativeSticky, AUTO).unwrap();
        assert_eq!(uniform.protocol, Protocol::Consumer);
        assert_eq!(uniform.strategy, "consumer-uniform");
        check_settled(&uniform, 9);
        let leave = &uniform.events[1];
        // c's three partitions go to a and b, which are free at once: one
        // heartbeat round, nothing else revoked.
        assert_eq!((leave.rounds, leave.revoked, leave.moved), (1, 3, 3));
        assert_eq!(leave.moved, coop.events[1].moved);
        assert!(leave.rounds <= coop.events[1].rounds);
        assert_eq!(leave.lanes[2].status, Status::Absent);
    }

    #[test]
    fn a_join_waits_for_the_release_and_moves_what_cooperative_moves() {
        let t = timeline(r#"{"event": "join", "member": {"name": "d", "topics": ["t", "u"]}}"#);
        let uniform = replay_consumer(&t, ConsumerAssignor::Uniform, AUTO).unwrap();
        let coop = replay(&t, Strategy::CooperativeSticky, AUTO).unwrap();
        check_settled(&uniform, 9);
        let join = &uniform.events[1];
        // 9 over 4 is 3, 2, 2, 2: two members each give one up. Revoke,
        // confirm the release, take: three heartbeat rounds.
        assert_eq!(join.moved, 2);
        assert_eq!(join.revoked, join.moved);
        assert_eq!(join.rounds, 3);
        assert_eq!(join.lanes[3].moved_in, 2);
        // Each moved partition stops for the rounds before it is taken.
        assert_eq!(join.max_stopped_rounds, 2);
        assert_eq!(join.moved, coop.events[1].moved);
    }

    #[test]
    fn a_crash_hands_over_the_lost_partitions_after_the_session_and_recovery_rejoins_empty() {
        let t =
            timeline(r#"{"event": "crash", "member": "b"}, {"event": "recover", "member": "b"}"#);
        for assignor in ConsumerAssignor::ALL {
            let r = replay_consumer(&t, assignor, AUTO).unwrap();
            check_settled(&r, 9);
            let crash = &r.events[1];
            assert_eq!(crash.lanes[1].status, Status::Crashed);
            assert_eq!(crash.paused_ms, t.session_timeout_ms());
            // Lost, not revoked; moved to the survivors.
            assert_eq!(crash.lanes[1].revoked, 0);
            assert_eq!(crash.moved, 3, "{}", assignor.name());
            let recover = &r.events[2];
            assert_eq!(recover.members, 3);
            assert_eq!(recover.lanes[1].load, 3, "{}", assignor.name());
            assert_eq!(recover.lanes[1].moved_in, recover.moved as u32);
        }
        let coop = replay(&t, Strategy::CooperativeSticky, AUTO).unwrap();
        let uniform = replay_consumer(&t, ConsumerAssignor::Uniform, AUTO).unwrap();
        assert_eq!(uniform.totals().moved, coop.totals().moved);
    }

    #[test]
    fn growth_subscription_change_and_deletion_settle() {
        let t = timeline(
            r#"{"event": "add_partitions", "topic": "t", "partitions": 9},
               {"event": "subscribe", "member": "a", "topics": ["t"]},
               {"event": "delete_topic", "topic": "u"}"#,
        );
        for assignor in ConsumerAssignor::ALL {
            let r = replay_consumer(&t, assignor, AUTO).unwrap_or_else(|e| panic!("{e}"));
            let grow = &r.events[1];
            assert_eq!(grow.lanes.iter().map(|l| l.load).sum::<u32>(), 12);
            if assignor == ConsumerAssignor::Uniform {
                // New partitions are free: taken in the first round, no moves.
                assert_eq!((grow.rounds, grow.moved), (1, 0));
            } else {
                // Range recomputes its spans: 0-1, 2-3, 4-5 become 0-2, 3-5,
                // 6-8, so three partitions move, each in three rounds.
                assert_eq!((grow.rounds, grow.moved), (3, 3));
            }
            let deleted = &r.events[3];
            assert_eq!(deleted.lanes.iter().map(|l| l.load).sum::<u32>(), 9);
            assert!(r.events.iter().all(|e| e.rounds <= 3));
        }
    }

    #[test]
    fn the_replay_is_the_same_in_any_member_order() {
        let events = r#"{"event": "join", "member": {"name": "d", "topics": ["t"]}},
                        {"event": "leave", "member": "b"}"#;
        let forward = timeline(events);
        let backward = Timeline::new(
            serde_json::from_str(&format!(
                r#"{{"topics": {{"u": 3, "t": 6}}, "rates": {{"t": [1, 2, 3, 4, 5, 6]}},
                   "members": [{{"name": "c", "topics": ["u", "t"]}}, {{"name": "b", "topics": ["t", "u"]}},
                               {{"name": "a", "topics": ["t", "u"]}}],
                   "events": [{events}]}}"#
            ))
            .unwrap(),
        )
        .unwrap();
        for assignor in ConsumerAssignor::ALL {
            let f = replay_consumer(&forward, assignor, AUTO).unwrap();
            let b = replay_consumer(&backward, assignor, AUTO).unwrap();
            assert_eq!(f.totals(), b.totals(), "{}", assignor.name());
        }
    }

    /// Random lives of a group of up to six members on three topics:
    /// every replay settles, with no partition ever taken while another
    /// member consumes it (the driver refuses that as an error), every
    /// member at its target (each event ends with all partitions consumed),
    /// and uniform never moving more than cooperative-sticky plus what its
    /// evenness asks.
    #[test]
    fn random_timelines_settle_safely() {
        let seed = std::env::var("SIM_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0x5eed_u64);
        println!("seed {seed}");
        let mut state = seed;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        for case in 0..60 {
            // 0 absent, 1 active, 2 crashed.
            let mut status = [1u8, 1, 1, 0, 0, 0];
            let mut parts = [4u32, 3, 5];
            let mut events = Vec::new();
            for _ in 0..12 {
                let m = next(6) as usize;
                let name = format!("m{m}");
                let topics = match next(3) {
                    0 => r#"["t0"]"#,
                    1 => r#"["t0", "t1"]"#,
                    _ => r#"["t0", "t1", "t2"]"#,
                };
                let event = match (status[m], next(4)) {
                    (0, _) => {
                        status[m] = 1;
                        format!(
                            r#"{{"event": "join", "member": {{"name": "{name}", "topics": {topics}}}}}"#
                        )
                    }
                    (2, _) => {
                        status[m] = 1;
                        format!(r#"{{"event": "recover", "member": "{name}"}}"#)
                    }
                    (_, 0) => {
                        status[m] = 0;
                        format!(r#"{{"event": "leave", "member": "{name}"}}"#)
                    }
                    (_, 1) => {
                        status[m] = 2;
                        format!(r#"{{"event": "crash", "member": "{name}"}}"#)
                    }
                    (_, 2) => format!(
                        r#"{{"event": "subscribe", "member": "{name}", "topics": {topics}}}"#
                    ),
                    _ => {
                        let t = next(3) as usize;
                        parts[t] += 1 + next(3) as u32;
                        format!(
                            r#"{{"event": "add_partitions", "topic": "t{t}", "partitions": {}}}"#,
                            parts[t]
                        )
                    }
                };
                events.push(event);
            }
            let json = format!(
                r#"{{"topics": {{"t0": 4, "t1": 3, "t2": 5}},
                   "members": [{{"name": "m0", "topics": ["t0", "t1", "t2"]}},
                               {{"name": "m1", "topics": ["t0"]}},
                               {{"name": "m2", "topics": ["t0", "t1"]}}],
                   "events": [{}]}}"#,
                events.join(", ")
            );
            let t = Timeline::new(serde_json::from_str(&json).unwrap())
                .unwrap_or_else(|e| panic!("seed {seed} case {case}: {e}"));
            for assignor in ConsumerAssignor::ALL {
                let r = replay_consumer(&t, assignor, AUTO)
                    .unwrap_or_else(|e| panic!("seed {seed} case {case}: {e}"));
                for e in &r.events {
                    // Every partition of a subscribed topic is consumed
                    // once the event settles: t0 is everyone's, so when
                    // anyone is active, t0's partitions are all consumed.
                    let active = e.lanes.iter().filter(|l| l.status == Status::Active);
                    let load: u32 = active.map(|l| l.load).sum();
                    assert!(
                        e.members == 0 || load >= 4,
                        "seed {seed} case {case} {}: {}",
                        assignor.name(),
                        e.label
                    );
                    assert!(e.rounds <= 3 * e.rebalances.max(1));
                }
                if assignor == ConsumerAssignor::Uniform {
                    assert_eq!(
                        r.events.last().unwrap().sumsq_excess,
                        0,
                        "seed {seed} case {case}"
                    );
                }
            }
        }
    }

    #[test]
    fn strategy_names_parse_both_protocols() {
        for name in [
            "consumer-uniform",
            "consumer-range",
            "cooperative-sticky",
            "range",
        ] {
            let s: ReplayStrategy = name.parse().unwrap();
            assert_eq!(s.name(), name);
        }
        let unknown = "consumer-sticky".parse::<ReplayStrategy>().unwrap_err();
        assert_eq!(unknown.name(), "consumer-sticky");
    }
}
