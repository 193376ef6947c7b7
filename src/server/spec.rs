//! Validating and interning a group spec once: members in member id order,
//! topics in id order as dense integers, every subscription a sorted row.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use super::TopicId;
use super::error::{TargetError, TargetErrorKind};
use super::target::{
    GroupSpec, GroupTarget, MemberSpec, SubscribedTopicDescriber, TargetWriter, TopicDescription,
};
use crate::hash::{FxHashMap, FxHasher};
use crate::index::MAX_PARTITIONS;

/// A validated group spec on integers.
pub(crate) struct Spec<'s> {
    /// The members, in member id order.
    pub(crate) members: Vec<&'s MemberSpec>,
    /// Every topic a member subscribes to or names in its target, in id
    /// order.
    pub(crate) topics: Vec<&'s TopicDescription>,
    /// Distinct subscription rows (sorted topic indices, no repeats).
    pub(crate) rows: Vec<Vec<u32>>,
    /// Each member's row.
    pub(crate) row_of: Vec<u32>,
    /// Each member's current target in normal form (topics in id order,
    /// partitions ascending, no repeats, no empty topic), on topic indices.
    pub(crate) targets: Targets<'s>,
    /// Whether some member subscribes to the topic, per topic.
    pub(crate) subscribed: Vec<bool>,
}

impl<'s> Spec<'s> {
    /// A writer for this spec's answer, with room for one topic per member
    /// and every subscribed partition once (an answer gives each at most
    /// once, and only subscribed ones; their sum is capped by validation,
    /// a topic only a target names is not).
    pub(crate) fn writer(&self) -> TargetWriter {
        let partitions = self
            .topics
            .iter()
            .zip(&self.subscribed)
            .filter(|(_, subscribed)| **subscribed)
            .map(|(topic, _)| topic.partitions as usize)
            .sum();
        let members = self.members.len();
        TargetWriter::with_capacity(members, members, partitions)
    }

    /// The group target `writer` holds, under this spec's member ids and
    /// topic ids.
    pub(crate) fn target(&self, writer: TargetWriter) -> GroupTarget {
        writer.finish(
            self.members.iter().map(|m| m.member_id.len()).sum(),
            self.members.iter().map(|m| m.member_id.as_str()),
            self.topics.iter().map(|topic| topic.id).collect(),
        )
    }

    /// Validates `spec` against `describer` and interns it.
    pub(crate) fn new(
        spec: &'s GroupSpec,
        describer: &'s dyn SubscribedTopicDescriber,
    ) -> Result<Self, TargetError> {
        let mut members: Vec<&MemberSpec> = spec.members.iter().collect();
        sort_by_id(&mut members);
        if let Some(pair) = members
            .windows(2)
            .find(|pair| pair[0].member_id == pair[1].member_id)
        {
            return Err(TargetErrorKind::DuplicateMember {
                member: pair[0].member_id.clone(),
            }
            .into());
        }
        let mut instances: Vec<(&str, &str)> = members
            .iter()
            .filter_map(|m| Some((m.instance_id.as_deref()?, m.member_id.as_str())))
            .collect();
        instances.sort_unstable();
        if let Some(pair) = instances.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(TargetErrorKind::DuplicateInstanceId {
                instance_id: pair[0].0.to_owned(),
                first: pair[0].1.to_owned(),
                second: pair[1].1.to_owned(),
            }
            .into());
        }

