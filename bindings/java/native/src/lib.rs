//! The Rust side of the `kafka-assignors` Java jar: one JNI call per
//! assignment.
//!
//! The Java side (`io.github.kafkaassignors.Native.assign`) passes the whole
//! group as two flat arrays, and gets the answer back as one, so no Java
//! object is touched from Rust and nothing crosses the boundary per
//! partition except integers:
//!
//! - `names: byte[]`, every distinct string of the group once (topic names,
//!   member ids, instance ids, racks), UTF-8, one after the other;
//! - `group: int[]`, everything else, names as indexes into that table.
//!
//! The `group` layout (every entry one `int`):
//!
//! ```text
//! 1                                  layout version
//! strategy                           0 range, 1 roundrobin, 2 sticky, 3 cooperative-sticky
//! options                            bit 0: rack match on the leader replica only
//! N, end[0], ..., end[N-1]           name i is names[end[i-1]..end[i]] (end[-1] = 0)
//! T, then T topics:
//!     name, partitions, racked       racked 1: then per partition
//!         r, rack[0], ..., rack[r-1]     its replicas' racks (leader first)
//! M, then M members:
//!     id, instance, rack, generation instance and rack -1 for none; generation
//!                                    i32::MIN for none
//!     S, topic[0], ..., topic[S-1]   subscribed topics
//!     O, (topic, partition) * O      owned partitions, as the strategy reads
//!                                    them (subscription or sticky user data)
//! ```
//!
//! The answer, per member in the order given:
//!
//! ```text
//! R, then R runs: topic, n, partition[0], ..., partition[n-1]
//! ```
//!
//! Every count is checked against what is left of the array before anything
//! is allocated for it, and every name index against the table, so a bad
//! array is an error naming the position, never a panic or an allocation
//! beyond the input's size. Errors (a bad array, a group the library
//! refuses) reach Java as an `io.github.kafkaassignors.AssignorException`
//! carrying the message; a panic (a bug) is caught at the boundary and
//! becomes the same exception, so no input can take the JVM down.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use kafka_assignors::{
    Assignment, Assignor, CooperativeStickyAssignor, Group, Member, RackMatch, RangeAssignor,
    RoundRobinAssignor, StickyAssignor, Topic, TopicPartition,
};

pub mod jni_entry;
pub mod server_entry;

/// The layout version this library reads.
pub const LAYOUT_VERSION: i32 = 1;

/// A generation of `i32::MIN` in the layout means none.
pub const NO_GENERATION: i32 = i32::MIN;

/// Reads the `group` array front to back, every step bounds-checked.
struct Reader<'a> {
    data: &'a [i32],
    at: usize,
}

impl<'a> Reader<'a> {
    fn next(&mut self, what: &str) -> Result<i32, String> {
        let value = self
            .data
            .get(self.at)
            .copied()
            .ok_or_else(|| format!("group array ends at {} reading {what}", self.at))?;
        self.at += 1;
        Ok(value)
    }

    /// A count of items of `width` ints each that must fit in the rest.
    fn count(&mut self, what: &str, width: usize) -> Result<usize, String> {
        let at = self.at;
        let n = self.next(what)?;
        let left = self.data.len() - self.at;
        if n < 0 || (n as usize).saturating_mul(width) > left {
            return Err(format!(
                "group array: {what} {n} at {at} does not fit in the {left} ints left"
            ));
        }
        Ok(n as usize)
    }

    fn slice(&mut self, n: usize) -> &'a [i32] {
        let s = &self.data[self.at..self.at + n];
        self.at += n;
        s
    }
}

/// The name table, each name one shared `Arc`.
struct Names {
    names: Vec<Arc<str>>,
}

impl Names {
    fn read(bytes: &[u8], r: &mut Reader<'_>) -> Result<Self, String> {
        let n = r.count("name count", 1)?;
        let mut names = Vec::with_capacity(n);
        let mut start = 0usize;
        for i in 0..n {
            let end = r.next("name end")?;
            if end < 0 || (end as usize) < start || end as usize > bytes.len() {
                return Err(format!(
                    "name {i}: end offset {end} outside {start}..={} of the names array",
                    bytes.len()
                ));
            }
            let end = end as usize;
            let name = std::str::from_utf8(&bytes[start..end])
                .map_err(|e| format!("name {i}: invalid UTF-8: {e}"))?;
            names.push(Arc::from(name));
            start = end;
        }
        Ok(Names { names })
    }

