//! Stage 3: negative cycles that keep the load multiset are cancelled,
//! for rack locality and then the fewest moves.

use std::collections::VecDeque;

use super::Solver;
use crate::index::MemberIdx;
use crate::sticky::problem::Problem;

impl Solver<'_> {
    /// Stage 3: cancel negative cycles that keep the load multiset.
    pub(super) fn refine(&mut self) {
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
                        self.load[p.arc_member[a as usize].index()] += amount;
                    }
                    Edge::Give(a) => {
                        self.x[a as usize] -= amount;
                        self.load[p.arc_member[a as usize].index()] -= amount;
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

/// One edge of the residual graph of stage 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// Class to member: the arc's member takes one more partition.
    Receive(u32),
    /// Member to class: the arc's member gives one partition away.
    Give(u32),
    /// Member to the level node of its load: it ends one up.
    ToLevel(MemberIdx),
    /// Level node to a member one above it: that member ends one down.
    FromLevel(MemberIdx),
}

/// No node: the parent of a node nothing relaxed yet.
const NO_NODE: u32 = u32::MAX;

/// Negative-cycle search by Bellman-Ford with a queue (stage 3).
///
/// Nodes (`u32`): classes (node = class id), then members, then one node
/// per load level.
struct CycleSearch {
    dist: Vec<i64>,
    hops: Vec<u32>,
    parent: Vec<Option<Edge>>,
    parent_node: Vec<u32>,
    queued: Vec<bool>,
    queue: VecDeque<u32>,
    by_level: Vec<Vec<MemberIdx>>,
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
            self.by_level[(s.load[m.index()] - low) as usize].push(m);
        }
        self.dist.clear();
        self.dist.resize(nodes, 0);
        self.hops.clear();
        self.hops.resize(nodes, 0);
        self.parent.clear();
        self.parent.resize(nodes, None);
        self.parent_node.clear();
        self.parent_node.resize(nodes, NO_NODE);
        self.queued.clear();
        self.queued.resize(nodes, true);
        self.queue.clear();
        self.queue.extend(0..nodes as u32);

        let member_node = |m: MemberIdx| classes as u32 + m.get();
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
                let m = MemberIdx::new(n_us - classes);
                let mut found = None;
                for &a in p.member_arcs.row(m.index()) {
                    if s.x[a as usize] == 0 {
                        continue;
                    }
                    let cost = self.give_cost(p, s, a as usize);
                    let to = p.arc_class[a as usize].get();
                    if let Some(v) = self.relax(n, here, nodes, to, cost, Edge::Give(a)) {
                        found = Some(v);
                        break;
                    }
                }
                if found.is_none() && !p.member_arcs.row(m.index()).is_empty() {
                    let to = level_node(s.load[m.index()]);
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
        let mut colour = vec![NO_NODE; nodes];
        for start in 0..nodes {
            let mut n = start as u32;
            while n != NO_NODE && colour[n as usize] == NO_NODE {
                colour[n as usize] = start as u32;
                n = self.parent_node[n as usize];
            }
            if n != NO_NODE && colour[n as usize] == start as u32 {
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
            if n == NO_NODE {
                return None;
            }
        }
        let first = n;
        let mut cycle = Vec::new();
        loop {
            cycle.push(self.parent[n as usize]?);
            n = self.parent_node[n as usize];
            if n == first || n == NO_NODE {
                break;
            }
        }
        Some(cycle)
    }
}
