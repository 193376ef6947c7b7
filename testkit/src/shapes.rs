//! Group shapes of the benches: seeded, so every run benches the
//! same groups, and cheap enough to build a million partitions in a moment.
//!
//! A group is a [`Shape`]: member, topic and total partition counts, how the
//! partitions spread over the topics, who subscribes to what, and racks. An
//! [`Event`] turns the settled group (every member owns what the sticky
//! strategy gave it, in generation 1) into the group the next rebalance sees.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use kafka_assignors::{Assignment, Assignor, Group, Member, StickyAssignor, Topic, TopicPartition};

use crate::rng::SplitMix64;

/// How the total partition count spreads over the topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sizes {
    /// Every topic has the same count (the first few one more when the
    /// total does not divide).
    Equal,
    /// Zipf-like: the topic of rank `r` gets a share proportional to
    /// `1 / (r + 1)`, every topic at least one partition; ranks are shuffled
    /// over the topic names.
    Skewed,
}

/// Who subscribes to what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscriptions {
    /// Every member subscribes to every topic.
    Homogeneous,
    /// The topics fall in `BUCKETS` disjoint buckets; member `i` subscribes
    /// to bucket `i % BUCKETS`.
    Disjoint,
    /// `BUCKETS` nested prefixes of the topic list: member `i` subscribes to
    /// the first `(i % BUCKETS + 1) / BUCKETS` of the topics, so the smallest
    /// set is inside every other one (the shape where balancing needs chains
    /// of moves).
    Nested,
    /// Every member subscribes to each topic with probability one half,
    /// drawn from the seed.
    RandomHalf,
}

/// The bucket (or nesting level) count of heterogeneous subscriptions.
pub const BUCKETS: usize = 5;

/// Rack layout of members and replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Racks {
    /// No rack anywhere.
    None,
    /// Three racks; members round-robin over them, and every partition has
    /// two replicas on two different racks.
    ThreeRf2,
}

