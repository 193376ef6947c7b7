//! A `Leader` kept across rebalances answers each one as `lead` does from
//! fresh memory: nothing of a rebalance before (its group, its answer, its
//! bytes, an error) leaks into the next, whatever the strategy or group.

use kafka_assignors::Strategy;
use kafka_assignors::protocol::{Leader, lead};
use kafka_assignors_testkit::join::joined;
use kafka_assignors_testkit::shapes::own_names;
use kafka_assignors_testkit::strategies::{Shape, arb_group};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn a_kept_leader_answers_as_a_fresh_one(
        groups in proptest::collection::vec(arb_group(Shape::default()), 1..4),
    ) {
        let mut leader = Leader::new();
        for (g, group) in groups.iter().enumerate() {
            let group = own_names(group);
            for strategy in Strategy::ALL {
                let members = joined(&group, strategy);
                let fresh = lead(strategy, &members, group.topics.clone());
                let kept = leader.lead(strategy, &members, group.topics.clone());
                match (fresh, kept) {
                    (Ok(fresh), Ok(kept)) => {
                        prop_assert_eq!(&fresh.assignment, kept.assignment(), "group {} {}", g, strategy);
                        prop_assert_eq!(fresh.decoded(), kept.decoded());
                        let sync: Vec<(String, Vec<u8>)> = kept
                            .sync()
                            .map(|(id, bytes)| (id.to_string(), bytes.to_vec()))
                            .collect();
                        prop_assert_eq!(&fresh.sync, &sync, "group {} {}", g, strategy);
                    }
                    (Err(fresh), Err(kept)) => prop_assert_eq!(fresh, kept),
                    (fresh, kept) => prop_assert!(
                        false,
                        "group {} {}: fresh {:?}, kept {:?}",
                        g,
                        strategy,
                        fresh.map(|_| ()),
                        kept.map(|_| ())
                    ),
                }
            }
        }
    }
}

/// Growing and shrinking groups through one leader: the kept lists are
/// larger or smaller than the next answer needs.
#[test]
fn a_kept_leader_follows_groups_that_grow_and_shrink() {
    use kafka_assignors::{Member, Topic};
    let mut leader = Leader::new();
    for members in [3usize, 40, 1, 17, 0, 5] {
        let topics = vec![Topic::new("a", 30), Topic::new("b", 7)];
        let mut group = kafka_assignors::Group::new();
        group.topics = topics.clone();
        group.members = (0..members)
            .map(|i| {
                let mut m = Member::new(format!("m{i:02}"));
                m.topics = vec!["a".into(), "b".into()];
                m
            })
            .collect();
        for strategy in Strategy::ALL {
            let joined = joined(&group, strategy);
            let fresh = lead(strategy, &joined, topics.clone()).unwrap();
            let kept = leader.lead(strategy, &joined, topics.clone()).unwrap();
            assert_eq!(&fresh.assignment, kept.assignment(), "{members} {strategy}");
            assert_eq!(kept.sync().len(), members);
            for ((id, bytes), (kept_id, kept_bytes)) in fresh.sync.iter().zip(kept.sync()) {
                assert_eq!((id.as_str(), bytes.as_slice()), (kept_id, kept_bytes));
            }
        }
    }
}
