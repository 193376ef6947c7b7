//! Drives Kafka's server-side assignors (interop/coordinator, one JVM per
//! batch) against `kafka_assignors::server`.
//!
//! - `check --java-classpath CP [--groups N] [--seed S] [--batch B]`: random
//!   groups; `range` must equal Kafka's `RangeAssignor` member by member;
//!   `uniform` must be valid, at least as even as Kafka's `UniformAssignor`
//!   (sum of squares), and where the loads tie, move no more partitions than
//!   Kafka's (unless it places fewer partitions off their replicas' racks).
//!   A failure prints the group in the harness's line format.
//! - `time --java-classpath CP [--grid small|kip|bench|full] [--warmup-ms W]
//!   [--runs R]`: Kafka's ServerSideAssignorBenchmark grid; ours and Kafka's
//!   medians on the same groups in one run, with the ratio.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use kafka_assignors::server::{
    RangeTargetAssignor, SubscribedTopicDescriber, TargetAssignment, TargetAssignor, TopicId,
    UniformTargetAssignor,
};
use kafka_assignors_testkit::rng::SplitMix64;
use kassign_coordinator::{
    Drawn, GridPoint, incremental, parse_target, random_group, write_group, write_incremental,
};

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let Some(classpath) = flag(&args, "--java-classpath") else {
        eprintln!("usage: kassign-coordinator check|time --java-classpath CP [options]");
        return ExitCode::from(2);
    };
    match args.get(1).map(String::as_str) {
        Some("check") => check(&args, &classpath),
        Some("time") => time(&args, &classpath),
        _ => {
            eprintln!("usage: kassign-coordinator check|time --java-classpath CP [options]");
            ExitCode::from(2)
        }
    }
}

/// Runs one JVM on `input`, returning its stdout lines.
fn java(classpath: &str, mode: &[&str], input: String) -> Result<Vec<String>, String> {
    let mut child = Command::new("java")
        .args(["-cp", classpath, "kassign.interop.coordinator.Coordinator"])
        .args(mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start java: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let lines: Vec<String> = BufReader::new(child.stdout.take().expect("piped"))
        .lines()
        .map_while(Result::ok)
        .collect();
    writer
        .join()
        .map_err(|_| "writer panicked".to_owned())?
        .map_err(|e| format!("writing to java: {e}"))?;
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("java exited with {status}"));
    }
    Ok(lines)
}

type Answers = BTreeMap<String, Result<BTreeMap<String, TargetAssignment>, String>>;

/// Kafka's answers per assignor for one group block of output.
fn parse_answers(lines: &[String]) -> Answers {
    let mut out: Answers = BTreeMap::new();
    for line in lines {
        let fields: Vec<&str> = line.splitn(3, ' ').collect();
        let [assignor, member, target] = fields[..] else {
            continue;
        };
        let entry = out
            .entry(assignor.to_owned())
            .or_insert_with(|| Ok(BTreeMap::new()));
        if member == "!" {
            *entry = Err(target.to_owned());
        } else if let Ok(map) = entry {
            map.insert(member.to_owned(), parse_target(target).unwrap_or_default());
        }
    }
    out
}

/// Whether `full` gives every subscribed partition to exactly one of its
/// subscribers and nothing else.
fn valid(drawn: &Drawn, full: &BTreeMap<String, TargetAssignment>) -> Result<(), String> {
    let metadata = drawn.metadata();
    let mut seen = std::collections::BTreeSet::new();
    for m in &drawn.spec.members {
        let Some(a) = full.get(&m.member_id) else {
            return Err(format!("member {} is missing", m.member_id));
        };
        for (t, ps) in a.topics() {
            if !m.subscribed.contains(&t) {
                return Err(format!("{} got {t} without subscribing", m.member_id));
            }
            for &p in ps {
                if !seen.insert((t, p)) {
                    return Err(format!("{t}-{p} assigned twice"));
                }
            }
        }
    }
    let mut expected = 0usize;
    let mut topics: Vec<TopicId> = drawn
        .spec
        .members
        .iter()
        .flat_map(|m| m.subscribed.iter().copied())
        .collect();
    topics.sort_unstable();
    topics.dedup();
    for t in topics {
        expected += metadata.describe(t).map_or(0, |d| d.partitions as usize);
    }
    if seen.len() != expected {
        return Err(format!("{} of {expected} partitions assigned", seen.len()));
    }
    Ok(())
}

