//! Laws of Range and RoundRobin over arbitrary small groups, and a
//! differential test against a direct model of the Java client's algorithms.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::AnswerMap;
use kafka_assignors::{Assignor, Group, RangeAssignor, RoundRobinAssignor};
use kafka_assignors_testkit::rng::shuffled;
use kafka_assignors_testkit::strategies::{Shape, arb_group};
use proptest::prelude::*;

const STRATEGIES: [&dyn Assignor; 2] = [&RangeAssignor, &RoundRobinAssignor];

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        ..ProptestConfig::default()
    }
}

/// Topic name -> partition count, for topics someone subscribes to and the
/// metadata describes with at least one partition.
fn assignable_topics(group: &Group) -> BTreeMap<String, i32> {
    let subscribed: BTreeSet<&str> = group
        .members
        .iter()
        .flat_map(|m| m.topics.iter().map(|t| &**t))
        .collect();
    group
        .topics
        .iter()
        .filter(|t| t.partitions > 0 && subscribed.contains(&*t.name))
        .map(|t| (t.name.to_string(), t.partitions))
        .collect()
}

fn subscribes(group: &Group, member: &str, topic: &str) -> bool {
    group
        .member(member)
        .is_some_and(|m| m.topics.iter().any(|t| &**t == topic))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_subscribed_partition_assigned_exactly_once_to_a_subscriber(
        group in arb_group(Shape::default())
    ) {
        for strategy in STRATEGIES {
            let answer = strategy.assign(&group).unwrap().to_map();
            let ids: BTreeSet<&str> = group.members.iter().map(|m| m.id.as_str()).collect();
            prop_assert_eq!(answer.keys().map(String::as_str).collect::<BTreeSet<_>>(), ids);
            let mut seen: BTreeMap<(String, i32), usize> = BTreeMap::new();
            for (member, topics) in &answer {
                for (topic, partitions) in topics {
                    prop_assert!(subscribes(&group, member, topic), "{} got unsubscribed {}", member, topic);
                    for &p in partitions {
                        *seen.entry((topic.clone(), p)).or_default() += 1;
                    }
                }
            }
            let expected: BTreeMap<(String, i32), usize> = assignable_topics(&group)
                .into_iter()
                .flat_map(|(topic, n)| (0..n).map(move |p| ((topic.clone(), p), 1)))
                .collect();
            prop_assert_eq!(seen, expected, "{}", strategy.name());
        }
    }

    #[test]
    fn answer_independent_of_member_topic_and_list_order(
        group in arb_group(Shape::default()),
        seed in any::<u64>(),
    ) {
        let shuffled = shuffled(&group, seed);
        for strategy in STRATEGIES {
            prop_assert_eq!(
                strategy.assign(&group).unwrap(),
                strategy.assign(&shuffled).unwrap(),
                "{}", strategy.name()
            );
        }
    }

    #[test]
    fn range_gives_contiguous_ranges_differing_by_at_most_one_per_topic(
        group in arb_group(Shape { racks: false, ..Shape::default() })
    ) {
        let answer = RangeAssignor.assign(&group).unwrap().to_map();
        for (topic, n) in assignable_topics(&group) {
            let takers: Vec<&str> = group
                .members
                .iter()
                .filter(|m| subscribes(&group, &m.id, &topic))
                .map(|m| m.id.as_str())
                .collect();
            let mut counts = Vec::new();
            for member in &takers {
                let partitions = answer[*member].get(&topic).cloned().unwrap_or_default();
                prop_assert!(
                    partitions.windows(2).all(|w| w[1] == w[0] + 1),
                    "{} has a gap in {}: {:?}", member, topic, partitions
                );
                counts.push(partitions.len() as i32);
            }
            let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
            prop_assert!(hi - lo <= 1, "{}: counts {:?}", topic, counts);
            prop_assert_eq!(counts.iter().sum::<i32>(), n);
        }
    }

    #[test]
    fn roundrobin_counts_differ_by_at_most_one_with_equal_subscriptions(
        group in arb_group(Shape { uniform: true, ..Shape::default() })
    ) {
        let answer = RoundRobinAssignor.assign(&group).unwrap();
        let counts: Vec<usize> = answer.members().map(|m| m.len()).collect();
        if let (Some(lo), Some(hi)) = (counts.iter().min(), counts.iter().max()) {
            prop_assert!(hi - lo <= 1, "counts {:?}", counts);
        }
    }

    #[test]
    fn range_equals_the_java_model(group in arb_group(Shape::default())) {
        prop_assert_eq!(RangeAssignor.assign(&group).unwrap().to_map(), model::range(&group));
    }

    #[test]
    fn range_equals_the_java_model_with_many_members(
        group in arb_group(Shape { max_topics: 7, max_members: 9, ..Shape::default() })
    ) {
        prop_assert_eq!(RangeAssignor.assign(&group).unwrap().to_map(), model::range(&group));
    }

    #[test]
    fn roundrobin_equals_the_java_model(group in arb_group(Shape::default())) {
        prop_assert_eq!(RoundRobinAssignor.assign(&group).unwrap().to_map(), model::round_robin(&group));
    }
}

