//! `range`: Kafka's server-side `RangeAssignor` (4.x, as rewritten in
//! KAFKA-16944), exactly.

use std::cmp::Ordering;

use super::error::TargetError;
use super::spec::Spec;
use super::target::{
    GroupSpec, GroupTarget, SubscribedTopicDescriber, TargetAssignor, TargetWriter,
};
use crate::java::java_cmp;

/// The server-side `range` assignor: contiguous ranges of every topic,
/// recomputed from scratch at each target, the answers of Kafka's
/// `org.apache.kafka.coordinator.group.assignor.RangeAssignor` (4.x).
///
/// Members are ordered as Kafka orders them: static members first, by
/// `group.instance.id`, then dynamic members by member id (both compared as
/// Java compares strings). For each topic, its `P` partitions are split
/// among its `S` subscribers in that order: each gets `P / S`, the first
/// `P % S` one more, in contiguous ranges from partition 0. When every member
/// subscribes to the same topics and the topics have equal partition counts,
/// every member gets the same partition numbers of every topic
/// (co-partitioning, for joins). The current target is not read, except to
/// report members whose target did not change; racks are not read (Kafka's
/// 4.3.1 server-side range is not rack-aware).
///
/// ```
/// use kafka_assignors::server::{
///     GroupSpec, MemberSpec, MemberTarget, RangeTargetAssignor, TargetAssignor,
///     TopicDescription, TopicId, TopicMetadata,
/// };
///
/// let t = TopicId::from(1u128);
/// let topics = TopicMetadata::new([TopicDescription::new(t, 3)])?;
/// let spec = GroupSpec::new()
///     .with_member(MemberSpec::new("b").with_instance_id("i0").subscribe([t]))
///     .with_member(MemberSpec::new("a").subscribe([t]).with_target(t, [2]));
/// let target = RangeTargetAssignor.assign(&spec, &topics)?;
/// // The static member comes first and takes the larger range.
/// let MemberTarget::Changed(b) = target.member("b").unwrap() else { panic!() };
/// assert_eq!(b.partitions(t), [0, 1]);
/// // a's target was already [2].
/// assert_eq!(target.member("a"), Some(MemberTarget::Unchanged));
/// # Ok::<(), kafka_assignors::server::TargetError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RangeTargetAssignor;

impl TargetAssignor for RangeTargetAssignor {
    fn name(&self) -> &'static str {
        "range"
    }

    fn assign(
        &self,
        spec: &GroupSpec,
        topics: &dyn SubscribedTopicDescriber,
    ) -> Result<GroupTarget, TargetError> {
        Ok(range(&Spec::new(spec, topics)?))
    }
}

/// One member's range of one topic: `(topic index, start, end)`.
type Span = (u32, u32, u32);

