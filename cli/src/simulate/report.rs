//! The replays as a table for people and as JSON for machines.

use std::io::{self, Write};

use kafka_assignors::simulate::Simulation;

/// Writes `sim` as JSON, pretty.
pub(crate) fn write_json(sim: &Simulation<'_>, out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, sim).map_err(io::Error::from)?;
    writeln!(out)
}

/// The table: totals per strategy, then every event per strategy.
pub(crate) fn write_table(sim: &Simulation<'_>, out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "{}: {} at start, {}, {}, {}; session.timeout.ms {}; {}",
        sim.source,
        count(sim.timeline.initial().len() as u64, "member"),
        count(sim.timeline.topics().len() as u64, "topic"),
        count(sim.timeline.initial_partitions(), "partition"),
        count(sim.timeline.events().len() as u64, "event"),
        sim.timeline.session_timeout_ms(),
        sim.commit
    )?;
    writeln!(out)?;
    writeln!(out, "totals")?;
    writeln!(out, "{TOTALS}")?;
    for replay in &sim.replays {
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
    for replay in &sim.replays {
        writeln!(out)?;
        writeln!(out, "{} ({})", replay.strategy, replay.protocol.name())?;
        writeln!(out, "{EVENTS}")?;
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
    write!(out, "\n{KEY}")?;
    Ok(())
}

/// The tables' headings, aligned as their rows.
const TOTALS: &str = "strategy             rounds revoked    moved   msg/s  stopped  st.rnds \
                      max.sp  max.ex  fin.ex      dup<=     loss<=";
const EVENTS: &str = "  # event                  rounds revoked  moved  stopped  max.r spread \
                      excess      dup<=     loss<=";

/// What the columns mean, under the tables.
const KEY: &str = "\
rounds: JoinGroup/SyncGroup rounds; revoked: partitions given up while consumed; moved: hand-overs to another member;
stopped: partitions that stopped consuming (st.rnds: rounds summed over them, max.r: the most for one);
spread: most minus fewest partitions per member; excess: sum of squared loads above StickyAssignor's without history;
dup<= / loss<=: records the moved partitions may process twice / skip, at most (model: kassign simulate --help).
";

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
