//! What a strategy does to a group over time: a timeline of events replayed
//! through the consumer protocol, and what every rebalance costs.
//!
//! A [`Timeline`] (topics, rates, the initial members, then events: joins,
//! leaves, crashes, restarts, subscription changes, topics growing or
//! deleted, racks) is read from its file form [`TimelineFile`] (any serde
//! format; `kassign simulate` reads JSON, see docs/timeline-format.md) and
//! checked once by [`Timeline::new`]. [`replay`] runs it under one
//! strategy (and [`replay_consumer`] under a server-side assignor on the
//! KIP-848 consumer protocol) and gives a [`Replay`]: per event an [`EventReport`] (rounds,
//! partitions revoked, moved and stopped, the spread of loads, the excess of
//! the sum of squared loads over the most even assignment the subscriptions
//! allow, and upper bounds on the records a moved partition may process
//! twice or skip under a [`CommitMode`]), and per member a [`LaneState`].
//! [`Simulation::run`] replays it under several strategies; serialized, a
//! [`Simulation`] is the document `kassign simulate --json` prints.
//!
//! ```
//! use kafka_assignors::Strategy;
//! use kafka_assignors::simulate::{CommitMode, Timeline, TimelineFile, replay};
//!
//! let file: TimelineFile = serde_json::from_str(r#"{
//!     "topics": {"t": 6},
//!     "members": [{"name": "a", "topics": ["t"]}, {"name": "b", "topics": ["t"]}],
//!     "events": [{"event": "leave", "member": "b"}]
//! }"#)?;
//! let timeline = Timeline::new(file)?;
//! let commit = CommitMode::Auto { interval_ms: 5000 };
//! let cooperative = replay(&timeline, Strategy::CooperativeSticky, commit)?;
//! // b leaves: its three partitions move to a; a keeps consuming its own.
//! assert_eq!(cooperative.events[1].moved, 3);
//! assert_eq!(cooperative.events[1].revoked, 3);
//! let eager = replay(&timeline, Strategy::Sticky, commit)?;
//! assert_eq!(eager.events[1].revoked, 6);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # How the replay is built, and how to add a protocol
//!
//! The replay has two halves. The world (`replay.rs`) is the ground truth,
//! the same under any protocol: per partition, who consumes it now and who
//! consumed it last; per member, what its client knows of itself (topics,
//! rack, instance id, member id, its last assignment and generation). An
//! event changes the world the same way whatever the protocol (a leaving
//! member revokes its partitions, a crash loses them, a topic grows), then
//! asks a driver to rebalance. Every figure is counted by the world as the
//! driver moves partitions (`World::revoke`, `World::take`), so the
//! metrics do not depend on the driver.
//!
//! A driver implements the crate-private `Driver` trait: its [`Protocol`]
//! for the report, and `rebalance`, which runs the protocol until the group
//! is stable. The classic driver (`classic.rs`) runs JoinGroup/SyncGroup
//! rounds: each member's metadata from [`join_protocols`](crate::protocol::join_protocols),
//! the leader's [`lead`](crate::protocol::lead), each member's
//! [`follow`](crate::protocol::follow), eager or cooperative as the strategy
//! says. The consumer driver (`consumer.rs`, [`replay_consumer`]) runs
//! KIP-848's server-side assignment ([`crate::server`]) the same way. A
//! further protocol is a further driver beside them: a file with a struct
//! that keeps its own state (the group epoch, each member's target and
//! reconciliation), a `Protocol` variant (`Protocol` is non-exhaustive for
//! that), and a public entry beside [`replay`] that passes it to the same
//! `replay::run`. Its rounds would be heartbeats: a member revokes what its
//! target drops (`World::revoke`), then takes what the target adds once the
//! previous owner let go (`World::take`), counting each heartbeat round in
//! `World::event`. The timeline, the world, the reports and the totals stay
//! as they are.

mod classic;
mod consumer;
mod error;
mod replay;
mod simulation;
mod timeline;

pub use self::consumer::ConsumerAssignor;
pub use self::error::{ReplayError, ReplayErrorKind, TimelineError, TimelineErrorKind};
pub use self::replay::{
    CommitMode, EventReport, LaneSpan, LaneState, Protocol, Replay, Status, Totals,
};
pub use self::simulation::Simulation;
pub use self::timeline::{
    DEFAULT_SESSION_TIMEOUT_MS, Event, EventSpec, MAX_EVENTS, MAX_RATE, MAX_TIMELINE_PARTITIONS,
    MemberSpec, RateSpec, Timeline, TimelineFile,
};

