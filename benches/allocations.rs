//! Heap allocations per assignment, to keep "no per-partition allocation"
//! true: not a timing but a check, exiting non-zero when it fails.
//!
//! Every strategy assigns two groups with the same 2000 members and 500
//! topics, one of 100,000 and one of 1,000,000 partitions (the sticky
//! strategies also after one member leaves the settled group). The table
//! shows allocations, bytes allocated in total and the peak held, per call.
//! An allocation per partition, or per (member, topic) pair grown with the
//! partitions, would add hundreds of thousands of allocations to the larger
//! group; the check allows `SLACK` more, enough for vectors that double a
//! few more times. Both groups must also stay under `BOUND`, which counts
//! members and topics only. The leader's whole path (`protocol::lead`, from
//! every member's JoinGroup bytes to every member's SyncGroup bytes) is
//! checked the same way, with a bound of a few allocations per member (its
//! decoded members and their SyncGroup buffers). Run with
//! `cargo bench --bench allocations`.

use std::process::ExitCode;

use allocation_counter::AllocationInfo;
use kafka_assignors::protocol::lead;
use kafka_assignors::{Assignor, Group, Strategy};
use kafka_assignors_testkit::join::joined;
use kafka_assignors_testkit::shapes::{Event, Shape, after, settled};

/// How many more allocations the 1M-partition group may take than the
/// 100k one: each growing vector reallocates about log2(10) = 3.3 more
/// times, and a few dozen of them grow with the partition count.
const SLACK: u64 = 200;

/// An absolute bound on allocations per call, for either group: today the
/// strategies allocate about once per member (the answer's rows) plus a
/// constant, and nothing of that depends on the partitions.
const BOUND: u64 = (MEMBERS + TOPICS) as u64 + 256;

/// The leader's bound: per member, its id, its user data and its SyncGroup
/// buffer and id, besides what `assign` takes.
const LEADER_BOUND: u64 = BOUND + 4 * MEMBERS as u64;

const MEMBERS: usize = 2000;
const TOPICS: usize = 500;

struct Case {
    strategy: Strategy,
    event: Event,
    /// Through `protocol::lead` from bytes, rather than `assign`.
    leader: bool,
}

fn groups(partitions: usize) -> Vec<(Event, Group)> {
    let shape = Shape::new(MEMBERS, TOPICS, partitions);
    let settled = settled(&shape);
    [Event::Full, Event::OneLeaves]
        .into_iter()
        .map(|event| (event, after(event, &shape, &settled)))
        .collect()
}

fn find(groups: &[(Event, Group)], event: Event) -> &Group {
    groups
        .iter()
        .find(|(e, _)| *e == event)
        .map(|(_, g)| g)
        .expect("event built")
}

fn measure(case: &Case, group: &Group) -> AllocationInfo {
    if case.leader {
        return measure_leader(case.strategy, group);
    }
    let strategy = case.strategy;
    // Warm up once: anything a first call initialises lazily (thread-locals,
    // the standard library's buffers) is not the algorithm's cost.
    drop(strategy.assign(group).expect("valid group"));
    let mut answer = None;
    let info = allocation_counter::measure(|| {
        answer = Some(strategy.assign(group).expect("valid group"));
    });
    // Dropped outside the measurement, so `bytes_max` is the peak held
    // while assigning, answer included.
    drop(answer);
    info
}

/// `lead` from every member's JoinGroup bytes (written outside the
/// measurement), the metadata's copy included.
fn measure_leader(strategy: Strategy, group: &Group) -> AllocationInfo {
    let members = joined(group, strategy);
    drop(lead(strategy, &members, group.topics.clone()).expect("valid group"));
    let mut answer = None;
    let info = allocation_counter::measure(|| {
        answer = Some(lead(strategy, &members, group.topics.clone()).expect("valid group"));
    });
    drop(answer);
    info
}

fn main() -> ExitCode {
    let cases: Vec<Case> = Strategy::ALL
        .into_iter()
        .flat_map(|strategy| {
            let events: &[Event] = match strategy {
                Strategy::Sticky | Strategy::CooperativeSticky => &[Event::Full, Event::OneLeaves],
                _ => &[Event::Full],
            };
            events.iter().flat_map(move |&event| {
                [false, true].map(|leader| Case {
                    strategy,
                    event,
                    leader,
                })
            })
        })
        .collect();
    let small = groups(100_000);
    let large = groups(1_000_000);

    println!(
        "{:<27} {:<11} {:>12} {:>12} {:>14} {:>14}",
        "strategy", "event", "allocs 100k", "allocs 1M", "bytes 1M", "peak bytes 1M"
    );
    let mut failures = Vec::new();
    for case in &cases {
        let at_small = measure(case, find(&small, case.event));
        let at_large = measure(case, find(&large, case.event));
        let (path, bound) = if case.leader {
            (" (lead)", LEADER_BOUND)
        } else {
            ("", BOUND)
        };
        println!(
            "{:<27} {:<11} {:>12} {:>12} {:>14} {:>14}",
            format!("{}{path}", case.strategy.name()),
            case.event.to_string(),
            at_small.count_total,
            at_large.count_total,
            at_large.bytes_total,
            at_large.bytes_max,
        );
        for (size, info) in [("100k", &at_small), ("1M", &at_large)] {
            if info.count_total > bound {
                failures.push(format!(
                    "{}{path} {} at {size} partitions: {} allocations, above the bound of {bound}",
                    case.strategy.name(),
                    case.event,
                    info.count_total
                ));
            }
        }
        if at_large.count_total > at_small.count_total + SLACK {
            failures.push(format!(
                "{}{path} {}: {} allocations at 1M partitions against {} at 100k (allowed {} more)",
                case.strategy.name(),
                case.event,
                at_large.count_total,
                at_small.count_total,
                SLACK
            ));
        }
    }
    if failures.is_empty() {
        println!(
            "allocation counts do not grow with the partition count ({} cases, slack {SLACK}, bound {BOUND}, leader {LEADER_BOUND})",
            cases.len()
        );
        ExitCode::SUCCESS
    } else {
        for failure in &failures {
            eprintln!("allocation check failed: {failure}");
        }
        ExitCode::FAILURE
    }
}
