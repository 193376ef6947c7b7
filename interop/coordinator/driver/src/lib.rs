//! Groups for the server-side target assignors and the line format of the
//! Kafka group-coordinator harness (`interop/coordinator`, Coordinator.java).
//!
//! - [`random_group`]: seeded random groups for the differential check
//!   (homogeneous and heterogeneous, static members, racks, zero-partition
//!   topics, more members than partitions, current targets).
//! - [`GridPoint`]: one point of Kafka's `ServerSideAssignorBenchmark` grid,
//!   built the way that benchmark builds it.
//! - [`write_group`] / [`parse_target`]: the harness's line format.

use std::fmt::Write as _;

use kafka_assignors::server::{
    GroupSpec, GroupTarget, MemberSpec, TargetAssignment, TargetAssignor, TopicDescription,
    TopicId, TopicMetadata,
};
use kafka_assignors_testkit::rng::SplitMix64;

/// A group spec with the topics it subscribes to.
#[derive(Debug, Clone)]
pub struct Drawn {
    /// The members.
    pub spec: GroupSpec,
    /// The topics, in creation order.
    pub topics: Vec<TopicDescription>,
}

impl Drawn {
    /// The topics as a describer.
    pub fn metadata(&self) -> TopicMetadata {
        TopicMetadata::new(self.topics.iter().cloned()).expect("generated ids are distinct")
    }
}

