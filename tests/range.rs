//! Range against the Java client's answers: the shared reference groups, the
//! Java client's own RangeAssignorTest cases (rack-aware ones included) and
//! the model's error rules.

mod common;

use std::fs;

use common::{AnswerMap, answer, answer_from_json, group_from_json, read_json, reference_dir};
use kafka_assignors::{AssignErrorKind, Assignor, Group, Member, RangeAssignor, Topic};

fn range(group: &Group) -> AnswerMap {
    RangeAssignor.assign(group).expect("valid group").to_map()
}

#[test]
fn every_reference_group_gets_the_java_answer() {
    let dir = reference_dir();
    let mut checked = 0;
    for entry in fs::read_dir(dir.join("groups")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_owned();
        let group = group_from_json(&read_json(&path));
        let expected = answer_from_json(&read_json(&dir.join("java/range").join(&name)));
        assert_eq!(range(&group), expected, "{}", path.display());
        checked += 1;
    }
    assert_eq!(checked, 27);
}

// ---------------------------------------------------------------------------
// Plain groups, with the Java client's RangeAssignorTest cases, as a table.

/// A group of plain consumers and the answer Java gives it.
struct Case {
    name: &'static str,
    /// The metadata: (topic, partitions).
    topics: &'static [(&'static str, i32)],
    /// (member id, subscribed topics), in join order.
    members: &'static [(&'static str, &'static [&'static str])],
    /// (member id, [(topic, partitions)]); members with nothing listed empty.
    expected: &'static [(&'static str, Partitions)],
}

/// (topic, partitions) of one member.
type Partitions = &'static [(&'static str, &'static [i32])];

const BOTH: &[&str] = &["topic1", "topic2"];

const CASES: &[Case] = &[
    Case {
        name: "five partitions over three members",
        topics: &[("T", 5)],
        members: &[("C1", &["T"]), ("C2", &["T"]), ("C3", &["T"])],
        expected: &[
            ("C1", &[("T", &[0, 1])]),
            ("C2", &[("T", &[2, 3])]),
            ("C3", &[("T", &[4])]),
        ],
    },
    Case {
        name: "members split only the topics they subscribe to",
        topics: &[("T1", 5), ("T2", 5)],
        members: &[("C1", &["T1"]), ("C2", &["T2"]), ("C3", &["T1", "T2"])],
        expected: &[
            ("C1", &[("T1", &[0, 1, 2])]),
            ("C2", &[("T2", &[0, 1, 2])]),
            ("C3", &[("T1", &[3, 4]), ("T2", &[3, 4])]),
        ],
    },
    Case {
        name: "java: one consumer, no topic",
        topics: &[],
        members: &[("consumer1", &[])],
        expected: &[("consumer1", &[])],
    },
    Case {
        name: "java: one consumer, nonexistent topic",
        topics: &[],
        members: &[("consumer1", &["topic1"])],
        expected: &[("consumer1", &[])],
    },
    Case {
        name: "java: only assigns partitions from subscribed topics",
        topics: &[("topic1", 3), ("other", 3)],
        members: &[("consumer1", &["topic1"])],
        expected: &[("consumer1", &[("topic1", &[0, 1, 2])])],
    },
    Case {
        name: "java: one consumer, multiple topics",
        topics: &[("topic1", 1), ("topic2", 2)],
        members: &[("consumer1", BOTH)],
        expected: &[("consumer1", &[("topic1", &[0]), ("topic2", &[0, 1])])],
    },
    Case {
        name: "java: two consumers, one topic of one partition",
        topics: &[("topic1", 1)],
        members: &[("consumer1", &["topic1"]), ("consumer2", &["topic1"])],
        expected: &[("consumer1", &[("topic1", &[0])]), ("consumer2", &[])],
    },
    Case {
        name: "java: two consumers, one topic of two partitions",
        topics: &[("topic1", 2)],
        members: &[("consumer1", &["topic1"]), ("consumer2", &["topic1"])],
        expected: &[
            ("consumer1", &[("topic1", &[0])]),
            ("consumer2", &[("topic1", &[1])]),
        ],
    },
    Case {
        name: "java: multiple consumers, mixed topics",
        topics: &[("topic1", 3), ("topic2", 2)],
        members: &[
            ("consumer1", &["topic1"]),
            ("consumer2", BOTH),
            ("consumer3", &["topic1"]),
        ],
        expected: &[
            ("consumer1", &[("topic1", &[0])]),
            ("consumer2", &[("topic1", &[1]), ("topic2", &[0, 1])]),
            ("consumer3", &[("topic1", &[2])]),
        ],
    },
    Case {
        name: "java: two consumers, two topics, six partitions",
        topics: &[("topic1", 3), ("topic2", 3)],
        members: &[("consumer1", BOTH), ("consumer2", BOTH)],
        expected: &[
            ("consumer1", &[("topic1", &[0, 1]), ("topic2", &[0, 1])]),
            ("consumer2", &[("topic1", &[2]), ("topic2", &[2])]),
        ],
    },
    Case {
        // Java compares UTF-16 units: "😀" (a surrogate pair) sorts before "！".
        name: "java order puts supplementary characters before high BMP ones",
        topics: &[("T", 3)],
        members: &[("！b", &["T"]), ("😀a", &["T"])],
        expected: &[("😀a", &[("T", &[0, 1])]), ("！b", &[("T", &[2])])],
    },
];

