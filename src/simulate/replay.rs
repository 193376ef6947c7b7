//! The replay: every event of a timeline, under one strategy, with the
//! ground truth per partition beside the clients.
//!
//! The [`World`] keeps, per partition, who consumes it now and who consumed
//! it last, and per lane what the member's client knows of itself.
//! Everything reported is counted against that: revocations of partitions
//! actually being consumed, hand-overs from one member to another, rounds a
//! partition spends stopped. Events change the world the same way under any
//! protocol (a leaving member revokes, a crash loses, a topic grows); how the
//! group then settles is the [`Driver`]'s: the classic driver
//! runs JoinGroup/SyncGroup rounds through the protocol module's bytes.

use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::sync::Arc;

use serde::Serialize;

use crate::simulate::error::{ReplayError, ReplayErrorKind};
use crate::simulate::timeline::{Event, MemberSpec, Timeline};
use crate::{Assignor, Group, Member, Strategy, Topic, TopicPartition};

/// Nobody: a partition no member consumes (or ever consumed).
pub(crate) const NONE: u32 = u32::MAX;

/// How consumers commit their offsets, for the duplicate and loss bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum CommitMode {
    /// `enable.auto.commit=true`, committing every `interval_ms`.
    Auto {
        /// `auto.commit.interval.ms`.
        interval_ms: u64,
    },
    /// A synchronous commit after each processed batch of `batch` records.
    Manual {
        /// Records per batch (`max.poll.records`).
        batch: u64,
    },
}

impl std::fmt::Display for CommitMode {
    /// `auto commit every 5000 ms`, `manual commit after each batch of 500
    /// records`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommitMode::Auto { interval_ms } => write!(f, "auto commit every {interval_ms} ms"),
            CommitMode::Manual { batch } => {
                write!(f, "manual commit after each batch of {batch} records")
            }
        }
    }
}

/// Where a member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not (or no longer, or not yet) in the group.
    Absent,
    /// In the group.
    Active,
    /// Stopped without a word; holds its stale assignment.
    Crashed,
}

/// One member's lane after an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LaneState {
    /// Where the member is.
    pub status: Status,
    /// Partitions it consumes.
    pub load: u32,
    /// Messages per second of those partitions.
    #[serde(serialize_with = "rounded")]
    pub rate: f64,
    /// Partitions handed to it from another member during the event.
    pub moved_in: u32,
    /// Partitions it gave up while consuming them during the event (twice
    /// in one event counts twice): the event's `revoked`, by member.
    pub revoked: u32,
    /// Partitions that stopped during the event while it consumed them: the
    /// event's `stopped`, by member.
    pub stopped: u32,
}

/// What one event did to the group under one strategy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventReport {
    /// The event, in a few words ([`Event::label`]).
    pub label: String,
    /// The event's kind as the file names it, or `start`.
    pub kind: &'static str,
    /// Rebalances the event started (a slow restart starts two).
    pub rebalances: u32,
    /// JoinGroup/SyncGroup rounds over those rebalances (under the consumer
    /// protocol, heartbeat rounds: one heartbeat from every member).
    pub rounds: u32,
    /// Partitions a member gave up while consuming them (a crash gives up
    /// nothing: its partitions are lost, not revoked).
    pub revoked: u64,
    /// Hand-overs: partitions that went to a member other than the one that
    /// consumed them last.
    pub moved: u64,
    /// Messages per second of the moved partitions.
    #[serde(serialize_with = "rounded")]
    pub moved_rate: f64,
    /// Partitions that stopped consuming at some point of the event.
    pub stopped: u64,
    /// Rounds those partitions spent stopped, summed.
    pub stopped_partition_rounds: u64,
    /// The most rounds one partition spent stopped.
    pub max_stopped_rounds: u32,
    /// Time the event's own partitions waited before any rebalance could
    /// help: the session timeout for a crash or a slow static restart, the
    /// downtime of a quick static restart.
    pub paused_ms: u64,
    /// Members in the group after the event.
    pub members: u32,
    /// Most minus fewest partitions per member after the event.
    pub spread: u32,
    /// Most minus fewest messages per second per member.
    #[serde(serialize_with = "rounded")]
    pub rate_spread: f64,
    /// Sum of squared partitions per member.
    pub sumsq: u64,
    /// The same for StickyAssignor on the same group without history.
    pub optimum_sumsq: u64,
    /// `sumsq - optimum_sumsq`.
    pub sumsq_excess: u64,
    /// Records the moved partitions may process twice, at most.
    #[serde(serialize_with = "rounded")]
    pub duplicates_max: f64,
    /// Records the moved partitions may skip, at most.
    #[serde(serialize_with = "rounded")]
    pub loss_max: f64,
    /// Per lane, in lane order ([`Timeline::lanes`]).
    pub lanes: Vec<LaneState>,
}

