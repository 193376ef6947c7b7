//! The closed form for groups whose members all subscribe to the same topics,
//! and for groups made of such parts: when any two members' subscriptions are
//! either equal or disjoint, the members with one subscription and their
//! topics form a component that shares nothing with the rest, and every goal
//! (balance, moves, topic spread) adds up over components, so each component
//! is solved on its own.
//!
//! Within a component of `c` members and `P` partitions every balanced
//! answer gives each member `q = P / c` or `q + 1` partitions, exactly
//! `r = P % c` of them the larger quota. A member with quota `Q` keeps at
//! most `min(owned, Q)`, and every member can take any partition, so the
//! fewest moves come from giving the `r` larger quotas to the members that
//! own the most: a larger quota saves a move exactly when its member owns
//! more than `q`.
//!
//! Which partitions move is free for balance and moves, so it serves the
//! third goal, an even share of each topic: a member over its quota releases
//! from the topic where it is furthest above its fair share (ties to the
//! topic released least so far in this rebalance), and the free partitions
//! are dealt in topic order to the members still below quota, in turn, as
//! RoundRobin deals.
//!
//! The answer is written member by member: a member keeps its own sorted
//! list of held partitions, less what it releases, merged with what it is
//! dealt, so nothing is kept per partition but a bit.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::assignment::{Assignment, MemberMajor, strided_deal};
use crate::index::{Csr, GroupIndex, NONE, OwnedReader};
use crate::sticky::ownership::Holdings;

/// Members grouped by subscription, when any two members' subscriptions
/// are equal or disjoint.
struct Components {
    /// Per component, its members, ascending.
    members: Csr,
    /// Per component, a member whose subscription row lists its topics.
    representative: Vec<u32>,
}

impl Components {
    fn of(index: &GroupIndex<'_>) -> Option<Self> {
        let member_count = index.members.len();
        let mut topic_component = vec![NONE; index.topics.len()];
        let mut representative: Vec<u32> = Vec::new();
        let mut member_component = vec![NONE; member_count];
        for (m, component) in member_component.iter_mut().enumerate() {
            let row = index.subscriptions.row(m);
            let Some(&first) = row.first() else {
                continue;
            };
            let mut c = topic_component[first as usize];
            if c == NONE {
                c = representative.len() as u32;
                for &t in row {
                    if topic_component[t as usize] != NONE {
                        return None;
                    }
                    topic_component[t as usize] = c;
                }
                representative.push(m as u32);
            } else {
                let same = representative[c as usize] as usize;
                let equal = index.subscriptions.row_id(m) == index.subscriptions.row_id(same)
                    || row == index.subscriptions.row(same);
                if !equal {
                    return None;
                }
            }
            *component = c;
        }
        let by_component = member_component
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c != NONE)
            .map(|(m, &c)| (c, m as u32));
        Some(Components {
            members: Csr::from_pairs(representative.len(), by_component),
            representative,
        })
    }
}

/// The answer for a group with equal subscriptions where nobody owns
/// anything: what [`assign`] deals, quotas and all, written directly as
/// strided runs. `None` when the group is not such a group. Racks must not
/// matter.
pub(crate) fn fresh(index: &GroupIndex<'_>) -> Option<Assignment> {
    if index.members.iter().any(|m| !m.owned.is_empty()) {
        return None;
    }
    let row = index.common_subscription()?;
    let takers: Vec<u32> = (0..index.members.len() as u32)
        .filter(|&m| !index.subscriptions.row(m as usize).is_empty())
        .collect();
    // Topic ids are name order, the order `assign` deals in.
    Some(strided_deal(index, row, &takers, row))
}

