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
//! 3                                  layout version
//! strategy                           0 range, 1 roundrobin, 2 sticky, 3 cooperative-sticky
//! options                            bit 0: rack match on the leader replica only
//! N, end[0], ..., end[N-1]           name i is names[end[i-1]..end[i]] (end[-1] = 0)
//! T, then T topics:
//!     name, partitions, racked       racked 1: then per partition
//!         r, rack[0], ..., rack[r-1]     its replicas' racks (leader first)
//! M, then M members:
//!     id, instance, rack, generation instance and rack -1 for none; generation
//!                                    i32::MIN for none
//!     S, topic[0], ..., topic[S-1]   subscribed topics; S = -1 (no topics
//!                                    follow): the previous member's
//!     O, (topic, partition) * O      owned partitions, as the strategy reads
//!                                    them (subscription or sticky user data)
//! ```
//!
//! The answer: the topics its runs name; per member in the order given,
//! what it keeps and what it gains; then the partitions changing owner and
//! the owned ones nobody gets (what the Java client's cooperative round
//! withholds):
//!
//! ```text
//! A, name[0], ..., name[A-1]         the answer's topics as name ids (-1: one
//!                                    the group lacks, which no run names);
//!                                    runs name a topic by its position here
//! K, then K kept partitions:         those it owned before (it is their owner,
//!     name, partition, position      see below) and is given again; position
//!                                    is the claim's index in its owned list;
//!                                    by partition, then topic name (Java's
//!                                    String order), as the Java client lists them
//! R, then R entries of gained ones:  t, n, partition[0], ..., partition[n-1]
//!                                    (n >= 2): n partitions of answer topic t;
//!                                    !t (negative), partition: one of t;
//!                                    i32::MIN, t, k, p[0], ..., p[k-1]:
//!                                    partition p[i] of topic t + i
//! ...
//! X, then X transfers:               partitions given to a member that another
//!     member, topic, partition,      owned before (previous: owner's index + 1)
//!     previous                       or two claimed (-1 contested)
//! U, then U (topic, partition)       owned before, given to nobody now
//! ```
//!
//! A partition's owner before is the member claiming it at the highest
//! generation (no generation counts as -1), contested when two do; claims
//! off the metadata are ignored.
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
use std::sync::{Arc, Mutex, TryLockError};

use kafka_assignors::protocol::{DecodedGroup, DecodedGroupBuilder};
use kafka_assignors::{
    Assignment, Assignor, CooperativeStickyAssignor, MAX_PARTITIONS, Member, RackMatch,
    RangeAssignor, RoundRobinAssignor, StickyAssignor, Topic,
};

pub mod jni_entry;
pub mod server_entry;

/// The layout version this library reads.
pub const LAYOUT_VERSION: i32 = 3;

/// A member's subscription count meaning "the previous member's topics".
pub const SAME_TOPICS: i32 = -1;

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

    /// A topic's replica racks, `partitions` rows of (count, rack name
    /// ids); `topic` names the topic in errors.
    fn replica_racks(
        &mut self,
        table: &Names,
        partitions: i32,
        topic: &dyn std::fmt::Display,
    ) -> Result<Vec<Vec<Arc<str>>>, String> {
        // Each partition takes at least its replica count.
        let count = usize::try_from(partitions).unwrap_or(0);
        if count > self.data.len() - self.at {
            return Err(format!(
                "{topic}: racks for {partitions} partitions do not fit in the array"
            ));
        }
        let mut racks = Vec::with_capacity(count);
        for _ in 0..count {
            let n = self.count("replica count", 1)?;
            let row = self
                .slice(n)
                .iter()
                .map(|&id| table.get(id, "replica rack").map(Arc::clone))
                .collect::<Result<Vec<_>, _>>()?;
            racks.push(row);
        }
        Ok(racks)
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

/// The group as read from the two arrays: the library's decoded form, and
/// what the answer is written from.
struct Read<'a> {
    assignor: Box<dyn Assignor>,
    group: DecodedGroup,
    table: Names,
    /// Per metadata topic, its name (an index into `table`) and partition
    /// count.
    meta_name: Vec<i32>,
    partitions: Vec<i32>,
    /// Per member, its id and its owned (name, partition) pairs as given.
    member_ids: Vec<String>,
    owned: Vec<&'a [i32]>,
    /// Per member, the generation its claims count at (-1 for none).
    generations: Vec<i32>,
}

