//! The replays as a table for people and as JSON for machines.

use std::io::{self, Write};

use kafka_assignors::simulate::{CommitMode, EventReport, Replay, Timeline, Totals};
use serde::Serialize;

/// Every strategy's replay of one timeline.
pub(crate) struct Simulation<'t> {
    /// How the timeline is named (its file).
    pub(crate) source: String,
    pub(crate) timeline: &'t Timeline,
    pub(crate) commit: CommitMode,
    pub(crate) replays: Vec<Replay>,
}

#[derive(Serialize)]
struct JsonOut<'a> {
    timeline: JsonTimeline<'a>,
    commit: CommitMode,
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
struct JsonStrategy<'a> {
    strategy: &'static str,
    protocol: &'static str,
    total: Totals,
    events: Vec<JsonEvent<'a>>,
}

#[derive(Serialize)]
struct JsonEvent<'a> {
    index: usize,
    #[serde(flatten)]
    event: &'a EventReport,
}

impl Simulation<'_> {
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
                session_timeout_ms: self.timeline.session_timeout_ms(),
                topics: self.timeline.topics().len(),
                partitions: self.timeline.initial_partitions(),
                initial_members: self.timeline.initial().len(),
                events: self.timeline.events().len(),
                lanes: self.timeline.lanes(),
            },
            commit: self.commit,
            strategies: self
                .replays
                .iter()
                .map(|r| JsonStrategy {
                    strategy: r.strategy,
                    protocol: r.protocol.name(),
                    total: r.totals(),
                    events: r
                        .events
                        .iter()
                        .enumerate()
                        .map(|(index, event)| JsonEvent { index, event })
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
            count(self.timeline.initial().len() as u64, "member"),
            count(self.timeline.topics().len() as u64, "topic"),
            count(self.timeline.initial_partitions(), "partition"),
            count(self.timeline.events().len() as u64, "event"),
            self.timeline.session_timeout_ms(),
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
            let t = replay.totals();
            writeln!(
                out,
                "{:<20} {:>6} {:>7} {:>8} {:>7} {:>8} {:>8} {:>6} {:>7} {:>7} {:>10} {:>10}",
                replay.strategy,
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
            writeln!(out, "{} ({})", replay.strategy, replay.protocol.name())?;
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
