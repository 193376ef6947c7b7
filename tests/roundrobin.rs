//! RoundRobin against the Java client's answers: the shared reference groups
//! and the Java client's own RoundRobinAssignorTest cases.

mod common;

use std::fs;

use common::{AnswerMap, answer, answer_from_json, group_from_json, read_json, reference_dir};
use kafka_assignors::{AssignErrorKind, Assignor, Group, Member, RoundRobinAssignor, Topic};

fn round_robin(group: &Group) -> AnswerMap {
    RoundRobinAssignor
        .assign(group)
        .expect("valid group")
        .to_map()
}

fn consumers_on(topics: &[(&str, i32)], members: &[(&str, &[&str])]) -> Group {
    let mut group = Group::new();
    for &(name, partitions) in topics {
        group = group.with_topic(Topic::new(name, partitions));
    }
    for &(id, subscribed) in members {
        group = group.with_member(Member::new(id).subscribe(subscribed.iter().copied()));
    }
    group
}

#[test]
fn every_reference_group_gets_the_java_answer() {
    let dir = reference_dir();
    let mut checked = 0;
    for entry in fs::read_dir(dir.join("groups")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_owned();
        let group = group_from_json(&read_json(&path));
        let expected = answer_from_json(&read_json(&dir.join("java/roundrobin").join(&name)));
        assert_eq!(round_robin(&group), expected, "{}", path.display());
        checked += 1;
    }
    assert_eq!(checked, 27);
}

#[test]
fn five_partitions_dealt_over_three_members() {
    let t: &[&str] = &["T"];
    let group = consumers_on(&[("T", 5)], &[("C1", t), ("C2", t), ("C3", t)]);
    assert_eq!(
        round_robin(&group),
        answer([
            ("C1", vec![("T", vec![0, 3])]),
            ("C2", vec![("T", vec![1, 4])]),
            ("C3", vec![("T", vec![2])]),
        ])
    );
}

#[test]
fn java_one_consumer_cases() {
    assert_eq!(
        round_robin(&consumers_on(&[], &[("consumer", &[])])),
        answer([("consumer", vec![])])
    );
    assert_eq!(
        round_robin(&consumers_on(&[], &[("consumer", &["topic"])])),
        answer([("consumer", vec![])])
    );
    assert_eq!(
        round_robin(&consumers_on(
            &[("topic", 3), ("other", 3)],
            &[("consumer", &["topic"])]
        )),
        answer([("consumer", vec![("topic", vec![0, 1, 2])])])
    );
    assert_eq!(
        round_robin(&consumers_on(
            &[("topic1", 1), ("topic2", 2)],
            &[("consumer", &["topic1", "topic2"])]
        )),
        answer([(
            "consumer",
            vec![("topic1", vec![0]), ("topic2", vec![0, 1])]
        )])
    );
}

#[test]
fn java_two_consumers_one_topic() {
    let t: &[&str] = &["topic"];
    assert_eq!(
        round_robin(&consumers_on(
            &[("topic", 1)],
            &[("consumer1", t), ("consumer2", t)]
        )),
        answer([
            ("consumer1", vec![("topic", vec![0])]),
            ("consumer2", vec![])
        ])
    );
    assert_eq!(
        round_robin(&consumers_on(
            &[("topic", 2)],
            &[("consumer1", t), ("consumer2", t)]
        )),
        answer([
            ("consumer1", vec![("topic", vec![0])]),
            ("consumer2", vec![("topic", vec![1])]),
        ])
    );
}

#[test]
fn java_multiple_consumers_mixed_topics() {
    let group = consumers_on(
        &[("topic1", 3), ("topic2", 2)],
        &[
            ("consumer1", &["topic1"]),
            ("consumer2", &["topic1", "topic2"]),
            ("consumer3", &["topic1"]),
        ],
    );
    assert_eq!(
        round_robin(&group),
        answer([
            ("consumer1", vec![("topic1", vec![0])]),
            (
                "consumer2",
                vec![("topic1", vec![1]), ("topic2", vec![0, 1])]
            ),
            ("consumer3", vec![("topic1", vec![2])]),
        ])
    );
}

#[test]
fn java_two_consumers_two_topics_six_partitions() {
    let both: &[&str] = &["topic1", "topic2"];
    let group = consumers_on(
        &[("topic1", 3), ("topic2", 3)],
        &[("consumer1", both), ("consumer2", both)],
    );
    assert_eq!(
        round_robin(&group),
        answer([
            (
                "consumer1",
                vec![("topic1", vec![0, 2]), ("topic2", vec![1])]
            ),
            (
                "consumer2",
                vec![("topic1", vec![1]), ("topic2", vec![0, 2])]
            ),
        ])
    );
}