use crate::{Assignor, Strategy};

/// Replays `timeline` under `strategy` on the classic consumer protocol
/// (eager or cooperative, as the strategy supports), the figures for the
/// duplicate and loss bounds taken under `commit`.
///
/// # Errors
///
/// A [`ReplayError`] when a member cannot build its metadata or read its
/// assignment, when the leader fails, or when a rebalance does not settle:
/// none of which a checked timeline and a built-in strategy bring.
pub fn replay(
    timeline: &Timeline,
    strategy: Strategy,
    commit: CommitMode,
) -> Result<Replay, ReplayError> {
    let driver = classic::Classic::new(strategy)?;
    replay::run(timeline, strategy.name(), commit, driver)
}

/// Replays `timeline` on the consumer protocol (KIP-848) with the
/// server-side `assignor`: the group epoch bumps at every change, the
/// target comes from [`crate::server`]'s assignor, and members reconcile
/// with [`crate::server::reconcile`] in heartbeat rounds (every member
/// heartbeats once a round) until all are stable at the target epoch. A
/// move takes three rounds (revoke, confirm the release, take); the
/// figures are counted as for [`replay`]. Topic ids are
/// [`TopicId::from_name`](crate::server::TopicId::from_name) of the names.
///
/// # Errors
///
/// A [`ReplayError`] when the assignor or a reconciliation step fails, when
/// two topic names derive one id, or when a rebalance does not settle in
/// 16 rounds: none of which a checked timeline brings.
pub fn replay_consumer(
    timeline: &Timeline,
    assignor: ConsumerAssignor,
    commit: CommitMode,
) -> Result<Replay, ReplayError> {
    let driver = consumer::Consumer::new(assignor);
    replay::run(timeline, assignor.name(), commit, driver)
}

/// A strategy to replay: a classic one, or a server-side assignor on the
/// consumer protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplayStrategy {
    /// A client-side strategy on the classic protocol ([`replay`]).
    Classic(Strategy),
    /// A server-side assignor on the consumer protocol ([`replay_consumer`]).
    Consumer(ConsumerAssignor),
}

impl ReplayStrategy {
    /// The strategy's name: a classic name (`cooperative-sticky`), or
    /// `consumer-uniform`, `consumer-range`.
    pub fn name(self) -> &'static str {
        match self {
            ReplayStrategy::Classic(s) => s.name(),
            ReplayStrategy::Consumer(a) => a.name(),
        }
    }

    /// Replays `timeline` under it.
    ///
    /// # Errors
    ///
    /// As [`replay`] or [`replay_consumer`].
    pub fn replay(self, timeline: &Timeline, commit: CommitMode) -> Result<Replay, ReplayError> {
        match self {
            ReplayStrategy::Classic(s) => replay(timeline, s, commit),
            ReplayStrategy::Consumer(a) => replay_consumer(timeline, a, commit),
        }
    }
}

impl From<Strategy> for ReplayStrategy {
    fn from(strategy: Strategy) -> Self {
        ReplayStrategy::Classic(strategy)
    }
}

impl From<ConsumerAssignor> for ReplayStrategy {
    fn from(assignor: ConsumerAssignor) -> Self {
        ReplayStrategy::Consumer(assignor)
    }
}

impl std::fmt::Display for ReplayStrategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ReplayStrategy {
    type Err = crate::UnknownStrategy;

