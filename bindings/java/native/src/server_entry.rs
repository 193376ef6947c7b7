//! The broker side: KIP-848 target assignment for
//! `io.github.kafkaassignors.ServerNative.assign`, the JNI entry point of
//! the jar's `ConsumerGroupPartitionAssignor` classes.
//!
//! The Java side passes the group as three flat arrays and gets the answer
//! back as one:
//!
//! - `names: byte[]`, member ids, instance ids and racks, each distinct
//!   string once, UTF-8, one after the other;
//! - `topics: long[]`, two longs per topic: its id's most and least
//!   significant 64 bits (Kafka's `Uuid`);
//! - `group: int[]`, everything else, names as indexes into the name table
//!   and topics as indexes into `topics`.
//!
//! The `group` layout (every entry one `int`):
//!
//! ```text
//! 1                                  layout version
//! assignor                           0 uniform, 1 range
//! N, end[0], ..., end[N-1]           name i is names[end[i-1]..end[i]] (end[-1] = 0)
//! T, then T topics (T = topics.length / 2):
//!     partitions, racked             partitions -1: the metadata does not know
//!                                    the topic; racked 1: then per partition
//!         r, rack[0], ..., rack[r-1]     its replicas' racks
//! M, then M members:
//!     id, instance, rack             instance and rack -1 for none
//!     S, topic[0], ..., topic[S-1]   subscribed topics
//!     R, then R runs:                the current target
//!         topic, n, partition[0], ..., partition[n-1]
//! ```
//!
//! The answer, per member in the order given: `-1` when the member's target
//! does not change (the Java side hands back the member's current
//! assignment object), otherwise `R`, then `R` runs `topic, n, partition[0],
//! ..., partition[n-1]` (topics in id order, partitions ascending).
//!
//! Every count is checked against what is left of the array before anything
//! is allocated for it, and every index against its table, so a bad array
//! is an error naming the position. Errors (a bad array, a group the library
//! refuses) reach Java as an `io.github.kafkaassignors.AssignorException`
//! with the message, which the assignor rethrows as Kafka's
//! `PartitionAssignorException`; a panic is caught at the boundary and
//! becomes the same exception.
//!
//! The only unsafe code here is the entry point's `#[unsafe(no_mangle)]`
//! (the JVM finds it by name); everything else is safe code through the
//! `jni` crate's API.
#![allow(unsafe_code)]

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use jni::JNIEnv;
use jni::objects::{JByteArray, JClass, JIntArray, JLongArray};
use jni::sys::jintArray;
use kafka_assignors::server::{
    GroupSpec, MemberSpec, MemberTarget, RangeTargetAssignor, TargetAssignment, TargetAssignor,
    TargetRef, TopicDescription, TopicId, TopicMetadata, UniformTargetAssignor,
};

use crate::{Names, Reader};

/// The layout version this library reads.
pub const SERVER_LAYOUT_VERSION: i32 = 1;

/// The answer's entry for a member whose target does not change.
pub const UNCHANGED: i32 = -1;

/// `static native int[] assign(byte[] names, long[] topics, int[] group)`:
/// the group's arrays in (see the module docs), the answer's array out;
/// every failure an `AssignorException` with the message, every panic
/// caught here.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_github_kafkaassignors_ServerNative_assign<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    names: JByteArray<'local>,
    topics: JLongArray<'local>,
    group: JIntArray<'local>,
) -> jintArray {
    crate::jni_entry::answer_or_throw(&mut env, |env| call(env, &names, &topics, &group))
}