/// A topic id's 32 hex digits, as the harness reads them.
pub fn hex(id: TopicId) -> String {
    id.bytes()
        .iter()
        .fold(String::with_capacity(32), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A topic id from 32 hex digits.
pub fn parse_hex(text: &str) -> Option<TopicId> {
    u128::from_str_radix(text, 16).ok().map(TopicId::from)
}

/// Writes one group block (`group` ... `end`); `incremental` asks the
/// harness to simulate Kafka's benchmark's incremental rebalance (see
/// [`incremental`]).
pub fn write_group(out: &mut String, name: &str, drawn: &Drawn) {
    let _ = writeln!(out, "group {name}");
    for t in &drawn.topics {
        let racks = match &t.replica_racks {
            None => "-".to_owned(),
            Some(racks) => racks
                .iter()
                .map(|r| r.iter().map(|x| &**x).collect::<Vec<_>>().join(","))
                .collect::<Vec<_>>()
                .join(";"),
        };
        let racks = if racks.is_empty() {
            "-".to_owned()
        } else {
            racks
        };
        let _ = writeln!(out, "topic {} {} {racks}", hex(t.id), t.partitions);
    }
    for m in &drawn.spec.members {
        let subs = if m.subscribed.is_empty() {
            "-".to_owned()
        } else {
            m.subscribed
                .iter()
                .map(|t| hex(*t))
                .collect::<Vec<_>>()
                .join(",")
        };
        let target = render(&m.target);
        let _ = writeln!(
            out,
            "member {} {} {} {subs} {target}",
            m.member_id,
            m.instance_id.as_deref().unwrap_or("-"),
            m.rack.as_deref().unwrap_or("-"),
        );
    }
    out.push_str("end\n");
}

/// A target in the line format (`id:p,p;id:p`, `-` for none).
pub fn render(target: &TargetAssignment) -> String {
    if target.is_empty() {
        return "-".to_owned();
    }
    target
        .topics()
        .map(|(t, ps)| {
            let ps: Vec<String> = ps.iter().map(i32::to_string).collect();
            format!("{}:{}", hex(t), ps.join(","))
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// Parses a target in the line format.
pub fn parse_target(text: &str) -> Option<TargetAssignment> {
    if text == "-" {
        return Some(TargetAssignment::default());
    }
    let mut entries = Vec::new();
    for entry in text.split(';') {
        let (topic, partitions) = entry.split_once(':')?;
        let partitions: Option<Vec<i32>> = partitions.split(',').map(|p| p.parse().ok()).collect();
        entries.push((parse_hex(topic)?, partitions?));
    }
    Some(TargetAssignment::from_entries(entries))
}

fn topic_id(rng: &mut SplitMix64) -> TopicId {
    TopicId::from((u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64()))
}

const RACKS: [&str; 3] = ["rack-a", "rack-b", "rack-c"];

/// A random group for the differential check, from `rng`.
pub fn random_group(rng: &mut SplitMix64) -> Drawn {
    let racks = rng.chance(3);
    let topic_count = 1 + rng.below(6);
    let mut topics = Vec::with_capacity(topic_count);
    for _ in 0..topic_count {
        let partitions = if rng.chance(6) { 0 } else { 1 + rng.below(12) } as u32;
        let mut t = TopicDescription::new(topic_id(rng), partitions);
        if racks {
            t = t.with_replica_racks((0..partitions).map(|_| {
                let mut r: Vec<&str> = RACKS.iter().copied().filter(|_| rng.chance(2)).collect();
                if r.is_empty() {
                    r.push(RACKS[rng.below(3)]);
                }
                r
            }));
        }
        topics.push(t);
    }
    let homogeneous = rng.chance(2);
    // Homogeneous members share one list, as a coordinator shares one set.
    let common: std::sync::Arc<[TopicId]> = topics
        .iter()
        .filter(|_| rng.below(4) > 0)
        .map(|t| t.id)
        .collect();
    let most = if rng.chance(4) { 20 } else { 8 };
    let member_count = 1 + rng.below(most);
    let mut members: Vec<MemberSpec> = Vec::with_capacity(member_count);
    for m in 0..member_count {
        // Member ids of several lengths, so their order differs from the
        // index order; instance ids in yet another order.
        let mut member = MemberSpec::new(format!("m{}", rng.below(1000) * 10 + m % 10));
        if members.iter().any(|x| x.member_id == member.member_id) {
            member.member_id = format!("{}-{m}", member.member_id);
        }
        if rng.chance(3) {
            member = member.with_instance_id(format!("i{}-{m}", rng.below(100)));
        }
        if racks && rng.below(4) > 0 {
            member = member.with_rack(RACKS[rng.below(3)]);
        }
        let subscribed: std::sync::Arc<[TopicId]> = if homogeneous {
            std::sync::Arc::clone(&common)
        } else {
            topics
                .iter()
                .filter(|_| rng.chance(2))
                .map(|t| t.id)
                .collect()
        };
        members.push(member.with_subscription(subscribed));
    }
    // Current targets: exclusive, as a coordinator keeps them; sometimes on
    // a member that no longer subscribes.
    if !rng.chance(4) {
        let mut entries: Vec<Vec<(TopicId, Vec<i32>)>> = vec![Vec::new(); member_count];
        for t in &topics {
            for p in 0..t.partitions as i32 {
                if rng.below(4) > 0 {
                    entries[rng.below(member_count)].push((t.id, vec![p]));
                }
            }
        }
        for (member, entries) in members.iter_mut().zip(entries) {
            member.target = TargetAssignment::from_entries(entries);
        }
    }
    let mut spec = GroupSpec::new();
    spec.members = members;
    Drawn { spec, topics }
}

/// One point of Kafka's `ServerSideAssignorBenchmark` grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridPoint {
    /// Members in the group.
    pub members: usize,
    /// Partitions per member (the total is `members * ratio`).
    pub ratio: usize,
    /// Topics; each gets `members * ratio / topics` partitions.
    pub topics: usize,
    /// Everyone subscribes to every topic; otherwise five buckets of
    /// members, each with its own slice of the topics.
    pub homogeneous: bool,
    /// The incremental case: `members - 1` members settled on the
    /// assignor's own answer, plus one new member.
    pub incremental: bool,
    /// Members on three racks and every partition on all three.
    pub racks: bool,
}

impl GridPoint {
    /// Partitions per topic (0 means the point is skipped).
    pub fn partitions_per_topic(&self) -> usize {
        self.members * self.ratio / self.topics
    }

    /// The point's name, as the bench and the timing table print it.
    pub fn name(&self) -> String {
        format!(
            "{}m-{}ppm-{}t-{}-{}-{}",
            self.members,
            self.ratio,
            self.topics,
            if self.homogeneous { "homo" } else { "hetero" },
            if self.incremental { "incr" } else { "full" },
            if self.racks { "racks" } else { "norack" },
        )
    }

    /// The full group of the point (for an incremental point, the settled
    /// group without the new member; see [`incremental`]).
    pub fn group(&self) -> Drawn {
        let mut rng = SplitMix64::new(0x5e55_1011 ^ (self.topics as u64) << 20);
        let per_topic = self.partitions_per_topic() as u32;
        // One `Arc` per rack name, as a metadata image holds them.
        let rack_names: Vec<std::sync::Arc<str>> = RACKS.iter().map(|&r| r.into()).collect();
        let topics: Vec<TopicDescription> = (0..self.topics)
            .map(|i| {
                let mut t = TopicDescription::new(topic_id(&mut rng), per_topic)
                    .with_name(format!("topic-{i}"));
                if self.racks {
                    t.replica_racks = Some(
                        (0..per_topic as usize)
                            .map(|p| (0..3).map(|k| rack_names[(p + k) % 3].clone()).collect())
                            .collect(),
                    );
                }
                t
            })
            .collect();
        let count = if self.incremental {
            self.members - 1
        } else {
            self.members
        };
        let buckets = 5.min(count).max(1);
        let bucket_topics = self.topics.div_ceil(buckets);
        let bucket_members = count.div_ceil(buckets);
        let all: Vec<TopicId> = topics.iter().map(|t| t.id).collect();
        // One shared list per subscription, as Kafka's benchmark (and its
        // coordinator) shares one set: everyone's, or each bucket's.
        let everything: std::sync::Arc<[TopicId]> = all.clone().into();
        let bucket_lists: Vec<std::sync::Arc<[TopicId]>> = (0..buckets)
            .map(|b| {
                let start = (b * bucket_topics).min(all.len());
                let end = ((b + 1) * bucket_topics).min(all.len());
                all[start..end].into()
            })
            .collect();
        let mut spec = GroupSpec::new();
        for i in 0..count {
            let mut member = MemberSpec::new(format!("member{i}"));
            if self.racks {
                member = member.with_rack(RACKS[i % 3]);
            }
            let subscribed = if self.homogeneous {
                std::sync::Arc::clone(&everything)
            } else {
                std::sync::Arc::clone(&bucket_lists[(i / bucket_members).min(buckets - 1)])
            };
            spec.members.push(member.with_subscription(subscribed));
        }
        Drawn { spec, topics }
    }
}

/// Kafka's benchmark's incremental rebalance: every member's target set to
/// `assignor`'s answer for `settled`, then a new member joins (subscribed as
/// the last member, or to every topic when homogeneous).
pub fn incremental(settled: &Drawn, assignor: &dyn TargetAssignor, homogeneous: bool) -> Drawn {
    let metadata = settled.metadata();
    let target: GroupTarget = assignor
        .assign(&settled.spec, &metadata)
        .expect("grid groups are valid");
    let full = target.resolve(&settled.spec);
    let mut next = settled.clone();
    for (member, (_, assignment)) in next
        .spec
        .members
        .iter_mut()
        .zip(full_in_order(&settled.spec, &full))
    {
        member.target = assignment.clone();
    }
    let member = incremental_member(settled, homogeneous);
    next.spec.members.push(member);
    next
}

fn incremental_member(settled: &Drawn, homogeneous: bool) -> MemberSpec {
    let subscribed = if homogeneous {
        settled
            .spec
            .members
            .first()
            .map(|m| m.subscribed.clone())
            .unwrap_or_else(|| settled.topics.iter().map(|t| t.id).collect())
    } else {
        settled
            .spec
            .members
            .last()
            .map(|m| m.subscribed.clone())
            .unwrap_or_default()
    };
    let mut member = MemberSpec::new("newMember").with_subscription(subscribed);
    if settled.spec.members.iter().any(|m| m.rack.is_some()) {
        member = member.with_rack(RACKS[settled.spec.members.len() % 3]);
    }
    member
}

fn full_in_order<'a>(
    spec: &GroupSpec,
    full: &'a [(String, TargetAssignment)],
) -> Vec<(&'a str, &'a TargetAssignment)> {
    spec.members
        .iter()
        .map(|m| {
            let at = full
                .binary_search_by(|(id, _)| id.as_str().cmp(&m.member_id))
                .expect("every member has a target");
            (full[at].0.as_str(), &full[at].1)
        })
        .collect()
}

/// The line asking the harness for [`incremental`]'s rebalance with
/// `assignor`'s own answer: the new member's subscription and rack.
pub fn write_incremental(out: &mut String, settled: &Drawn, homogeneous: bool) {
    let next = incremental_member(settled, homogeneous);
    let subs = if next.subscribed.is_empty() {
        "-".to_owned()
    } else {
        next.subscribed
            .iter()
            .map(|t| hex(*t))
            .collect::<Vec<_>>()
            .join(",")
    };
    let _ = writeln!(
        out,
        "incremental {} {} {subs}",
        next.member_id,
        next.rack.as_deref().unwrap_or("-")
    );
}