fn range(spec: &Spec<'_>) -> GroupTarget {
    let members = spec.members.len();
    let mut order: Vec<u32> = (0..members as u32).collect();
    let java_order = |&a: &u32, &b: &u32| {
        let (a, b) = (spec.members[a as usize], spec.members[b as usize]);
        match (&a.instance_id, &b.instance_id) {
            (Some(x), Some(y)) => java_cmp(x, y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => java_cmp(&a.member_id, &b.member_id),
        }
    };
    // Members come in member id order, which is Java's order too unless
    // static members or characters above U+FFFF intervene: then sort.
    if !order.is_sorted_by(|a, b| java_order(a, b).is_le()) {
        order.sort_by(java_order);
    }

    // Subscribers per topic, counted per distinct row.
    let mut row_members = vec![0u32; spec.rows.len()];
    for &row in &spec.row_of {
        row_members[row as usize] += 1;
    }
    let mut subscribers = vec![0u32; spec.topics.len()];
    for (row, &count) in spec.rows.iter().zip(&row_members) {
        for &t in row {
            subscribers[t as usize] += count;
        }
    }
    let quota: Vec<u32> = spec
        .topics
        .iter()
        .zip(&subscribers)
        .map(|(topic, &s)| topic.partitions.checked_div(s).unwrap_or(0))
        .collect();
    let mut extra: Vec<u32> = spec
        .topics
        .iter()
        .zip(&subscribers)
        .map(|(topic, &s)| topic.partitions.checked_rem(s).unwrap_or(0))
        .collect();
    let mut next = vec![0u32; spec.topics.len()];

    let subscriptions: usize = spec
        .row_of
        .iter()
        .map(|&r| spec.rows[r as usize].len())
        .sum();
    // Room for the answer: at most one range per subscription and per
    // partition, at most two items per range and one per partition (never
    // members times topics when the members share one long list but few
    // partitions).
    let partitions: usize = spec
        .topics
        .iter()
        .zip(&subscribers)
        .filter(|(_, s)| **s > 0)
        .map(|(topic, _)| topic.partitions as usize)
        .sum();
    let ranges = subscriptions.min(partitions);
    let mut out = TargetWriter::with_capacity(members, ranges, (2 * ranges).min(partitions));
    if spec.rows.len() == 1 && spec.rows[0].iter().all(|&t| quota[t as usize] > 0) {
        // Every member gets a range of every topic: the member at position
        // `i` of the order gets, of a topic with quota `q` and `x` extra
        // partitions, `q + (i < x)` partitions from `i * q + min(i, x)`, the
        // same as dealing in order; written straight from the formula.
        let row = &spec.rows[0];
        for (i, &m) in order.iter().enumerate() {
            let i = i as u32;
            out.begin(m as usize);
            for &t in row {
                let (q, x) = (quota[t as usize], extra[t as usize]);
                let start = i * q + i.min(x);
                out.push_run(t, start as i32, (start + q + u32::from(i < x)) as i32);
            }
            out.end_unless(spec.targets.member(m as usize));
        }
    } else if spec.rows.len() == 1 {
        let (spans, member_spans) = spans_one_subscription(spec, &order, &quota, &extra);
        for (m, &(first, end)) in member_spans.iter().enumerate() {
            out.begin(m);
            for &(t, s, e) in &spans[first as usize..end as usize] {
                out.push_run(t, s as i32, e as i32);
            }
            out.end_unless(spec.targets.member(m));
        }
    } else {
        for &m in &order {
            out.begin(m as usize);
            for &t in spec.row(m as usize) {
                let t = t as usize;
                let mut q = quota[t];
                if extra[t] > 0 {
                    q += 1;
                    extra[t] -= 1;
                }
                let start = next[t];
                let end = (start + q).min(spec.topics[t].partitions);
                next[t] = end;
                if start < end {
                    out.push_run(t as u32, start as i32, end as i32);
                }
            }
            out.end_unless(spec.targets.member(m as usize));
        }
    }
    spec.target(out)
}

/// The spans when every member has the same subscription: the member at
/// position `i` of the order gets, of a topic with quota `q` and `x` extra
/// partitions, `q + (i < x)` partitions from `i * q + min(i, x)`, the same
/// as dealing in order. Only the members that get something are visited, so
/// the cost is the number of spans, not members times topics.
fn spans_one_subscription(
    spec: &Spec<'_>,
    order: &[u32],
    quota: &[u32],
    extra: &[u32],
) -> (Vec<Span>, Vec<(u32, u32)>) {
    let members = order.len();
    let row = &spec.rows[0];
    let receivers = |t: usize| {
        if quota[t] > 0 {
            members
        } else {
            extra[t] as usize
        }
    };
    let mut starts = vec![0u32; members + 1];
    for &t in row {
        for &m in &order[..receivers(t as usize)] {
            starts[m as usize + 1] += 1;
        }
    }
    for m in 0..members {
        starts[m + 1] += starts[m];
    }
    let mut cursor = starts.clone();
    let mut spans = vec![(0u32, 0u32, 0u32); starts[members] as usize];
    for &t in row {
        let (q, x) = (quota[t as usize], extra[t as usize]);
        for (i, &m) in order[..receivers(t as usize)].iter().enumerate() {
            let i = i as u32;
            let start = i * q + i.min(x);
            let end = start + q + u32::from(i < x);
            spans[cursor[m as usize] as usize] = (t, start, end);
            cursor[m as usize] += 1;
        }
    }
    let member_spans = (0..members).map(|m| (starts[m], starts[m + 1])).collect();
    (spans, member_spans)
}