    fn get(&self, id: i32, what: &str) -> Result<&Arc<str>, String> {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.names.get(i))
            .ok_or_else(|| {
                format!(
                    "{what}: name index {id} outside the {} names",
                    self.names.len()
                )
            })
    }

    fn optional(&self, id: i32, what: &str) -> Result<Option<String>, String> {
        if id == -1 {
            Ok(None)
        } else {
            self.get(id, what).map(|n| Some(n.to_string()))
        }
    }
}

/// The strategy the array names, configured.
fn assignor(code: i32, options: i32) -> Result<Box<dyn Assignor>, String> {
    let rack_match = if options & 1 != 0 {
        RackMatch::Leader
    } else {
        RackMatch::AnyReplica
    };
    Ok(match code {
        0 => Box::new(RangeAssignor),
        1 => Box::new(RoundRobinAssignor),
        2 => Box::new(StickyAssignor::new().with_rack_match(rack_match)),
        3 => Box::new(CooperativeStickyAssignor::new().with_rack_match(rack_match)),
        other => return Err(format!("unknown strategy code {other}")),
    })
}

/// Reads the group from the two arrays: the configured strategy, the group,
/// and the name table.
fn read_group(names: &[u8], data: &[i32]) -> Result<(Box<dyn Assignor>, Group, Names), String> {
    let mut r = Reader { data, at: 0 };
    let version = r.next("layout version")?;
    if version != LAYOUT_VERSION {
        return Err(format!(
            "group array layout version {version}, this library reads {LAYOUT_VERSION}"
        ));
    }
    let code = r.next("strategy")?;
    let options = r.next("options")?;
    let assignor = assignor(code, options)?;
    let table = Names::read(names, &mut r)?;

    let mut group = Group::new();
    let topic_count = r.count("topic count", 3)?;
    group.topics.reserve(topic_count);
    for t in 0..topic_count {
        let name = table.get(r.next("topic name")?, "topic name")?;
        let partitions = r.next("partition count")?;
        let mut topic = Topic::new(Arc::clone(name), partitions);
        match r.next("racked flag")? {
            0 => {}
            1 => {
                // Each partition takes at least its replica count.
                let count = usize::try_from(partitions).unwrap_or(0);
                if count > data.len() - r.at {
                    return Err(format!(
                        "topic {name:?}: racks for {partitions} partitions do not fit in the array"
                    ));
                }
                let mut racks = Vec::with_capacity(count);
                for _ in 0..count {
                    let n = r.count("replica count", 1)?;
                    let row = r
                        .slice(n)
                        .iter()
                        .map(|&id| table.get(id, "replica rack").map(Arc::clone))
                        .collect::<Result<Vec<_>, _>>()?;
                    racks.push(row);
                }
                topic.replica_racks = Some(racks);
            }
            other => return Err(format!("topic {t} ({name:?}): racked flag {other}")),
        }
        group.topics.push(topic);
    }

    let member_count = r.count("member count", 6)?;
    group.members.reserve(member_count);
    for _ in 0..member_count {
        let id = table.get(r.next("member id")?, "member id")?;
        let mut member = Member::new(id.to_string());
        member.instance_id = table.optional(r.next("instance id")?, "instance id")?;
        member.rack = table.optional(r.next("rack")?, "rack")?;
        let generation = r.next("generation")?;
        member.generation = (generation != NO_GENERATION).then_some(generation);
        let subscribed = r.count("subscription count", 1)?;
        member.topics = r
            .slice(subscribed)
            .iter()
            .map(|&t| table.get(t, "subscribed topic").map(Arc::clone))
            .collect::<Result<_, _>>()?;
        let owned = r.count("owned count", 2)?;
        let pairs = r.slice(owned * 2);
        member.owned = Vec::with_capacity(owned);
        // Owned partitions come grouped by topic: one lookup per run.
        let mut last: Option<(i32, &Arc<str>)> = None;
        for pair in pairs.chunks_exact(2) {
            let topic = match last {
                Some((id, name)) if id == pair[0] => name,
                _ => {
                    let name = table.get(pair[0], "owned topic")?;
                    last = Some((pair[0], name));
                    name
                }
            };
            member
                .owned
                .push(TopicPartition::new(Arc::clone(topic), pair[1]));
        }
        group.members.push(member);
    }
    if r.at != data.len() {
        return Err(format!(
            "group array has {} ints after the last member",
            data.len() - r.at
        ));
    }
    Ok((assignor, group, table))
}

