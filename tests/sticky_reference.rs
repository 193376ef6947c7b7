//! The sticky strategies against an exhaustive search on tiny groups.
//!
//! The reference enumerates every valid assignment and keeps the
//! lexicographic minimum of (sum of squared loads, remote partitions, moved
//! owned partitions). It shares no code with the solver: ownership, the rack
//! gate and the cost are written again here, the obvious way.

use std::collections::{BTreeMap, BTreeSet};

use kafka_assignors::{
    Assignment, Assignor, CooperativeStickyAssignor, Group, Member, RackMatch, StickyAssignor,
    Topic,
};
use proptest::prelude::*;

mod common;

type Tp = (String, i32);

/// The previous owner of each partition: the unique highest-generation
/// claimant among members that still subscribe to an existing topic.
fn reference_owners(group: &Group) -> BTreeMap<Tp, String> {
    let counts: BTreeMap<&str, i32> = group
        .topics
        .iter()
        .map(|t| (&*t.name, t.partitions))
        .collect();
    let mut claims: BTreeMap<Tp, Vec<(i32, String)>> = BTreeMap::new();
    for m in &group.members {
        let generation = m.generation.unwrap_or(-1);
        let subscribed: BTreeSet<&str> = m.topics.iter().map(|t| &**t).collect();
        let mut seen = BTreeSet::new();
        for tp in &m.owned {
            let Some(&n) = counts.get(&*tp.topic) else {
                continue;
            };
            if !subscribed.contains(&*tp.topic) || tp.partition < 0 || tp.partition >= n {
                continue;
            }
            if seen.insert((tp.topic.to_string(), tp.partition)) {
                claims
                    .entry((tp.topic.to_string(), tp.partition))
                    .or_default()
                    .push((generation, m.id.clone()));
            }
        }
    }
    let mut owners = BTreeMap::new();
    for (tp, mut cs) in claims {
        cs.sort();
        cs.reverse();
        if cs.len() == 1 || cs[0].0 > cs[1].0 {
            owners.insert(tp, cs[0].1.clone());
        }
    }
    owners
}

fn racks_of(group: &Group, topic: &str, p: i32) -> Option<BTreeSet<String>> {
    let t = group.topics.iter().find(|t| &*t.name == topic)?;
    let racks = t.replica_racks.as_ref()?;
    Some(
        racks[p as usize]
            .iter()
            .filter(|r| !r.is_empty())
            .map(|r| r.to_string())
            .collect(),
    )
}

fn leader_of(group: &Group, topic: &str, p: i32) -> Option<String> {
    let t = group.topics.iter().find(|t| &*t.name == topic)?;
    let racks = t.replica_racks.as_ref()?;
    racks[p as usize]
        .first()
        .filter(|r| !r.is_empty())
        .map(|r| r.to_string())
}

