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