impl Case {
    fn group(&self) -> Group {
        let mut group = Group::new();
        for &(name, partitions) in self.topics {
            group = group.with_topic(Topic::new(name, partitions));
        }
        for &(id, subscribed) in self.members {
            group = group.with_member(Member::new(id).subscribe(subscribed.iter().copied()));
        }
        group
    }

    fn expected(&self) -> AnswerMap {
        answer(self.expected.iter().map(|&(member, topics)| {
            let topics = topics.iter().map(|&(t, ps)| (t, ps.to_vec())).collect();
            (member, topics)
        }))
    }
}

/// Every case of [`CASES`]; a failure names its case, and every failing
/// case is listed before the test fails.
#[test]
fn plain_groups_get_the_java_answer() {
    let mut failed = Vec::new();
    for case in CASES {
        let got = range(&case.group());
        let want = case.expected();
        if got != want {
            eprintln!("case {:?}:\n  got  {got:?}\n  want {want:?}", case.name);
            failed.push(case.name);
        }
    }
    assert!(failed.is_empty(), "failing cases: {failed:?}");
    assert_eq!(CASES.len(), 11);
}

fn two_topics(p1: i32, p2: i32) -> Group {
    Group::new()
        .with_topic(Topic::new("topic1", p1))
        .with_topic(Topic::new("topic2", p2))
}

#[test]
fn static_members_order_by_instance_id_not_member_id() {
    // "consumer-b" sorts after "consumer-a", but its instance id sorts first.
    let group = two_topics(3, 3)
        .with_member(
            Member::new("consumer-b")
                .with_instance_id("instance1")
                .subscribe(["topic1", "topic2"]),
        )
        .with_member(
            Member::new("consumer-a")
                .with_instance_id("instance2")
                .subscribe(["topic1", "topic2"]),
        );
    let expected = answer([
        (
            "consumer-b",
            vec![("topic1", vec![0, 1]), ("topic2", vec![0, 1])],
        ),
        ("consumer-a", vec![("topic1", vec![2]), ("topic2", vec![2])]),
    ]);
    assert_eq!(range(&group), expected);
}

#[test]
fn static_members_come_before_dynamic_ones() {
    let group = two_topics(3, 3)
        .with_member(
            Member::new("consumer-b")
                .with_instance_id("instance1")
                .subscribe(["topic1", "topic2"]),
        )
        .with_member(Member::new("consumer-a").subscribe(["topic1", "topic2"]));
    let expected = answer([
        (
            "consumer-b",
            vec![("topic1", vec![0, 1]), ("topic2", vec![0, 1])],
        ),
        ("consumer-a", vec![("topic1", vec![2]), ("topic2", vec![2])]),
    ]);
    assert_eq!(range(&group), expected);
}

