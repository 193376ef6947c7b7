//! KIP-848 reconciliation over random interleavings of heartbeats, joins,
//! leaves, fencing, subscription and target changes, driven by the test
//! kit's model coordinator (`testkit/src/kip848.rs`): after every event no
//! partition is held by two members (nor owned by two clients), no step
//! hands out a partition held elsewhere, epochs never go back; and once
//! heartbeats keep coming, every member reaches its target.
//!
//! The proptest seed is printed; set `PROPTEST_RNG_SEED` to replay it.

use kafka_assignors::server::{CurrentAssignment, Heartbeat, MemberState, PartitionSet, reconcile};
use kafka_assignors_testkit::kip848::{Event, Model, topic_id};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

fn config(cases: u32) -> ProptestConfig {
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0)
        });
    eprintln!("server_reconcile: PROPTEST_RNG_SEED={seed}");
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        ..ProptestConfig::default()
    }
}

fn arb_event() -> impl Strategy<Value = Event> {
    prop_oneof![
        2 => any::<u16>().prop_map(|mask| Event::Join { mask: mask & 0b1111 }),
        1 => any::<usize>().prop_map(|member| Event::Leave { member }),
        1 => any::<usize>().prop_map(|member| Event::Fence { member }),
        8 => (any::<usize>(), prop::bool::weighted(0.85), prop::option::weighted(0.1, any::<u16>()))
            .prop_map(|(member, report, subscribe)| Event::Heartbeat {
                member,
                report,
                subscribe: subscribe.map(|m| m & 0b1111),
            }),
        5 => any::<usize>().prop_map(|member| Event::Apply { member }),
        1 => any::<u8>().prop_map(|shift| Event::Retarget { shift }),
    ]
}

fn arb_topics() -> impl Strategy<Value = Vec<i32>> {
    prop::collection::vec(0..6i32, 1..=4)
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn reconciliation_is_safe_and_live(
        topics in arb_topics(),
        events in prop::collection::vec(arb_event(), 0..120),
    ) {
        let mut model = Model::new(&topics);
        for (i, event) in events.iter().enumerate() {
            let stepped = model.apply(event).and_then(|()| model.check());
            prop_assert!(stepped.is_ok(), "after event {} ({:?}): {}", i, event, stepped.unwrap_err());
        }
        // Liveness: heartbeats keep coming and clients apply what they are
        // sent; every member gets its whole target within a few rounds.
        let settled = model.settle(6);
        prop_assert!(settled.is_ok(), "{}", settled.unwrap_err());
        // And a settled group stays put: another round changes nothing.
        let epoch = model.target_epoch();
        let before: Vec<CurrentAssignment> = model.members.values().map(|m| m.record.clone()).collect();
        prop_assert_eq!(model.settle(1), Ok(0));
        let after: Vec<CurrentAssignment> = model.members.values().map(|m| m.record.clone()).collect();
        prop_assert_eq!(before, after);
        prop_assert_eq!(model.target_epoch(), epoch);
    }

    #[test]
    fn a_member_never_gains_while_it_must_revoke(
        topics in arb_topics(),
        events in prop::collection::vec(arb_event(), 0..80),
    ) {
        // Replay with tracing and look at every single step.
        let mut model = Model::new(&topics);
        model.trace = Some(Vec::new());
        for event in &events {
            let _ = model.apply(event);
        }
        for step in model.trace.take().unwrap_or_default() {
            let Ok(after) = step.after else { continue };
            let gained: Vec<_> = after
                .assigned()
                .iter()
                .filter(|&(t, p, _)| !step.before.assigned().contains(t, p))
                .collect();
            if after.state() == MemberState::UnrevokedPartitions {
                prop_assert!(
                    gained.iter().all(|&(t, p, _)| step.before.pending_revocation().contains(t, p)),
                    "gained {:?} while revoking", gained
                );
                prop_assert_eq!(after.epoch(), step.before.epoch());
            }
            // What it gains is in its target, at the target epoch, and was
            // free or its own.
            for (t, p, e) in gained {
                prop_assert!(step.target.contains(t, p));
                prop_assert_eq!(e, step.target_epoch);
                let held_elsewhere = step.owners.iter().any(|&(ot, op, _)| (ot, op) == (t, p))
                    && !step.before.pending_revocation().contains(t, p);
                prop_assert!(!held_elsewhere, "{}-{} handed out while held", t, p);
            }
        }
    }
}

#[test]
fn a_round_of_moves_settles_in_three_heartbeat_rounds() {
    // Two members split two topics; a third joins, takes its share only
    // after the others released it.
    let mut model = Model::new(&[4, 4]);
    for _ in 0..2 {
        model.apply(&Event::Join { mask: 0b11 }).unwrap();
    }
    assert_eq!(model.settle(6), Ok(1));
    model.apply(&Event::Join { mask: 0b11 }).unwrap();
    let newcomer = *model.members.keys().last().unwrap();
    // The newcomer heartbeats first: everything it is targeted is still
    // held, so it waits at the new epoch with nothing.
    model
        .apply(&Event::Heartbeat {
            member: 2,
            report: true,
            subscribe: None,
        })
        .unwrap();
    let record = &model.members[&newcomer].record;
    assert_eq!(record.state(), MemberState::UnreleasedPartitions);
    assert!(record.assigned().is_empty());
    assert_eq!(record.epoch(), model.target_epoch());
    model.check().unwrap();
    let rounds = model.settle(6).unwrap();
    assert!(rounds >= 2, "settled in {rounds} rounds");
    assert_eq!(
        model.members[&newcomer].record.assigned().len(),
        model.target(newcomer).len()
    );
    assert!(!model.target(newcomer).is_empty());
}

#[test]
fn a_step_costs_the_same_whatever_the_owners_table_says_of_other_topics() {
    // The owners query is asked only about the member's own newly targeted
    // partitions: count the calls.
    let target = PartitionSet::from_partitions((0..50).map(|p| (topic_id(0), p))).unwrap();
    let owned = PartitionSet::new();
    let calls = std::cell::Cell::new(0usize);
    let hb = Heartbeat {
        target_epoch: 1,
        target: &target,
        owned: Some(&owned),
        subscription_changed: false,
    };
    let next = reconcile(&CurrentAssignment::joining(), &hb, &|_| true, &|_, _| {
        calls.set(calls.get() + 1);
        None
    })
    .unwrap()
    .into_next(&CurrentAssignment::joining());
    assert_eq!(calls.get(), 50);
    assert_eq!(next.assigned().len(), 50);
}
