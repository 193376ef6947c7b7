//! The protocol leader on arbitrary member metadata and topic metadata: no
//! panic; when it succeeds, every member's SyncGroup bytes decode to what the
//! strategy gave it, and `follow` reads them. One `Leader`, kept from input
//! to input as a client keeps it from rebalance to rebalance, answers every
//! input as `lead` does from fresh memory.
#![no_main]

use arbitrary::Arbitrary;
use kafka_assignors::protocol::{
    AssignmentData, JoinedMember, Leader, StickyUserData, Subscription, cooperative_user_data,
    follow, lead,
};
use kafka_assignors::{Assignor, Strategy, Topic, TopicPartition};
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;

thread_local! {
    static KEPT: RefCell<Leader> = RefCell::new(Leader::new());
}

#[derive(Debug, Arbitrary)]
enum UserData {
    None,
    Raw(Vec<u8>),
    Sticky(Vec<TopicPartition>, Option<i32>),
    Cooperative(Option<i32>),
}

#[derive(Debug, Arbitrary)]
enum Metadata {
    /// Bytes as they come: mostly unreadable.
    Raw(Vec<u8>),
    /// A real subscription, so the leader gets past decoding.
    Encoded {
        version: i16,
        topics: Vec<TopicPartition>,
        owned: Vec<TopicPartition>,
        generation: Option<i32>,
        rack: Option<u8>,
        user_data: UserData,
        /// Bytes appended after the encoding (ignored by decoders).
        trailing: Vec<u8>,
    },
}

#[derive(Debug, Arbitrary)]
struct Joined {
    id: u8,
    instance: Option<u8>,
    metadata: Metadata,
}

#[derive(Debug, Arbitrary)]
struct Input {
    strategy: u8,
    members: Vec<Joined>,
    topics: Vec<Topic>,
}

fn metadata(m: Metadata) -> Vec<u8> {
    match m {
        Metadata::Raw(bytes) => bytes,
        Metadata::Encoded {
            version,
            topics,
            owned,
            generation,
            rack,
            user_data,
            trailing,
        } => {
            let mut sub = Subscription::new(topics.into_iter().map(|tp| tp.topic))
                .with_owned_partitions(owned);
            sub.generation = generation;
            sub.rack = rack.map(|r| ["ra", "rb", "", "rc"][usize::from(r % 4)].to_string());
            sub.user_data = match user_data {
                UserData::None => None,
                UserData::Raw(bytes) => Some(bytes),
                UserData::Sticky(owned, generation) => {
                    StickyUserData::new(owned, generation).encode().ok()
                }
                UserData::Cooperative(generation) => {
                    Some(cooperative_user_data(generation).to_vec())
                }
            };
            let mut bytes = sub.encode_version(version.max(0) % 5).unwrap_or_default();
            bytes.extend(trailing);
            bytes
        }
    }
}

fuzz_target!(|input: Input| {
    let strategy = Strategy::ALL[usize::from(input.strategy) % Strategy::ALL.len()];
    let members: Vec<JoinedMember> = input
        .members
        .into_iter()
        .take(32)
        .map(|j| {
            JoinedMember::new(
                format!("m{}", j.id % 16),
                j.instance.map(|i| format!("i{}", i % 8)),
                metadata(j.metadata),
            )
        })
        .collect();
    let topics: Vec<Topic> = input.topics.into_iter().take(8).collect();
    let fresh = lead(strategy, &members, topics.clone());
    KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        match (&fresh, kept.lead(strategy, &members, topics)) {
            (Ok(fresh), Ok(kept)) => {
                assert_eq!(&fresh.assignment, kept.assignment());
                assert!(
                    fresh
                        .sync
                        .iter()
                        .map(|(id, b)| (id.as_str(), b.as_slice()))
                        .eq(kept.sync())
                );
            }
            (Err(fresh), Err(kept)) => assert_eq!(fresh, &kept),
            (fresh, kept) => panic!("lead {:?}, kept leader {:?}", fresh.is_ok(), kept.is_ok()),
        }
    });
    let Ok(led) = fresh else {
        return;
    };
    let group = led.group();
    // The strategies read the decoded form directly: the model's group it
    // stands for must get the same answer.
    assert_eq!(
        Ok(&led.assignment),
        strategy.assign(&group).as_ref(),
        "the decoded path and the model disagree"
    );
    // Each member's user data comes back byte for byte, however the
    // leader keeps it (sticky user data as the claims it says).
    assert_eq!(group.members.len(), members.len());
    for (joined, member) in members.iter().zip(&group.members) {
        let sent = Subscription::decode(&joined.metadata).expect("a member the leader read");
        assert_eq!(
            member.user_data, sent.subscription.user_data,
            "member {}",
            joined.member_id
        );
    }
    assert_eq!(led.sync.len(), group.members.len());
    for (id, bytes) in &led.sync {
        let decoded = AssignmentData::decode(bytes).expect("the leader's bytes decode");
        let mut got: Vec<(String, i32)> = decoded
            .assignment
            .partitions
            .iter()
            .map(|tp| (tp.topic.to_string(), tp.partition))
            .collect();
        got.sort_unstable();
        let given = led
            .assignment
            .member(id)
            .expect("synced members are assigned");
        let mut want: Vec<(String, i32)> = given.iter().map(|(t, p)| (t.to_string(), p)).collect();
        want.sort_unstable();
        assert_eq!(got, want, "member {id}");
        let owned = &group.member(id).expect("a member of the group").owned;
        follow(owned, bytes).expect("follow reads the leader's bytes");
    }
});