#[test]
fn java_documented_unequal_subscriptions() {
    // The Java client's class documentation: C0 reads t0, C1 t0 and t1, C2
    // all three; t0, t1, t2 have 1, 2, 3 partitions.
    let group = consumers_on(
        &[("t0", 1), ("t1", 2), ("t2", 3)],
        &[
            ("C0", &["t0"]),
            ("C1", &["t0", "t1"]),
            ("C2", &["t0", "t1", "t2"]),
        ],
    );
    assert_eq!(
        round_robin(&group),
        answer([
            ("C0", vec![("t0", vec![0])]),
            ("C1", vec![("t1", vec![0])]),
            ("C2", vec![("t1", vec![1]), ("t2", vec![0, 1, 2])]),
        ])
    );
}

#[test]
fn static_members_order_by_instance_id_not_member_id() {
    let both = ["topic1", "topic2"];
    let group = Group::new()
        .with_topic(Topic::new("topic1", 3))
        .with_topic(Topic::new("topic2", 3))
        .with_member(
            Member::new("consumer-b")
                .with_instance_id("instance1")
                .subscribe(both),
        )
        .with_member(
            Member::new("consumer-a")
                .with_instance_id("instance2")
                .subscribe(both),
        );
    assert_eq!(
        round_robin(&group),
        answer([
            (
                "consumer-b",
                vec![("topic1", vec![0, 2]), ("topic2", vec![1])]
            ),
            (
                "consumer-a",
                vec![("topic1", vec![1]), ("topic2", vec![0, 2])]
            ),
        ])
    );
    // A dynamic member comes after every static one, whatever its id.
    let mut mixed = group.clone();
    mixed.members[1].instance_id = None;
    assert_eq!(round_robin(&mixed), round_robin(&group));
}

#[test]
fn static_assignment_persists_after_member_ids_change() {
    let make = |ids: [&str; 3]| {
        let mut group = Group::new()
            .with_topic(Topic::new("topic1", 3))
            .with_topic(Topic::new("topic2", 3));
        for (i, id) in ids.iter().enumerate() {
            group = group.with_member(
                Member::new(*id)
                    .with_instance_id(format!("instance{}", i + 1))
                    .subscribe(["topic1", "topic2"]),
            );
        }
        group
    };
    let by_instance = |group: &Group| -> AnswerMap {
        let answer = round_robin(group);
        group
            .members
            .iter()
            .map(|m| (m.instance_id.clone().unwrap(), answer[&m.id].clone()))
            .collect()
    };
    let expected = answer([
        ("instance1", vec![("topic1", vec![0]), ("topic2", vec![0])]),
        ("instance2", vec![("topic1", vec![1]), ("topic2", vec![1])]),
        ("instance3", vec![("topic1", vec![2]), ("topic2", vec![2])]),
    ]);
    assert_eq!(
        by_instance(&make(["consumer1", "consumer2", "consumer3"])),
        expected
    );
    assert_eq!(
        by_instance(&make(["consumer9", "consumer5", "consumer0"])),
        expected
    );
}

#[test]
fn topics_are_dealt_in_java_string_order() {
    // Java sorts "😀x" (a surrogate pair) before "！y"; Rust's str order
    // would put it after. The deal goes on across topics.
    let both = ["😀x", "！y"];
    let group = Group::new()
        .with_topic(Topic::new("！y", 1))
        .with_topic(Topic::new("😀x", 1))
        .with_member(Member::new("C1").subscribe(both))
        .with_member(Member::new("C2").subscribe(both));
    assert_eq!(
        round_robin(&group),
        answer([
            ("C1", vec![("😀x", vec![0])]),
            ("C2", vec![("！y", vec![0])])
        ])
    );
}

#[test]
fn racks_do_not_change_the_answer() {
    let plain = consumers_on(&[("T", 4)], &[("C1", &["T"]), ("C2", &["T"])]);
    let mut racked = plain.clone();
    racked.topics[0] = Topic::new("T", 4).with_replica_racks([["b"], ["a"], ["b"], ["a"]]);
    racked.members[0].rack = Some("a".into());
    racked.members[1].rack = Some("b".into());
    assert_eq!(round_robin(&racked), round_robin(&plain));
}

#[test]
fn errors_name_the_offending_value() {
    let group = Group::new()
        .with_member(Member::new("C1"))
        .with_member(Member::new("C1"));
    assert_eq!(
        RoundRobinAssignor.assign(&group).unwrap_err().kind(),
        &AssignErrorKind::DuplicateMember {
            member: "C1".into()
        }
    );
    let group = Group::new()
        .with_topic(Topic::new("bad", -1))
        .with_member(Member::new("C1").subscribe(["bad"]));
    assert_eq!(
        RoundRobinAssignor.assign(&group).unwrap_err().kind(),
        &AssignErrorKind::NegativePartitionCount {
            topic: "bad".into(),
            partitions: -1
        }
    );
}
