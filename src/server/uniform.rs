//! `uniform`: the library's sticky optimum in the coordinator's terms.

use std::collections::HashMap;
use std::sync::Arc;

use super::TopicId;
use super::error::TargetError;
use super::spec::Spec;
use super::target::{
    GroupSpec, GroupTarget, MemberTarget, SubscribedTopicDescriber, TargetAssignment,
    TargetAssignor,
};
use crate::assignor::Assignor;
use crate::model::{Group, Member, Topic, TopicPartition};
use crate::sticky::StickyAssignor;

/// The server-side `uniform` assignor: the exact optimum.
///
/// The target is the lexicographic optimum of
///
/// 1. the most even loads the subscriptions allow (least sum of squares of
///    partitions per member);
/// 2. when members and replicas carry racks and the rack gate of the
///    library's sticky strategies applies (racks meet, and not every
///    partition sits on the same racks), the fewest partitions on a member
///    whose rack holds no replica of it;
/// 3. the fewest partitions moved from the current target;
/// 4. even shares of each topic, then deterministic ties.
///
/// It is the sticky optimum of [`StickyAssignor`], with each member's
/// current target as what it owns (all at one generation; a partition that
/// two current targets name is owned by neither). The answer does not depend
/// on member or topic order, is stable (assigning its own output again
/// changes nothing), and withholds nothing: the coordinator's
/// reconciliation makes moved partitions wait for their release.
///
/// Against Kafka's `UniformAssignor`: on equal subscriptions both give
/// quotas `q`/`q + 1` and keep what fits; on unequal subscriptions Kafka's
/// builder stops at a bounded number of balancing passes and may accept
/// loads a chain of moves would even out, which this one finds. Kafka's
/// server-side uniform ignores racks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UniformTargetAssignor;

impl TargetAssignor for UniformTargetAssignor {
    fn name(&self) -> &'static str {
        "uniform"
    }

    fn assign(
        &self,
        spec: &GroupSpec,
        topics: &dyn SubscribedTopicDescriber,
    ) -> Result<GroupTarget, TargetError> {
        uniform(&Spec::new(spec, topics)?)
    }
}

fn uniform(spec: &Spec<'_>) -> Result<GroupTarget, TargetError> {
    // Topic names are the ids' canonical text: fixed width, lower-case hex,
    // so name order is id order.
    let names: Vec<Arc<str>> = spec
        .topics
        .iter()
        .map(|topic| Arc::from(topic.id.to_string()))
        .collect();
    let mut group = Group::new();
    group.topics = spec
        .topics
        .iter()
        .zip(&names)
        .zip(&spec.subscribed)
        .map(|((topic, name), &subscribed)| Topic {
            name: Arc::clone(name),
            partitions: topic.partitions.min(i32::MAX as u32) as i32,
            replica_racks: topic.replica_racks.clone().filter(|_| subscribed),
        })
        .collect();
    let id_of: HashMap<&str, TopicId> = names
        .iter()
        .zip(&spec.topics)
        .map(|(name, topic)| (&**name, topic.id))
        .collect();
    let mut by_address: HashMap<usize, TopicId> = HashMap::with_capacity(names.len());
    for (name, topic) in names.iter().zip(&spec.topics) {
        by_address.insert(name.as_ptr() as usize, topic.id);
    }
    let mut rows: Vec<Vec<Arc<str>>> = spec
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|&t| Arc::clone(&names[t as usize]))
                .collect()
        })
        .collect();
    let topic_index: HashMap<TopicId, u32> = spec
        .topics
        .iter()
        .enumerate()
        .map(|(t, topic)| (topic.id, t as u32))
        .collect();
    group.members = spec
        .members
        .iter()
        .enumerate()
        .map(|(m, member)| {
            let mut out = Member::new(member.member_id.clone());
            out.instance_id = member.instance_id.clone();
            out.rack = member.rack.clone();
            let row = spec.row_of[m] as usize;
            out.topics = if spec.row_of.get(m + 1) == Some(&spec.row_of[m]) {
                rows[row].clone()
            } else {
                std::mem::take(&mut rows[row])
            };
            out.owned = spec.targets[m]
                .iter()
                .flat_map(|(id, partitions)| {
                    let name = &names[topic_index[id] as usize];
                    partitions
                        .iter()
                        .map(move |&p| TopicPartition::new(Arc::clone(name), p))
                })
                .collect();
            out.generation = Some(1);
            out
        })
        .collect();
    let answer = StickyAssignor::new().assign(&group)?;

    let lookup = |name: &str| -> TopicId {
        by_address
            .get(&(name.as_ptr() as usize))
            .or_else(|| id_of.get(name))
            .copied()
            .unwrap_or_default()
    };
    let targets = spec
        .members
        .iter()
        .enumerate()
        .map(|(m, member)| {
            let current = &spec.targets[m];
            let Some(got) = answer.member(&member.member_id) else {
                let target = if current.is_empty() {
                    MemberTarget::Unchanged
                } else {
                    MemberTarget::Changed(TargetAssignment::default())
                };
                return (member.member_id.clone(), target);
            };
            let mut count = 0;
            let same = got.topics().all(|(name, partitions)| {
                count += 1;
                current
                    .get(count - 1)
                    .is_some_and(|(id, mine)| *id == lookup(name) && mine == partitions)
            }) && count == current.len();
            let target = if same {
                MemberTarget::Unchanged
            } else {
                MemberTarget::Changed(TargetAssignment::from_sorted(
                    got.topics()
                        .map(|(name, partitions)| (lookup(name), partitions.to_vec()))
                        .collect(),
                ))
            };
            (member.member_id.clone(), target)
        })
        .collect();
    Ok(GroupTarget::new(targets))
}
