//! The owner rule, written the obvious way from its documentation: the
//! oracle the library's fast implementation (`sticky::ownership`) and the
//! CLI's `compare` figures are checked against.
//!
//! A claim counts when the claimant subscribes to the partition's topic,
//! the topic is described and the partition in range; a member listing a
//! partition twice is one claim. The previous owner is the unique
//! highest-generation claimant (a missing generation reads as -1); a shared
//! highest generation means no owner (the partition is contested).

use std::collections::{BTreeMap, BTreeSet};

use kafka_assignors::{Assignment, Group};

use crate::Tp;
use crate::check::placement;

/// Partition counts of the metadata by topic name.
fn counts(group: &Group) -> BTreeMap<&str, i32> {
    group
        .topics
        .iter()
        .map(|t| (&*t.name, t.partitions))
        .collect()
}

/// Per validly claimed partition, its claims as (generation, member id).
fn valid_claims(group: &Group) -> BTreeMap<Tp, Vec<(i32, String)>> {
    let counts = counts(group);
    let mut claims: BTreeMap<Tp, Vec<(i32, String)>> = BTreeMap::new();
    for m in &group.members {
        let generation = m.generation.unwrap_or(-1);
        let mut seen = BTreeSet::new();
        for tp in &m.owned {
            let Some(&n) = counts.get(&*tp.topic) else {
                continue;
            };
            if !m.topics.contains(&tp.topic) || !(0..n).contains(&tp.partition) {
                continue;
            }
            let key = (tp.topic.to_string(), tp.partition);
            if seen.insert(key.clone()) {
                claims
                    .entry(key)
                    .or_default()
                    .push((generation, m.id.clone()));
            }
        }
    }
    claims
}

/// The previous owner of each partition: its unique highest-generation
/// valid claimant.
pub fn owners(group: &Group) -> BTreeMap<Tp, String> {
    valid_claims(group)
        .into_iter()
        .filter_map(|(tp, mut claims)| {
            claims.sort();
            claims.reverse();
            (claims.len() == 1 || claims[0].0 > claims[1].0).then(|| (tp, claims[0].1.clone()))
        })
        .collect()
}

/// Partitions validly claimed of which no claimant is the unique highest
/// generation.
pub fn contested(group: &Group) -> BTreeSet<Tp> {
    let owners = owners(group);
    valid_claims(group)
        .into_keys()
        .filter(|tp| !owners.contains_key(tp))
        .collect()
}

/// How many validly owned partitions leave their owner in `answer` (given
/// to another member or to nobody).
pub fn moves(group: &Group, answer: &Assignment) -> usize {
    let where_ = placement(answer);
    owners(group)
        .iter()
        .filter(|(tp, m)| where_.get(*tp) != Some(*m))
        .count()
}

/// Per described partition in range, the members whose claim on it has the
/// highest generation among all claims, whether or not the claimant still
/// subscribes to its topic: the members that may still be reading it, which
/// the cooperative strategy must not hand it past.
pub fn highest_claimants(group: &Group) -> BTreeMap<Tp, BTreeSet<String>> {
    let counts = counts(group);
    let mut best: BTreeMap<Tp, (i32, BTreeSet<String>)> = BTreeMap::new();
    for m in &group.members {
        let generation = m.generation.unwrap_or(-1);
        for tp in &m.owned {
            let Some(&n) = counts.get(&*tp.topic) else {
                continue;
            };
            if !(0..n).contains(&tp.partition) {
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

/// Whether the cooperative rule withholds `tp` from `member`: someone
/// claims it at the highest generation and that someone is not `member`
/// alone.
pub fn withheld(claimants: &BTreeMap<Tp, BTreeSet<String>>, tp: &Tp, member: &str) -> bool {
    claimants
        .get(tp)
        .is_some_and(|ids| ids.len() != 1 || !ids.contains(member))
}

#[cfg(test)]
mod tests {
    use kafka_assignors::{Group, Member, Topic};

    use super::*;

    fn tp(t: &str, p: i32) -> Tp {
        (t.to_string(), p)
    }

    #[test]
    fn the_highest_generation_owns_and_a_tie_contests() {
        let group = Group::new()
            .with_topic(Topic::new("t", 3))
            .with_member(
                Member::new("a")
                    .subscribe(["t"])
                    .with_owned("t", [0, 1, 1, 7])
                    .with_generation(2),
            )
            .with_member(
                Member::new("b")
                    .subscribe(["t"])
                    .with_owned("t", [0, 1, 2])
                    .with_generation(1),
            )
            .with_member(
                Member::new("c")
                    .subscribe(["u"])
                    .with_owned("t", [2])
                    .with_generation(5),
            )
            .with_member(
                Member::new("d")
                    .subscribe(["t"])
                    .with_owned("t", [1])
                    .with_generation(2),
            );
        let owners = owners(&group);
        assert_eq!(owners.get(&tp("t", 0)).map(String::as_str), Some("a"));
        assert_eq!(owners.get(&tp("t", 1)), None);
        // c does not subscribe, so b owns 2 by the sticky rule...
        assert_eq!(owners.get(&tp("t", 2)).map(String::as_str), Some("b"));
        assert_eq!(contested(&group), BTreeSet::from([tp("t", 1)]));
        // ...but c may still be reading it.
        let claimants = highest_claimants(&group);
        assert_eq!(claimants[&tp("t", 2)], BTreeSet::from(["c".to_string()]));
        assert!(withheld(&claimants, &tp("t", 2), "b"));
        assert!(!withheld(&claimants, &tp("t", 0), "a"));
        assert!(withheld(&claimants, &tp("t", 1), "a"));
    }
}