/// Reads the group from the two arrays into the library's decoded form
/// ([`DecodedGroup`], built from name ids: no `Arc` per member per topic,
/// no `TopicPartition` per owned partition).
/// Reads the group; `previous` (the last group read and its answer) lends
/// the new group and its answer its memory.
fn read_group<'a>(
    names: &[u8],
    data: &'a [i32],
    previous: Option<(DecodedGroup, Assignment)>,
) -> Result<Read<'a>, String> {
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

    let topic_count = r.count("topic count", 3)?;
    let mut topics = Vec::with_capacity(topic_count);
    let mut meta_name = Vec::with_capacity(topic_count);
    let mut partition_counts = Vec::with_capacity(topic_count);
    for t in 0..topic_count {
        let name_id = r.next("topic name")?;
        let name = table.get(name_id, "topic name")?;
        let partitions = r.next("partition count")?;
        let mut topic = Topic::new(Arc::clone(name), partitions);
        match r.next("racked flag")? {
            0 => {}
            1 => {
                let what = format!("topic {name:?}");
                topic.replica_racks = Some(r.replica_racks(&table, partitions, &what)?);
            }
            other => return Err(format!("topic {t} ({name:?}): racked flag {other}")),
        }
        topics.push(topic);
        meta_name.push(name_id);
        partition_counts.push(partitions);
    }

    let mut builder = match previous {
        Some((group, answer)) => group.rebuild(topics, Some(answer)),
        None => DecodedGroup::builder(topics),
    };
    // Each name of the table to its id in the builder, on first use.
    let mut ids = vec![u32::MAX; table.names.len()];
    let mut id_of = |builder: &mut DecodedGroupBuilder, name: i32, what: &str| {
        let text = table.get(name, what)?;
        let slot = &mut ids[name as usize];
        if *slot == u32::MAX {
            *slot = builder.name(text);
        }
        Ok::<u32, String>(*slot)
    };
    let member_count = r.count("member count", 6)?;
    let mut member_ids = Vec::with_capacity(member_count);
    let mut owned = Vec::with_capacity(member_count);
    let mut generations = Vec::with_capacity(member_count);
    let mut subscribed = Vec::new();
    let mut last_list: &[i32] = &[];
    let mut claims = Vec::new();
    for m in 0..member_count {
        let id = table.get(r.next("member id")?, "member id")?.to_string();
        let mut member = Member::new(id.clone());
        member.instance_id = table.optional(r.next("instance id")?, "instance id")?;
        member.rack = table.optional(r.next("rack")?, "rack")?;
        let generation = r.next("generation")?;
        member.generation = (generation != NO_GENERATION).then_some(generation);
        generations.push(if generation == NO_GENERATION {
            -1
        } else {
            generation
        });
        // Members mostly subscribe alike: the previous member's topics are
        // one int, and the previous member's list written again is the same
        // ids again.
        if m > 0 && r.data.get(r.at) == Some(&SAME_TOPICS) {
            r.at += 1;
        } else {
            let count = r.count("subscription count", 1)?;
            let list = r.slice(count);
            if m == 0 || list != last_list {
                subscribed.clear();
                for &t in list {
                    subscribed.push(id_of(&mut builder, t, "subscribed topic")?);
                }
                last_list = list;
            }
        }
        let count = r.count("owned count", 2)?;
        let pairs = r.slice(count * 2);
        claims.clear();
        claims.reserve(count);
        // Owned partitions come grouped by topic: one lookup per run.
        let mut last = (-1, 0);
        for pair in pairs.chunks_exact(2) {
            if pair[0] != last.0 || last.0 < 0 {
                last = (pair[0], id_of(&mut builder, pair[0], "owned topic")?);
            }
            claims.push((last.1, pair[1]));
        }
        if m == 0 {
            // Members of one group mostly subscribe and own alike; never
            // more than the rest of the array holds.
            let left = data.len() - r.at;
            let others = member_count - 1;
            builder.reserve(
                others,
                (subscribed.len() * others).min(left),
                (claims.len() * others).min(left / 2),
            );
        }
        builder
            .member(member, &subscribed, claims.iter().copied())
            .map_err(|e| e.to_string())?;
        member_ids.push(id);
        owned.push(pairs);
    }
    if r.at != data.len() {
        return Err(format!(
            "group array has {} ints after the last member",
            data.len() - r.at
        ));
    }
    Ok(Read {
        assignor,
        group: builder.build(),
        table,
        meta_name,
        partitions: partition_counts,
        member_ids,
        owned,
        generations,
    })
}

/// Nobody owns the partition; a partition two members claim at its highest
/// generation.
const NOBODY: i32 = 0;
const CONTESTED: i32 = -1;

/// One bit per metadata partition.
#[derive(Debug, Default)]
struct Bits {
    words: Vec<u64>,
}

impl Bits {
    fn reset(&mut self, bits: usize) {
        self.words.clear();
        self.words.resize(bits.div_ceil(64), 0);
    }

    fn get(&self, i: usize) -> bool {
        self.words[i / 64] >> (i % 64) & 1 != 0
    }

    /// Sets bit `i`, returning whether it was set already.
    fn set(&mut self, i: usize) -> bool {
        let word = &mut self.words[i / 64];
        let was = *word >> (i % 64) & 1 != 0;
        *word |= 1 << (i % 64);
        was
    }
}

