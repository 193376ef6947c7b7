//! `kassign simulate`: what each strategy does to a group over time.
//!
//! The library replays a timeline under each strategy
//! ([`kafka_assignors::simulate`]); this prints the result as a table, JSON
//! ([`report`]) and an SVG picture ([`svg`]).

mod report;
mod svg;

use std::path::PathBuf;

use kafka_assignors::UnknownStrategy;
use kafka_assignors::simulate::{CommitMode, ReplayStrategy, Simulation, Timeline, TimelineFile};

use crate::error::Error;
use crate::input::Input;

/// The help text of `kassign simulate`: what is counted, and the model
/// behind the duplicate and loss bounds.
pub(crate) const LONG_ABOUT: &str = "\
Replay a timeline of group events under each strategy and report what every
rebalance costs.

The timeline (JSON, see docs/timeline-format.md) lists topics, optional
per-partition rates (messages per second), the initial members, then events:
join, leave, crash, recover, restart, subscribe, add_partitions, delete_topic,
rack. Each strategy replays it with the consumer protocol's real flow: every
member builds its JoinGroup metadata from its last assignment and generation,
the leader assigns from those bytes, and each member applies its SyncGroup
bytes. Eager strategies (range, roundrobin, sticky) revoke everything before
each round; cooperative-sticky revokes only what moves, then rejoins, and a
follow-up round assigns it.

consumer-uniform and consumer-range replay the same timeline on the KIP-848
consumer protocol instead, with the broker-side assignor of that name
(group.remote.assignor uniform or range): at every change the coordinator
bumps the group epoch and computes a target assignment (from the members'
current targets, so uniform is sticky; range is recomputed from scratch), and
each member reconciles towards it in heartbeat rounds (every member heartbeats
once a round). A member first releases what its target drops; a partition goes
to its new owner only once the old one's next heartbeat confirmed the
release, so a move takes three rounds (revoke, confirm, take) and nothing else
stops. Topic ids are derived from topic names as `kassign target` does.

What is counted, per event and in total:
  rounds    JoinGroup/SyncGroup rounds, or heartbeat rounds under the
            consumer protocol (a slow static or a dynamic restart starts two
            rebalances: removal, then rejoin).
  revoked   partitions a member gave up while consuming them (eager: all;
            a leaving or restarting member revokes its own; a crash revokes
            nothing, its partitions are lost).
  moved     hand-overs: a partition assigned to a member other than the one
            that consumed it last (twice in one event counts twice).
  stopped   partitions that stopped consuming during the event, and the most
            rounds one of them stayed stopped. A crash or a slow static
            restart adds paused_ms (session.timeout.ms) before any round; a
            quick static restart (down_ms < session.timeout.ms) stops its
            partitions for down_ms, with no rebalance and no move.
  spread    most minus fewest partitions per member after the event.
  excess    sum over members of squared partitions, minus the same for
            StickyAssignor on the same group without history (the most even
            assignment the subscriptions allow): 0 is optimal.

Duplicates and loss (dup<=, loss<=): upper bounds on the records a moved
partition may be processed twice or skipped, from its rate and the commit
mode. The model assumes records arrive at the partition's steady rate, the
new owner resumes from the last committed offset, and nothing else fails:
  --commit auto (enable.auto.commit, --auto-commit-interval-ms I): the old
      owner may have processed up to I ms of records since its last commit,
      which the new owner processes again: rate * I / 1000 per moved
      partition. The commit on revocation is best effort (a failed one is
      only logged) and a crash makes none, so the bound is taken as is. When
      the application processes records after poll returns (another thread),
      the commit may cover records not yet processed, which the new owner
      skips: the same bound, as loss. With processing inside the poll loop
      auto commit loses nothing, and loss<= is a bound that is not reached.
  --commit manual (commit after each processed batch of --batch B records):
      only the batch in flight is uncommitted. It is drawn from the old
      owner's partitions in proportion to their rates, so a moved partition
      may be processed again for up to B * rate / (old owner's total rate)
      records. Nothing is lost: a record is committed only once processed.
Partitions that stop without moving (eager rounds, quick static restarts)
resume from their own owner's position and are not counted.";

/// Options of `kassign simulate`.
#[derive(Debug, clap::Args)]
pub(crate) struct Options {
    /// The timeline (JSON); `-` or none reads standard input.
    timeline: Option<String>,
    /// Strategies to replay, comma-separated: range, roundrobin, sticky,
    /// cooperative-sticky (the classic protocol), consumer-uniform,
    /// consumer-range (the KIP-848 consumer protocol with that server-side
    /// assignor).
    #[arg(
        long,
        value_delimiter = ',',
        value_parser = trimmed,
        default_value = "range,roundrobin,sticky,cooperative-sticky"
    )]
    strategies: Vec<ReplayStrategy>,
    /// How consumers commit offsets, for the duplicate and loss bounds.
    #[arg(long, value_enum, default_value_t = CommitArg::Auto)]
    commit: CommitArg,
    /// With --commit auto: auto.commit.interval.ms.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=86_400_000))]
    auto_commit_interval_ms: u64,
    /// With --commit manual: records per processed batch (max.poll.records).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    batch: u64,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// Also write the timeline picture as SVG to this file: one panel per
    /// strategy, a lane per member (at most 150), a column per event (at
    /// most 48: longer timelines put consecutive events in a column).
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
}

/// A strategy in the list, spaces around it allowed.
fn trimmed(name: &str) -> Result<ReplayStrategy, UnknownStrategy> {
    name.trim().parse()
}

/// The commit modes on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CommitArg {
    /// enable.auto.commit=true.
    Auto,
    /// A commit after each processed batch.
    Manual,
}

/// Runs `kassign simulate`.
pub(crate) fn run(options: Options) -> Result<(), Error> {
    let strategies = &options.strategies;
    if let Some(twice) = (1..strategies.len()).find(|&i| strategies[..i].contains(&strategies[i])) {
        let twice = strategies[twice];
        return Err(Error::Usage(format!(
            "strategy {twice} is listed more than once"
        )));
    }
    let commit = match options.commit {
        CommitArg::Auto => CommitMode::Auto {
            interval_ms: options.auto_commit_interval_ms,
        },
        CommitArg::Manual => CommitMode::Manual {
            batch: options.batch,
        },
    };
    let input = Input::new(options.timeline, "the timeline");
    let timeline = Timeline::new(input.json::<TimelineFile>()?).map_err(|e| input.fail(e))?;
    // Before replaying, which may take a while: the picture is refused
    // outright rather than after the work.
    if options.svg.is_some() {
        svg::check(&timeline).map_err(|m| input.fail(m))?;
    }
    let simulation = Simulation::run_all(input.label(), &timeline, strategies, commit)
        .map_err(|e| input.fail(e))?;
    if let Some(path) = &options.svg {
        std::fs::write(path, svg::render(&simulation)).map_err(|error| Error::File {
            action: "write",
            path: path.clone(),
            error,
        })?;
    }
    crate::output::print(|out| {
        if options.json {
            report::write_json(&simulation, out)
        } else {
            report::write_table(&simulation, out)
        }
    })
}
