//! `kassign bench`: the strategy's own time, parsing excluded; with
//! `--leader`, the leader's whole path from JoinGroup bytes to SyncGroup
//! bytes, as a client that keeps its `protocol::Leader` across rebalances
//! runs it (with `--one-shot`, as one that calls `protocol::lead` each time).

use std::io::Write;
use std::time::{Duration, Instant};

use kafka_assignors::protocol::{Leader, lead};
use kafka_assignors::{Assignor, Group, Strategy};
use kafka_assignors_testkit::join::try_joined;

use crate::error::{Cause, Error};
use crate::input::Input;

/// Options of `kassign bench`.
#[derive(Debug, clap::Args)]
pub(crate) struct Options {
    /// range, roundrobin, sticky or cooperative-sticky.
    #[arg(long, short)]
    strategy: Strategy,
    /// Timed runs, after one warm-up run.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    runs: u32,
    /// Time the leader's whole path instead: each member's JoinGroup
    /// metadata is written from the scenario first (untimed), then one
    /// `protocol::Leader`, kept from run to run as a client keeps it from
    /// rebalance to rebalance, is timed from those bytes to every member's
    /// SyncGroup bytes.
    #[arg(long)]
    leader: bool,
    /// With `--leader`: time `protocol::lead` instead, which starts from
    /// fresh memory on every call.
    #[arg(long, requires = "leader")]
    one_shot: bool,
    /// The group in the scenario format; `-` or none reads standard input.
    file: Option<String>,
}

/// Runs `kassign bench`.
pub(crate) fn run(options: Options, strict: bool) -> Result<(), Error> {
    let input = Input::new(options.file, "the scenario");
    let group = input.group(strict)?;
    let (strategy, runs) = (options.strategy, options.runs);
    let result = if options.leader {
        bench_leader(strategy, &group, runs, options.one_shot)
    } else {
        timed(strategy, runs, || strategy.assign(&group)).map_err(Cause::from)
    }
    .map_err(|e| input.fail(e))?;
    crate::output::print(|out| {
        serde_json::to_writer(&mut *out, &result)?;
        writeln!(out)
    })
}

/// Timings of one strategy on one group, printed as one JSON line (the
/// fields in this order): milliseconds to three decimals, and the peak
/// resident memory of the process so far in MiB, if the system says.
#[derive(Debug, serde::Serialize)]
struct BenchResult {
    strategy: &'static str,
    runs: u32,
    min_ms: f64,
    median_ms: f64,
    max_ms: f64,
    peak_rss_mb: Option<f64>,
}

fn bench_leader(
    strategy: Strategy,
    group: &Group,
    runs: u32,
    one_shot: bool,
) -> Result<BenchResult, Cause> {
    let members = try_joined(group, strategy)?;
    if one_shot {
        return Ok(timed(strategy, runs, || {
            lead(strategy, &members, group.topics.clone())
        })?);
    }
    let mut leader = Leader::new();
    Ok(timed(strategy, runs, || {
        leader
            .lead(strategy, &members, group.topics.clone())
            .map(|led| led.sync().len())
    })?)
}

/// One warm-up run of `run`, then `runs` timed ones; what each returns is
/// dropped outside the timing (freeing is the caller's cost).
fn timed<T, E>(
    strategy: Strategy,
    runs: u32,
    mut run: impl FnMut() -> Result<T, E>,
) -> Result<BenchResult, E> {
    drop(run()?);
    let mut times = Vec::with_capacity(runs as usize);
    for _ in 0..runs {
        let started = Instant::now();
        let answer = run()?;
        times.push(started.elapsed());
        drop(answer);
    }
    times.sort_unstable();
    // The middle run, or the mean of the two middle ones.
    let median = (times[(times.len() - 1) / 2] + times[times.len() / 2]) / 2;
    Ok(BenchResult {
        strategy: strategy.name(),
        runs,
        min_ms: millis(times[0]),
        median_ms: millis(median),
        max_ms: millis(times[times.len() - 1]),
        peak_rss_mb: peak_rss_mb().map(|mb| (mb * 10.0).round() / 10.0),
    })
}

/// `VmHWM` from `/proc/self/status`: the process's peak resident set size.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn millis(d: Duration) -> f64 {
    // Three decimals: microsecond resolution is all a wall clock gives here.
    (d.as_secs_f64() * 1e6).round() / 1e3
}
