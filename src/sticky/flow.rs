//! The general solver: counts per (class, member) at the lexicographic
//! optimum (balance, then rack locality, then moves).
//!
//! Three stages, each ending in a state that certifies its own tier:
//!
//! 1. **Fill.** Every member keeps what it owns; each class's free
//!    partitions are water-filled onto its least loaded subscribers.
//! 2. **Balance.** While some member `u` can pass a partition along a chain
//!    of subscribers to a member `v` with `load(u) >= load(v) + 2`, do it.
//!    When no such chain exists the loads are the least majorised vector
//!    (the sum of squares is minimal): for a separable convex cost over the
//!    loads of a transportation problem, local optimality under such chains
//!    is global optimality. One search serves a whole level: from every
//!    member at most at that level (the sinks) it finds a chain for every
//!    member at least two above it, and units pass along those chains until
//!    none is open or improving, any sink of a chain's last class taking
//!    them.
//! 3. **Refine.** Among assignments with that balance, cancel negative cycles
//!    of the residual graph whose moves keep the load multiset: partitions
//!    passed around a cycle of members, or along a chain from a member with
//!    load `k + 1` to one with load `k` (they trade places). Each unit of
//!    remote (rack-crossing) assignment costs more than any number of moves,
//!    each owned partition given away costs 1 and each one won back -1. The
//!    set of balance-optimal load vectors is the integer points of the load
//!    polytope cut by a box (every member keeps its level or swaps with the
//!    next one), so this is a min-cost flow, and a state without a negative
//!    cycle is optimal.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::index::NONE;
use crate::sticky::problem::Problem;

/// The counts per arc at the optimum.
pub(crate) fn solve(problem: &Problem) -> Vec<u32> {
    let mut solver = Solver::new(problem);
    solver.fill_free();
    solver.even_within_classes();
    solver.balance();
    solver.refine();
    solver.x
}

struct Solver<'p> {
    p: &'p Problem,
    x: Vec<u32>,
    load: Vec<u32>,
    /// Members that can hold anything (they subscribe to a class).
    active: Vec<u32>,
}

impl<'p> Solver<'p> {
    fn new(p: &'p Problem) -> Self {
        let x = p.arc_owned.clone();
        let mut load = vec![0u32; p.members];
        for (a, &m) in p.arc_member.iter().enumerate() {
            load[m as usize] += x[a];
        }
        let active = (0..p.members as u32)
            .filter(|&m| !p.member_arcs.row(m as usize).is_empty())
            .collect();
        Solver { p, x, load, active }
    }

