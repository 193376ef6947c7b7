//! `uniform` straight from the spec when any two subscriptions are equal or
//! disjoint and racks do not matter: the library's closed form
//! (`sticky::uniform`) on the spec's own integers, with no decoded group,
//! no group index and no names, and with every member whose target does not
//! change reported as unchanged without being copied.
//!
//! The answer is the general path's, step for step (the differential
//! property test below checks it on random specs):
//!
//! - a member's claim is valid when its topic is in the member's
//!   subscription; a partition with one valid claim is owned by its
//!   claimant, one with several by nobody (every target is at one
//!   generation);
//! - per component (the members of one subscription), quotas `q = P / c`
//!   and `q + 1`, the larger ones to the members owning the most (ties to
//!   the lower member id);
//! - in member order, a member above its quota releases, one at a time,
//!   the highest partition of the topic where it is furthest above its fair
//!   share (ties to the topic released least so far, then the lower topic);
//! - the free partitions of each component, in topic order, are dealt in
//!   turn to its members below quota, in member order, each leaving the
//!   turn once at its quota.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::spec::Spec;
use super::target::{GroupTarget, TargetWriter};

/// No component, no topic.
const NONE: u32 = u32::MAX;

/// The `uniform` target when any two members' subscriptions are equal or
/// disjoint; `None` otherwise. Racks must not matter (the rack gate is off).
pub(crate) fn assign(spec: &Spec<'_>) -> Option<GroupTarget> {
    let members = spec.members.len();
    let topics = spec.topics.len();
    let targets = &spec.targets;

    // Components: one per distinct subscription, its topics its own.
    let mut topic_component = vec![NONE; topics];
    let mut component_row: Vec<u32> = Vec::new();
    let mut row_component = vec![NONE; spec.rows.len()];
    for (r, row) in spec.rows.iter().enumerate() {
        let Some(&first) = row.first() else {
            continue;
        };
        let c = topic_component[first as usize];
        if c != NONE {
            if spec.rows[component_row[c as usize] as usize] != *row {
                return None;
            }
            row_component[r] = c;
            continue;
        }
        let c = component_row.len() as u32;
        for &t in row {
            if topic_component[t as usize] != NONE {
                return None;
            }
            topic_component[t as usize] = c;
        }
        component_row.push(r as u32);
        row_component[r] = c;
    }
    let components = component_row.len();

    // Global partition indices over the subscribed topics, in id order.
    let mut start = vec![0u32; topics];
    let mut total = 0u32;
    for t in 0..topics {
        start[t] = total;
        if topic_component[t] != NONE {
            total += spec.topics[t].partitions;
        }
    }
    let component_of: Vec<u32> = spec
        .row_of
        .iter()
        .map(|&r| row_component[r as usize])
        .collect();

    // Valid claims: `seen` once, `contested` twice or more.
    let words = (total as usize).div_ceil(64);
    let mut holding = vec![0u64; words];
    let mut contested: Option<Vec<u64>> = None;
    let mut count = vec![0u32; members];
    // Whether every entry of the member's target is a valid claim.
    let mut clean = vec![true; members];
    // Member `m`'s target runs: on a topic of its component, the topic's
    // first global index and the partitions; elsewhere, nothing.
    let (topics_component, topic_start) = (&topic_component, &start);
    let runs_of = |m: usize| {
        let c = component_of[m];
        targets.member(m).map(move |(t, partitions)| {
            (c != NONE && topics_component[t as usize] == c)
                .then(|| (topic_start[t as usize], partitions))
        })
    };
    // Claims set without a branch; whether any was set twice is only
    // noted, and the contested ones are found by a second pass when so (a
    // group settled on its own target has none).
    let mut twice = 0u64;
    for m in 0..members {
        let mut n = 0u32;
        for run in runs_of(m) {
            let Some((s, partitions)) = run else {
                clean[m] = false;
                continue;
            };
            for &p in partitions {
                let g = (s + p as u32) as usize;
                let bit = 1u64 << (g % 64);
                let word = &mut holding[g / 64];
                twice |= *word & bit;
                *word |= bit;
            }
            n += partitions.len() as u32;
        }
        count[m] = n;
    }
    if twice != 0 {
        holding.fill(0);
        let contested = contested.insert(vec![0u64; words]);
        for (s, partitions) in (0..members).flat_map(|m| runs_of(m).flatten()) {
            for &p in partitions {
                let g = (s + p as u32) as usize;
                let bit = 1u64 << (g % 64);
                contested[g / 64] |= holding[g / 64] & bit;
                holding[g / 64] |= bit;
            }
        }
    }
    if let Some(contested) = &contested {
        for m in 0..members {
            let mut n = 0u32;
            for (s, partitions) in runs_of(m).flatten() {
                for &p in partitions {
                    if bit(contested, s + p as u32) {
                        clean[m] = false;
                    } else {
                        n += 1;
                    }
                }
            }
            count[m] = n;
        }
        for (word, contested) in holding.iter_mut().zip(contested) {
            *word &= !contested;
        }
    }
    let owns = |m: usize, t: u32, p: i32| -> bool {
        topic_component[t as usize] == component_of[m]
            && contested
                .as_ref()
                .is_none_or(|contested| !bit(contested, start[t as usize] + p as u32))
    };

    // Members per component, in member order.
    let mut first_member = vec![0u32; components + 1];
    for &c in &component_of {
        if c != NONE {
            first_member[c as usize + 1] += 1;
        }
    }
    for c in 0..components {
        first_member[c + 1] += first_member[c];
    }
    let mut cursor = first_member.clone();
    let mut by_component = vec![0u32; first_member[components] as usize];
    for (m, &c) in component_of.iter().enumerate() {
        if c != NONE {
            by_component[cursor[c as usize] as usize] = m as u32;
            cursor[c as usize] += 1;
        }
    }
    let component_members =
        |c: usize| &by_component[first_member[c] as usize..first_member[c + 1] as usize];

    // Quotas: the `r` larger ones to the members owning the most.
    let mut quota = vec![0u32; members];
    let mut keys: Vec<(Reverse<u32>, u32)> = Vec::new();
    for (c, &row) in component_row.iter().enumerate() {
        let row = &spec.rows[row as usize];
        let partitions: u64 = row
            .iter()
            .map(|&t| u64::from(spec.topics[t as usize].partitions))
            .sum();
        let in_component = component_members(c);
        let size = in_component.len() as u64;
        let base = (partitions / size) as u32;
        let extra = (partitions % size) as usize;
        for &m in in_component {
            quota[m as usize] = base;
        }
        if extra > 0 {
            keys.clear();
            keys.extend(
                in_component
                    .iter()
                    .map(|&m| (Reverse(count[m as usize]), m)),
            );
            let (_, &mut last, _) = keys.select_nth_unstable(extra - 1);
            for &m in in_component {
                if (Reverse(count[m as usize]), m) <= last {
                    quota[m as usize] += 1;
                }
            }
        }
    }

    // Member by member: at quota, kept; above, released; below, dealt.
    let mut out = spec.writer();
    let mut so_far = vec![0u32; topics];
    let mut kept: Vec<(u32, i32)> = Vec::new();
    let mut runs: Vec<(u32, u32, u32)> = Vec::new();
    let mut heap: BinaryHeap<(i64, Reverse<u32>, Reverse<usize>)> = BinaryHeap::new();
    for m in 0..members {
        let c = component_of[m];
        if c == NONE {
            if targets.len(m) > 0 {
                out.empty(m);
            }
            continue;
        }
        let (have, q) = (count[m], quota[m]);
        // Below quota: written after the deal. Clean at quota: unchanged.
        if have < q || (have == q && clean[m]) {
            continue;
        }
        kept.clear();
        for (t, partitions) in targets.member(m) {
            kept.extend(
                partitions
                    .iter()
                    .filter(|&&p| owns(m, t, p))
                    .map(|&p| (t, p)),
            );
        }
        if have > q {
            // Runs of one topic each: (topic, first, how many kept).
            runs.clear();
            let mut i = 0;
            while i < kept.len() {
                let t = kept[i].0;
                let first = i;
                while i < kept.len() && kept[i].0 == t {
                    i += 1;
                }
                runs.push((t, first as u32, (i - first) as u32));
            }
            let size = component_members(c as usize).len() as i64;
            let key = |so_far: &[u32], t: u32, held: u32, run: usize| {
                let excess = i64::from(held) * size - i64::from(spec.topics[t as usize].partitions);
                (excess, Reverse(so_far[t as usize]), Reverse(run))
            };
            let mut heap_keys = std::mem::take(&mut heap).into_vec();
            heap_keys.clear();
            heap_keys.extend(
                runs.iter()
                    .enumerate()
                    .map(|(k, &(t, _, held))| key(&so_far, t, held, k)),
            );
            heap = BinaryHeap::from(heap_keys);
            for _ in 0..have - q {
                let Some((_, _, Reverse(k))) = heap.pop() else {
                    break;
                };
                let (t, first, held) = &mut runs[k];
                *held -= 1;
                let (_, p) = kept[(*first + *held) as usize];
                let g = start[*t as usize] + p as u32;
                holding[g as usize / 64] &= !(1u64 << (g % 64));
                so_far[*t as usize] += 1;
                if *held > 0 {
                    let (t, held) = (*t, *held);
                    heap.push(key(&so_far, t, held, k));
                }
            }
            let mut w = 0;
            for &(_, first, held) in &runs {
                for i in first..first + held {
                    kept[w] = kept[i as usize];
                    w += 1;
                }
            }
            kept.truncate(w);
        }
        write_unless_current(&mut out, spec, m, &kept);
    }

    // Deal the free partitions, component by component in topic order, to
    // the members below quota, in turn.
    let mut takers: Vec<u32> = Vec::new();
    let mut next: Vec<u32> = Vec::new();
    // Per taker: how many it still takes, and where its partitions go in
    // `dealt` (from its offset), to be merged with what it keeps (the
    // answer is written member by member, the deal goes round them).
    let mut wants: Vec<u32> = Vec::new();
    let mut offset: Vec<u32> = Vec::new();
    let mut dealt: Vec<(u32, i32)> = Vec::new();
    for (c, &row) in component_row.iter().enumerate() {
        let row = &spec.rows[row as usize];
        takers.clear();
        takers.extend(
            component_members(c)
                .iter()
                .filter(|&&m| count[m as usize] < quota[m as usize]),
        );
        let k = takers.len();
        if k == 0 {
            continue;
        }
        let held: u64 = component_members(c)
            .iter()
            .map(|&m| u64::from(count[m as usize].min(quota[m as usize])))
            .sum();
        if held == 0 {
            strided(spec, row, &takers, &quota, &mut out);
            continue;
        }
        wants.clear();
        offset.clear();
        let mut end = 0u32;
        for &m in &takers {
            let (have, q) = (count[m as usize], quota[m as usize]);
            wants.push(q - have);
            offset.push(end);
            end += q - have;
        }
        dealt.clear();
        dealt.resize(end as usize, (NONE, 0));
        // The turn: a ring of takers in member order.
        next.clear();
        next.extend((1..=k as u32).map(|i| if i as usize == k { 0 } else { i }));
        let mut at = 0u32;
        let mut before = (k - 1) as u32;
        let mut left = k;
        'topics: for &t in row {
            let s = start[t as usize];
            let n = spec.topics[t as usize].partitions;
            let mut p = 0u32;
            while p < n {
                let g = s + p;
                let word = holding[g as usize / 64] >> (g % 64);
                if word & 1 != 0 {
                    // Skip the held run at once.
                    p += (!word).trailing_zeros();
                    continue;
                }
                let i = at as usize;
                dealt[offset[i] as usize] = (t, p as i32);
                offset[i] += 1;
                wants[i] -= 1;
                if wants[i] == 0 {
                    left -= 1;
                    if left == 0 {
                        break 'topics;
                    }
                    next[before as usize] = next[i];
                } else {
                    before = at;
                }
                at = next[i];
                p += 1;
            }
        }
        let mut from = 0usize;
        for (i, &m) in takers.iter().enumerate() {
            let m = m as usize;
            let got = &dealt[from..offset[i] as usize];
            from = offset[i] as usize;
            if count[m] == 0 {
                write_unless_current(&mut out, spec, m, got);
                continue;
            }
            kept.clear();
            let mut j = 0;
            for (t, partitions) in targets.member(m) {
                for &p in partitions {
                    if !owns(m, t, p) {
                        continue;
                    }
                    while j < got.len() && got[j] < (t, p) {
                        kept.push(got[j]);
                        j += 1;
                    }
                    kept.push((t, p));
                }
            }
            kept.extend_from_slice(&got[j..]);
            write_unless_current(&mut out, spec, m, &kept);
        }
    }

    Some(spec.target(out))
}