#[test]
fn static_assignment_persists_when_dynamic_member_is_replaced() {
    let statics = |group: Group| {
        (1..=3).fold(group, |g, i| {
            g.with_member(
                Member::new(format!("consumer{i}"))
                    .with_instance_id(format!("instance{i}"))
                    .subscribe(["topic1", "topic2"]),
            )
        })
    };
    for dynamic in ["consumer4", "consumer5"] {
        let group = statics(two_topics(5, 4))
            .with_member(Member::new(dynamic).subscribe(["topic1", "topic2"]));
        assert_eq!(
            range(&group),
            answer([
                (
                    "consumer1",
                    vec![("topic1", vec![0, 1]), ("topic2", vec![0])]
                ),
                ("consumer2", vec![("topic1", vec![2]), ("topic2", vec![1])]),
                ("consumer3", vec![("topic1", vec![3]), ("topic2", vec![2])]),
                (dynamic, vec![("topic1", vec![4]), ("topic2", vec![3])]),
            ])
        );
    }
}

/// The answer keyed by instance id instead of member id.
fn by_instance(group: &Group, answer: &AnswerMap) -> AnswerMap {
    group
        .members
        .iter()
        .map(|m| (m.instance_id.clone().unwrap(), answer[&m.id].clone()))
        .collect()
}

#[test]
fn static_assignment_persists_after_member_ids_change() {
    let make = |ids: [&str; 3], racks: Option<[&str; 3]>| {
        let mut group = two_topics(5, 5);
        if racks.is_some() {
            // Replication factor 2 over brokers on racks a, b, c, a, b, c.
            let replicas = |_| (0..5).map(|p| [java_rack(p % 3), java_rack((p + 1) % 3)]);
            group.topics = vec![
                Topic::new("topic1", 5).with_replica_racks(replicas(())),
                Topic::new("topic2", 5).with_replica_racks(replicas(())),
            ];
        }
        for (i, id) in ids.iter().enumerate() {
            let mut member = Member::new(*id)
                .with_instance_id(format!("instance{}", i + 1))
                .subscribe(["topic1", "topic2"]);
            if let Some(racks) = racks {
                member = member.with_rack(racks[i]);
            }
            group = group.with_member(member);
        }
        group
    };
    let plain = answer([
        (
            "instance1",
            vec![("topic1", vec![0, 1]), ("topic2", vec![0, 1])],
        ),
        (
            "instance2",
            vec![("topic1", vec![2, 3]), ("topic2", vec![2, 3])],
        ),
        ("instance3", vec![("topic1", vec![4]), ("topic2", vec![4])]),
    ]);
    let rack_aware = answer([
        (
            "instance1",
            vec![("topic1", vec![0, 2]), ("topic2", vec![0, 2])],
        ),
        (
            "instance2",
            vec![("topic1", vec![1, 3]), ("topic2", vec![1, 3])],
        ),
        ("instance3", vec![("topic1", vec![4]), ("topic2", vec![4])]),
    ]);
    for ids in [
        ["consumer1", "consumer2", "consumer3"],
        ["consumer1", "consumer5", "consumer4"],
    ] {
        let group = make(ids, None);
        assert_eq!(by_instance(&group, &range(&group)), plain);
        let group = make(ids, Some(["a", "b", "c"]));
        assert_eq!(by_instance(&group, &range(&group)), rack_aware);
    }
}

// ---------------------------------------------------------------------------
// Rack-aware cases of the Java client's RangeAssignorTest. Brokers sit on the
// listed racks; partition `i` of a topic has its replicas on brokers
// `(i + j + first) % brokers` for `j < rf`, where `first` counts the
// partitions of the topics listed before it. Consumers are `consumer0..`.

const ALL_RACKS: [&str; 6] = ["a", "b", "c", "d", "e", "f"];

fn java_rack(i: usize) -> &'static str {
    ALL_RACKS[i % ALL_RACKS.len()]
}

fn racks(n: usize) -> Vec<Option<&'static str>> {
    (0..n).map(|i| Some(java_rack(i))).collect()
}

fn null_racks(n: usize) -> Vec<Option<&'static str>> {
    vec![None; n]
}