        // Topics get indices in first-seen order, renumbered by id below.
        let mut index_of: FxHashMap<TopicId, u32> = FxHashMap::default();
        let mut seen: Vec<&TopicDescription> = Vec::new();
        let intern = |id: TopicId,
                      index_of: &mut FxHashMap<TopicId, u32>,
                      seen: &mut Vec<&'s TopicDescription>|
         -> Option<u32> {
            if let Some(&at) = index_of.get(&id) {
                return Some(at);
            }
            let topic = describer.describe(id)?;
            let at = seen.len() as u32;
            seen.push(topic);
            index_of.insert(id, at);
            Some(at)
        };
        let mut rows: Vec<Vec<u32>> = Vec::new();
        let mut row_of: Vec<u32> = Vec::with_capacity(members.len());
        // A stored row by a hash of the subscription list it came from (a
        // collision only costs the sharing).
        let mut row_by_list: FxHashMap<u64, (u32, usize)> = FxHashMap::default();
        for (m, member) in members.iter().enumerate() {
            let list = &member.subscribed;
            let previous = m.checked_sub(1).map(|p| &members[p].subscribed);
            if previous.is_some_and(|p| Arc::ptr_eq(p, list) || p == list) {
                row_of.push(row_of[m - 1]);
                continue;
            }
            let hash = sampled_hash(list);
            if let Some(&(row, first)) = row_by_list.get(&hash)
                && (Arc::ptr_eq(&members[first].subscribed, list)
                    || members[first].subscribed == *list)
            {
                row_of.push(row);
                continue;
            }
            let mut row = Vec::with_capacity(list.len());
            let mut unknown: Option<TopicId> = None;
            for &id in list.iter() {
                match intern(id, &mut index_of, &mut seen) {
                    Some(at) => row.push(at),
                    None => unknown = Some(unknown.map_or(id, |u| u.min(id))),
                }
            }
            if let Some(topic) = unknown {
                return Err(TargetErrorKind::UnknownSubscribedTopic {
                    member: member.member_id.clone(),
                    topic,
                }
                .into());
            }
            row_by_list.entry(hash).or_insert((rows.len() as u32, m));
            row_of.push(rows.len() as u32);
            rows.push(row);
        }

        // The subscribed topics renumbered in id order now, so that targets
        // are read in the final numbering; topics only targets name are
        // added after them, and renumbered below if there are any.
        let in_rows = seen.len();
        renumber_by_id(&mut seen, &mut index_of, &mut rows, &mut []);

        // Each member's target is read in place: its topics looked up, each
        // topic's partitions checked at their ends (a `TargetAssignment` is
        // in normal form, so the ends bound them all), no partition copied.
        let entries: usize = members
            .iter()
            .map(|member| member.target.raw().0.len())
            .sum();
        let mut targets = Targets {
            ends: Vec::with_capacity(members.len()),
            lists: Vec::with_capacity(members.len()),
            runs: Vec::with_capacity(entries),
            total: 0,
        };
        let mut previous_at: (usize, usize) = (0, 0);
        for member in &members {
            let (topics, partitions) = member.target.raw();
            let mut unknown: Option<TopicId> = None;
            let mut bad: Option<(TopicId, i32, u32)> = None;
            let first_run = targets.runs.len();
            let mut start = 0usize;
            for (k, &(id, end)) in topics.iter().enumerate() {
                let list = &partitions[start..end as usize];
                start = end as usize;
                // Neighbours mostly hold the same topics: the previous
                // member's topic at this place, before a lookup.
                let guess = (k < previous_at.1)
                    .then(|| targets.runs[previous_at.0 + k].0)
                    .filter(|&at| seen.get(at as usize).is_some_and(|topic| topic.id == id));
                let at = match guess.or_else(|| intern(id, &mut index_of, &mut seen)) {
                    Some(at) => at,
                    None => {
                        unknown = Some(unknown.map_or(id, |u| u.min(id)));
                        continue;
                    }
                };
                let count = seen[at as usize].partitions;
                // Ascending: the lowest and the highest bound them all; the
                // lowest partition out of range is the one named.
                let out_of_range = |p: i32| p < 0 || p as u64 >= u64::from(count);
                if list.first().is_some_and(|&p| out_of_range(p))
                    || list.last().is_some_and(|&p| out_of_range(p))
                {
                    let p = if list[0] < 0 {
                        list[0]
                    } else {
                        list[list.partition_point(|&p| (p as u64) < u64::from(count))]
                    };
                    if bad.is_none_or(|(t, q, _)| (id, p) < (t, q)) {
                        bad = Some((id, p, count));
                    }
                }
                targets.runs.push((at, end));
            }
            if let Some(topic) = unknown {
                return Err(TargetErrorKind::UnknownTargetTopic {
                    member: member.member_id.clone(),
                    topic,
                }
                .into());
            }
            if let Some((topic, partition, partitions)) = bad {
                return Err(TargetErrorKind::PartitionOutOfRange {
                    member: member.member_id.clone(),
                    topic,
                    partition,
                    partitions,
                }
                .into());
            }
            previous_at = (first_run, targets.runs.len() - first_run);
            targets.total += partitions.len();
            targets.lists.push(partitions);
            targets.ends.push(targets.runs.len() as u32);
        }
        if seen.len() > in_rows {
            renumber_by_id(&mut seen, &mut index_of, &mut rows, &mut targets.runs);
        }
        let mut subscribed = vec![false; seen.len()];
        for row in &rows {
            for &t in row {
                subscribed[t as usize] = true;
            }
        }
        let topics = seen;

