//! The answer: which member reads which partitions, stored flat.
//!
//! A million partitions over two thousand members makes a million
//! (member, topic) entries; as nested maps that is two million allocations.
//! Here it is four vectors, and the views borrow from them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::index::{GroupIndex, MemberIdx, PartitionIdx, TopicIdx};

/// Every member's assigned partitions.
///
/// Members are kept in member-id order, each member's topics in name order
/// and each topic's partitions ascending. Every member of the group appears,
/// with nothing assigned when it gets nothing.
///
/// ```
/// use kafka_assignors::{Assignor, Group, Member, RangeAssignor, Topic};
///
/// let group = Group::new()
///     .with_topic(Topic::new("T", 3))
///     .with_member(Member::new("C1").subscribe(["T"]))
///     .with_member(Member::new("C2").subscribe(["T"]));
/// let assignment = RangeAssignor.assign(&group)?;
/// let c1 = assignment.member("C1").unwrap();
/// assert_eq!(c1.partitions("T"), &[0, 1]);
/// assert_eq!(assignment.member("C2").unwrap().partitions("T"), &[2]);
/// # Ok::<(), kafka_assignors::AssignError>(())
/// ```
#[derive(Clone, Default)]
pub struct Assignment {
    /// Topic names, indexed by the runs' topic field.
    topics: Vec<Arc<str>>,
    /// Member ids in order (the index's own `Arc`s, when the answer was
    /// built from an index).
    members: Vec<Arc<str>>,
    /// Member `m` owns runs `member_runs[m].0..member_runs[m].1`. Members
    /// are usually stored in order, but need not be: a builder may write
    /// some members after the rest.
    member_runs: Vec<(u32, u32)>,
    /// One topic's partitions of one member; run `r` covers
    /// `partitions[runs[r].start..runs[r + 1].start]`. Ends with a sentinel.
    runs: Vec<Run>,
    partitions: Vec<i32>,
}

/// An answer's three lists, emptied, for the next answer to fill (see
/// `spare.rs`): a leader's answers are alike from one rebalance to the next,
/// so the capacity is usually just enough.
#[derive(Debug, Default)]
pub(crate) struct AnswerLists {
    member_runs: Vec<(u32, u32)>,
    runs: Vec<Run>,
    partitions: Vec<i32>,
}

impl AnswerLists {
    /// Empty lists for an answer over `index` with room for this many
    /// members, runs and partitions: what the answer before left behind, if
    /// it did, else fresh ones.
    fn for_answer(
        index: &GroupIndex,
        members: usize,
        runs: usize,
        partitions: usize,
    ) -> (Vec<(u32, u32)>, Vec<Run>, Vec<i32>) {
        let mut lists = index.take_spare::<AnswerLists>().unwrap_or_default();
        lists.member_runs.reserve(members);
        lists.runs.reserve(runs);
        lists.partitions.reserve(partitions);
        (lists.member_runs, lists.runs, lists.partitions)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    /// Its topic in the answer's `topics` (the index's topic ids, when the
    /// answer was built from an index); [`TopicIdx::NONE`] in the end
    /// sentinel.
    topic: TopicIdx,
    start: u32,
}

impl Assignment {
    /// The answer's lists, emptied, for the next answer to fill.
    pub(crate) fn into_lists(self) -> AnswerLists {
        let Assignment {
            mut member_runs,
            mut runs,
            mut partitions,
            ..
        } = self;
        member_runs.clear();
        runs.clear();
        partitions.clear();
        AnswerLists {
            member_runs,
            runs,
            partitions,
        }
    }

