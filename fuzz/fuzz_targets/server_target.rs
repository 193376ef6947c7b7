//! The server-side target assignors (`kafka_assignors::server`) on
//! structured arbitrary groups: no panic; a typed error, or a valid target
//! (every subscribed partition exactly once, to a subscriber; `Unchanged`
//! exactly where the new target equals the current one); the same target for
//! the members in reverse order; `uniform` stable on its own output.
#![no_main]

use std::collections::BTreeSet;

use arbitrary::Arbitrary;
use kafka_assignors::server::{
    GroupSpec, MemberSpec, MemberTarget, RangeTargetAssignor, SubscribedTopicDescriber,
    TargetAssignor, TopicDescription, TopicId, TopicMetadata, UniformTargetAssignor,
};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    topics: Vec<FuzzTopic>,
    members: Vec<FuzzMember>,
}

#[derive(Debug, Arbitrary)]
struct FuzzTopic {
    id: u8,
    partitions: u8,
    racks: Option<Vec<Vec<u8>>>,
}

#[derive(Debug, Arbitrary)]
struct FuzzMember {
    id: u8,
    instance: Option<u8>,
    rack: Option<u8>,
    subscribed: Vec<u8>,
    target: Vec<(u8, Vec<i8>)>,
}

fn topic(id: u8) -> TopicId {
    TopicId::from(u128::from(id) * 0x0101_0101_0101_0101_0101 + 1)
}

fn check(assignor: &dyn TargetAssignor, spec: &GroupSpec, topics: &TopicMetadata) {
    let target = match assignor.assign(spec, topics) {
        Ok(target) => target,
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    let full = target.resolve(spec);
    assert_eq!(full.len(), spec.members.len());
    let mut seen = BTreeSet::new();
    for (id, assignment) in &full {
        let member = spec.members.iter().find(|m| &m.member_id == id).unwrap();
        for (t, partitions) in assignment.topics() {
            assert!(member.subscribed.contains(&t), "{id} got {t} unsubscribed");
            for &p in partitions {
                assert!(seen.insert((t, p)), "{t}-{p} twice");
            }
        }
        let current = member.target.clone();
        let unchanged = matches!(target.member(id), Some(MemberTarget::Unchanged));
        assert_eq!(
            unchanged,
            current == *assignment,
            "{id}: unchanged is wrong"
        );
    }
    let subscribed: BTreeSet<TopicId> = spec
        .members
        .iter()
        .flat_map(|m| m.subscribed.iter().copied())
        .collect();
    let expected: usize = subscribed
        .iter()
        .map(|&t| topics.describe(t).map_or(0, |d| d.partitions as usize))
        .sum();
    assert_eq!(seen.len(), expected, "every subscribed partition once");

    let mut reversed = spec.clone();
    reversed.members.reverse();
    for m in &mut reversed.members {
        let mut subscribed = m.subscribed.to_vec();
        subscribed.reverse();
        m.subscribed = subscribed.into();
    }
    assert_eq!(assignor.assign(&reversed, topics).unwrap(), target);

    if assignor.name() == "uniform" {
        let mut next = spec.clone();
        for m in &mut next.members {
            let mine = &full.iter().find(|(id, _)| *id == m.member_id).unwrap().1;
            m.target = mine.clone();
        }
        assert_eq!(
            assignor.assign(&next, topics).unwrap().changed(),
            0,
            "not stable"
        );
    }
}

fuzz_target!(|input: Input| {
    if input.topics.len() > 12 || input.members.len() > 24 {
        return;
    }
    let racks = ["r0", "r1", "r2", "r3"];
    let descriptions = input.topics.iter().map(|t| {
        let mut d = TopicDescription::new(topic(t.id % 16), u32::from(t.partitions % 40));
        if let Some(r) = &t.racks {
            d.replica_racks = Some(
                r.iter()
                    .map(|replicas| {
                        replicas
                            .iter()
                            .map(|&x| racks[usize::from(x % 4)].into())
                            .collect()
                    })
                    .collect(),
            );
        }
        d
    });
    let Ok(topics) = TopicMetadata::new(descriptions) else {
        return;
    };
    let mut spec = GroupSpec::new();
    for m in &input.members {
        let mut member = MemberSpec::new(format!("m{}", m.id % 32))
            .subscribe(m.subscribed.iter().map(|&t| topic(t % 18)));
        member.instance_id = m.instance.map(|i| format!("i{}", i % 8));
        member.rack = m.rack.map(|r| racks[usize::from(r % 5).min(3)].to_owned());
        member.target = m
            .target
            .iter()
            .map(|(t, ps)| (topic(t % 18), ps.iter().map(|&p| i32::from(p)).collect()))
            .collect();
        spec.members.push(member);
    }
    check(&UniformTargetAssignor, &spec, &topics);
    check(&RangeTargetAssignor, &spec, &topics);
});
