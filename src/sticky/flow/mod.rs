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

mod balance;
mod fill;
mod refine;

use crate::index::MemberIdx;
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
    active: Vec<MemberIdx>,
}

impl<'p> Solver<'p> {
    fn new(p: &'p Problem) -> Self {
        let x = p.arc_owned.clone();
        let mut load = vec![0u32; p.members];
        for (a, &m) in p.arc_member.iter().enumerate() {
            load[m.index()] += x[a];
        }
        let active = MemberIdx::all(p.members)
            .filter(|&m| !p.member_arcs.row(m.index()).is_empty())
            .collect();
        Solver { p, x, load, active }
    }

    fn load_range(&self) -> Option<(u32, u32)> {
        let loads = self.active.iter().map(|&m| self.load[m.index()]);
        Some((loads.clone().min()?, loads.max()?))
    }
}
