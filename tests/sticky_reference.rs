//! The sticky strategies against the test kit's exhaustive oracle
//! (`kafka_assignors_testkit::reference`) on tiny groups.
//!
//! The oracle enumerates every valid assignment and keeps the lexicographic
//! minimum of (sum of squared loads, remote partitions, moved owned
//! partitions). It shares no code with the solver: ownership, the rack gate
//! and the cost are written again there, the obvious way.

use kafka_assignors::{
    Assignment, Assignor, CooperativeStickyAssignor, Group, Member, RackMatch, StickyAssignor,
    Topic,
};
use kafka_assignors_testkit::check::{assert_valid, placement, without_history};
use kafka_assignors_testkit::owners::{highest_claimants, withheld};
use kafka_assignors_testkit::reference::{Cost, Problem};
use kafka_assignors_testkit::rng::SplitMix64;
use kafka_assignors_testkit::strategies::tiny_group;
use proptest::prelude::*;

fn cost(group: &Group, rack_match: RackMatch, answer: &Assignment) -> Cost {
    Problem::new(group, rack_match).cost_of_answer(answer)
}

fn best_cost(group: &Group, rack_match: RackMatch) -> Cost {
    Problem::new(group, rack_match).best()
}

fn check_optimal(group: &Group, rack_match: RackMatch) -> Result<(), TestCaseError> {
    let sticky = StickyAssignor::new().with_rack_match(rack_match);
    let answer = sticky.assign(group).unwrap();
    assert_valid(group, &answer, true);
    let got = cost(group, rack_match, &answer);
    let best = best_cost(group, rack_match);
    prop_assert_eq!(
        got,
        best,
        "sticky is not at the optimum for {:?}\nanswer {:?}",
        group,
        answer
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn sticky_reaches_the_lexicographic_optimum(group in tiny_group()) {
        check_optimal(&group, RackMatch::AnyReplica)?;
    }

    #[test]
    fn sticky_reaches_the_optimum_with_leader_racks(group in tiny_group()) {
        check_optimal(&group, RackMatch::Leader)?;
    }

    #[test]
    fn cooperative_withholds_exactly_what_moves(group in tiny_group()) {
        let eager = StickyAssignor::new().assign(&group).unwrap();
        let coop = CooperativeStickyAssignor::new().assign(&group).unwrap();
        assert_valid(&group, &coop, false);
        // A partition claimed at the highest generation goes to nobody but
        // its one such claimant, whether or not that claimant subscribes.
        let claimants = highest_claimants(&group);
        let target = placement(&eager);
        let given = placement(&coop);
        for (tp, m) in &target {
            let withheld = withheld(&claimants, tp, m);
            prop_assert_eq!(given.get(tp), (!withheld).then_some(m), "partition {:?}", tp);
        }
        prop_assert!(given.keys().all(|tp| target.contains_key(tp)));
    }

    #[test]
    fn cooperative_converges_in_two_rounds(group in tiny_group()) {
        let coop = CooperativeStickyAssignor::new();
        let first = coop.assign(&group).unwrap();
        let second_group = group.next_generation(&first);
        let second = coop.assign(&second_group).unwrap();
        assert_valid(&second_group, &second, true);
        let best = best_cost(&without_history(&group), RackMatch::AnyReplica);
        let got = cost(&second_group, RackMatch::AnyReplica, &second);
        prop_assert_eq!((got.squares, got.remote), (best.squares, best.remote));
        let third = coop.assign(&second_group.next_generation(&second)).unwrap();
        prop_assert_eq!(third, second);
    }

    /// Members return with what they were given, each list in any order
    /// and naming topics by the metadata's own `Arc`s, as a decoded group
    /// may; one member may have left, and one subscribed like the first
    /// may have joined.
    #[test]
    fn sticky_reaches_the_optimum_from_any_order_of_history(
        group in tiny_group(),
        seed in any::<u64>(),
        leaves in any::<Option<prop::sample::Index>>(),
        joins in any::<bool>(),
    ) {
        let first = StickyAssignor::new().assign(&group).unwrap();
        let mut next = rejoin_in_any_order(&group, &first, seed);
        if let Some(leaver) = leaves {
            next.members.remove(leaver.index(next.members.len()));
        }
        if joins && let Some(like) = next.members.first() {
            let topics = like.topics.clone();
            next = next.with_member(Member::new("joiner").subscribe(topics));
        }
        check_optimal(&next, RackMatch::AnyReplica)?;
    }

    #[test]
    fn sticky_is_stable_on_its_own_answer(group in tiny_group()) {
        let sticky = StickyAssignor::new();
        let first = sticky.assign(&group).unwrap();
        let again = sticky.assign(&group.next_generation(&first)).unwrap();
        prop_assert_eq!(again, first);
    }
}

/// The next generation, with each owned list shuffled by `seed` and naming its
/// topics by the metadata's `Arc`s.
fn rejoin_in_any_order(group: &Group, answer: &Assignment, seed: u64) -> Group {
    let mut next = group.next_generation(answer);
    let mut rng = SplitMix64::new(seed);
    for m in &mut next.members {
        for tp in &mut m.owned {
            let topic = group.topics.iter().find(|t| t.name == tp.topic).unwrap();
            tp.topic = topic.name.clone();
        }
        rng.shuffle(&mut m.owned);
    }
    next
}

#[test]
fn chain_of_moves_balances_what_java_accepts() {
    // A {t1} owns 3, B {t1, t2} owns 2, C {t2} owns 1: no single move helps,
    // the chain A -> B -> C gives (2, 2, 2) with two moves.
    let group = Group::new()
        .with_topic(Topic::new("t1", 4))
        .with_topic(Topic::new("t2", 2))
        .with_member(
            Member::new("A")
                .subscribe(["t1"])
                .with_owned("t1", [0, 1, 2])
                .with_generation(1),
        )
        .with_member(
            Member::new("B")
                .subscribe(["t1", "t2"])
                .with_owned("t1", [3])
                .with_owned("t2", [0])
                .with_generation(1),
        )
        .with_member(
            Member::new("C")
                .subscribe(["t2"])
                .with_owned("t2", [1])
                .with_generation(1),
        );
    let answer = StickyAssignor::new().assign(&group).unwrap();
    let loads: Vec<usize> = answer.members().map(|m| m.len()).collect();
    assert_eq!(loads, vec![2, 2, 2]);
    let c = cost(&group, RackMatch::AnyReplica, &answer);
    assert_eq!(c.moves, 2);
}