    /// Stage 1: water-fill each class's free partitions, most constrained
    /// classes first.
    fn fill_free(&mut self) {
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
                    load[p.arc_member[a as usize] as usize],
                    p.arc_remote[a as usize],
                    a,
                )
            };
            if !sorted.is_sorted_by_key(|&a| key(a)) {
                counting_sort_by_load(&mut sorted, &mut scratch, |a| {
                    (
                        load[p.arc_member[a as usize] as usize],
                        p.arc_remote[a as usize],
                    )
                })
                .unwrap_or_else(|| sorted.sort_unstable_by_key(|&a| key(a)));
            }

            // The first `k` arcs rise to level `level` (some to `level + 1`).
            let mut k = 0usize;
            let mut sum = 0u64;
            loop {
                sum += u64::from(self.load[p.arc_member[sorted[k] as usize] as usize]);
                k += 1;
                if k == sorted.len() {
                    break;
                }
                let next = u64::from(self.load[p.arc_member[sorted[k] as usize] as usize]);
                if next * k as u64 - sum >= free {
                    break;
                }
            }
            let total = sum + free;
            let level = total / k as u64;
            let mut extra = total % k as u64;
            let risers = &mut sorted[..k];
            for &a in risers.iter() {
                let m = p.arc_member[a as usize] as usize;
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
                self.load[p.arc_member[a as usize] as usize] += 1;
                extra -= 1;
            }
        }
    }

    /// A cheap pass before the chain search: within each class, move
    /// partitions nobody owned from its most loaded holders to its least
    /// loaded subscribers (the single moves the Java client stops at). It
    /// only shortens stage 2; stage 2 alone decides optimality.
    fn even_within_classes(&mut self) {
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
                    .map(|a| load[p.arc_member[a] as usize])
                    .fold((u32::MAX, 0), |(lo, hi), l| (lo.min(l), hi.max(l)));
                if high < low.saturating_add(2) {
                    continue;
                }
                sorted.clear();
                sorted.extend(arcs.map(|a| a as u32));
                sorted.sort_unstable_by_key(|&a| (load[p.arc_member[a as usize] as usize], a));
                let (mut low, mut high) = (0, sorted.len() - 1);
                while low < high {
                    let (to, from) = (sorted[low] as usize, sorted[high] as usize);
                    let (to_m, from_m) = (p.arc_member[to] as usize, p.arc_member[from] as usize);
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
            .map(|a| Reverse((self.load[p.arc_member[a] as usize], a as u32)))
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
            self.load[p.arc_member[a as usize] as usize] += 1;
            given += 1;
            heap.push(Reverse((load + 1, a)));
        }
        given
    }

    fn load_range(&self) -> Option<(u32, u32)> {
        let loads = self.active.iter().map(|&m| self.load[m as usize]);
        Some((loads.clone().min()?, loads.max()?))
    }

    /// Stage 2: pass partitions down improving chains until none is left.
    fn balance(&mut self) {
        let mut search = ChainSearch::new(self.p);
        // Levels are tried nearest an anchor first, and a level that helped
        // is tried again until it does not: a search costs the same whether
        // it finds chains or not, so searches at levels with nothing to do
        // are the waste to avoid. The first anchor is the median: a search
        // there has the most sources and sinks, so it moves many units at
        // once, each from above the middle straight to below it. Feeding the
        // least loaded first moved partitions through members the optimum
        // leaves alone, for stage 3 to move back: on a million partitions
        // over random half subscriptions, 2669 cycles cancelled instead of 1.
        let mut loads: Vec<u32> = self.active.iter().map(|&m| self.load[m as usize]).collect();
        if loads.is_empty() {
            return;
        }
        let half = loads.len() / 2;
        let median = *loads.select_nth_unstable(half).1;
        let mut anchor = median.saturating_sub(1);
        let mut levels: Vec<u32> = Vec::new();
        while let Some((low, high)) = self.load_range() {
            if high < low + 2 {
                return;
            }
            levels.clear();
            levels.extend(low..=high - 2);
            let from = anchor.clamp(low, high - 2);
            levels.sort_unstable_by_key(|&level| (level.abs_diff(from), level));
            let Some(&level) = levels.iter().find(|&&level| search.improve(self, level)) else {
                return;
            };
            anchor = level;
            while search.improve(self, level) {}
        }
    }

    /// Stage 3: cancel negative cycles that keep the load multiset.
    fn refine(&mut self) {
        let p = self.p;
        let moved: u64 = (0..p.arc_count())
            .map(|a| u64::from(p.arc_owned[a].saturating_sub(self.x[a])))
            .sum();
        let remote: u64 = (0..p.arc_count())
            .filter(|&a| p.arc_remote[a])
            .map(|a| u64::from(self.x[a]))
            .sum();
        if moved == 0 && remote == 0 {
            // Nothing to improve below balance: zero is the least possible.
            return;
        }
        let mut cycles = CycleSearch::new(p);
        while let Some(cycle) = cycles.find(self) {
            let amount = self.cycle_capacity(&cycle);
            for edge in cycle {
                match edge {
                    Edge::Receive(a) => {
                        self.x[a as usize] += amount;
                        self.load[p.arc_member[a as usize] as usize] += amount;
                    }
                    Edge::Give(a) => {
                        self.x[a as usize] -= amount;
                        self.load[p.arc_member[a as usize] as usize] -= amount;
                    }
                    Edge::ToLevel(_) | Edge::FromLevel(_) => {}
                }
            }
        }
    }

    /// How many partitions can go round a cycle before any edge's cost
    /// changes: an arc's cost steps where its count crosses what its member
    /// owns, and a level edge allows one (two would change the levels).
    fn cycle_capacity(&self, cycle: &[Edge]) -> u32 {
        let p = self.p;
        let mut amount = u32::MAX;
        for &edge in cycle {
            let room = match edge {
                Edge::Receive(a) => {
                    let (x, own) = (self.x[a as usize], p.arc_owned[a as usize]);
                    if x < own { own - x } else { u32::MAX }
                }
                Edge::Give(a) => {
                    let (x, own) = (self.x[a as usize], p.arc_owned[a as usize]);
                    if x > own { x - own } else { x }
                }
                Edge::ToLevel(_) | Edge::FromLevel(_) => 1,
            };
            amount = amount.min(room);
        }
        amount.max(1)
    }
}

