//! Proptest strategies for small, valid groups ([`arb_group`]) and for
//! tiny ones the exhaustive oracle can walk ([`tiny_group`]).
//!
//! Groups are valid (unique member ids and instance ids, non-negative
//! counts, rack lists of the right length) but otherwise messy: unknown and
//! repeated subscriptions, owned partitions of unknown or unsubscribed topics
//! and out of range, empty racks, names whose Java order differs from Rust's.

use std::collections::BTreeSet;
use std::sync::Arc;

use kafka_assignors::{Group, Member, RackMatch, Topic, TopicPartition};
use proptest::prelude::*;

use crate::reference::Problem;

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

/// Tiny groups for the exhaustive oracle: up to 3 topics of up to 3
/// partitions, up to 4 members, optional racks, owned partitions (some out
/// of range or unsubscribed) in one shared generation or several, and at
/// most 20,000 complete assignments to walk.
pub fn tiny_group() -> impl Strategy<Value = Group> {
    let topic_names = ["t0", "t1", "t2"];
    (1usize..=3, 1usize..=4, any::<bool>(), any::<bool>())
        .prop_flat_map(move |(topics, members, racks, same_gen)| {
            let partitions = proptest::collection::vec(0i32..=3, topics);
            let topic_racks = proptest::collection::vec(
                proptest::collection::vec(proptest::collection::vec(0usize..3, 1..=2), 3),
                topics,
            );
            let member = (
                proptest::collection::btree_set(0..topics, 0..=topics),
                proptest::option::of(0usize..3),
                proptest::collection::vec((0..topics, -1i32..=3), 0..=4),
                0i32..=3,
            );
            let members = proptest::collection::vec(member, members);
            (
                Just(topics),
                partitions,
                topic_racks,
                members,
                Just(racks),
                Just(same_gen),
            )
        })
        .prop_filter_map(
            "too many combinations",
            move |(topics, partitions, topic_racks, members, racks, same_gen)| {
                let rack_names = ["ra", "rb", "rc"];
                let mut group = Group::new();
                for t in 0..topics {
                    let mut topic = Topic::new(topic_names[t], partitions[t]);
                    if racks {
                        topic = topic.with_replica_racks(
                            (0..partitions[t] as usize)
                                .map(|p| topic_racks[t][p].iter().map(|&r| rack_names[r])),
                        );
                    }
                    group = group.with_topic(topic);
                }
                for (i, (subs, rack, owned, generation)) in members.into_iter().enumerate() {
                    let mut m = Member::new(format!("m{i}"))
                        .subscribe(subs.iter().map(|&t| topic_names[t]));
                    if racks && let Some(r) = rack {
                        m = m.with_rack(rack_names[r]);
                    }
                    for (t, p) in owned {
                        m = m.with_owned(topic_names[t], [p]);
                    }
                    m = m.with_generation(if same_gen { 1 } else { generation });
                    group = group.with_member(m);
                }
                let combinations = Problem::new(&group, RackMatch::AnyReplica).combinations();
                (combinations <= 20_000.0).then_some(group)
            },
        )
}