fn rack_group(
    topics: &[(&str, i32)],
    rf: usize,
    broker_racks: &[Option<&str>],
    consumer_racks: &[Option<&str>],
    consumer_topics: &[&[&str]],
) -> Group {
    let mut group = Group::new();
    let mut first = 0;
    for &(name, partitions) in topics {
        let replicas: Vec<Vec<String>> = (0..partitions as usize)
            .map(|i| {
                (0..rf)
                    .map(|j| {
                        // A broker without a rack: a replica with no rack.
                        broker_racks[(i + j + first) % broker_racks.len()]
                            .unwrap_or("")
                            .to_string()
                    })
                    .collect()
            })
            .collect();
        group = group.with_topic(Topic::new(name, partitions).with_replica_racks(replicas));
        first += partitions as usize;
    }
    for (i, (rack, subscribed)) in consumer_racks.iter().zip(consumer_topics).enumerate() {
        let mut member = Member::new(format!("consumer{i}")).subscribe(subscribed.iter().copied());
        if let Some(rack) = rack {
            member = member.with_rack(*rack);
        }
        group = group.with_member(member);
    }
    group
}

/// Parses the Java test's "t1-0, t1-3, t2-0" strings, one per consumer.
fn expected(rows: &[&str]) -> AnswerMap {
    let mut out = AnswerMap::new();
    for (i, row) in rows.iter().enumerate() {
        let member = out.entry(format!("consumer{i}")).or_default();
        for tp in row.split(", ").filter(|s| !s.is_empty()) {
            let (topic, partition) = tp.rsplit_once('-').unwrap();
            member
                .entry(topic.to_string())
                .or_default()
                .push(partition.parse().unwrap());
        }
    }
    for topics in out.values_mut() {
        for partitions in topics.values_mut() {
            partitions.sort_unstable();
        }
    }
    out
}

fn verify(
    topics: &[(&str, i32)],
    rf: usize,
    broker_racks: &[Option<&str>],
    consumer_racks: &[Option<&str>],
    consumer_topics: &[&[&str]],
    rows: &[&str],
) {
    let group = rack_group(topics, rf, broker_racks, consumer_racks, consumer_topics);
    assert_eq!(
        range(&group),
        expected(rows),
        "rf {rf}, brokers {broker_racks:?}, consumers {consumer_racks:?}"
    );
}

/// The Java test's `verifyNonRackAwareAssignment`, without the variant that
/// forces rack-aware logic through a test-only switch.
fn verify_non_rack_aware(topics: &[(&str, i32)], consumer_topics: &[&[&str]], rows: &[&str]) {
    verify(topics, 3, &null_racks(3), &racks(3), consumer_topics, rows);
    verify(topics, 3, &racks(3), &null_racks(3), consumer_topics, rows);
    verify(topics, 3, &racks(3), &racks(3), consumer_topics, rows);
    verify(topics, 4, &racks(4), &racks(3), consumer_topics, rows);
    let def = [Some("d"), Some("e"), Some("f")];
    verify(topics, 3, &racks(3), &def, consumer_topics, rows);
    let none_ef = [None, Some("e"), Some("f")];
    verify(topics, 3, &racks(3), &none_ef, consumer_topics, rows);
}

const T123: &[&str] = &["t1", "t2", "t3"];
const T13: &[&str] = &["t1", "t3"];

#[test]
fn java_rack_aware_uniform_subscription() {
    let topics = [("t1", 6), ("t2", 7), ("t3", 2)];
    let subs: &[&[&str]] = &[T123, T123, T123];
    verify_non_rack_aware(
        &topics,
        subs,
        &[
            "t1-0, t1-1, t2-0, t2-1, t2-2, t3-0",
            "t1-2, t1-3, t2-3, t2-4, t3-1",
            "t1-4, t1-5, t2-5, t2-6",
        ],
    );
    verify(
        &topics,
        1,
        &racks(3),
        &racks(3),
        subs,
        &[
            "t1-0, t1-3, t2-0, t2-3, t2-6",
            "t1-1, t1-4, t2-1, t2-4, t3-0",
            "t1-2, t1-5, t2-2, t2-5, t3-1",
        ],
    );
    verify(
        &topics,
        2,
        &racks(3),
        &racks(3),
        subs,
        &[
            "t1-0, t1-2, t2-0, t2-2, t2-3, t3-1",
            "t1-1, t1-3, t2-1, t2-4, t3-0",
            "t1-4, t1-5, t2-5, t2-6",
        ],
    );
    verify(
        &topics,
        3,
        &racks(2),
        &racks(3),
        subs,
        &[
            "t1-0, t1-1, t2-0, t2-1, t2-2, t3-0",
            "t1-2, t1-3, t2-3, t2-4, t3-1",
            "t1-4, t1-5, t2-5, t2-6",
        ],
    );
}

