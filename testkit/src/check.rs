//! Answers as maps, validity, the balance certificate and the cooperative
//! rounds (the next generation is the library's own
//! `Group::next_generation`).

use std::collections::{BTreeMap, BTreeSet};

use kafka_assignors::{Assignment, Assignor, Group, Member};

use crate::Tp;
use crate::owners::highest_claimants;

/// Where each assigned partition went; panics on a partition given twice.
pub fn placement(answer: &Assignment) -> BTreeMap<Tp, String> {
    let mut out = BTreeMap::new();
    for m in answer.members() {
        for (topic, p) in m.iter() {
            let previous = out.insert((topic.to_string(), p), m.id().to_string());
            assert!(previous.is_none(), "{topic}-{p} assigned twice");
        }
    }
    assert_eq!(out.len(), answer.assigned_partitions());
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

/// Every member of the group appears; every assigned partition exists, is
/// subscribed by its member and is given once; with `complete`, every
/// partition of a subscribed topic is given.
pub fn assert_valid(group: &Group, answer: &Assignment, complete: bool) {
    assert_eq!(answer.len(), group.members.len(), "every member appears");
    for member in &group.members {
        assert!(
            answer.member(&member.id).is_some(),
            "member {:?} is missing from the answer",
            member.id
        );
    }
    let where_ = placement(answer);
    let all = assignable(group);
    for ((topic, p), m) in &where_ {
        let count = group.topic(topic).map(|t| t.partitions);
        assert!(
            count.is_some_and(|n| (0..n).contains(p)),
            "{topic}-{p} does not exist (count {count:?})"
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