/// How a replay's group rebalances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// The classic protocol, eager: every member revokes everything before
    /// each round.
    Eager,
    /// The classic protocol, cooperative: members revoke only what moves,
    /// and a follow-up round assigns it.
    Cooperative,
    /// The consumer protocol (KIP-848): a server-side assignor computes the
    /// target, and each member reconciles towards it heartbeat by heartbeat.
    Consumer,
}

impl Protocol {
    /// `eager`, `cooperative` or `consumer`.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Eager => "eager",
            Protocol::Cooperative => "cooperative",
            Protocol::Consumer => "consumer",
        }
    }
}

/// One strategy's replay of the whole timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    /// The strategy's name (`cooperative-sticky`).
    pub strategy: &'static str,
    /// How the group rebalanced.
    pub protocol: Protocol,
    /// The initial join, then one report per event.
    pub events: Vec<EventReport>,
}

/// One replay's figures summed over the timeline.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[allow(missing_docs)] // Each is the sum, or the most, of the event's figure of that name.
pub struct Totals {
    pub rebalances: u32,
    pub rounds: u32,
    pub revoked: u64,
    pub moved: u64,
    #[serde(serialize_with = "rounded")]
    pub moved_rate: f64,
    pub stopped: u64,
    pub stopped_partition_rounds: u64,
    pub max_stopped_rounds: u32,
    pub paused_ms: u64,
    pub max_spread: u32,
    pub max_sumsq_excess: u64,
    pub final_spread: u32,
    pub final_sumsq_excess: u64,
    #[serde(serialize_with = "rounded")]
    pub duplicates_max: f64,
    #[serde(serialize_with = "rounded")]
    pub loss_max: f64,
}

impl Replay {
    /// The figures summed over the events (the most, for `max_*`; the last
    /// event's, for `final_*`). The initial join is included: it revokes and
    /// moves nothing, but it is a rebalance.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for e in &self.events {
            t.rebalances += e.rebalances;
            t.rounds += e.rounds;
            t.revoked += e.revoked;
            t.moved += e.moved;
            t.moved_rate += e.moved_rate;
            t.stopped += e.stopped;
            t.stopped_partition_rounds += e.stopped_partition_rounds;
            t.max_stopped_rounds = t.max_stopped_rounds.max(e.max_stopped_rounds);
            t.paused_ms += e.paused_ms;
            t.max_spread = t.max_spread.max(e.spread);
            t.max_sumsq_excess = t.max_sumsq_excess.max(e.sumsq_excess);
            t.duplicates_max += e.duplicates_max;
            t.loss_max += e.loss_max;
        }
        if let Some(last) = self.events.last() {
            t.final_spread = last.spread;
            t.final_sumsq_excess = last.sumsq_excess;
        }
        t
    }
}

/// One member's lane over consecutive events: where it is after the last,
/// and what it went through during all of them (their figures summed), as
/// a chart that puts several events in one column shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaneSpan {
    /// Where the member is after the last event.
    pub status: Status,
    /// Partitions it consumes after the last event.
    pub load: u32,
    /// Partitions handed to it, summed over the events.
    pub moved_in: u64,
    /// Partitions it revoked, summed over the events.
    pub revoked: u64,
    /// Partitions of its that stopped, summed over the events.
    pub stopped: u64,
}

