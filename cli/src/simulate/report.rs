//! The replays as a table for people and as JSON for machines.

use std::io::{self, Write};

use kafka_assignors::{Assignor, RebalanceProtocol};
use serde::{Serialize, Serializer};

use crate::simulate::engine::{CommitMode, EventReport, Replay};
use crate::simulate::timeline::Timeline;

/// Every strategy's replay of one timeline.
pub(crate) struct Simulation<'t> {
    /// How the timeline is named (its file).
    pub(crate) source: String,
    pub(crate) timeline: &'t Timeline,
    pub(crate) commit: CommitMode,
    pub(crate) replays: Vec<Replay>,
}

/// One strategy's figures summed over the timeline.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct Totals {
    pub(crate) rebalances: u32,
    pub(crate) rounds: u32,
    pub(crate) revoked: u64,
    pub(crate) moved: u64,
    #[serde(serialize_with = "rounded")]
    pub(crate) moved_rate: f64,
    pub(crate) stopped: u64,
    pub(crate) stopped_partition_rounds: u64,
    pub(crate) max_stopped_rounds: u32,
    pub(crate) paused_ms: u64,
    pub(crate) max_spread: u32,
    pub(crate) max_sumsq_excess: u64,
    pub(crate) final_spread: u32,
    pub(crate) final_sumsq_excess: u64,
    #[serde(serialize_with = "rounded")]
    pub(crate) duplicates_max: f64,
    #[serde(serialize_with = "rounded")]
    pub(crate) loss_max: f64,
}

/// Sums a replay. The initial join is included: it revokes and moves
/// nothing, but it is a rebalance.
pub(crate) fn totals(replay: &Replay) -> Totals {
    let mut t = Totals::default();
    for e in &replay.events {
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
    if let Some(last) = replay.events.last() {
        t.final_spread = last.spread;
        t.final_sumsq_excess = last.sumsq_excess;
    }
    t
}

/// Floats to three decimals, so the JSON does not show binary noise.
fn rounded<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    let r = (value * 1000.0).round() / 1000.0;
    // -0.0 would print as such.
    serializer.serialize_f64(if r == 0.0 { 0.0 } else { r })
}

#[derive(Serialize)]
struct JsonOut<'a> {
    timeline: JsonTimeline<'a>,
    commit: JsonCommit,
    strategies: Vec<JsonStrategy<'a>>,
}

#[derive(Serialize)]
struct JsonTimeline<'a> {
    source: &'a str,
    session_timeout_ms: u64,
    topics: usize,
    partitions: u64,
    initial_members: usize,
    events: usize,
    /// Lane names, in the order of every `lanes` array below.
    lanes: &'a [String],
}

#[derive(Serialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
enum JsonCommit {
    Auto { interval_ms: u64 },
    Manual { batch: u64 },
}

#[derive(Serialize)]
struct JsonStrategy<'a> {
    strategy: &'static str,
    protocol: &'static str,
    total: Totals,
    events: Vec<JsonEvent<'a>>,
}

#[derive(Serialize)]
struct JsonEvent<'a> {
    index: usize,
    label: &'a str,
    kind: &'static str,
    rebalances: u32,
    rounds: u32,
    revoked: u64,
    moved: u64,
    #[serde(serialize_with = "rounded")]
    moved_rate: f64,
    stopped: u64,
    stopped_partition_rounds: u64,
    max_stopped_rounds: u32,
    paused_ms: u64,
    members: u32,
    spread: u32,
    #[serde(serialize_with = "rounded")]
    rate_spread: f64,
    sumsq: u64,
    optimum_sumsq: u64,
    sumsq_excess: u64,
    #[serde(serialize_with = "rounded")]
    duplicates_max: f64,
    #[serde(serialize_with = "rounded")]
    loss_max: f64,
    lanes: Vec<JsonLane>,
}

#[derive(Serialize)]
struct JsonLane {
    status: crate::simulate::engine::Status,
    load: u32,
    #[serde(serialize_with = "rounded")]
    rate: f64,
    moved_in: u32,
    revoked: u32,
    stopped: u32,
}

impl JsonEvent<'_> {
    fn new(index: usize, e: &EventReport) -> JsonEvent<'_> {
        JsonEvent {
            index,
            label: &e.label,
            kind: e.kind,
            rebalances: e.rebalances,
            rounds: e.rounds,
            revoked: e.revoked,
            moved: e.moved,
            moved_rate: e.moved_rate,
            stopped: e.stopped,
            stopped_partition_rounds: e.stopped_partition_rounds,
            max_stopped_rounds: e.max_stopped_rounds,
            paused_ms: e.paused_ms,
            members: e.members,
            spread: e.spread,
            rate_spread: e.rate_spread,
            sumsq: e.sumsq,
            optimum_sumsq: e.optimum_sumsq,
            sumsq_excess: e.sumsq_excess,
            duplicates_max: e.duplicates_max,
            loss_max: e.loss_max,
            lanes: e
                .lanes
                .iter()
                .map(|l| JsonLane {
                    status: l.status,
                    load: l.load,
                    rate: l.rate,
                    moved_in: l.moved_in,
                    revoked: l.revoked,
                    stopped: l.stopped,
                })
                .collect(),
        }
    }
}

pub(crate) fn protocol_name(protocol: RebalanceProtocol) -> &'static str {
    match protocol {
        RebalanceProtocol::Eager => "eager",
        RebalanceProtocol::Cooperative => "cooperative",
    }
}

