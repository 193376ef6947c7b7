//! KIP-848 reconciliation on arbitrary records and heartbeats: no panic;
//! errors only where the input is impossible (a bad record, a member epoch
//! ahead of the target) or Kafka fences (state `Unknown` with owned
//! partitions); every step's output is a valid record that moved forward,
//! took nothing held elsewhere, nothing outside its subscribed target, and
//! nothing new while it must revoke. Then the test kit's model coordinator
//! on arbitrary events: its invariants after every event, and every member
//! at its target once heartbeats keep coming.
#![no_main]

use arbitrary::Arbitrary;
use kafka_assignors::server::{
    CurrentAssignment, Heartbeat, MemberState, PartitionEpochs, PartitionSet, ReconcileErrorKind,
    TopicId, reconcile,
};
use kafka_assignors_testkit::kip848::{Event, Model, topic_id};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Start {
    state: u8,
    epoch: i8,
    previous: i8,
    assigned: Vec<(u8, i8, i8)>,
    pending: Vec<(u8, i8, i8)>,
}

#[derive(Debug, Arbitrary)]
struct Step {
    target_epoch: i8,
    target: Vec<(u8, i8)>,
    owned: Option<Vec<(u8, i8)>>,
    changed: bool,
    subscription: u8,
    owners: Vec<(u8, i8, i8)>,
}

#[derive(Debug, Arbitrary)]
enum ModelEvent {
    Join(u8),
    Leave(u8),
    Fence(u8),
    Heartbeat(u8, bool, Option<u8>),
    Apply(u8),
    Retarget(u8),
}

#[derive(Debug, Arbitrary)]
struct Input {
    start: Start,
    steps: Vec<Step>,
    topics: Vec<u8>,
    events: Vec<ModelEvent>,
}

fn tid(t: u8) -> TopicId {
    topic_id(usize::from(t % 4))
}

fn set(items: &[(u8, i8)]) -> Option<PartitionSet> {
    PartitionSet::from_partitions(items.iter().map(|&(t, p)| (tid(t), i32::from(p)))).ok()
}

fn held(r: &CurrentAssignment, t: TopicId, p: i32) -> bool {
    r.assigned().contains(t, p) || r.pending_revocation().contains(t, p)
}

fn direct(input: &Input) {
    let s = &input.start;
    let state = match s.state % 4 {
        0 => MemberState::Stable,
        1 => MemberState::UnrevokedPartitions,
        2 => MemberState::UnreleasedPartitions,
        _ => MemberState::Unknown,
    };
    let epochs = |items: &[(u8, i8, i8)]| {
        PartitionEpochs::from_partitions(
            items
                .iter()
                .map(|&(t, p, e)| (tid(t), i32::from(p), i32::from(e))),
        )
    };
    let (Ok(assigned), Ok(pending)) = (epochs(&s.assigned), epochs(&s.pending)) else {
        return;
    };
    let Ok(mut record) = CurrentAssignment::new(
        state,
        i32::from(s.epoch),
        i32::from(s.previous),
        assigned,
        pending,
    ) else {
        return;
    };
    for step in input.steps.iter().take(32) {
        let Some(target) = set(&step.target) else {
            continue;
        };
        let owned = match &step.owned {
            None => None,
            Some(items) => match set(items) {
                Some(s) => Some(s),
                None => continue,
            },
        };
        let holders: Vec<(TopicId, i32, i32)> = step
            .owners
            .iter()
            .map(|&(t, p, e)| (tid(t), i32::from(p), i32::from(e)))
            .collect();
        let mask = step.subscription;
        let subscribed = |t: TopicId| (0..4u8).any(|i| mask & (1 << i) != 0 && tid(i) == t);
        let owner = |t: TopicId, p: i32| {
            holders
                .iter()
                .find(|&&(ht, hp, _)| (ht, hp) == (t, p))
                .map(|&(_, _, e)| e)
        };
        let hb = Heartbeat {
            target_epoch: i32::from(step.target_epoch),
            target: &target,
            owned: owned.as_ref(),
            subscription_changed: step.changed,
        };
        let next = match reconcile(&record, &hb, &subscribed, &owner) {
            Ok(r) => r.into_next(&record),
            Err(e) => {
                match e.kind() {
                    ReconcileErrorKind::MemberEpochAheadOfTarget { .. } => {
                        assert!(record.epoch() > hb.target_epoch)
                    }
                    ReconcileErrorKind::NegativeEpoch { .. } => assert!(hb.target_epoch < 0),
                    ReconcileErrorKind::FencedUnknownState { .. } => {
                        assert_eq!(record.state(), MemberState::Unknown);
                        assert!(owned.as_ref().is_none_or(|o| !o.is_empty()));
                    }
                    other => panic!("unexpected error {other:?}"),
                }
                continue;
            }
        };
        // A valid record, as `new` checks it.
        let rebuilt = CurrentAssignment::new(
            next.state(),
            next.epoch(),
            next.previous_epoch(),
            next.assigned().clone(),
            next.pending_revocation().clone(),
        );
        assert_eq!(rebuilt.as_ref(), Ok(&next));
        assert!(next.epoch() >= record.epoch());
        assert!(next.epoch() <= hb.target_epoch);
        for (t, p, e) in next.assigned().iter() {
            if held(&record, t, p) {
                continue;
            }
            assert!(
                target.contains(t, p) && subscribed(t),
                "{t}-{p} not targeted"
            );
            assert_eq!(e, hb.target_epoch);
            assert!(owner(t, p).is_none(), "{t}-{p} given while held");
            assert_ne!(next.state(), MemberState::UnrevokedPartitions);
        }
        for (t, p, _) in next.pending_revocation().iter() {
            assert!(held(&record, t, p), "{t}-{p} pending but never held");
        }
        if next.state() == MemberState::UnrevokedPartitions {
            assert!(next.epoch() == record.epoch() || record.state() == MemberState::Unknown);
        }
        record = next;
    }
}

fn model(input: &Input) {
    let topics: Vec<i32> = input
        .topics
        .iter()
        .take(4)
        .map(|&n| i32::from(n % 8))
        .collect();
    if topics.is_empty() {
        return;
    }
    let mut model = Model::new(&topics);
    for event in input.events.iter().take(200) {
        let event = match *event {
            ModelEvent::Join(mask) => Event::Join {
                mask: u16::from(mask & 0b1111),
            },
            ModelEvent::Leave(m) => Event::Leave { member: m.into() },
            ModelEvent::Fence(m) => Event::Fence { member: m.into() },
            ModelEvent::Heartbeat(m, report, subscribe) => Event::Heartbeat {
                member: m.into(),
                report,
                subscribe: subscribe.map(|s| u16::from(s & 0b1111)),
            },
            ModelEvent::Apply(m) => Event::Apply { member: m.into() },
            ModelEvent::Retarget(shift) => Event::Retarget { shift },
        };
        if let Err(why) = model.apply(&event).and_then(|()| model.check()) {
            panic!("after {event:?}: {why}");
        }
    }
    if let Err(why) = model.settle(6) {
        panic!("{why}");
    }
}

fuzz_target!(|input: Input| {
    direct(&input);
    model(&input);
});