/// Everything that decides a generated group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Members in the group.
    pub members: usize,
    /// Topics in the metadata.
    pub topics: usize,
    /// The total over all topics; at least `topics`.
    pub partitions: usize,
    /// How the partitions spread over the topics.
    pub sizes: Sizes,
    /// Who subscribes to what.
    pub subscriptions: Subscriptions,
    /// Member and replica racks.
    pub racks: Racks,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Shape {
    /// Equal sizes, homogeneous subscriptions, no racks, seed 42.
    pub fn new(members: usize, topics: usize, partitions: usize) -> Self {
        Shape {
            members,
            topics,
            partitions,
            sizes: Sizes::Equal,
            subscriptions: Subscriptions::Homogeneous,
            racks: Racks::None,
            seed: 42,
        }
    }

    /// The same shape with other topic sizes.
    pub fn sizes(mut self, sizes: Sizes) -> Self {
        self.sizes = sizes;
        self
    }

    /// The same shape with other subscriptions.
    pub fn subscriptions(mut self, subscriptions: Subscriptions) -> Self {
        self.subscriptions = subscriptions;
        self
    }

    /// The same shape with other racks.
    pub fn racks(mut self, racks: Racks) -> Self {
        self.racks = racks;
        self
    }

    /// The size part of a benchmark id, e.g. `100m-100t-10000p`.
    pub fn size_id(&self) -> String {
        format!("{}m-{}t-{}p", self.members, self.topics, self.partitions)
    }

    /// The mix part of a benchmark id, e.g. `skewed-nested-3racks`.
    pub fn mix_id(&self) -> String {
        let sizes = match self.sizes {
            Sizes::Equal => "equal",
            Sizes::Skewed => "skewed",
        };
        let subscriptions = match self.subscriptions {
            Subscriptions::Homogeneous => "homogeneous",
            Subscriptions::Disjoint => "disjoint",
            Subscriptions::Nested => "nested",
            Subscriptions::RandomHalf => "random-half",
        };
        let racks = match self.racks {
            Racks::None => "norack",
            Racks::ThreeRf2 => "3racks",
        };
        format!("{sizes}-{subscriptions}-{racks}")
    }

    /// The partition count of every topic, in topic-name order.
    pub fn topic_sizes(&self) -> Vec<usize> {
        assert!(self.topics > 0 && self.partitions >= self.topics);
        match self.sizes {
            Sizes::Equal => (0..self.topics)
                .map(|t| {
                    self.partitions / self.topics + usize::from(t < self.partitions % self.topics)
                })
                .collect(),
            Sizes::Skewed => {
                let weights: Vec<f64> = (0..self.topics).map(|r| 1.0 / (r + 1) as f64).collect();
                let total: f64 = weights.iter().sum();
                // One partition each, the rest by weight, rounding down; the
                // shortfall goes to the heaviest ranks.
                let spare = self.partitions - self.topics;
                let mut by_rank: Vec<usize> = weights
                    .iter()
                    .map(|w| 1 + (spare as f64 * w / total) as usize)
                    .collect();
                let short = self.partitions - by_rank.iter().sum::<usize>();
                for r in 0..short {
                    by_rank[r % self.topics] += 1;
                }
                let mut rng = SplitMix64::new(self.seed ^ 0x5133_7a11);
                rng.shuffle(&mut by_rank);
                by_rank
            }
        }
    }

    /// The generated group: nobody owns anything (a full assignment).
    pub fn group(&self) -> Group {
        let names = topic_names(self.topics);
        let mut group = Group::new();
        for (t, (name, &size)) in names.iter().zip(&self.topic_sizes()).enumerate() {
            group = group.with_topic(self.topic(t, name, 0, size));
        }
        let rng = &mut SplitMix64::new(self.seed);
        for m in 0..self.members {
            group = group.with_member(self.member(m, &names, rng));
        }
        group
    }

    /// Topic `t` with partitions `0..size`; `existing` of them were there
    /// before (only matters for keeping replica placement when a topic
    /// grows: the placement depends on the partition number alone).
    fn topic(&self, t: usize, name: &Arc<str>, existing: usize, size: usize) -> Topic {
        debug_assert!(existing <= size);
        let topic = Topic::new(Arc::clone(name), size as i32);
        match self.racks {
            Racks::None => topic,
            Racks::ThreeRf2 => {
                let racks = rack_names();
                topic.with_replica_racks((0..size).map(|p| {
                    // Leaders rotate over the racks; the follower sits one
                    // or two racks on, so six distinct rack pairs occur.
                    let leader = (p + t) % 3;
                    let follower = (leader + 1 + (p / 3) % 2) % 3;
                    [Arc::clone(&racks[leader]), Arc::clone(&racks[follower])]
                }))
            }
        }
    }

    /// Member number `m` (its subscription depends on `m` alone, so a member
    /// that joins later subscribes like the existing ones).
    fn member(&self, m: usize, names: &[Arc<str>], rng: &mut SplitMix64) -> Member {
        // A random suffix, as real member ids carry, so that id order is not
        // creation order.
        let id = format!("consumer-{m:05}-{:08x}", rng.next_u64() as u32);
        let member = Member::new(id);
        let bucket = m % BUCKETS;
        let member = match self.subscriptions {
            Subscriptions::Homogeneous => member.subscribe(names.iter().cloned()),
            Subscriptions::Disjoint => {
                // Bucket `b` is every topic `t` with `t % BUCKETS == b`; with
                // fewer topics than buckets, members share the topics there are.
                let buckets = BUCKETS.min(self.topics);
                member.subscribe(names.iter().skip(m % buckets).step_by(buckets).cloned())
            }
            Subscriptions::Nested => {
                let take = (self.topics * (bucket + 1) / BUCKETS).max(1);
                member.subscribe(names.iter().take(take).cloned())
            }
            Subscriptions::RandomHalf => {
                member.subscribe(names.iter().filter(|_| rng.next_u64() & 1 == 0).cloned())
            }
        };
        match self.racks {
            Racks::None => member,
            Racks::ThreeRf2 => member.with_rack(RACK_NAMES[m % 3]),
        }
    }
}

const RACK_NAMES: [&str; 3] = ["rack-a", "rack-b", "rack-c"];

fn rack_names() -> [Arc<str>; 3] {
    RACK_NAMES.map(Arc::from)
}

/// `topic-0000`, `topic-0001`, ...: name order is index order.
pub fn topic_names(topics: usize) -> Vec<Arc<str>> {
    (0..topics)
        .map(|t| Arc::from(format!("topic-{t:04}")))
        .collect()
}

/// What happened since the settled state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Nobody owns anything: the group's first assignment.
    Full,
    /// Nothing changed: every member rejoins with what it owns.
    Stable,
    /// One new member joins.
    OneJoins,
    /// A tenth of the group size joins (at least two).
    ManyJoin,
    /// One member leaves.
    OneLeaves,
    /// A tenth of the members leave (at least two), picked by the seed.
    ManyLeave,
    /// A tenth of the topics (at least one), picked by the seed, double
    /// their partition count.
    PartitionsAdded,
}

impl Event {
    /// Every event, in the benches' order.
    pub const ALL: [Event; 7] = [
        Event::Full,
        Event::Stable,
        Event::OneJoins,
        Event::ManyJoin,
        Event::OneLeaves,
        Event::ManyLeave,
        Event::PartitionsAdded,
    ];
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Event::Full => "full",
            Event::Stable => "stable",
            Event::OneJoins => "one-joins",
            Event::ManyJoin => "many-join",
            Event::OneLeaves => "one-leaves",
            Event::ManyLeave => "many-leave",
            Event::PartitionsAdded => "partitions-added",
        })
    }
}

