//! One heartbeat's KIP-848 reconciliation (`server::reconcile`), timed in
//! groups of 10 and 1000 members where each member has 10, 100 or 1000
//! partitions: the cost should follow the member's partitions and not the
//! group. The owners query is a hash map over the whole group (what a
//! coordinator keeps), built outside the timing. Timed per heartbeat: the
//! owned report turned into a `PartitionSet` (it arrives unsorted) and the
//! step itself.
//!
//! - `new-epoch`: a `Stable` member behind a new target that keeps half of
//!   its partitions and adds half of its neighbour's (still held): it must
//!   revoke half (`UnrevokedPartitions`), every new partition is queried.
//! - `released`: the same member after revoking, its neighbour released
//!   too: it takes the new half at the target epoch (`Stable`).
//!
//! `cargo bench --bench server_reconcile`.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kafka_assignors::server::{
    CurrentAssignment, Heartbeat, MemberState, PartitionEpochs, PartitionSet, TopicId, reconcile,
};

const TOPICS: usize = 10;

type Tp = (TopicId, i32);

fn topic(t: usize) -> TopicId {
    TopicId::from(((t as u128 + 1) << 64) | 7)
}

/// Member `m`'s block of `k` partitions: `k / TOPICS` in each topic.
fn block(m: usize, k: usize) -> Vec<(TopicId, i32)> {
    let per = k / TOPICS;
    (0..TOPICS)
        .flat_map(|t| (m * per..(m + 1) * per).map(move |p| (topic(t), p as i32)))
        .collect()
}

/// Every other partition, and the rest (half of each topic when a member
/// has two or more partitions of it).
fn halves(v: &[Tp]) -> (Vec<Tp>, Vec<Tp>) {
    let first = v.iter().step_by(2).copied().collect();
    let second = v.iter().skip(1).step_by(2).copied().collect();
    (first, second)
}

fn epochs(v: &[(TopicId, i32)], e: i32) -> PartitionEpochs {
    PartitionEpochs::from_partitions(v.iter().map(|&(t, p)| (t, p, e))).unwrap()
}

fn heartbeat(c: &mut Criterion) {
    let mut g = c.benchmark_group("server_reconcile");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for members in [10usize, 1000] {
        for k in [10usize, 100, 1000] {
            // Every member holds its block at epoch 1.
            let mut owners: HashMap<(TopicId, i32), i32> = HashMap::new();
            for m in 0..members {
                for tp in block(m, k) {
                    owners.insert(tp, 1);
                }
            }
            let mine = block(0, k);
            let (keep, give) = halves(&mine);
            let (take, _) = halves(&block(1, k));
            let target = PartitionSet::from_partitions(keep.iter().chain(&take).copied()).unwrap();
            let subscribed = |_: TopicId| true;
            g.throughput(Throughput::Elements(k as u64));
            let id = format!("{members}m-{k}p");

            // new-epoch: Stable at 1, target epoch 2, owns its whole block.
            let member = CurrentAssignment::new(
                MemberState::Stable,
                1,
                0,
                epochs(&mine, 1),
                PartitionEpochs::new(),
            )
            .unwrap();
            let report: Vec<(TopicId, i32)> = mine.iter().rev().copied().collect();
            let query = |t: TopicId, p: i32| owners.get(&(t, p)).copied();
            let run = |report: &[(TopicId, i32)], member: &CurrentAssignment| {
                let owned = PartitionSet::from_partitions(report.iter().copied()).unwrap();
                let hb = Heartbeat {
                    target_epoch: 2,
                    target: &target,
                    owned: Some(&owned),
                    subscription_changed: false,
                };
                reconcile(member, &hb, &subscribed, &query).unwrap()
            };
            let next = run(&report, &member).into_next(&member);
            assert_eq!(next.state(), MemberState::UnrevokedPartitions);
            assert_eq!(next.pending_revocation().len(), give.len());
            g.bench_with_input(BenchmarkId::new("new-epoch", &id), &report, |b, report| {
                b.iter(|| run(black_box(report), &member))
            });

            // released: revoked its half; the neighbour released its half.
            for tp in give.iter().chain(&take) {
                owners.remove(tp);
            }
            let query = |t: TopicId, p: i32| owners.get(&(t, p)).copied();
            let run = |report: &[(TopicId, i32)], member: &CurrentAssignment| {
                let owned = PartitionSet::from_partitions(report.iter().copied()).unwrap();
                let hb = Heartbeat {
                    target_epoch: 2,
                    target: &target,
                    owned: Some(&owned),
                    subscription_changed: false,
                };
                reconcile(member, &hb, &subscribed, &query).unwrap()
            };
            let report: Vec<(TopicId, i32)> = keep.iter().rev().copied().collect();
            let done = run(&report, &next).into_next(&next);
            assert_eq!(done.state(), MemberState::Stable);
            assert_eq!(done.assigned().len(), keep.len() + take.len());
            g.bench_with_input(BenchmarkId::new("released", &id), &report, |b, report| {
                b.iter(|| run(black_box(report), &next))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, heartbeat);
criterion_main!(benches);