#[test]
fn java_rack_aware_non_equal_subscription() {
    let topics = [("t1", 6), ("t2", 7), ("t3", 2)];
    let subs: &[&[&str]] = &[T123, T123, T13];
    verify_non_rack_aware(
        &topics,
        subs,
        &[
            "t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0",
            "t1-2, t1-3, t2-4, t2-5, t2-6, t3-1",
            "t1-4, t1-5",
        ],
    );
    verify(
        &topics,
        1,
        &racks(3),
        &racks(3),
        subs,
        &[
            "t1-0, t1-3, t2-0, t2-2, t2-3, t2-6",
            "t1-1, t1-4, t2-1, t2-4, t2-5, t3-0",
            "t1-2, t1-5, t3-1",
        ],
    );
    verify(
        &topics,
        2,
        &racks(3),
        &racks(3),
        subs,
        &[
            "t1-0, t1-2, t2-0, t2-2, t2-3, t2-5, t3-1",
            "t1-1, t1-3, t2-1, t2-4, t2-6, t3-0",
            "t1-4, t1-5",
        ],
    );
    verify(
        &topics,
        3,
        &racks(2),
        &racks(3),
        subs,
        &[
            "t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0",
            "t1-2, t1-3, t2-4, t2-5, t2-6, t3-1",
            "t1-4, t1-5",
        ],
    );
}

#[test]
fn java_rack_aware_uniform_partitions_prefer_co_partitioning() {
    let topics = [("t1", 5), ("t2", 5), ("t3", 5)];
    let subs: &[&[&str]] = &[T123, T123, T123];
    let plain = [
        "t1-0, t1-1, t2-0, t2-1, t3-0, t3-1",
        "t1-2, t1-3, t2-2, t2-3, t3-2, t3-3",
        "t1-4, t2-4, t3-4",
    ];
    verify_non_rack_aware(&topics, subs, &plain);
    verify(&topics, 1, &racks(3), &racks(3), subs, &plain);
    verify(&topics, 2, &racks(3), &racks(3), subs, &plain);
    verify(&topics, 3, &racks(2), &racks(3), subs, &plain);
}

#[test]
fn java_rack_aware_uniform_partitions_non_equal_subscription() {
    let topics = [("t1", 5), ("t2", 5), ("t3", 5)];
    let subs: &[&[&str]] = &[T123, T123, T13];
    verify_non_rack_aware(
        &topics,
        subs,
        &[
            "t1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1",
            "t1-2, t1-3, t2-3, t2-4, t3-2, t3-3",
            "t1-4, t3-4",
        ],
    );
    verify(
        &topics,
        1,
        &racks(3),
        &racks(3),
        subs,
        &[
            "t1-0, t1-1, t2-0, t2-1, t2-4, t3-0, t3-1",
            "t1-2, t1-3, t2-2, t2-3, t3-2, t3-3",
            "t1-4, t3-4",
        ],
    );
    verify(
        &topics,
        2,
        &racks(3),
        &racks(3),
        subs,
        &[
            "t1-2, t2-0, t2-1, t2-3, t3-2",
            "t1-0, t1-3, t2-2, t2-4, t3-0, t3-3",
            "t1-1, t1-4, t3-1, t3-4",
        ],
    );
    verify(
        &topics,
        3,
        &racks(2),
        &racks(3),
        subs,
        &[
            "t1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1",
            "t1-2, t1-3, t2-3, t2-4, t3-2, t3-3",
            "t1-4, t3-4",
        ],
    );
}

