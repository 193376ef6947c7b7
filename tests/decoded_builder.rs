//! `DecodedGroup::builder`: a group built from name ids is the model group
//! it stands for (`to_group`), and every strategy answers it as it answers
//! that group; ids outside the table are refused, naming the member.

use kafka_assignors::protocol::{DecodedGroup, DecodedGroupErrorKind};
use kafka_assignors::{Assignor, Group, Member, Strategy, Topic};
use kafka_assignors_testkit::strategies::{Shape, arb_group};
use proptest::prelude::*;

/// `group` through the builder: each name interned by text, each member's
/// topics and owned partitions as ids.
fn build(group: &Group) -> DecodedGroup {
    let mut builder = DecodedGroup::builder(group.topics.clone());
    builder.reserve(group.members.len(), 0, 0);
    for member in &group.members {
        let topics: Vec<u32> = member.topics.iter().map(|t| builder.name(t)).collect();
        let claims: Vec<(u32, i32)> = member
            .owned
            .iter()
            .map(|tp| (builder.name(&tp.topic), tp.partition))
            .collect();
        builder.member(member.clone(), &topics, claims).unwrap();
    }
    builder.build()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn a_built_group_is_the_model_group_and_gets_its_answers(group in arb_group(Shape::default())) {
        let decoded = build(&group);
        prop_assert_eq!(decoded.len(), group.members.len());
        prop_assert_eq!(decoded.topics(), &group.topics[..]);
        prop_assert_eq!(&decoded.to_group(), &group);
        for strategy in Strategy::ALL {
            prop_assert_eq!(
                strategy.assign_decoded(&decoded),
                strategy.assign(&group),
                "{}",
                strategy
            );
        }
    }
}

#[test]
fn metadata_topics_take_the_first_ids_and_equal_lists_are_shared() {
    let topics = vec![Topic::new("b", 2), Topic::new("a", 3)];
    let mut builder = DecodedGroup::builder(topics);
    assert_eq!((builder.name("b"), builder.name("a")), (0, 1));
    assert_eq!(builder.name("elsewhere"), 2);
    assert_eq!(builder.name("a"), 1);
    assert_eq!(builder.names(), 3);
    for id in ["c1", "c2", "c3"] {
        let list: &[u32] = if id == "c3" { &[1] } else { &[0, 1, 2] };
        builder.member(Member::new(id), list, [(1, 0)]).unwrap();
    }
    let group = builder.build().to_group();
    let names = |m: &Member| m.topics.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    assert_eq!(names(&group.members[0]), ["b", "a", "elsewhere"]);
    assert_eq!(names(&group.members[1]), ["b", "a", "elsewhere"]);
    assert_eq!(names(&group.members[2]), ["a"]);
    assert!(
        group
            .members
            .iter()
            .all(|m| m.owned.len() == 1 && &*m.owned[0].topic == "a")
    );
}

#[test]
fn unknown_ids_are_refused_and_the_member_left_out() {
    let mut builder = DecodedGroup::builder(vec![Topic::new("t", 1)]);
    let err = builder.member(Member::new("c1"), &[0, 7], []).unwrap_err();
    assert_eq!(
        err.kind(),
        &DecodedGroupErrorKind::UnknownName {
            member: "c1".to_string(),
            id: 7,
            names: 1
        }
    );
    assert!(
        err.to_string().contains("c1") && err.to_string().contains('7'),
        "{err}"
    );
    let err = builder
        .member(Member::new("c2"), &[0], [(0, 0), (9, 0)])
        .unwrap_err();
    assert!(matches!(
        err.kind(),
        DecodedGroupErrorKind::UnknownName { id: 9, .. }
    ));
    builder.member(Member::new("c3"), &[0], [(0, 0)]).unwrap();
    let group = builder.build();
    assert_eq!(group.len(), 1);
    assert_eq!(group.to_group().members[0].owned.len(), 1);
}
