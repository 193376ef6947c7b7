//! The replay: every event of a timeline, under one strategy, through the
//! consumer protocol's bytes.
//!
//! Each member is a small client: it builds its JoinGroup metadata with
//! [`join_protocols`] from what it holds (its last assignment and that
//! assignment's generation), the leader runs [`lead`] over everyone's bytes,
//! and each member applies its SyncGroup bytes with [`follow`]. Under the
//! eager protocol a member revokes everything before it joins; under the
//! cooperative one it keeps consuming and revokes only what `follow` says,
//! then rejoins, so a moved partition reaches its new owner one round later.
//!
//! Beside the clients the engine keeps the ground truth per partition: who
//! consumes it now and who consumed it last. Everything reported is counted
//! against that: revocations of partitions actually being consumed,
//! hand-overs from one member to another, rounds a partition spends stopped.

use std::collections::HashMap;
use std::sync::Arc;

use kafka_assignors::protocol::{ClientState, JoinedMember, follow, join_protocols, lead};
use kafka_assignors::{
    Assignor, Group, Member, RebalanceProtocol, Strategy, Topic, TopicPartition,
};

use crate::Failure;
use crate::simulate::timeline::{Event, MemberSpec, Timeline};

/// Nobody: a partition no member consumes (or ever consumed).
const NONE: u32 = u32::MAX;

/// Rounds one rebalance may take before the replay gives up. The sticky
/// strategies settle in two; range and roundrobin run eager, in one.
const MAX_ROUNDS: u32 = 8;

/// How consumers commit their offsets, for the duplicate and loss bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum CommitMode {
    /// `enable.auto.commit=true`, committing every `interval_ms`.
    Auto { interval_ms: u64 },
    /// A synchronous commit after each processed batch of `batch` records.
    Manual { batch: u64 },
}

/// Where a member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    /// Not (or no longer, or not yet) in the group.
    Absent,
    /// In the group.
    Active,
    /// Stopped without a word; holds its stale assignment.
    Crashed,
}

/// One member's lane after an event.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub(crate) struct LaneState {
    pub(crate) status: Status,
    /// Partitions it consumes.
    pub(crate) load: u32,
    /// Messages per second of those partitions.
    pub(crate) rate: f64,
    /// Partitions handed to it from another member during the event.
    pub(crate) moved_in: u32,
    /// Partitions it gave up while consuming them during the event (twice
    /// in one event counts twice): the event's `revoked`, by member.
    pub(crate) revoked: u32,
    /// Partitions that stopped during the event while it consumed them: the
    /// event's `stopped`, by member.
    pub(crate) stopped: u32,
}

/// What one event did to the group under one strategy.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub(crate) struct EventReport {
    pub(crate) label: String,
    pub(crate) kind: &'static str,
    /// Rebalances the event started (a slow restart starts two).
    pub(crate) rebalances: u32,
    /// JoinGroup/SyncGroup rounds over those rebalances.
    pub(crate) rounds: u32,
    /// Partitions a member gave up while consuming them (a crash gives up
    /// nothing: its partitions are lost, not revoked).
    pub(crate) revoked: u64,
    /// Hand-overs: partitions that went to a member other than the one that
    /// consumed them last.
    pub(crate) moved: u64,
    /// Messages per second of the moved partitions.
    pub(crate) moved_rate: f64,
    /// Partitions that stopped consuming at some point of the event.
    pub(crate) stopped: u64,
    /// Rounds those partitions spent stopped, summed.
    pub(crate) stopped_partition_rounds: u64,
    /// The most rounds one partition spent stopped.
    pub(crate) max_stopped_rounds: u32,
    /// Time the event's own partitions waited before any rebalance could
    /// help: the session timeout for a crash or a slow static restart, the
    /// downtime of a quick static restart.
    pub(crate) paused_ms: u64,
    /// Members in the group after the event.
    pub(crate) members: u32,
    /// Most minus fewest partitions per member after the event.
    pub(crate) spread: u32,
    /// Most minus fewest messages per second per member.
    pub(crate) rate_spread: f64,
    /// Sum of squared partitions per member.
    pub(crate) sumsq: u64,
    /// The same for StickyAssignor on the same group without history.
    pub(crate) optimum_sumsq: u64,
    /// `sumsq - optimum_sumsq`.
    pub(crate) sumsq_excess: u64,
    /// Records the moved partitions may process twice, at most.
    pub(crate) duplicates_max: f64,
    /// Records the moved partitions may skip, at most.
    pub(crate) loss_max: f64,
    /// Per lane, in lane order.
    pub(crate) lanes: Vec<LaneState>,
}