#[test]
fn java_rack_aware_co_partitioning() {
    let topics = [("t1", 6), ("t2", 6), ("t3", 2), ("t4", 2)];
    let t12: &[&str] = &["t1", "t2"];
    let t34: &[&str] = &["t3", "t4"];
    let subs: &[&[&str]] = &[t12, t12, t34, t34];
    let consumer_racks = [Some("a"), Some("b"), Some("b"), Some("a")];
    let plain = [
        "t1-0, t1-1, t1-2, t2-0, t2-1, t2-2",
        "t1-3, t1-4, t1-5, t2-3, t2-4, t2-5",
        "t3-0, t4-0",
        "t3-1, t4-1",
    ];
    verify(&topics, 3, &racks(2), &consumer_racks, subs, &plain);
    verify(&topics, 2, &racks(2), &consumer_racks, subs, &plain);
    verify(
        &topics,
        1,
        &racks(2),
        &consumer_racks,
        subs,
        &[
            "t1-0, t1-2, t1-4, t2-0, t2-2, t2-4",
            "t1-1, t1-3, t1-5, t2-1, t2-3, t2-5",
            "t3-1, t4-1",
            "t3-0, t4-0",
        ],
    );

    let all: &[&str] = &["t1", "t2", "t3", "t4"];
    let subs: &[&[&str]] = &[all, all, all, all];
    let plain = [
        "t1-0, t1-1, t2-0, t2-1, t3-0, t4-0",
        "t1-2, t1-3, t2-2, t2-3, t3-1, t4-1",
        "t1-4, t2-4",
        "t1-5, t2-5",
    ];
    verify(&topics, 3, &racks(2), &consumer_racks, subs, &plain);
    verify(&topics, 2, &racks(2), &consumer_racks, subs, &plain);
    verify(
        &topics,
        1,
        &racks(2),
        &consumer_racks,
        subs,
        &[
            "t1-0, t1-2, t2-0, t2-2, t3-0, t4-0",
            "t1-1, t1-3, t2-1, t2-3, t3-1, t4-1",
            "t1-5, t2-5",
            "t1-4, t2-4",
        ],
    );
    verify(
        &topics,
        1,
        &racks(3),
        &consumer_racks,
        subs,
        &[
            "t1-0, t1-3, t2-0, t2-3, t3-0, t4-0",
            "t1-1, t1-4, t2-1, t2-4, t3-1, t4-1",
            "t1-2, t2-2",
            "t1-5, t2-5",
        ],
    );
}

#[test]
fn java_co_partitioned_assignment_with_same_subscription() {
    let topics = [
        ("t1", 6),
        ("t2", 6),
        ("t3", 2),
        ("t4", 2),
        ("t5", 4),
        ("t6", 4),
    ];
    // t7..t9 are subscribed but missing from the metadata.
    let all: &[&str] = &["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"];
    let subs: &[&[&str]] = &[all, all, all];
    let consumer_racks = [Some("a"), Some("b"), Some("c")];
    verify(
        &topics,
        3,
        &null_racks(3),
        &consumer_racks,
        subs,
        &[
            "t1-0, t1-1, t2-0, t2-1, t3-0, t4-0, t5-0, t5-1, t6-0, t6-1",
            "t1-2, t1-3, t2-2, t2-3, t3-1, t4-1, t5-2, t6-2",
            "t1-4, t1-5, t2-4, t2-5, t5-3, t6-3",
        ],
    );
    verify(
        &topics,
        2,
        &racks(3),
        &consumer_racks,
        subs,
        &[
            "t1-0, t1-2, t2-0, t2-2, t3-0, t4-0, t5-1, t6-1",
            "t1-1, t1-3, t2-1, t2-3, t3-1, t4-1, t5-2, t6-2",
            "t1-4, t1-5, t2-4, t2-5, t5-0, t5-3, t6-0, t6-3",
        ],
    );
}

#[test]
fn co_partitioned_topics_without_replica_racks_favour_members_without_racks() {
    // Java keys topic groups by the partition-rack map's size, which is the
    // partition count as soon as a subscriber has a rack, even when the
    // metadata has no racks for the topic. Such co-partitioned topics then
    // match only members without a rack. "x" needs rack-aware assignment,
    // which switches the logic on for the whole group.
    let group = Group::new()
        .with_topic(Topic::new("A", 2))
        .with_topic(Topic::new("B", 2))
        .with_topic(Topic::new("x", 2).with_replica_racks([["r1"], ["r2"]]))
        .with_member(Member::new("C1").with_rack("r1").subscribe(["A", "B"]))
        .with_member(Member::new("C2").subscribe(["A", "B"]))
        .with_member(Member::new("C3").with_rack("r2").subscribe(["x"]));
    assert_eq!(
        range(&group),
        answer([
            ("C1", vec![("A", vec![1]), ("B", vec![1])]),
            ("C2", vec![("A", vec![0]), ("B", vec![0])]),
            ("C3", vec![("x", vec![0, 1])]),
        ])
    );
}