    /// A classic strategy's name, or `consumer-uniform`, `consumer-range`.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        if let Some(a) = ConsumerAssignor::ALL.into_iter().find(|a| a.name() == name) {
            return Ok(ReplayStrategy::Consumer(a));
        }
        name.parse().map(ReplayStrategy::Classic).map_err(|e| {
            let expected = "range, roundrobin, sticky, cooperative-sticky, consumer-uniform, \
                            consumer-range";
            crate::UnknownStrategy { expected, ..e }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(json: &str) -> Result<Timeline, TimelineError> {
        Timeline::new(serde_json::from_str(json).expect("the test's json reads"))
    }

    const AUTO: CommitMode = CommitMode::Auto { interval_ms: 2000 };

    /// Three members of six partitions, then `events`.
    fn three(events: &str) -> Timeline {
        timeline(&format!(
            r#"{{"topics": {{"t": 6}}, "rates": {{"t": [1, 2, 3, 4, 5, 6]}},
               "members": [{{"name": "a", "topics": ["t"]}}, {{"name": "b", "topics": ["t"]}},
                           {{"name": "c", "topics": ["t"]}}],
               "events": [{events}]}}"#
        ))
        .unwrap()
    }

    #[test]
    fn a_leave_revokes_everything_under_eager_and_only_the_leavers_under_cooperative() {
        let t = three(r#"{"event": "leave", "member": "c"}"#);
        let eager = replay(&t, Strategy::Sticky, AUTO).unwrap();
        let coop = replay(&t, Strategy::CooperativeSticky, AUTO).unwrap();
        assert_eq!(eager.protocol, Protocol::Eager);
        assert_eq!(coop.protocol, Protocol::Cooperative);
        // The start: everyone joins empty, nothing revoked or moved.
        for r in [&eager, &coop] {
            assert_eq!((r.events[0].revoked, r.events[0].moved), (0, 0));
            assert_eq!(r.events[0].spread, 0);
            let leave = &r.events[1];
            // c's two partitions go to a and b; loads 3 and 3.
            assert_eq!(leave.moved, 2);
            assert_eq!((leave.members, leave.spread, leave.sumsq_excess), (2, 0, 0));
            assert_eq!(leave.lanes[2].status, Status::Absent);
            assert_eq!(leave.lanes[2].revoked, 2);
            // Auto commit: each moved partition may repeat rate * 2 s.
            assert_eq!(leave.duplicates_max, leave.moved_rate * 2.0);
            assert_eq!(leave.loss_max, leave.duplicates_max);
        }
        // Eager: c revokes its 2 on leaving, a and b their 4 at the round.
        assert_eq!(eager.events[1].revoked, 6);
        assert_eq!((eager.events[1].rounds, eager.events[1].stopped), (1, 6));
        // Cooperative: only c's, and one round (nothing else moves).
        assert_eq!(coop.events[1].revoked, 2);
        assert_eq!(coop.events[1].stopped, 2);
        let totals = coop.totals();
        assert_eq!(totals.rebalances, 2);
        assert_eq!(
            totals.moved,
            coop.events.iter().map(|e| e.moved).sum::<u64>()
        );
        assert_eq!(totals.final_spread, 0);
    }

    #[test]
    fn a_lane_over_events_sums_their_figures_and_keeps_the_last_state() {
        let t = three(
            r#"{"event": "leave", "member": "c"}, {"event": "join", "member": {"name": "c", "topics": ["t"]}}"#,
        );
        let r = replay(&t, Strategy::Sticky, AUTO).unwrap();
        for lane in 0..3 {
            let span = r.lane_over(1..=2, lane).unwrap();
            let (leave, join) = (&r.events[1].lanes[lane], &r.events[2].lanes[lane]);
            assert_eq!((span.status, span.load), (join.status, join.load));
            assert_eq!(span.revoked, u64::from(leave.revoked + join.revoked));
            assert_eq!(span.stopped, u64::from(leave.stopped + join.stopped));
            assert_eq!(span.moved_in, u64::from(leave.moved_in + join.moved_in));
        }
        // c left and came back: it revoked its own, then took some.
        let c = r.lane_over(1..=2, 2).unwrap();
        assert!(c.revoked > 0 && c.moved_in > 0, "{c:?}");
        assert_eq!(r.lane_over(2..=2, 2).unwrap().revoked, 0);
        // Nothing to show: an empty or out-of-range span, an unknown lane.
        assert_eq!(r.lane_over(std::ops::RangeInclusive::new(2, 1), 0), None);
        assert_eq!(r.lane_over(2..=3, 0), None);
        assert_eq!(r.lane_over(0..=2, 3), None);
    }

    #[test]
    fn an_unknown_strategy_to_replay_is_named_with_every_strategy_it_could_be() {
        let e = "consumer-rang".parse::<ReplayStrategy>().unwrap_err();
        assert_eq!(e.name(), "consumer-rang");
        let all = "sticky, cooperative-sticky, consumer-uniform, consumer-range)";
        assert!(e.to_string().ends_with(all), "{e}");
        let e = "consumer-rang".parse::<Strategy>().unwrap_err();
        assert!(
            e.to_string().ends_with("sticky, cooperative-sticky)"),
            "{e}"
        );
        for s in [
            "range",
            "cooperative-sticky",
            "consumer-uniform",
            "consumer-range",
        ] {
            assert_eq!(s.parse::<ReplayStrategy>().unwrap().name(), s);
        }
        let servers = ConsumerAssignor::ALL.map(|a| a.target_assignor().name());
        assert_eq!(servers, ["uniform", "range"]);
    }

    #[test]
    fn a_commit_mode_reads_as_a_phrase() {
        assert_eq!(AUTO.to_string(), "auto commit every 2000 ms");
        let manual = CommitMode::Manual { batch: 500 };
        assert_eq!(
            manual.to_string(),
            "manual commit after each batch of 500 records"
        );
    }

    #[test]
    fn a_join_costs_cooperative_a_follow_up_round_and_manual_commit_loses_nothing() {
        let t = three(r#"{"event": "join", "member": {"name": "d", "topics": ["t"]}}"#);
        let manual = CommitMode::Manual { batch: 100 };
        let coop = replay(&t, Strategy::CooperativeSticky, manual).unwrap();
        let join = &coop.events[1];
        // 6 over 4 members is 2, 2, 1, 1: one member gives one up, withheld
        // a round, then moved to d.
        assert_eq!((join.rounds, join.revoked, join.moved), (2, 1, 1));
        assert_eq!(join.lanes[3].moved_in, 1);
        assert_eq!(join.spread, 1);
        assert_eq!(join.loss_max, 0.0);
        // The batch in flight is drawn from the old owner's partitions by
        // rate: a share of 100 records.
        assert!(join.duplicates_max > 0.0 && join.duplicates_max < 100.0);
    }

    #[test]
    fn a_quick_static_restart_is_no_rebalance_and_a_crash_waits_the_session() {
        let t = timeline(
            r#"{"session_timeout_ms": 10000, "topics": {"t": 4},
                "members": [{"name": "a", "instance_id": "i", "topics": ["t"]},
                            {"name": "b", "topics": ["t"]}],
                "events": [{"event": "restart", "member": "a", "down_ms": 500},
                           {"event": "crash", "member": "b"},
                           {"event": "recover", "member": "b"}]}"#,
        )
        .unwrap();
        for strategy in Strategy::ALL {
            let r = replay(&t, strategy, AUTO).unwrap();
            let restart = &r.events[1];
            assert_eq!((restart.rebalances, restart.moved), (0, 0), "{strategy}");
            assert_eq!((restart.paused_ms, restart.stopped), (500, 2), "{strategy}");
            let crash = &r.events[2];
            // The crashed member revokes nothing; under eager, a revokes
            // its own two at the round.
            assert_eq!(crash.paused_ms, 10_000, "{strategy}");
            assert_eq!(crash.lanes[1].revoked, 0, "{strategy}");
            assert_eq!(crash.revoked, u64::from(r.protocol == Protocol::Eager) * 2);
            assert_eq!(crash.lanes[1].status, Status::Crashed);
            assert_eq!(crash.lanes[0].load, 4, "{strategy}");
            assert_eq!(r.events[3].members, 2);
        }
    }

    #[test]
    fn the_report_is_the_same_in_any_member_order() {
        let forward = three(r#"{"event": "leave", "member": "b"}"#);
        let backward = timeline(
            r#"{"topics": {"t": 6}, "rates": {"t": [1, 2, 3, 4, 5, 6]},
                "members": [{"name": "c", "topics": ["t"]}, {"name": "b", "topics": ["t"]},
                            {"name": "a", "topics": ["t"]}],
                "events": [{"event": "leave", "member": "b"}]}"#,
        )
        .unwrap();
        for strategy in Strategy::ALL {
            let f = replay(&forward, strategy, AUTO).unwrap();
            let b = replay(&backward, strategy, AUTO).unwrap();
            assert_eq!(f.totals(), b.totals(), "{strategy}");
            // Lanes are in file order: a, b, c forward, c, b, a backward.
            let loads = |r: &Replay, order: [usize; 3]| order.map(|l| r.events[1].lanes[l].load);
            assert_eq!(loads(&f, [0, 1, 2]), loads(&b, [2, 1, 0]), "{strategy}");
        }
    }

    #[test]
    fn a_bad_timeline_is_named_by_its_place_and_kind() {
        let cases = [
            (
                r#"{"event": "leave", "member": "ghost"}"#,
                TimelineErrorKind::Name,
                r#"events[0]: member "ghost" is not in the timeline"#,
            ),
            (
                r#"{"event": "recover", "member": "a"}"#,
                TimelineErrorKind::State,
                r#"events[0]: member "a" cannot recover: it is in the group"#,
            ),
            (
                r#"{"event": "add_partitions", "topic": "t", "partitions": 3}"#,
                TimelineErrorKind::Topic,
                r#"events[0]: topic "t" has 6 partitions; add_partitions must raise the count, not set it to 3"#,
            ),
            (
                r#"{"event": "add_partitions", "topic": "t", "partitions": 8, "rate": -1}"#,
                TimelineErrorKind::Rate,
                r#"events[0]: rate of topic "t": rate -1 is not a number of messages per second from 0 to 1e12"#,
            ),
        ];
        for (event, kind, message) in cases {
            let json = format!(
                r#"{{"topics": {{"t": 6}}, "members": [{{"name": "a", "topics": ["t"]}}],
                   "events": [{event}]}}"#
            );
            let error = timeline(&json).unwrap_err();
            assert_eq!((error.kind(), error.to_string().as_str()), (kind, message));
        }
        let negative = timeline(r#"{"topics": {"t": -1}, "members": []}"#).unwrap_err();
        assert_eq!(
            negative.to_string(),
            "topics.t: negative partition count -1"
        );
        let huge = timeline(r#"{"topics": {"t": 5000000}, "members": []}"#).unwrap_err();
        assert_eq!(huge.kind(), TimelineErrorKind::TooLarge);
    }

    #[test]
    fn grown_partitions_take_the_topics_mean_rate_and_deleted_ones_are_nobodys() {
        let t = three(
            r#"{"event": "add_partitions", "topic": "t", "partitions": 9},
               {"event": "delete_topic", "topic": "t"}"#,
        );
        assert_eq!(t.rates()[0][6..], [3.5, 3.5, 3.5]);
        assert_eq!(t.slots(), 9);
        assert_eq!(t.events()[0].label(&t), "grow t to 9");
        let r = replay(&t, Strategy::Range, AUTO).unwrap();
        assert_eq!(r.events[1].lanes.iter().map(|l| l.load).sum::<u32>(), 9);
        let deleted = &r.events[2];
        assert_eq!(deleted.lanes.iter().map(|l| l.load).sum::<u32>(), 0);
        assert_eq!((deleted.stopped, deleted.moved), (0, 0));
    }

    #[test]
    fn a_simulation_serializes_as_one_document_with_numbered_events() {
        let t = three(r#"{"event": "crash", "member": "a"}"#);
        let strategies = [Strategy::Range, Strategy::CooperativeSticky];
        let sim = Simulation::run("three.json", &t, &strategies, AUTO).unwrap();
        let json = serde_json::to_value(&sim).unwrap();
        assert_eq!(json["timeline"]["source"], "three.json");
        assert_eq!(
            json["timeline"]["lanes"],
            serde_json::json!(["a", "b", "c"])
        );
        assert_eq!(
            json["commit"],
            serde_json::json!({"mode": "auto", "interval_ms": 2000})
        );
        let coop = &json["strategies"][1];
        assert_eq!(coop["strategy"], "cooperative-sticky");
        assert_eq!(coop["protocol"], "cooperative");
        assert_eq!(coop["events"][1]["index"], 1);
        assert_eq!(coop["events"][1]["kind"], "crash");
        assert_eq!(coop["events"][1]["lanes"][0]["status"], "crashed");
        assert_eq!(coop["total"]["paused_ms"], 45_000);
        // Rates of 1 to 6 messages/s: the JSON rounds to three decimals.
        let rate = coop["events"][1]["moved_rate"].as_f64().unwrap();
        assert_eq!(rate, (rate * 1000.0).round() / 1000.0);
    }
}
