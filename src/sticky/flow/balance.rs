//! Stage 2: partitions pass down improving chains of subscribers until
//! no member is two above another it could feed.

use std::collections::VecDeque;

use super::Solver;
use crate::index::MemberIdx;
use crate::sticky::problem::Problem;

impl Solver<'_> {
    /// Stage 2: pass partitions down improving chains until none is left.
    pub(super) fn balance(&mut self) {
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
        let mut loads: Vec<u32> = self.active.iter().map(|&m| self.load[m.index()]).collect();
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
}

/// No arc: a root of the search tree, or no last hop yet.
const NO_ARC: u32 = u32::MAX;

/// Reverse 0-1 breadth-first search for improving chains (stage 2).
struct ChainSearch {
    dist: Vec<u32>,
    stamp: Vec<u32>,
    class_stamp: Vec<u32>,
    /// Per member on the search tree, the arc it gives along (towards the
    /// root), or [`NO_ARC`] at a root; and the arc that receives it.
    give: Vec<u32>,
    receive: Vec<u32>,
    round: u32,
    deque: VecDeque<(MemberIdx, u32)>,
    sources: Vec<MemberIdx>,
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
            give: vec![NO_ARC; p.members],
            receive: vec![NO_ARC; p.members],
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
            if s.load[m.index()] <= level {
                self.stamp[m.index()] = round;
                self.dist[m.index()] = 0;
                self.give[m.index()] = NO_ARC;
                self.deque.push_back((m, 0));
            }
        }
        // Search the whole tree once, then pass partitions along every path
        // in it that is still improving: one search serves many chains.
        self.sources.clear();
        while let Some((v, d)) = self.deque.pop_front() {
            if d > self.dist[v.index()] {
                continue;
            }
            if s.load[v.index()] >= level + 2 {
                self.sources.push(v);
            }
            for &r in p.member_arcs.row(v.index()) {
                let c = p.arc_class[r as usize].index();
                if self.class_stamp[c] == round {
                    continue;
                }
                self.class_stamp[c] = round;
                for g in p.arcs_of_class(c) {
                    let u = p.arc_member[g].index();
                    if s.x[g] == 0 || u == v.index() {
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
                        self.deque.push_front((MemberIdx::new(u), du));
                    } else {
                        self.deque.push_back((MemberIdx::new(u), du));
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
                if s.load[source.index()] < level + 2 {
                    continue;
                }
                let mut open = true;
                let mut m = source;
                let mut steps = 0usize;
                let mut last = NO_ARC;
                while self.give[m.index()] != NO_ARC && steps <= p.members {
                    open &= s.x[self.give[m.index()] as usize] > 0;
                    last = self.receive[m.index()];
                    m = p.arc_member[last as usize];
                    steps += 1;
                }
                if !open || steps > p.members || last == NO_ARC {
                    continue;
                }
                // The last hop may end at any sink of its class, not only at
                // the root the search reached first: the search expands each
                // class once, from the first sink it pops, so a few roots
                // would otherwise serve every source and fill at once.
                let Some(sink) = self.sink_of(s, p.arc_class[last as usize].index(), level) else {
                    continue;
                };
                let mut m = source;
                while self.give[m.index()] != NO_ARC {
                    let g = self.give[m.index()] as usize;
                    let r = self.receive[m.index()];
                    let r = if r == last { sink } else { r as usize };
                    s.x[g] -= 1;
                    s.x[r] += 1;
                    m = p.arc_member[r];
                    if r == sink {
                        break;
                    }
                }
                s.load[source.index()] -= 1;
                s.load[p.arc_member[sink].index()] += 1;
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
        while k < end && s.load[p.arc_member[k].index()] > level {
            k += 1;
        }
        self.sink_cursor[c] = k as u32;
        (k < end).then_some(k)
    }
}