/// One strategy's replay of the whole timeline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Replay {
    pub(crate) strategy: Strategy,
    pub(crate) protocol: RebalanceProtocol,
    /// The initial join, then one report per event.
    pub(crate) events: Vec<EventReport>,
}

/// Replays `timeline` under `strategy`.
pub(crate) fn replay(
    timeline: &Timeline,
    strategy: Strategy,
    commit: CommitMode,
) -> Result<Replay, Failure> {
    let protocol = kafka_assignors::protocol::rebalance_protocol(&[strategy])
        .map_err(|e| Failure(format!("{strategy}: {e}")))?;
    let mut sim = Sim::new(timeline, strategy, protocol, commit);
    let mut events = Vec::with_capacity(timeline.events.len() + 1);
    sim.begin_event();
    for lane in 0..timeline.initial.len() as u32 {
        sim.join_fresh(lane);
    }
    sim.rebalance("start")?;
    events.push(sim.end_event("start".to_string(), "start")?);
    for event in &timeline.events {
        sim.begin_event();
        let label = event.label(timeline);
        sim.apply(event, &label)?;
        events.push(sim.end_event(label, event.kind())?);
    }
    Ok(Replay {
        strategy,
        protocol,
        events,
    })
}

/// A member as its client knows itself.
#[derive(Debug, Clone)]
struct Lane {
    instance_id: Option<String>,
    rack: Option<String>,
    topics: Vec<Arc<str>>,
    status: Status,
    member_id: String,
    /// Fresh joins so far: the coordinator's member id changes at each.
    joins: u32,
    /// Its last assignment, as received in SyncGroup.
    assigned: Vec<TopicPartition>,
    /// The generation of that assignment.
    generation: Option<i32>,
    name: String,
}

struct Sim<'t> {
    timeline: &'t Timeline,
    strategy: Strategy,
    protocol: RebalanceProtocol,
    commit: CommitMode,
    /// Current metadata, every topic ever known (deleted ones flagged).
    topics: Vec<Topic>,
    deleted: Vec<bool>,
    topic_of: HashMap<Arc<str>, u32>,
    /// First slot of each topic; a topic has a slot for every partition it
    /// will ever have.
    slot_start: Vec<usize>,
    rate: Vec<f64>,
    /// Per slot: the lane consuming it now, and the lane that consumed it last.
    consuming: Vec<u32>,
    last: Vec<u32>,
    lanes: Vec<Lane>,
    generation: i32,
    event: EventAcc,
}

/// Counters of the event under way.
#[derive(Default)]
struct EventAcc {
    was_consuming: Vec<bool>,
    /// Per slot, the lane consuming it when the event began.
    start_owner: Vec<u32>,
    stopped: Vec<bool>,
    /// Per slot, the lane consuming it when it first stopped.
    stopped_owner: Vec<u32>,
    revoked_by: Vec<u32>,
    stopped_rounds: Vec<u32>,
    moved_in: Vec<u32>,
    rebalances: u32,
    rounds: u32,
    revoked: u64,
    moved: u64,
    moved_rate: f64,
    duplicates: f64,
    loss: f64,
    paused_ms: u64,
}

