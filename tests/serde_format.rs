//! The scenario JSON format: reading, writing, and what it rejects.
#![cfg(feature = "serde")]

use std::sync::Arc;

use kafka_assignors::{
    Assignment, Assignor, Group, Member, Strategy as Named, Topic, TopicPartition,
};
use proptest::prelude::*;

const SPEC_EXAMPLE: &str = r#"{
  "topics": {
    "orders": 6,
    "payments": { "partitions": 2, "racks": [["a", "b"], ["b", "c"]] }
  },
  "members": [
    {
      "id": "consumer-1-5f1c",
      "instance_id": "host-1",
      "rack": "a",
      "topics": ["orders", "payments"],
      "owned": { "orders": [0, 3] },
      "generation": 4
    },
    { "id": "consumer-2-77aa", "topics": ["orders"] }
  ]
}"#;

fn parse(json: &str) -> Result<Group, serde_json::Error> {
    serde_json::from_str(json)
}

fn error_of(json: &str) -> String {
    parse(json).expect_err("input must be rejected").to_string()
}

#[test]
fn reads_every_field_of_the_format() {
    let group = parse(SPEC_EXAMPLE).unwrap();
    let expected = Group::new()
        .with_topic(Topic::new("orders", 6))
        .with_topic(Topic::new("payments", 2).with_replica_racks([["a", "b"], ["b", "c"]]))
        .with_member(
            Member::new("consumer-1-5f1c")
                .with_instance_id("host-1")
                .with_rack("a")
                .subscribe(["orders", "payments"])
                .with_owned("orders", [0, 3])
                .with_generation(4),
        )
        .with_member(Member::new("consumer-2-77aa").subscribe(["orders"]));
    assert_eq!(group, expected);
}

#[test]
fn every_occurrence_of_a_topic_name_shares_one_allocation() {
    let group = parse(SPEC_EXAMPLE).unwrap();
    let metadata = &group.topics[0].name;
    assert_eq!(&**metadata, "orders");
    let first = &group.members[0];
    assert!(Arc::ptr_eq(metadata, &first.topics[0]));
    assert!(Arc::ptr_eq(metadata, &first.owned[0].topic));
    assert!(Arc::ptr_eq(metadata, &first.owned[1].topic));
    assert!(Arc::ptr_eq(metadata, &group.members[1].topics[0]));
    // Names met before the metadata defines them are shared too.
    let group = parse(
        r#"{"members": [{"id": "m", "topics": ["t"], "owned": {"t": [0]}}], "topics": {"t": 1}}"#,
    )
    .unwrap();
    assert!(Arc::ptr_eq(
        &group.topics[0].name,
        &group.members[0].topics[0]
    ));
    assert!(Arc::ptr_eq(
        &group.topics[0].name,
        &group.members[0].owned[0].topic
    ));
}

#[test]
fn writes_what_it_reads() {
    let group = parse(SPEC_EXAMPLE).unwrap();
    let json = serde_json::to_string(&group).unwrap();
    assert_eq!(
        json,
        concat!(
            r#"{"topics":{"orders":6,"payments":{"partitions":2,"racks":[["a","b"],["b","c"]]}},"#,
            r#""members":[{"id":"consumer-1-5f1c","instance_id":"host-1","rack":"a","#,
            r#""topics":["orders","payments"],"owned":{"orders":[0,3]},"generation":4},"#,
            r#"{"id":"consumer-2-77aa","topics":["orders"]}]}"#
        )
    );
    assert_eq!(parse(&json).unwrap(), group);
}

#[test]
fn optional_member_fields_accept_null() {
    let group = parse(
        r#"{"topics": {}, "members": [{"id": "m", "instance_id": null, "rack": null,
            "topics": [], "generation": null}]}"#,
    )
    .unwrap();
    assert_eq!(group.members[0], Member::new("m"));
}