/// `group` after every member took what `answer` gave it, in generation 1.
pub fn settle(group: &Group, answer: &Assignment) -> Group {
    let names: HashMap<&str, &Arc<str>> =
        group.topics.iter().map(|t| (&*t.name, &t.name)).collect();
    let mut next = group.clone();
    for member in &mut next.members {
        let given = answer.member(&member.id).expect("every member appears");
        member.owned = given
            .iter()
            .map(|(topic, p)| TopicPartition::new(Arc::clone(names[topic]), p))
            .collect();
        member.generation = Some(1);
    }
    next
}

/// The shape's group settled under the sticky strategy.
pub fn settled(shape: &Shape) -> Group {
    let fresh = shape.group();
    let answer = StickyAssignor::new()
        .assign(&fresh)
        .expect("generated groups are valid");
    settle(&fresh, &answer)
}

/// The group the rebalance after `event` sees, from the settled group of
/// `shape` (`settled` must come from [`settled`] for the same shape).
pub fn after(event: Event, shape: &Shape, settled: &Group) -> Group {
    let mut rng = SplitMix64::new(shape.seed ^ 0xe7e7_0000);
    let mut group = settled.clone();
    let tenth = (shape.members / 10).max(2);
    match event {
        Event::Full => {
            for member in &mut group.members {
                member.owned.clear();
                member.generation = None;
            }
        }
        Event::Stable => {}
        Event::OneJoins | Event::ManyJoin => {
            let joining = if event == Event::OneJoins { 1 } else { tenth };
            let names = topic_names(shape.topics);
            // Joiners draw from their own stream, so their ids do not depend
            // on the settled members'.
            let mut ids = SplitMix64::new(shape.seed ^ 0x10_1715);
            for m in shape.members..shape.members + joining {
                group.members.push(shape.member(m, &names, &mut ids));
            }
        }
        Event::OneLeaves => {
            group.members.remove(shape.members / 2);
        }
        Event::ManyLeave => {
            let mut order: Vec<usize> = (0..group.members.len()).collect();
            rng.shuffle(&mut order);
            let mut leaving = vec![false; group.members.len()];
            for &m in order.iter().take(tenth.min(shape.members - 1)) {
                leaving[m] = true;
            }
            let mut m = 0;
            group.members.retain(|_| {
                m += 1;
                !leaving[m - 1]
            });
        }
        Event::PartitionsAdded => {
            let mut order: Vec<usize> = (0..shape.topics).collect();
            rng.shuffle(&mut order);
            for &t in order.iter().take((shape.topics / 10).max(1)) {
                let old = &group.topics[t];
                let size = old.partitions as usize;
                group.topics[t] = shape.topic(t, &old.name, size, 2 * size);
            }
        }
    }
    group
}

/// Partitions of the group's topics: what a throughput figure counts.
pub fn partitions(group: &Group) -> u64 {
    group.topics.iter().map(|t| t.partitions as u64).sum()
}

/// `group` as a client leader holds it: the metadata's names and every
/// member's names are separate allocations, each member's one per distinct
/// name (as a decoded subscription shares its names within the message), so
/// no strategy can find a topic by the address of its name.
pub fn own_names(group: &Group) -> Group {
    let fresh = |names: &mut HashMap<String, Arc<str>>, name: &Arc<str>| {
        Arc::clone(
            names
                .entry(name.to_string())
                .or_insert_with(|| Arc::from(name.to_string())),
        )
    };
    let mut out = group.clone();
    let mut metadata = HashMap::new();
    for topic in &mut out.topics {
        topic.name = fresh(&mut metadata, &topic.name);
    }
    for member in &mut out.members {
        let mut names = HashMap::new();
        for topic in &mut member.topics {
            *topic = fresh(&mut names, topic);
        }
        for tp in &mut member.owned {
            tp.topic = fresh(&mut names, &tp.topic);
        }
    }
    out
}

/// Each member's JoinGroup metadata for `strategy`, as its client sends it
/// (owned partitions and generation as the group says).
#[allow(dead_code)] // Not every bench leads.
pub(crate) fn joined(
    group: &Group,
    strategy: kafka_assignors::Strategy,
) -> Vec<kafka_assignors::protocol::JoinedMember> {
    use kafka_assignors::protocol::{ClientState, JoinedMember, join_protocols};
    group
        .members
        .iter()
        .map(|m| {
            let state = ClientState::from(m);
            let protocols = join_protocols(&[strategy], &state).expect("encodable");
            JoinedMember::new(
                m.id.clone(),
                m.instance_id.clone(),
                protocols[0].metadata.clone(),
            )
        })
        .collect()
}