    /// Builds the answer from one owner per global partition
    /// ([`MemberIdx::NONE`] for a partition nobody gets this round).
    pub(crate) fn from_owners(index: &GroupIndex, owner: &[MemberIdx]) -> Self {
        debug_assert_eq!(owner.len(), index.total_partitions as usize);
        let member_count = index.members.len();
        // Two passes in global order (topics by name, partitions ascending):
        // the first counts each member's partitions and runs, the second
        // writes both where they belong. Each member's slice comes out
        // sorted, and no partition needs its topic looked up.
        let mut counts = vec![0u32; member_count + 1];
        let mut run_counts = vec![0u32; member_count + 1];
        let mut last_topic = vec![TopicIdx::NONE; member_count];
        for (t, topic) in TopicIdx::all(index.topics.len()).zip(&index.topics) {
            for &m in &owner[topic.globals()] {
                if m.is_none() {
                    continue;
                }
                let m = m.index();
                counts[m + 1] += 1;
                if last_topic[m] != t {
                    last_topic[m] = t;
                    run_counts[m + 1] += 1;
                }
            }
        }
        for m in 0..member_count {
            counts[m + 1] += counts[m];
            run_counts[m + 1] += run_counts[m];
        }
        let assigned = counts[member_count] as usize;
        let total_runs = run_counts[member_count] as usize;
        let mut partitions = vec![0i32; assigned];
        let mut runs = vec![
            Run {
                topic: TopicIdx::NONE,
                start: 0
            };
            total_runs + 1
        ];
        let mut cursor = counts;
        let mut run_cursor = run_counts.clone();
        last_topic.fill(TopicIdx::NONE);
        for (t, topic) in TopicIdx::all(index.topics.len()).zip(&index.topics) {
            for (p, &m) in owner[topic.globals()].iter().enumerate() {
                if m.is_none() {
                    continue;
                }
                let m = m.index();
                let at = cursor[m];
                if last_topic[m] != t {
                    last_topic[m] = t;
                    runs[run_cursor[m] as usize] = Run {
                        topic: t,
                        start: at,
                    };
                    run_cursor[m] += 1;
                }
                partitions[at as usize] = p as i32;
                cursor[m] = at + 1;
            }
        }
        runs[total_runs] = Run {
            topic: TopicIdx::NONE,
            start: assigned as u32,
        };
        let member_runs = run_counts.windows(2).map(|w| (w[0], w[1])).collect();

        Assignment {
            topics: index.topics.iter().map(|t| Arc::clone(&t.name)).collect(),
            members: index.members.iter().map(|m| Arc::clone(&m.id)).collect(),
            member_runs,
            runs,
            partitions,
        }
    }

    /// Drops every partition whose global index `keep` refuses; members,
    /// topics and order stay as they were.
    pub(crate) fn retain(
        &mut self,
        index: &GroupIndex,
        mut keep: impl FnMut(PartitionIdx) -> bool,
    ) {
        let mut runs = Vec::with_capacity(self.runs.len());
        let mut partitions = Vec::with_capacity(self.partitions.len());
        let mut member_runs = Vec::with_capacity(self.member_runs.len());
        for &(first, end) in &self.member_runs {
            let begin = runs.len() as u32;
            for r in first as usize..end as usize {
                let run = self.runs[r];
                let start = partitions.len() as u32;
                let topic = &index.topics[run.topic.index()];
                let held = &self.partitions[run.start as usize..self.runs[r + 1].start as usize];
                partitions.extend(held.iter().filter(|&&p| keep(topic.global(p as u32))));
                if partitions.len() as u32 > start {
                    runs.push(Run {
                        topic: run.topic,
                        start,
                    });
                }
            }
            member_runs.push((begin, runs.len() as u32));
        }
        runs.push(Run {
            topic: TopicIdx::NONE,
            start: partitions.len() as u32,
        });
        self.member_runs = member_runs;
        self.runs = runs;
        self.partitions = partitions;
    }

    /// Builds the answer from one arithmetic run per subscription:
    /// `range(m, k)` is (first partition, count) for the `k`-th topic of
    /// member `m`'s subscription row, the partitions `stride` apart. Every
    /// partition of the subscribed topics must be covered once. Member-major
    /// from the start, so nothing is regrouped.
    pub(crate) fn from_subscription_ranges(
        index: &GroupIndex,
        stride: u32,
        mut range: impl FnMut(usize, usize) -> (u32, u32),
    ) -> Self {
        let member_count = index.members.len();
        let assigned = index.total_partitions as usize;
        // At most one run per subscription and per partition; pages never
        // written cost nothing.
        let (mut member_runs, mut runs, mut partitions) = AnswerLists::for_answer(
            index,
            member_count,
            index.subscriptions.total().min(assigned) + 1,
            assigned,
        );
        for m in 0..member_count {
            let first_run = runs.len() as u32;
            for (k, &t) in index.subscriptions.row(m).iter().enumerate() {
                let (first, count) = range(m, k);
                if count == 0 {
                    continue;
                }
                runs.push(Run {
                    topic: t,
                    start: partitions.len() as u32,
                });
                if count == 1 {
                    partitions.push(first as i32);
                } else {
                    partitions.extend((0..count).map(|i| (first + i * stride) as i32));
                }
            }
            member_runs.push((first_run, runs.len() as u32));
        }
        debug_assert_eq!(partitions.len(), assigned);
        Assignment::closing(index, member_runs, runs, partitions)
    }

