//! Behaviour of the sticky strategies over time: topic spread, convergence
//! of the cooperative protocol through membership changes, determinism,
//! stability, and rack awareness.

use std::sync::Arc;

use kafka_assignors::{
    Assignment, Assignor, CooperativeStickyAssignor, Group, Member, RackMatch, StickyAssignor,
    Topic,
};
use kafka_assignors_testkit::check::*;
use kafka_assignors_testkit::owners::*;
use kafka_assignors_testkit::rng::shuffled;
use kafka_assignors_testkit::strategies::{Shape, arb_group};
use proptest::prelude::*;

fn eager() -> StickyAssignor {
    StickyAssignor::new()
}

fn coop() -> CooperativeStickyAssignor {
    CooperativeStickyAssignor::new()
}

fn uniform_group(members: usize, partitions: &[i32]) -> (Group, Vec<String>, Vec<String>) {
    let names: Vec<String> = (0..partitions.len()).map(|t| format!("t{t}")).collect();
    let ids: Vec<String> = (0..members).map(|m| format!("m{m}")).collect();
    let mut group = Group::new();
    for (name, &p) in names.iter().zip(partitions) {
        group = group.with_topic(Topic::new(name.as_str(), p));
    }
    for id in &ids {
        group =
            group.with_member(Member::new(id.as_str()).subscribe(names.iter().map(String::as_str)));
    }
    (group, names, ids)
}

