//! The public API as a new user meets it: patterns that must compile, the
//! notes on suspicious input, and the helpers between rebalances.

use kafka_assignors::{
    AssignErrorKind, Assignor, CooperativeStickyAssignor, Group, MAX_PARTITIONS, Member, Note,
    Strategy, Topic,
};

fn group() -> Group {
    Group::new()
        .with_topic(Topic::new("a", 3))
        .with_topic(Topic::new("b", 2))
        .with_member(Member::new("m1").subscribe(["a", "b"]))
        .with_member(Member::new("m2").subscribe(["a"]))
}

/// Views borrow the answer, not the view: they flatten across members.
#[test]
fn member_views_flatten_across_members() {
    let answer = Strategy::Range.assign(&group()).unwrap();
    let topics: Vec<(&str, &[i32])> = answer.members().flat_map(|m| m.topics()).collect();
    let partitions: Vec<(&str, i32)> = answer.members().flat_map(|m| m.iter()).collect();
    assert_eq!(topics.len(), 3);
    assert_eq!(partitions.len(), 5);
}

/// An answer's partitions feed the next group as they are.
#[test]
fn with_owned_takes_an_answers_partitions() {
    let answer = Strategy::Range.assign(&group()).unwrap();
    let m1 = answer.member("m1").unwrap();
    let member = Member::new("m1").with_owned("a", m1.partitions("a"));
    assert_eq!(member.owned.len(), m1.partitions("a").len());
    let by_value = Member::new("m1").with_owned("a", [0, 1]);
    assert_eq!(by_value.owned.len(), 2);
}

#[test]
fn strategy_names_pad_and_align() {
    assert_eq!(format!("[{:<8}]", Strategy::Range), "[range   ]");
    assert_eq!(format!("[{:>8}]", Strategy::Sticky), "[  sticky]");
    assert_eq!(
        format!("{}", Strategy::CooperativeSticky),
        "cooperative-sticky"
    );
}