/// Writes the answer for `group`'s members, in their order, as the layout
/// above says, topics as indexes into `table`.
fn write_answer(group: &Group, answer: &Assignment, table: &Names) -> Result<Vec<i32>, String> {
    // Each of the answer's topic names to its id in `table`, once per topic
    // (by text); the runs below then carry the answer's topic indices.
    let by_text: HashMap<&str, i32> = table
        .names
        .iter()
        .enumerate()
        .map(|(i, n)| (&**n, i as i32))
        .collect();
    let topic_ids: Vec<Result<i32, &str>> = answer
        .topic_names()
        .iter()
        .map(|name| by_text.get(&**name).copied().ok_or(&**name))
        .collect();
    let topic_id = |index: usize| -> Result<i32, String> {
        topic_ids[index]
            .map_err(|name| format!("answer names topic {name:?}, which the group does not"))
    };

    let mut out = Vec::with_capacity(group.members.len() + answer.assigned_partitions() * 3);
    for member in &group.members {
        let Some(assigned) = answer.member(&member.id) else {
            out.push(0);
            continue;
        };
        let runs_at = out.len();
        out.push(0);
        let mut runs = 0;
        for (topic, partitions) in assigned.topic_indices() {
            if partitions.is_empty() {
                continue;
            }
            let id = topic_id(topic)?;
            out.push(id);
            out.push(i32::try_from(partitions.len()).map_err(|_| "too many partitions")?);
            out.extend_from_slice(partitions);
            runs += 1;
        }
        out[runs_at] = runs;
    }
    Ok(out)
}

/// The whole call: the group's two arrays in, the answer's array out, or the
/// message of the first thing wrong.
///
/// # Errors
///
/// A message naming the position of a malformed array, or the library's own
/// message for a group it refuses.
pub fn assign_flat(names: &[u8], group: &[i32]) -> Result<Vec<i32>, String> {
    let (assignor, group, table) = read_group(names, group)?;
    let answer = assignor.assign(&group).map_err(|e| e.to_string())?;
    write_answer(&group, &answer, &table)
}