    /// The answer over `index`'s topics and members from runs written member
    /// by member, the end sentinel not yet pushed.
    fn closing(
        index: &GroupIndex,
        member_runs: Vec<(u32, u32)>,
        mut runs: Vec<Run>,
        partitions: Vec<i32>,
    ) -> Assignment {
        runs.push(Run {
            topic: TopicIdx::NONE,
            start: partitions.len() as u32,
        });
        Assignment {
            topics: index.topics.iter().map(|t| Arc::clone(&t.name)).collect(),
            members: index.members.iter().map(|m| Arc::clone(&m.id)).collect(),
            member_runs,
            runs,
            partitions,
        }
    }

    /// Builds an assignment from member ids and their partitions, in any
    /// order. Repeated partitions of a member are kept once.
    ///
    /// ```
    /// use kafka_assignors::Assignment;
    ///
    /// let a = Assignment::from_members([
    ///     ("C2", vec![("T", vec![2])]),
    ///     ("C1", vec![("T", vec![1, 0])]),
    /// ]);
    /// assert_eq!(a.member("C1").unwrap().partitions("T"), &[0, 1]);
    /// ```
    pub fn from_members<M, I, T, P>(members: M) -> Self
    where
        M: IntoIterator<Item = (I, T)>,
        I: Into<String>,
        T: IntoIterator<Item = (P, Vec<i32>)>,
        P: Into<Arc<str>>,
    {
        let mut map: BTreeMap<String, BTreeMap<Arc<str>, Vec<i32>>> = BTreeMap::new();
        for (id, topics) in members {
            let entry = map.entry(id.into()).or_default();
            for (topic, partitions) in topics {
                entry.entry(topic.into()).or_default().extend(partitions);
            }
        }
        let mut topics: Vec<Arc<str>> = map
            .values()
            .flat_map(|t| t.keys().cloned())
            .collect::<Vec<_>>();
        topics.sort_unstable();
        topics.dedup();
        let mut out = Assignment {
            topics,
            ..Assignment::default()
        };
        for (id, member_topics) in map {
            let first_run = out.runs.len() as u32;
            out.members.push(Arc::from(id));
            for (topic, mut partitions) in member_topics {
                partitions.sort_unstable();
                partitions.dedup();
                if partitions.is_empty() {
                    continue;
                }
                let topic = out
                    .topics
                    .binary_search(&topic)
                    .map_or(TopicIdx::NONE, TopicIdx::new);
                out.runs.push(Run {
                    topic,
                    start: out.partitions.len() as u32,
                });
                out.partitions.extend(partitions);
            }
            out.member_runs.push((first_run, out.runs.len() as u32));
        }
        out.runs.push(Run {
            topic: TopicIdx::NONE,
            start: out.partitions.len() as u32,
        });
        out
    }

    /// The members, in member-id order.
    pub fn members(&self) -> impl ExactSizeIterator<Item = MemberAssignment<'_>> + '_ {
        (0..self.members.len()).map(move |m| MemberAssignment {
            assignment: self,
            member: m,
        })
    }

    /// The member with this id.
    pub fn member(&self, id: &str) -> Option<MemberAssignment<'_>> {
        let m = self
            .members
            .binary_search_by(|probe| (**probe).cmp(id))
            .ok()?;
        Some(MemberAssignment {
            assignment: self,
            member: m,
        })
    }

    /// How many members the assignment covers.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether it covers no member.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The topic names the answer's members read, indexed by
    /// [`MemberAssignment::topic_indices`] (some may be read by nobody).
    pub fn topic_names(&self) -> &[Arc<str>] {
        &self.topics
    }

    /// How many partitions are assigned, over all members.
    pub fn assigned_partitions(&self) -> usize {
        self.partitions.len()
    }

    /// The assignment as nested maps: member id, then topic, then partitions.
    pub fn to_map(&self) -> BTreeMap<String, BTreeMap<String, Vec<i32>>> {
        self.members()
            .map(|m| {
                let topics = m
                    .topics()
                    .map(|(topic, partitions)| (topic.to_string(), partitions.to_vec()))
                    .collect();
                (m.id().to_string(), topics)
            })
            .collect()
    }
}