/// Working memory kept from one call to the next: the per-partition bit
/// sets, the group array copied in and the answer array (of both entry
/// points, the client's and the broker's). A leader assigns groups of one size again and
/// again, and fresh pages are expensive to fault in (on a virtual machine,
/// 12 MB took 15 to 170 ms here), so they are faulted in once, as the
/// JVM's own heap is. What is kept is what the largest recent group needed:
/// each list shrinks to the current group's size when it is four times that.
#[derive(Debug, Default)]
pub struct Scratch {
    /// Partitions somebody claims; claimed more than once; given to
    /// somebody; listed as kept.
    claimed: Bits,
    multi: Bits,
    assigned: Bits,
    kept: Bits,
    out: Vec<i32>,
    /// The group array copied out of the JVM (either entry point's).
    group: Vec<i32>,
    /// The last client-side group read and its answer, whose lists the
    /// next group and answer fill (`DecodedGroup::rebuild`): a million
    /// partitions' answer alone is about 2,800 fresh pages otherwise.
    /// With the length of the group array it was read from: a group under
    /// a quarter of that size starts afresh, so that what is kept stays
    /// near what recent groups need.
    previous: Option<(DecodedGroup, Assignment, usize)>,
}

impl Scratch {
    const fn new() -> Self {
        Scratch {
            claimed: Bits { words: Vec::new() },
            multi: Bits { words: Vec::new() },
            assigned: Bits { words: Vec::new() },
            kept: Bits { words: Vec::new() },
            out: Vec::new(),
            group: Vec::new(),
            previous: None,
        }
    }

    /// The kept group buffer, `len` zeros long (a negative length: empty).
    pub(crate) fn group_buffer(&mut self, len: i32) -> &mut Vec<i32> {
        self.group.clear();
        self.group.resize(usize::try_from(len).unwrap_or(0), 0);
        if self.group.capacity() > 4 * self.group.len().max(1024) {
            self.group.shrink_to(self.group.len());
        }
        &mut self.group
    }

    /// Gives back a group buffer taken with [`Self::group_buffer`].
    pub(crate) fn put_group_buffer(&mut self, group: Vec<i32>) {
        self.group = group;
    }

    /// The group buffer to read and the answer buffer to write, at once.
    pub(crate) fn group_and_answer(&mut self) -> (&[i32], &mut Vec<i32>) {
        (&self.group, &mut self.out)
    }

    /// The first `len` ints of the answer buffer.
    pub(crate) fn answer(&self, len: usize) -> &[i32] {
        &self.out[..len]
    }

    fn trim(&mut self) {
        fn trim<T>(v: &mut Vec<T>) {
            if v.capacity() > 4 * v.len().max(1024) {
                v.shrink_to(v.len());
            }
        }
        trim(&mut self.claimed.words);
        trim(&mut self.multi.words);
        trim(&mut self.assigned.words);
        trim(&mut self.kept.words);
        trim(&mut self.out);
    }
}

/// The process's [`Scratch`]; a call that finds it in use by another thread
/// works in fresh memory instead of waiting.
static SCRATCH: Mutex<Scratch> = Mutex::new(Scratch::new());

/// Runs `f` with the process's scratch memory, or fresh memory when another
/// thread holds it.
pub fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    match SCRATCH.try_lock() {
        Ok(mut scratch) => f(&mut scratch),
        // A panic left it: its contents are rewritten before use anyway.
        Err(TryLockError::Poisoned(poisoned)) => f(&mut poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => f(&mut Scratch::default()),
    }
}

/// Where each metadata topic's partitions lie in the bit sets
/// (`start[t] + p`), and which metadata topic each name is.
struct Layout {
    /// Per metadata topic, its partition count (negative counts as 0).
    counts: Vec<usize>,
    /// Per metadata topic, its first index.
    start: Vec<usize>,
    total: usize,
    /// Per name of the table, its metadata topic (the last with that name).
    meta_of_name: Vec<u32>,
}

impl Layout {
    fn new(read: &Read<'_>) -> Result<Self, String> {
        let counts: Vec<usize> = read
            .partitions
            .iter()
            .map(|&c| usize::try_from(c).unwrap_or(0))
            .collect();
        let mut start = Vec::with_capacity(counts.len());
        let mut total = 0usize;
        for &count in &counts {
            start.push(total);
            total += count;
            if total as u64 > MAX_PARTITIONS {
                return Err(format!(
                    "the metadata holds more than {MAX_PARTITIONS} partitions"
                ));
            }
        }
        let mut meta_of_name = vec![u32::MAX; read.table.names.len()];
        for (t, &name) in read.meta_name.iter().enumerate() {
            meta_of_name[name as usize] = t as u32;
        }
        Ok(Layout {
            counts,
            start,
            total,
            meta_of_name,
        })
    }

    /// The metadata topic named `name` and the index of its partition `p`.
    fn global(&self, name: i32, p: i32) -> Option<(usize, usize)> {
        let t = *self.meta_of_name.get(usize::try_from(name).ok()?)? as usize;
        let p = usize::try_from(p).ok()?;
        (p < *self.counts.get(t)?).then(|| (t, self.start[t] + p))
    }
}

/// Who owned each metadata partition before, as the Java client's sticky
/// assignors decide it: the member claiming it at the highest generation
/// (member index + 1), [`CONTESTED`] when two claim it at that generation,
/// [`NOBODY`] when nobody claims it. Claims off the metadata are ignored.
///
/// Most partitions have one claim, and then its claimant owns it: only the
/// partitions claimed more than once are resolved here, the others are read
/// off the bit sets.
struct Owners {
    /// Per partition claimed more than once: owner and generation.
    multi: HashMap<usize, (i32, i32)>,
}

