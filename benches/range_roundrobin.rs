//! Range and RoundRobin over a grid of group sizes, equal subscriptions.
//!
//! The group is built outside the timing; `assign` (interning, the algorithm
//! and building the `Assignment`) is timed. Filter by the benchmark id, e.g.
//! `cargo bench --bench range_roundrobin -- 1000000`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use kafka_assignors::{Assignor, RangeAssignor, RoundRobinAssignor};
use kafka_assignors_testkit::shapes::{Racks, Shape, partitions};

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
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (members, topics, per_topic) in points {
        let g = Shape::new(members, topics, topics * per_topic).group();
        bench.throughput(Throughput::Elements(partitions(&g)));
        let id = format!("{}p/{members}m/{topics}t", topics * per_topic);
        for (name, strategy) in strategies {
            bench.bench_with_input(BenchmarkId::new(name, &id), &g, |b, g| {
                b.iter(|| strategy.assign(black_box(g)).unwrap())
            });
        }
    }
    for (members, topics, per_topic) in [(100, 50, 100), (2000, 500, 2000)] {
        let g = Shape::new(members, topics, topics * per_topic)
            .racks(Racks::ThreeRf2)
            .group();
        bench.throughput(Throughput::Elements(partitions(&g)));
        let id = format!("{}p/{members}m/{topics}t/3racks-rf2", topics * per_topic);
        bench.bench_with_input(BenchmarkId::new("range", &id), &g, |b, g| {
            b.iter(|| RangeAssignor.assign(black_box(g)).unwrap())
        });
    }
    bench.finish();
}

criterion_group!(benches, grid);
criterion_main!(benches);
