//! The leader's whole path, as a client leader runs it: every member's
//! JoinGroup metadata in (written from the group with `join_protocols`,
//! outside the timing), every member's SyncGroup bytes out. `STRATEGY/EVENT`
//! times one `protocol::Leader` kept from iteration to iteration, as a
//! client keeps it from rebalance to rebalance; `STRATEGY-one-shot/EVENT`
//! times `protocol::lead`, which starts from fresh memory each call. Filter
//! by id, e.g. `cargo bench --bench leader -- uniform`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use kafka_assignors::Strategy;
use kafka_assignors::protocol::{Leader, lead};
use kafka_assignors_testkit::join::joined;
use kafka_assignors_testkit::shapes::{Event, Shape, Subscriptions, after, partitions, settled};

fn events(name: &str, shape: Shape, strategies: &[Strategy], c: &mut Criterion) {
    let settled = settled(&shape);
    let mut g = c.benchmark_group(format!("leader/{name}"));
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for event in [Event::Full, Event::OneLeaves, Event::OneJoins] {
        let group = after(event, &shape, &settled);
        g.throughput(Throughput::Elements(partitions(&group)));
        let event = match event {
            Event::Full => "fresh".to_string(),
            other => other.to_string(),
        };
        for &strategy in strategies {
            let members = joined(&group, strategy);
            let mut leader = Leader::new();
            g.bench_with_input(
                BenchmarkId::new(strategy.to_string(), &event),
                &members,
                |b, members| {
                    b.iter(|| {
                        leader
                            .lead(strategy, black_box(members), group.topics.clone())
                            .expect("valid group")
                            .sync()
                            .len()
                    })
                },
            );
            g.bench_with_input(
                BenchmarkId::new(format!("{strategy}-one-shot"), &event),
                &members,
                |b, members| {
                    // Freed after the timing, as `kassign bench` does: a
                    // leader sends SyncGroup before it frees anything.
                    b.iter_with_large_drop(|| {
                        lead(strategy, black_box(members), group.topics.clone())
                            .expect("valid group")
                    })
                },
            );
        }
    }
    g.finish();
}

fn leader(c: &mut Criterion) {
    let sticky = [Strategy::Sticky, Strategy::CooperativeSticky];
    let uniform = Shape::new(2000, 500, 1_000_000);
    events("uniform-2000x500x2000", uniform, &sticky, c);
    events(
        "uniform-2000x500x2000-classic",
        uniform,
        &[Strategy::Range, Strategy::RoundRobin],
        c,
    );
    events(
        "random-half-2000x500x2000",
        Shape::new(2000, 500, 1_000_000).subscriptions(Subscriptions::RandomHalf),
        &sticky,
        c,
    );
    events(
        "buckets-1000x1000x50",
        Shape::new(1000, 1000, 50_000).subscriptions(Subscriptions::Disjoint),
        &sticky,
        c,
    );
}

criterion_group!(benches, leader);
criterion_main!(benches);