        let mut total: u64 = 0;
        for (topic, _) in topics.iter().zip(&subscribed).filter(|(_, s)| **s) {
            if let Some(racks) = &topic.replica_racks
                && racks.len() as u64 != u64::from(topic.partitions)
            {
                return Err(TargetErrorKind::RackListLength {
                    topic: topic.id,
                    partitions: topic.partitions,
                    rack_lists: racks.len(),
                }
                .into());
            }
            total += u64::from(topic.partitions);
        }
        if total > MAX_PARTITIONS {
            return Err(TargetErrorKind::TooManyPartitions {
                partitions: total,
                limit: MAX_PARTITIONS,
            }
            .into());
        }
        Ok(Spec {
            members,
            topics,
            rows,
            row_of,
            targets,
            subscribed,
        })
    }

    /// Member `m`'s subscription: sorted topic indices.
    pub(crate) fn row(&self, m: usize) -> &[u32] {
        &self.rows[self.row_of[m] as usize]
    }
}

/// Sorts members by member id: by eight bytes at a time as integers (a
/// most-significant-digit sort), whole ids compared only where the keys
/// run out (so the order is the ids' order); already sorted lists are only
/// checked.
fn sort_by_id(members: &mut Vec<&MemberSpec>) {
    if members.is_sorted_by(|a, b| a.member_id <= b.member_id) {
        return;
    }
    let mut keyed: Vec<(u64, &MemberSpec)> = members.iter().map(|m| (0, *m)).collect();
    sort_from(&mut keyed, 0);
    members.clear();
    members.extend(keyed.into_iter().map(|(_, m)| m));
}

/// Sorts `items`, whose ids agree (zero padded) before `offset`, by the
/// ids from `offset` on.
fn sort_from(items: &mut [(u64, &MemberSpec)], offset: usize) {
    for item in items.iter_mut() {
        let tail = item.1.member_id.as_bytes().get(offset..).unwrap_or(&[]);
        let mut bytes = [0u8; 8];
        let n = tail.len().min(8);
        bytes[..n].copy_from_slice(&tail[..n]);
        item.0 = u64::from_be_bytes(bytes);
    }
    if items.len() > 256 {
        radix_sort(items);
    } else {
        items.sort_unstable_by_key(|item| item.0);
    }
    let mut i = 0;
    while i < items.len() {
        let mut j = i + 1;
        while j < items.len() && items[j].0 == items[i].0 {
            j += 1;
        }
        if j - i > 1 {
            let run = &mut items[i..j];
            let longer = run.iter().any(|item| item.1.member_id.len() > offset + 8);
            if longer && offset < 64 {
                sort_from(run, offset + 8);
            } else {
                run.sort_unstable_by(|a, b| a.1.member_id.cmp(&b.1.member_id));
            }
        }
        i = j;
    }
}

/// Sorts `items` by key, most significant varying byte first: one counting
/// pass on the highest byte in which the keys differ, then each bucket on
/// its own (small ones by comparison). Adaptive where a least significant
/// first sort is not: one id unlike the rest (a `newMember` among
/// `member0..member9999`) made every byte vary, and eight passes over all
/// the keys were a fifth of an incremental `uniform`.
fn radix_sort(items: &mut [(u64, &MemberSpec)]) {
    if items.len() <= 256 {
        items.sort_unstable_by_key(|item| item.0);
        return;
    }
    let (all, any) = items.iter().fold((u64::MAX, 0u64), |(all, any), item| {
        (all & item.0, any | item.0)
    });
    let varying = all ^ any;
    if varying == 0 {
        return;
    }
    let shift = (63 - varying.leading_zeros()) / 8 * 8;
    let mut counts = [0usize; 257];
    for item in items.iter() {
        counts[((item.0 >> shift) & 0xff) as usize + 1] += 1;
    }
    for b in 0..256 {
        counts[b + 1] += counts[b];
    }
    let starts = counts;
    let from = items.to_vec();
    for item in &from {
        let b = ((item.0 >> shift) & 0xff) as usize;
        items[counts[b]] = *item;
        counts[b] += 1;
    }
    // The keys agree above this byte and now within each bucket on it too:
    // done when no lower byte varies.
    if varying & ((1u64 << shift) - 1) == 0 {
        return;
    }
    for b in 0..256 {
        let bucket = &mut items[starts[b]..starts[b + 1]];
        if bucket.len() > 1 {
            radix_sort(bucket);
        }
    }
}