/// Reverse 0-1 breadth-first search for improving chains (stage 2).
struct ChainSearch {
    dist: Vec<u32>,
    stamp: Vec<u32>,
    class_stamp: Vec<u32>,
    give: Vec<u32>,
    receive: Vec<u32>,
    round: u32,
    deque: VecDeque<(u32, u32)>,
    sources: Vec<u32>,
    /// Per class, the first of its arcs whose member may still be a sink:
    /// within one search sinks only fill up, so the cursor only advances.
    sink_cursor: Vec<u32>,
}

impl ChainSearch {
    fn new(p: &Problem) -> Self {
        ChainSearch {
            dist: vec![0; p.members],
            stamp: vec![0; p.members],
            class_stamp: vec![0; p.classes()],
            sink_cursor: vec![0; p.classes()],
            give: vec![NONE; p.members],
            receive: vec![NONE; p.members],
            round: 0,
            deque: VecDeque::new(),
            sources: Vec::new(),
        }
    }

    /// Finds the cheapest chain (fewest owned partitions given away) from a
    /// member with load `>= level + 2` to one with load `<= level`, and
    /// passes as much along it as evens the two ends. Returns whether it did.
    fn improve(&mut self, s: &mut Solver<'_>, level: u32) -> bool {
        let p = s.p;
        self.round += 1;
        let round = self.round;
        self.deque.clear();
        for &m in &s.active {
            if s.load[m as usize] <= level {
                self.stamp[m as usize] = round;
                self.dist[m as usize] = 0;
                self.give[m as usize] = NONE;
                self.deque.push_back((m, 0));
            }
        }
        // Search the whole tree once, then pass partitions along every path
        // in it that is still improving: one search serves many chains.
        self.sources.clear();
        while let Some((v, d)) = self.deque.pop_front() {
            if d > self.dist[v as usize] {
                continue;
            }
            if s.load[v as usize] >= level + 2 {
                self.sources.push(v);
            }
            for &r in p.member_arcs.row(v as usize) {
                let c = p.arc_class[r as usize] as usize;
                if self.class_stamp[c] == round {
                    continue;
                }
                self.class_stamp[c] = round;
                for g in p.arcs_of_class(c) {
                    let u = p.arc_member[g] as usize;
                    if s.x[g] == 0 || u == v as usize {
                        continue;
                    }
                    let cost = u32::from(s.x[g] <= p.arc_owned[g]);
                    let du = d + cost;
                    if self.stamp[u] == round && self.dist[u] <= du {
                        continue;
                    }
                    self.stamp[u] = round;
                    self.dist[u] = du;
                    self.give[u] = g as u32;
                    self.receive[u] = r;
                    if cost == 0 {
                        self.deque.push_front((u as u32, du));
                    } else {
                        self.deque.push_back((u as u32, du));
                    }
                }
            }
        }
        // One partition per source per pass, passes repeated over the same
        // tree while any chain still improves: the surplus is spread over
        // the sources instead of one source overshooting, which would cost
        // moves that stage 3 must take back.
        for c in 0..p.classes() {
            self.sink_cursor[c] = p.arcs_of_class(c).start as u32;
        }
        let mut improved = false;
        loop {
            let mut passed = false;
            for i in 0..self.sources.len() {
                let source = self.sources[i];
                if s.load[source as usize] < level + 2 {
                    continue;
                }
                let mut open = true;
                let mut m = source;
                let mut steps = 0usize;
                let mut last = NONE;
                while self.give[m as usize] != NONE && steps <= p.members {
                    open &= s.x[self.give[m as usize] as usize] > 0;
                    last = self.receive[m as usize];
                    m = p.arc_member[last as usize];
                    steps += 1;
                }
                if !open || steps > p.members || last == NONE {
                    continue;
                }
                // The last hop may end at any sink of its class, not only at
                // the root the search reached first: the search expands each
                // class once, from the first sink it pops, so a few roots
                // would otherwise serve every source and fill at once.
                let Some(sink) = self.sink_of(s, p.arc_class[last as usize] as usize, level) else {
                    continue;
                };
                let mut m = source;
                while self.give[m as usize] != NONE {
                    let g = self.give[m as usize] as usize;
                    let r = self.receive[m as usize];
                    let r = if r == last { sink } else { r as usize };
                    s.x[g] -= 1;
                    s.x[r] += 1;
                    m = p.arc_member[r];
                    if r == sink {
                        break;
                    }
                }
                s.load[source as usize] -= 1;
                s.load[p.arc_member[sink] as usize] += 1;
                passed = true;
            }
            if !passed {
                break;
            }
            improved = true;
        }
        improved
    }

