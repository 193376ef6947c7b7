//! The exhaustive sticky oracle for tiny groups: every valid assignment is
//! enumerated and the lexicographic minimum of (sum of squared loads, remote
//! partitions, moved owned partitions) kept. It shares no code with the
//! solver: ownership ([`crate::owners`]), the rack gate and the cost are
//! written again, the obvious way. Ownership and locality are computed once
//! and the choices walked depth first, so a group of 8 partitions and 4
//! members (65,536 assignments) takes about a millisecond.

use std::collections::{BTreeMap, BTreeSet};

use kafka_assignors::{Assignment, Group, RackMatch};

use crate::Tp;
use crate::check::placement;
use crate::owners::owners;

/// The cost the sticky strategies minimise, compared lexicographically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cost {
    /// Sum over members of the squared partition count.
    pub squares: u64,
    /// Partitions given to a member on another rack (rack-aware groups only).
    pub remote: u64,
    /// Validly owned partitions given to another member.
    pub moves: u64,
}

/// A tiny group in flat form.
pub struct Problem {
    members: Vec<String>,
    partitions: Vec<Tp>,
    /// Per partition: the members (indices) that subscribe to its topic.
    subscribers: Vec<Vec<usize>>,
    /// Per partition: its valid previous owner.
    owner: Vec<Option<usize>>,
    /// Per partition, per member: whether giving it there is remote.
    remote: Vec<Vec<bool>>,
}

fn racks_of(group: &Group, topic: &str, p: i32) -> Option<BTreeSet<String>> {
    let t = group.topics.iter().find(|t| &*t.name == topic)?;
    let racks = t.replica_racks.as_ref()?;
    Some(
        racks[p as usize]
            .iter()
            .filter(|r| !r.is_empty())
            .map(|r| r.to_string())
            .collect(),
    )
}

fn leader_of(group: &Group, topic: &str, p: i32) -> Option<String> {
    let t = group.topics.iter().find(|t| &*t.name == topic)?;
    let racks = t.replica_racks.as_ref()?;
    racks[p as usize]
        .first()
        .filter(|r| !r.is_empty())
        .map(|r| r.to_string())
}

/// The Java client's rack-aware gate, over the subscribed topics: some
/// member has a rack that some replica has, and not every partition has the
/// same racks.
fn rack_aware(group: &Group) -> bool {
    let member_racks: BTreeSet<String> = group
        .members
        .iter()
        .filter_map(|m| m.rack().map(str::to_string))
        .collect();
    if member_racks.is_empty() {
        return false;
    }
    let subscribed: BTreeSet<&str> = group
        .members
        .iter()
        .flat_map(|m| m.topics.iter().map(|t| &**t))
        .collect();
    let mut sets = Vec::new();
    for t in &group.topics {
        if !subscribed.contains(&*t.name) {
            continue;
        }
        for p in 0..t.partitions {
            if let Some(s) = racks_of(group, &t.name, p) {
                sets.push(s);
            }
        }
    }
    let all: BTreeSet<String> = sets.iter().flatten().cloned().collect();
    if member_racks.is_disjoint(&all) {
        return false;
    }
    !sets.iter().all(|s| *s == all)
}

impl Problem {
    /// Flattens a group the sticky strategy accepted.
    pub fn new(group: &Group, rack_match: RackMatch) -> Self {
        let members: Vec<String> = group.members.iter().map(|m| m.id.clone()).collect();
        let owners = owners(group);
        let aware = rack_aware(group);
        let mut partitions = Vec::new();
        let mut subscribers = Vec::new();
        let mut owner = Vec::new();
        let mut remote = Vec::new();
        for t in &group.topics {
            let subs: Vec<usize> = group
                .members
                .iter()
                .enumerate()
                .filter(|(_, m)| m.topics.contains(&t.name))
                .map(|(i, _)| i)
                .collect();
            if subs.is_empty() {
                continue;
            }
            for p in 0..t.partitions {
                let tp = (t.name.to_string(), p);
                owner.push(
                    owners
                        .get(&tp)
                        .map(|id| members.iter().position(|m| m == id).unwrap()),
                );
                remote.push(
                    group
                        .members
                        .iter()
                        .map(|m| {
                            let Some(rack) = m.rack().filter(|_| aware) else {
                                return false;
                            };
                            let local = match rack_match {
                                RackMatch::Leader => {
                                    leader_of(group, &t.name, p).as_deref() == Some(rack)
                                }
                                _ => racks_of(group, &t.name, p).is_some_and(|s| s.contains(rack)),
                            };
                            !local
                        })
                        .collect(),
                );
                partitions.push(tp);
                subscribers.push(subs.clone());
            }
        }
        Problem {
            members,
            partitions,
            subscribers,
            owner,
            remote,
        }
    }

    /// The cost of a placement (partition -> member id).
    pub fn cost_of(&self, placement: &BTreeMap<Tp, String>) -> Cost {
        let mut loads = vec![0u64; self.members.len()];
        let mut cost = Cost {
            squares: 0,
            remote: 0,
            moves: 0,
        };
        for (i, tp) in self.partitions.iter().enumerate() {
            let Some(id) = placement.get(tp) else {
                continue;
            };
            let m = self.members.iter().position(|x| x == id).unwrap();
            loads[m] += 1;
            cost.remote += u64::from(self.remote[i][m]);
            cost.moves += u64::from(self.owner[i].is_some_and(|o| o != m));
        }
        // An owned partition left unplaced has moved too.
        for (i, tp) in self.partitions.iter().enumerate() {
            if self.owner[i].is_some() && !placement.contains_key(tp) {
                cost.moves += 1;
            }
        }
        cost.squares = loads.iter().map(|l| l * l).sum();
        cost
    }

    /// The cost of an answer.
    pub fn cost_of_answer(&self, answer: &Assignment) -> Cost {
        self.cost_of(&placement(answer))
    }

    /// How many complete assignments [`Problem::best`] walks.
    pub fn combinations(&self) -> f64 {
        self.subscribers.iter().map(|s| s.len() as f64).product()
    }

    /// The least cost over every complete assignment.
    pub fn best(&self) -> Cost {
        let mut loads = vec![0u64; self.members.len()];
        let mut best = None;
        self.walk(0, &mut loads, 0, 0, &mut best);
        best.expect("at least the empty assignment")
    }

    fn walk(&self, i: usize, loads: &mut [u64], remote: u64, moves: u64, best: &mut Option<Cost>) {
        if i == self.partitions.len() {
            let cost = Cost {
                squares: loads.iter().map(|l| l * l).sum(),
                remote,
                moves,
            };
            *best = Some(best.map_or(cost, |b: Cost| b.min(cost)));
            return;
        }
        for &m in &self.subscribers[i] {
            loads[m] += 1;
            self.walk(
                i + 1,
                loads,
                remote + u64::from(self.remote[i][m]),
                moves + u64::from(self.owner[i].is_some_and(|o| o != m)),
                best,
            );
            loads[m] -= 1;
        }
    }
}
