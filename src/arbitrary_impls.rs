//! `arbitrary::Arbitrary` for the model (`arbitrary` feature), for fuzzing.
//!
//! Derived impls would draw topic names as random strings, so no two members
//! would ever subscribe to the same topic and no owned partition would ever
//! name a real one. These impls draw from small pools instead, so that
//! subscriptions overlap, owned partitions collide (at equal and different
//! generations) and the interesting rules of the model are reached: out of
//! range, negative and unsubscribed claims, unknown topics, wrong replica rack
//! list lengths, negative and oversized partition counts, repeated ids.
//!
//! The total partition count of one group is capped, so a single input never
//! makes a huge group; the only large counts are above
//! [`MAX_PARTITIONS`], which the strategies must refuse without allocating.

use std::sync::Arc;

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::index::MAX_PARTITIONS;
use crate::model::{Group, Member, OwnedSource, Topic, TopicPartition};

/// Topic names. The last two compare differently in Java (UTF-16) order and
/// in byte order, so any place that sorts names the wrong way shows.
const TOPIC_NAMES: [&str; 6] = ["orders", "payments", "t0", "t1", "\u{1F600}", "\u{FF5E}"];

/// Rack names; the empty string means "no rack" on the wire.
const RACK_NAMES: [&str; 4] = ["ra", "rb", "rc", ""];

/// Member id prefixes; numbers past 9 sort before 2 as strings.
const MEMBER_PREFIXES: [&str; 4] = ["m", "consumer-", "C", ""];

/// Partitions a whole group may hold in topics of ordinary size.
const GROUP_PARTITION_BUDGET: u32 = 256;

/// Members a group may have.
const MAX_MEMBERS: usize = 10;

/// Counts above the limit: refused when subscribed, ignored otherwise.
const HUGE_COUNTS: [i32; 2] = [(MAX_PARTITIONS + 1) as i32, i32::MAX];

fn topic_name(u: &mut Unstructured<'_>) -> Result<Arc<str>> {
    if u.ratio(1, 32)? {
        // Now and then a name no pool entry has: an unknown topic.
        return Ok(Arc::from(String::arbitrary(u)?));
    }
    Ok(Arc::from(*u.choose(&TOPIC_NAMES)?))
}

/// A partition count, charged to `budget` when it is an ordinary one.
fn partition_count(u: &mut Unstructured<'_>, budget: &mut u32) -> Result<i32> {
    let count = match u.int_in_range(0u8..=31)? {
        0 => *u.choose(&[-1, -7, i32::MIN])?,
        1 => *u.choose(&HUGE_COUNTS)?,
        2..=5 => u.int_in_range(9..=64)?,
        _ => u.int_in_range(0..=8)?,
    };
    if !(0..=64).contains(&count) {
        return Ok(count);
    }
    let count = (count as u32).min(*budget);
    *budget -= count;
    Ok(count as i32)
}

/// Replica racks for `partitions` partitions: usually none, sometimes one
/// list per partition, and now and then a list of the wrong length.
fn replica_racks(u: &mut Unstructured<'_>, partitions: i32) -> Result<Option<Vec<Vec<Arc<str>>>>> {
    if !u.ratio(1, 3)? {
        return Ok(None);
    }
    let mut lists = if (0..=64).contains(&partitions) {
        partitions as usize
    } else {
        // Any list is the wrong length for a negative or oversized count.
        usize::from(u.int_in_range(0u8..=2)?)
    };
    if u.ratio(1, 8)? {
        lists = if lists > 0 && u.arbitrary()? {
            lists - 1
        } else {
            lists + 1
        };
    }
    let mut racks = Vec::with_capacity(lists);
    for _ in 0..lists {
        let replicas = u.int_in_range(0u8..=3)?;
        let mut replica_racks = Vec::with_capacity(usize::from(replicas));
        for _ in 0..replicas {
            replica_racks.push(Arc::from(*u.choose(&RACK_NAMES)?));
        }
        racks.push(replica_racks);
    }
    Ok(Some(racks))
}

fn topic(u: &mut Unstructured<'_>, name: Arc<str>, budget: &mut u32) -> Result<Topic> {
    let partitions = partition_count(u, budget)?;
    let replica_racks = replica_racks(u, partitions)?;
    Ok(Topic {
        name,
        partitions,
        replica_racks,
    })
}

