//! Range and RoundRobin over a grid of group sizes, equal subscriptions.
//!
//! The group is built outside the timing; `assign` (interning, the algorithm
//! and building the `Assignment`) is timed. Filter by the benchmark id, e.g.
//! `cargo bench --bench range_roundrobin -- 1000000`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use kafka_assignors::{Assignor, Group, Member, RangeAssignor, RoundRobinAssignor, Topic};

const RACKS: [&str; 3] = ["rack-a", "rack-b", "rack-c"];

/// `members` members all subscribed to `topics` topics of `partitions`
/// partitions each. With `racks`, members spread over three racks and every
/// partition has two replicas on two of them.
fn group(members: usize, topics: usize, partitions: usize, racks: bool) -> Group {
    let names: Vec<Arc<str>> = (0..topics)
        .map(|t| Arc::from(format!("topic-{t:04}")))
        .collect();
    let rack_names: Vec<Arc<str>> = RACKS.iter().map(|&r| Arc::from(r)).collect();
    let mut group = Group::new();
    for (t, name) in names.iter().enumerate() {
        let mut topic = Topic::new(Arc::clone(name), partitions as i32);
        if racks {
            // Leaders rotate over racks; the follower is on the next rack,
            // shifted per topic so partitions' rack sets differ.
            topic = topic.with_replica_racks((0..partitions).map(|p| {
                let leader = (p + t) % 3;
                [
                    Arc::clone(&rack_names[leader]),
                    Arc::clone(&rack_names[(leader + 1 + p / 3) % 3].clone()),
                ]
            }));
        }
        group = group.with_topic(topic);
    }
    for m in 0..members {
        let mut member =
            Member::new(format!("consumer-{m:05}-7f3a")).subscribe(names.iter().cloned());
        if racks {
            member = member.with_rack(RACKS[m % 3]);
        }
        group = group.with_member(member);
    }
    group
}

fn grid(c: &mut Criterion) {
    let strategies: [(&str, &dyn Assignor); 2] = [
        ("range", &RangeAssignor),
        ("roundrobin", &RoundRobinAssignor),
    ];
    // (members, topics, partitions per topic)
    let points = [
        (10, 10, 10),
        (100, 50, 100),
        (100, 100, 1000),
        (1000, 200, 1000),
        (2000, 500, 2000),
    ];
    let mut bench = c.benchmark_group("assign");
    bench
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for (members, topics, partitions) in points {
        let g = group(members, topics, partitions, false);
        let id = format!("{}p/{members}m/{topics}t", topics * partitions);
        for (name, strategy) in strategies {
            bench.bench_with_input(BenchmarkId::new(name, &id), &g, |b, g| {
                b.iter(|| strategy.assign(black_box(g)).unwrap())
            });
        }
    }
    for (members, topics, partitions) in [(100, 50, 100), (2000, 500, 2000)] {
        let g = group(members, topics, partitions, true);
        let id = format!("{}p/{members}m/{topics}t/3racks-rf2", topics * partitions);
        bench.bench_with_input(BenchmarkId::new("range", &id), &g, |b, g| {
            b.iter(|| RangeAssignor.assign(black_box(g)).unwrap())
        });
    }
    bench.finish();
}

criterion_group!(benches, grid);
criterion_main!(benches);
