//! The leader's path from bytes and `assign` on the model give the same
//! answer whether members share the metadata's names or hold their own, and
//! the leader's SyncGroup bytes are what `AssignmentData::encode` writes.

use std::sync::Arc;

use kafka_assignors::protocol::{AssignmentData, lead};
use kafka_assignors::{Assignor, Strategy, TopicPartition};
use kafka_assignors_testkit::join::joined;
use kafka_assignors_testkit::shapes::own_names;
use kafka_assignors_testkit::strategies::{Shape, arb_group};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn shared_and_own_names_give_one_answer(group in arb_group(Shape::default())) {
        let own = own_names(&group);
        for strategy in Strategy::ALL {
            let shared = strategy.assign(&group);
            let copied = strategy.assign(&own);
            prop_assert_eq!(&shared, &copied, "{}", strategy);
            if copied.is_err() {
                continue;
            }
            // The leader answers what `assign` answers on what it decoded.
            let led = lead(strategy, &joined(&own, strategy), own.topics.clone())
                .expect("the leader accepts what assign accepts");
            // The decoded group goes straight to the strategy; the model's
            // group it stands for gets the same answer.
            let decoded = led.group();
            prop_assert_eq!(&led.assignment, &strategy.assign(&decoded).unwrap());
            for (member, bytes) in &led.sync {
                let given = led.assignment.member(member).unwrap();
                let expected = AssignmentData::new(
                    given.iter().map(|(t, p)| TopicPartition::new(t, p)),
                )
                .encode()
                .unwrap();
                prop_assert_eq!(bytes, &expected, "sync bytes of {}", member);
            }
            // Decoded names are the metadata's own allocations.
            for m in &decoded.members {
                for topic in &m.topics {
                    if let Some(meta) = decoded.topic(topic) {
                        prop_assert!(Arc::ptr_eq(&meta.name, topic));
                    }
                }
            }
        }
    }
}

/// Owned lists that skip far along the subscription (more topics than the
/// reader compares in a row before it looks a name up), out of name order,
/// repeating topics and naming topics the member does not subscribe to:
/// every strategy answers the same with the metadata's names shared and
/// with each member's own, and what was owned is read (the sticky answers
/// keep it).
#[test]
fn owned_lists_far_apart_read_alike_with_own_names() {
    let names: Vec<String> = (0..40).map(|t| format!("topic-{t:02}")).collect();
    let mut group = kafka_assignors::Group::new();
    for name in &names {
        group = group.with_topic(kafka_assignors::Topic::new(name.as_str(), 2));
    }
    let but_21: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|&n| n != "topic-21")
        .collect();
    let all: Vec<&str> = names.iter().map(String::as_str).collect();
    let a = kafka_assignors::Member::new("a")
        .subscribe(all.iter().copied())
        .with_generation(3)
        .with_owned("topic-00", [0])
        .with_owned("topic-11", [1])
        .with_owned("topic-30", [0, 1])
        .with_owned("topic-31", [0])
        .with_owned("topic-05", [1])
        .with_owned("topic-39", [1]);
    // `b` owns a topic it does not subscribe to, far on.
    let b = kafka_assignors::Member::new("b")
        .subscribe(but_21.iter().copied())
        .with_generation(3)
        .with_owned("topic-02", [0])
        .with_owned("topic-21", [0])
        .with_owned("topic-38", [0, 1]);
    let group = group.with_member(a).with_member(b);
    let own = own_names(&group);
    for strategy in Strategy::ALL {
        let shared = strategy.assign(&group).unwrap();
        assert_eq!(shared, strategy.assign(&own).unwrap(), "{strategy}");
    }
    let sticky = Strategy::Sticky.assign(&own).unwrap();
    let a = sticky.member("a").unwrap();
    for (topic, partition) in [
        ("topic-00", 0),
        ("topic-11", 1),
        ("topic-30", 0),
        ("topic-30", 1),
        ("topic-31", 0),
        ("topic-05", 1),
        ("topic-39", 1),
    ] {
        assert!(
            a.partitions(topic).contains(&partition),
            "a keeps {topic}-{partition}"
        );
    }
    let b = sticky.member("b").unwrap();
    assert!(b.partitions("topic-02").contains(&0));
    assert_eq!(b.partitions("topic-38"), &[0, 1]);
    assert!(
        b.partitions("topic-21").is_empty(),
        "b does not subscribe to topic-21"
    );
}
