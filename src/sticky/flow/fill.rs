//! Stage 1: every member keeps what it owns; free partitions are
//! water-filled onto the least loaded subscribers.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::Solver;

impl Solver<'_> {
    /// Stage 1: water-fill each class's free partitions, most constrained
    /// classes first.
    pub(super) fn fill_free(&mut self) {
        let p = self.p;
        // With racks, each class first goes to its local subscribers, up to
        // the group's fair share, so that few partitions start remote and
        // stage 3 has little to swap.
        let rack_aware = p.arc_remote.iter().any(|&remote| remote);
        let total: u64 = (0..p.classes())
            .map(|c| p.class_partitions.row(c).len() as u64)
            .sum();
        let fair_share = total.div_ceil(self.active.len().max(1) as u64) as u32;
        let mut order: Vec<u32> = (0..p.classes() as u32).collect();
        order.sort_by_key(|&c| (p.arcs_of_class(c as usize).len(), c));
        let mut sorted: Vec<u32> = Vec::new();
        let mut scratch: Vec<u32> = Vec::new();
        for c in order {
            let c = c as usize;
            let arcs = p.arcs_of_class(c);
            if arcs.is_empty() {
                continue;
            }
            let owned: u64 = arcs.clone().map(|a| u64::from(p.arc_owned[a])).sum();
            let mut free = p.class_partitions.row(c).len() as u64 - owned;
            if free == 0 {
                continue;
            }
            if rack_aware {
                free -= self.fill_local(arcs.clone(), free, fair_share);
                if free == 0 {
                    continue;
                }
            }
            sorted.clear();
            sorted.extend(arcs.map(|a| a as u32));
            let load = &self.load;
            let key = |a: u32| {
                (
                    load[p.arc_member[a as usize].index()],
                    p.arc_remote[a as usize],
                    a,
                )
            };
            if !sorted.is_sorted_by_key(|&a| key(a)) {
                counting_sort_by_load(&mut sorted, &mut scratch, |a| {
                    (
                        load[p.arc_member[a as usize].index()],
                        p.arc_remote[a as usize],
                    )
                })
                .unwrap_or_else(|| sorted.sort_unstable_by_key(|&a| key(a)));
            }

            // The first `k` arcs rise to level `level` (some to `level + 1`).
            let mut k = 0usize;
            let mut sum = 0u64;
            loop {
                sum += u64::from(self.load[p.arc_member[sorted[k] as usize].index()]);
                k += 1;
                if k == sorted.len() {
                    break;
                }
                let next = u64::from(self.load[p.arc_member[sorted[k] as usize].index()]);
                if next * k as u64 - sum >= free {
                    break;
                }
            }
            let total = sum + free;
            let level = total / k as u64;
            let mut extra = total % k as u64;
            let risers = &mut sorted[..k];
            for &a in risers.iter() {
                let m = p.arc_member[a as usize].index();
                let give = (level - u64::from(self.load[m])) as u32;
                self.x[a as usize] += give;
                self.load[m] += give;
            }
            // The remainder goes to local members first, then to those with
            // the fewest partitions of this class.
            let x = &self.x;
            let riser_key = |a: &u32| (p.arc_remote[*a as usize], x[*a as usize], *a);
            if !risers.is_sorted_by_key(riser_key) {
                risers.sort_unstable_by_key(riser_key);
            }
            for &a in risers.iter() {
                if extra == 0 {
                    break;
                }
                self.x[a as usize] += 1;
                self.load[p.arc_member[a as usize].index()] += 1;
                extra -= 1;
            }
        }
    }

    /// A cheap pass before the chain search: within each class, move
    /// partitions nobody owned from its most loaded holders to its least
    /// loaded subscribers (the single moves the Java client stops at). It
    /// only shortens stage 2; stage 2 alone decides optimality.
    pub(super) fn even_within_classes(&mut self) {
        let p = self.p;
        let mut sorted: Vec<u32> = Vec::new();
        for _pass in 0..4 {
            let mut moved = false;
            for c in 0..p.classes() {
                let arcs = p.arcs_of_class(c);
                if arcs.len() < 2 {
                    continue;
                }
                // Nothing to even out where the subscribers' loads are within
                // one of each other: skip the sort.
                let load = &self.load;
                let (low, high) = arcs
                    .clone()
                    .map(|a| load[p.arc_member[a].index()])
                    .fold((u32::MAX, 0), |(lo, hi), l| (lo.min(l), hi.max(l)));
                if high < low.saturating_add(2) {
                    continue;
                }
                sorted.clear();
                sorted.extend(arcs.map(|a| a as u32));
                sorted.sort_unstable_by_key(|&a| (load[p.arc_member[a as usize].index()], a));
                let (mut low, mut high) = (0, sorted.len() - 1);
                while low < high {
                    let (to, from) = (sorted[low] as usize, sorted[high] as usize);
                    let (to_m, from_m) = (p.arc_member[to].index(), p.arc_member[from].index());
                    if self.load[from_m] < self.load[to_m] + 2 {
                        break;
                    }
                    let spare = self.x[from].saturating_sub(p.arc_owned[from]);
                    if spare == 0 {
                        high -= 1;
                        continue;
                    }
                    let amount = spare.min((self.load[from_m] - self.load[to_m]) / 2);
                    self.x[from] -= amount;
                    self.x[to] += amount;
                    self.load[from_m] -= amount;
                    self.load[to_m] += amount;
                    moved = true;
                    low += 1;
                    high -= 1;
                }
            }
            if !moved {
                break;
            }
        }
    }

    /// Gives up to `free` partitions of one class to its local subscribers,
    /// least loaded first, none above `cap`; returns how many it gave.
    fn fill_local(&mut self, arcs: std::ops::Range<usize>, free: u64, cap: u32) -> u64 {
        let p = self.p;
        let mut heap: BinaryHeap<Reverse<(u32, u32)>> = arcs
            .filter(|&a| !p.arc_remote[a])
            .map(|a| Reverse((self.load[p.arc_member[a].index()], a as u32)))
            .collect();
        let mut given = 0;
        while given < free {
            let Some(Reverse((load, a))) = heap.pop() else {
                break;
            };
            if load >= cap {
                break;
            }
            self.x[a as usize] += 1;
            self.load[p.arc_member[a as usize].index()] += 1;
            given += 1;
            heap.push(Reverse((load + 1, a)));
        }
        given
    }
}

/// Sorts arc ids (given ascending) by (load, remote), ties kept in id order,
/// by counting: the loads of one class's subscribers span a few values, where
/// a comparison sort would cost more than the water-fill it serves. `None`
/// (and nothing changed) when the span is too wide for that to pay.
fn counting_sort_by_load(
    arcs: &mut [u32],
    scratch: &mut Vec<u32>,
    key: impl Fn(u32) -> (u32, bool),
) -> Option<()> {
    let (low, high) = arcs
        .iter()
        .map(|&a| key(a).0)
        .fold((u32::MAX, 0), |(lo, hi), l| (lo.min(l), hi.max(l)));
    let span = (high - low) as usize + 1;
    if span > 4 * arcs.len() + 64 {
        return None;
    }
    let bucket = |a: u32| {
        let (load, remote) = key(a);
        2 * (load - low) as usize + usize::from(remote)
    };
    let mut starts = vec![0usize; 2 * span + 1];
    for &a in arcs.iter() {
        starts[bucket(a) + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    scratch.clear();
    scratch.resize(arcs.len(), 0);
    for &a in arcs.iter() {
        let at = &mut starts[bucket(a)];
        scratch[*at] = a;
        *at += 1;
    }
    arcs.copy_from_slice(scratch);
    Some(())
}
