//! Negotiation, the broker's choice, the leader and the follower, over bytes.

use kafka_assignors::protocol::{
    AssignmentData, ClientState, JoinedMember, LeaderErrorKind, NegotiationError, StickyFormat,
    StickyUserData, Subscription, assignment_change, decode_member, follow, join_protocols, lead,
    rebalance_protocol, select_strategy,
};
use kafka_assignors::{OwnedSource, RebalanceProtocol, Strategy, Topic, TopicPartition};

fn tp(t: &str, p: i32) -> TopicPartition {
    TopicPartition::new(t, p)
}

#[test]
fn rebalance_protocol_is_the_newest_every_strategy_supports() {
    use Strategy::*;
    assert_eq!(
        rebalance_protocol(&[CooperativeSticky]),
        Ok(RebalanceProtocol::Cooperative)
    );
    assert_eq!(
        rebalance_protocol(&[CooperativeSticky, Range]),
        Ok(RebalanceProtocol::Eager)
    );
    assert_eq!(
        rebalance_protocol(&[Range, Sticky]),
        Ok(RebalanceProtocol::Eager)
    );
    assert_eq!(rebalance_protocol(&[]), Err(NegotiationError::NoStrategy));
}

#[test]
fn join_protocols_carry_each_strategys_user_data() {
    let state = ClientState::new(["orders"])
        .with_assignment([tp("orders", 1), tp("orders", 0)], 7)
        .with_rack("r1");
    let list = join_protocols(
        &[
            Strategy::Sticky,
            Strategy::CooperativeSticky,
            Strategy::Range,
        ],
        &state,
    )
    .unwrap();
    let names: Vec<_> = list.iter().map(|p| p.strategy).collect();
    assert_eq!(
        names,
        [
            Strategy::Sticky,
            Strategy::CooperativeSticky,
            Strategy::Range
        ]
    );
    for p in &list {
        let d = Subscription::decode(&p.metadata).unwrap();
        assert_eq!(d.version, 3);
        assert_eq!(d.subscription.generation, Some(7));
        assert_eq!(d.subscription.rack_id(), Some("r1"));
        // Eager (sticky is eager-only): everything is revoked before joining.
        assert!(d.subscription.owned_partitions.is_empty());
    }
    let sticky = Subscription::decode(&list[0].metadata)
        .unwrap()
        .subscription;
    let (data, format) = StickyUserData::decode(sticky.user_data.as_deref());
    assert_eq!(format, StickyFormat::V1);
    assert_eq!(data.generation, Some(7));
    assert_eq!(data.owned, [tp("orders", 1), tp("orders", 0)]);
    let coop = Subscription::decode(&list[1].metadata)
        .unwrap()
        .subscription;
    assert_eq!(coop.user_data.as_deref(), Some(&7i32.to_be_bytes()[..]));
    let range = Subscription::decode(&list[2].metadata)
        .unwrap()
        .subscription;
    assert_eq!(range.user_data, None);
}

#[test]
fn cooperative_members_keep_their_partitions_in_the_subscription() {
    let state = ClientState::new(["t"]).with_assignment([tp("t", 2)], 3);
    let list = join_protocols(&[Strategy::CooperativeSticky], &state).unwrap();
    let sub = Subscription::decode(&list[0].metadata)
        .unwrap()
        .subscription;
    assert_eq!(sub.owned_partitions, [tp("t", 2)]);
    // A fresh member sends generation -1 everywhere and no sticky history.
    let fresh = join_protocols(
        &[Strategy::Sticky, Strategy::CooperativeSticky],
        &ClientState::new(["t"]),
    )
    .unwrap();
    let sticky = Subscription::decode(&fresh[0].metadata)
        .unwrap()
        .subscription;
    assert_eq!((sticky.user_data, sticky.generation), (None, None));
    let coop = Subscription::decode(&fresh[1].metadata)
        .unwrap()
        .subscription;
    assert_eq!(
        coop.user_data.as_deref(),
        Some(&[0xff, 0xff, 0xff, 0xff][..])
    );
}

#[test]
fn broker_picks_the_most_voted_common_strategy() {
    use Strategy::*;
    // range is common to all; roundrobin is not offered by the third member.
    let members = [
        vec![RoundRobin, Range],
        vec![RoundRobin, Range],
        vec![Range],
    ];
    assert_eq!(select_strategy(&members), Ok(Range));
    let members = [
        vec![RoundRobin, Range],
        vec![RoundRobin, Range],
        vec![Range, RoundRobin],
    ];
    assert_eq!(select_strategy(&members), Ok(RoundRobin));
    assert_eq!(
        select_strategy(&[vec![Range], vec![Sticky]]),
        Err(NegotiationError::NoCommonStrategy)
    );
    assert_eq!(
        select_strategy::<Vec<Strategy>>(&[]),
        Err(NegotiationError::EmptyGroup)
    );
}