fn generation(u: &mut Unstructured<'_>) -> Result<Option<i32>> {
    Ok(match u.int_in_range(0u8..=15)? {
        0..=3 => None,
        4 => Some(i32::arbitrary(u)?),
        // A narrow range, so that claims tie as often as they differ.
        _ => Some(u.int_in_range(0..=3)?),
    })
}

fn owned_partition(
    u: &mut Unstructured<'_>,
    subscribed: &[Arc<str>],
    metadata: &[Topic],
) -> Result<TopicPartition> {
    let topic = if !subscribed.is_empty() && u.ratio(3, 4)? {
        Arc::clone(u.choose(subscribed)?)
    } else {
        topic_name(u)?
    };
    let count = metadata
        .iter()
        .find(|t| t.name == topic)
        .map_or(4, |t| t.partitions.clamp(0, 64));
    let partition = match u.int_in_range(0u8..=15)? {
        0 => -1,
        1 => i32::arbitrary(u)?,
        // One past the end now and then.
        _ => u.int_in_range(0..=count)?,
    };
    Ok(TopicPartition { topic, partition })
}

/// A member whose subscriptions and claims lean towards `metadata`'s topics.
fn member(u: &mut Unstructured<'_>, id: String, metadata: &[Topic]) -> Result<Member> {
    let rack = if u.arbitrary()? {
        Some((*u.choose(&RACK_NAMES)?).to_string())
    } else {
        None
    };
    let mut topics: Vec<Arc<str>> = Vec::new();
    for _ in 0..u.int_in_range(0u8..=4)? {
        let name = if !metadata.is_empty() && u.ratio(4, 5)? {
            let shared = &u.choose(metadata)?.name;
            // Mostly the metadata's own `Arc`, sometimes an equal copy.
            if u.ratio(3, 4)? {
                Arc::clone(shared)
            } else {
                Arc::from(&**shared)
            }
        } else {
            topic_name(u)?
        };
        topics.push(name);
    }
    let mut owned = Vec::new();
    for _ in 0..u.int_in_range(0u8..=8)? {
        owned.push(owned_partition(u, &topics, metadata)?);
    }
    let generation = generation(u)?;
    let owned_source = if u.ratio(1, 4)? {
        OwnedSource::StickyUserData
    } else {
        OwnedSource::Subscription
    };
    let user_data = if u.ratio(1, 8)? {
        Some(Vec::<u8>::arbitrary(u)?)
    } else {
        None
    };
    Ok(Member {
        id,
        instance_id: None,
        rack,
        topics,
        owned,
        generation,
        owned_source,
        user_data,
    })
}

impl<'a> Arbitrary<'a> for TopicPartition {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let topic = topic_name(u)?;
        let partition = if u.ratio(1, 8)? {
            i32::arbitrary(u)?
        } else {
            u.int_in_range(-1..=8)?
        };
        Ok(TopicPartition { topic, partition })
    }
}

impl<'a> Arbitrary<'a> for Topic {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let name = topic_name(u)?;
        topic(u, name, &mut 64)
    }
}

impl<'a> Arbitrary<'a> for Member {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let id = String::arbitrary(u)?;
        let mut member = member(u, id, &[])?;
        if u.arbitrary()? {
            member.instance_id = Some(String::arbitrary(u)?);
        }
        Ok(member)
    }
}

impl<'a> Arbitrary<'a> for Group {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut budget = GROUP_PARTITION_BUDGET;
        let mut topics: Vec<Topic> = Vec::new();
        for _ in 0..u.int_in_range(0u8..=5)? {
            let name = topic_name(u)?;
            // A repeated topic is an error; keep it rare so most groups pass.
            if topics.iter().any(|t| t.name == name) && !u.ratio(1, 16)? {
                continue;
            }
            topics.push(topic(u, name, &mut budget)?);
        }

        let count = u.int_in_range(0..=MAX_MEMBERS)?;
        let mut members: Vec<Member> = Vec::with_capacity(count);
        for i in 0..count {
            let id = if i > 0 && u.ratio(1, 32)? {
                members[u.choose_index(i)?].id.clone()
            } else {
                format!("{}{i}", u.choose(&MEMBER_PREFIXES)?)
            };
            let mut member = member(u, id, &topics)?;
            member.instance_id = match u.int_in_range(0u8..=15)? {
                0..=7 => None,
                8 if i > 0 => members[u.choose_index(i)?].instance_id.clone(),
                _ => Some(format!("instance-{i}")),
            };
            members.push(member);
        }
        Ok(Group { topics, members })
    }
}
