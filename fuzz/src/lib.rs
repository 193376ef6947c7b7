//! Shared pieces of the fuzz targets: reading a group from the fuzzer's
//! bytes and the bodies of the targets. The generator, the shuffle, the
//! validity checks, the owner rule and the exhaustive sticky oracle are the
//! test kit's (`kafka-assignors-testkit`), the same the tests use.

use arbitrary::{Arbitrary, Unstructured};
use kafka_assignors::{
    Assignment, Assignor, Group, MAX_PARTITIONS, RackMatch, StickyAssignor, Strategy,
};
use kafka_assignors_testkit::Tp;
use kafka_assignors_testkit::check::{assert_valid, placement};
use kafka_assignors_testkit::owners::{highest_claimants, withheld};
use kafka_assignors_testkit::reference;
use kafka_assignors_testkit::rng::shuffled;

/// Partitions a JSON input may ask for in topics the strategies would
/// accept; more would only make slow runs, not new paths.
const JSON_PARTITION_CAP: u64 = 20_000;

/// A group and the bytes left to shuffle it with.
#[derive(Debug)]
pub struct GroupInput {
    /// The group.
    pub group: Group,
    /// Seed for the shuffle and other choices.
    pub seed: u64,
}

/// Reads a group: a scenario JSON document when the bytes start with `{`
/// (so the seed corpora are the project's example groups), structured
/// `Arbitrary` data otherwise.
pub fn group_input(data: &[u8]) -> Option<GroupInput> {
    if data.first() == Some(&b'{') {
        let group: Group = serde_json::from_slice(data).ok()?;
        let accepted: u64 = group
            .topics
            .iter()
            .filter(|t| u64::try_from(t.partitions).is_ok_and(|p| p <= MAX_PARTITIONS))
            .map(|t| t.partitions as u64)
            .sum();
        if accepted > JSON_PARTITION_CAP {
            return None;
        }
        let seed = data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        return Some(GroupInput { group, seed });
    }
    let mut u = Unstructured::new(data);
    let group = Group::arbitrary(&mut u).ok()?;
    let seed = u64::arbitrary(&mut u).unwrap_or(0);
    Some(GroupInput { group, seed })
}

fn assign(strategy: Strategy, group: &Group) -> Result<Assignment, kafka_assignors::AssignError> {
    strategy.assign(group)
}

/// The body of the `assign_*` targets: no panic, the same answer (or the
/// same error) for the shuffled group, and the strategy's invariants.
pub fn check_strategy(strategy: Strategy, data: &[u8]) {
    let Some(GroupInput { group, seed }) = group_input(data) else {
        return;
    };
    let answer = assign(strategy, &group);
    let again = assign(strategy, &shuffled(&group, seed));
    assert_eq!(
        answer, again,
        "{strategy}: the answer depends on the order of the input"
    );
    let Ok(answer) = answer else {
        return;
    };
    match strategy {
        Strategy::CooperativeSticky => check_cooperative(&group, &answer),
        _ => assert_valid(&group, &answer, true),
    }
}

/// Cooperative: valid; a partition claimed at the highest generation goes
/// to nobody but its one such claimant (subscribed or not); and the answer
/// is exactly the eager answer less what that withholds.
fn check_cooperative(group: &Group, answer: &Assignment) {
    assert_valid(group, answer, false);
    let claimants = highest_claimants(group);
    let withheld = |tp: &Tp, member: &String| withheld(&claimants, tp, member);
    let given = placement(answer);
    for (tp, member) in &given {
        assert!(
            !withheld(tp, member),
            "{tp:?} was given to {member} while {:?} may still read it",
            claimants.get(tp)
        );
    }
    let eager = StickyAssignor::new()
        .assign(group)
        .expect("eager sticky accepts what cooperative accepts");
    let target = placement(&eager);
    for (tp, member) in &target {
        assert_eq!(
            given.get(tp),
            (!withheld(tp, member)).then_some(member),
            "cooperative differs from eager less the withheld at {tp:?}"
        );
    }
    assert!(given.keys().all(|tp| target.contains_key(tp)));
}

