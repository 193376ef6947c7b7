//! Sticky and CooperativeSticky at the sizes the sticky issue sets targets
//! for. Groups (and their settled previous assignments) are built outside
//! the timing; `assign` (interning, the solver and building the
//! `Assignment`) is timed. Filter by id, e.g.
//! `cargo bench --bench sticky -- uniform`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kafka_assignors::{
    Assignment, Assignor, CooperativeStickyAssignor, Group, Member, StickyAssignor, Topic,
    TopicPartition,
};

/// A small deterministic generator (splitmix64), so every run benches the
/// same groups.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[derive(Clone, Copy)]
enum Subscriptions {
    /// Every member subscribes to every topic.
    All,
    /// Every member subscribes to a random half of the topics.
    RandomHalf,
    /// Topics fall in five buckets; member `i` subscribes to bucket `i % 5`
    /// (the shape of Kafka's KIP-848 assignor benchmark).
    Buckets,
}

fn group(members: usize, topics: usize, partitions: usize, subs: Subscriptions) -> Group {
    let names: Vec<Arc<str>> = (0..topics)
        .map(|t| Arc::from(format!("topic-{t:04}")))
        .collect();
    let mut group = Group::new();
    for name in &names {
        group = group.with_topic(Topic::new(Arc::clone(name), partitions as i32));
    }
    let mut rng = SplitMix(42);
    for m in 0..members {
        let member = Member::new(format!("consumer-{m:05}-7f3a"));
        let member = match subs {
            Subscriptions::All => member.subscribe(names.iter().cloned()),
            Subscriptions::RandomHalf => {
                member.subscribe(names.iter().filter(|_| rng.next() & 1 == 0).cloned())
            }
            Subscriptions::Buckets => {
                let bucket = m % 5;
                let size = topics.div_ceil(5);
                member.subscribe(names.iter().skip(bucket * size).take(size).cloned())
            }
        };
        group = group.with_member(member);
    }
    group
}

/// The group after every member took `answer` in generation 1.
fn settled(group: &Group, answer: &Assignment) -> Group {
    let mut next = group.clone();
    let names: std::collections::HashMap<&str, &Arc<str>> =
        group.topics.iter().map(|t| (&*t.name, &t.name)).collect();
    for member in &mut next.members {
        let given = answer.member(&member.id).expect("every member appears");
        member.owned = given
            .iter()
            .map(|(topic, p)| TopicPartition::new(Arc::clone(names[topic]), p))
            .collect();
        member.generation = Some(1);
    }
    next
}

fn events(name: &str, fresh: Group, c: &mut Criterion) {
    let sticky = StickyAssignor::new();
    let partitions: u64 = fresh.topics.iter().map(|t| t.partitions as u64).sum();
    let settled = settled(&fresh, &sticky.assign(&fresh).expect("valid group"));
    let mut one_leaves = settled.clone();
    one_leaves.members.remove(one_leaves.members.len() / 2);
    let mut one_joins = settled.clone();
    let topics = fresh.members[0].topics.clone();
    one_joins
        .members
        .push(Member::new("consumer-new-0001").subscribe(topics));

    let mut g = c.benchmark_group(format!("sticky/{name}"));
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(partitions));
    let strategies: [(&str, &dyn Assignor); 2] = [
        ("sticky", &sticky),
        ("cooperative-sticky", &CooperativeStickyAssignor::new()),
    ];
    for (strategy, assignor) in strategies {
        for (event, group) in [
            ("fresh", &fresh),
            ("one-leaves", &one_leaves),
            ("one-joins", &one_joins),
        ] {
            g.bench_with_input(BenchmarkId::new(strategy, event), group, |b, group| {
                b.iter(|| assignor.assign(black_box(group)).expect("valid group"))
            });
        }
    }
    g.finish();
}

fn sticky(c: &mut Criterion) {
    events(
        "uniform-2000x500x2000",
        group(2000, 500, 2000, Subscriptions::All),
        c,
    );
    events(
        "random-half-2000x500x2000",
        group(2000, 500, 2000, Subscriptions::RandomHalf),
        c,
    );
    events(
        "buckets-1000x1000x50",
        group(1000, 1000, 50, Subscriptions::Buckets),
        c,
    );
}

criterion_group!(benches, sticky);
criterion_main!(benches);