impl PartialEq for Assignment {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .members()
                .zip(other.members())
                .all(|(a, b)| a.id() == b.id() && a.topics().eq(b.topics()))
    }
}

impl Eq for Assignment {}

impl fmt::Debug for Assignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.members().map(|m| (m.id().to_string(), m)))
            .finish()
    }
}

/// One member's share of an [`Assignment`].
#[derive(Clone, Copy)]
pub struct MemberAssignment<'a> {
    assignment: &'a Assignment,
    member: usize,
}

impl<'a> MemberAssignment<'a> {
    /// The member id.
    pub fn id(&self) -> &'a str {
        &self.assignment.members[self.member]
    }

    fn runs(&self) -> &'a [Run] {
        let a = self.assignment;
        let (first, end) = a.member_runs[self.member];
        &a.runs[first as usize..end as usize]
    }

    fn run_partitions(&self, r: usize) -> &'a [i32] {
        let a = self.assignment;
        let first = a.member_runs[self.member].0 as usize + r;
        &a.partitions[a.runs[first].start as usize..a.runs[first + 1].start as usize]
    }

    /// Each topic the member reads, in name order, with its partitions
    /// ascending.
    pub fn topics(&self) -> impl Iterator<Item = (&'a str, &'a [i32])> + Clone + use<'a> {
        let a = self.assignment;
        let (first, end) = a.member_runs[self.member];
        // A run ends where the next one starts (the member's last, at the
        // run after it): one pass over pairs, no index arithmetic per run.
        let bounds = a.runs.get(first as usize..=end as usize).unwrap_or(&[]);
        bounds.windows(2).map(move |pair| {
            (
                &*a.topics[pair[0].topic.index()],
                &a.partitions[pair[0].start as usize..pair[1].start as usize],
            )
        })
    }

    /// [`topics`](Self::topics) with each topic as its index in
    /// [`Assignment::topic_names`], for a caller that maps the names to ids
    /// of its own once per topic rather than once per member and topic.
    ///
    /// ```
    /// use kafka_assignors::Assignment;
    ///
    /// let a = Assignment::from_members([("C1", vec![("B", vec![1]), ("A", vec![0, 2])])]);
    /// let c1 = a.member("C1").unwrap();
    /// let named: Vec<(&str, &[i32])> = c1
    ///     .topic_indices()
    ///     .map(|(t, partitions)| (&*a.topic_names()[t], partitions))
    ///     .collect();
    /// assert_eq!(named, c1.topics().collect::<Vec<_>>());
    /// assert_eq!(named, [("A", &[0, 2][..]), ("B", &[1][..])]);
    /// ```
    pub fn topic_indices(&self) -> impl Iterator<Item = (usize, &'a [i32])> + Clone + use<'a> {
        let a = self.assignment;
        let (first, end) = a.member_runs[self.member];
        let bounds = a.runs.get(first as usize..=end as usize).unwrap_or(&[]);
        bounds.windows(2).map(move |pair| {
            (
                pair[0].topic.index(),
                &a.partitions[pair[0].start as usize..pair[1].start as usize],
            )
        })
    }

    /// The member's partitions of `topic`, ascending; empty when it has none.
    pub fn partitions(&self, topic: &str) -> &'a [i32] {
        let runs = self.runs();
        let topics = &self.assignment.topics;
        match runs.binary_search_by(|run| (*topics[run.topic.index()]).cmp(topic)) {
            Ok(r) => self.run_partitions(r),
            Err(_) => &[],
        }
    }

    /// Every assigned partition as (topic, partition), topics in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, i32)> + use<'a> {
        self.topics()
            .flat_map(|(topic, partitions)| partitions.iter().map(move |&p| (topic, p)))
    }

    /// How many topics the member gets partitions of.
    pub(crate) fn topic_count(&self) -> usize {
        let (first, end) = self.assignment.member_runs[self.member];
        (end - first) as usize
    }

    /// How many partitions the member gets.
    pub fn len(&self) -> usize {
        let a = self.assignment;
        let (first, end) = a.member_runs[self.member];
        // A member's partitions are contiguous: its last run ends where the
        // run after it starts.
        (a.runs[end as usize].start - a.runs[first as usize].start) as usize
    }

    /// Whether the member gets nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for MemberAssignment<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.topics()).finish()
    }
}