/// Cuts a group down to at most `members` members and `partitions`
/// partitions in all, keeping rack lists consistent when they were.
pub fn shrink(mut group: Group, members: usize, partitions: i32) -> Group {
    group.members.truncate(members);
    let mut budget = partitions;
    for topic in &mut group.topics {
        let old = topic.partitions;
        let new = old.clamp(0, budget);
        budget -= new;
        topic.partitions = new;
        if let Some(racks) = &mut topic.replica_racks
            && usize::try_from(old).is_ok_and(|old| old == racks.len())
        {
            racks.truncate(new as usize);
        }
    }
    group
}

/// The body of `sticky_differential`: sticky against the exhaustive
/// reference on tiny groups.
pub fn check_sticky_optimum(data: &[u8]) {
    let Some(GroupInput { group, seed }) = group_input(data) else {
        return;
    };
    let group = shrink(group, 4, 8);
    let rack_match = if seed & 1 == 0 {
        RackMatch::AnyReplica
    } else {
        RackMatch::Leader
    };
    let sticky = StickyAssignor::new().with_rack_match(rack_match);
    let Ok(answer) = sticky.assign(&group) else {
        return;
    };
    assert_valid(&group, &answer, true);
    let problem = reference::Problem::new(&group, rack_match);
    let got = problem.cost_of_answer(&answer);
    let best = problem.best();
    assert_eq!(
        got, best,
        "sticky ({rack_match:?}) is not at the optimum for {group:?}\nanswer {answer:?}"
    );
}

#[cfg(test)]
mod tests {
    use kafka_assignors_testkit::owners::{contested, owners};
    use kafka_assignors_testkit::rng::SplitMix64;

    use super::*;

    fn random_inputs(n: usize) -> impl Iterator<Item = Vec<u8>> {
        let mut rng = SplitMix64::new(7);
        // Never a leading `{`, which would ask for JSON.
        (0..n).map(move |_| {
            let mut data: Vec<u8> = (0..512).map(|_| rng.next_u64() as u8).collect();
            if data[0] == b'{' {
                data[0] = 0;
            }
            data
        })
    }

    /// A generator that made only invalid groups, or only trivial ones,
    /// would leave the strategies untested while the targets look green.
    #[test]
    fn arbitrary_groups_are_mostly_accepted_and_not_trivial() {
        let (mut accepted, mut owned, mut contested_groups, mut racks) = (0, 0, 0, 0);
        let inputs = 2000;
        for data in random_inputs(inputs) {
            let input = group_input(&data).expect("structured input");
            let Ok(answer) = Strategy::Sticky.assign(&input.group) else {
                continue;
            };
            if answer.assigned_partitions() > 0 && input.group.members.len() > 1 {
                accepted += 1;
            }
            owned += usize::from(!owners(&input.group).is_empty());
            contested_groups += usize::from(!contested(&input.group).is_empty());
            racks += usize::from(input.group.topics.iter().any(|t| t.replica_racks.is_some()));
        }
        println!("{accepted} {owned} {contested_groups} {racks} of {inputs}");
        assert!(accepted > inputs / 3, "{accepted} of {inputs} accepted");
        assert!(owned > inputs / 4, "{owned} of {inputs} with owners");
        assert!(
            contested_groups > inputs / 20,
            "{contested_groups} contested"
        );
        assert!(racks > inputs / 10, "{racks} with racks");
    }

    #[test]
    fn shrunk_groups_reach_the_reference_with_work_to_do() {
        let mut compared = 0;
        for data in random_inputs(2000) {
            let input = group_input(&data).expect("structured input");
            let group = shrink(input.group, 4, 8);
            if StickyAssignor::new().assign(&group).is_ok()
                && reference::Problem::new(&group, RackMatch::AnyReplica)
                    .best()
                    .moves
                    > 0
            {
                compared += 1;
            }
        }
        assert!(compared > 100, "only {compared} groups with moves");
    }
}