fn call<'local>(
    env: &mut JNIEnv<'local>,
    names: &JByteArray<'local>,
    topics: &JLongArray<'local>,
    group: &JIntArray<'local>,
) -> Result<JIntArray<'local>, String> {
    if names.is_null() || topics.is_null() || group.is_null() {
        return Err("names, topics and group arrays must not be null".to_string());
    }
    let jni = |e: jni::errors::Error| format!("JNI: {e}");
    let names = env.convert_byte_array(names).map_err(jni)?;
    let len = env.get_array_length(topics).map_err(jni)?;
    let mut ids = vec![0i64; usize::try_from(len).unwrap_or(0)];
    env.get_long_array_region(topics, 0, &mut ids)
        .map_err(jni)?;
    let len = env.get_array_length(group).map_err(jni)?;
    // The group and the answer in the process's scratch memory: faulting
    // in fresh pages for their 4 MB at 10,000 members x 50 partitions was
    // about 4 ms of a 25 ms native call here (timed inside the call).
    crate::with_scratch(|scratch| {
        let data = scratch.group_buffer(len);
        env.get_int_array_region(group, 0, data).map_err(jni)?;
        let (data, answer) = scratch.group_and_answer();
        target_guarded(&names, &ids, data, answer)?;
        if answer.capacity() > 4 * answer.len().max(1024) {
            answer.shrink_to(answer.len());
        }
        let size = i32::try_from(answer.len()).map_err(|_| "answer too large for a Java array")?;
        let out = env.new_int_array(size).map_err(jni)?;
        env.set_int_array_region(&out, 0, answer).map_err(jni)?;
        Ok(out)
    })
}

/// The group read from the arrays: the assignor, the spec, the metadata and
/// each topic index's id.
struct Read {
    assignor: Box<dyn TargetAssignor>,
    spec: GroupSpec,
    metadata: TopicMetadata,
    ids: Vec<TopicId>,
}

fn read(names: &[u8], topic_bits: &[i64], data: &[i32]) -> Result<Read, String> {
    let mut r = Reader { data, at: 0 };
    let version = r.next("layout version")?;
    if version != SERVER_LAYOUT_VERSION {
        return Err(format!(
            "group array layout version {version}, this library reads {SERVER_LAYOUT_VERSION}"
        ));
    }
    let assignor: Box<dyn TargetAssignor> = match r.next("assignor")? {
        0 => Box::new(UniformTargetAssignor),
        1 => Box::new(RangeTargetAssignor),
        other => return Err(format!("unknown server assignor code {other}")),
    };
    let table = Names::read(names, &mut r)?;

    if !topic_bits.len().is_multiple_of(2) {
        return Err(format!(
            "topics array has {} longs, not two per topic",
            topic_bits.len()
        ));
    }
    let ids: Vec<TopicId> = topic_bits
        .chunks_exact(2)
        .map(|pair| TopicId::from((u128::from(pair[0] as u64) << 64) | u128::from(pair[1] as u64)))
        .collect();
    let topic_count = r.count("topic count", 2)?;
    if topic_count != ids.len() {
        return Err(format!(
            "group array has {topic_count} topics, the topics array {}",
            ids.len()
        ));
    }
    let mut described = Vec::with_capacity(topic_count);
    for (t, &id) in ids.iter().enumerate() {
        let partitions = r.next("partition count")?;
        let racked = r.next("racked flag")?;
        let known = match partitions {
            -1 => None,
            p if p < 0 => {
                return Err(format!("topic id {id}: partition count {p}"));
            }
            p => Some(TopicDescription::new(id, p as u32)),
        };
        match racked {
            0 => {}
            1 => {
                let racks = r.replica_racks(&table, partitions, &format!("topic id {id}"))?;
                if let Some(mut topic) = known {
                    topic.replica_racks = Some(racks);
                    described.push(topic);
                }
                continue;
            }
            other => return Err(format!("topic {t} (id {id}): racked flag {other}")),
        }
        described.extend(known);
    }
    let metadata = TopicMetadata::new(described).map_err(|e| e.to_string())?;

    let topic = |index: i32, what: &str| -> Result<TopicId, String> {
        usize::try_from(index)
            .ok()
            .and_then(|i| ids.get(i).copied())
            .ok_or_else(|| {
                format!(
                    "{what}: topic index {index} outside the {} topics",
                    ids.len()
                )
            })
    };
    let member_count = r.count("member count", 5)?;
    let mut spec = GroupSpec::new();
    spec.members.reserve(member_count);
    // Members with one subscription share one list, as the library reads a
    // shared list once.
    let mut lists: HashMap<&[i32], Arc<[TopicId]>> = HashMap::new();
    for _ in 0..member_count {
        let id = table.get(r.next("member id")?, "member id")?;
        let mut member = MemberSpec::new(id.to_string());
        member.instance_id = table.optional(r.next("instance id")?, "instance id")?;
        member.rack = table.optional(r.next("rack")?, "rack")?;
        let subscribed = r.count("subscription count", 1)?;
        let indices = r.slice(subscribed);
        member.subscribed = match lists.get(indices) {
            Some(list) => Arc::clone(list),
            None => {
                let list: Arc<[TopicId]> = indices
                    .iter()
                    .map(|&t| topic(t, "subscribed topic"))
                    .collect::<Result<_, _>>()?;
                lists.insert(indices, Arc::clone(&list));
                list
            }
        };
        let runs = r.count("target run count", 2)?;
        let mut entries = Vec::with_capacity(runs);
        for _ in 0..runs {
            let id = topic(r.next("target topic")?, "target topic")?;
            let n = r.count("target partition count", 1)?;
            entries.push((id, r.slice(n).to_vec()));
        }
        member.target = TargetAssignment::from_entries(entries);
        spec.members.push(member);
    }
    if r.at != data.len() {
        return Err(format!(
            "group array has {} ints after the last member",
            data.len() - r.at
        ));
    }
    Ok(Read {
        assignor,
        spec,
        metadata,
        ids,
    })
}