impl Replay {
    /// Lane `lane` ([`Timeline::lanes`]) over `events`, indices into
    /// [`Replay::events`]; `None` when the span is empty or beyond the
    /// replay, or the last event has no such lane.
    pub fn lane_over(&self, events: RangeInclusive<usize>, lane: usize) -> Option<LaneSpan> {
        let span = self.events.get(events)?;
        let after = span.last()?.lanes.get(lane)?;
        let mut sum = LaneSpan {
            status: after.status,
            load: after.load,
            moved_in: 0,
            revoked: 0,
            stopped: 0,
        };
        for state in span.iter().filter_map(|e| e.lanes.get(lane)) {
            sum.moved_in += u64::from(state.moved_in);
            sum.revoked += u64::from(state.revoked);
            sum.stopped += u64::from(state.stopped);
        }
        Some(sum)
    }
}

/// Floats to three decimals, so serialized reports do not show binary noise.
fn rounded<S: serde::Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    let r = (value * 1000.0).round() / 1000.0;
    // -0.0 would print as such.
    serializer.serialize_f64(if r == 0.0 { 0.0 } else { r })
}

/// How the group settles after a change, under one protocol: a replay
/// driver. The world has applied the event (who left, what grew); the driver
/// runs the protocol until the group is stable, moving partitions with
/// [`World::revoke`] and [`World::take`] and counting rebalances and rounds
/// in [`World::event`].
pub(crate) trait Driver {
    /// The protocol, for the report.
    fn protocol(&self) -> Protocol;

    /// One rebalance, `label` naming the event in errors.
    fn rebalance(&mut self, world: &mut World<'_>, label: &str) -> Result<(), ReplayError>;
}

/// Replays `timeline` with `driver`, which `name`s the assignor.
pub(crate) fn run(
    timeline: &Timeline,
    name: &'static str,
    commit: CommitMode,
    mut driver: impl Driver,
) -> Result<Replay, ReplayError> {
    let mut world = World::new(timeline, commit);
    let mut events = Vec::with_capacity(timeline.events().len() + 1);
    world.begin_event();
    for lane in 0..timeline.initial().len() as u32 {
        world.join_fresh(lane);
    }
    driver.rebalance(&mut world, "start")?;
    events.push(world.end_event("start".to_string(), "start")?);
    for event in timeline.events() {
        world.begin_event();
        let label = event.label(timeline);
        world.apply(event, &label, &mut driver)?;
        events.push(world.end_event(label, event.kind())?);
    }
    Ok(Replay {
        strategy: name,
        protocol: driver.protocol(),
        events,
    })
}

/// A member as its client knows itself.
#[derive(Debug, Clone)]
pub(crate) struct Lane {
    pub(crate) instance_id: Option<String>,
    pub(crate) rack: Option<String>,
    pub(crate) topics: Vec<Arc<str>>,
    pub(crate) status: Status,
    pub(crate) member_id: String,
    /// Fresh joins so far: the coordinator's member id changes at each.
    joins: u32,
    /// Its last assignment, as received from the group.
    pub(crate) assigned: Vec<TopicPartition>,
    /// The generation (or epoch) of that assignment.
    pub(crate) generation: Option<i32>,
    name: String,
}

/// The group's ground truth during a replay, whatever the protocol.
pub(crate) struct World<'t> {
    timeline: &'t Timeline,
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
    pub(crate) consuming: Vec<u32>,
    last: Vec<u32>,
    pub(crate) lanes: Vec<Lane>,
    pub(crate) event: EventAcc,
}

