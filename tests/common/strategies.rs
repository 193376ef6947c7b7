//! Proptest strategies for small, valid groups, and an order shuffler.
//!
//! Groups are valid (unique member ids and instance ids, non-negative
//! counts, rack lists of the right length) but otherwise messy: unknown and
//! repeated subscriptions, owned partitions of unknown or unsubscribed topics
//! and out of range, empty racks, names whose Java order differs from Rust's.

use std::collections::BTreeSet;
use std::sync::Arc;

use kafka_assignors::{Group, Member, Topic, TopicPartition};
use proptest::prelude::*;

/// Topic names; "😀x" and "！y" sort differently in Java (UTF-16) and Rust.
pub const TOPIC_NAMES: [&str; 7] = ["T", "a", "b", "t-10", "t-2", "😀x", "！y"];
/// A topic nobody describes in the metadata.
pub const UNKNOWN_TOPIC: &str = "ghost";
/// Member ids (and instance ids are drawn from the same pool, prefixed).
pub const MEMBER_IDS: [&str; 9] = ["C1", "C2", "C3", "C10", "c", "m-😀", "m-！", "z", "C0"];
/// Racks; the empty string means no rack.
pub const RACKS: [&str; 4] = ["r0", "r1", "r2", ""];

/// How a generated group may look.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Most topics in the metadata.
    pub max_topics: usize,
    /// Most members.
    pub max_members: usize,
    /// Whether members and replicas may have racks.
    pub racks: bool,
    /// Whether every member subscribes to the same topics.
    pub uniform: bool,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            max_topics: 5,
            max_members: 7,
            racks: true,
            uniform: false,
        }
    }
}

fn arb_topic(name: Arc<str>, racks: bool) -> impl Strategy<Value = Topic> {
    (0i32..=8, any::<bool>()).prop_flat_map(move |(partitions, with_racks)| {
        let name = Arc::clone(&name);
        let lists = if racks && with_racks {
            prop::collection::vec(
                prop::collection::vec(prop::sample::select(&RACKS[..]), 0..=3),
                partitions as usize,
            )
            .prop_map(Some)
            .boxed()
        } else {
            Just(None).boxed()
        };
        lists.prop_map(move |lists| {
            let topic = Topic::new(Arc::clone(&name), partitions);
            match lists {
                Some(lists) => topic.with_replica_racks(lists),
                None => topic,
            }
        })
    })
}

#[derive(Debug, Clone)]
struct MemberSeed {
    instance: Option<usize>,
    rack: Option<&'static str>,
    topics: Vec<usize>,
    owned: Vec<(usize, i32)>,
    generation: Option<i32>,
}

fn arb_member_seed(racks: bool) -> impl Strategy<Value = MemberSeed> {
    (
        prop::option::weighted(0.4, 0usize..6),
        if racks {
            prop::option::weighted(0.7, prop::sample::select(&RACKS[..])).boxed()
        } else {
            Just(None).boxed()
        },
        // Index TOPIC_NAMES.len() stands for the unknown topic.
        prop::collection::vec(0..=TOPIC_NAMES.len(), 0..=6),
        prop::collection::vec((0..=TOPIC_NAMES.len(), -1i32..10), 0..=6),
        prop::option::of(-1i32..5),
    )
        .prop_map(|(instance, rack, topics, owned, generation)| MemberSeed {
            instance,
            rack,
            topics,
            owned,
            generation,
        })
}

/// A valid group of the given shape.
pub fn arb_group(shape: Shape) -> impl Strategy<Value = Group> {
    let names: Vec<Arc<str>> = TOPIC_NAMES.iter().map(|&n| Arc::from(n)).collect();
    let topic_names = prop::sample::subsequence(names.clone(), 0..=shape.max_topics);
    let ids =
        prop::collection::btree_set(prop::sample::select(&MEMBER_IDS[..]), 0..=shape.max_members);
    (topic_names, ids).prop_flat_map(move |(chosen, ids)| {
        let topics: Vec<_> = chosen
            .iter()
            .map(|n| arb_topic(Arc::clone(n), shape.racks))
            .collect();
        let seeds = prop::collection::vec(arb_member_seed(shape.racks), ids.len());
        let uniform_topics = prop::collection::vec(0..=TOPIC_NAMES.len(), 0..=6);
        let names = names.clone();
        (topics, seeds, uniform_topics).prop_map(move |(topics, seeds, uniform_topics)| {
            let name = |i: usize| -> Arc<str> {
                if i < names.len() {
                    Arc::clone(&names[i])
                } else {
                    Arc::from(UNKNOWN_TOPIC)
                }
            };
            let mut used_instances = BTreeSet::new();
            let mut group = Group::new();
            for topic in topics {
                group = group.with_topic(topic);
            }
            for (id, seed) in ids.iter().zip(seeds) {
                let mut member = Member::new(*id);
                if let Some(i) = seed.instance
                    && used_instances.insert(i)
                {
                    member = member.with_instance_id(format!("i-{}", MEMBER_IDS[i]));
                }
                if let Some(rack) = seed.rack {
                    member = member.with_rack(rack);
                }
                let topics = if shape.uniform {
                    &uniform_topics
                } else {
                    &seed.topics
                };
                member = member.subscribe(topics.iter().map(|&t| name(t)));
                member.owned = seed
                    .owned
                    .iter()
                    .map(|&(t, p)| TopicPartition::new(name(t), p))
                    .collect();
                member.generation = seed.generation;
                group = group.with_member(member);
            }
            group
        })
    })
}

/// The same group with members, topics, subscriptions and owned lists in
/// another order, chosen by `seed`.
pub fn shuffle_group(group: &Group, seed: u64) -> Group {
    let mut state = seed | 1;
    let mut next = move || {
        // xorshift64: enough to permute small lists reproducibly.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    fn shuffle<T>(items: &mut [T], next: &mut impl FnMut() -> u64) {
        for i in (1..items.len()).rev() {
            let j = (next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
    let mut out = group.clone();
    shuffle(&mut out.topics, &mut next);
    shuffle(&mut out.members, &mut next);
    for member in &mut out.members {
        shuffle(&mut member.topics, &mut next);
        shuffle(&mut member.owned, &mut next);
    }
    out
}