/// A hasher for topic ids, which the controller draws at random (UUIDs):
/// their 8-byte halves folded and mixed, without SipHash's cost per lookup.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(26) ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}

/// The whole call: the group's arrays in, the answer's array out, or the
/// message of the first thing wrong.
///
/// # Errors
///
/// A message naming the position of a malformed array, or the library's own
/// message for a group it refuses.
pub fn target_flat(names: &[u8], topics: &[i64], group: &[i32]) -> Result<Vec<i32>, String> {
    let mut out = Vec::new();
    target_into(names, topics, group, &mut out)?;
    Ok(out)
}

/// [`target_flat`] writing the answer into `out` (cleared first), so that
/// a caller can keep one answer buffer from call to call.
///
/// # Errors
///
/// As [`target_flat`].
pub fn target_into(
    names: &[u8],
    topics: &[i64],
    group: &[i32],
    out: &mut Vec<i32>,
) -> Result<(), String> {
    out.clear();
    let read = read(names, topics, group)?;
    let target = read
        .assignor
        .assign(&read.spec, &read.metadata)
        .map_err(|e| e.to_string())?;
    // Each member's new target, in the order given (None: unchanged): the
    // answer lists members in member id order, placed by one lookup each.
    // (SipHash, not a word-at-a-time hash: member ids come from clients,
    // which could choose colliding ones.)
    let position: HashMap<&str, usize> = read
        .spec
        .members
        .iter()
        .enumerate()
        .map(|(i, member)| (member.member_id.as_str(), i))
        .collect();
    let mut answers: Vec<Option<TargetRef<'_>>> = vec![None; read.spec.members.len()];
    for (id, member_target) in target.members() {
        if let (Some(&at), MemberTarget::Changed(assignment)) = (position.get(id), member_target) {
            answers[at] = Some(assignment);
        }
    }
    // Each topic id to its first index in the topics array, once.
    let mut index_of: HashMap<TopicId, i32, BuildHasherDefault<IdHasher>> =
        HashMap::with_capacity_and_hasher(read.ids.len(), BuildHasherDefault::default());
    for (i, id) in read.ids.iter().enumerate() {
        index_of.entry(*id).or_insert(i as i32);
    }
    let size = answers
        .iter()
        .map(|a| 1 + a.map_or(0, |a| 2 * a.topics().len() + a.len()))
        .sum();
    out.reserve(size);
    for answer in answers {
        let Some(assignment) = answer else {
            out.push(UNCHANGED);
            continue;
        };
        out.push(i32::try_from(assignment.topics().len()).map_err(|_| "too many topics")?);
        for (id, partitions) in assignment.topics() {
            let index = index_of
                .get(&id)
                .copied()
                .ok_or_else(|| format!("answer names topic id {id}, which the group does not"))?;
            out.push(index);
            out.push(i32::try_from(partitions.len()).map_err(|_| "too many partitions")?);
            out.extend(partitions);
        }
    }
    Ok(())
}

