//! The closed form for groups whose members all subscribe to the same topics.
//!
//! With `c` members and `P` partitions every balanced answer gives each
//! member `q = P / c` or `q + 1` partitions, exactly `r = P % c` of them the
//! larger quota. A member with quota `Q` keeps at most `min(owned, Q)`, and
//! every member can take any partition, so the fewest moves come from giving
//! the `r` larger quotas to the members that own the most: a larger quota
//! saves a move exactly when its member owns more than `q`.
//!
//! Which partitions move is free for balance and moves, so it serves the
//! third goal, an even share of each topic: a member over its quota releases
//! from the topic where it is furthest above its fair share (ties to the
//! topic released least so far in this rebalance), and the free partitions
//! are dealt in topic order to the members still below quota, in turn, as
//! RoundRobin deals.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::assignment::{Assignment, strided_deal};
use crate::index::{GroupIndex, NONE};

/// Whether every member that subscribes to anything subscribes to the same
/// topics.
pub(crate) fn is_uniform(index: &GroupIndex<'_>) -> bool {
    let mut rows = (0..index.members.len())
        .map(|m| index.subscriptions.row(m))
        .filter(|row| !row.is_empty());
    match rows.next() {
        None => true,
        Some(first) => rows.all(|row| row == first),
    }
}

/// The answer for a group with equal subscriptions where nobody owns
/// anything (and racks do not matter): what [`assign`] deals, quotas and
/// all, written directly. `None` when the group is not such a group.
pub(crate) fn fresh(index: &GroupIndex<'_>) -> Option<Assignment> {
    if index.owned.total() > 0 || crate::sticky::problem::rack_aware(index) {
        return None;
    }
    let row = index.common_subscription()?;
    let takers: Vec<u32> = (0..index.members.len() as u32)
        .filter(|&m| !index.subscriptions.row(m as usize).is_empty())
        .collect();
    // Topic ids are name order, the order `assign` deals in.
    Some(strided_deal(index, row, &takers, row))
}

/// The new owner of every global partition; `owner` is the resolved
/// previous owner per partition.
pub(crate) fn assign(index: &GroupIndex<'_>, owner: &[u32]) -> Vec<u32> {
    let total = index.total_partitions as usize;
    let mut target = vec![NONE; total];
    let active: Vec<u32> = (0..index.members.len() as u32)
        .filter(|&m| !index.subscriptions.row(m as usize).is_empty())
        .collect();
    if active.is_empty() || total == 0 {
        return target;
    }
    let members = index.members.len();
    let mut owned = vec![0u32; members];
    for &o in owner {
        if (o as usize) < members {
            owned[o as usize] += 1;
        }
    }

    let c = active.len() as u64;
    let base = (total as u64 / c) as u32;
    let extra = (total as u64 % c) as usize;
    let mut by_owned = active.clone();
    by_owned.sort_unstable_by_key(|&m| (Reverse(owned[m as usize]), m));
    let mut quota = vec![0u32; members];
    for (rank, &m) in by_owned.iter().enumerate() {
        quota[m as usize] = base + u32::from(rank < extra);
    }

    let topics = index.topics.len();
    let mut released_so_far = vec![0u32; topics];
    let mut kept = vec![0u32; members];
    let mut runs: Vec<(u32, u32, u32)> = Vec::new();
    let mut keep_per_run: Vec<u32> = Vec::new();
    let mut heap = BinaryHeap::new();
    for &m in &active {
        let mu = m as usize;
        if owned[mu] <= quota[mu] {
            // Keeps everything it owns: no runs, no choices.
            for &p in index.owned.row(mu) {
                if owner[p as usize] == m {
                    target[p as usize] = m;
                }
            }
            kept[mu] = owned[mu];
            continue;
        }
        // The member's owned partitions as runs (topic, first, end) over its
        // sorted owned row, with how many of each run it really owns.
        runs.clear();
        keep_per_run.clear();
        let row = index.owned.row(mu);
        let mut topic = 0usize;
        let mut i = 0;
        while i < row.len() {
            while index.topics[topic].start + index.topics[topic].partitions <= row[i] {
                topic += 1;
            }
            let end_of_topic = index.topics[topic].start + index.topics[topic].partitions;
            let first = i;
            let mut mine = 0;
            while i < row.len() && row[i] < end_of_topic {
                mine += u32::from(owner[row[i] as usize] == m);
                i += 1;
            }
            if mine > 0 {
                runs.push((topic as u32, first as u32, i as u32));
                keep_per_run.push(mine);
            }
        }
        let mut release = owned[mu].saturating_sub(quota[mu]);
        if release > 0 {
            heap.clear();
            for (k, &(t, _, _)) in runs.iter().enumerate() {
                heap.push(release_key(
                    index,
                    c,
                    t,
                    keep_per_run[k],
                    &released_so_far,
                    k,
                ));
            }
            while release > 0 {
                let Some((_, _, Reverse(k))) = heap.pop() else {
                    break;
                };
                let t = runs[k].0;
                keep_per_run[k] -= 1;
                released_so_far[t as usize] += 1;
                release -= 1;
                if keep_per_run[k] > 0 {
                    heap.push(release_key(
                        index,
                        c,
                        t,
                        keep_per_run[k],
                        &released_so_far,
                        k,
                    ));
                }
            }
        }
        // Keep the lowest-numbered owned partitions of each topic.
        for (k, &(_, first, end)) in runs.iter().enumerate() {
            let mut left = keep_per_run[k];
            for &p in &row[first as usize..end as usize] {
                if left == 0 {
                    break;
                }
                if owner[p as usize] == m {
                    target[p as usize] = m;
                    left -= 1;
                }
            }
            kept[mu] += keep_per_run[k];
        }
    }

    // Deal the free partitions, in topic order, to members below quota.
    let mut takers: Vec<u32> = active
        .iter()
        .copied()
        .filter(|&m| kept[m as usize] < quota[m as usize])
        .collect();
    let mut turn = 0usize;
    for (p, slot) in target.iter_mut().enumerate() {
        if *slot != NONE {
            continue;
        }
        let _ = p;
        if takers.is_empty() {
            break;
        }
        if turn >= takers.len() {
            turn = 0;
        }
        let m = takers[turn];
        *slot = m;
        kept[m as usize] += 1;
        if kept[m as usize] == quota[m as usize] {
            takers.remove(turn);
        } else {
            turn += 1;
        }
    }
    target
}

/// Heap key for releasing from one topic: furthest above the fair share
/// first, then the topic released least so far, then the lowest topic id.
fn release_key(
    index: &GroupIndex<'_>,
    c: u64,
    t: u32,
    holding: u32,
    released_so_far: &[u32],
    run: usize,
) -> (i64, Reverse<u32>, Reverse<usize>) {
    let excess = i64::from(holding) * c as i64 - i64::from(index.topics[t as usize].partitions);
    (excess, Reverse(released_so_far[t as usize]), Reverse(run))
}