/// The deal when the component holds nothing: every taker wants its whole
/// quota, the `r` larger ones first in member order, so the `i`-th taker
/// gets the free partitions `i`, `i + k`, `i + 2k`, ... of the component's
/// topics in order (`k` takers), as the turn would deal them; written
/// member by member.
fn strided(spec: &Spec<'_>, row: &[u32], takers: &[u32], quota: &[u32], out: &mut TargetWriter) {
    let k = takers.len() as u64;
    // Per topic of the row, the end of its partitions in the component.
    let mut ends: Vec<u64> = Vec::with_capacity(row.len());
    let mut end = 0u64;
    for &t in row {
        end += u64::from(spec.topics[t as usize].partitions);
        ends.push(end);
    }
    // Topics of one size (as most groups have): a partition's topic by
    // division.
    let size = ends.first().copied().unwrap_or(0);
    let even = (size > 0
        && ends
            .iter()
            .enumerate()
            .all(|(i, &end)| end == (i as u64 + 1) * size))
    .then_some(size);
    for (i, &m) in takers.iter().enumerate() {
        let m = m as usize;
        let q = quota[m] as usize;
        out.begin(m);
        let mut topic = 0usize;
        for j in 0..q as u64 {
            let x = i as u64 + j * k;
            if ends[topic] <= x {
                topic = match even {
                    Some(size) => (x / size) as usize,
                    // Strides may skip many topics: searched, not walked.
                    None => topic + ends[topic..].partition_point(|&end| end <= x),
                };
            }
            let first = if topic == 0 { 0 } else { ends[topic - 1] };
            out.push(row[topic], (x - first) as i32);
        }
        out.end_unless(spec.targets.member(m));
    }
}

/// Whether bit `g` is set.
#[inline]
fn bit(bits: &[u64], g: u32) -> bool {
    bits[g as usize / 64] >> (g % 64) & 1 != 0
}

/// Member `m`'s new target from its partitions (topic index, partition)
/// ascending, written unless it is the current target.
fn write_unless_current(out: &mut TargetWriter, spec: &Spec<'_>, m: usize, list: &[(u32, i32)]) {
    let current = &spec.targets;
    if current.len(m) == list.len() {
        let mut rest = list;
        let same = current.member(m).all(|(t, partitions)| {
            let (here, after) = rest.split_at(partitions.len());
            rest = after;
            here.iter()
                .zip(partitions)
                .all(|(&(u, p), &q)| u == t && p == q)
        });
        if same {
            return;
        }
    }
    out.begin(m);
    for &(t, p) in list {
        out.push(t, p);
    }
    out.end();
}