/// (sum of squared loads, partitions on a member whose rack holds no
/// replica, partitions moved from their current exclusive owner).
fn cost(drawn: &Drawn, full: &BTreeMap<String, TargetAssignment>) -> (u64, u64, u64) {
    let metadata = drawn.metadata();
    let mut owner: BTreeMap<(TopicId, i32), Vec<&str>> = BTreeMap::new();
    for m in &drawn.spec.members {
        for (t, ps) in m.target.topics() {
            if m.subscribed.contains(&t) {
                for &p in ps {
                    owner.entry((t, p)).or_default().push(&m.member_id);
                }
            }
        }
    }
    let (mut squares, mut remote, mut moves) = (0u64, 0u64, 0u64);
    for m in &drawn.spec.members {
        let a = &full[&m.member_id];
        squares += (a.len() as u64).pow(2);
        for (t, ps) in a.topics() {
            let racks = metadata.describe(t).and_then(|d| d.replica_racks.as_ref());
            for &p in ps {
                if let (Some(rack), Some(racks)) = (m.rack(), racks)
                    && !racks[p as usize].iter().any(|r| &**r == rack)
                {
                    remote += 1;
                }
            }
        }
    }
    for ((t, p), owners) in &owner {
        if let [only] = owners[..]
            && !full[only].partitions(*t).contains(p)
        {
            moves += 1;
        }
    }
    (squares, remote, moves)
}

fn ours(
    assignor: &dyn TargetAssignor,
    drawn: &Drawn,
) -> Result<BTreeMap<String, TargetAssignment>, String> {
    let target = assignor
        .assign(&drawn.spec, &drawn.metadata())
        .map_err(|e| e.to_string())?;
    Ok(target.resolve(&drawn.spec).into_iter().collect())
}

