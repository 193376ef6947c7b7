//! Negotiation, the broker's choice, the leader and the follower, over bytes.

use kafka_assignors::protocol::{
    AssignmentData, ClientState, JoinedMember, LeaderErrorKind, NegotiationError, StickyFormat,
    StickyUserData, Subscription, assignment_change, decode_member, follow, join_protocols, lead,
    rebalance_protocol, select_strategy,
};
use kafka_assignors::{Assignor, OwnedSource, RebalanceProtocol, Strategy, Topic, TopicPartition};

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

/// A user's own assignor: every partition to the member whose id sorts
/// first, history read as cooperative-sticky reads it.
#[derive(Debug)]
struct FirstTakesAll;

impl kafka_assignors::Assignor for FirstTakesAll {
    fn name(&self) -> &'static str {
        "first-takes-all"
    }

    fn supported_protocols(&self) -> &'static [RebalanceProtocol] {
        &[RebalanceProtocol::Eager, RebalanceProtocol::Cooperative]
    }

    fn assign(
        &self,
        group: &kafka_assignors::Group,
    ) -> Result<kafka_assignors::Assignment, kafka_assignors::AssignError> {
        let first = group.members.iter().map(|m| m.id.as_str()).min();
        let everything: Vec<(String, Vec<i32>)> = group
            .topics
            .iter()
            .map(|t| (t.name.to_string(), (0..t.partitions).collect()))
            .collect();
        Ok(kafka_assignors::Assignment::from_members(
            group.members.iter().map(|m| {
                let mine = Some(m.id.as_str()) == first;
                let given = if mine { everything.clone() } else { Vec::new() };
                (m.id.clone(), given)
            }),
        ))
    }

    fn history(&self) -> kafka_assignors::History {
        kafka_assignors::History::CooperativeGeneration
    }
}

#[test]
fn a_users_own_assignor_leads_and_members_follow() {
    let state = ClientState::new(["t"]).with_assignment([tp("t", 1)], 3);
    let metadata = join_protocols(&[Strategy::CooperativeSticky], &state).unwrap()[0]
        .metadata
        .clone();
    let members = vec![
        JoinedMember::new("b", None, metadata.clone()),
        JoinedMember::new("a", None, Subscription::new(["t"]).encode().unwrap()),
    ];
    let led = lead(&FirstTakesAll, &members, vec![Topic::new("t", 2)]).unwrap();
    // The history was read the way the assignor asked: b owned t-1 at 3.
    let group = led.group();
    let b = group.member("b").unwrap();
    assert_eq!(b.owned, vec![tp("t", 1)]);
    assert_eq!(b.generation, Some(3));
    let a = led.assignment.member("a").unwrap();
    assert_eq!(a.partitions("t"), &[0, 1]);
    for (id, bytes) in &led.sync {
        let owned = if id == "b" {
            vec![tp("t", 1)]
        } else {
            Vec::new()
        };
        let (assignment, change) = follow(&owned, bytes).unwrap();
        if id == "a" {
            assert_eq!(assignment.partitions, vec![tp("t", 0), tp("t", 1)]);
            assert_eq!(change.added.len(), 2);
        } else {
            assert!(assignment.partitions.is_empty());
            assert_eq!(change.revoked, vec![tp("t", 1)]);
        }
    }
}

