//! Helpers for the sticky strategies' tests: answers as maps, validity, the
//! balance certificate, ownership written again from the documented rule,
//! and the cooperative rounds (the next generation is the library's own
//! `Group::next_generation`).

use std::collections::{BTreeMap, BTreeSet};

use kafka_assignors::{Assignment, Assignor, Group, Member};

/// A partition as (topic, number).
pub type Tp = (String, i32);

/// Where each assigned partition went; panics on a partition given twice.
pub fn placement(answer: &Assignment) -> BTreeMap<Tp, String> {
    let mut out = BTreeMap::new();
    for m in answer.members() {
        for (topic, p) in m.iter() {
            let previous = out.insert((topic.to_string(), p), m.id().to_string());
            assert!(previous.is_none(), "{topic}-{p} assigned twice");
        }
    }
    out
}

/// Partitions per member, every member of the answer included.
pub fn loads(answer: &Assignment) -> BTreeMap<String, usize> {
    answer
        .members()
        .map(|m| (m.id().to_string(), m.len()))
        .collect()
}

/// The loads of the listed members, in that order.
pub fn loads_of(answer: &Assignment, ids: &[&str]) -> Vec<usize> {
    ids.iter()
        .map(|id| answer.member(id).map_or(0, |m| m.len()))
        .collect()
}

/// The sum of squared loads: what balance minimises.
pub fn sum_of_squares(answer: &Assignment) -> u64 {
    answer.members().map(|m| (m.len() as u64).pow(2)).sum()
}

/// Largest load minus smallest load.
pub fn spread(answer: &Assignment) -> usize {
    let loads: Vec<usize> = answer.members().map(|m| m.len()).collect();
    loads.iter().max().copied().unwrap_or(0) - loads.iter().min().copied().unwrap_or(0)
}

/// The member's partitions as a set of (topic, number).
pub fn set_of(answer: &Assignment, id: &str) -> BTreeSet<Tp> {
    answer.member(id).map_or_else(BTreeSet::new, |m| {
        m.iter().map(|(t, p)| (t.to_string(), p)).collect()
    })
}

/// A literal set of partitions.
pub fn tps(items: &[(&str, i32)]) -> BTreeSet<Tp> {
    items.iter().map(|&(t, p)| (t.to_string(), p)).collect()
}

/// Every partition of a subscribed, described topic.
pub fn assignable(group: &Group) -> BTreeSet<Tp> {
    let mut out = BTreeSet::new();
    for t in &group.topics {
        if group.members.iter().any(|m| m.topics.contains(&t.name)) {
            for p in 0..t.partitions {
                out.insert((t.name.to_string(), p));
            }
        }
    }
    out
}

/// Every member appears, nothing goes to a non-subscriber or twice, and, when
/// `complete`, every assignable partition is assigned.
pub fn assert_valid(group: &Group, answer: &Assignment, complete: bool) {
    let where_ = placement(answer);
    let all = assignable(group);
    for ((topic, p), m) in &where_ {
        assert!(
            all.contains(&(topic.clone(), *p)),
            "{topic}-{p} is not assignable"
        );
        let member = group.member(m).expect("answer names a member of the group");
        assert!(
            member.topics.iter().any(|t| **t == **topic),
            "{m} got {topic}-{p} without subscribing to {topic}"
        );
    }
    if complete {
        let missing: Vec<_> = all
            .difference(&where_.keys().cloned().collect())
            .cloned()
            .collect();
        assert!(missing.is_empty(), "unassigned partitions {missing:?}");
    }
    assert_eq!(answer.len(), group.members.len(), "every member appears");
}

/// The balance certificate from the module docs: the loads minimise the sum
/// of squares exactly when no chain of members, each able to pass one of its
/// partitions to the next (the next subscribes to that partition's topic),
/// runs from a member with load `L` to one with load at most `L - 2`.
pub fn assert_balance_optimal(group: &Group, answer: &Assignment) {
    let ids: Vec<&str> = group.members.iter().map(|m| m.id.as_str()).collect();
    let load: Vec<usize> = ids
        .iter()
        .map(|id| answer.member(id).map_or(0, |m| m.len()))
        .collect();
    let held: Vec<BTreeSet<String>> = ids
        .iter()
        .map(|id| {
            answer.member(id).map_or_else(BTreeSet::new, |m| {
                m.topics().map(|(t, _)| t.to_string()).collect()
            })
        })
        .collect();
    let can_pass = |u: usize, w: usize| {
        group.members[w]
            .topics
            .iter()
            .any(|t| held[u].contains(&**t))
    };
    for start in 0..ids.len() {
        let mut seen = vec![false; ids.len()];
        seen[start] = true;
        let mut stack = vec![start];
        while let Some(u) = stack.pop() {
            for w in 0..ids.len() {
                if !seen[w] && can_pass(u, w) {
                    seen[w] = true;
                    assert!(
                        load[w] + 2 > load[start],
                        "a chain of moves from {} (load {}) reaches {} (load {}): not balanced\n{answer:?}",
                        ids[start],
                        load[start],
                        ids[w],
                        load[w]
                    );
                    stack.push(w);
                }
            }
        }
    }
}

