//! The server-side target assignors (`kafka_assignors::server`): the API's
//! rules, `range` on examples, and `uniform` against its properties and the
//! test kit's exhaustive oracle.

use std::collections::{BTreeMap, BTreeSet};

use kafka_assignors::server::{
    GroupSpec, GroupTarget, MemberSpec, MemberTarget, RangeTargetAssignor, SubscriptionType,
    TargetAssignment, TargetAssignor, TargetErrorKind, TargetRef, TopicDescription, TopicId,
    TopicMetadata, UniformTargetAssignor,
};
use kafka_assignors::{Assignment, Group, Member, RackMatch, Topic};
use kafka_assignors_testkit::reference::Problem;
use kafka_assignors_testkit::rng::SplitMix64;
use proptest::prelude::*;

fn tid(n: u128) -> TopicId {
    TopicId::from(n * 0x1_0000_0001 + 7)
}

fn metadata(topics: &[(u128, u32)]) -> TopicMetadata {
    TopicMetadata::new(
        topics
            .iter()
            .map(|&(id, partitions)| TopicDescription::new(tid(id), partitions)),
    )
    .unwrap()
}

fn changed<'a>(target: &'a GroupTarget, id: &str) -> TargetRef<'a> {
    match target.member(id) {
        Some(MemberTarget::Changed(assignment)) => assignment,
        other => panic!("member {id} is not changed: {other:?}"),
    }
}

fn error_of(spec: &GroupSpec, topics: &TopicMetadata) -> TargetErrorKind {
    let uniform = UniformTargetAssignor.assign(spec, topics).unwrap_err();
    let range = RangeTargetAssignor.assign(spec, topics).unwrap_err();
    assert_eq!(uniform, range, "both assignors validate alike");
    assert!(!uniform.to_string().is_empty());
    uniform.kind().clone()
}

#[test]
fn bad_input_gets_typed_errors() {
    let topics = metadata(&[(1, 3), (2, 2)]);
    let (t1, t9) = (tid(1), tid(9));
    let dup = GroupSpec::new()
        .with_member(MemberSpec::new("a").subscribe([t1]))
        .with_member(MemberSpec::new("a").subscribe([t1]));
    assert_eq!(
        error_of(&dup, &topics),
        TargetErrorKind::DuplicateMember { member: "a".into() }
    );
    let dup_instance = GroupSpec::new()
        .with_member(MemberSpec::new("b").with_instance_id("i").subscribe([t1]))
        .with_member(MemberSpec::new("a").with_instance_id("i").subscribe([t1]));
    assert_eq!(
        error_of(&dup_instance, &topics),
        TargetErrorKind::DuplicateInstanceId {
            instance_id: "i".into(),
            first: "a".into(),
            second: "b".into()
        }
    );
    let unknown = GroupSpec::new().with_member(MemberSpec::new("a").subscribe([t9, t1]));
    assert_eq!(
        error_of(&unknown, &topics),
        TargetErrorKind::UnknownSubscribedTopic {
            member: "a".into(),
            topic: t9
        }
    );
    let unknown_target =
        GroupSpec::new().with_member(MemberSpec::new("a").subscribe([t1]).with_target(t9, [0]));
    assert_eq!(
        error_of(&unknown_target, &topics),
        TargetErrorKind::UnknownTargetTopic {
            member: "a".into(),
            topic: t9
        }
    );
    // Found by the fuzz smoke in CI: an unknown topic before a known one
    // shifted where the known one's partitions were read ([5, 0, 1] for
    // [0, 1]), and naming the lowest out of range indexed past the end.
    let t0 = tid(0);
    let unknown_first = GroupSpec::new().with_member(
        MemberSpec::new("a")
            .subscribe([t1])
            .with_target(t0, [5])
            .with_target(t1, [0, 1]),
    );
    assert_eq!(
        error_of(&unknown_first, &topics),
        TargetErrorKind::UnknownTargetTopic {
            member: "a".into(),
            topic: t0
        }
    );
    let out_of_range =
        GroupSpec::new().with_member(MemberSpec::new("a").subscribe([t1]).with_target(t1, [1, 3]));
    assert_eq!(
        error_of(&out_of_range, &topics),
        TargetErrorKind::PartitionOutOfRange {
            member: "a".into(),
            topic: t1,
            partition: 3,
            partitions: 3
        }
    );
    // The lowest partition out of range is named, of any number of them.
    for (target, named) in [
        (vec![0, 3, 4, 9], 3),
        (vec![5, 6], 5),
        (vec![-2, -1, 0, 7], -2),
    ] {
        let spec = GroupSpec::new().with_member(
            MemberSpec::new("a")
                .subscribe([t1])
                .with_target(t1, target.clone()),
        );
        assert_eq!(
            error_of(&spec, &topics),
            TargetErrorKind::PartitionOutOfRange {
                member: "a".into(),
                topic: t1,
                partition: named,
                partitions: 3
            },
            "{target:?}"
        );
    }
    let negative =
        GroupSpec::new().with_member(MemberSpec::new("a").subscribe([t1]).with_target(t1, [-1]));
    assert!(matches!(
        error_of(&negative, &topics),
        TargetErrorKind::PartitionOutOfRange { partition: -1, .. }
    ));
    let racks =
        TopicMetadata::new([TopicDescription::new(t1, 3).with_replica_racks([["r1"]])]).unwrap();
    let spec = GroupSpec::new().with_member(MemberSpec::new("a").subscribe([t1]));
    assert_eq!(
        error_of(&spec, &racks),
        TargetErrorKind::RackListLength {
            topic: t1,
            partitions: 3,
            rack_lists: 1
        }
    );
    let twice = TopicMetadata::new([TopicDescription::new(t1, 3), TopicDescription::new(t1, 4)])
        .unwrap_err();
    assert_eq!(twice.kind(), &TargetErrorKind::DuplicateTopic { topic: t1 });
    let huge = metadata(&[(1, u32::MAX), (2, u32::MAX)]);
    let spec = GroupSpec::new().with_member(MemberSpec::new("a").subscribe([tid(1), tid(2)]));
    assert!(matches!(
        error_of(&spec, &huge),
        TargetErrorKind::TooManyPartitions { .. }
    ));
}