#[test]
fn empty_member_rack_means_no_rack() {
    let group = Group::new()
        .with_topic(Topic::new("T", 2).with_replica_racks([["r1"], ["r2"]]))
        .with_member(Member::new("C1").with_rack("").subscribe(["T"]))
        .with_member(Member::new("C2").with_rack("r1").subscribe(["T"]));
    // C1 has no rack and takes the first partition; C2 on r1 takes what is left.
    assert_eq!(
        range(&group),
        answer([("C1", vec![("T", vec![0])]), ("C2", vec![("T", vec![1])])])
    );
    let group = Group::new()
        .with_topic(Topic::new("T", 2).with_replica_racks([["r2"], ["r1"]]))
        .with_member(Member::new("C1").with_rack("r1").subscribe(["T"]))
        .with_member(Member::new("C2").with_rack("").subscribe(["T"]));
    // C1 on r1 takes partition 1, whose replica is on r1.
    assert_eq!(
        range(&group),
        answer([("C1", vec![("T", vec![1])]), ("C2", vec![("T", vec![0])])])
    );
}

// ---------------------------------------------------------------------------
// Errors.

#[test]
fn duplicate_member_id_is_named() {
    let group = Group::new()
        .with_topic(Topic::new("T", 1))
        .with_member(Member::new("C1").subscribe(["T"]))
        .with_member(Member::new("C1").subscribe(["T"]));
    let err = RangeAssignor.assign(&group).unwrap_err();
    assert_eq!(
        err.kind(),
        &AssignErrorKind::DuplicateMember {
            member: "C1".into()
        }
    );
    assert!(err.to_string().contains("\"C1\""), "{err}");
}

#[test]
fn duplicate_instance_id_is_named() {
    let group = Group::new()
        .with_member(Member::new("C2").with_instance_id("i"))
        .with_member(Member::new("C1").with_instance_id("i"));
    let err = RangeAssignor.assign(&group).unwrap_err();
    assert_eq!(
        err.kind(),
        &AssignErrorKind::DuplicateInstanceId {
            instance_id: "i".into(),
            first: "C1".into(),
            second: "C2".into(),
        }
    );
    assert!(err.to_string().contains("\"i\""), "{err}");
}

#[test]
fn negative_partition_count_is_named() {
    let group = Group::new()
        .with_topic(Topic::new("bad", -3))
        .with_member(Member::new("C1").subscribe(["bad"]));
    let err = RangeAssignor.assign(&group).unwrap_err();
    assert_eq!(
        err.kind(),
        &AssignErrorKind::NegativePartitionCount {
            topic: "bad".into(),
            partitions: -3
        }
    );
    assert!(err.to_string().contains("-3"), "{err}");
}

#[test]
fn rack_list_length_mismatch_is_named() {
    let group = Group::new()
        .with_topic(Topic::new("T", 3).with_replica_racks([["a"], ["b"]]))
        .with_member(Member::new("C1").with_rack("a").subscribe(["T"]));
    let err = RangeAssignor.assign(&group).unwrap_err();
    assert_eq!(
        err.kind(),
        &AssignErrorKind::RackListLength {
            topic: "T".into(),
            partitions: 3,
            rack_lists: 2
        }
    );
    assert!(err.to_string().contains("\"T\""), "{err}");
}

#[test]
fn owned_partitions_do_not_change_the_answer() {
    let plain = two_topics(3, 3)
        .with_member(Member::new("C1").subscribe(["topic1", "topic2"]))
        .with_member(Member::new("C2").subscribe(["topic1", "topic2"]));
    let mut owned = plain.clone();
    owned.members[0] = owned.members[0]
        .clone()
        .with_owned("topic1", [2, 9])
        .with_owned("ghost", [0])
        .with_generation(7);
    owned.members[1] = owned.members[1].clone().with_owned("topic2", [0, 1]);
    assert_eq!(range(&owned), range(&plain));
}