impl Simulation<'_> {
    fn initial_partitions(&self) -> u64 {
        self.timeline
            .topics
            .iter()
            .map(|t| t.partitions as u64)
            .sum()
    }

    fn commit_text(&self) -> String {
        match self.commit {
            CommitMode::Auto { interval_ms } => format!("auto commit every {interval_ms} ms"),
            CommitMode::Manual { batch } => {
                format!("manual commit after each batch of {batch} records")
            }
        }
    }

    /// The JSON document, one object.
    pub(crate) fn write_json(&self, out: &mut impl Write) -> io::Result<()> {
        let json = JsonOut {
            timeline: JsonTimeline {
                source: &self.source,
                session_timeout_ms: self.timeline.session_timeout_ms,
                topics: self.timeline.topics.len(),
                partitions: self.initial_partitions(),
                initial_members: self.timeline.initial.len(),
                events: self.timeline.events.len(),
                lanes: &self.timeline.lanes,
            },
            commit: match self.commit {
                CommitMode::Auto { interval_ms } => JsonCommit::Auto { interval_ms },
                CommitMode::Manual { batch } => JsonCommit::Manual { batch },
            },
            strategies: self
                .replays
                .iter()
                .map(|r| JsonStrategy {
                    strategy: r.strategy.name(),
                    protocol: protocol_name(r.protocol),
                    total: totals(r),
                    events: r
                        .events
                        .iter()
                        .enumerate()
                        .map(|(i, e)| JsonEvent::new(i, e))
                        .collect(),
                })
                .collect(),
        };
        serde_json::to_writer_pretty(&mut *out, &json).map_err(io::Error::from)?;
        writeln!(out)
    }

    /// The table: totals per strategy, then every event per strategy.
    pub(crate) fn write_table(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(
            out,
            "{}: {} at start, {}, {}, {}; session.timeout.ms {}; {}",
            self.source,
            count(self.timeline.initial.len() as u64, "member"),
            count(self.timeline.topics.len() as u64, "topic"),
            count(self.initial_partitions(), "partition"),
            count(self.timeline.events.len() as u64, "event"),
            self.timeline.session_timeout_ms,
            self.commit_text()
        )?;
        writeln!(out)?;
        writeln!(out, "totals")?;
        writeln!(
            out,
            "{:<20} {:>6} {:>7} {:>8} {:>7} {:>8} {:>8} {:>6} {:>7} {:>7} {:>10} {:>10}",
            "strategy",
            "rounds",
            "revoked",
            "moved",
            "msg/s",
            "stopped",
            "st.rnds",
            "max.sp",
            "max.ex",
            "fin.ex",
            "dup<=",
            "loss<="
        )?;
        for replay in &self.replays {
            let t = totals(replay);
            writeln!(
                out,
                "{:<20} {:>6} {:>7} {:>8} {:>7} {:>8} {:>8} {:>6} {:>7} {:>7} {:>10} {:>10}",
                replay.strategy.name(),
                t.rounds,
                t.revoked,
                t.moved,
                fmt_num(t.moved_rate),
                t.stopped,
                t.stopped_partition_rounds,
                t.max_spread,
                t.max_sumsq_excess,
                t.final_sumsq_excess,
                fmt_num(t.duplicates_max),
                fmt_num(t.loss_max)
            )?;
        }
        for replay in &self.replays {
            writeln!(out)?;
            writeln!(
                out,
                "{} ({})",
                replay.strategy.name(),
                protocol_name(replay.protocol)
            )?;
            writeln!(
                out,
                "{:>3} {:<22} {:>6} {:>7} {:>6} {:>8} {:>6} {:>6} {:>6} {:>10} {:>10}",
                "#",
                "event",
                "rounds",
                "revoked",
                "moved",
                "stopped",
                "max.r",
                "spread",
                "excess",
                "dup<=",
                "loss<="
            )?;
            for (i, e) in replay.events.iter().enumerate() {
                writeln!(
                    out,
                    "{:>3} {:<22} {:>6} {:>7} {:>6} {:>8} {:>6} {:>6} {:>6} {:>10} {:>10}",
                    i,
                    e.label,
                    e.rounds,
                    e.revoked,
                    e.moved,
                    e.stopped,
                    e.max_stopped_rounds,
                    e.spread,
                    e.sumsq_excess,
                    fmt_num(e.duplicates_max),
                    fmt_num(e.loss_max)
                )?;
            }
        }
        writeln!(out)?;
        writeln!(
            out,
            "rounds: JoinGroup/SyncGroup rounds; revoked: partitions given up while consumed; \
             moved: hand-overs to another member;"
        )?;
        writeln!(
            out,
            "stopped: partitions that stopped consuming (st.rnds: rounds summed over them, \
             max.r: the most for one);"
        )?;
        writeln!(
            out,
            "spread: most minus fewest partitions per member; excess: sum of squared loads \
             above StickyAssignor's without history;"
        )?;
        writeln!(
            out,
            "dup<= / loss<=: records the moved partitions may process twice / skip, at most \
             (model: kassign simulate --help)."
        )?;
        Ok(())
    }
}

/// A figure for the table: whole numbers when large, one decimal below 100.
fn fmt_num(value: f64) -> String {
    if value >= 100.0 || value == value.trunc() {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// `n thing` or `n things`.
fn count(n: u64, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}