impl<'t> Sim<'t> {
    fn new(
        timeline: &'t Timeline,
        strategy: Strategy,
        protocol: RebalanceProtocol,
        commit: CommitMode,
    ) -> Self {
        let mut slot_start = Vec::with_capacity(timeline.topics.len());
        let mut rate = Vec::with_capacity(timeline.slots());
        for rates in &timeline.rates {
            slot_start.push(rate.len());
            rate.extend_from_slice(rates);
        }
        let lanes = timeline
            .lanes
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let spec = timeline.initial.get(i);
                Lane {
                    instance_id: spec.and_then(|s| s.instance_id.clone()),
                    rack: spec.and_then(|s| s.rack.clone()),
                    topics: spec.map(|s| s.topics.clone()).unwrap_or_default(),
                    status: Status::Absent,
                    member_id: String::new(),
                    joins: 0,
                    assigned: Vec::new(),
                    generation: None,
                    name: name.clone(),
                }
            })
            .collect();
        let slots = rate.len();
        Sim {
            timeline,
            strategy,
            protocol,
            commit,
            topics: timeline.topics.clone(),
            deleted: vec![false; timeline.topics.len()],
            topic_of: timeline
                .topics
                .iter()
                .enumerate()
                .map(|(i, t)| (Arc::clone(&t.name), i as u32))
                .collect(),
            slot_start,
            rate,
            consuming: vec![NONE; slots],
            last: vec![NONE; slots],
            lanes,
            generation: 0,
            event: EventAcc::default(),
        }
    }

    fn eager(&self) -> bool {
        self.protocol == RebalanceProtocol::Eager
    }

    /// The slot of a partition in the current metadata.
    fn slot(&self, tp: &TopicPartition) -> Option<usize> {
        let t = *self.topic_of.get(&tp.topic)? as usize;
        let in_range = !self.deleted[t] && (0..self.topics[t].partitions).contains(&tp.partition);
        in_range.then(|| self.slot_start[t] + tp.partition as usize)
    }

    fn begin_event(&mut self) {
        let slots = self.consuming.len();
        self.event = EventAcc {
            was_consuming: self.consuming.iter().map(|&c| c != NONE).collect(),
            start_owner: self.consuming.clone(),
            stopped: vec![false; slots],
            stopped_owner: vec![NONE; slots],
            revoked_by: vec![0; self.lanes.len()],
            stopped_rounds: vec![0; slots],
            moved_in: vec![0; self.lanes.len()],
            ..EventAcc::default()
        };
    }

    /// The lane joins as a new process: a new member id, nothing owned.
    fn join_fresh(&mut self, lane: u32) {
        let l = &mut self.lanes[lane as usize];
        l.joins += 1;
        l.member_id = format!("{}-{}", l.name, l.joins);
        l.status = Status::Active;
        l.assigned.clear();
        l.generation = None;
    }

    /// The lane stops consuming everything it consumes; `revoke` when it
    /// gives the partitions up (commits, revokes) rather than losing them.
    fn stop_lane(&mut self, lane: u32, revoke: bool) {
        for slot in 0..self.consuming.len() {
            if self.consuming[slot] == lane {
                if revoke {
                    self.revoke(slot);
                } else {
                    self.stop(slot, lane);
                    self.consuming[slot] = NONE;
                }
            }
        }
    }

    /// `slot`, consumed by `lane`, stops (or stays stopped) this event.
    fn stop(&mut self, slot: usize, lane: u32) {
        let acc = &mut self.event;
        if !acc.stopped[slot] {
            acc.stopped[slot] = true;
            acc.stopped_owner[slot] = lane;
        }
    }

    /// The member consuming `slot` gives it up.
    fn revoke(&mut self, slot: usize) {
        let lane = self.consuming[slot];
        self.stop(slot, lane);
        self.consuming[slot] = NONE;
        self.event.revoked += 1;
        self.event.revoked_by[lane as usize] += 1;
    }

    fn apply(&mut self, event: &Event, label: &str) -> Result<(), Failure> {
        match event {
            Event::Join { lane, spec } => {
                self.set_spec(*lane, spec);
                self.join_fresh(*lane);
                self.rebalance(label)
            }
            Event::Leave { lane } => {
                self.stop_lane(*lane, true);
                let l = &mut self.lanes[*lane as usize];
                l.status = Status::Absent;
                l.assigned.clear();
                l.generation = None;
                self.rebalance(label)
            }
            Event::Crash { lane } => {
                self.stop_lane(*lane, false);
                self.lanes[*lane as usize].status = Status::Crashed;
                self.event.paused_ms = self.timeline.session_timeout_ms;
                self.rebalance(label)
            }
            Event::Recover { lane } => {
                // Back with its stale assignment and generation: the
                // coordinator forgot it, so it gets a new member id.
                let l = &mut self.lanes[*lane as usize];
                l.joins += 1;
                l.member_id = format!("{}-{}", l.name, l.joins);
                l.status = Status::Active;
                self.rebalance(label)
            }
            Event::Restart { lane, down_ms } => {
                let is_static = self.lanes[*lane as usize].instance_id.is_some();
                if is_static && *down_ms < self.timeline.session_timeout_ms {
                    // The coordinator keeps the static member's place and
                    // hands the new process the same assignment: no
                    // rebalance, its partitions wait while it is down.
                    self.event.paused_ms = *down_ms;
                    for slot in 0..self.consuming.len() {
                        if self.consuming[slot] == *lane {
                            self.stop(slot, *lane);
                        }
                    }
                    let l = &mut self.lanes[*lane as usize];
                    l.joins += 1;
                    l.member_id = format!("{}-{}", l.name, l.joins);
                    return Ok(());
                }
                // A dynamic member leaves on shutdown; a static one does not
                // and is removed when its session times out. Either way the
                // process revokes on close, and the new one joins empty.
                self.stop_lane(*lane, true);
                if is_static {
                    self.event.paused_ms = self.timeline.session_timeout_ms;
                }
                let l = &mut self.lanes[*lane as usize];
                l.status = Status::Absent;
                self.rebalance(label)?;
                self.join_fresh(*lane);
                self.rebalance(label)
            }
            Event::Subscribe { lane, topics } => {
                self.lanes[*lane as usize].topics = topics.clone();
                self.rebalance(label)
            }
            Event::Rack { lane, rack } => {
                self.lanes[*lane as usize].rack = rack.clone();
                self.rebalance(label)
            }
            Event::AddPartitions {
                topic,
                partitions,
                racks,
                ..
            } => {
                let t = &mut self.topics[*topic as usize];
                t.partitions = *partitions;
                if let (Some(existing), Some(added)) = (&mut t.replica_racks, racks) {
                    existing.extend(added.iter().cloned());
                }
                self.rebalance(label)
            }
            Event::DeleteTopic { topic } => {
                let t = *topic as usize;
                self.deleted[t] = true;
                let start = self.slot_start[t];
                let end = start + self.timeline.rates[t].len();
                // Gone partitions are nobody's and are not counted as stopped.
                for slot in start..end {
                    self.consuming[slot] = NONE;
                    self.last[slot] = NONE;
                    self.event.was_consuming[slot] = false;
                }
                self.rebalance(label)
            }
        }
    }

    fn set_spec(&mut self, lane: u32, spec: &MemberSpec) {
        let l = &mut self.lanes[lane as usize];
        l.instance_id = spec.instance_id.clone();
        l.rack = spec.rack.clone();
        l.topics = spec.topics.clone();
    }

    /// One rebalance: rounds until no member revokes anything.
    fn rebalance(&mut self, label: &str) -> Result<(), Failure> {
        if self.lanes.iter().all(|l| l.status != Status::Active) {
            return Ok(());
        }
        self.event.rebalances += 1;
        for round in 1.. {
            self.event.rounds += 1;
            let follow_up = self.round(label)?;
            if !follow_up {
                break;
            }
            if round >= MAX_ROUNDS {
                return Err(Failure(format!(
                    "{label}: {} did not settle in {MAX_ROUNDS} rounds",
                    self.strategy
                )));
            }
        }
        Ok(())
    }

    /// One JoinGroup/SyncGroup round; whether a member revoked something and
    /// so rejoins.
    fn round(&mut self, label: &str) -> Result<bool, Failure> {
        let strategy = self.strategy;
        let fail = move |what: String| Failure(format!("{label}: {strategy}: {what}"));
        self.generation += 1;
        let active: Vec<u32> = (0..self.lanes.len() as u32)
            .filter(|&l| self.lanes[l as usize].status == Status::Active)
            .collect();

        // What each member last consumed, by rate: the mix of its in-flight
        // batch under manual commit.
        let mut lane_rate = vec![0.0f64; self.lanes.len()];
        for (slot, &last) in self.last.iter().enumerate() {
            if last != NONE {
                lane_rate[last as usize] += self.rate[slot];
            }
        }

        if self.eager() {
            // Everyone revokes everything before joining.
            for slot in 0..self.consuming.len() {
                if self.consuming[slot] != NONE {
                    self.revoke(slot);
                }
            }
        } else {
            // A cooperative member first drops what it no longer subscribes to.
            for &lane in &active {
                let l = &mut self.lanes[lane as usize];
                let (keep, dropped): (Vec<_>, Vec<_>) = std::mem::take(&mut l.assigned)
                    .into_iter()
                    .partition(|tp| l.topics.contains(&tp.topic));
                l.assigned = keep;
                for tp in dropped {
                    if let Some(slot) = self.slot(&tp)
                        && self.consuming[slot] == lane
                    {
                        self.revoke(slot);
                    }
                }
            }
        }

        // Partitions that were consumed when the event began and are not
        // consumed during this round.
        for slot in 0..self.consuming.len() {
            if self.event.was_consuming[slot] && self.consuming[slot] == NONE {
                self.stop(slot, self.event.start_owner[slot]);
                self.event.stopped_rounds[slot] += 1;
            }
        }

        let mut joined = Vec::with_capacity(active.len());
        for &lane in &active {
            let l = &self.lanes[lane as usize];
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
        let metadata: Vec<Topic> = self
            .topics
            .iter()
            .zip(&self.deleted)
            .filter(|(_, deleted)| !**deleted)
            .map(|(t, _)| t.clone())
            .collect();
        let led = lead(self.strategy, &joined, metadata).map_err(|e| fail(e.to_string()))?;

        // Owned ids: revoking below changes the simulation while this is in use.
        let by_id: HashMap<String, u32> = active
            .iter()
            .map(|&l| (self.lanes[l as usize].member_id.clone(), l))
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
                &self.lanes[lane as usize].assigned
            };
            let (data, change) =
                follow(owned, bytes).map_err(|e| fail(format!("member {member_id:?}: {e}")))?;
            follow_up |= !change.revoked.is_empty();
            for tp in &change.revoked {
                if let Some(slot) = self.slot(tp)
                    && self.consuming[slot] == lane
                {
                    self.revoke(slot);
                }
            }
            received.push((lane, data.partitions));
        }
        // Revocations first, then the new assignments, as a partition is
        // only taken once its previous owner let go.
        for (lane, partitions) in received {
            for tp in &partitions {
                if let Some(slot) = self.slot(tp)
                    && self.consuming[slot] != lane
                {
                    self.take(slot, lane, &lane_rate);
                }
            }
            let l = &mut self.lanes[lane as usize];
            l.assigned = partitions;
            l.generation = Some(self.generation);
        }
        Ok(follow_up && !self.eager())
    }

    /// `lane` starts consuming `slot`.
    fn take(&mut self, slot: usize, lane: u32, lane_rate: &[f64]) {
        let previous = self.last[slot];
        if previous != NONE && previous != lane {
            let rate = self.rate[slot];
            let acc = &mut self.event;
            acc.moved += 1;
            acc.moved_rate += rate;
            acc.moved_in[lane as usize] += 1;
            match self.commit {
                CommitMode::Auto { interval_ms } => {
                    let window = rate * interval_ms as f64 / 1000.0;
                    acc.duplicates += window;
                    acc.loss += window;
                }
                CommitMode::Manual { batch } => {
                    let total = lane_rate[previous as usize];
                    if total > 0.0 {
                        acc.duplicates += batch as f64 * rate / total;
                    }
                }
            }
        }
        self.consuming[slot] = lane;
        self.last[slot] = lane;
    }

    fn end_event(&mut self, label: String, kind: &'static str) -> Result<EventReport, Failure> {
        let mut load = vec![0u32; self.lanes.len()];
        let mut rate = vec![0.0f64; self.lanes.len()];
        for (slot, &c) in self.consuming.iter().enumerate() {
            if c != NONE {
                load[c as usize] += 1;
                rate[c as usize] += self.rate[slot];
            }
        }
        let active: Vec<usize> = (0..self.lanes.len())
            .filter(|&l| self.lanes[l].status == Status::Active)
            .collect();
        let spread = |values: &dyn Fn(usize) -> f64| {
            let (lo, hi) = active.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &l| {
                (lo.min(values(l)), hi.max(values(l)))
            });
            if active.is_empty() { 0.0 } else { hi - lo }
        };
        let load_spread = spread(&|l| f64::from(load[l])) as u32;
        let rate_spread = spread(&|l| rate[l]);
        let sumsq: u64 = active.iter().map(|&l| u64::from(load[l]).pow(2)).sum();
        let optimum_sumsq = self.optimum_sumsq(&label)?;
        let acc = &self.event;
        let stopped = acc.stopped.iter().filter(|&&s| s).count() as u64;
        let mut stopped_by = vec![0u32; self.lanes.len()];
        for (slot, &owner) in acc.stopped_owner.iter().enumerate() {
            if acc.stopped[slot] && owner != NONE {
                stopped_by[owner as usize] += 1;
            }
        }
        let lanes = self
            .lanes
            .iter()
            .enumerate()
            .map(|(i, l)| LaneState {
                status: l.status,
                load: load[i],
                rate: rate[i],
                moved_in: acc.moved_in[i],
                revoked: acc.revoked_by[i],
                stopped: stopped_by[i],
            })
            .collect();
        Ok(EventReport {
            label,
            kind,
            rebalances: acc.rebalances,
            rounds: acc.rounds,
            revoked: acc.revoked,
            moved: acc.moved,
            moved_rate: acc.moved_rate,
            stopped,
            stopped_partition_rounds: acc.stopped_rounds.iter().map(|&r| u64::from(r)).sum(),
            max_stopped_rounds: acc.stopped_rounds.iter().copied().max().unwrap_or(0),
            paused_ms: acc.paused_ms,
            members: active.len() as u32,
            spread: load_spread,
            rate_spread,
            sumsq,
            optimum_sumsq,
            sumsq_excess: sumsq.saturating_sub(optimum_sumsq),
            duplicates_max: acc.duplicates,
            loss_max: acc.loss,
            lanes,
        })
    }

    /// The sum of squared loads StickyAssignor gives the current group with
    /// no history: the most even assignment the subscriptions allow.
    fn optimum_sumsq(&self, label: &str) -> Result<u64, Failure> {
        let mut group = Group::new();
        group.topics = self
            .topics
            .iter()
            .zip(&self.deleted)
            .filter(|(_, deleted)| !**deleted)
            .map(|(t, _)| t.clone())
            .collect();
        for l in self.lanes.iter().filter(|l| l.status == Status::Active) {
            let mut member = Member::new(l.member_id.clone()).subscribe(l.topics.iter().cloned());
            member.instance_id = l.instance_id.clone();
            member.rack = l.rack.clone();
            group.members.push(member);
        }
        let optimum = Strategy::Sticky
            .assign(&group)
            .map_err(|e| Failure(format!("{label}: the optimum: {e}")))?;
        Ok(optimum.members().map(|m| (m.len() as u64).pow(2)).sum())
    }
}