/// [`target_flat`] with any panic caught and turned into an error message.
///
/// # Errors
///
/// As [`target_flat`], and `internal error: ...` for a panic.
pub fn target_guarded(
    names: &[u8],
    topics: &[i64],
    group: &[i32],
    out: &mut Vec<i32>,
) -> Result<(), String> {
    match catch_unwind(AssertUnwindSafe(|| target_into(names, topics, group, out))) {
        Ok(result) => result,
        Err(panic) => Err(format!("internal error: {}", crate::panic_message(&*panic))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The arrays of a group: names "c1", "c2", "c3", "r1"; two topics of 4
    /// and 2 partitions; c1 and c2 own topic 0 halves, c3 new; members in
    /// the order c3, c1, c2.
    fn arrays(assignor: i32) -> (Vec<u8>, Vec<i64>, Vec<i32>) {
        let names = b"c1c2c3r1".to_vec();
        let topics = vec![1, 2, -1, i64::MIN];
        let mut data = vec![SERVER_LAYOUT_VERSION, assignor, 4, 2, 4, 6, 8, 2];
        data.extend([4, 1, 1, 3, 1, 3, 1, 3, 1, 3]); // topic 0: 4 partitions, all on r1
        data.extend([2, 0]); // topic 1: 2 partitions, no racks
        data.extend([3]);
        // Not in member id order: the answer keeps the order given.
        data.extend([2, -1, -1, 1, 0, 0]);
        data.extend([0, -1, 3, 2, 0, 1, 1, 0, 2, 0, 1]);
        data.extend([1, -1, -1, 2, 1, 0, 1, 0, 2, 2, 3]);
        (names, topics, data)
    }

    fn id(t: usize) -> TopicId {
        [
            TopicId::from(1u128 << 64 | 2),
            TopicId::from((u128::from(u64::MAX) << 64) | (1u128 << 63)),
        ][t]
    }

    fn spec() -> (GroupSpec, TopicMetadata) {
        let metadata = TopicMetadata::new([
            TopicDescription::new(id(0), 4).with_replica_racks([["r1"]; 4]),
            TopicDescription::new(id(1), 2),
        ])
        .unwrap();
        let spec = GroupSpec::new()
            .with_member(
                MemberSpec::new("c1")
                    .with_rack("r1")
                    .subscribe([id(1), id(0)])
                    .with_target(id(0), [0, 1]),
            )
            .with_member(
                MemberSpec::new("c2")
                    .subscribe([id(1), id(0)])
                    .with_target(id(0), [2, 3]),
            )
            .with_member(MemberSpec::new("c3").subscribe([id(0)]));
        (spec, metadata)
    }

    /// The answer decoded: per member `None` for unchanged, else its target.
    fn decode(answer: &[i32], members: usize) -> Vec<Option<TargetAssignment>> {
        let mut at = 0;
        let mut out = Vec::new();
        for _ in 0..members {
            let runs = answer[at];
            at += 1;
            if runs == UNCHANGED {
                out.push(None);
                continue;
            }
            let mut entries = Vec::new();
            for _ in 0..runs {
                let n = answer[at + 1] as usize;
                entries.push((id(answer[at] as usize), answer[at + 2..at + 2 + n].to_vec()));
                at += 2 + n;
            }
            out.push(Some(TargetAssignment::from_entries(entries)));
        }
        assert_eq!(at, answer.len());
        out
    }

    #[test]
    fn both_assignors_through_the_arrays_match_the_library() {
        let (spec, metadata) = spec();
        for (code, assignor) in [
            (
                0,
                Box::new(UniformTargetAssignor) as Box<dyn TargetAssignor>,
            ),
            (1, Box::new(RangeTargetAssignor)),
        ] {
            let (names, topics, data) = arrays(code);
            let got = decode(&target_flat(&names, &topics, &data).unwrap(), 3);
            let want = assignor.assign(&spec, &metadata).unwrap();
            for (m, member) in ["c3", "c1", "c2"].iter().enumerate() {
                let expected = match want.member(member).unwrap() {
                    MemberTarget::Unchanged => None,
                    MemberTarget::Changed(t) => Some(t.to_assignment()),
                };
                assert_eq!(got[m], expected, "assignor {code}, member {member}");
            }
        }
    }

    #[test]
    fn bad_arrays_are_errors_naming_the_problem_never_panics() {
        let (names, topics, good) = arrays(0);
        assert!(target_flat(&names, &topics, &good).is_ok());
        let cases: &[(&[i32], &[i64], &str)] = &[
            (&[], &[], "ends at 0"),
            (&[2, 0], &[], "layout version 2"),
            (&[1, 7, 0, 0, 0], &[], "unknown server assignor code 7"),
            (
                &[1, 0, 0, 1, 0, 0],
                &[1, 2, 3, 4],
                "1 topics, the topics array 2",
            ),
            (&[1, 0, 0, 0, 0], &[1], "not two per topic"),
            (&[1, 0, 0, 1, -5, 0, 0], &[1, 2], "partition count -5"),
            (&[1, 0, 0, 1, 3, 1, 9, 0], &[1, 2], "do not fit"),
            (&[1, 0, 0, 1, 1, 1, 9, 0], &[1, 2], "replica count 9"),
            (&[1, 0, 0, 1, 3, 2, 0], &[1, 2], "racked flag 2"),
            (&[1, 0, 0, 0, 1, 9, -1, -1, 0, 0], &[], "name index 9"),
            (
                &[1, 0, 1, 0, 0, 1, 0, -1, -1, 1, 4, 0],
                &[],
                "topic index 4",
            ),
            (&[1, 0, 0, 0, i32::MAX], &[], "member count"),
            (&[1, 0, 0, 0, 0, 5], &[], "1 ints after"),
        ];
        for (data, topics, message) in cases {
            let err = target_guarded(b"c", topics, data, &mut Vec::new()).unwrap_err();
            assert!(err.contains(message), "{data:?}: {err}");
        }
        // Every truncation and every single-int corruption of the good
        // array is an answer or an error, never a panic.
        for cut in 0..good.len() {
            let _ = target_guarded(&names, &topics, &good[..cut], &mut Vec::new());
            for value in [-2, -1, 0, 1, 2, 3, 5, i32::MIN, i32::MAX] {
                let mut bad = good.clone();
                bad[cut] = value;
                let result = catch_unwind(|| target_flat(&names, &topics, &bad));
                assert!(result.is_ok(), "panicked on {bad:?}");
            }
        }
    }

    #[test]
    fn library_errors_keep_their_message() {
        // A subscription to a topic the metadata does not know (-1).
        let data = [1, 0, 1, 1, 1, -1, 0, 1, 0, -1, -1, 1, 0, 0];
        let err = target_flat(b"c", &[0, 7], &data).unwrap_err();
        assert!(err.contains("member \"c\" subscribes to topic id"), "{err}");
        // A target partition out of range.
        let data = [1, 1, 1, 1, 1, 2, 0, 1, 0, -1, -1, 1, 0, 1, 0, 1, 5];
        let err = target_flat(b"c", &[0, 7], &data).unwrap_err();
        assert!(err.contains("names partition 5"), "{err}");
    }
}
