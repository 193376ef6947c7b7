//! `Group::ownership` against the test kit's owner-rule oracle: the same
//! owners, and the same moves for every strategy's answer.

use kafka_assignors::{Assignor, RebalanceProtocol, Strategy};
use kafka_assignors_testkit::owners::{moves, owners};
use kafka_assignors_testkit::strategies::{Shape, arb_group, tiny_group};
use proptest::prelude::{ProptestConfig, Strategy as _, prop_assert_eq, prop_oneof, proptest};

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Tiny groups make claims collide (ties at one generation); messy ones
    /// bring unknown topics and partitions out of range.
    #[test]
    fn ownership_follows_the_owner_rule(group in prop_oneof![
        tiny_group().boxed(),
        arb_group(Shape { uniform: true, ..Shape::default() }).boxed(),
        arb_group(Shape::default()).boxed(),
    ]) {
        let Ok(ownership) = group.ownership() else {
            prop_assert_eq!(Strategy::Range.assign(&group).is_err(), true);
            return Ok(());
        };
        let oracle = owners(&group);
        prop_assert_eq!(ownership.owned(), oracle.len());
        let subscribed: u64 = group
            .topics
            .iter()
            .filter(|t| group.members.iter().any(|m| m.topics.contains(&t.name)))
            .map(|t| t.partitions as u64)
            .sum();
        prop_assert_eq!(ownership.partitions(), subscribed);
        for strategy in Strategy::ALL {
            let answer = strategy.assign(&group).unwrap();
            prop_assert_eq!(ownership.moved_by(&answer), moves(&group, &answer), "{}", strategy);
        }
        // An answer that gives nothing moves every owned partition.
        let nothing = kafka_assignors::Assignment::from_members(Vec::<(String, Vec<(String, Vec<i32>)>)>::new());
        prop_assert_eq!(ownership.moved_by(&nothing), oracle.len());
    }

    /// A settled answer assigns every subscribed partition, its moves are
    /// the oracle's, and only a cooperative strategy holds any back.
    #[test]
    fn a_settled_answer_assigns_everything_and_counts_its_moves(group in prop_oneof![
        tiny_group().boxed(),
        arb_group(Shape { uniform: true, ..Shape::default() }).boxed(),
        arb_group(Shape::default()).boxed(),
    ]) {
        let Ok(ownership) = group.ownership() else {
            return Ok(());
        };
        for strategy in Strategy::ALL {
            let first = strategy.assign(&group).unwrap();
            let withheld = ownership.partitions() as usize - first.assigned_partitions();
            let settled = ownership.settle(&group, &strategy, first).unwrap();
            let cooperative = strategy.supported_protocols().last() == Some(&RebalanceProtocol::Cooperative);
            prop_assert_eq!(settled.held_back, cooperative.then_some(withheld), "{}", strategy);
            prop_assert_eq!(settled.assignment.assigned_partitions() as u64, ownership.partitions(), "{}", strategy);
            prop_assert_eq!(settled.moved, moves(&group, &settled.assignment), "{}", strategy);
            let sizes: Vec<usize> = settled.assignment.members().map(|m| m.len()).collect();
            let loads = settled.assignment.loads();
            prop_assert_eq!(loads.min, sizes.iter().copied().min().unwrap_or(0));
            prop_assert_eq!(loads.max, sizes.iter().copied().max().unwrap_or(0));
            prop_assert_eq!(loads.idle, sizes.iter().filter(|&&n| n == 0).count());
        }
    }
}