/// The optimum when any two subscriptions are equal or disjoint; `None`
/// otherwise. Racks must not matter. With `cooperative`, every partition
/// dealt that somebody claims is withheld: it changes owner, or its claim
/// was contested.
pub(crate) fn assign(index: &GroupIndex<'_>, cooperative: bool) -> Option<Assignment> {
    let components = Components::of(index)?;
    let mut held = Holdings::read(index);
    let mut reader = OwnedReader::new(index);
    let mut scratch = Vec::new();
    let mut released_now = Vec::new();
    let member_count = index.members.len();
    // Per member: partitions it keeps, its quota, and whether it releases any.
    let mut keeps = vec![0u32; member_count];
    let mut quota = vec![0u32; member_count];
    let mut releases = vec![false; member_count];
    // (member, partition) for every partition dealt and given this round,
    // components one after another, partitions ascending within each.
    let mut dealt: Vec<(u32, u32)> = Vec::new();
    let mut released_so_far = vec![0u32; index.topics.len()];
    let mut runs: Vec<(u32, u32, u32)> = Vec::new();
    let mut heap = BinaryHeap::new();
    let mut by_owned: Vec<u32> = Vec::new();
    let mut takers: Vec<u32> = Vec::new();
    let mut filled = vec![0u32; member_count];

    for (c, &representative) in components.representative.iter().enumerate() {
        let members = components.members.row(c);
        let topics = index.subscriptions.row(representative as usize);
        let total: u64 = topics
            .iter()
            .map(|&t| u64::from(index.topics[t as usize].partitions))
            .sum();
        let count = members.len() as u64;
        let base = (total / count) as u32;
        let extra = (total % count) as usize;
        by_owned.clear();
        by_owned.extend_from_slice(members);
        by_owned.sort_unstable_by_key(|&m| (Reverse(held.counts[m as usize]), m));
        for (rank, &m) in by_owned.iter().enumerate() {
            quota[m as usize] = base + u32::from(rank < extra);
        }

        for &m in members {
            let mu = m as usize;
            let owned = held.counts[mu];
            if owned <= quota[mu] {
                keeps[mu] = owned;
                continue;
            }
            let row = held.row(mu, &mut reader, &mut scratch);
            // The member's partitions as runs (topic, first, kept) over its
            // row; releases come off the end of a run, the highest numbers.
            runs.clear();
            let mut topic = 0usize;
            let mut i = 0;
            while i < row.len() {
                while index.topics[topic].start + index.topics[topic].partitions <= row[i] {
                    topic += 1;
                }
                let end_of_topic = index.topics[topic].start + index.topics[topic].partitions;
                let first = i;
                while i < row.len() && row[i] < end_of_topic {
                    i += 1;
                }
                runs.push((topic as u32, first as u32, (i - first) as u32));
            }
            heap.clear();
            for (k, &(t, _, kept)) in runs.iter().enumerate() {
                heap.push(release_key(index, count, t, kept, &released_so_far, k));
            }
            let mut release = owned - quota[mu];
            while release > 0 {
                let Some((_, _, Reverse(k))) = heap.pop() else {
                    break;
                };
                let (t, first, kept) = &mut runs[k];
                *kept -= 1;
                released_now.push(row[(*first + *kept) as usize]);
                released_so_far[*t as usize] += 1;
                release -= 1;
                if *kept > 0 {
                    let (t, kept) = (*t, *kept);
                    heap.push(release_key(index, count, t, kept, &released_so_far, k));
                }
            }
            for p in released_now.drain(..) {
                held.holding.remove(p);
            }
            keeps[mu] = quota[mu];
            releases[mu] = true;
        }

        // Deal the free partitions, in topic order, to members below quota.
        takers.clear();
        takers.extend(
            members
                .iter()
                .filter(|&&m| keeps[m as usize] < quota[m as usize]),
        );
        for &m in members {
            filled[m as usize] = keeps[m as usize];
        }
        let mut turn = 0usize;
        for &t in topics {
            let topic = &index.topics[t as usize];
            let more =
                held.holding
                    .for_each_missing(topic.start, topic.start + topic.partitions, |p| {
                        if takers.is_empty() {
                            return false;
                        }
                        if turn >= takers.len() {
                            turn = 0;
                        }
                        let m = takers[turn];
                        if !(cooperative && held.claimed.contains(p)) {
                            dealt.push((m, p));
                        }
                        filled[m as usize] += 1;
                        if filled[m as usize] == quota[m as usize] {
                            takers.remove(turn);
                        } else {
                            turn += 1;
                        }
                        true
                    });
            if !more {
                break;
            }
        }
    }

    // What each member is dealt, member by member, still ascending.
    let received = Csr::from_pairs(member_count, dealt.iter().copied());

    let assigned = keeps.iter().map(|&k| k as usize).sum::<usize>() + dealt.len();
    let mut out = MemberMajor::new(index, assigned);
    for (m, &released) in releases.iter().enumerate() {
        out.next_member();
        let got = received.row(m);
        if !released && got.is_empty() {
            // Most members keep what they own and get nothing new.
            held.for_each(m, &mut reader, |p| out.push(p));
            continue;
        }
        let mut j = 0;
        held.for_each(m, &mut reader, |p| {
            if released && !held.holding.contains(p) {
                return;
            }
            while j < got.len() && got[j] < p {
                out.push(got[j]);
                j += 1;
            }
            out.push(p);
        });
        for &p in &got[j..] {
            out.push(p);
        }
    }
    Some(out.finish())
}

/// Heap key for releasing from one topic: furthest above the fair share
/// first, then the topic released least so far, then the lowest topic id.
fn release_key(
    index: &GroupIndex<'_>,
    c: u64,
    t: u32,
    holding: u32,
    released_so_far: &[u32],
    run: usize,
) -> (i64, Reverse<u32>, Reverse<usize>) {
    let excess = i64::from(holding) * c as i64 - i64::from(index.topics[t as usize].partitions);
    (excess, Reverse(released_so_far[t as usize]), Reverse(run))
}