fn assert_topics_spread_evenly(answer: &Assignment, ids: &[String], topics: &[String]) {
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    for t in topics {
        assert!(
            topic_spread(answer, &ids, t) <= 1,
            "topic {t} spread unevenly\n{answer:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// KAFKA-16277: with equal subscriptions and nothing owned, each topic's
    /// partitions are spread within one between the members.
    #[test]
    fn equal_subscriptions_spread_every_topic_within_one(
        members in 1usize..=6,
        partitions in prop::collection::vec(0i32..=13, 1..=4),
    ) {
        let (group, topics, ids) = uniform_group(members, &partitions);
        for answer in [eager().assign(&group).unwrap(), coop().assign(&group).unwrap()] {
            assert_valid(&group, &answer, true);
            assert_topics_spread_evenly(&answer, &ids, &topics);
        }
    }
}

/// KAFKA-16277 through growth: 1 -> 2 -> 4 members over two topics of 12,
/// each answer fed back as the owned partitions of the next generation.
fn grow_and_check(assignor: &dyn Assignor, rounds_per_step: usize) {
    let names = ["t1", "t2"];
    let mut group = Group::new()
        .with_topic(Topic::new("t1", 12))
        .with_topic(Topic::new("t2", 12));
    let mut answer: Option<Assignment> = None;
    for members in [1usize, 2, 4] {
        if let Some(previous) = &answer {
            group = group.next_generation(previous);
        }
        let have = group.members.len();
        for m in have..members {
            group = group.with_member(Member::new(format!("c{m}")).subscribe(names));
        }
        let mut current = group.clone();
        let mut latest = None;
        for round in 0..rounds_per_step {
            if round > 0 {
                current = current.next_generation(latest.as_ref().unwrap());
            }
            let a = assignor.assign(&current).unwrap();
            if rounds_per_step > 1 {
                assert_cooperative_round(&current, &a);
            }
            latest = Some(a);
        }
        let settled = latest.unwrap();
        assert_valid(&current, &settled, true);
        let share = 12 / members;
        for m in settled.members() {
            for t in names {
                assert_eq!(
                    m.partitions(t).len(),
                    share,
                    "{} members: {} holds {:?} of {t}",
                    members,
                    m.id(),
                    m.partitions(t)
                );
            }
        }
        group = current;
        answer = Some(settled);
    }
}

#[test]
fn growing_group_keeps_an_equal_share_of_each_topic_sticky() {
    grow_and_check(&eager(), 1);
}

#[test]
fn growing_group_keeps_an_equal_share_of_each_topic_cooperative() {
    grow_and_check(&coop(), 2);
}

/// The chain from the module docs: A {t1} owns 3, B {t1, t2} owns 2, C {t2}
/// owns 1. No single move helps; A -> B (t1) and B -> C (t2) gives (2, 2, 2).
#[test]
fn chain_of_moves_reaches_balance_java_misses() {
    let group = Group::new()
        .with_topic(Topic::new("t1", 4))
        .with_topic(Topic::new("t2", 2))
        .with_member(member("A", &["t1"], &[("t1", &[0, 1, 2])], 1))
        .with_member(member("B", &["t1", "t2"], &[("t1", &[3]), ("t2", &[0])], 1))
        .with_member(member("C", &["t2"], &[("t2", &[1])], 1));
    let answer = eager().assign(&group).unwrap();
    assert_valid(&group, &answer, true);
    assert_eq!(loads_of(&answer, &["A", "B", "C"]), vec![2, 2, 2]);
    assert_eq!(moves(&group, &answer), 2);
    assert_balance_optimal(&group, &answer);
    // B takes one of A's t1 partitions and passes its t2 partition to C.
    assert_eq!(answer.member("B").unwrap().partitions("t1").len(), 2);
    assert_eq!(answer.member("C").unwrap().partitions("t2"), &[0, 1]);

    let rounds = cooperative_rounds(&coop(), &group, 4);
    assert_eq!(rounds.len(), 3, "moves withheld, then settled, then stable");
    assert_eq!(rounds[1].1, answer);
}

// ---- Cooperative convergence through membership changes ----

const POOL: [&str; 3] = ["a", "b", "c"];

#[derive(Debug, Clone)]
enum Event {
    Join(u8),
    Leave(u8),
    Crash(u8),
    Return(u8),
    Resubscribe(u8, u8),
    AddPartitions(u8, u8),
    DeleteTopic(u8),
}

fn arb_event() -> impl Strategy<Value = Event> {
    prop_oneof![
        (1u8..8).prop_map(Event::Join),
        any::<u8>().prop_map(Event::Leave),
        any::<u8>().prop_map(Event::Crash),
        any::<u8>().prop_map(Event::Return),
        (any::<u8>(), 0u8..8).prop_map(|(m, s)| Event::Resubscribe(m, s)),
        (any::<u8>(), 1u8..4).prop_map(|(t, n)| Event::AddPartitions(t, n)),
        any::<u8>().prop_map(Event::DeleteTopic),
    ]
}

fn subscriptions(mask: u8) -> Vec<&'static str> {
    (0..POOL.len())
        .filter(|&t| mask & (1 << t) != 0)
        .map(|t| POOL[t])
        .collect()
}

/// The group, plus members that crashed and will come back with what they
/// owned then, in the generation they had.
struct Simulation {
    group: Group,
    crashed: Vec<Member>,
    next_id: usize,
}

impl Simulation {
    fn apply(&mut self, event: &Event) {
        let members = self.group.members.len();
        let pick = |i: u8, n: usize| (n > 0).then(|| i as usize % n);
        match *event {
            Event::Join(mask) => {
                let id = format!("m{}", self.next_id);
                self.next_id += 1;
                self.group
                    .members
                    .push(Member::new(id).subscribe(subscriptions(mask)));
            }
            Event::Leave(i) => {
                if let Some(i) = pick(i, members) {
                    self.group.members.remove(i);
                }
            }
            Event::Crash(i) => {
                if let Some(i) = pick(i, members) {
                    let gone = self.group.members.remove(i);
                    self.crashed.push(gone);
                }
            }
            Event::Return(i) => {
                if let Some(i) = pick(i, self.crashed.len()) {
                    let back = self.crashed.remove(i);
                    self.group.members.push(back);
                }
            }
            Event::Resubscribe(i, mask) => {
                if let Some(i) = pick(i, members) {
                    self.group.members[i].topics =
                        subscriptions(mask).into_iter().map(Arc::from).collect();
                }
            }
            Event::AddPartitions(t, n) => {
                let name = POOL[t as usize % POOL.len()];
                match self.group.topics.iter_mut().find(|x| &*x.name == name) {
                    Some(topic) => topic.partitions += i32::from(n),
                    None => self.group.topics.push(Topic::new(name, i32::from(n))),
                }
            }
            Event::DeleteTopic(t) => {
                let name = POOL[t as usize % POOL.len()];
                self.group.topics.retain(|x| &*x.name != name);
            }
        }
    }
}

fn arb_start() -> impl Strategy<Value = (Vec<i32>, Vec<u8>)> {
    (
        prop::collection::vec(0i32..=5, POOL.len()),
        prop::collection::vec(0u8..8, 1..=4),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// After any membership change, cooperative rounds never hand over a
    /// partition its owner (or a contested claimant) may still be reading,
    /// reach a complete, balance-optimal assignment within two rounds, and
    /// then stop changing.
    #[test]
    fn cooperative_converges_after_every_membership_change(
        (partitions, masks) in arb_start(),
        events in prop::collection::vec(arb_event(), 1..=8),
    ) {
        let mut sim = Simulation { group: Group::new(), crashed: Vec::new(), next_id: 0 };
        for (name, &p) in POOL.iter().zip(&partitions) {
            sim.group.topics.push(Topic::new(*name, p));
        }
        for &mask in &masks {
            sim.apply(&Event::Join(mask));
        }
        let assignor = coop();
        // Settle the starting group, then apply the events one by one.
        let mut pending: Vec<Option<&Event>> = vec![None];
        pending.extend(events.iter().map(Some));
        for event in pending {
            if let Some(event) = event {
                sim.apply(event);
            }
            let group = sim.group.clone();
            let first = assignor.assign(&group).unwrap();
            assert_valid(&group, &first, false);
            assert_cooperative_round(&group, &first);

            let second_group = group.next_generation(&first);
            let second = assignor.assign(&second_group).unwrap();
            assert_valid(&second_group, &second, true);
            assert_cooperative_round(&second_group, &second);
            assert_balance_optimal(&second_group, &second);
            let reference = eager().assign(&without_history(&group)).unwrap();
            prop_assert_eq!(
                sum_of_squares(&second),
                sum_of_squares(&reference),
                "second round not balance-optimal after {:?}\n{:?}",
                event,
                second
            );

            let third_group = second_group.next_generation(&second);
            let third = assignor.assign(&third_group).unwrap();
            prop_assert_eq!(&third, &second, "third round moved something after {:?}", event);
            sim.group = third_group;
        }
    }
}

// ---- Claims outside the claimant's subscription ----

/// A member that dropped t2 still claims t2-0 and t2-1 (it did not revoke
/// before rejoining): the Java client withholds them for a round, and so do
/// we; the eager strategy, whose members revoke everything first, does not.
#[test]
fn a_partition_claimed_outside_its_topic_is_withheld() {
    let group = Group::new()
        .with_topic(Topic::new("t1", 2))
        .with_topic(Topic::new("t2", 3))
        .with_member(member("c1", &["t1"], &[("t1", &[0]), ("t2", &[0, 1])], 1))
        .with_member(member(
            "c2",
            &["t1", "t2"],
            &[("t1", &[1]), ("t2", &[2])],
            1,
        ));
    let first = coop().assign(&group).unwrap();
    assert_eq!(set_of(&first, "c1"), tps(&[("t1", 0)]));
    assert_eq!(set_of(&first, "c2"), tps(&[("t2", 2)]));
    let second = coop().assign(&group.next_generation(&first)).unwrap();
    assert_eq!(set_of(&second, "c1"), tps(&[("t1", 0), ("t1", 1)]));
    assert_eq!(
        set_of(&second, "c2"),
        tps(&[("t2", 0), ("t2", 1), ("t2", 2)])
    );
    let eager = eager().assign(&group).unwrap();
    assert_eq!(
        set_of(&eager, "c2"),
        tps(&[("t2", 0), ("t2", 1), ("t2", 2)])
    );
}

/// The claim outside the topic competes by generation like any other: a
/// newer one withholds the partition from a stale claimant, a tie withholds
/// it too, and an older one yields to the subscribed owner.
#[test]
fn a_claim_outside_its_topic_competes_by_generation() {
    let group = |outside: i32, inside: i32| {
        Group::new()
            .with_topic(Topic::new("t", 2))
            .with_topic(Topic::new("u", 1))
            .with_member(member("a", &["u"], &[("t", &[0])], outside))
            .with_member(member("b", &["t"], &[("t", &[0, 1])], inside))
            .with_member(member("c", &["t", "u"], &[], inside))
    };
    let given = |outside, inside| {
        let answer = coop().assign(&group(outside, inside)).unwrap();
        placement(&answer).get(&("t".to_string(), 0)).cloned()
    };
    assert_eq!(given(5, 3), None, "newer claim outside the topic");
    assert_eq!(given(4, 4), None, "tied claim outside the topic");
    assert_eq!(given(3, 5).as_deref(), Some("b"), "older claim yields");
}

/// Equal subscriptions (the closed form's ground) with one member outside
/// them still claiming a partition: withheld there too.
#[test]
fn claims_outside_the_topic_are_withheld_in_uniform_groups() {
    let group = Group::new()
        .with_topic(Topic::new("t", 4))
        .with_topic(Topic::new("u", 1))
        .with_member(member("a", &["t"], &[("t", &[0, 1])], 2))
        .with_member(member("b", &["t"], &[("t", &[2])], 2))
        .with_member(member("z", &["u"], &[("t", &[3]), ("u", &[0])], 2));
    let first = coop().assign(&group).unwrap();
    assert_eq!(set_of(&first, "a"), tps(&[("t", 0), ("t", 1)]));
    assert_eq!(set_of(&first, "b"), tps(&[("t", 2)]));
    assert_eq!(set_of(&first, "z"), tps(&[("u", 0)]));
    assert_cooperative_round(&group, &first);
    let second = coop().assign(&group.next_generation(&first)).unwrap();
    assert_eq!(set_of(&second, "b"), tps(&[("t", 2), ("t", 3)]));
}

#[derive(Debug, Clone)]
enum Change {
    Join(u8),
    Leave(u8),
    /// Gone without a LeaveGroup, back at once under a new member id with
    /// nothing owned.
    CrashRestart(u8),
    Resubscribe(u8, u8),
}

fn arb_change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (1u8..8).prop_map(Change::Join),
        any::<u8>().prop_map(Change::Leave),
        any::<u8>().prop_map(Change::CrashRestart),
        (any::<u8>(), 0u8..8).prop_map(|(m, s)| Change::Resubscribe(m, s)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// One rebalance per change, members reporting everything they were
    /// last given (no revocation before rejoining, so a member that dropped
    /// a topic still claims its partitions): no round hands a partition to
    /// a member while another present member claims it, and two rounds
    /// after the last change the group is complete and balance-optimal, and
    /// stays put.
    #[test]
    fn no_partition_reaches_a_second_reader_without_pre_revocation(
        (partitions, masks) in arb_start(),
        changes in prop::collection::vec(arb_change(), 1..=12),
    ) {
        let mut group = Group::new();
        for (name, &p) in POOL.iter().zip(&partitions) {
            group.topics.push(Topic::new(*name, p));
        }
        let mut next_id = 0;
        let mut join = |group: &mut Group, topics: Vec<&str>| {
            group.members.push(Member::new(format!("m{next_id}")).subscribe(topics));
            next_id += 1;
        };
        for &mask in &masks {
            join(&mut group, subscriptions(mask));
        }
        let assignor = coop();
        let round = |group: &Group| -> Result<Group, TestCaseError> {
            let answer = assignor.assign(group).unwrap();
            assert_valid(group, &answer, false);
            for (tp, m) in placement(&answer) {
                for other in group.members.iter().filter(|o| o.id != m) {
                    let claims = other
                        .owned
                        .iter()
                        .any(|c| *c.topic == *tp.0 && c.partition == tp.1);
                    prop_assert!(!claims, "{:?} given to {} while {} still claims it", tp, m, other.id);
                }
            }
            Ok(group.next_generation(&answer))
        };
        group = round(&group)?;
        for change in &changes {
            let members = group.members.len();
            let pick = |i: u8| (members > 0).then(|| i as usize % members);
            match *change {
                Change::Join(mask) => join(&mut group, subscriptions(mask)),
                Change::Leave(i) => {
                    if let Some(i) = pick(i) {
                        group.members.remove(i);
                    }
                }
                Change::CrashRestart(i) => {
                    if let Some(i) = pick(i) {
                        let gone = group.members.remove(i);
                        let topics = gone.topics.iter().map(|t| &**t).collect();
                        join(&mut group, topics);
                    }
                }
                Change::Resubscribe(i, mask) => {
                    if let Some(i) = pick(i) {
                        group.members[i].topics =
                            subscriptions(mask).into_iter().map(Arc::from).collect();
                    }
                }
            }
            group = round(&group)?;
        }
        // The round after the last change is done; one more completes it.
        let second = assignor.assign(&group).unwrap();
        assert_valid(&group, &second, true);
        assert_balance_optimal(&group, &second);
        let reference = eager().assign(&without_history(&group)).unwrap();
        prop_assert_eq!(sum_of_squares(&second), sum_of_squares(&reference));
        let third = assignor.assign(&group.next_generation(&second)).unwrap();
        prop_assert_eq!(third, second);
    }
}

// ---- Determinism and stability ----

fn same_result(
    a: Result<Assignment, kafka_assignors::AssignError>,
    b: Result<Assignment, kafka_assignors::AssignError>,
) -> Result<(), TestCaseError> {
    match (a, b) {
        (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
        (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
        (a, b) => prop_assert!(false, "one order failed: {:?} vs {:?}", a, b),
    }
    Ok(())
}

fn assignors() -> [Box<dyn Assignor>; 4] {
    [
        Box::new(eager()),
        Box::new(eager().with_rack_match(RackMatch::Leader)),
        Box::new(coop()),
        Box::new(coop().with_rack_match(RackMatch::Leader)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// The same group in any member, topic, subscription or owned order
    /// gives the same answer.
    #[test]
    fn answer_is_independent_of_input_order(group in arb_group(Shape::default()), seed in any::<u64>()) {
        let shuffled = shuffled(&group, seed);
        for assignor in assignors() {
            same_result(assignor.assign(&group), assignor.assign(&shuffled))?;
        }
    }

    /// Running either strategy on its own settled answer changes nothing.
    #[test]
    fn settled_answer_is_a_fixed_point(group in arb_group(Shape::default())) {
        for assignor in assignors() {
            let Ok(first) = assignor.assign(&group) else { continue };
            // The cooperative strategy settles in its second round.
            let (settled_group, settled) = if assignor.name() == "cooperative-sticky" {
                let g = group.next_generation(&first);
                let a = assignor.assign(&g).unwrap();
                (g, a)
            } else {
                (group.clone(), first)
            };
            let again = assignor.assign(&settled_group.next_generation(&settled)).unwrap();
            prop_assert_eq!(again, settled, "{} moved its own answer", assignor.name());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// On messy groups (racks, stale and contested claims, unknown topics),
    /// the first cooperative round respects every owner and the second is
    /// complete and as balanced as the eager answer without history.
    #[test]
    fn cooperative_settles_messy_groups_in_two_rounds(group in arb_group(Shape::default())) {
        let assignor = coop();
        let Ok(first) = assignor.assign(&group) else { return Ok(()) };
        assert_valid(&group, &first, false);
        assert_cooperative_round(&group, &first);
        let second_group = group.next_generation(&first);
        let second = assignor.assign(&second_group).unwrap();
        assert_valid(&second_group, &second, true);
        let reference = eager().assign(&without_history(&group)).unwrap();
        prop_assert_eq!(sum_of_squares(&second), sum_of_squares(&reference));
    }
}

// ---- Rack awareness ----

fn racks(lists: &[&[&str]]) -> Vec<Vec<String>> {
    lists
        .iter()
        .map(|l| l.iter().map(|r| r.to_string()).collect())
        .collect()
}

/// Which of the member's partitions sit on no replica in its rack.
fn remote_partitions(group: &Group, answer: &Assignment, id: &str) -> Vec<(String, i32)> {
    let rack = group.member(id).unwrap().rack().unwrap().to_string();
    answer
        .member(id)
        .unwrap()
        .iter()
        .filter(|&(t, p)| {
            let replicas = group.topic(t).unwrap().replica_racks.as_ref().unwrap();
            !replicas[p as usize].iter().any(|r| **r == *rack)
        })
        .map(|(t, p)| (t.to_string(), p))
        .collect()
}

#[test]
fn balance_beats_locality() {
    // Three partitions live on r1 only, one on r2 only. Balance gives each
    // member two, so the r2 member takes one r1 partition: one remote read,
    // the fewest balance allows.
    let group = Group::new()
        .with_topic(Topic::new("t", 4).with_replica_racks(racks(&[
            &["r1"],
            &["r1"],
            &["r1"],
            &["r2"],
        ])))
        .with_member(Member::new("A").with_rack("r1").subscribe(["t"]))
        .with_member(Member::new("B").with_rack("r2").subscribe(["t"]));
    for assignor in assignors() {
        let answer = assignor.assign(&group).unwrap();
        assert_valid(&group, &answer, true);
        assert_eq!(
            loads_of(&answer, &["A", "B"]),
            vec![2, 2],
            "{}",
            assignor.name()
        );
        assert!(remote_partitions(&group, &answer, "A").is_empty());
        assert_eq!(remote_partitions(&group, &answer, "B").len(), 1);
        assert!(answer.member("B").unwrap().partitions("t").contains(&3));
    }
}

#[test]
fn locality_beats_stickiness() {
    // Each member owns the partition on the other's rack. Loads are equal
    // either way, so locality wins over keeping them: they swap.
    let group = Group::new()
        .with_topic(Topic::new("t", 2).with_replica_racks(racks(&[&["r1"], &["r2"]])))
        .with_member(member("A", &["t"], &[("t", &[1])], 3).with_rack("r1"))
        .with_member(member("B", &["t"], &[("t", &[0])], 3).with_rack("r2"));
    let answer = eager().assign(&group).unwrap();
    assert_eq!(answer.member("A").unwrap().partitions("t"), &[0]);
    assert_eq!(answer.member("B").unwrap().partitions("t"), &[1]);
    assert_eq!(moves(&group, &answer), 2);
    // Cooperative revokes both first, then hands them over.
    let rounds = cooperative_rounds(&coop(), &group, 4);
    assert_eq!(rounds[0].1.assigned_partitions(), 0);
    assert_eq!(rounds[1].1, answer);
    assert_eq!(rounds.len(), 3);
}

#[test]
fn leader_and_any_replica_choose_differently() {
    // t-0: replicas r1 (leader), r2; t-1: replicas r1 (leader), r3.
    // A (r1) owns t-0, B (r2) owns t-1.
    // AnyReplica: t-0 is local to both, t-1 only to A, so swapping makes
    // every read local and locality beats keeping.
    // Leader: both leaders are on r1, B reads remotely whatever it holds, so
    // nothing is gained by moving and both keep.
    let group = Group::new()
        .with_topic(Topic::new("t", 2).with_replica_racks(racks(&[&["r1", "r2"], &["r1", "r3"]])))
        .with_member(member("A", &["t"], &[("t", &[0])], 1).with_rack("r1"))
        .with_member(member("B", &["t"], &[("t", &[1])], 1).with_rack("r2"));
    let any = eager().assign(&group).unwrap();
    assert_eq!(any.member("A").unwrap().partitions("t"), &[1]);
    assert_eq!(any.member("B").unwrap().partitions("t"), &[0]);
    let leader = eager()
        .with_rack_match(RackMatch::Leader)
        .assign(&group)
        .unwrap();
    assert_eq!(leader.member("A").unwrap().partitions("t"), &[0]);
    assert_eq!(leader.member("B").unwrap().partitions("t"), &[1]);
    assert_ne!(any, leader);
}