fn check(args: &[String], classpath: &str) -> ExitCode {
    let groups: usize = flag(args, "--groups")
        .and_then(|g| g.parse().ok())
        .unwrap_or(2000);
    let batch: usize = flag(args, "--batch")
        .and_then(|g| g.parse().ok())
        .unwrap_or(1000);
    let seed: u64 = flag(args, "--seed")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    println!("coordinator check: {groups} groups, seed {seed} (replay with --seed {seed})");
    let mut rng = SplitMix64::new(seed);
    let mut failures = 0usize;
    let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
    let mut done = 0usize;
    while done < groups {
        let n = batch.min(groups - done);
        let drawn: Vec<Drawn> = (0..n).map(|_| random_group(&mut rng)).collect();
        let mut input = String::new();
        for (i, d) in drawn.iter().enumerate() {
            write_group(&mut input, &format!("g{}", done + i), d);
        }
        let lines = match java(classpath, &[], input) {
            Ok(lines) => lines,
            Err(e) => {
                eprintln!("coordinator check: {e}");
                return ExitCode::from(2);
            }
        };
        let mut blocks: Vec<Vec<String>> = Vec::new();
        for line in lines {
            if line.starts_with("group ") {
                blocks.push(Vec::new());
            } else if line != "end"
                && let Some(b) = blocks.last_mut()
            {
                b.push(line);
            }
        }
        if blocks.len() != n {
            eprintln!(
                "coordinator check: java answered {} of {n} groups",
                blocks.len()
            );
            return ExitCode::from(2);
        }
        for (i, (d, block)) in drawn.iter().zip(&blocks).enumerate() {
            let kafka = parse_answers(block);
            let mut problems = Vec::new();
            let homogeneous = d.spec.subscription_type()
                == kafka_assignors::server::SubscriptionType::Homogeneous;
            *tally
                .entry(if homogeneous {
                    "homogeneous"
                } else {
                    "heterogeneous"
                })
                .or_default() += 1;
            if d.topics.iter().any(|t| t.replica_racks.is_some()) {
                *tally.entry("with racks").or_default() += 1;
            }
            if d.spec.members.iter().any(|m| m.instance_id.is_some()) {
                *tally.entry("with static members").or_default() += 1;
            }
            if d.spec.members.iter().any(|m| !m.target.is_empty()) {
                *tally.entry("with current targets").or_default() += 1;
            }
            if d.topics.iter().any(|t| t.partitions == 0) {
                *tally.entry("with a zero-partition topic").or_default() += 1;
            }
            let total: u32 = d.topics.iter().map(|t| t.partitions).sum();
            if d.spec.members.len() as u32 > total {
                *tally.entry("more members than partitions").or_default() += 1;
            }
            match (ours(&RangeTargetAssignor, d), kafka.get("range")) {
                (Ok(mine), Some(Ok(theirs))) => {
                    let normal: BTreeMap<&String, &TargetAssignment> = theirs.iter().collect();
                    for (id, a) in &mine {
                        let k = normal.get(id).copied().cloned().unwrap_or_default();
                        if *a != k {
                            problems
                                .push(format!("range differs for {id}: ours {a:?}, kafka {k:?}"));
                        }
                    }
                    if theirs.len() != mine.len() {
                        problems.push("range: member sets differ".to_owned());
                    }
                    *tally.entry("range identical").or_default() +=
                        usize::from(problems.is_empty());
                }
                (mine, theirs) => {
                    problems.push(format!("range: ours {:?} kafka {theirs:?}", mine.err()))
                }
            }
            match (ours(&UniformTargetAssignor, d), kafka.get("uniform")) {
                (Ok(mine), Some(Ok(theirs))) => {
                    if let Err(e) = valid(d, &mine) {
                        problems.push(format!("uniform invalid: {e}"));
                    } else if valid(d, theirs).is_err() {
                        *tally.entry("kafka uniform invalid").or_default() += 1;
                    } else {
                        let (a, b) = (cost(d, &mine), cost(d, theirs));
                        if a.0 > b.0 {
                            problems.push(format!("uniform less even: ours {a:?}, kafka {b:?}"));
                        } else if a.0 == b.0 && a.2 > b.2 && a.1 >= b.1 {
                            problems.push(format!("uniform moves more: ours {a:?}, kafka {b:?}"));
                        } else if a.0 < b.0 {
                            *tally.entry("uniform more even than kafka").or_default() += 1;
                        } else if a.2 < b.2 {
                            *tally.entry("uniform as even, fewer moves").or_default() += 1;
                        } else {
                            *tally.entry("uniform as even, as many moves").or_default() += 1;
                        }
                    }
                }
                (mine, theirs) => {
                    problems.push(format!("uniform: ours {:?} kafka {theirs:?}", mine.err()))
                }
            }
            if !problems.is_empty() {
                failures += 1;
                if failures <= 5 {
                    let mut text = String::new();
                    write_group(&mut text, &format!("g{}", done + i), d);
                    eprintln!(
                        "FAILED group g{} (seed {seed}):\n{text}{}",
                        done + i,
                        problems.join("\n")
                    );
                }
            }
        }
        done += n;
    }
    for (k, v) in &tally {
        println!("  {k}: {v}");
    }
    if failures > 0 {
        println!("coordinator check: {failures} of {groups} groups FAILED (seed {seed})");
        ExitCode::FAILURE
    } else {
        println!("coordinator check: all {groups} groups passed (seed {seed})");
        ExitCode::SUCCESS
    }
}

