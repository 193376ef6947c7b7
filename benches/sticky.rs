//! Sticky and CooperativeSticky at the sizes the sticky issue sets targets
//! for. Groups (and their settled previous assignments) are built outside
//! the timing; `assign` (interning, the solver and building the
//! `Assignment`) is timed, on groups whose members hold their own names (as a
//! client's do) and, as `..._shared-arcs`, on the same groups with one `Arc`
//! per name shared by all. Filter by id, e.g.
//! `cargo bench --bench sticky -- uniform`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use kafka_assignors::{Assignor, CooperativeStickyAssignor, StickyAssignor};
use kafka_assignors_testkit::shapes::{
    Event, Shape, Subscriptions, after, own_names, partitions, settled,
};

fn events(name: &str, shape: Shape, c: &mut Criterion) {
    let settled = settled(&shape);
    let events = [Event::Full, Event::OneLeaves, Event::OneJoins];
    // Each member's own names, as a client leader has them; the shared
    // `Arc`s row shows what finding topics by address would save.
    let groups: Vec<_> = events
        .iter()
        .flat_map(|&event| {
            let shared = after(event, &shape, &settled);
            [
                (event, "", own_names(&shared)),
                (event, "/shared-arcs", shared),
            ]
        })
        .collect();

    let mut g = c.benchmark_group(format!("sticky/{name}"));
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let sticky = StickyAssignor::new();
    let cooperative = CooperativeStickyAssignor::new();
    let strategies: [(&str, &dyn Assignor); 2] =
        [("sticky", &sticky), ("cooperative-sticky", &cooperative)];
    for (strategy, assignor) in strategies {
        for (event, names, group) in &groups {
            g.throughput(Throughput::Elements(partitions(group)));
            let event = match event {
                Event::Full => "fresh".to_string(),
                other => other.to_string(),
            } + names;
            g.bench_with_input(BenchmarkId::new(strategy, event), group, |b, group| {
                b.iter(|| assignor.assign(black_box(group)).expect("valid group"))
            });
        }
    }
    // The floor own names set: one byte of every name of every member read,
    // nothing else. `assign` with own names minus `assign` with shared
    // `Arc`s is what interning pays for reading names the shared path finds
    // by address; this row says how much of that reading memory costs.
    if let Some((_, _, group)) = groups
        .iter()
        .find(|(e, n, _)| *e == Event::Full && n.is_empty())
    {
        g.bench_with_input(
            BenchmarkId::new("floor", "every-name-read"),
            group,
            |b, group| {
                b.iter(|| {
                    let mut sum = 0u64;
                    for member in &black_box(group).members {
                        for topic in &member.topics {
                            sum =
                                sum.wrapping_add(u64::from(*topic.as_bytes().last().unwrap_or(&0)));
                        }
                    }
                    sum
                })
            },
        );
    }
    g.finish();
}

fn sticky(c: &mut Criterion) {
    events("uniform-2000x500x2000", Shape::new(2000, 500, 1_000_000), c);
    events(
        "random-half-2000x500x2000",
        Shape::new(2000, 500, 1_000_000).subscriptions(Subscriptions::RandomHalf),
        c,
    );
    events(
        "buckets-1000x1000x50",
        Shape::new(1000, 1000, 50_000).subscriptions(Subscriptions::Disjoint),
        c,
    );
}

criterion_group!(benches, sticky);
criterion_main!(benches);