#[test]
fn the_subscription_type_is_derived() {
    let (t1, t2) = (tid(1), tid(2));
    let same = GroupSpec::new()
        .with_member(MemberSpec::new("a").subscribe([t1, t2]))
        .with_member(MemberSpec::new("b").subscribe([t2, t1, t2]));
    assert_eq!(same.subscription_type(), SubscriptionType::Homogeneous);
    let different = same.with_member(MemberSpec::new("c").subscribe([t1]));
    assert_eq!(
        different.subscription_type(),
        SubscriptionType::Heterogeneous
    );
    assert_eq!(
        GroupSpec::new().subscription_type(),
        SubscriptionType::Homogeneous
    );
}

#[test]
fn range_is_co_partitioned_and_orders_static_members_first() {
    let topics = metadata(&[(1, 3), (2, 3)]);
    let (t1, t2) = (tid(1), tid(2));
    let spec = GroupSpec::new()
        .with_member(MemberSpec::new("m0").subscribe([t1, t2]))
        .with_member(MemberSpec::new("m1").subscribe([t2, t1]));
    let target = RangeTargetAssignor.assign(&spec, &topics).unwrap();
    let m0 = changed(&target, "m0");
    assert_eq!(
        (m0.partitions(t1).to_vec(), m0.partitions(t2).to_vec()),
        (vec![0, 1], vec![0, 1])
    );
    let m1 = changed(&target, "m1");
    assert_eq!(
        (m1.partitions(t1).to_vec(), m1.partitions(t2).to_vec()),
        (vec![2], vec![2])
    );

    // New member ids after a bounce; instance ids keep the order.
    let spec = GroupSpec::new()
        .with_member(
            MemberSpec::new("m3")
                .with_instance_id("i0")
                .subscribe([t1, t2]),
        )
        .with_member(
            MemberSpec::new("m2")
                .with_instance_id("i1")
                .subscribe([t1, t2]),
        )
        .with_member(MemberSpec::new("a-dynamic").subscribe([t1, t2]));
    let target = RangeTargetAssignor.assign(&spec, &topics).unwrap();
    assert_eq!(changed(&target, "m3").partitions(t1), &[0]);
    assert_eq!(changed(&target, "m2").partitions(t1), &[1]);
    assert_eq!(changed(&target, "a-dynamic").partitions(t1), &[2]);

    // Heterogeneous: quotas per topic among its own subscribers.
    let topics = metadata(&[(1, 5), (2, 2)]);
    let spec = GroupSpec::new()
        .with_member(MemberSpec::new("a").subscribe([t1]))
        .with_member(MemberSpec::new("b").subscribe([t1, t2]))
        .with_member(MemberSpec::new("c").subscribe([t2]).with_target(t2, [1]));
    let target = RangeTargetAssignor.assign(&spec, &topics).unwrap();
    assert_eq!(changed(&target, "a").partitions(t1), &[0, 1, 2]);
    let b = changed(&target, "b");
    assert_eq!(
        (b.partitions(t1).to_vec(), b.partitions(t2).to_vec()),
        (vec![3, 4], vec![0])
    );
    assert_eq!(target.member("c"), Some(MemberTarget::Unchanged));
    assert_eq!(target.changed(), 2);
}

