//! `kassign bench`: the strategy's own time, parsing excluded; with
//! `--leader`, the leader's whole path from JoinGroup bytes to SyncGroup
//! bytes.

use std::io::Write;
use std::time::{Duration, Instant};

use kafka_assignors::protocol::lead;
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
    /// metadata is written from the scenario first (untimed), then
    /// `protocol::lead` is timed from those bytes to every member's
    /// SyncGroup bytes.
    #[arg(long)]
    leader: bool,
    /// The group in the scenario format; `-` or none reads standard input.
    file: Option<String>,
}

/// Runs `kassign bench`.
pub(crate) fn run(options: Options, strict: bool) -> Result<(), Error> {
    let input = Input::new(options.file, "the scenario");
    let group = input.group(strict)?;
    let (strategy, runs) = (options.strategy, options.runs);
    let result = if options.leader {
        bench_leader(strategy, &group, runs)
    } else {
        timed(strategy, runs, || strategy.assign(&group)).map_err(Cause::from)
    }
    .map_err(|e| input.fail(e))?;
    let mut out = crate::output::stdout();
    writeln!(out, "{}", result.to_json())?;
    out.flush()?;
    Ok(())
}

/// Timings of one strategy on one group.
#[derive(Debug)]
struct BenchResult {
    strategy: &'static str,
    runs: u32,
    min: Duration,
    median: Duration,
    max: Duration,
    /// Peak resident memory of the process so far, in MiB, if the system says.
    peak_rss_mb: Option<f64>,
}

/// The leader's path, as a client leader runs it: every member's JoinGroup
/// metadata is written first, outside the timing, with `join_protocols`
/// (owned partitions and generation as the scenario says: in the
/// subscription for a cooperative strategy, in the sticky user data for
/// `sticky`); then `lead` is timed, from those bytes and the topic metadata
/// to every member's SyncGroup bytes.
fn bench_leader(strategy: Strategy, group: &Group, runs: u32) -> Result<BenchResult, Cause> {
    let members = try_joined(group, strategy)?;
    Ok(timed(strategy, runs, || {
        lead(strategy, &members, group.topics.clone())
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
    let mid = times.len() / 2;
    let median = if times.len() % 2 == 1 {
        times[mid]
    } else {
        (times[mid - 1] + times[mid]) / 2
    };
    Ok(BenchResult {
        strategy: strategy.name(),
        runs,
        min: times[0],
        median,
        max: times[times.len() - 1],
        peak_rss_mb: peak_rss_mb(),
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

impl BenchResult {
    /// One JSON object on one line.
    fn to_json(&self) -> String {
        // A struct, not `json!`, so the keys keep this order.
        #[derive(serde::Serialize)]
        struct Line {
            strategy: &'static str,
            runs: u32,
            min_ms: f64,
            median_ms: f64,
            max_ms: f64,
            peak_rss_mb: Option<f64>,
        }
        let line = Line {
            strategy: self.strategy,
            runs: self.runs,
            min_ms: millis(self.min),
            median_ms: millis(self.median),
            max_ms: millis(self.max),
            peak_rss_mb: self.peak_rss_mb.map(|mb| (mb * 10.0).round() / 10.0),
        };
        serde_json::to_string(&line).expect("a struct of numbers and a name always serializes")
    }
}