    /// An arc of class `c` whose member is still a sink (load at most
    /// `level`).
    fn sink_of(&mut self, s: &Solver<'_>, c: usize, level: u32) -> Option<usize> {
        let p = s.p;
        let end = p.arcs_of_class(c).end;
        let mut k = self.sink_cursor[c] as usize;
        while k < end && s.load[p.arc_member[k] as usize] > level {
            k += 1;
        }
        self.sink_cursor[c] = k as u32;
        (k < end).then_some(k)
    }
}

/// One edge of the residual graph of stage 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// Class to member: the arc's member takes one more partition.
    Receive(u32),
    /// Member to class: the arc's member gives one partition away.
    Give(u32),
    /// Member to the level node of its load: it ends one up.
    ToLevel(u32),
    /// Level node to a member one above it: that member ends one down.
    FromLevel(u32),
}

/// Negative-cycle search by Bellman-Ford with a queue (stage 3).
///
/// Nodes: classes, then members, then one node per load level.
struct CycleSearch {
    dist: Vec<i64>,
    hops: Vec<u32>,
    parent: Vec<Option<Edge>>,
    parent_node: Vec<u32>,
    queued: Vec<bool>,
    queue: VecDeque<u32>,
    by_level: Vec<Vec<u32>>,
    /// A remote partition costs more than every move a cycle can make.
    remote_weight: i64,
}

impl CycleSearch {
    fn new(p: &Problem) -> Self {
        CycleSearch {
            dist: Vec::new(),
            hops: Vec::new(),
            parent: Vec::new(),
            parent_node: Vec::new(),
            queued: Vec::new(),
            queue: VecDeque::new(),
            by_level: Vec::new(),
            remote_weight: (p.classes() + 2 * p.members + 2) as i64,
        }
    }

    fn receive_cost(&self, p: &Problem, s: &Solver<'_>, a: usize) -> i64 {
        let remote = if p.arc_remote[a] {
            self.remote_weight
        } else {
            0
        };
        remote - i64::from(s.x[a] < p.arc_owned[a])
    }

    fn give_cost(&self, p: &Problem, s: &Solver<'_>, a: usize) -> i64 {
        let remote = if p.arc_remote[a] {
            self.remote_weight
        } else {
            0
        };
        i64::from(s.x[a] <= p.arc_owned[a]) - remote
    }

