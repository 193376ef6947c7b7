//! From counts per (class, member) to partitions: each member keeps the
//! partitions it owns first (lowest numbers first), and the rest of each
//! class goes, in partition order, to the members still short of their count.

use crate::index::{MemberIdx, Owner, PartitionIdx};
use crate::sticky::problem::Problem;

/// The new owner of every global partition, given `x` per arc and the
/// previous owner per partition.
pub(crate) fn place(problem: &Problem, x: &[u32], owner: &[Owner], total: usize) -> Vec<MemberIdx> {
    let mut target = vec![MemberIdx::NONE; total];
    let mut keep_left = vec![0u32; problem.arc_count()];
    // The arc of member m in the current class, valid when it is one of the
    // class's arcs.
    let mut arc_of = vec![usize::MAX; problem.members];
    let mut free: Vec<PartitionIdx> = Vec::new();
    for c in 0..problem.classes() {
        let arcs = problem.arcs_of_class(c);
        for a in arcs.clone() {
            arc_of[problem.arc_member[a].index()] = a;
            keep_left[a] = x[a].min(problem.arc_owned[a]);
        }
        free.clear();
        for &p in problem.class_partitions.row(c) {
            if let Some(previous) = owner[p.index()].as_member() {
                let a = arc_of[previous.index()];
                if arcs.contains(&a) && keep_left[a] > 0 {
                    keep_left[a] -= 1;
                    target[p.index()] = previous;
                    continue;
                }
            }
            free.push(p);
        }
        let mut next = free.iter();
        for a in arcs {
            let gets = x[a] - x[a].min(problem.arc_owned[a]);
            for &p in next.by_ref().take(gets as usize) {
                target[p.index()] = problem.arc_member[a];
            }
        }
    }
    target
}
