//! `kassign compare`: every strategy on one group, side by side.
//!
//! A person choosing a strategy wants three numbers from each: how uneven the
//! loads are (the busiest member sets the group's lag), how many members sit
//! idle, and how many partitions leave the member that reads them now (each
//! move pauses that partition and risks duplicates).

use std::io::{self, Write};
use std::time::{Duration, Instant};

use kafka_assignors::{AssignError, Assignor, Group, Ownership, Settled, Strategy};

use crate::error::Error;
use crate::input::Input;

/// Options of `kassign compare`.
#[derive(Debug, clap::Args)]
pub(crate) struct Options {
    /// The group in the scenario format; `-` or none reads standard input.
    file: Option<String>,
}

/// Runs `kassign compare`.
pub(crate) fn run(options: Options, strict: bool) -> Result<(), Error> {
    let input = Input::new(options.file, "the scenario");
    let group = input.group(strict)?;
    let report = compare(&group).map_err(|e| input.fail(e))?;
    crate::output::print(|out| report.write(out))
}

/// One strategy's row: its settled answer's figures, and the time of its
/// first round's assign call.
#[derive(Debug)]
struct Row {
    strategy: &'static str,
    settled: Settled,
    elapsed: Duration,
}

/// Every strategy's row, and the group's size and current owners.
#[derive(Debug)]
struct Report {
    members: usize,
    owners: Ownership,
    rows: Vec<Row>,
}

/// Runs every strategy on `group`. A cooperative strategy's rows show the
/// group after its follow-up round ([`Ownership::settle`]),
/// and say how many partitions waited for it.
fn compare(group: &Group) -> Result<Report, AssignError> {
    let mut rows = Vec::with_capacity(Strategy::ALL.len());
    // Validates the group as every strategy does, with the same errors.
    let owners = group.ownership()?;
    for strategy in Strategy::ALL {
        let started = Instant::now();
        let first = strategy.assign(group)?;
        let elapsed = started.elapsed();
        let settled = owners.settle(group, &strategy, first)?;
        rows.push(Row {
            strategy: strategy.name(),
            settled,
            elapsed,
        });
    }
    Ok(Report {
        members: group.members.len(),
        owners,
        rows,
    })
}

impl Report {
    /// The table, for people.
    fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let (topics, owned) = (self.owners.topics(), self.owners.owned());
        writeln!(
            out,
            "{} members, {topics} subscribed topics, {} partitions; {owned} partitions have a current owner",
            self.members,
            self.owners.partitions(),
        )?;
        writeln!(out)?;
        let moves = owned > 0;
        write!(
            out,
            "{:<20} {:>8} {:>8} {:>8} {:>6}",
            "strategy", "min", "max", "spread", "idle"
        )?;
        if moves {
            write!(out, " {:>16}", "moved")?;
        }
        let follow_ups = self
            .rows
            .iter()
            .any(|r| r.settled.held_back.is_some_and(|h| h > 0));
        if follow_ups {
            write!(out, " {:>9}", "follow-up")?;
        }
        writeln!(out, " {:>10}", "time")?;
        for row in &self.rows {
            let loads = row.settled.assignment.loads();
            write!(
                out,
                "{:<20} {:>8} {:>8} {:>8} {:>6}",
                row.strategy,
                loads.min,
                loads.max,
                loads.max - loads.min,
                loads.idle
            )?;
            if moves {
                let moved = row.settled.moved;
                let share = 100.0 * moved as f64 / owned as f64;
                write!(out, " {:>16}", format!("{moved} ({share:.1}%)"))?;
            }
            if follow_ups {
                let held = row
                    .settled
                    .held_back
                    .map_or("-".to_string(), |h| h.to_string());
                write!(out, " {held:>9}")?;
            }
            writeln!(
                out,
                " {:>10}",
                format!("{:.2} ms", row.elapsed.as_secs_f64() * 1e3)
            )?;
        }
        writeln!(
            out,
            "\nmin / max / spread: partitions per member; idle: members given none;"
        )?;
        out.write_all(if moves { MOVED_KEY } else { NO_MOVES_KEY }.as_bytes())?;
        if follow_ups {
            out.write_all(FOLLOW_UP_KEY.as_bytes())?;
        }
        out.write_all(TIME_KEY.as_bytes())?;
        Ok(())
    }
}

/// What the columns mean, under the table.
const MOVED_KEY: &str = "moved: owned partitions taken from their current owner (the claimant \
                         with the highest generation; a tie means no owner).\n";
const NO_MOVES_KEY: &str = "no member owns partitions yet, so nothing moves.\n";
const FOLLOW_UP_KEY: &str = "\
follow-up: partitions a cooperative strategy holds back in its first round (revoked, given to nobody)
and assigns in the follow-up round; its loads and moves are counted after it (-: eager, no follow-up).
";
const TIME_KEY: &str = "\
time: one assign call on this machine, parsing excluded (a cooperative strategy's first round);
kassign bench times repeated runs.
";