/// The Java client's rack-aware gate, over the subscribed topics.
fn reference_rack_aware(group: &Group) -> bool {
    let member_racks: BTreeSet<String> = group
        .members
        .iter()
        .filter_map(|m| m.rack().map(str::to_string))
        .collect();
    if member_racks.is_empty() {
        return false;
    }
    let subscribed: BTreeSet<&str> = group
        .members
        .iter()
        .flat_map(|m| m.topics.iter().map(|t| &**t))
        .collect();
    let mut sets = Vec::new();
    for t in &group.topics {
        if !subscribed.contains(&*t.name) {
            continue;
        }
        for p in 0..t.partitions {
            if let Some(s) = racks_of(group, &t.name, p) {
                sets.push(s);
            }
        }
    }
    let all: BTreeSet<String> = sets.iter().flatten().cloned().collect();
    if member_racks.is_disjoint(&all) {
        return false;
    }
    !sets.iter().all(|s| *s == all)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Cost {
    squares: u64,
    remote: u64,
    moves: u64,
}

fn cost(group: &Group, rack_match: RackMatch, where_: &BTreeMap<Tp, String>) -> Cost {
    let owners = reference_owners(group);
    let aware = reference_rack_aware(group);
    let mut loads: BTreeMap<&str, u64> = group.members.iter().map(|m| (m.id.as_str(), 0)).collect();
    let mut remote = 0;
    for ((topic, p), m) in where_ {
        *loads.get_mut(m.as_str()).unwrap() += 1;
        let member = group.member(m).unwrap();
        if aware && let Some(rack) = member.rack() {
            {
                let local = match rack_match {
                    RackMatch::Leader => leader_of(group, topic, *p).as_deref() == Some(rack),
                    _ => racks_of(group, topic, *p).is_some_and(|s| s.contains(rack)),
                };
                remote += u64::from(!local);
            }
        }
    }
    let moves = owners
        .iter()
        .filter(|(tp, m)| where_.get(*tp) != Some(*m))
        .count() as u64;
    Cost {
        squares: loads.values().map(|l| l * l).sum(),
        remote,
        moves,
    }
}

/// Every partition of a subscribed topic with its subscribers.
fn choices(group: &Group) -> Vec<(Tp, Vec<String>)> {
    let mut out = Vec::new();
    for t in &group.topics {
        let subs: Vec<String> = group
            .members
            .iter()
            .filter(|m| m.topics.contains(&t.name))
            .map(|m| m.id.clone())
            .collect();
        if subs.is_empty() {
            continue;
        }
        for p in 0..t.partitions {
            out.push(((t.name.to_string(), p), subs.clone()));
        }
    }
    out
}

fn best_cost(group: &Group, rack_match: RackMatch) -> Cost {
    let choices = choices(group);
    let mut index = vec![0usize; choices.len()];
    let mut best: Option<Cost> = None;
    loop {
        let where_: BTreeMap<Tp, String> = choices
            .iter()
            .zip(&index)
            .map(|((tp, subs), &i)| (tp.clone(), subs[i].clone()))
            .collect();
        let c = cost(group, rack_match, &where_);
        best = Some(best.map_or(c, |b| b.min(c)));
        // Next combination, odometer style.
        let mut k = 0;
        loop {
            if k == choices.len() {
                return best.unwrap();
            }
            index[k] += 1;
            if index[k] < choices[k].1.len() {
                break;
            }
            index[k] = 0;
            k += 1;
        }
    }
}

fn placement(a: &Assignment) -> BTreeMap<Tp, String> {
    let mut out = BTreeMap::new();
    for m in a.members() {
        for (topic, p) in m.iter() {
            assert!(
                out.insert((topic.to_string(), p), m.id().to_string())
                    .is_none(),
                "{topic}-{p} assigned twice"
            );
        }
    }
    out
}

/// Every partition of a subscribed topic once, to a subscriber.
fn assert_valid(group: &Group, a: &Assignment, complete: bool) {
    let where_ = placement(a);
    let all: BTreeSet<Tp> = choices(group).into_iter().map(|(tp, _)| tp).collect();
    for ((topic, p), m) in &where_ {
        assert!(
            all.contains(&(topic.clone(), *p)),
            "{topic}-{p} is not assignable"
        );
        let member = group.member(m).unwrap();
        assert!(
            member.topics.iter().any(|t| **t == **topic),
            "{m} does not subscribe to {topic}"
        );
    }
    if complete {
        assert_eq!(where_.len(), all.len(), "not every partition was assigned");
    }
    assert_eq!(a.len(), group.members.len(), "every member appears");
}

fn tiny_group() -> impl Strategy<Value = Group> {
    let topic_names = ["t0", "t1", "t2"];
    (1usize..=3, 1usize..=4, any::<bool>(), any::<bool>())
        .prop_flat_map(move |(topics, members, racks, same_gen)| {
            let partitions = proptest::collection::vec(0i32..=3, topics);
            let topic_racks = proptest::collection::vec(
                proptest::collection::vec(proptest::collection::vec(0usize..3, 1..=2), 3),
                topics,
            );
            let member = (
                proptest::collection::btree_set(0..topics, 0..=topics),
                proptest::option::of(0usize..3),
                proptest::collection::vec((0..topics, -1i32..=3), 0..=4),
                0i32..=3,
            );
            let members = proptest::collection::vec(member, members);
            (
                Just(topics),
                partitions,
                topic_racks,
                members,
                Just(racks),
                Just(same_gen),
            )
        })
        .prop_filter_map(
            "too many combinations",
            move |(topics, partitions, topic_racks, members, racks, same_gen)| {
                let rack_names = ["ra", "rb", "rc"];
                let mut group = Group::new();
                for t in 0..topics {
                    let mut topic = Topic::new(topic_names[t], partitions[t]);
                    if racks {
                        topic = topic.with_replica_racks(
                            (0..partitions[t] as usize)
                                .map(|p| topic_racks[t][p].iter().map(|&r| rack_names[r])),
                        );
                    }
                    group = group.with_topic(topic);
                }
                for (i, (subs, rack, owned, generation)) in members.into_iter().enumerate() {
                    let mut m = Member::new(format!("m{i}"))
                        .subscribe(subs.iter().map(|&t| topic_names[t]));
                    if racks && let Some(r) = rack {
                        m = m.with_rack(rack_names[r]);
                    }
                    for (t, p) in owned {
                        m = m.with_owned(topic_names[t], [p]);
                    }
                    m = m.with_generation(if same_gen { 1 } else { generation });
                    group = group.with_member(m);
                }
                let combinations: f64 = choices(&group)
                    .iter()
                    .map(|(_, s)| s.len() as f64)
                    .product();
                (combinations <= 20_000.0).then_some(group)
            },
        )
}

fn check_optimal(group: &Group, rack_match: RackMatch) -> Result<(), TestCaseError> {
    let sticky = StickyAssignor::new().with_rack_match(rack_match);
    let answer = sticky.assign(group).unwrap();
    assert_valid(group, &answer, true);
    let got = cost(group, rack_match, &placement(&answer));
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
        let claimants = common::sticky::highest_claimants(&group);
        let target = placement(&eager);
        let given = placement(&coop);
        for (tp, m) in &target {
            let withheld = claimants
                .get(tp)
                .is_some_and(|ids| ids.len() != 1 || !ids.contains(m));
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
        let best = best_cost(&group_without_history(&group), RackMatch::AnyReplica);
        let got = cost(&second_group, RackMatch::AnyReplica, &placement(&second));
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

/// [`next_round`], with each owned list shuffled by `seed` and naming its
/// topics by the metadata's `Arc`s.
fn rejoin_in_any_order(group: &Group, answer: &Assignment, seed: u64) -> Group {
    let mut next = group.next_generation(answer);
    let mut state = seed | 1;
    for m in &mut next.members {
        for tp in &mut m.owned {
            let topic = group.topics.iter().find(|t| t.name == tp.topic).unwrap();
            tp.topic = topic.name.clone();
        }
        for i in (1..m.owned.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            m.owned.swap(i, (state % (i as u64 + 1)) as usize);
        }
    }
    next
}

fn group_without_history(group: &Group) -> Group {
    let mut fresh = group.clone();
    for m in &mut fresh.members {
        m.owned.clear();
        m.generation = None;
    }
    fresh
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
    let c = cost(&group, RackMatch::AnyReplica, &placement(&answer));
    assert_eq!(c.moves, 2);
}
