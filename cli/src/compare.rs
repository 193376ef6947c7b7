//! `kassign compare`: every strategy on one group, side by side.
//!
//! A person choosing a strategy wants three numbers from each: how uneven the
//! loads are (the busiest member sets the group's lag), how many members sit
//! idle, and how many partitions leave the member that reads them now (each
//! move pauses that partition and risks duplicates).

use std::io::{self, Write};
use std::time::{Duration, Instant};

use kafka_assignors::{AssignError, Assignor, Group, RebalanceProtocol, Strategy};

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
    let mut out = crate::output::stdout();
    report.write(&mut out)?;
    out.flush()?;
    Ok(())
}

/// One strategy's row.
#[derive(Debug)]
struct Row {
    strategy: &'static str,
    min: usize,
    max: usize,
    idle: usize,
    /// Partitions whose current owner is not their new one.
    moved: usize,
    /// Under a cooperative strategy, partitions the first round gives to
    /// nobody (revoked, to be assigned in the follow-up round); `None` for
    /// an eager one, which has no follow-up.
    held_back: Option<usize>,
    /// The first round's assign call.
    elapsed: Duration,
}

/// Every strategy's row, and the group's size.
#[derive(Debug)]
struct Report {
    members: usize,
    topics: usize,
    partitions: u64,
    /// Partitions with a current owner.
    owned: usize,
    rows: Vec<Row>,
}

/// Runs every strategy on `group`.
fn compare(group: &Group) -> Result<Report, AssignError> {
    let mut rows = Vec::with_capacity(Strategy::ALL.len());
    // Validates the group as every strategy does, with the same errors.
    let owners = group.ownership()?;
    for strategy in Strategy::ALL {
        let started = Instant::now();
        let mut assignment = strategy.assign(group)?;
        let elapsed = started.elapsed();
        let total = owners.partitions() as usize;
        // A cooperative strategy leaves what changes owner unassigned for a
        // round; counting that as the answer would show the partitions as
        // lost and the loads as uneven. The rows show the group after the
        // follow-up round, which assigns them, and say how many waited.
        let cooperative =
            strategy.supported_protocols().last() == Some(&RebalanceProtocol::Cooperative);
        let held_back = cooperative.then(|| total.saturating_sub(assignment.assigned_partitions()));
        if held_back.is_some_and(|held| held > 0) {
            // One follow-up settles (see the sticky module).
            assignment = strategy.assign(&group.next_generation(&assignment))?;
        }
        let loads: Vec<usize> = assignment.members().map(|m| m.len()).collect();
        rows.push(Row {
            strategy: strategy.name(),
            min: loads.iter().copied().min().unwrap_or(0),
            max: loads.iter().copied().max().unwrap_or(0),
            idle: loads.iter().filter(|&&load| load == 0).count(),
            moved: owners.moved_by(&assignment),
            held_back,
            elapsed,
        });
    }
    Ok(Report {
        members: group.members.len(),
        topics: owners.topics(),
        partitions: owners.partitions(),
        owned: owners.owned(),
        rows,
    })
}

impl Report {
    /// The table, for people.
    fn write(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(
            out,
            "{} members, {} subscribed topics, {} partitions; {} partitions have a current owner",
            self.members, self.topics, self.partitions, self.owned
        )?;
        writeln!(out)?;
        let moves = self.owned > 0;
        write!(
            out,
            "{:<20} {:>8} {:>8} {:>8} {:>6}",
            "strategy", "min", "max", "spread", "idle"
        )?;
        if moves {
            write!(out, " {:>16}", "moved")?;
        }
        let follow_ups = self.rows.iter().any(|r| r.held_back.is_some_and(|h| h > 0));
        if follow_ups {
            write!(out, " {:>9}", "follow-up")?;
        }
        writeln!(out, " {:>10}", "time")?;
        for row in &self.rows {
            write!(
                out,
                "{:<20} {:>8} {:>8} {:>8} {:>6}",
                row.strategy,
                row.min,
                row.max,
                row.max - row.min,
                row.idle
            )?;
            if moves {
                let share = 100.0 * row.moved as f64 / self.owned as f64;
                write!(out, " {:>16}", format!("{} ({share:.1}%)", row.moved))?;
            }
            if follow_ups {
                let held = row.held_back.map_or("-".to_string(), |h| h.to_string());
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