/// A configured assignor leads too: leader-rack matching changes the answer
/// where any-replica matching cannot tell the members apart.
#[test]
fn a_configured_assignor_leads_with_leader_racks() {
    use kafka_assignors::{RackMatch, StickyAssignor};
    let joined = |id: &str, rack: &str| {
        let state = ClientState::new(["t"]).with_rack(rack);
        let metadata = join_protocols(&[Strategy::Sticky], &state).unwrap()[0]
            .metadata
            .clone();
        JoinedMember::new(id, None, metadata)
    };
    let members = vec![joined("a", "r0"), joined("b", "r1")];
    // Partitions 0-3 have a replica on both racks, their leaders on r1 for
    // 0 and 1 and on r0 for 2 and 3; 4 sits on r0 only and 5 on r1 only.
    let topic = || {
        Topic::new("t", 6).with_replica_racks([
            vec!["r1", "r0"],
            vec!["r1", "r0"],
            vec!["r0", "r1"],
            vec!["r0", "r1"],
            vec!["r0"],
            vec!["r1"],
        ])
    };
    let by_leader = StickyAssignor::new().with_rack_match(RackMatch::Leader);
    let led = lead(by_leader, &members, vec![topic()]).unwrap();
    assert_eq!(
        led.assignment.member("a").unwrap().partitions("t"),
        &[2, 3, 4]
    );
    assert_eq!(
        led.assignment.member("b").unwrap().partitions("t"),
        &[0, 1, 5]
    );
    // Any replica's rack: 0-3 are local to both, so they fall by the ties.
    let any = lead(Strategy::Sticky, &members, vec![topic()]).unwrap();
    assert_ne!(any.assignment, led.assignment);
    assert!(
        any.assignment
            .member("a")
            .unwrap()
            .partitions("t")
            .contains(&4)
    );
}

/// The leader reads decoded history without building the model: owned lists
/// out of order, several partitions per topic in scrambled order, claims on
/// topics the metadata lacks, out of range, or on topics the member left,
/// and sticky user data in the Java `HashMap`'s order. Every answer equals
/// the strategy's answer on the model's group the leader decoded, and that
/// group is the one each member decodes to alone.
#[test]
fn the_leader_reads_decoded_history_as_the_model_says() {
    let topics = || {
        vec![
            Topic::new("zeta", 4),
            Topic::new("alpha", 5),
            Topic::new("mid", 3),
        ]
    };
    let owned_a = [
        tp("zeta", 3),
        tp("alpha", 4),
        tp("zeta", 0),
        tp("alpha", 1),
        tp("alpha", 0),
        tp("gone", 0),
        tp("mid", 9),
    ];
    let owned_b = [tp("mid", 2), tp("alpha", 2), tp("mid", 0), tp("zeta", 1)];
    for strategy in Strategy::ALL {
        let join = |id: &str, topics: &[&str], owned: &[TopicPartition], generation| {
            let state = ClientState::new(topics.iter().copied())
                .with_assignment(owned.iter().cloned(), generation);
            let metadata = join_protocols(&[strategy], &state).unwrap()[0]
                .metadata
                .clone();
            JoinedMember::new(id, None, metadata)
        };
        // Overlapping subscriptions (the general solver), and equal ones
        // with only valid claims (the closed form, which takes such lists
        // at their word and sorts each as it reads it).
        let overlapping = [
            join("b", &["mid", "alpha", "zeta"], &owned_b, 4),
            join("a", &["alpha", "zeta"], &owned_a, 5),
            join("c", &["zeta", "mid", "alpha", "gone"], &[], 5),
        ];
        let equal = [
            join("b", &["mid", "alpha", "zeta"], &owned_b, 4),
            join("a", &["zeta", "alpha", "mid"], &owned_a[..5], 5),
            join("c", &["alpha", "mid", "zeta"], &[], 5),
        ];
        for members in [overlapping, equal] {
            let led = lead(strategy, &members, topics()).unwrap();
            let group = led.group();
            assert_eq!(
                led.assignment,
                strategy.assign(&group).unwrap(),
                "{strategy}"
            );
            for (m, joined) in members.iter().enumerate() {
                assert_eq!(group.members[m], decode_member(strategy, joined).unwrap());
            }
            // A user's assignor takes the default path through the model.
            let by_model = lead(Wrapped(strategy), &members, topics()).unwrap();
            assert_eq!(by_model.assignment, led.assignment, "{strategy}");
            assert_eq!(by_model.sync, led.sync, "{strategy}");
        }
    }
}

/// A strategy behind an assignor of a user's own, which does not override
/// `assign_decoded`.
#[derive(Debug)]
struct Wrapped(Strategy);

impl Assignor for Wrapped {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn supported_protocols(&self) -> &'static [RebalanceProtocol] {
        self.0.supported_protocols()
    }

    fn assign(
        &self,
        group: &kafka_assignors::Group,
    ) -> Result<kafka_assignors::Assignment, kafka_assignors::AssignError> {
        self.0.assign(group)
    }

    fn history(&self) -> kafka_assignors::History {
        self.0.history()
    }
}