impl Owners {
    /// Marks the claimed partitions, and resolves those claimed twice.
    fn new(read: &Read<'_>, layout: &Layout, claimed: &mut Bits, multi: &mut Bits) -> Self {
        claimed.reset(layout.total);
        multi.reset(layout.total);
        let mut repeated = false;
        for pairs in &read.owned {
            for pair in pairs.chunks_exact(2) {
                if let Some((_, g)) = layout.global(pair[0], pair[1])
                    && claimed.set(g)
                {
                    multi.set(g);
                    repeated = true;
                }
            }
        }
        let mut owners = Owners {
            multi: HashMap::new(),
        };
        if !repeated {
            return owners;
        }
        // The partitions claimed more than once, claim by claim in order,
        // as the Java client reads them.
        for (m, (pairs, &generation)) in read.owned.iter().zip(&read.generations).enumerate() {
            let me = m as i32 + 1;
            for pair in pairs.chunks_exact(2) {
                let Some((_, g)) = layout.global(pair[0], pair[1]) else {
                    continue;
                };
                if !multi.get(g) {
                    continue;
                }
                let slot = owners.multi.entry(g).or_insert((NOBODY, 0));
                if slot.0 == NOBODY {
                    *slot = (me, generation);
                } else if slot.0 != me {
                    if generation > slot.1 {
                        *slot = (me, generation);
                    } else if generation == slot.1 {
                        slot.0 = CONTESTED;
                    }
                }
            }
        }
        owners
    }
}

/// An answer entry's first int: one partition each of consecutive topics.
const SERIES: i32 = i32::MIN;

/// Ends the series whose header is at `open.0`: one of a single partition
/// is written `!topic, partition` instead.
fn close_series(out: &mut Vec<i32>, open: Option<(usize, usize)>) {
    if let Some((at, _)) = open
        && out[at + 2] == 1
    {
        out[at] = !out[at + 1];
        out[at + 1] = out[at + 3];
        out.truncate(at + 2);
    }
}

/// Appends a few ints. `extend_from_slice` of a short array compiled to a
/// call of `memmove` per entry, which was a third of a fresh million-partition
/// call; single pushes are stores.
#[inline(always)]
fn put<const N: usize>(out: &mut Vec<i32>, values: [i32; N]) {
    for value in values {
        out.push(value);
    }
}

