//! `uniform`: the library's sticky optimum in the coordinator's terms.

use std::sync::Arc;

use super::TopicId;
use super::closed;
use super::error::TargetError;
use super::spec::Spec;
use super::target::{
    GroupSpec, GroupTarget, MemberTarget, SubscribedTopicDescriber, TargetAssignment,
    TargetAssignor,
};
use crate::assignor::Assignor;
use crate::hash::FxHashMap;
use crate::model::{Member, Topic};
use crate::protocol::DecodedGroup;
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
    // Racks are handed on only when the rack gate applies; otherwise the
    // optimum ignores them anyway, and copying them is most of the work.
    let racks = rack_gate(spec);
    // Equal or disjoint subscriptions without racks: the closed form on the
    // spec's integers.
    if !racks && let Some(target) = closed::assign(spec) {
        return Ok(target);
    }
    general(spec, racks)
}

/// The library's sticky optimum on the decoded form of the spec: every
/// case, and the reference the closed form is checked against. `racks` is
/// [`rack_gate`] of the spec.
pub(crate) fn general(spec: &Spec<'_>, racks: bool) -> Result<GroupTarget, TargetError> {
    // The library's decoded form: one name per topic, the id's canonical
    // text (fixed width, lower-case hex, so name order is id order);
    // subscriptions and claims as name ids. Every target is held at one
    // generation.
    let names: Vec<Arc<str>> = spec
        .topics
        .iter()
        .map(|topic| Arc::from(topic.id.text().as_str()))
        .collect();
    let topics: Vec<Topic> = spec
        .topics
        .iter()
        .zip(&names)
        .zip(&spec.subscribed)
        .map(|((topic, name), &subscribed)| Topic {
            name: Arc::clone(name),
            partitions: topic.partitions.min(i32::MAX as u32) as i32,
            replica_racks: if racks && subscribed {
                topic.replica_racks.clone()
            } else {
                None
            },
        })
        .collect();
    let members = spec.members.len();
    let mut subscribed = Vec::with_capacity(spec.rows.iter().map(Vec::len).sum::<usize>());
    // One list per distinct subscription row, shared by its members.
    let mut row_ranges = Vec::with_capacity(spec.rows.len());
    for row in &spec.rows {
        let start = subscribed.len();
        subscribed.extend_from_slice(row);
        row_ranges.push((start, subscribed.len()));
    }
    let mut subscribed_ranges = Vec::with_capacity(members);
    let mut claims = Vec::with_capacity(spec.targets.total());
    let mut claim_starts = Vec::with_capacity(members + 1);
    claim_starts.push(0);
    for m in 0..members {
        subscribed_ranges.push(row_ranges[spec.row_of[m] as usize]);
        for (t, partitions) in spec.targets.member(m) {
            claims.extend(partitions.iter().map(|&p| (t, p)));
        }
        claim_starts.push(claims.len());
    }
    let decoded = DecodedGroup {
        topics,
        topic_name: (0..names.len() as u32).collect(),
        names,
        members: spec
            .members
            .iter()
            .map(|member| {
                let mut out = Member::new(member.member_id.clone());
                out.instance_id = member.instance_id.clone();
                if racks {
                    out.rack = member.rack.clone();
                }
                out.generation = Some(1);
                out
            })
            .collect(),
        subscribed,
        subscribed_ranges,
        claims,
        claim_starts,
        rebuilt_user_data: Vec::new(),
    };
    let answer = StickyAssignor::new().assign_decoded(&decoded)?;

    // The answer's topics are the decoded group's metadata topics: each
    // name to its topic id once, then every run by its topic index.
    let by_name: FxHashMap<&str, TopicId> = decoded
        .names
        .iter()
        .zip(&spec.topics)
        .map(|(name, topic)| (&**name, topic.id))
        .collect();
    let topic_ids: Vec<TopicId> = answer
        .topic_names()
        .iter()
        .map(|name| by_name.get(&**name).copied().unwrap_or_default())
        .collect();
    // The answer lists members in member id order, as the spec does.
    let mut in_order = answer.members();
    let targets = spec
        .members
        .iter()
        .enumerate()
        .map(|(m, member)| {
            let current = &spec.targets;
            let got = in_order
                .next()
                .filter(|got| got.id() == member.member_id)
                .or_else(|| answer.member(&member.member_id));
            let Some(got) = got else {
                let target = if current.len(m) == 0 {
                    MemberTarget::Unchanged
                } else {
                    MemberTarget::Changed(TargetAssignment::default())
                };
                return (member.member_id.clone(), target);
            };
            let mut theirs = current.member(m);
            let same = got.topic_indices().all(|(t, partitions)| {
                theirs.next().is_some_and(|(at, mine)| {
                    mine == partitions && spec.topics[at as usize].id == topic_ids[t]
                })
            }) && theirs.next().is_none();
            let target = if same {
                MemberTarget::Unchanged
            } else {
                let mut out = TargetAssignment::with_capacity(got.topics().count(), got.len());
                for (t, partitions) in got.topic_indices() {
                    out.push_topic(topic_ids[t], partitions.iter().copied());
                }
                MemberTarget::Changed(out)
            };
            (member.member_id.clone(), target)
        })
        .collect();
    Ok(GroupTarget::new(targets))
}

/// The library's rack gate (`sticky::problem::rack_aware`) on the spec: some
/// member has a rack, the members' racks meet the replicas' racks of the
/// subscribed topics, and those partitions do not all sit on one set of
/// racks.
pub(crate) fn rack_gate(spec: &Spec<'_>) -> bool {
    let mut member_racks: Vec<&str> = spec.members.iter().filter_map(|m| m.rack()).collect();
    if member_racks.is_empty() {
        return false;
    }
    member_racks.sort_unstable();
    member_racks.dedup();
    // Rack names by the address of their `Arc`: metadata mostly shares one
    // `Arc` per rack, so a name is read once, not once per replica.
    let mut names: FxHashMap<(usize, usize), &str> = FxHashMap::default();
    let mut overlap = false;
    let mut first: Option<Vec<&str>> = None;
    let mut all_same = true;
    let mut scratch: Vec<&str> = Vec::new();
    for (topic, _) in spec
        .topics
        .iter()
        .zip(&spec.subscribed)
        .filter(|(_, subscribed)| **subscribed)
    {
        let Some(per_partition) = &topic.replica_racks else {
            continue;
        };
        for replicas in per_partition {
            scratch.clear();
            for rack in replicas {
                let key = (rack.as_ptr() as usize, rack.len());
                let name = match names.get(&key) {
                    Some(name) => *name,
                    None => {
                        overlap |= member_racks.binary_search(&&**rack).is_ok();
                        // Unshared names are read each time, not remembered.
                        if names.len() < 256 {
                            names.insert(key, rack);
                        }
                        &**rack
                    }
                };
                if !name.is_empty() {
                    scratch.push(name);
                }
            }
            scratch.sort_unstable();
            scratch.dedup();
            match &first {
                None => first = Some(scratch.clone()),
                Some(f) => all_same &= *f == scratch,
            }
            if overlap && !all_same {
                return true;
            }
        }
    }
    overlap && !all_same
}
