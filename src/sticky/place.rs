//! From counts per (class, member) to partitions: each member keeps the
//! partitions it owns first (lowest numbers first), and the rest of each
//! class goes, in partition order, to the members still short of their count.

use crate::index::NONE;
use crate::sticky::problem::Problem;

/// The new owner of every global partition, given `x` per arc and the
/// previous owner per partition.
pub(crate) fn place(problem: &Problem, x: &[u32], owner: &[u32], total: usize) -> Vec<u32> {
    let mut target = vec![NONE; total];
    let mut keep_left = vec![0u32; problem.arc_count()];
    // The arc of member m in the current class, valid when it names m.
    let mut arc_of = vec![NONE; problem.members];
    let mut free: Vec<u32> = Vec::new();
    for c in 0..problem.classes() {
        let arcs = problem.arcs_of_class(c);
        for a in arcs.clone() {
            arc_of[problem.arc_member[a] as usize] = a as u32;
            keep_left[a] = x[a].min(problem.arc_owned[a]);
        }
        free.clear();
        for &p in problem.class_partitions.row(c) {
            let previous = owner[p as usize];
            if (previous as usize) < problem.members {
                let a = arc_of[previous as usize];
                if a != NONE && arcs.contains(&(a as usize)) && keep_left[a as usize] > 0 {
                    keep_left[a as usize] -= 1;
                    target[p as usize] = previous;
                    continue;
                }
            }
            free.push(p);
        }
        let mut next = free.iter();
        for a in arcs {
            let gets = x[a] - x[a].min(problem.arc_owned[a]);
            for &p in next.by_ref().take(gets as usize) {
                target[p as usize] = problem.arc_member[a];
            }
        }
    }
    target
}