/// Writes the answer for the members, in their order, into `scratch.out`
/// as the layout above says, topics as indexes into the name table.
fn write_answer(read: &Read<'_>, answer: &Assignment, scratch: &mut Scratch) -> Result<(), String> {
    // Each of the answer's topics to its metadata topic, once per topic
    // (by text).
    let by_text: HashMap<&str, usize> = read
        .meta_name
        .iter()
        .enumerate()
        .map(|(t, &name)| (&*read.table.names[name as usize], t))
        .collect();
    let meta_of: Vec<Option<usize>> = answer
        .topic_names()
        .iter()
        .map(|name| by_text.get(&**name).copied())
        .collect();
    let meta = |index: usize| -> Result<usize, String> {
        meta_of[index].ok_or_else(|| {
            format!(
                "answer names topic {:?}, which the group does not",
                answer.topic_names()[index]
            )
        })
    };
    let Scratch {
        claimed,
        multi,
        assigned,
        kept: kept_bits,
        out,
        ..
    } = scratch;
    out.clear();
    let any_claims = read.owned.iter().any(|pairs| !pairs.is_empty());
    let mut history = None;
    if any_claims {
        let layout = Layout::new(read)?;
        let owners = Owners::new(read, &layout, claimed, multi);
        // Set with each partition given, member by member below.
        assigned.reset(layout.total);
        kept_bits.reset(layout.total);
        // Kept partitions, in the order the Java client lists them: by
        // partition, then topic name as Java's String.compareTo orders them.
        let mut order: Vec<usize> = (0..read.meta_name.len()).collect();
        let name = |t: usize| &*read.table.names[read.meta_name[t] as usize];
        order.sort_by(|&a, &b| name(a).encode_utf16().cmp(name(b).encode_utf16()));
        let mut rank = vec![0u32; read.meta_name.len()];
        for (r, t) in order.into_iter().enumerate() {
            rank[t] = r as u32;
        }
        history = Some((layout, owners, rank));
    }

    let claims: usize = read.owned.iter().map(|pairs| pairs.len() / 2).sum();
    out.reserve(
        1 + meta_of.len()
            + 2 * read.member_ids.len()
            + answer.assigned_partitions()
            + 2 * claims
            + 2,
    );
    // The answer's topics, as name ids (-1: not in the group, never used).
    out.push(i32::try_from(meta_of.len()).map_err(|_| "too many topics")?);
    for at in &meta_of {
        out.push(at.map_or(-1, |t| read.meta_name[t]));
    }
    let answer_topic =
        |index: usize| i32::try_from(index).map_err(|_| "too many topics".to_string());
    let mut transfers = Vec::new();
    // Transfers from a partition's only claimant, found after the members.
    let mut sole: HashMap<usize, usize> = HashMap::new();
    let mut kept: Vec<(u64, u32)> = Vec::new();
    // Per metadata topic, the member's partitions of it (stamped with the
    // member they belong to).
    let mut mine: Vec<(u32, &[i32])> = vec![(u32::MAX, &[]); read.meta_name.len()];
    for (m, id) in read.member_ids.iter().enumerate() {
        let me = m as i32 + 1;
        let given = answer.member(id);
        kept.clear();
        if let (Some((layout, owners, rank)), Some(given)) = (&history, &given) {
            for (topic, partitions) in given.topic_indices() {
                mine[meta(topic)?] = (m as u32, partitions);
            }
            for (c, pair) in read.owned[m].chunks_exact(2).enumerate() {
                let Some((t, g)) = layout.global(pair[0], pair[1]) else {
                    continue;
                };
                let owned = !multi.get(g) || owners.multi.get(&g).is_some_and(|o| o.0 == me);
                let (stamp, partitions) = mine[t];
                if owned
                    && stamp == m as u32
                    && partitions.binary_search(&pair[1]).is_ok()
                    && !kept_bits.set(g)
                {
                    kept.push(((pair[1] as u64) << 32 | u64::from(rank[t]), c as u32));
                }
            }
            kept.sort_unstable();
        }
        out.push(i32::try_from(kept.len()).map_err(|_| "too many partitions")?);
        for &(key, c) in &kept {
            let name = read.owned[m][2 * c as usize];
            put(out, [name, (key >> 32) as i32, c as i32]);
        }
        let runs_at = out.len();
        out.push(0);
        let Some(given) = given else {
            continue;
        };
        let Some((layout, owners, _)) = &history else {
            // Nothing was owned: every run goes out as it is. Runs are
            // mostly one partition long (a member gets one partition of
            // each topic in a large uniform group), so one partition is
            // two ints, not three, and one partition each of consecutive
            // topics is one int per partition after a three-int header
            // (half the answer the JVM allocates, copies and reads).
            let mut entries = 0;
            // The open series: where its header is, its next topic.
            let mut series: Option<(usize, usize)> = None;
            for (topic, partitions) in given.topic_indices() {
                meta(topic)?;
                let t = answer_topic(topic)?;
                match partitions {
                    [] => continue,
                    &[p] => {
                        match series {
                            Some((at, next)) if next == topic => {
                                out[at + 2] += 1;
                                series = Some((at, topic + 1));
                            }
                            _ => {
                                close_series(out, series);
                                series = Some((out.len(), topic + 1));
                                put(out, [SERIES, t, 1]);
                                entries += 1;
                            }
                        }
                        out.push(p);
                    }
                    _ => {
                        close_series(out, series.take());
                        let n =
                            i32::try_from(partitions.len()).map_err(|_| "too many partitions")?;
                        put(out, [t, n]);
                        out.extend_from_slice(partitions);
                        entries += 1;
                    }
                }
            }
            close_series(out, series);
            out[runs_at] = entries;
            continue;
        };
        let mut runs = 0;
        for (topic, partitions) in given.topic_indices() {
            let t = meta(topic)?;
            let name = read.meta_name[t];
            let count_at = out.len() + 1;
            put(out, [answer_topic(topic)?, 0]);
            let first = out.len();
            let start = layout.start[t];
            for &p in partitions {
                let g = start + p as usize;
                assigned.set(g);
                if kept_bits.get(g) {
                    continue;
                }
                out.push(p);
                if !claimed.get(g) {
                    continue;
                }
                let previous = if multi.get(g) {
                    owners.multi[&g].0
                } else {
                    sole.insert(g, transfers.len());
                    NOBODY
                };
                put(&mut transfers, [m as i32, name, p, previous]);
            }
            let n = out.len() - first;
            if n == 0 {
                out.truncate(count_at - 1);
                continue;
            }
            if n == 1 {
                // One partition: `!topic, partition`.
                out[count_at - 1] = !out[count_at - 1];
                out[count_at] = out[first];
                out.truncate(first);
                runs += 1;
                continue;
            }
            out[count_at] = i32::try_from(n).map_err(|_| "too many partitions")?;
            runs += 1;
        }
        out[runs_at] = runs;
    }
    if let Some((layout, _, _)) = &history
        && !sole.is_empty()
    {
        // Each partition moved away from its only claimant: that claimant.
        for (m, pairs) in read.owned.iter().enumerate() {
            for pair in pairs.chunks_exact(2) {
                if let Some((_, g)) = layout.global(pair[0], pair[1])
                    && let Some(&at) = sole.get(&g)
                {
                    transfers[at + 3] = m as i32 + 1;
                }
            }
        }
    }
    out.push(i32::try_from(transfers.len() / 4).map_err(|_| "too many partitions")?);
    out.extend_from_slice(&transfers);
    // Owned partitions nobody is given now.
    let unassigned_at = out.len();
    out.push(0);
    if let Some((layout, _, _)) = &history {
        // A word of the bit sets at a time: most partitions are given to
        // someone, so most words have no bit left. Bits in ascending order
        // are topics in metadata order, partitions ascending.
        let mut t = 0;
        for (w, (&claimed, &assigned)) in claimed.words.iter().zip(&assigned.words).enumerate() {
            let mut left = claimed & !assigned;
            while left != 0 {
                let g = w * 64 + left.trailing_zeros() as usize;
                left &= left - 1;
                while g >= layout.start[t] + layout.counts[t] {
                    t += 1;
                }
                put(out, [read.meta_name[t], (g - layout.start[t]) as i32]);
            }
        }
    }
    out[unassigned_at] = ((out.len() - unassigned_at - 1) / 2) as i32;
    Ok(())
}