/// Renumbers `seen` in id order, with every index naming a topic:
/// `index_of`, the rows (sorted again, without repeats) and the targets'
/// runs (which stay ascending, as id order is kept).
fn renumber_by_id(
    seen: &mut Vec<&TopicDescription>,
    index_of: &mut FxHashMap<TopicId, u32>,
    rows: &mut [Vec<u32>],
    runs: &mut [(u32, u32)],
) {
    let mut order: Vec<u32> = (0..seen.len() as u32).collect();
    order.sort_unstable_by_key(|&t| seen[t as usize].id);
    let mut renumber = vec![0u32; seen.len()];
    for (new, &old) in order.iter().enumerate() {
        renumber[old as usize] = new as u32;
    }
    *seen = order.iter().map(|&t| seen[t as usize]).collect();
    for at in index_of.values_mut() {
        *at = renumber[*at as usize];
    }
    for row in rows {
        for t in row.iter_mut() {
            *t = renumber[*t as usize];
        }
        row.sort_unstable();
        row.dedup();
    }
    for (t, _) in runs {
        *t = renumber[*t as usize];
    }
}

/// The members' current targets, read in place: per member its runs (topic
/// index ascending, the end of its partitions in the member's own list) and
/// that list.
pub(crate) struct Targets<'s> {
    /// Per member, the end of its runs in `runs`.
    ends: Vec<u32>,
    /// Per member, its target's partitions.
    lists: Vec<&'s [i32]>,
    /// Per run, its topic index and the end of its partitions in its
    /// member's list.
    runs: Vec<(u32, u32)>,
    /// How many partitions all targets hold.
    total: usize,
}

impl<'s> Targets<'s> {
    /// Member `m`'s topics and partitions, topics ascending.
    #[inline]
    pub(crate) fn member(&self, m: usize) -> impl ExactSizeIterator<Item = (u32, &'s [i32])> + '_ {
        let first = if m == 0 { 0 } else { self.ends[m - 1] as usize };
        let runs = &self.runs[first..self.ends[m] as usize];
        let list = self.lists[m];
        (0..runs.len()).map(move |i| {
            let start = if i == 0 { 0 } else { runs[i - 1].1 as usize };
            let (t, end) = runs[i];
            (t, &list[start..end as usize])
        })
    }

    /// How many partitions member `m`'s target holds.
    pub(crate) fn len(&self, m: usize) -> usize {
        self.lists[m].len()
    }

    /// How many partitions all targets hold.
    pub(crate) fn total(&self) -> usize {
        self.total
    }
}

/// A hash of a subscription list from its length and five of its ids: equal
/// lists hash alike, and a collision between different ones only costs the
/// sharing of a row (the lists are compared before sharing).
fn sampled_hash(list: &[TopicId]) -> u64 {
    let mut hasher = FxHasher::default();
    list.len().hash(&mut hasher);
    if let Some(last) = list.len().checked_sub(1) {
        for at in [0, last / 4, last / 2, last - last / 4, last] {
            list[at].hash(&mut hasher);
        }
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::sort_by_id;
    use crate::server::MemberSpec;

    proptest! {
        #[test]
        fn members_sort_as_their_ids(
            ids in proptest::collection::vec("(member|m|abcdefgh)?[0-9\\x00a-c]{0,20}", 0..600)
        ) {
            let specs: Vec<MemberSpec> = ids.iter().map(MemberSpec::new).collect();
            let mut members: Vec<&MemberSpec> = specs.iter().collect();
            sort_by_id(&mut members);
            let mut expected = ids.clone();
            expected.sort();
            let got: Vec<&str> = members.iter().map(|m| m.member_id.as_str()).collect();
            prop_assert_eq!(got, expected);
        }
    }
}