/// [`assign_flat`] with any panic caught and turned into an error message.
///
/// # Errors
///
/// As [`assign_flat`], and `internal error: ...` for a panic.
pub fn assign_guarded(names: &[u8], group: &[i32]) -> Result<Vec<i32>, String> {
    match catch_unwind(AssertUnwindSafe(|| assign_flat(names, group))) {
        Ok(result) => result,
        Err(panic) => Err(format!("internal error: {}", panic_message(&*panic))),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds the two arrays for a small group.
    struct Builder {
        names: Vec<String>,
        data: Vec<i32>,
    }

    impl Builder {
        fn id(&mut self, name: &str) -> i32 {
            match self.names.iter().position(|n| n == name) {
                Some(i) => i as i32,
                None => {
                    self.names.push(name.to_string());
                    self.names.len() as i32 - 1
                }
            }
        }

        fn arrays(&self, strategy: i32, body: &[i32]) -> (Vec<u8>, Vec<i32>) {
            let mut bytes = Vec::new();
            let mut data = vec![LAYOUT_VERSION, strategy, 0, self.names.len() as i32];
            for n in &self.names {
                bytes.extend_from_slice(n.as_bytes());
                data.push(bytes.len() as i32);
            }
            data.extend_from_slice(body);
            (bytes, data)
        }
    }

    fn decode(answer: &[i32], names: &[String], members: usize) -> Vec<Vec<(String, Vec<i32>)>> {
        let mut at = 0;
        let mut out = Vec::new();
        for _ in 0..members {
            let runs = answer[at];
            at += 1;
            let mut member = Vec::new();
            for _ in 0..runs {
                let topic = names[answer[at] as usize].clone();
                let n = answer[at + 1] as usize;
                member.push((topic, answer[at + 2..at + 2 + n].to_vec()));
                at += 2 + n;
            }
            out.push(member);
        }
        assert_eq!(at, answer.len());
        out
    }

    #[test]
    fn range_and_cooperative_sticky_through_the_arrays_match_the_library() {
        let mut b = Builder {
            names: Vec::new(),
            data: Vec::new(),
        };
        let t = b.id("orders");
        let c1 = b.id("c1");
        let c2 = b.id("c2");
        let c3 = b.id("c3");
        // orders: 6 partitions; c1 owned 0-2, c2 owned 3-5 at generation 4; c3 new.
        b.data = vec![1, t, 6, 0, 3];
        b.data.extend([c1, -1, -1, 4, 1, t, 3, t, 0, t, 1, t, 2]);
        b.data.extend([c2, -1, -1, 4, 1, t, 3, t, 3, t, 4, t, 5]);
        b.data.extend([c3, -1, -1, NO_GENERATION, 1, t, 0]);
        let body = b.data.clone();
        let group = Group::new()
            .with_topic(Topic::new("orders", 6))
            .with_member(
                Member::new("c1")
                    .subscribe(["orders"])
                    .with_owned("orders", [0, 1, 2])
                    .with_generation(4),
            )
            .with_member(
                Member::new("c2")
                    .subscribe(["orders"])
                    .with_owned("orders", [3, 4, 5])
                    .with_generation(4),
            )
            .with_member(Member::new("c3").subscribe(["orders"]));
        for (code, strategy) in [
            (0, Box::new(RangeAssignor) as Box<dyn Assignor>),
            (3, Box::new(CooperativeStickyAssignor::new())),
        ] {
            let (names, data) = b.arrays(code, &body);
            let answer = assign_flat(&names, &data).unwrap();
            let got = decode(&answer, &b.names, 3);
            let want = strategy.assign(&group).unwrap();
            for (i, id) in ["c1", "c2", "c3"].iter().enumerate() {
                let expected: Vec<(String, Vec<i32>)> = want
                    .member(id)
                    .unwrap()
                    .topics()
                    .filter(|(_, p)| !p.is_empty())
                    .map(|(t, p)| (t.to_string(), p.to_vec()))
                    .collect();
                assert_eq!(got[i], expected, "strategy {code}, member {id}");
            }
        }
    }

    #[test]
    fn bad_arrays_are_errors_naming_the_problem_never_panics() {
        let names = b"topicc1".to_vec();
        // A valid one: topic "topic" (0..5) with 2 partitions, member "c1" (5..7).
        let good = vec![
            1,
            1,
            0,
            2,
            5,
            7,
            1,
            0,
            2,
            0,
            1,
            1,
            -1,
            -1,
            NO_GENERATION,
            1,
            0,
            0,
        ];
        assert!(assign_flat(&names, &good).is_ok());
        let cases: &[(&[i32], &str)] = &[
            (&[], "ends at 0"),
            (&[2, 1, 0], "layout version 2"),
            (&[1, 9, 0, 0, 0, 0], "unknown strategy code 9"),
            (&[1, 1, 0, 1, 99], "end offset 99"),
            (&[1, 1, 0, 2, 5, 7, 1, 5_000, 2, 0, 0], "name index 5000"),
            (&[1, 1, 0, 2, 5, 7, 1, 0, 2, 0, i32::MAX], "member count"),
            (&[1, 1, 0, 2, 5, 7, 1, 0, 2, 7, 0], "racked flag 7"),
            (&[1, 1, 0, 2, 5, 7, 1, 0, 2, 1, 1], "do not fit"),
        ];
        for (data, message) in cases {
            let err = assign_guarded(&names, data).unwrap_err();
            assert!(err.contains(message), "{data:?}: {err}");
        }
        // Every truncation and every single-int corruption of the good array
        // is an answer or an error, never a panic.
        for cut in 0..good.len() {
            let _ = assign_guarded(&names, &good[..cut]);
            for value in [-1, 0, 1, 2, 3, i32::MIN, i32::MAX] {
                let mut bad = good.clone();
                bad[cut] = value;
                let result = catch_unwind(|| assign_flat(&names, &bad));
                assert!(result.is_ok(), "panicked on {bad:?}");
            }
        }
    }

    #[test]
    fn library_errors_keep_their_message() {
        // Two members with the same id: the library refuses, naming it.
        let names = b"tc1".to_vec();
        let data = vec![
            1,
            3,
            0,
            2,
            1,
            3,
            1,
            0,
            1,
            0,
            2,
            1,
            -1,
            -1,
            NO_GENERATION,
            1,
            0,
            0,
            1,
            -1,
            -1,
            NO_GENERATION,
            1,
            0,
            0,
        ];
        let err = assign_flat(&names, &data).unwrap_err();
        assert!(err.contains("c1"), "{err}");
    }
}
