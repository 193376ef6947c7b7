//! Laws of the consumer-protocol codec, over arbitrary values and bytes.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

use kafka_assignors::TopicPartition;
use kafka_assignors::protocol::{
    AssignmentData, JoinedMember, StickyFormat, StickyUserData, Subscription,
    decode_cooperative_user_data, decode_member, group_by_topic,
};
use proptest::prelude::*;

/// Java's `String.compareTo`, computed independently of the crate.
fn utf16_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

fn topic() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-c]{1,3}",
        "\\PC{0,8}",
        Just("😀smile".to_string()),
        Just("！bang".to_string()),
    ]
}

fn partitions() -> impl Strategy<Value = Vec<TopicPartition>> {
    prop::collection::vec((topic(), any::<i32>()), 0..12).prop_map(|v| {
        v.into_iter()
            .map(|(t, p)| TopicPartition::new(t, p))
            .collect()
    })
}

fn subscription() -> impl Strategy<Value = Subscription> {
    (
        prop::collection::vec(topic(), 0..8),
        prop::option::of(prop::collection::vec(any::<u8>(), 0..16)),
        partitions(),
        prop::option::of(any::<i32>()),
        prop::option::of(prop_oneof![Just(String::new()), "\\PC{0,8}"]),
    )
        .prop_map(|(topics, user_data, owned, generation, rack)| {
            let mut s = Subscription::new(topics).with_owned_partitions(owned);
            s.user_data = user_data;
            s.generation = generation;
            s.rack = rack;
            s
        })
}

fn assignment() -> impl Strategy<Value = AssignmentData> {
    (
        partitions(),
        prop::option::of(prop::collection::vec(any::<u8>(), 0..16)),
    )
        .prop_map(|(p, user_data)| {
            let mut a = AssignmentData::new(p);
            a.user_data = user_data;
            a
        })
}

/// What a subscription should decode to after being written at `version`:
/// sorted as Java writes it, fields the version lacks dropped, negative
/// generations absent.
fn expected_at(s: &Subscription, version: i16) -> Subscription {
    let mut e = s.clone();
    e.topics.sort_by(|a, b| utf16_cmp(a, b));
    e.owned_partitions
        .sort_by(|a, b| utf16_cmp(&a.topic, &b.topic).then(a.partition.cmp(&b.partition)));
    e.generation = e.generation.filter(|&g| g >= 0);
    if version < 1 {
        e.owned_partitions.clear();
    }
    if version < 2 {
        e.generation = None;
    }
    if version < 3 {
        e.rack = None;
    }
    e
}

fn by_topic(list: &[TopicPartition]) -> BTreeMap<Arc<str>, Vec<i32>> {
    group_by_topic(list)
        .into_iter()
        .map(|e| (e.topic, e.partitions))
        .collect()
}