/// Counters of the event under way.
#[derive(Default)]
pub(crate) struct EventAcc {
    was_consuming: Vec<bool>,
    /// Per slot, the lane consuming it when the event began.
    start_owner: Vec<u32>,
    stopped: Vec<bool>,
    /// Per slot, the lane consuming it when it first stopped.
    stopped_owner: Vec<u32>,
    revoked_by: Vec<u32>,
    stopped_rounds: Vec<u32>,
    moved_in: Vec<u32>,
    pub(crate) rebalances: u32,
    pub(crate) rounds: u32,
    revoked: u64,
    moved: u64,
    moved_rate: f64,
    duplicates: f64,
    loss: f64,
    paused_ms: u64,
}

impl<'t> World<'t> {
    fn new(timeline: &'t Timeline, commit: CommitMode) -> Self {
        let mut slot_start = Vec::with_capacity(timeline.topics().len());
        let mut rate = Vec::with_capacity(timeline.slots());
        for rates in timeline.rates() {
            slot_start.push(rate.len());
            rate.extend_from_slice(rates);
        }
        let lanes = timeline
            .lanes()
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let spec = timeline.initial().get(i);
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
        World {
            timeline,
            commit,
            topics: timeline.topics().to_vec(),
            deleted: vec![false; timeline.topics().len()],
            topic_of: timeline
                .topics()
                .iter()
                .enumerate()
                .map(|(i, t)| (Arc::clone(&t.name), i as u32))
                .collect(),
            slot_start,
            rate,
            consuming: vec![NONE; slots],
            last: vec![NONE; slots],
            lanes,
            event: EventAcc::default(),
        }
    }

    /// The lanes in the group now.
    pub(crate) fn active(&self) -> Vec<u32> {
        (0..self.lanes.len() as u32)
            .filter(|&l| self.lanes[l as usize].status == Status::Active)
            .collect()
    }

    /// The topics in the metadata now.
    pub(crate) fn metadata(&self) -> Vec<Topic> {
        self.topics
            .iter()
            .zip(&self.deleted)
            .filter(|(_, deleted)| !**deleted)
            .map(|(t, _)| t.clone())
            .collect()
    }