/// Points of the grid: `small` a few, `kip` the two target points, `full`
/// every point with at least one partition per topic.
fn points(which: &str) -> Vec<GridPoint> {
    let mut out = Vec::new();
    let p = |members, ratio, topics, homogeneous, incremental, racks| GridPoint {
        members,
        ratio,
        topics,
        homogeneous,
        incremental,
        racks,
    };
    match which {
        "kip" => {
            out.push(p(1000, 50, 1000, false, false, false));
            out.push(p(10_000, 50, 10, true, false, false));
        }
        "small" => {
            out.push(p(100, 10, 10, true, false, false));
            out.push(p(100, 10, 10, false, true, true));
        }
        "bench" => {
            // The subset benches/server.rs times.
            for members in [100, 1000, 10_000] {
                for ratio in [5, 50] {
                    for topics in [10, 1000] {
                        for homogeneous in [true, false] {
                            for incremental in [false, true] {
                                for racks in [false, true] {
                                    if racks && members != 1000 {
                                        continue;
                                    }
                                    let point =
                                        p(members, ratio, topics, homogeneous, incremental, racks);
                                    if point.partitions_per_topic() > 0 {
                                        out.push(point);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        _ => {
            for members in [100, 500, 1000, 5000, 10_000] {
                for ratio in [5, 10, 50] {
                    for topics in [10, 100, 1000] {
                        for homogeneous in [true, false] {
                            for incremental in [false, true] {
                                for racks in [false, true] {
                                    let point =
                                        p(members, ratio, topics, homogeneous, incremental, racks);
                                    if point.partitions_per_topic() > 0 {
                                        out.push(point);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

fn median_ns(runs: usize, warmup_ms: u64, mut f: impl FnMut()) -> u64 {
    let until = Instant::now() + std::time::Duration::from_millis(warmup_ms);
    while Instant::now() < until {
        f();
    }
    let mut times: Vec<u64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_nanos() as u64
        })
        .collect();
    times.sort_unstable();
    times[runs / 2]
}

fn time(args: &[String], classpath: &str) -> ExitCode {
    let which = flag(args, "--grid").unwrap_or_else(|| "small".to_owned());
    let warmup_ms: u64 = flag(args, "--warmup-ms")
        .and_then(|g| g.parse().ok())
        .unwrap_or(200);
    let runs: usize = flag(args, "--runs")
        .and_then(|g| g.parse().ok())
        .unwrap_or(11)
        .max(1);
    let filter = flag(args, "--filter");
    let ours_only = args.iter().any(|a| a == "--ours-only");
    println!(
        "| point | partitions | range ours (ms) | range Kafka (ms) | ratio | uniform ours (ms) | uniform Kafka (ms) | ratio |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for point in points(&which) {
        let name = point.name();
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let settled = point.group();
        let mut input = String::new();
        write_group(&mut input, &name, &settled);
        if point.incremental {
            // The harness settles the group on each assignor's own answer.
            let block_end = input.len() - "end\n".len();
            let mut line = String::new();
            write_incremental(&mut line, &settled, point.homogeneous);
            input.insert_str(block_end, &line);
        }
        let timed = if ours_only {
            Ok(vec!["time - range 0 uniform 0".to_owned()])
        } else {
            java(
                classpath,
                &["time", &warmup_ms.to_string(), &runs.to_string()],
                input,
            )
        };
        let lines = match timed {
            Ok(lines) => lines,
            Err(e) => {
                eprintln!("coordinator time: {name}: {e}");
                return ExitCode::from(2);
            }
        };
        let Some(line) = lines.iter().find(|l| l.starts_with("time ")) else {
            eprintln!("coordinator time: {name}: no timing from java");
            return ExitCode::from(2);
        };
        let f: Vec<&str> = line.split(' ').collect();
        let (java_range, java_uniform): (u64, u64) =
            (f[3].parse().unwrap_or(0), f[5].parse().unwrap_or(0));
        let mut ours = Vec::new();
        for assignor in [
            &RangeTargetAssignor as &dyn TargetAssignor,
            &UniformTargetAssignor,
        ] {
            let drawn = if point.incremental {
                incremental(&settled, assignor, point.homogeneous)
            } else {
                settled.clone()
            };
            let metadata = drawn.metadata();
            // As a coordinator does, the target before is held until the
            // next one is built, then replaced (and freed in the timing).
            let mut held = None;
            ours.push(median_ns(runs, warmup_ms, || {
                let target = assignor.assign(&drawn.spec, &metadata).expect("valid");
                held = Some(std::hint::black_box(target));
            }));
            drop(held);
        }
        let ms = |ns: u64| ns as f64 / 1e6;
        println!(
            "| {name} | {} | {:.3} | {:.3} | {:.1} | {:.3} | {:.3} | {:.1} |",
            point.members * point.ratio / point.topics * point.topics,
            ms(ours[0]),
            ms(java_range),
            java_range as f64 / ours[0].max(1) as f64,
            ms(ours[1]),
            ms(java_uniform),
            java_uniform as f64 / ours[1].max(1) as f64,
        );
        let _ = std::io::stdout().flush();
    }
    ExitCode::SUCCESS
}