impl PartialEq for MemberAssignment<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id() && self.topics().eq(other.topics())
    }
}

/// The span of no topic: every global index is at or past its end.
const NO_SPAN: (PartitionIdx, PartitionIdx) = (PartitionIdx::new(0), PartitionIdx::new(0));

/// Writes an [`Assignment`] member by member, each member's partitions
/// pushed as ascending global indices. Members may come in any order, each
/// at most once; a member never started gets nothing. The runs come out as
/// they are written, so nothing is regrouped afterwards.
pub(crate) struct MemberMajor<'i> {
    index: &'i GroupIndex,
    /// Per topic, its global span (first, end).
    spans: Vec<(PartitionIdx, PartitionIdx)>,
    member_runs: Vec<(u32, u32)>,
    runs: Vec<Run>,
    partitions: Vec<i32>,
    /// The member being written, or [`MemberIdx::NONE`].
    open: MemberIdx,
    /// The global span of the topic of the open member's open run, empty
    /// when none is open, and the topic to try first for the next run.
    span: (PartitionIdx, PartitionIdx),
    next_topic: usize,
}

impl<'i> MemberMajor<'i> {
    /// A builder for at most `assigned` partitions in all.
    pub(crate) fn new(index: &'i GroupIndex, assigned: usize) -> Self {
        let members = index.members.len();
        // At most one run per partition; pages never written cost nothing.
        let (mut member_runs, runs, partitions) =
            AnswerLists::for_answer(index, members, assigned + 1, assigned);
        member_runs.resize(members, (0, 0));
        MemberMajor {
            index,
            spans: index.topics.iter().map(|t| (t.start, t.end())).collect(),
            member_runs,
            runs,
            partitions,
            open: MemberIdx::NONE,
            span: NO_SPAN,
            next_topic: 0,
        }
    }

    /// Starts member `m`, which was not started before.
    pub(crate) fn start(&mut self, m: MemberIdx) {
        self.close();
        self.open = m;
        let first = self.runs.len() as u32;
        self.member_runs[m.index()] = (first, first);
        self.span = NO_SPAN;
        self.next_topic = 0;
    }

    /// Takes back everything the open member was given.
    pub(crate) fn restart(&mut self) {
        let first = self.member_runs[self.open.index()].0 as usize;
        if let Some(run) = self.runs.get(first) {
            self.partitions.truncate(run.start as usize);
            self.runs.truncate(first);
        }
        self.span = NO_SPAN;
        self.next_topic = 0;
    }

    fn close(&mut self) {
        if let Some(open) = self.open.some() {
            self.member_runs[open.index()].1 = self.runs.len() as u32;
        }
    }

    /// Gives the open member global partition `p`, above any it has.
    #[inline(always)]
    pub(crate) fn push(&mut self, p: PartitionIdx) {
        if p >= self.span.1 {
            // Members mostly read the next topic, so try it before searching.
            let t = match self.spans.get(self.next_topic) {
                Some(&(start, end)) if start <= p && p < end => self.next_topic,
                _ => self.spans.partition_point(|&(start, _)| start <= p) - 1,
            };
            self.open_run(t);
        }
        self.partitions.push((p.get() - self.span.0.get()) as i32);
    }

    /// [`Self::push`] for a caller that knows `p` is in topic `t`. A `p`
    /// below one pushed before writes garbage, for [`Self::restart`] to
    /// take back.
    #[inline(always)]
    pub(crate) fn push_in(&mut self, t: TopicIdx, p: PartitionIdx) {
        if p >= self.span.1 {
            self.open_run(t.index());
        }
        self.partitions
            .push(p.get().wrapping_sub(self.span.0.get()) as i32);
    }

    #[inline(always)]
    fn open_run(&mut self, t: usize) {
        self.span = self.spans[t];
        self.next_topic = t + 1;
        self.runs.push(Run {
            topic: TopicIdx::new(t),
            start: self.partitions.len() as u32,
        });
    }

    /// The answer.
    pub(crate) fn finish(mut self) -> Assignment {
        self.close();
        self.runs.push(Run {
            topic: TopicIdx::NONE,
            start: self.partitions.len() as u32,
        });
        Assignment {
            topics: self
                .index
                .topics
                .iter()
                .map(|t| Arc::clone(&t.name))
                .collect(),
            members: self
                .index
                .members
                .iter()
                .map(|m| Arc::clone(&m.id))
                .collect(),
            member_runs: self.member_runs,
            runs: self.runs,
            partitions: self.partitions,
        }
    }
}