    /// The slot of a partition in the current metadata.
    pub(crate) fn slot(&self, tp: &TopicPartition) -> Option<usize> {
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

    /// The lane's process gets a new member id.
    fn new_process(&mut self, lane: u32) {
        let l = &mut self.lanes[lane as usize];
        l.joins += 1;
        l.member_id = format!("{}-{}", l.name, l.joins);
    }

    /// The lane joins as a new process: a new member id, nothing owned.
    fn join_fresh(&mut self, lane: u32) {
        self.new_process(lane);
        let l = &mut self.lanes[lane as usize];
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
    pub(crate) fn revoke(&mut self, slot: usize) {
        let lane = self.consuming[slot];
        self.stop(slot, lane);
        self.consuming[slot] = NONE;
        self.event.revoked += 1;
        self.event.revoked_by[lane as usize] += 1;
    }

    /// A round begins with these partitions not consumed: those consumed
    /// when the event began count a stopped round.
    pub(crate) fn count_stopped_round(&mut self) {
        for slot in 0..self.consuming.len() {
            if self.event.was_consuming[slot] && self.consuming[slot] == NONE {
                self.stop(slot, self.event.start_owner[slot]);
                self.event.stopped_rounds[slot] += 1;
            }
        }
    }

    /// What each member last consumed, by rate: the mix of its in-flight
    /// batch under manual commit, for [`World::take`].
    pub(crate) fn last_rates(&self) -> Vec<f64> {
        let mut lane_rate = vec![0.0f64; self.lanes.len()];
        for (slot, &last) in self.last.iter().enumerate() {
            if last != NONE {
                lane_rate[last as usize] += self.rate[slot];
            }
        }
        lane_rate
    }

    fn apply(
        &mut self,
        event: &Event,
        label: &str,
        driver: &mut impl Driver,
    ) -> Result<(), ReplayError> {
        match event {
            Event::Join { lane, spec } => {
                self.set_spec(*lane, spec);
                self.join_fresh(*lane);
                driver.rebalance(self, label)
            }
            Event::Leave { lane } => {
                self.stop_lane(*lane, true);
                let l = &mut self.lanes[*lane as usize];
                l.status = Status::Absent;
                l.assigned.clear();
                l.generation = None;
                driver.rebalance(self, label)
            }
            Event::Crash { lane } => {
                self.stop_lane(*lane, false);
                self.lanes[*lane as usize].status = Status::Crashed;
                self.event.paused_ms = self.timeline.session_timeout_ms();
                driver.rebalance(self, label)
            }
            Event::Recover { lane } => {
                // Back with its stale assignment and generation: the
                // coordinator forgot it, so it gets a new member id.
                self.new_process(*lane);
                self.lanes[*lane as usize].status = Status::Active;
                driver.rebalance(self, label)
            }
            Event::Restart { lane, down_ms } => {
                let is_static = self.lanes[*lane as usize].instance_id.is_some();
                if is_static && *down_ms < self.timeline.session_timeout_ms() {
                    // The coordinator keeps the static member's place and
                    // hands the new process the same assignment: no
                    // rebalance, its partitions wait while it is down.
                    self.event.paused_ms = *down_ms;
                    for slot in 0..self.consuming.len() {
                        if self.consuming[slot] == *lane {
                            self.stop(slot, *lane);
                        }
                    }
                    self.new_process(*lane);
                    return Ok(());
                }
                // A dynamic member leaves on shutdown; a static one does not
                // and is removed when its session times out. Either way the
                // process revokes on close, and the new one joins empty.
                self.stop_lane(*lane, true);
                if is_static {
                    self.event.paused_ms = self.timeline.session_timeout_ms();
                }
                self.lanes[*lane as usize].status = Status::Absent;
                driver.rebalance(self, label)?;
                self.join_fresh(*lane);
                driver.rebalance(self, label)
            }
            Event::Subscribe { lane, topics } => {
                self.lanes[*lane as usize].topics = topics.clone();
                driver.rebalance(self, label)
            }
            Event::Rack { lane, rack } => {
                self.lanes[*lane as usize].rack = rack.clone();
                driver.rebalance(self, label)
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
                driver.rebalance(self, label)
            }
            Event::DeleteTopic { topic } => {
                let t = *topic as usize;
                self.deleted[t] = true;
                let start = self.slot_start[t];
                let end = start + self.timeline.rates()[t].len();
                // Gone partitions are nobody's and are not counted as stopped.
                for slot in start..end {
                    self.consuming[slot] = NONE;
                    self.last[slot] = NONE;
                    self.event.was_consuming[slot] = false;
                }
                driver.rebalance(self, label)
            }
        }
    }

    fn set_spec(&mut self, lane: u32, spec: &MemberSpec) {
        let l = &mut self.lanes[lane as usize];
        l.instance_id = spec.instance_id.clone();
        l.rack = spec.rack.clone();
        l.topics = spec.topics.clone();
    }

    /// `lane` starts consuming `slot`; `lane_rate` is [`World::last_rates`]
    /// at the start of the round.
    pub(crate) fn take(&mut self, slot: usize, lane: u32, lane_rate: &[f64]) {
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

    fn end_event(&mut self, label: String, kind: &'static str) -> Result<EventReport, ReplayError> {
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
    fn optimum_sumsq(&self, label: &str) -> Result<u64, ReplayError> {
        let mut group = Group::new();
        group.topics = self.metadata();
        for l in self.lanes.iter().filter(|l| l.status == Status::Active) {
            let mut member = Member::new(l.member_id.clone()).subscribe(l.topics.iter().cloned());
            member.instance_id = l.instance_id.clone();
            member.rack = l.rack.clone();
            group.members.push(member);
        }
        let optimum = Strategy::Sticky.assign(&group).map_err(|e| {
            ReplayError::new(
                ReplayErrorKind::Optimum,
                format!("{label}: the optimum: {e}"),
            )
        })?;
        Ok(optimum.members().map(|m| (m.len() as u64).pow(2)).sum())
    }
}
