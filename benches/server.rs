//! The server-side target assignors (`kafka_assignors::server`) on Kafka's
//! `ServerSideAssignorBenchmark` grid (the groups built as that benchmark
//! builds them: `kassign_coordinator::GridPoint`), and the two KIP-848
//! target points. Groups, and for the incremental points the settled
//! targets (each assignor's own answer, plus one new member), are built
//! before the timing; `assign` (validating and interning the spec, the
//! algorithm, the answer with unchanged members) is timed.
//!
//! `server/kip/...`: 1000 members x 1000 topics x 50,000 partitions,
//! heterogeneous, full; 10,000 members x 50 partitions each (10 topics),
//! homogeneous, full. `server/grid/...`: a representative subset (members
//! 100/1000/10,000 x 5 or 50 partitions per member x 10 or 1000 topics x
//! homogeneous/heterogeneous x full/incremental, racks off; and racks on at
//! 1000 members); `SERVER_GRID=full` runs every point of Kafka's grid with
//! at least one partition per topic. Filter by id, e.g.
//! `cargo bench --bench server -- kip`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use kafka_assignors::server::{RangeTargetAssignor, TargetAssignor, UniformTargetAssignor};
use kassign_coordinator::{GridPoint, incremental};

fn point(
    members: usize,
    ratio: usize,
    topics: usize,
    homogeneous: bool,
    incremental: bool,
    racks: bool,
) -> GridPoint {
    GridPoint {
        members,
        ratio,
        topics,
        homogeneous,
        incremental,
        racks,
    }
}

fn bench_points(c: &mut Criterion, group: &str, points: &[GridPoint]) {
    let mut g = c.benchmark_group(format!("server/{group}"));
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    // Criterion filters by id only when it runs a benchmark: skip building
    // the groups of points the command line's filter leaves out.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    for point in points {
        if filter.as_ref().is_some_and(|f| {
            !["uniform", "range"]
                .iter()
                .any(|a| format!("server/{group}/{a}/{}", point.name()).contains(f.as_str()))
        }) {
            continue;
        }
        let settled = point.group();
        for assignor in [
            &UniformTargetAssignor as &dyn TargetAssignor,
            &RangeTargetAssignor,
        ] {
            let drawn = if point.incremental {
                incremental(&settled, assignor, point.homogeneous)
            } else {
                settled.clone()
            };
            let metadata = drawn.metadata();
            let partitions = (point.partitions_per_topic() * point.topics) as u64;
            g.throughput(Throughput::Elements(partitions));
            g.bench_with_input(
                BenchmarkId::new(assignor.name(), point.name()),
                &drawn,
                |b, drawn| {
                    // A coordinator holds the group's target while it
                    // computes the next one, then replaces it: the answer
                    // before is dropped after the new one is built (and
                    // inside the timing, as freeing is part of the cost).
                    let mut held = None;
                    b.iter(|| {
                        let target = assignor
                            .assign(black_box(&drawn.spec), &metadata)
                            .expect("grid groups are valid");
                        held = Some(target);
                    });
                    black_box(held);
                },
            );
        }
    }
    g.finish();
}

fn kip(c: &mut Criterion) {
    bench_points(
        c,
        "kip",
        &[
            point(1000, 50, 1000, false, false, false),
            point(10_000, 50, 10, true, false, false),
        ],
    );
}

fn grid(c: &mut Criterion) {
    let full = std::env::var("SERVER_GRID").is_ok_and(|v| v == "full");
    let mut points = Vec::new();
    let members: &[usize] = if full {
        &[100, 500, 1000, 5000, 10_000]
    } else {
        &[100, 1000, 10_000]
    };
    let ratios: &[usize] = if full { &[5, 10, 50] } else { &[5, 50] };
    let topics: &[usize] = if full { &[10, 100, 1000] } else { &[10, 1000] };
    for &m in members {
        for &r in ratios {
            for &t in topics {
                for homogeneous in [true, false] {
                    for incremental in [false, true] {
                        for racks in [false, true] {
                            if racks && !full && m != 1000 {
                                continue;
                            }
                            let p = point(m, r, t, homogeneous, incremental, racks);
                            if p.partitions_per_topic() > 0 {
                                points.push(p);
                            }
                        }
                    }
                }
            }
        }
    }
    bench_points(c, "grid", &points);
}

criterion_group!(benches, kip, grid);
criterion_main!(benches);