/// Deals every partition of `row`'s topics, taken in `deal_order` and then
/// by number, to `takers` in turn: the `k`-th dealt goes to taker `k mod c`.
/// Every taker subscribes to exactly `row`. Each taker's share of a topic is
/// every `c`-th partition from a known first, so the answer is written
/// member by member without a per-partition owner array.
pub(crate) fn strided_deal(
    index: &GroupIndex,
    row: &[TopicIdx],
    takers: &[MemberIdx],
    deal_order: &[TopicIdx],
) -> Assignment {
    let c = takers.len().max(1) as u64;
    let mut deal_start = vec![0u64; index.topics.len()];
    let mut dealt = 0u64;
    for &t in deal_order {
        deal_start[t.index()] = dealt;
        dealt += u64::from(index.topics[t.index()].partitions);
    }
    // Per topic, with n = q * c + r: where the deal stands at its start
    // (mod c), q and r. A taker's first partition is then a subtraction and
    // its count q or q + 1, with no division per taker.
    let per_topic: Vec<(u64, u64, u64)> = row
        .iter()
        .map(|&t| {
            let n = u64::from(index.topics[t.index()].partitions);
            (deal_start[t.index()] % c, n / c, n % c)
        })
        .collect();
    let position = positions(index, takers);
    // With far fewer partitions per taker than topics in the row (many
    // members, many small topics), asking every (member, topic) pair costs
    // members x topics; walking each taker's own deal positions costs its
    // partitions, each found in its topic by a binary search.
    if row.len() as u64 > 4 * (dealt / c + 1) && takers.len() == index.members.len() {
        return sparse_strided_deal(index, deal_order, &deal_start, &position, c, dealt);
    }
    Assignment::from_subscription_ranges(index, c as u32, |m, k| {
        let i = u64::from(position[m]);
        let (shift, q, r) = per_topic[k];
        // The first partition p of this topic with start + p = i (mod c).
        let first = if i >= shift { i - shift } else { i + c - shift };
        (first as u32, (q + u64::from(first < r)) as u32)
    })
}

/// [`strided_deal`] taker by taker: the taker at position `i` gets the
/// dealt partitions `i, i + c, i + 2c, ...`, each in the topic whose deal
/// span holds it; its runs are then put in topic order (the row's).
fn sparse_strided_deal(
    index: &GroupIndex,
    deal_order: &[TopicIdx],
    deal_start: &[u64],
    position: &[u32],
    c: u64,
    dealt: u64,
) -> Assignment {
    let starts: Vec<u64> = deal_order.iter().map(|&t| deal_start[t.index()]).collect();
    let member_count = index.members.len();
    let assigned = index.total_partitions as usize;
    let (mut member_runs, mut runs, mut partitions) =
        AnswerLists::for_answer(index, member_count, assigned + 1, assigned);
    let mut mine: Vec<(TopicIdx, i32)> = Vec::new();
    for &at in position.iter().take(member_count) {
        mine.clear();
        let mut g = u64::from(at);
        while g < dealt {
            // The last topic whose deal starts at or before g (topics with
            // no partitions share a start with the next and are skipped).
            let k = starts.partition_point(|&start| start <= g) - 1;
            let t = deal_order[k];
            mine.push((t, (g - starts[k]) as i32));
            g += c;
        }
        // Deal order to topic order; partitions of a topic stay ascending.
        mine.sort_unstable();
        let first_run = runs.len() as u32;
        let mut last = TopicIdx::NONE;
        for &(t, p) in &mine {
            if t != last {
                runs.push(Run {
                    topic: t,
                    start: partitions.len() as u32,
                });
                last = t;
            }
            partitions.push(p);
        }
        member_runs.push((first_run, runs.len() as u32));
    }
    debug_assert_eq!(partitions.len(), assigned);
    Assignment::closing(index, member_runs, runs, partitions)
}

/// Per member, its place in `takers` (members missing from it are never
/// asked; their place reads as `u32::MAX`).
pub(crate) fn positions(index: &GroupIndex, takers: &[MemberIdx]) -> Vec<u32> {
    let mut position = vec![u32::MAX; index.members.len()];
    for (i, &m) in takers.iter().enumerate() {
        position[m.index()] = i as u32;
    }
    position
}