/// Found by the differential check against Kafka (seed
/// 1796170815687337106, group g606): a current target with the range's
/// length and first partition but not its partitions was reported
/// unchanged.
#[test]
fn range_reports_a_target_with_the_same_ends_but_a_gap_as_changed() {
    let t = tid(1);
    let topics = metadata(&[(1, 4)]);
    let spec = GroupSpec::new()
        .with_member(
            MemberSpec::new("m3920")
                .with_instance_id("i78-0")
                .subscribe([t])
                .with_target(t, [0, 3]),
        )
        .with_member(MemberSpec::new("m1111").subscribe([t]).with_target(t, [2]));
    let target = RangeTargetAssignor.assign(&spec, &topics).unwrap();
    assert_eq!(changed(&target, "m3920").partitions(t), &[0, 1]);
    assert_eq!(changed(&target, "m1111").partitions(t), &[2, 3]);
}

#[test]
fn more_members_than_partitions_and_empty_topics() {
    let topics = metadata(&[(1, 2), (2, 0)]);
    let (t1, t2) = (tid(1), tid(2));
    let mut spec = GroupSpec::new();
    for m in 0..4 {
        spec = spec.with_member(MemberSpec::new(format!("m{m}")).subscribe([t1, t2]));
    }
    for assignor in [
        &UniformTargetAssignor as &dyn TargetAssignor,
        &RangeTargetAssignor,
    ] {
        let target = assignor.assign(&spec, &topics).unwrap();
        let full = target.resolve(&spec);
        let loads: Vec<usize> = full.iter().map(|(_, a)| a.len()).collect();
        assert_eq!(loads.iter().sum::<usize>(), 2, "{}", assignor.name());
        assert!(loads.iter().all(|&l| l <= 1), "{}", assignor.name());
        assert_eq!(target.len(), 4);
        // Members that get nothing and had nothing are unchanged.
        assert_eq!(target.changed(), 2, "{}", assignor.name());
    }
    assert!(
        UniformTargetAssignor
            .assign(&GroupSpec::new(), &topics)
            .unwrap()
            .is_empty()
    );
}

/// A random group spec, its metadata, and the same group in the library's
/// model (topic names are the ids' text, targets owned at generation 1).
struct Drawn {
    spec: GroupSpec,
    topics: TopicMetadata,
    group: Group,
}

fn draw(seed: u64, max_members: usize, max_topics: usize, max_partitions: usize) -> Drawn {
    let mut rng = SplitMix64::new(seed);
    let racks = rng.chance(3);
    let rack_names = ["r0", "r1", "r2"];
    let topic_count = 1 + rng.below(max_topics);
    let mut descriptions = Vec::new();
    for t in 0..topic_count {
        let partitions = rng.below(max_partitions + 1) as u32;
        let mut d = TopicDescription::new(tid(t as u128 * 31 + 5), partitions);
        if racks {
            d = d.with_replica_racks(
                (0..partitions).map(|_| vec![rack_names[rng.below(3)], rack_names[rng.below(3)]]),
            );
        }
        descriptions.push(d);
    }
    let homogeneous = rng.chance(2);
    let common: Vec<TopicId> = descriptions
        .iter()
        .filter(|_| rng.below(3) > 0)
        .map(|d| d.id)
        .collect();
    let common_arc: std::sync::Arc<[TopicId]> = common.clone().into();
    let shared = rng.chance(2);
    let mut owner: BTreeMap<(TopicId, i32), usize> = BTreeMap::new();
    let member_count = 1 + rng.below(max_members);
    let mut members = Vec::new();
    for m in 0..member_count {
        let mut member = MemberSpec::new(format!("member-{}", (m * 7919) % 1000));
        if rng.chance(3) {
            member = member.with_instance_id(format!("instance-{}", (m * 104_729) % 997));
        }
        if racks && rng.below(4) > 0 {
            member = member.with_rack(rack_names[rng.below(3)]);
        }
        let subscribed: Vec<TopicId> = if homogeneous {
            if shared {
                // One list for everyone, as a coordinator shares one set.
                members.push(member.with_subscription(common_arc.clone()));
                continue;
            }
            common.clone()
        } else {
            descriptions
                .iter()
                .filter(|_| rng.chance(2))
                .map(|d| d.id)
                .collect()
        };
        member = member.subscribe(subscribed);
        members.push(member);
    }
    // Current targets: some partitions, mostly exclusive, on anyone.
    let mut entries: Vec<Vec<(TopicId, Vec<i32>)>> = vec![Vec::new(); member_count];
    for d in &descriptions {
        for p in 0..d.partitions as i32 {
            if rng.below(3) > 0 {
                let m = rng.below(member_count);
                owner.insert((d.id, p), m);
                entries[m].push((d.id, vec![p]));
            }
        }
    }
    for (member, entries) in members.iter_mut().zip(entries) {
        member.target = TargetAssignment::from_entries(entries);
    }
    let mut spec = GroupSpec::new();
    spec.members = members;
    let group = model_group(&spec, &descriptions);
    Drawn {
        spec,
        topics: TopicMetadata::new(descriptions).unwrap(),
        group,
    }
}