/// The previous owner of each partition, by the documented rule: its unique
/// highest-generation claimant (a missing generation reads as -1), among
/// claims on subscribed, described partitions.
pub fn owners(group: &Group) -> BTreeMap<Tp, String> {
    let mut claims: BTreeMap<Tp, Vec<(i32, String)>> = BTreeMap::new();
    for (tp, generation, id) in valid_claims(group) {
        claims.entry(tp).or_default().push((generation, id));
    }
    let mut out = BTreeMap::new();
    for (tp, mut cs) in claims {
        cs.sort();
        cs.reverse();
        if cs.len() == 1 || cs[0].0 > cs[1].0 {
            out.insert(tp, cs[0].1.clone());
        }
    }
    out
}

/// Partitions claimed at their highest generation by two or more members.
pub fn contested(group: &Group) -> BTreeSet<Tp> {
    let owned = owners(group);
    valid_claims(group)
        .into_iter()
        .map(|(tp, _, _)| tp)
        .filter(|tp| !owned.contains_key(tp))
        .collect()
}

fn valid_claims(group: &Group) -> Vec<(Tp, i32, String)> {
    let mut out = Vec::new();
    for m in &group.members {
        let mut seen = BTreeSet::new();
        for tp in &m.owned {
            let described = group
                .topic(&tp.topic)
                .is_some_and(|t| tp.partition >= 0 && tp.partition < t.partitions);
            if !described || !m.topics.contains(&tp.topic) {
                continue;
            }
            let key = (tp.topic.to_string(), tp.partition);
            if seen.insert(key.clone()) {
                out.push((key, m.generation.unwrap_or(-1), m.id.clone()));
            }
        }
    }
    out
}

/// How many validly owned partitions leave their owner in `answer`.
pub fn moves(group: &Group, answer: &Assignment) -> usize {
    let where_ = placement(answer);
    owners(group)
        .iter()
        .filter(|(tp, m)| where_.get(*tp) != Some(*m))
        .count()
}

/// Per topic, largest minus smallest count held by the listed members.
pub fn topic_spread(answer: &Assignment, ids: &[&str], topic: &str) -> usize {
    let counts: Vec<usize> = ids
        .iter()
        .map(|id| answer.member(id).map_or(0, |m| m.partitions(topic).len()))
        .collect();
    counts.iter().max().copied().unwrap_or(0) - counts.iter().min().copied().unwrap_or(0)
}

/// The same group with nothing owned and no generations.
pub fn without_history(group: &Group) -> Group {
    let mut fresh = group.clone();
    for m in &mut fresh.members {
        m.owned.clear();
        m.generation = None;
    }
    fresh
}

/// A member subscribing to `topics` and owning `owned` in `generation`.
pub fn member(id: &str, topics: &[&str], owned: &[(&str, &[i32])], generation: i32) -> Member {
    let mut m = Member::new(id).subscribe(topics.iter().copied());
    for &(t, ps) in owned {
        m = m.with_owned(t, ps.iter().copied());
    }
    m.with_generation(generation)
}

/// Per described partition, the members whose claim on it has the highest
/// generation among all claims, whether or not the claimant still
/// subscribes to the topic: the members that may still be reading it.
pub fn highest_claimants(group: &Group) -> BTreeMap<Tp, BTreeSet<String>> {
    let mut best: BTreeMap<Tp, (i32, BTreeSet<String>)> = BTreeMap::new();
    for m in &group.members {
        let generation = m.generation.unwrap_or(-1);
        for tp in &m.owned {
            let described = group
                .topic(&tp.topic)
                .is_some_and(|t| tp.partition >= 0 && tp.partition < t.partitions);
            if !described {
                continue;
            }
            let entry = best
                .entry((tp.topic.to_string(), tp.partition))
                .or_insert_with(|| (generation, BTreeSet::new()));
            if generation > entry.0 {
                *entry = (generation, BTreeSet::new());
            }
            if generation == entry.0 {
                entry.1.insert(m.id.clone());
            }
        }
    }
    best.into_iter().map(|(tp, (_, ids))| (tp, ids)).collect()
}

/// One cooperative round's law: a partition that a member claims at the
/// highest generation (subscribed to its topic or not) goes to nobody but
/// that member; nothing claimed at the highest generation by two members is
/// handed out.
pub fn assert_cooperative_round(group: &Group, answer: &Assignment) {
    let claimants = highest_claimants(group);
    for (tp, m) in placement(answer) {
        if let Some(ids) = claimants.get(&tp) {
            assert!(
                ids.len() == 1 && ids.contains(&m),
                "{tp:?} handed to {m} while {ids:?} may still be reading it\n{answer:?}"
            );
        }
    }
}

/// Cooperative rounds from `group` until the answer stops changing (at most
/// `max_rounds`), each round checked by [`assert_cooperative_round`]. Returns
/// the rounds' groups and answers.
pub fn cooperative_rounds(
    assignor: &dyn Assignor,
    group: &Group,
    max_rounds: usize,
) -> Vec<(Group, Assignment)> {
    let mut rounds: Vec<(Group, Assignment)> = Vec::new();
    let mut current = group.clone();
    for _ in 0..max_rounds {
        let answer = assignor.assign(&current).expect("valid group");
        assert_valid(&current, &answer, false);
        assert_cooperative_round(&current, &answer);
        let settled = rounds.last().is_some_and(|(_, last)| *last == answer);
        let next = current.next_generation(&answer);
        rounds.push((current, answer));
        if settled {
            break;
        }
        current = next;
    }
    rounds
}
