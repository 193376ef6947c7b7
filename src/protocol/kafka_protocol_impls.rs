//! Conversions between this crate's consumer protocol types and the
//! `kafka-protocol` crate's `ConsumerProtocolSubscription` and
//! `ConsumerProtocolAssignment`, for clients that already speak the group
//! requests with that crate.
//!
//! Both directions are lossless for everything the wire can carry: the one
//! normalisation is the generation, where this crate's `None` and any
//! negative value are the wire's -1, exactly as [`Subscription::encode`]
//! writes them.

use std::sync::Arc;

use kafka_protocol::messages::consumer_protocol_assignment::TopicPartition as AssignedTopic;
use kafka_protocol::messages::consumer_protocol_subscription::TopicPartition as OwnedTopic;
use kafka_protocol::messages::{
    ConsumerProtocolAssignment, ConsumerProtocolSubscription, TopicName,
};
use kafka_protocol::protocol::StrBytes;

use crate::model::TopicPartition;
use crate::protocol::consumer::{AssignmentData, Subscription, group_by_topic};

fn str_bytes(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_owned())
}

// Grouped by topic in order of first appearance, so that converting back
// gives the same flat list (repeats and interleavings aside, which the wire
// cannot tell from their grouped form anyway).
fn grouped(partitions: &[TopicPartition]) -> Vec<(TopicName, Vec<i32>)> {
    group_by_topic(partitions)
        .into_iter()
        .map(|entry| (TopicName(str_bytes(&entry.topic)), entry.partitions))
        .collect()
}

fn flat<'a>(entries: impl Iterator<Item = (&'a TopicName, &'a [i32])>) -> Vec<TopicPartition> {
    entries
        .flat_map(|(topic, partitions)| {
            let topic: Arc<str> = Arc::from(&*topic.0);
            partitions
                .iter()
                .map(move |&p| TopicPartition::new(Arc::clone(&topic), p))
        })
        .collect()
}

impl From<&Subscription> for ConsumerProtocolSubscription {
    fn from(sub: &Subscription) -> Self {
        ConsumerProtocolSubscription::default()
            .with_topics(sub.topics.iter().map(|t| str_bytes(t)).collect())
            .with_user_data(sub.user_data.clone().map(Into::into))
            .with_owned_partitions(
                grouped(&sub.owned_partitions)
                    .into_iter()
                    .map(|(topic, partitions)| {
                        OwnedTopic::default()
                            .with_topic(topic)
                            .with_partitions(partitions)
                    })
                    .collect(),
            )
            .with_generation_id(sub.generation.filter(|&g| g >= 0).unwrap_or(-1))
            .with_rack_id(sub.rack.as_deref().map(str_bytes))
    }
}

impl From<Subscription> for ConsumerProtocolSubscription {
    fn from(sub: Subscription) -> Self {
        ConsumerProtocolSubscription::from(&sub)
    }
}

impl From<&ConsumerProtocolSubscription> for Subscription {
    fn from(sub: &ConsumerProtocolSubscription) -> Self {
        Subscription {
            topics: sub.topics.iter().map(|t| Arc::from(&**t)).collect(),
            user_data: sub.user_data.as_ref().map(|b| b.to_vec()),
            owned_partitions: flat(
                sub.owned_partitions
                    .iter()
                    .map(|e| (&e.topic, e.partitions.as_slice())),
            ),
            // Negative generations mean "none" on the wire, as the Java
            // client reads them.
            generation: (sub.generation_id >= 0).then_some(sub.generation_id),
            rack: sub.rack_id.as_ref().map(|r| r.to_string()),
        }
    }
}

impl From<ConsumerProtocolSubscription> for Subscription {
    fn from(sub: ConsumerProtocolSubscription) -> Self {
        Subscription::from(&sub)
    }
}

impl From<&AssignmentData> for ConsumerProtocolAssignment {
    fn from(data: &AssignmentData) -> Self {
        ConsumerProtocolAssignment::default()
            .with_assigned_partitions(
                grouped(&data.partitions)
                    .into_iter()
                    .map(|(topic, partitions)| {
                        AssignedTopic::default()
                            .with_topic(topic)
                            .with_partitions(partitions)
                    })
                    .collect(),
            )
            .with_user_data(data.user_data.clone().map(Into::into))
    }
}

impl From<AssignmentData> for ConsumerProtocolAssignment {
    fn from(data: AssignmentData) -> Self {
        ConsumerProtocolAssignment::from(&data)
    }
}

impl From<&ConsumerProtocolAssignment> for AssignmentData {
    fn from(data: &ConsumerProtocolAssignment) -> Self {
        AssignmentData {
            partitions: flat(
                data.assigned_partitions
                    .iter()
                    .map(|e| (&e.topic, e.partitions.as_slice())),
            ),
            user_data: data.user_data.as_ref().map(|b| b.to_vec()),
        }
    }
}

impl From<ConsumerProtocolAssignment> for AssignmentData {
    fn from(data: ConsumerProtocolAssignment) -> Self {
        AssignmentData::from(&data)
    }
}
