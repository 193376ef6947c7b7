//! The `kafka-protocol` feature: this crate's `Subscription` and
//! `AssignmentData` against that crate's `ConsumerProtocolSubscription` and
//! `ConsumerProtocolAssignment`, both ways, checked on the Java client's bytes
//! (`tests/data/wire/java.json`) and on generated values.
#![cfg(feature = "kafka-protocol")]

use kafka_assignors::TopicPartition;
use kafka_assignors::protocol::{AssignmentData, Subscription};
use kafka_protocol::messages::{ConsumerProtocolAssignment, ConsumerProtocolSubscription};
use kafka_protocol::protocol::{Decodable, Encodable};
use proptest::prelude::*;
use serde_json::Value;

fn java_cases(op: &str) -> Vec<(String, Vec<u8>)> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/wire/java.json"
    ))
    .expect("read java.json");
    let cases: Vec<Value> = serde_json::from_str(&text).expect("parse java.json");
    cases
        .iter()
        // Cases the Java client refused to encode have no bytes.
        .filter(|c| c["op"] == op)
        .filter_map(|c| {
            let hex = c["java"]["hex"].as_str()?;
            Some((c["id"].as_str().expect("id").to_string(), unhex(hex)))
        })
        .collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The consumer protocol header: a big-endian version before the body, which
/// `kafka-protocol` leaves to the caller.
fn split_header(bytes: &[u8]) -> (i16, &[u8]) {
    (i16::from_be_bytes([bytes[0], bytes[1]]), &bytes[2..])
}

fn with_header(version: i16, message: &impl Encodable) -> Vec<u8> {
    let mut out = version.to_be_bytes().to_vec();
    message
        .encode(&mut out, version)
        .expect("kafka-protocol encodes");
    out
}

fn tp(topic: &str, partition: i32) -> TopicPartition {
    TopicPartition::new(topic, partition)
}

#[test]
fn java_subscriptions_read_by_kafka_protocol_convert_to_what_this_crate_decodes() {
    let cases = java_cases("encode-subscription");
    assert!(cases.len() >= 10, "only {} cases", cases.len());
    for (id, bytes) in cases {
        let (version, mut body) = split_header(&bytes);
        let theirs = ConsumerProtocolSubscription::decode(&mut body, version)
            .unwrap_or_else(|e| panic!("{id}: kafka-protocol cannot decode: {e}"));
        let ours = Subscription::decode(&bytes).expect(&id).subscription;
        assert_eq!(Subscription::from(&theirs), ours, "{id}");
        // And back: the converted message writes the Java client's bytes.
        let back = ConsumerProtocolSubscription::from(&ours);
        assert_eq!(with_header(version, &back), bytes, "{id}");
        assert_eq!(back, theirs, "{id}");
    }
}

#[test]
fn java_assignments_read_by_kafka_protocol_convert_to_what_this_crate_decodes() {
    let cases = java_cases("encode-assignment");
    assert!(cases.len() >= 5, "only {} cases", cases.len());
    for (id, bytes) in cases {
        let (version, mut body) = split_header(&bytes);
        let theirs = ConsumerProtocolAssignment::decode(&mut body, version)
            .unwrap_or_else(|e| panic!("{id}: kafka-protocol cannot decode: {e}"));
        let ours = AssignmentData::decode(&bytes).expect(&id).assignment;
        assert_eq!(AssignmentData::from(&theirs), ours, "{id}");
        let back = ConsumerProtocolAssignment::from(ours);
        assert_eq!(with_header(version, &back), bytes, "{id}");
    }
}

#[test]
fn converted_subscription_keeps_every_field() {
    let sub = Subscription::new(["payments", "orders"])
        .with_user_data([1u8, 2, 3])
        .with_owned_partitions([tp("orders", 4), tp("payments", 0), tp("orders", 1)])
        .with_generation(12)
        .with_rack("");
    let theirs = ConsumerProtocolSubscription::from(sub.clone());
    assert_eq!(
        theirs
            .topics
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>(),
        ["payments", "orders"]
    );
    assert_eq!(theirs.user_data.as_deref(), Some(&[1u8, 2, 3][..]));
    // Grouped by topic in order of first appearance, partitions as given.
    let owned: Vec<(String, Vec<i32>)> = theirs
        .owned_partitions
        .iter()
        .map(|e| (e.topic.0.to_string(), e.partitions.clone()))
        .collect();
    assert_eq!(
        owned,
        [
            ("orders".to_string(), vec![4, 1]),
            ("payments".to_string(), vec![0])
        ]
    );
    assert_eq!(theirs.generation_id, 12);
    // The empty rack stays the empty string, distinct from null.
    assert_eq!(theirs.rack_id.as_deref(), Some(""));

    let back = Subscription::from(theirs);
    assert_eq!(back.topics, sub.topics);
    assert_eq!(back.user_data, sub.user_data);
    assert_eq!(
        back.owned_partitions,
        [tp("orders", 4), tp("orders", 1), tp("payments", 0)]
    );
    assert_eq!(back.generation, Some(12));
    assert_eq!(back.rack.as_deref(), Some(""));
}

