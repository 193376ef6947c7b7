//! Range, exactly as the Java client's `RangeAssignor`.
//!
//! Per topic, the subscribers in `MemberInfo` order (static members first by
//! instance id, then dynamic members by member id) each take a contiguous
//! range of `n / c` partitions, and the first `n % c` of them one more.

use crate::assignment::Assignment;
use crate::error::AssignError;
use crate::index::{GroupIndex, NONE};
use crate::java::{java_member_order, subscribers_by_topic};
use crate::model::{Group, RebalanceProtocol};
use crate::strategy::Assignor;

/// The `range` strategy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RangeAssignor;

impl Assignor for RangeAssignor {
    fn name(&self) -> &'static str {
        "range"
    }

    fn supported_protocols(&self) -> &'static [RebalanceProtocol] {
        &[RebalanceProtocol::Eager]
    }

    fn assign(&self, group: &Group) -> Result<Assignment, AssignError> {
        let index = GroupIndex::new(group)?;
        Ok(Assignment::from_owners(&index, &range(&index)))
    }
}

fn range(index: &GroupIndex<'_>) -> Vec<u32> {
    let mut owner = vec![NONE; index.total_partitions as usize];
    let order = java_member_order(index);
    let subscribers = subscribers_by_topic(index, &order);
    for (t, topic) in index.topics.iter().enumerate() {
        let takers = subscribers.row(t);
        if takers.is_empty() {
            continue;
        }
        let per_member = topic.partitions / takers.len() as u32;
        let extra = topic.partitions % takers.len() as u32;
        let mut next = topic.start;
        for (i, &position) in takers.iter().enumerate() {
            let count = per_member + u32::from((i as u32) < extra);
            owner[next as usize..(next + count) as usize].fill(order[position as usize]);
            next += count;
        }
    }
    owner
}