proptest! {
    #[test]
    fn subscription_decode_inverts_encode_at_every_version(s in subscription(), version in 0i16..=3) {
        let bytes = s.encode_version(version).unwrap();
        let decoded = Subscription::decode(&bytes).unwrap();
        prop_assert_eq!(decoded.version, version);
        prop_assert_eq!(decoded.trailing_bytes, 0);
        prop_assert_eq!(&decoded.subscription, &expected_at(&s, version));
        // The decoded value is canonical: writing it again gives the same bytes.
        prop_assert_eq!(decoded.subscription.encode_version(version).unwrap(), bytes);
    }

    #[test]
    fn assignment_decode_inverts_encode_at_every_version(a in assignment(), version in 0i16..=3) {
        let bytes = a.encode_version(version).unwrap();
        let decoded = AssignmentData::decode(&bytes).unwrap();
        prop_assert_eq!(decoded.version, version);
        prop_assert_eq!(decoded.trailing_bytes, 0);
        // One entry per topic, in order of first appearance.
        let mut expected = a.clone();
        expected.partitions = group_by_topic(&a.partitions)
            .into_iter()
            .flat_map(|e| e.partitions.into_iter().map(move |p| TopicPartition::new(Arc::clone(&e.topic), p)))
            .collect();
        prop_assert_eq!(&decoded.assignment, &expected);
        prop_assert_eq!(decoded.assignment.encode_version(version).unwrap(), bytes);
    }

    #[test]
    fn future_subscription_versions_decode_to_the_v3_content(
        s in subscription(),
        version in 4i16..=i16::MAX,
        extra in prop::collection::vec(any::<u8>(), 0..32),
    ) {
        let mut bytes = s.encode_version(3).unwrap();
        bytes[..2].copy_from_slice(&version.to_be_bytes());
        bytes.extend_from_slice(&extra);
        let decoded = Subscription::decode(&bytes).unwrap();
        prop_assert_eq!(decoded.version, version);
        prop_assert_eq!(decoded.trailing_bytes, extra.len());
        prop_assert_eq!(decoded.subscription, expected_at(&s, 3));
    }

    #[test]
    fn future_assignment_versions_decode_to_the_v3_content(
        a in assignment(),
        version in 4i16..=i16::MAX,
        extra in prop::collection::vec(any::<u8>(), 0..32),
    ) {
        let v3 = AssignmentData::decode(&a.encode_version(3).unwrap()).unwrap();
        let mut bytes = a.encode_version(3).unwrap();
        bytes[..2].copy_from_slice(&version.to_be_bytes());
        bytes.extend_from_slice(&extra);
        let decoded = AssignmentData::decode(&bytes).unwrap();
        prop_assert_eq!(decoded.version, version);
        prop_assert_eq!(decoded.trailing_bytes, extra.len());
        prop_assert_eq!(decoded.assignment, v3.assignment);
    }

    #[test]
    fn versions_above_3_are_written_as_3(s in subscription(), a in assignment(), version in 4i16..=i16::MAX) {
        prop_assert_eq!(s.encode_version(version).unwrap(), s.encode_version(3).unwrap());
        prop_assert_eq!(a.encode_version(version).unwrap(), a.encode_version(3).unwrap());
    }

    #[test]
    fn negative_versions_are_refused(s in subscription(), a in assignment(), version in i16::MIN..0) {
        prop_assert!(s.encode_version(version).is_err());
        prop_assert!(a.encode_version(version).is_err());
        let mut bytes = s.encode_version(3).unwrap();
        bytes[..2].copy_from_slice(&version.to_be_bytes());
        prop_assert!(Subscription::decode(&bytes).is_err());
        let mut bytes = a.encode_version(3).unwrap();
        bytes[..2].copy_from_slice(&version.to_be_bytes());
        prop_assert!(AssignmentData::decode(&bytes).is_err());
    }

    #[test]
    fn every_strict_prefix_of_an_encoding_is_refused_with_an_offset_inside_it(
        s in subscription(),
        version in 0i16..=3,
        cut in any::<prop::sample::Index>(),
    ) {
        let bytes = s.encode_version(version).unwrap();
        let len = cut.index(bytes.len());
        let err = Subscription::decode(&bytes[..len]).unwrap_err();
        prop_assert!(err.offset() <= len, "offset {} past the {} bytes given", err.offset(), len);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = Subscription::decode(&bytes);
        let _ = AssignmentData::decode(&bytes);
        let _ = StickyUserData::decode(Some(&bytes));
        let _ = decode_cooperative_user_data(Some(&bytes));
        if let Err(e) = Subscription::decode(&bytes) {
            prop_assert!(e.offset() <= bytes.len());
        }
        if let Err(e) = AssignmentData::decode(&bytes) {
            prop_assert!(e.offset() <= bytes.len());
        }
    }

    #[test]
    fn huge_counts_fail_without_allocating_them(
        version in 0i16..=3,
        count in 1_000_000i32..=i32::MAX,
        tail in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        // A count the input cannot hold is refused before anything is
        // reserved; reserving it would abort the process.
        let mut bytes = version.to_be_bytes().to_vec();
        bytes.extend_from_slice(&count.to_be_bytes());
        bytes.extend_from_slice(&tail);
        prop_assert!(Subscription::decode(&bytes).is_err());
        prop_assert!(AssignmentData::decode(&bytes).is_err());
        let (data, format) = StickyUserData::decode(Some(&bytes[2..]));
        prop_assert_eq!(format, StickyFormat::Fallback);
        prop_assert!(data.owned.is_empty());
    }

    #[test]
    fn sticky_user_data_decode_inverts_encode(owned in partitions(), generation in prop::option::of(any::<i32>())) {
        let data = StickyUserData::new(owned.clone(), generation);
        let bytes = data.encode().unwrap();
        let (back, format) = StickyUserData::decode(Some(&bytes));
        prop_assert_eq!(format, if generation.is_some() { StickyFormat::V1 } else { StickyFormat::V0 });
        prop_assert_eq!(back.generation, generation);
        // Topic order follows Java's HashMap; each topic's partitions keep theirs.
        prop_assert_eq!(by_topic(&back.owned), by_topic(&owned));
    }

    #[test]
    fn cooperative_user_data_reads_the_first_four_bytes(generation in any::<i32>(), extra in prop::collection::vec(any::<u8>(), 0..8)) {
        let mut bytes = kafka_assignors::protocol::cooperative_user_data(Some(generation)).to_vec();
        bytes.extend_from_slice(&extra);
        prop_assert_eq!(decode_cooperative_user_data(Some(&bytes)), Some(generation));
        prop_assert_eq!(decode_cooperative_user_data(Some(&bytes[..bytes.len().min(3)])), Some(-1));
    }
}