#[test]
fn broker_ties_follow_java_hash_map_order() {
    use Strategy::*;
    // One vote each: the Java broker keeps the first in HashMap order,
    // sticky < range < roundrobin < cooperative-sticky.
    let both = |a, b| vec![vec![a, b], vec![b, a]];
    assert_eq!(select_strategy(&both(Range, Sticky)), Ok(Sticky));
    assert_eq!(select_strategy(&both(CooperativeSticky, Range)), Ok(Range));
    assert_eq!(
        select_strategy(&both(CooperativeSticky, RoundRobin)),
        Ok(RoundRobin)
    );
    assert_eq!(select_strategy(&both(RoundRobin, Range)), Ok(Range));
}

#[test]
fn leader_decodes_owned_history_per_strategy() {
    // v1 subscription (no generation field) with cooperative user data: the
    // generation comes from the user data.
    let sub = Subscription::new(["t"])
        .with_owned_partitions([tp("t", 0)])
        .with_user_data(9i32.to_be_bytes());
    let m = JoinedMember::new("a", None, sub.encode_version(1).unwrap());
    let member = decode_member(Strategy::CooperativeSticky, &m).unwrap();
    assert_eq!(
        (member.owned.clone(), member.generation),
        (vec![tp("t", 0)], Some(9))
    );
    // From v2 the subscription's generation wins.
    let m = JoinedMember::new("a", None, sub.clone().with_generation(4).encode().unwrap());
    assert_eq!(
        decode_member(Strategy::CooperativeSticky, &m)
            .unwrap()
            .generation,
        Some(4)
    );

    let history = StickyUserData::new([tp("t", 3)], Some(5)).encode().unwrap();
    let m = JoinedMember::new(
        "b",
        Some("i".into()),
        Subscription::new(["t"])
            .with_user_data(history)
            .encode()
            .unwrap(),
    );
    let member = decode_member(Strategy::Sticky, &m).unwrap();
    assert_eq!(member.owned, [tp("t", 3)]);
    assert_eq!(member.generation, Some(5));
    assert_eq!(member.owned_source, OwnedSource::StickyUserData);
    assert_eq!(member.instance_id.as_deref(), Some("i"));
}

#[test]
fn leader_assigns_and_writes_v3_assignments() {
    let members: Vec<JoinedMember> = ["c1", "c2"]
        .iter()
        .map(|id| JoinedMember::new(*id, None, Subscription::new(["t"]).encode().unwrap()))
        .collect();
    let out = lead(Strategy::Range, &members, vec![Topic::new("t", 3)]).unwrap();
    assert_eq!(out.sync.len(), 2);
    let c1 = AssignmentData::decode(&out.sync[0].1).unwrap();
    assert_eq!(out.sync[0].0, "c1");
    assert_eq!(c1.version, 3);
    assert_eq!(c1.assignment.partitions, [tp("t", 0), tp("t", 1)]);
    let c2 = AssignmentData::decode(&out.sync[1].1).unwrap();
    assert_eq!(c2.assignment.partitions, [tp("t", 2)]);
}

#[test]
fn bad_metadata_names_the_member() {
    let members = vec![
        JoinedMember::new("good", None, Subscription::new(["t"]).encode().unwrap()),
        JoinedMember::new("bad", None, vec![0, 3, 0]),
    ];
    let err = lead(Strategy::Range, &members, vec![Topic::new("t", 1)]).unwrap_err();
    match err.kind() {
        LeaderErrorKind::BadMetadata { member, source } => {
            assert_eq!(member, "bad");
            assert_eq!(source.offset(), 2);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("\"bad\""));
}

#[test]
fn follower_sees_added_revoked_and_kept() {
    let owned = [tp("t", 0), tp("t", 1), tp("u", 0)];
    let bytes = AssignmentData::new([tp("t", 1), tp("t", 2)])
        .encode()
        .unwrap();
    let (data, change) = follow(&owned, &bytes).unwrap();
    assert_eq!(data.partitions, [tp("t", 1), tp("t", 2)]);
    assert_eq!(change.added, [tp("t", 2)]);
    assert_eq!(change.revoked, [tp("t", 0), tp("u", 0)]);
    assert_eq!(change.kept, [tp("t", 1)]);
    let same = assignment_change(&owned, &AssignmentData::new(owned.clone()));
    assert!(same.added.is_empty() && same.revoked.is_empty());
}