    /// Offers node `to` the distance `here + cost` through `edge` from node
    /// `from`; the node where a cycle closed, if the offer found one.
    // A method so it is always inlined: as a closure it became a call per arc
    // whenever `find` grew, a third of stage 3's time.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn relax(
        &mut self,
        from: u32,
        here: i64,
        nodes: usize,
        to: u32,
        cost: i64,
        edge: Edge,
    ) -> Option<u32> {
        let candidate = here + cost;
        if candidate < self.dist[to as usize] {
            self.dist[to as usize] = candidate;
            self.parent[to as usize] = Some(edge);
            self.parent_node[to as usize] = from;
            self.hops[to as usize] = self.hops[from as usize] + 1;
            if self.hops[to as usize] as usize >= nodes {
                return Some(to);
            }
            if !self.queued[to as usize] {
                self.queued[to as usize] = true;
                self.queue.push_back(to);
            }
        }
        None
    }

    fn find(&mut self, s: &Solver<'_>) -> Option<Vec<Edge>> {
        let p = s.p;
        let (low, high) = s.load_range()?;
        let classes = p.classes();
        let members = p.members;
        let levels = (high - low + 1) as usize;
        let nodes = classes + members + levels;
        self.by_level.resize_with(levels, Vec::new);
        for list in &mut self.by_level {
            list.clear();
        }
        for &m in &s.active {
            self.by_level[(s.load[m as usize] - low) as usize].push(m);
        }
        self.dist.clear();
        self.dist.resize(nodes, 0);
        self.hops.clear();
        self.hops.resize(nodes, 0);
        self.parent.clear();
        self.parent.resize(nodes, None);
        self.parent_node.clear();
        self.parent_node.resize(nodes, NONE);
        self.queued.clear();
        self.queued.resize(nodes, true);
        self.queue.clear();
        self.queue.extend(0..nodes as u32);

        let member_node = |m: u32| classes as u32 + m;
        let level_node = |load: u32| (classes + members) as u32 + (load - low);

        let mut relaxed_since_check = 0usize;
        while let Some(n) = self.queue.pop_front() {
            self.queued[n as usize] = false;
            // A negative cycle shows in the parent graph long before any
            // path is `nodes` hops long: look for one every `nodes` pops,
            // which costs O(1) a pop.
            relaxed_since_check += 1;
            if relaxed_since_check >= nodes {
                relaxed_since_check = 0;
                if let Some(cycle) = self.parent_cycle(nodes)
                    && self.cycle_cost(p, s, &cycle) < 0
                {
                    return Some(cycle);
                }
            }
            let here = self.dist[n as usize];
            let n_us = n as usize;
            let found = if n_us < classes {
                let mut found = None;
                for a in p.arcs_of_class(n_us) {
                    let cost = self.receive_cost(p, s, a);
                    let to = member_node(p.arc_member[a]);
                    if let Some(v) = self.relax(n, here, nodes, to, cost, Edge::Receive(a as u32)) {
                        found = Some(v);
                        break;
                    }
                }
                found
            } else if n_us < classes + members {
                let m = (n_us - classes) as u32;
                let mut found = None;
                for &a in p.member_arcs.row(m as usize) {
                    if s.x[a as usize] == 0 {
                        continue;
                    }
                    let cost = self.give_cost(p, s, a as usize);
                    let to = p.arc_class[a as usize];
                    if let Some(v) = self.relax(n, here, nodes, to, cost, Edge::Give(a)) {
                        found = Some(v);
                        break;
                    }
                }
                if found.is_none() && !p.member_arcs.row(m as usize).is_empty() {
                    let to = level_node(s.load[m as usize]);
                    found = self.relax(n, here, nodes, to, 0, Edge::ToLevel(m));
                }
                found
            } else {
                let level = (n_us - classes - members) as u32;
                let mut found = None;
                if ((level + 1) as usize) < levels {
                    let above = std::mem::take(&mut self.by_level[(level + 1) as usize]);
                    for &m in &above {
                        if let Some(v) =
                            self.relax(n, here, nodes, member_node(m), 0, Edge::FromLevel(m))
                        {
                            found = Some(v);
                            break;
                        }
                    }
                    self.by_level[(level + 1) as usize] = above;
                }
                found
            };
            if let Some(v) = found {
                if let Some(cycle) = self.extract_cycle(v, nodes)
                    && self.cycle_cost(p, s, &cycle) < 0
                {
                    return Some(cycle);
                }
                // Not a usable cycle: restart the hop counts and go on.
                self.hops.iter_mut().for_each(|h| *h = 0);
            }
        }
        None
    }

    fn cycle_cost(&self, p: &Problem, s: &Solver<'_>, cycle: &[Edge]) -> i64 {
        cycle
            .iter()
            .map(|&edge| match edge {
                Edge::Receive(a) => self.receive_cost(p, s, a as usize),
                Edge::Give(a) => self.give_cost(p, s, a as usize),
                Edge::ToLevel(_) | Edge::FromLevel(_) => 0,
            })
            .sum()
    }

    /// Any cycle of the parent graph, found by walking parents from every
    /// node with a colour per walk.
    fn parent_cycle(&self, nodes: usize) -> Option<Vec<Edge>> {
        let mut colour = vec![NONE; nodes];
        for start in 0..nodes {
            let mut n = start as u32;
            while n != NONE && colour[n as usize] == NONE {
                colour[n as usize] = start as u32;
                n = self.parent_node[n as usize];
            }
            if n != NONE && colour[n as usize] == start as u32 {
                return self.extract_cycle(n, nodes);
            }
        }
        None
    }

    /// Walks parents from `start` until a node repeats, and returns that
    /// cycle's edges; `None` if the chain breaks (it cannot: every relaxed
    /// node has a parent).
    fn extract_cycle(&self, start: u32, nodes: usize) -> Option<Vec<Edge>> {
        let mut seen = vec![false; nodes];
        let mut n = start;
        while !seen[n as usize] {
            seen[n as usize] = true;
            n = self.parent_node[n as usize];
            if n == NONE {
                return None;
            }
        }
        let first = n;
        let mut cycle = Vec::new();
        loop {
            cycle.push(self.parent[n as usize]?);
            n = self.parent_node[n as usize];
            if n == first || n == NONE {
                break;
            }
        }
        Some(cycle)
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
