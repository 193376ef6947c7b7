//! RoundRobin, exactly as the Java client's `RoundRobinAssignor`.
//!
//! All partitions of subscribed topics, sorted by topic name (Java string
//! order) and then partition number, are dealt in turn over the members in
//! `MemberInfo` order (static members first by instance id, then dynamic
//! members by member id). A member not subscribed to a partition's topic is
//! skipped, and the deal goes on from the member after the one that got it.

use crate::assignment::{Assignment, strided_deal};
use crate::assignor::Assignor;
use crate::decoded::DecodedGroup;
use crate::error::AssignError;
use crate::index::{GroupIndex, Interned, MemberIdx, RackUse, TopicIdx};
use crate::model::{Group, RebalanceProtocol};

/// The `roundrobin` strategy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundRobinAssignor;

impl Assignor for RoundRobinAssignor {
    fn name(&self) -> &'static str {
        "roundrobin"
    }

    fn supported_protocols(&self) -> &'static [RebalanceProtocol] {
        &[RebalanceProtocol::Eager]
    }

    fn assign(&self, group: &Group) -> Result<Assignment, AssignError> {
        let interned = Interned::new(group, RackUse::Ignored)?;
        Ok(assign(&interned))
    }

    fn assign_decoded(&self, group: &DecodedGroup) -> Result<Assignment, AssignError> {
        let interned = Interned::from_decoded(group, RackUse::Ignored)?;
        Ok(assign(&interned))
    }
}

fn assign(index: &GroupIndex) -> Assignment {
    if let Some(row) = index.common_subscription() {
        return uniform_round_robin(index, row);
    }
    Assignment::from_owners(index, &round_robin(index))
}

/// Equal subscriptions: the deal never skips anyone, so the `k`-th partition
/// of the Java-ordered sequence goes to subscriber `k mod c`.
fn uniform_round_robin(index: &GroupIndex, row: &[TopicIdx]) -> Assignment {
    let takers: Vec<MemberIdx> = index
        .java_member_order()
        .into_iter()
        .filter(|&m| !index.subscriptions.row(m.index()).is_empty())
        .collect();
    let mut deal_order: Vec<TopicIdx> = row.to_vec();
    index.sort_topics_java(&mut deal_order);
    strided_deal(index, row, &takers, &deal_order)
}

fn round_robin(index: &GroupIndex) -> Vec<MemberIdx> {
    let mut owner = vec![MemberIdx::NONE; index.total_partitions as usize];
    let order = index.java_member_order();
    let subscribers = index.subscribers_in(&order);
    let mut topics: Vec<TopicIdx> = TopicIdx::all(index.topics.len()).collect();
    index.sort_topics_java(&mut topics);

    // The deal's position: the member the next partition is offered to first.
    let mut next = 0u32;
    for t in topics {
        let topic = &index.topics[t.index()];
        let takers = subscribers.row(t.index());
        if topic.partitions == 0 || takers.is_empty() {
            continue;
        }
        // Within one topic the deal visits exactly its subscribers in turn,
        // so one search for the first taker is enough.
        let mut k = takers.partition_point(|&position| position < next) % takers.len();
        // Wrap-around by comparison: a division per partition costs more
        // than the rest of the deal.
        let members = order.len() as u32;
        for slot in &mut owner[topic.globals()] {
            let position = takers[k];
            *slot = order[position as usize];
            next = if position + 1 == members {
                0
            } else {
                position + 1
            };
            k += 1;
            if k == takers.len() {
                k = 0;
            }
        }
    }
    owner
}

#[cfg(test)]
mod tests {
    use super::{round_robin, uniform_round_robin};
    use crate::assignment::Assignment;
    use crate::index::{Interned, RackUse};
    use crate::{Group, Member, Topic};

    /// The equal-subscription shortcut (a strided deal, dense or per
    /// taker) deals exactly as the general deal does, on shapes from many
    /// members over a few topics to a few members over many small topics.
    #[test]
    fn the_strided_deal_is_the_general_deal_on_equal_subscriptions() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |bound: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) % bound
        };
        for case in 0..400 {
            let members = 1 + next(40) as usize;
            let topics = 1 + next(60) as usize;
            // Names above U+FFFF sort apart in Java's UTF-16 order and in
            // byte order, so the deal order and the row's topic order differ.
            let names: Vec<String> = (0..topics)
                .map(|t| match t % 3 {
                    0 => format!("t{t}"),
                    1 => format!("\u{ffff}{t}"),
                    _ => format!("\u{10000}{t}"),
                })
                .collect();
            let mut group = Group::new();
            // Metadata in reverse name order, so the topics' index order and
            // the Java deal order (by name) differ.
            for name in names.iter().rev() {
                group = group.with_topic(Topic::new(name.as_str(), next(4) as i32));
            }
            for m in 0..members {
                group = group.with_member(Member::new(format!("m{m}")).subscribe(names.clone()));
            }
            let index = Interned::new(&group, RackUse::Ignored).unwrap();
            let row = index.common_subscription().expect("equal subscriptions");
            let strided = uniform_round_robin(&index, row);
            let general = Assignment::from_owners(&index, &round_robin(&index));
            assert_eq!(
                strided, general,
                "case {case}: {members} members, {topics} topics"
            );
        }
    }
}