fn model_group(spec: &GroupSpec, descriptions: &[TopicDescription]) -> Group {
    let mut group = Group::new();
    for d in descriptions {
        let mut topic = Topic::new(d.id.to_string(), d.partitions as i32);
        if let Some(racks) = &d.replica_racks {
            topic = topic.with_replica_racks(racks.iter().map(|r| r.iter().map(|x| x.to_string())));
        }
        group = group.with_topic(topic);
    }
    for m in &spec.members {
        let mut member = Member::new(m.member_id.clone())
            .subscribe(m.subscribed.iter().map(|t| t.to_string()))
            .with_generation(1);
        if let Some(i) = &m.instance_id {
            member = member.with_instance_id(i.clone());
        }
        if let Some(r) = &m.rack {
            member = member.with_rack(r.clone());
        }
        for (t, ps) in m.target.topics() {
            member = member.with_owned(t.to_string(), ps.iter().copied());
        }
        group = group.with_member(member);
    }
    group
}

fn as_assignment(full: &[(String, TargetAssignment)]) -> Assignment {
    Assignment::from_members(full.iter().map(|(id, a)| {
        (
            id.clone(),
            a.topics()
                .map(|(t, ps)| (t.to_string(), ps.to_vec()))
                .collect::<Vec<_>>(),
        )
    }))
}

fn check_valid(drawn: &Drawn, full: &[(String, TargetAssignment)]) -> Result<(), TestCaseError> {
    let mut seen = BTreeSet::new();
    let by_id: BTreeMap<&str, &MemberSpec> = drawn
        .spec
        .members
        .iter()
        .map(|m| (m.member_id.as_str(), m))
        .collect();
    prop_assert_eq!(full.len(), drawn.spec.members.len());
    for (id, a) in full {
        let member = by_id[id.as_str()];
        for (t, ps) in a.topics() {
            prop_assert!(member.subscribed.contains(&t), "{id} got {t} unsubscribed");
            for &p in ps {
                prop_assert!(seen.insert((t, p)), "{t}-{p} assigned twice");
            }
        }
    }
    let mut expected = BTreeSet::new();
    for m in &drawn.spec.members {
        for &t in m.subscribed.iter() {
            let d = kafka_assignors::server::SubscribedTopicDescriber::describe(&drawn.topics, t)
                .unwrap();
            for p in 0..d.partitions as i32 {
                expected.insert((t, p));
            }
        }
    }
    prop_assert_eq!(seen, expected, "every subscribed partition exactly once");
    Ok(())
}

/// The same spec with members and subscriptions reordered, and each current
/// target rebuilt from its entries reordered.
fn shuffled(spec: &GroupSpec, seed: u64) -> GroupSpec {
    let mut rng = SplitMix64::new(seed);
    let mut members = spec.members.clone();
    rng.shuffle(&mut members);
    for m in &mut members {
        let mut subscribed = m.subscribed.to_vec();
        rng.shuffle(&mut subscribed);
        m.subscribed = subscribed.into();
        let mut entries: Vec<(TopicId, Vec<i32>)> =
            m.target.topics().map(|(t, p)| (t, p.to_vec())).collect();
        rng.shuffle(&mut entries);
        m.target = TargetAssignment::from_entries(entries);
    }
    let mut out = GroupSpec::new();
    out.members = members;
    out
}