#[test]
fn unknown_keys_are_rejected_at_every_level() {
    for (json, key) in [
        (r#"{"topics": {}, "members": [], "extra": 1}"#, "extra"),
        (
            r#"{"topics": {"t": {"partitions": 1, "replicas": []}}, "members": []}"#,
            "replicas",
        ),
        (
            r#"{"topics": {}, "members": [{"id": "m", "topics": [], "owend": {}}]}"#,
            "owend",
        ),
    ] {
        let error = error_of(json);
        assert!(error.contains(&format!("unknown field `{key}`")), "{error}");
    }
}

#[test]
fn repeated_keys_are_rejected() {
    let error = error_of(r#"{"topics": {"t": 1, "u": 2, "t": 3}, "members": []}"#);
    assert!(
        error.contains(r#"topic "t" appears more than once"#),
        "{error}"
    );
    let error = error_of(
        r#"{"topics": {}, "members": [{"id": "m", "topics": [], "owned": {"t": [0], "t": [1]}}]}"#,
    );
    assert!(
        error.contains(r#"topic "t" appears more than once in `owned`"#),
        "{error}"
    );
    let error = error_of(r#"{"topics": {}, "members": [{"id": "m", "id": "n", "topics": []}]}"#);
    assert!(error.contains("duplicate field `id`"), "{error}");
    let error = error_of(r#"{"topics": {}, "topics": {}, "members": []}"#);
    assert!(error.contains("duplicate field `topics`"), "{error}");
}

#[test]
fn one_topic_key_per_member_is_not_a_repeat_across_members() {
    let group = parse(
        r#"{"topics": {"t": 2}, "members": [
            {"id": "a", "topics": ["t"], "owned": {"t": [0]}},
            {"id": "b", "topics": ["t"], "owned": {"t": [1]}}]}"#,
    )
    .unwrap();
    assert_eq!(group.members[1].owned, vec![TopicPartition::new("t", 1)]);
}

#[test]
fn required_keys_are_required() {
    assert!(error_of(r#"{"members": []}"#).contains("missing field `topics`"));
    assert!(error_of(r#"{"topics": {}}"#).contains("missing field `members`"));
    assert!(
        error_of(r#"{"topics": {}, "members": [{"topics": []}]}"#).contains("missing field `id`")
    );
    assert!(
        error_of(r#"{"topics": {}, "members": [{"id": "m"}]}"#).contains("missing field `topics`")
    );
    assert!(
        error_of(r#"{"topics": {"t": {"racks": []}}, "members": []}"#)
            .contains("missing field `partitions`")
    );
}

#[test]
fn values_of_the_wrong_shape_are_rejected() {
    for json in [
        r#"{"topics": {"t": 2147483648}, "members": []}"#,
        r#"{"topics": {"t": -2147483649}, "members": []}"#,
        r#"{"topics": {"t": 1.5}, "members": []}"#,
        r#"{"topics": {"t": "3"}, "members": []}"#,
        r#"{"topics": [], "members": []}"#,
        r#"{"topics": {}, "members": {}}"#,
        r#"{"topics": {}, "members": [{"id": 7, "topics": []}]}"#,
        r#"{"topics": {}, "members": [{"id": "m", "topics": [1]}]}"#,
        r#"{"topics": {}, "members": [{"id": "m", "topics": [], "owned": {"t": ["0"]}}]}"#,
        r#"{"topics": {}, "members": [{"id": "m", "topics": [], "generation": "4"}]}"#,
        r#"["topics", "members"]"#,
    ] {
        assert!(parse(json).is_err(), "accepted {json}");
    }
}

#[test]
fn negative_counts_are_read_as_written_for_the_strategies_to_reject() {
    let group =
        parse(r#"{"topics": {"t": -1}, "members": [{"id": "m", "topics": ["t"]}]}"#).unwrap();
    assert_eq!(group.topics[0].partitions, -1);
    let error = Named::Range.assign(&group).unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"topic "t" has a negative partition count -1"#
    );
}

#[test]
fn owned_partitions_are_written_grouped_by_topic() {
    let group = Group::new().with_member(
        Member::new("m")
            .subscribe(["b", "a"])
            .with_owned("b", [3])
            .with_owned("a", [1])
            .with_owned("b", [0]),
    );
    let json = serde_json::to_string(&group).unwrap();
    assert!(json.contains(r#""owned":{"a":[1],"b":[3,0]}"#), "{json}");
}

#[test]
fn assignment_is_written_in_the_output_format() {
    let group = parse(SPEC_EXAMPLE).unwrap();
    let group = group.with_member(Member::new("consumer-3-idle"));
    let assignment = Named::Range.assign(&group).unwrap();
    let json = serde_json::to_string(&assignment).unwrap();
    assert_eq!(
        json,
        concat!(
            r#"{"consumer-1-5f1c":{"orders":[0,1,2],"payments":[0,1]},"#,
            r#""consumer-2-77aa":{"orders":[3,4,5]},"consumer-3-idle":{}}"#
        )
    );
    let back: Assignment = serde_json::from_str(&json).unwrap();
    assert_eq!(back, assignment);
}

#[test]
fn assignment_reading_sorts_partitions_and_rejects_repeats() {
    let read: Assignment =
        serde_json::from_str(r#"{"b": {"t": [2, 0]}, "a": {}, "c": {"u": [1], "t": [1]}}"#)
            .unwrap();
    let expected = Assignment::from_members([
        ("a", vec![]),
        ("b", vec![("t", vec![0, 2])]),
        ("c", vec![("t", vec![1]), ("u", vec![1])]),
    ]);
    assert_eq!(read, expected);
    assert_eq!(read.member("a").unwrap().len(), 0);

    let error = serde_json::from_str::<Assignment>(r#"{"a": {}, "b": {}, "a": {}}"#)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(r#"member "a" appears more than once"#),
        "{error}"
    );
    let error = serde_json::from_str::<Assignment>(r#"{"a": {"t": [0], "t": [1]}}"#)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(r#"topic "t" appears more than once"#),
        "{error}"
    );
}

#[test]
fn examples_round_trip() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            let group = parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let again = parse(&serde_json::to_string(&group).unwrap()).unwrap();
            assert_eq!(again, group, "{}", path.display());
            seen += 1;
        }
    }
    assert!(seen >= 5, "expected the example groups, found {seen}");
}

/// Owned partitions as the format writes them: grouped by topic in name
/// order, each topic's partitions in the member's order.
fn grouped_by_topic(mut group: Group) -> Group {
    for member in &mut group.members {
        member.owned.sort_by(|a, b| a.topic.cmp(&b.topic));
    }
    group
}

fn arbitrary_group() -> impl Strategy<Value = Group> {
    let names = || prop::sample::select(vec!["a", "b", "c", "t\"q", "ü"]);
    let topics =
        prop::collection::btree_map(names(), (-2..6i32, any::<bool>()), 0..4).prop_map(|topics| {
            topics
                .into_iter()
                .map(|(name, (partitions, racks))| {
                    let topic = Topic::new(name, partitions);
                    if racks && partitions >= 0 {
                        topic.with_replica_racks(
                            (0..partitions).map(|p| vec![["r1", "r2"][p as usize % 2]]),
                        )
                    } else {
                        topic
                    }
                })
                .collect::<Vec<_>>()
        });
    let member = (
        "[a-z]{1,3}",
        prop::option::of("[a-z]{1,2}"),
        prop::option::of(prop::sample::select(vec!["", "r1", "r2"])),
        prop::collection::vec(names(), 0..4),
        prop::collection::vec((names(), -1..6i32), 0..6),
        prop::option::of(-1..9i32),
    )
        .prop_map(|(id, instance, rack, topics, owned, generation)| {
            let mut member = Member::new(id).subscribe(topics);
            member.instance_id = instance;
            member.rack = rack.map(str::to_string);
            member.generation = generation;
            for (topic, partition) in owned {
                member = member.with_owned(topic, [partition]);
            }
            member
        });
    (topics, prop::collection::vec(member, 0..5)).prop_map(|(topics, members)| {
        let mut group = Group::new();
        group.topics = topics;
        group.members = members;
        group
    })
}

proptest! {
    #[test]
    fn writing_then_reading_a_group_gives_it_back(group in arbitrary_group()) {
        let json = serde_json::to_string(&group).unwrap();
        let back: Group = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, grouped_by_topic(group));
    }

    #[test]
    fn writing_then_reading_an_assignment_gives_it_back(group in arbitrary_group()) {
        if let Ok(assignment) = Named::RoundRobin.assign(&group) {
            let json = serde_json::to_string(&assignment).unwrap();
            let back: Assignment = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, assignment);
        }
    }
}
