//! A classic [`Group`] in the coordinator's terms, and a target back as an
//! [`Assignment`]: what `kassign target` runs, and what an operator needs to
//! ask "what would the broker assign this group?" of a scenario.

use std::collections::HashMap;
use std::sync::Arc;

use super::TopicId;
use super::error::{TargetError, TargetErrorKind};
use super::target::{GroupSpec, GroupTarget, MemberSpec, TopicDescription, TopicMetadata};
use crate::assignment::Assignment;
use crate::model::Group;

impl GroupSpec {
    /// `group` as the broker's coordinator would hold it: every topic under
    /// [`TopicId::from_name`] of its name, with its replica racks; each
    /// member with its id, instance id, rack, subscription and, as its
    /// current target, what it owns (its `generation` is not read: a target
    /// has none).
    ///
    /// The coordinator resolves subscriptions against its metadata image,
    /// and a target never names a partition that does not exist, so
    /// subscriptions to topics the metadata lacks and owned partitions of
    /// such topics or out of range are left out (the lenient rules of
    /// [`Group::notes`] list them).
    ///
    /// # Errors
    ///
    /// [`TargetErrorKind::TopicIdCollision`] when two topic names derive one
    /// id, and [`TargetErrorKind::NegativePartitionCount`].
    pub fn from_group(group: &Group) -> Result<(GroupSpec, TopicMetadata), TargetError> {
        let mut names: HashMap<TopicId, &Arc<str>> = HashMap::with_capacity(group.topics.len());
        let mut ids: HashMap<&str, (TopicId, i32)> = HashMap::with_capacity(group.topics.len());
        let mut topics = Vec::with_capacity(group.topics.len());
        for topic in &group.topics {
            let id = TopicId::from_name(&topic.name);
            if let Some(other) = names.get(&id).filter(|other| ***other != topic.name) {
                return Err(TargetErrorKind::TopicIdCollision {
                    first: other.to_string(),
                    second: topic.name.to_string(),
                    topic: id,
                }
                .into());
            }
            let partitions = u32::try_from(topic.partitions).map_err(|_| {
                TargetErrorKind::NegativePartitionCount {
                    name: topic.name.to_string(),
                    partitions: topic.partitions,
                }
            })?;
            names.insert(id, &topic.name);
            ids.insert(&topic.name, (id, topic.partitions));
            let mut description =
                TopicDescription::new(id, partitions).with_name(Arc::clone(&topic.name));
            description.replica_racks = topic.replica_racks.clone();
            topics.push(description);
        }
        let metadata = TopicMetadata::new(topics)?;
        let mut spec = GroupSpec::new();
        spec.members.reserve(group.members.len());
        for member in &group.members {
            let mut out = MemberSpec::new(member.id.clone());
            out.instance_id = member.instance_id.clone();
            out.rack = member.rack.clone();
            out.subscribed = member
                .topics
                .iter()
                .filter_map(|name| ids.get(&**name).map(|&(id, _)| id))
                .collect();
            out.target = member
                .owned
                .iter()
                .filter_map(|tp| {
                    let &(id, count) = ids.get(&*tp.topic)?;
                    (0..count)
                        .contains(&tp.partition)
                        .then(|| (id, vec![tp.partition]))
                })
                .collect();
            spec.members.push(out);
        }
        Ok((spec, metadata))
    }
}

impl GroupTarget {
    /// Every member's whole new target (unchanged ones taken from `spec`),
    /// as an [`Assignment`] under the topic names `metadata` gives (a topic
    /// without one is named by its id).
    pub fn to_assignment(&self, spec: &GroupSpec, metadata: &TopicMetadata) -> Assignment {
        let mut names: HashMap<TopicId, Arc<str>> = HashMap::new();
        Assignment::from_members(self.resolve(spec).into_iter().map(|(member, target)| {
            let topics: Vec<(Arc<str>, Vec<i32>)> = target
                .topics()
                .map(|(id, partitions)| {
                    let name = names.entry(id).or_insert_with(|| {
                        metadata
                            .name(id)
                            .cloned()
                            .unwrap_or_else(|| Arc::from(id.to_string()))
                    });
                    (Arc::clone(name), partitions.to_vec())
                })
                .collect();
            (member, topics)
        }))
    }
}

#[cfg(test)]
mod tests {
    use crate::server::{GroupSpec, TargetAssignor, TargetErrorKind, UniformTargetAssignor};
    use crate::{Group, Member, Topic};

    #[test]
    fn a_group_round_trips_through_the_coordinators_terms() {
        let group = Group::new()
            .with_topic(Topic::new("orders", 4))
            .with_member(
                Member::new("a")
                    .subscribe(["orders", "missing"])
                    .with_owned("orders", [0, 1, 2, 9]),
            )
            .with_member(Member::new("b").subscribe(["orders"]));
        let (spec, metadata) = GroupSpec::from_group(&group).unwrap();
        // The unknown subscription and the out-of-range partition are left out.
        assert_eq!(spec.members[0].subscribed.len(), 1);
        assert_eq!(spec.members[0].target.len(), 3);
        let target = UniformTargetAssignor.assign(&spec, &metadata).unwrap();
        let answer = target.to_assignment(&spec, &metadata);
        let a = answer.member("a").unwrap().partitions("orders").len();
        let b = answer.member("b").unwrap().partitions("orders").len();
        assert_eq!((a, b), (2, 2));
    }

    #[test]
    fn a_negative_partition_count_is_named() {
        let group = Group::new().with_topic(Topic::new("t", -3));
        let error = GroupSpec::from_group(&group).unwrap_err();
        assert_eq!(
            error.kind(),
            &TargetErrorKind::NegativePartitionCount {
                name: "t".to_string(),
                partitions: -3
            }
        );
        assert_eq!(
            error.to_string(),
            "topic \"t\" has a negative partition count -3"
        );
    }
}