/// The Java client's RangeAssignor and RoundRobinAssignor (3.9), written
/// plainly over strings and ordered maps, for comparison only.
mod model {
    use super::*;

    /// Java's `String.compareTo` order: UTF-16 code units.
    fn java_key(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    /// Member ids in `MemberInfo` order.
    fn member_order(group: &Group) -> Vec<String> {
        let mut members: Vec<_> = group.members.iter().collect();
        members.sort_by_key(|m| match &m.instance_id {
            Some(instance) => (0, java_key(instance)),
            None => (1, java_key(&m.id)),
        });
        members.into_iter().map(|m| m.id.clone()).collect()
    }

    fn empty_answer(group: &Group) -> AnswerMap {
        group
            .members
            .iter()
            .map(|m| (m.id.clone(), BTreeMap::new()))
            .collect()
    }

    fn give(answer: &mut AnswerMap, member: &str, topic: &str, partition: i32) {
        let partitions = answer
            .get_mut(member)
            .unwrap()
            .entry(topic.to_string())
            .or_default();
        partitions.push(partition);
        partitions.sort_unstable();
    }

    pub(super) fn round_robin(group: &Group) -> AnswerMap {
        let mut answer = empty_answer(group);
        let members = member_order(group);
        let mut topics: Vec<(String, i32)> = assignable_topics(group).into_iter().collect();
        topics.sort_by_key(|(t, _)| java_key(t));
        let mut at = 0;
        for (topic, n) in topics {
            for p in 0..n {
                while !subscribes(group, &members[at], &topic) {
                    at = (at + 1) % members.len();
                }
                give(&mut answer, &members[at], &topic, p);
                at = (at + 1) % members.len();
            }
        }
        answer
    }

    struct TopicState {
        topic: String,
        consumers: Vec<String>,
        consumer_rack: BTreeMap<String, Option<String>>,
        partition_racks: BTreeMap<i32, BTreeSet<String>>,
        needs_rack_aware: bool,
        unassigned: BTreeSet<i32>,
        assigned: BTreeMap<String, u32>,
        per_consumer: u32,
        extra_left: u32,
    }

    impl TopicState {
        fn racks_match(&self, consumer: &str, p: i32) -> bool {
            match &self.consumer_rack[consumer] {
                None => true,
                Some(rack) => self
                    .partition_racks
                    .get(&p)
                    .is_some_and(|racks| racks.contains(rack)),
            }
        }

        fn max_assignable(&self, consumer: &str) -> u32 {
            (self.per_consumer + u32::from(self.extra_left > 0))
                .saturating_sub(self.assigned[consumer])
        }

        fn on_assigned(&mut self, consumer: &str, partitions: &[i32]) {
            let count = self.assigned.get_mut(consumer).unwrap();
            *count += partitions.len() as u32;
            if *count > self.per_consumer {
                self.extra_left -= 1;
            }
            for p in partitions {
                self.unassigned.remove(p);
            }
        }
    }

    fn assign(answer: &mut AnswerMap, state: &mut TopicState, consumer: &str, partitions: &[i32]) {
        for &p in partitions {
            give(answer, consumer, &state.topic, p);
        }
        state.on_assigned(consumer, partitions);
    }

    fn assign_ranges(answer: &mut AnswerMap, state: &mut TopicState, rack_matching: bool) {
        for consumer in state.consumers.clone() {
            if state.unassigned.is_empty() {
                break;
            }
            let limit = state.max_assignable(&consumer) as usize;
            let chosen: Vec<i32> = state
                .unassigned
                .iter()
                .copied()
                .filter(|&p| !rack_matching || state.racks_match(&consumer, p))
                .take(limit)
                .collect();
            if !chosen.is_empty() {
                assign(answer, state, &consumer, &chosen);
            }
        }
    }

    pub(super) fn range(group: &Group) -> AnswerMap {
        let mut answer = empty_answer(group);
        let order = member_order(group);
        let member_rack: BTreeMap<String, Option<String>> = group
            .members
            .iter()
            .map(|m| (m.id.clone(), m.rack.clone().filter(|r| !r.is_empty())))
            .collect();
        let mut states: Vec<TopicState> = Vec::new();
        for (topic, n) in assignable_topics(group) {
            let consumers: Vec<String> = order
                .iter()
                .filter(|m| subscribes(group, m, &topic))
                .cloned()
                .collect();
            let consumer_racks: BTreeSet<String> = consumers
                .iter()
                .filter_map(|c| member_rack[c].clone())
                .collect();
            let mut partition_racks = BTreeMap::new();
            let mut all_partition_racks = BTreeSet::new();
            if !consumer_racks.is_empty() {
                let meta = group.topic(&topic).unwrap();
                for p in 0..n {
                    let racks: BTreeSet<String> = meta
                        .replica_racks
                        .as_ref()
                        .map(|lists| {
                            lists[p as usize]
                                .iter()
                                .filter(|r| !r.is_empty())
                                .map(|r| r.to_string())
                                .collect()
                        })
                        .unwrap_or_default();
                    all_partition_racks.extend(racks.iter().cloned());
                    partition_racks.insert(p, racks);
                }
            }
            let needs_rack_aware = !consumer_racks.is_empty()
                && !consumer_racks.is_disjoint(&all_partition_racks)
                && !partition_racks.values().all(|r| *r == all_partition_racks);
            let c = consumers.len() as u32;
            states.push(TopicState {
                topic,
                consumer_rack: consumers
                    .iter()
                    .map(|c| (c.clone(), member_rack[c].clone()))
                    .collect(),
                assigned: consumers.iter().map(|c| (c.clone(), 0)).collect(),
                consumers,
                partition_racks,
                needs_rack_aware,
                unassigned: (0..n).collect(),
                per_consumer: n as u32 / c,
                extra_left: n as u32 % c,
            });
        }

        if states.iter().any(|s| s.needs_rack_aware) {
            let mut groups: BTreeMap<(Vec<String>, usize), Vec<usize>> = BTreeMap::new();
            for (i, s) in states.iter().enumerate() {
                groups
                    .entry((s.consumers.clone(), s.partition_racks.len()))
                    .or_default()
                    .push(i);
            }
            for ((consumers, partitions), members) in groups {
                if members.len() > 1 {
                    let mut remaining = consumers.clone();
                    for p in 0..partitions as i32 {
                        let found = remaining.iter().position(|c| {
                            members.iter().all(|&t| {
                                states[t].racks_match(c, p) && states[t].max_assignable(c) > 0
                            })
                        });
                        if let Some(at) = found {
                            let consumer = remaining[at].clone();
                            for &t in &members {
                                assign(&mut answer, &mut states[t], &consumer, &[p]);
                            }
                            if members
                                .iter()
                                .all(|&t| states[t].max_assignable(&consumer) == 0)
                            {
                                remaining.remove(at);
                                if remaining.is_empty() {
                                    break;
                                }
                            }
                        }
                    }
                } else if states[members[0]].needs_rack_aware {
                    assign_ranges(&mut answer, &mut states[members[0]], true);
                }
            }
        }
        for state in &mut states {
            assign_ranges(&mut answer, state, false);
        }
        answer
            .into_iter()
            .map(|(m, topics)| {
                (
                    m,
                    topics.into_iter().filter(|(_, p)| !p.is_empty()).collect(),
                )
            })
            .collect()
    }
}