/// Sticky user data written field by field, as the Java `StickyAssignor`'s
/// schema lays it out: `[topic, [partition]]` entries, then the generation
/// when there is one, then whatever bytes follow.
fn sticky_bytes(entries: &[(String, Vec<i32>)], generation: Option<i32>, tail: &[u8]) -> Vec<u8> {
    let mut out = (entries.len() as i32).to_be_bytes().to_vec();
    for (topic, partitions) in entries {
        out.extend_from_slice(&(topic.len() as i16).to_be_bytes());
        out.extend_from_slice(topic.as_bytes());
        out.extend_from_slice(&(partitions.len() as i32).to_be_bytes());
        for p in partitions {
            out.extend_from_slice(&p.to_be_bytes());
        }
    }
    if let Some(g) = generation {
        out.extend_from_slice(&g.to_be_bytes());
    }
    out.extend_from_slice(tail);
    out
}

fn sticky_user_data() -> impl Strategy<Value = Option<Vec<u8>>> {
    let entries = prop::collection::vec(
        (
            prop_oneof![Just("a".to_string()), Just("b".to_string()), topic()],
            prop::collection::vec(0i32..4, 0..3),
        ),
        0..6,
    );
    prop_oneof![
        4 => (entries, prop::option::of(any::<i32>()), prop::collection::vec(any::<u8>(), 0..6))
            .prop_map(|(e, g, tail)| Some(sticky_bytes(&e, g, &tail))),
        1 => prop::option::of(prop::collection::vec(any::<u8>(), 0..24)),
    ]
}

proptest! {
    // The leader keeps sticky user data only as the claims and generation
    // it read, when those say it byte for byte: whatever the data (repeated
    // or empty entries, a V0 or V1 tail, trailing bytes, garbage), the
    // member it gives back has the bytes that were sent.
    #[test]
    fn the_leader_gives_back_sticky_user_data_byte_for_byte(
        user_data in sticky_user_data(),
        topics in prop::collection::vec(topic(), 0..3),
    ) {
        let mut sub = Subscription::new(topics);
        sub.user_data = user_data.clone();
        let joined = JoinedMember::new("m", None, sub.encode().unwrap());
        let member = decode_member(kafka_assignors::Strategy::Sticky, &joined).unwrap();
        prop_assert_eq!(member.user_data, user_data);
    }
}
