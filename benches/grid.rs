//! The benchmark grid: every strategy over group sizes, topic-size skew,
//! subscription patterns, racks and rebalance events (the axes of Kafka's
//! assignor benchmarks). `BENCHMARKS.md` describes the grid and holds the
//! medians from one run.
//!
//! Two sections:
//!
//! - `size/...`: equal topic sizes, everyone subscribed to everything, no
//!   racks; members, topics and total partitions each varied on their own
//!   around `BASE`, plus the million-partition group.
//! - `mix/...`: at the smaller `MIX` point, every combination of topic sizes
//!   (equal, skewed), subscriptions (homogeneous, disjoint, nested) and racks
//!   (none, three with two replicas each).
//!
//! Range and RoundRobin read no history, so for them every event is just
//! another full assignment (and "stable" is exactly "full"): they are timed
//! on `full` only. RoundRobin ignores racks, so it skips the rack points.
//! The sticky strategies are timed on every event, from the settled group.
//!
//! Groups are built outside the timing; `assign` (interning, the algorithm
//! and building the `Assignment`) is timed. Filter by id, e.g.
//! `cargo bench --bench grid -- mix/skewed-nested`. Section `racks/` runs
//! the rack mixes again at the `BASE` size.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use kafka_assignors::{Assignor, Strategy};
use kafka_assignors_testkit::shapes::{
    Event, Racks, Shape, Sizes, Subscriptions, after, own_names, partitions, settled,
};

/// The centre of the size sweep: (members, topics, total partitions).
const BASE: (usize, usize, usize) = (200, 100, 20_000);

/// The mix point: every combination of the other axes, at a small size.
const MIX: (usize, usize, usize) = (50, 20, 2_000);

fn size_points() -> Vec<Shape> {
    let (m, t, p) = BASE;
    [
        (m, t, p),
        (m / 10, t, p),
        (m * 10, t, p),
        (m, t / 10, p),
        (m, t * 10, p),
        (m, t, p / 10),
        (m, t, p * 10),
        (2_000, 500, 1_000_000),
    ]
    .into_iter()
    .map(|(m, t, p)| Shape::new(m, t, p))
    .collect()
}

fn mix_points((m, t, p): (usize, usize, usize), racks: &[Racks]) -> Vec<Shape> {
    let mut shapes = Vec::new();
    for &rack in racks {
        for sizes in [Sizes::Equal, Sizes::Skewed] {
            for subscriptions in [
                Subscriptions::Homogeneous,
                Subscriptions::Disjoint,
                Subscriptions::Nested,
            ] {
                shapes.push(
                    Shape::new(m, t, p)
                        .sizes(sizes)
                        .subscriptions(subscriptions)
                        .racks(rack),
                );
            }
        }
    }
    shapes
}

/// Every strategy that makes sense on `shape`, with the events it is timed on.
fn plan(shape: &Shape) -> Vec<(Strategy, &'static [Event])> {
    const FULL: &[Event] = &[Event::Full];
    let mut plan = vec![(Strategy::Range, FULL)];
    if shape.racks == Racks::None {
        plan.push((Strategy::RoundRobin, FULL));
    }
    plan.push((Strategy::Sticky, &Event::ALL));
    plan.push((Strategy::CooperativeSticky, &Event::ALL));
    plan
}

fn bench_shape(c: &mut Criterion, section: &str, point: &str, shape: &Shape) {
    let settled = settled(shape);
    let groups: Vec<_> = Event::ALL
        .iter()
        // Each member's own names, as a client holds them (no shared
        // `Arc`s for interning to find by address).
        .map(|&event| (event, own_names(&after(event, shape, &settled))))
        .collect();
    let mut bench = c.benchmark_group(format!("{section}/{point}"));
    // Flat sampling: the slowest points take ~100 ms a call, and linear
    // sampling would insist on 55 calls per point.
    bench
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(800))
        .nresamples(10_000);
    for (strategy, events) in plan(shape) {
        for (event, group) in groups.iter().filter(|(e, _)| events.contains(e)) {
            bench.throughput(Throughput::Elements(partitions(group)));
            bench.bench_with_input(
                BenchmarkId::new(strategy.name(), event),
                group,
                |b, group| b.iter(|| strategy.assign(black_box(group)).expect("valid group")),
            );
        }
    }
    bench.finish();
}

fn grid(c: &mut Criterion) {
    for shape in size_points() {
        bench_shape(c, "size", &shape.size_id(), &shape);
    }
    for shape in mix_points(MIX, &[Racks::None, Racks::ThreeRf2]) {
        bench_shape(
            c,
            "mix",
            &format!("{}/{}", shape.mix_id(), shape.size_id()),
            &shape,
        );
    }
    for shape in mix_points(BASE, &[Racks::ThreeRf2]) {
        bench_shape(
            c,
            "racks",
            &format!("{}/{}", shape.mix_id(), shape.size_id()),
            &shape,
        );
    }
}

criterion_group!(benches, grid);
criterion_main!(benches);