/// The whole call: the group's two arrays in, the answer's array out (in
/// `scratch`), or the message of the first thing wrong.
///
/// # Errors
///
/// A message naming the position of a malformed array, or the library's own
/// message for a group it refuses.
pub fn assign_into<'s>(
    names: &[u8],
    group: &[i32],
    scratch: &'s mut Scratch,
) -> Result<&'s [i32], String> {
    let previous = scratch
        .previous
        .take()
        .filter(|&(_, _, len)| group.len() >= len / 4)
        .map(|(group, answer, _)| (group, answer));
    let read = read_group(names, group, previous)?;
    let answer = read
        .assignor
        .assign_decoded(&read.group)
        .map_err(|e| e.to_string())?;
    write_answer(&read, &answer, scratch)?;
    scratch.trim();
    scratch.previous = Some((read.group, answer, group.len()));
    Ok(&scratch.out)
}

/// [`assign_into`] in fresh memory, the answer as its own array.
///
/// # Errors
///
/// As [`assign_into`].
pub fn assign_flat(names: &[u8], group: &[i32]) -> Result<Vec<i32>, String> {
    assign_into(names, group, &mut Scratch::default()).map(<[i32]>::to_vec)
}

/// [`assign_into`] with any panic caught and turned into an error message.
///
/// # Errors
///
/// As [`assign_into`], and `internal error: ...` for a panic.
pub fn assign_guarded<'s>(
    names: &[u8],
    group: &[i32],
    scratch: &'s mut Scratch,
) -> Result<&'s [i32], String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        assign_into(names, group, scratch).map(|out| out.len())
    }));
    match outcome {
        Ok(Ok(len)) => Ok(&scratch.out[..len]),
        Ok(Err(message)) => Err(message),
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
    use kafka_assignors::Group;

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

    /// An answer decoded: per member its kept (topic, partition, position)
    /// triples and gained runs; the transfers; the unassigned owned ones.
    struct Decoded {
        kept: Vec<Vec<(String, i32, i32)>>,
        runs: Vec<Vec<(String, Vec<i32>)>>,
        transfers: Vec<(i32, String, i32, i32)>,
        unassigned: Vec<(String, i32)>,
    }

    impl Decoded {
        /// Member `m`'s partitions, kept and gained, by topic, ascending.
        fn member(&self, m: usize) -> Vec<(String, Vec<i32>)> {
            let mut by_topic = std::collections::BTreeMap::<String, Vec<i32>>::new();
            for (t, p, _) in &self.kept[m] {
                by_topic.entry(t.clone()).or_default().push(*p);
            }
            for (t, ps) in &self.runs[m] {
                by_topic.entry(t.clone()).or_default().extend(ps);
            }
            by_topic
                .into_iter()
                .map(|(t, mut ps)| {
                    ps.sort();
                    (t, ps)
                })
                .collect()
        }
    }

    fn decode(answer: &[i32], names: &[String], members: usize) -> Decoded {
        let name = |id: i32| names[id as usize].clone();
        let topics = answer[0] as usize;
        let topic = |t: i32| name(answer[1 + t as usize]);
        let mut at = 1 + topics;
        let mut d = Decoded {
            kept: Vec::new(),
            runs: Vec::new(),
            transfers: Vec::new(),
            unassigned: Vec::new(),
        };
        for _ in 0..members {
            let k = answer[at] as usize;
            at += 1;
            d.kept.push(
                (0..k)
                    .map(|i| {
                        let e = &answer[at + 3 * i..];
                        (name(e[0]), e[1], e[2])
                    })
                    .collect(),
            );
            at += 3 * k;
            let runs = answer[at];
            at += 1;
            let mut member = Vec::new();
            for _ in 0..runs {
                if answer[at] == SERIES {
                    let (t, k) = (answer[at + 1], answer[at + 2]);
                    assert!(k > 1, "a series of {k} topics");
                    for i in 0..k {
                        member.push((topic(t + i), vec![answer[at + 3 + i as usize]]));
                    }
                    at += 3 + k as usize;
                    continue;
                }
                if answer[at] < 0 {
                    member.push((topic(!answer[at]), vec![answer[at + 1]]));
                    at += 2;
                    continue;
                }
                let n = answer[at + 1] as usize;
                assert!(n > 1, "a run of {n} partitions in the long form");
                member.push((topic(answer[at]), answer[at + 2..at + 2 + n].to_vec()));
                at += 2 + n;
            }
            d.runs.push(member);
        }
        let x = answer[at] as usize;
        at += 1;
        for i in 0..x {
            let e = &answer[at + 4 * i..];
            d.transfers.push((e[0], name(e[1]), e[2], e[3]));
        }
        at += 4 * x;
        let u = answer[at] as usize;
        at += 1;
        for i in 0..u {
            d.unassigned
                .push((name(answer[at + 2 * i]), answer[at + 2 * i + 1]));
        }
        at += 2 * u;
        assert_eq!(at, answer.len());
        d
    }

    /// A group of `members` members over topics "a" (`partitions`) and "b"
    /// (half as many), member `i` owning every partition `p` of "a" with
    /// `p % members == i` and of "b" with `p % members == (i + 1) % members`
    /// (so some "b" partitions are owned twice when `twice`), at
    /// generation `3 + i % 2`; the last member joins with nothing.
    fn generated(
        strategy: i32,
        members: usize,
        partitions: i32,
        twice: bool,
    ) -> (Vec<u8>, Vec<i32>) {
        let mut b = Builder {
            names: Vec::new(),
            data: Vec::new(),
        };
        let (a, bt) = (b.id("a"), b.id("b"));
        let mut body = vec![2, a, partitions, 0, bt, partitions / 2, 0, members as i32];
        for i in 0..members {
            let id = b.id(&format!("m{i}"));
            let joining = i + 1 == members;
            let generation = if joining {
                NO_GENERATION
            } else {
                3 + (i as i32 % 2)
            };
            body.extend([id, -1, -1, generation, 2, a, bt]);
            let mut owned = Vec::new();
            if !joining {
                for p in (0..partitions).filter(|p| *p as usize % members == i) {
                    owned.extend([a, p]);
                }
                for p in (0..partitions / 2).filter(|p| {
                    *p as usize % members == (i + 1) % members
                        || (twice && *p as usize % members == i)
                }) {
                    owned.extend([bt, p]);
                }
            }
            body.push(owned.len() as i32 / 2);
            body.extend(owned);
        }
        b.arrays(strategy, &body)
    }

    #[test]
    fn a_scratch_kept_across_groups_answers_as_a_fresh_one() {
        let mut kept = Scratch::default();
        let groups = [
            (3, 5, 40, false),
            (3, 6, 44, true),
            (2, 4, 30, true),
            // Under a quarter of the last group's array: starts afresh.
            (3, 2, 3, false),
            (0, 5, 40, false),
            (1, 7, 60, true),
            (3, 7, 61, false),
        ];
        for (i, &(strategy, members, partitions, twice)) in groups.iter().enumerate() {
            let (names, data) = generated(strategy, members, partitions, twice);
            let fresh = assign_flat(&names, &data).unwrap();
            let again = assign_guarded(&names, &data, &mut kept).unwrap();
            assert_eq!(again, &fresh[..], "group {i}");
            if i == 2 {
                // A bad array between two groups leaves nothing behind.
                assert!(assign_guarded(&names, &data[..data.len() - 1], &mut kept).is_err());
            }
        }
    }

    /// Each member's partitions in the decoded answer are the library's.
    fn assert_members_match(got: &Decoded, want: &Assignment, members: &[&str], code: i32) {
        for (i, id) in members.iter().enumerate() {
            let expected: Vec<(String, Vec<i32>)> = want
                .member(id)
                .unwrap()
                .topics()
                .filter(|(_, p)| !p.is_empty())
                .map(|(t, p)| (t.to_string(), p.to_vec()))
                .collect();
            assert_eq!(got.member(i), expected, "strategy {code}, member {id}");
        }
    }

    /// Counts the answer's gained entries of each form: (series, single,
    /// long run).
    fn entry_forms(answer: &[i32], members: usize) -> (usize, usize, usize) {
        let mut at = 1 + answer[0] as usize;
        let mut forms = (0, 0, 0);
        for _ in 0..members {
            at += 1 + 3 * answer[at] as usize;
            let entries = answer[at];
            at += 1;
            for _ in 0..entries {
                if answer[at] == SERIES {
                    forms.0 += 1;
                    at += 3 + answer[at + 2] as usize;
                } else if answer[at] < 0 {
                    forms.1 += 1;
                    at += 2;
                } else {
                    forms.2 += 1;
                    at += 2 + answer[at + 1] as usize;
                }
            }
        }
        forms
    }

    #[test]
    fn a_fresh_group_through_the_arrays_matches_the_library() {
        // Six topics of three partitions, "b-wide" with eight and "a-solo"
        // with one, for three members who all subscribe to all of them,
        // given as one list and then twice as "the previous member's". Each
        // member gets one partition of each small topic (a series), a few
        // of "b-wide" (a run), and one member "a-solo" (a single: the topic
        // after it is a run).
        let mut b = Builder {
            names: Vec::new(),
            data: Vec::new(),
        };
        let mut topics: Vec<(String, i32)> = (0..6).map(|i| (format!("t{i}"), 3)).collect();
        topics.push(("b-wide".to_string(), 8));
        topics.push(("a-solo".to_string(), 1));
        let ids: Vec<i32> = topics.iter().map(|(name, _)| b.id(name)).collect();
        let mut body = vec![topics.len() as i32];
        for ((_, count), &id) in topics.iter().zip(&ids) {
            body.extend([id, *count, 0]);
        }
        let members = ["c1", "c2", "c3"];
        body.push(members.len() as i32);
        let mut group = Group::new();
        for (name, count) in &topics {
            group = group.with_topic(Topic::new(name.as_str(), *count));
        }
        for (i, member) in members.iter().enumerate() {
            body.extend([b.id(member), -1, -1, NO_GENERATION]);
            if i == 0 {
                body.push(ids.len() as i32);
                body.extend(&ids);
            } else {
                body.push(SAME_TOPICS);
            }
            body.push(0);
            group = group.with_member(
                Member::new(*member).subscribe(topics.iter().map(|(name, _)| name.as_str())),
            );
        }
        for (code, strategy) in [
            (0, Box::new(RangeAssignor) as Box<dyn Assignor>),
            (1, Box::new(RoundRobinAssignor)),
            (3, Box::new(CooperativeStickyAssignor::new())),
        ] {
            let (names, data) = b.arrays(code, &body);
            let answer = assign_flat(&names, &data).unwrap();
            let got = decode(&answer, &b.names, members.len());
            let want = strategy.assign(&group).unwrap();
            assert_members_match(&got, &want, &members, code);
            assert!(got.transfers.is_empty() && got.unassigned.is_empty());
            let (series, singles, runs) = entry_forms(&answer, members.len());
            assert!(
                series >= 3 && singles >= 1 && runs >= 3,
                "strategy {code}: {series} series, {singles} singles, {runs} runs"
            );
        }
        // "The previous member's topics" for the first member is an error.
        let first = 1 + 3 * topics.len() + 1 + 4;
        let mut bad = body.clone();
        bad[first] = SAME_TOPICS;
        let (names, data) = b.arrays(3, &bad);
        let err = assign_flat(&names, &data).unwrap_err();
        assert!(err.contains("subscription count -1"), "{err}");
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
            assert_members_match(&got, &want, &["c1", "c2", "c3"], code);
            // Kept: what a member owned and is given again, with its
            // position in the member's owned list; gained from another
            // owner: a transfer from that owner.
            for (m, kept) in got.kept.iter().enumerate() {
                for (t, p, position) in kept {
                    assert_eq!(t, "orders");
                    assert_eq!(*p, 3 * m as i32 + position, "member {m}");
                }
            }
            // Every partition was owned: all gained ones are transfers.
            for (m, t, p, previous) in &got.transfers {
                assert_eq!(t, "orders");
                assert_eq!(*previous, p / 3 + 1, "partition {p} came from its owner");
                assert_ne!(*previous, m + 1);
                assert!(got.runs[*m as usize][0].1.contains(p));
            }
            let gained: usize = got.runs.iter().flatten().map(|(_, ps)| ps.len()).sum();
            assert_eq!(got.transfers.len(), gained, "strategy {code}");
            // Cooperative: what changes owner is withheld this round.
            let kept: usize = got.kept.iter().map(Vec::len).sum();
            assert_eq!(kept + gained + got.unassigned.len(), 6, "strategy {code}");
            assert_eq!(got.unassigned.is_empty(), code == 0, "strategy {code}");
        }
    }

    #[test]
    fn bad_arrays_are_errors_naming_the_problem_never_panics() {
        let names = b"topicc1".to_vec();
        // A valid one: topic "topic" (0..5) with 2 partitions, member "c1" (5..7).
        let good = vec![
            LAYOUT_VERSION,
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
            (&[9, 1, 0], "layout version 9"),
            (&[LAYOUT_VERSION, 9, 0, 0, 0, 0], "unknown strategy code 9"),
            (&[LAYOUT_VERSION, 1, 0, 1, 99], "end offset 99"),
            (
                &[LAYOUT_VERSION, 1, 0, 2, 5, 7, 1, 5_000, 2, 0, 0],
                "name index 5000",
            ),
            (
                &[LAYOUT_VERSION, 1, 0, 2, 5, 7, 1, 0, 2, 0, i32::MAX],
                "member count",
            ),
            (
                &[LAYOUT_VERSION, 1, 0, 2, 5, 7, 1, 0, 2, 7, 0],
                "racked flag 7",
            ),
            (
                &[LAYOUT_VERSION, 1, 0, 2, 5, 7, 1, 0, 2, 1, 1],
                "do not fit",
            ),
        ];
        for (data, message) in cases {
            let err = assign_guarded(&names, data, &mut Scratch::default()).unwrap_err();
            assert!(err.contains(message), "{data:?}: {err}");
        }
        // Every truncation and every single-int corruption of the good array
        // is an answer or an error, never a panic.
        for cut in 0..good.len() {
            let _ = assign_guarded(&names, &good[..cut], &mut Scratch::default());
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
            LAYOUT_VERSION,
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