fn with_targets(spec: &GroupSpec, full: &[(String, TargetAssignment)]) -> GroupSpec {
    let by_id: BTreeMap<&str, &TargetAssignment> =
        full.iter().map(|(id, a)| (id.as_str(), a)).collect();
    let mut next = spec.clone();
    for m in &mut next.members {
        m.target = by_id[m.member_id.as_str()].clone();
    }
    next
}

fn check_assignor(
    assignor: &dyn TargetAssignor,
    drawn: &Drawn,
    seed: u64,
) -> Result<Vec<(String, TargetAssignment)>, TestCaseError> {
    let target = assignor.assign(&drawn.spec, &drawn.topics).unwrap();
    let full = target.resolve(&drawn.spec);
    check_valid(drawn, &full)?;
    // Unchanged exactly where the new target equals the current one.
    for (id, t) in target.members() {
        let current = drawn
            .spec
            .members
            .iter()
            .find(|m| m.member_id == id)
            .unwrap();
        let current = &current.target;
        let new = &full.iter().find(|(m, _)| m == id).unwrap().1;
        prop_assert_eq!(
            matches!(t, MemberTarget::Unchanged),
            current == new,
            "{} reported {:?}",
            id,
            t
        );
    }
    // Order independence.
    let again = assignor
        .assign(&shuffled(&drawn.spec, seed ^ 0x5eed), &drawn.topics)
        .unwrap();
    prop_assert_eq!(
        &again,
        &target,
        "{} depends on input order",
        assignor.name()
    );
    // Stability: its own output as the current target changes nothing.
    let next = with_targets(&drawn.spec, &full);
    let second = assignor.assign(&next, &drawn.topics).unwrap();
    prop_assert_eq!(second.changed(), 0, "{} is not stable", assignor.name());
    Ok(full)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn uniform_is_valid_order_independent_stable_and_optimal(seed in any::<u64>()) {
        let drawn = draw(seed, 4, 3, 3);
        let full = check_assignor(&UniformTargetAssignor, &drawn, seed)?;
        let problem = Problem::new(&drawn.group, RackMatch::AnyReplica);
        if problem.combinations() <= 50_000.0 {
            let got = problem.cost_of_answer(&as_assignment(&full));
            prop_assert_eq!(got, problem.best(), "uniform is not at the optimum, seed {}", seed);
        }
    }

    #[test]
    fn uniform_on_larger_groups(seed in any::<u64>()) {
        let drawn = draw(seed, 30, 8, 20);
        check_assignor(&UniformTargetAssignor, &drawn, seed)?;
    }

    #[test]
    fn range_is_valid_order_independent_and_stable(seed in any::<u64>()) {
        let drawn = draw(seed, 30, 8, 20);
        check_assignor(&RangeTargetAssignor, &drawn, seed)?;
    }
}

/// Many members sharing one long subscription list of one-partition topics:
/// what the assignors hold follows the group's members and partitions,
/// never members times topics (40 million here; `range` once sized its
/// answer so, 640 MB).
#[test]
fn a_long_shared_subscription_is_not_held_once_per_member() {
    let topics: Vec<TopicDescription> = (0..2000u128)
        .map(|t| TopicDescription::new(tid(t), 1))
        .collect();
    let ids: std::sync::Arc<[TopicId]> = topics.iter().map(|t| t.id).collect();
    let metadata = TopicMetadata::new(topics).unwrap();
    let mut spec = GroupSpec::new();
    for m in 0..20_000 {
        spec = spec.with_member(MemberSpec::new(format!("m{m}")).with_subscription(ids.clone()));
    }
    // `range` gives every topic's one partition to the first member (its
    // ranges are co-partitioned); `uniform` one partition each to 2000.
    for (assignor, members) in [
        (&RangeTargetAssignor as &dyn TargetAssignor, 1),
        (&UniformTargetAssignor, 2000),
    ] {
        let mut changed = 0;
        let info = allocation_counter::measure(|| {
            changed = assignor.assign(&spec, &metadata).unwrap().changed();
        });
        assert_eq!(changed, members, "{}", assignor.name());
        assert!(
            info.bytes_max < 16 << 20,
            "{}: peak {} bytes",
            assignor.name(),
            info.bytes_max
        );
    }
}