#[test]
fn too_many_partitions_names_the_largest_topic() {
    let big = (MAX_PARTITIONS / 2) as i32 + 1;
    let group = Group::new()
        .with_topic(Topic::new("x", big))
        .with_topic(Topic::new("y", big))
        .with_topic(Topic::new("small", 3))
        .with_member(Member::new("m").subscribe(["small", "y", "x"]));
    let err = Strategy::Range.assign(&group).unwrap_err();
    match err.kind() {
        AssignErrorKind::TooManyPartitions {
            largest_topic,
            largest_partitions,
            ..
        } => {
            assert_eq!(largest_topic, "x");
            assert_eq!(*largest_partitions, big);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("topic \"x\""), "{err}");
}

#[test]
fn notes_list_what_the_rules_accept_silently() {
    let group = Group::new()
        .with_topic(Topic::new("t", 2))
        .with_topic(Topic::new("u", 1))
        .with_topic(Topic::new("", 1))
        .with_member(
            Member::new("m")
                .subscribe(["t", "t", "ghost"])
                .with_owned("t", [0, 0, 7])
                .with_owned("u", [0])
                .with_owned("gone", [1, 2])
                .with_generation(-3),
        )
        .with_member(Member::new("").subscribe(["t"]).with_owned("t", [1]));
    let m = || "m".to_string();
    let expected = vec![
        Note::EmptyMemberId,
        Note::EmptyTopicName,
        Note::UnknownSubscription {
            member: m(),
            topic: "ghost".into(),
        },
        Note::RepeatedSubscription {
            member: m(),
            topic: "t".into(),
        },
        Note::OwnedUnknownTopic {
            member: m(),
            topic: "gone".into(),
            claims: 2,
        },
        Note::OwnedOutOfRange {
            member: m(),
            topic: "t".into(),
            partition: 7,
            partitions: 2,
        },
        Note::OwnedUnsubscribed {
            member: m(),
            topic: "u".into(),
            claims: 1,
        },
        Note::RepeatedClaim {
            member: m(),
            topic: "t".into(),
            partition: 0,
        },
        Note::NegativeGeneration {
            member: m(),
            generation: -3,
        },
        Note::OwnedWithoutGeneration {
            member: String::new(),
        },
    ];
    assert_eq!(group.notes(), expected);
    // The same group in another order says the same.
    let mut reversed = group.clone();
    reversed.members.reverse();
    reversed.topics.reverse();
    assert_eq!(reversed.notes(), expected);
    assert!(expected.iter().all(|n| !n.to_string().is_empty()));
    assert!(self::group().notes().is_empty());
}

/// The helpers between rebalances: the next group, what changed owner,
/// and the cooperative follow-up.
#[test]
fn rounds_between_rebalances() {
    let settled = group();
    let first = Strategy::CooperativeSticky.assign(&settled).unwrap();
    let next = settled.next_generation(&first);
    assert!(next.members.iter().all(|m| m.generation == Some(1)));
    assert_eq!(
        next.members.iter().map(|m| m.owned.len()).sum::<usize>(),
        first.assigned_partitions()
    );
    // A third member joins: the cooperative round withholds what moves,
    // the follow-up hands it over.
    let grown = next
        .clone()
        .with_member(Member::new("m3").subscribe(["a", "b"]));
    let coop = CooperativeStickyAssignor::new();
    let withheld = coop.assign(&grown).unwrap();
    let follow_up = coop.follow_up(&grown, &withheld).unwrap();
    assert_eq!(withheld.moved_since(&first), 0);
    let revoked = withheld.revoked_since(&first);
    assert!(revoked > 0);
    assert_eq!(follow_up.moved_since(&first), revoked);
    assert_eq!(follow_up.revoked_since(&withheld), 0);
    assert_eq!(follow_up.assigned_partitions(), 5);
    let again = coop
        .follow_up(&grown.next_generation(&withheld), &follow_up)
        .unwrap();
    assert_eq!(again, follow_up);
}

/// Every public type can cross threads and survive a caught panic: a leader
/// may assign on a worker thread, and a server may catch a panic around a
/// rebalance without losing its state.
#[test]
fn public_types_are_send_sync_and_unwind_safe() {
    use std::panic::{RefUnwindSafe, UnwindSafe};

    use kafka_assignors::protocol::{
        AssignmentChange, AssignmentData, ClientState, DecodeError, DecodeErrorKind,
        DecodedAssignment, DecodedSubscription, EncodeError, EncodeErrorKind, JoinProtocol,
        JoinedMember, LeaderAssignment, LeaderError, LeaderErrorKind, NegotiationError,
        StickyFormat, StickyUserData, Subscription, TopicPartitions,
    };
    use kafka_assignors::{
        AssignError, Assignment, History, MemberAssignment, OwnedSource, RackMatch, RangeAssignor,
        RebalanceProtocol, RoundRobinAssignor, StickyAssignor, TopicPartition, UnknownStrategy,
    };

    fn check<T: Send + Sync + UnwindSafe + RefUnwindSafe>() {}

    // The model and the answer.
    check::<Group>();
    check::<Member>();
    check::<Topic>();
    check::<TopicPartition>();
    check::<OwnedSource>();
    check::<History>();
    check::<RebalanceProtocol>();
    check::<Assignment>();
    check::<MemberAssignment<'static>>();
    check::<Note>();
    // The assignors and the strategy names.
    check::<RangeAssignor>();
    check::<RoundRobinAssignor>();
    check::<StickyAssignor>();
    check::<CooperativeStickyAssignor>();
    check::<RackMatch>();
    check::<Strategy>();
    // Errors.
    check::<AssignError>();
    check::<AssignErrorKind>();
    check::<UnknownStrategy>();
    check::<DecodeError>();
    check::<DecodeErrorKind>();
    check::<EncodeError>();
    check::<EncodeErrorKind>();
    check::<LeaderError>();
    check::<LeaderErrorKind>();
    check::<NegotiationError>();
    // The protocol types.
    check::<Subscription>();
    check::<DecodedSubscription>();
    check::<AssignmentData>();
    check::<DecodedAssignment>();
    check::<ClientState>();
    check::<JoinProtocol>();
    check::<JoinedMember>();
    check::<LeaderAssignment>();
    check::<AssignmentChange>();
    check::<StickyUserData>();
    check::<StickyFormat>();
    check::<TopicPartitions>();
    // Between rebalances.
    check::<kafka_assignors::Ownership>();
    check::<kafka_assignors::Settled>();
    check::<kafka_assignors::Loads>();
    #[cfg(feature = "serde")]
    {
        use kafka_assignors::protocol::{
            AssignmentJson, CooperativeUserDataJson, HexBytes, HexError, JsonFormError,
            JsonFormErrorKind, PartitionMap, StickyUserDataJson, SubscriptionJson, Trailing,
            UserDataFormat, UserDataJson,
        };
        check::<SubscriptionJson>();
        check::<kafka_assignors::protocol::SyncJson<'static>>();
        check::<AssignmentJson>();
        check::<StickyUserDataJson>();
        check::<CooperativeUserDataJson>();
        check::<UserDataJson>();
        check::<UserDataFormat>();
        check::<PartitionMap>();
        check::<Trailing>();
        check::<HexBytes>();
        check::<HexError>();
        check::<JsonFormError>();
        check::<JsonFormErrorKind>();
    }
    #[cfg(feature = "simulate")]
    {
        use kafka_assignors::simulate::{
            CommitMode, Event, EventReport, EventSpec, LaneState, MemberSpec, Protocol, RateSpec,
            Replay, ReplayError, ReplayErrorKind, Simulation, Status, Timeline, TimelineError,
            TimelineErrorKind, TimelineFile, Totals,
        };
        check::<TimelineFile>();
        check::<MemberSpec>();
        check::<EventSpec>();
        check::<RateSpec>();
        check::<Timeline>();
        check::<Event>();
        check::<CommitMode>();
        check::<Replay>();
        check::<EventReport>();
        check::<LaneState>();
        check::<Status>();
        check::<Protocol>();
        check::<Totals>();
        check::<Simulation<'static>>();
        check::<TimelineError>();
        check::<TimelineErrorKind>();
        check::<ReplayError>();
        check::<ReplayErrorKind>();
    }
}