#[test]
fn missing_generation_and_null_fields_map_to_the_wire_defaults() {
    let sub = Subscription::new(["t"]);
    let theirs = ConsumerProtocolSubscription::from(&sub);
    assert_eq!(theirs.generation_id, -1);
    assert_eq!(theirs.user_data, None);
    assert_eq!(theirs.rack_id, None);
    assert_eq!(Subscription::from(&theirs), sub);

    // A negative generation is "none", the way both codecs write it.
    let negative = Subscription::new(["t"]).with_generation(-7);
    assert_eq!(
        ConsumerProtocolSubscription::from(&negative).generation_id,
        -1
    );
    assert_eq!(
        Subscription::from(ConsumerProtocolSubscription::default().with_generation_id(-3))
            .generation,
        None
    );

    // Empty user data is not null user data.
    let empty = AssignmentData::new([tp("t", 0)]).with_user_data(Vec::new());
    let theirs = ConsumerProtocolAssignment::from(&empty);
    assert_eq!(theirs.user_data.as_deref(), Some(&[][..]));
    assert_eq!(AssignmentData::from(theirs), empty);
}

fn topic_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("orders".to_string()),
        Just("payments".to_string()),
        Just("ä-ü".to_string()),
        "[a-z]{1,6}",
    ]
}

fn partitions() -> impl Strategy<Value = Vec<TopicPartition>> {
    prop::collection::vec((topic_name(), 0..40i32), 0..12).prop_map(|list| {
        // Grouped by topic in order of first appearance: the only flat
        // lists the wire's grouped form can give back unchanged.
        let mut grouped: Vec<(String, Vec<i32>)> = Vec::new();
        for (t, p) in list {
            match grouped.iter_mut().find(|(name, _)| *name == t) {
                Some((_, ps)) => ps.push(p),
                None => grouped.push((t, vec![p])),
            }
        }
        grouped
            .into_iter()
            .flat_map(|(t, ps)| ps.into_iter().map(move |p| TopicPartition::new(&*t, p)))
            .collect()
    })
}

prop_compose! {
    fn subscription()(
        topics in prop::collection::vec(topic_name(), 0..5),
        user_data in prop::option::of(prop::collection::vec(any::<u8>(), 0..8)),
        owned in partitions(),
        generation in prop::option::of(0..1000i32),
        rack in prop::option::of("[a-c]{0,2}"),
    ) -> Subscription {
        let mut sub = Subscription::new(topics).with_owned_partitions(owned);
        sub.user_data = user_data;
        sub.generation = generation;
        sub.rack = rack;
        sub
    }
}

proptest! {
    #[test]
    fn subscription_conversion_round_trips_and_encodes_identically(sub in subscription()) {
        let theirs = ConsumerProtocolSubscription::from(&sub);
        prop_assert_eq!(&Subscription::from(&theirs), &sub);
        // Both codecs write the same bytes for what the conversion gives,
        // at every version, once this crate's sorting is applied first.
        let sorted = Subscription::decode(&sub.encode().unwrap()).unwrap().subscription;
        let sorted_theirs = ConsumerProtocolSubscription::from(&sorted);
        for version in 0..=3i16 {
            prop_assert_eq!(
                with_header(version, &sorted_theirs),
                sorted.encode_version(version).unwrap()
            );
        }
    }

    #[test]
    fn assignment_conversion_round_trips_and_encodes_identically(
        partitions in partitions(),
        user_data in prop::option::of(prop::collection::vec(any::<u8>(), 0..8)),
    ) {
        let mut data = AssignmentData::new(partitions);
        data.user_data = user_data;
        let theirs = ConsumerProtocolAssignment::from(&data);
        prop_assert_eq!(&AssignmentData::from(&theirs), &data);
        for version in 0..=3i16 {
            prop_assert_eq!(with_header(version, &theirs), data.encode_version(version).unwrap());
            let mut body = &data.encode_version(version).unwrap()[2..];
            let decoded = ConsumerProtocolAssignment::decode(&mut body, version).unwrap();
            prop_assert_eq!(AssignmentData::from(decoded), data.clone());
        }
    }
}
