//! Shared pieces of the fuzz targets: reading a group from the fuzzer's
//! bytes, shuffling it, the invariants every strategy keeps, and an
//! exhaustive sticky reference for tiny groups.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use arbitrary::{Arbitrary, Unstructured};
use kafka_assignors::{
    Assignment, Assignor, Group, MAX_PARTITIONS, RackMatch, StickyAssignor, Strategy,
};

pub mod reference;

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

/// SplitMix64: a tiny deterministic generator for shuffles.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Fisher-Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// The same group with topics, members and every member's lists in another
/// order. Replica rack lists are indexed by partition and lead with the
/// leader's rack, so they keep their order.
pub fn shuffled(group: &Group, seed: u64) -> Group {
    let mut rng = Rng::new(seed);
    let mut out = group.clone();
    rng.shuffle(&mut out.topics);
    rng.shuffle(&mut out.members);
    for member in &mut out.members {
        rng.shuffle(&mut member.topics);
        rng.shuffle(&mut member.owned);
    }
    out
}

/// Partition counts of the metadata (only meaningful once a strategy has
/// accepted the group: names unique, counts not negative).
fn counts(group: &Group) -> BTreeMap<&str, i32> {
    group
        .topics
        .iter()
        .map(|t| (&*t.name, t.partitions))
        .collect()
}

/// Every (topic, partition) of an accepted group that some member subscribes
/// to.
pub fn assignable(group: &Group) -> BTreeSet<(String, i32)> {
    let subscribed: BTreeSet<&str> = group
        .members
        .iter()
        .flat_map(|m| m.topics.iter().map(|t| &**t))
        .collect();
    let mut out = BTreeSet::new();
    for topic in &group.topics {
        if subscribed.contains(&*topic.name) {
            for p in 0..topic.partitions {
                out.insert((topic.name.to_string(), p));
            }
        }
    }
    out
}

/// Partition -> member, asserting no partition is given twice.
pub fn placement(answer: &Assignment) -> BTreeMap<(String, i32), String> {
    let mut out = BTreeMap::new();
    for m in answer.members() {
        for (topic, p) in m.iter() {
            let previous = out.insert((topic.to_string(), p), m.id().to_string());
            assert!(previous.is_none(), "{topic}-{p} is assigned twice");
        }
    }
    assert_eq!(out.len(), answer.assigned_partitions());
    out
}

/// Every member appears; every assigned partition exists, is subscribed by
/// its member and is given once; with `complete`, every partition of a
/// subscribed topic is given.
pub fn assert_valid(group: &Group, answer: &Assignment, complete: bool) {
    assert_eq!(answer.len(), group.members.len(), "every member appears");
    for member in &group.members {
        assert!(
            answer.member(&member.id).is_some(),
            "member {:?} is missing from the answer",
            member.id
        );
    }
    let counts = counts(group);
    let where_ = placement(answer);
    for ((topic, p), id) in &where_ {
        let count = counts.get(topic.as_str()).copied();
        assert!(
            count.is_some_and(|n| (0..n).contains(p)),
            "{topic}-{p} does not exist (count {count:?})"
        );
        let member = group.member(id).expect("assigned to a member of the group");
        assert!(
            member.topics.iter().any(|t| **t == **topic),
            "{id} got {topic}-{p} but does not subscribe to {topic}"
        );
    }
    if complete {
        let all = assignable(group);
        assert_eq!(
            where_.len(),
            all.len(),
            "not every subscribed partition is assigned"
        );
    }
}

/// The previous owner of each partition: the unique highest-generation
/// claimant among members that subscribe to the partition's existing topic
/// and name a partition in range.
pub fn valid_owners(group: &Group) -> BTreeMap<(String, i32), String> {
    valid_claims(group)
        .into_iter()
        .filter_map(|(tp, mut claims)| {
            claims.sort();
            claims.reverse();
            (claims.len() == 1 || claims[0].0 > claims[1].0).then(|| (tp, claims[0].1.clone()))
        })
        .collect()
}

/// Partitions validly claimed by several members of which none is the
/// unique highest generation.
pub fn contested(group: &Group) -> BTreeSet<(String, i32)> {
    let owners = valid_owners(group);
    valid_claims(group)
        .into_keys()
        .filter(|tp| !owners.contains_key(tp))
        .collect()
}

fn valid_claims(group: &Group) -> BTreeMap<(String, i32), Vec<(i32, String)>> {
    let counts = counts(group);
    let mut claims: BTreeMap<(String, i32), Vec<(i32, String)>> = BTreeMap::new();
    for m in &group.members {
        let generation = m.generation.unwrap_or(-1);
        let mut seen = HashSet::new();
        for tp in &m.owned {
            let Some(&n) = counts.get(&*tp.topic) else {
                continue;
            };
            if !m.topics.contains(&tp.topic) || !(0..n).contains(&tp.partition) {
                continue;
            }
            let key = (tp.topic.to_string(), tp.partition);
            if seen.insert(key.clone()) {
                claims
                    .entry(key)
                    .or_default()
                    .push((generation, m.id.clone()));
            }
        }
    }
    claims
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

/// Per described partition in range, the members whose claim on it has the
/// highest generation among all claims, whether or not the claimant still
/// subscribes to its topic: the members that may still be reading it.
pub fn highest_claimants(group: &Group) -> BTreeMap<(String, i32), BTreeSet<String>> {
    let counts = counts(group);
    let mut best: BTreeMap<(String, i32), (i32, BTreeSet<String>)> = BTreeMap::new();
    for m in &group.members {
        let generation = m.generation.unwrap_or(-1);
        for tp in &m.owned {
            let Some(&n) = counts.get(&*tp.topic) else {
                continue;
            };
            if !(0..n).contains(&tp.partition) {
                continue;
            }
            let entry = best
                .entry((tp.topic.to_string(), tp.partition))
                .or_insert_with(|| (generation, BTreeSet::new()));
            if generation > entry.0 {
                *entry = (generation, BTreeSet::new());
            }
            if generation == entry.0 {
                entry.1.insert(m.id.clone());
            }
        }
    }
    best.into_iter().map(|(tp, (_, ids))| (tp, ids)).collect()
}

/// Cooperative: valid; a partition claimed at the highest generation goes
/// to nobody but its one such claimant (subscribed or not); and the answer
/// is exactly the eager answer less what that withholds.
fn check_cooperative(group: &Group, answer: &Assignment) {
    assert_valid(group, answer, false);
    let claimants = highest_claimants(group);
    let withheld = |tp: &(String, i32), member: &String| {
        claimants
            .get(tp)
            .is_some_and(|ids| ids.len() != 1 || !ids.contains(member))
    };
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
    let got = problem.cost_of(&placement(&answer));
    let best = problem.best();
    assert_eq!(
        got, best,
        "sticky ({rack_match:?}) is not at the optimum for {group:?}\nanswer {answer:?}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_inputs(n: usize) -> impl Iterator<Item = Vec<u8>> {
        let mut rng = Rng::new(7);
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
            owned += usize::from(!valid_owners(&input.group).is_empty());
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
