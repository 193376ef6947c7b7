//! The group at the moment of a rebalance: plain data, as the leader sees it.

use std::borrow::Borrow;
use std::sync::Arc;

/// The rebalance protocols a strategy can run under.
///
/// Under [`Eager`](RebalanceProtocol::Eager) every member revokes everything
/// before it rejoins. Under [`Cooperative`](RebalanceProtocol::Cooperative) a
/// member keeps consuming what it owns and revokes only what the leader took
/// away, so a moved partition needs a second round to reach its new owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum RebalanceProtocol {
    /// Revoke everything, then assign (the Java client's `EAGER`).
    Eager,
    /// Revoke only what moves; a follow-up round assigns it (`COOPERATIVE`).
    Cooperative,
}

impl RebalanceProtocol {
    /// The name the Java client uses (`EAGER`, `COOPERATIVE`).
    pub fn java_name(self) -> &'static str {
        match self {
            RebalanceProtocol::Eager => "EAGER",
            RebalanceProtocol::Cooperative => "COOPERATIVE",
        }
    }
}

/// One partition of one topic.
///
/// Topic names are `Arc<str>` throughout the model so that a large group,
/// where every member names the same few hundred topics, holds each name once.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    /// The topic's name.
    pub topic: Arc<str>,
    /// The partition number. Not validated here: an out-of-range number in an
    /// owned list is ignored for ownership, as documented on [`Member::owned`].
    pub partition: i32,
}

impl TopicPartition {
    /// A partition of `topic`.
    pub fn new(topic: impl Into<Arc<str>>, partition: i32) -> Self {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

/// A topic in the cluster metadata the leader sees.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Topic {
    /// The topic's name.
    pub name: Arc<str>,
    /// How many partitions it has. Negative counts are rejected by
    /// [`Assignor::assign`](crate::Assignor::assign).
    pub partitions: i32,
    /// For each partition (index = partition number), the racks of its
    /// replicas, the leader's first. `None` when the metadata carries no rack
    /// information. Used by rack-aware assignment only.
    pub replica_racks: Option<Vec<Vec<Arc<str>>>>,
}

impl Topic {
    /// A topic with `partitions` partitions and no rack information.
    pub fn new(name: impl Into<Arc<str>>, partitions: i32) -> Self {
        Topic {
            name: name.into(),
            partitions,
            replica_racks: None,
        }
    }

    /// Sets the racks of each partition's replicas, the leader's first; the
    /// list's length must equal the partition count.
    pub fn with_replica_racks<P, R>(mut self, racks: P) -> Self
    where
        P: IntoIterator<Item = R>,
        R: IntoIterator,
        R::Item: Into<Arc<str>>,
    {
        self.replica_racks = Some(rack_lists(racks));
        self
    }
}

/// Where a member's [`owned`](Member::owned) partitions and
/// [`generation`](Member::generation) were read from.
///
/// The eager sticky strategy learns a member's previous assignment from its
/// own user data (the Java client's `StickyAssignor` user data, V0 or V1),
/// because an eager member revokes everything before it rejoins and so sends
/// an empty owned list. The cooperative strategy reads the subscription's own
/// owned partitions and generation (ConsumerProtocol v1 and v2). The
/// strategies treat both alike; the source is recorded so a caller, a log or
/// a simulation can tell them apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[non_exhaustive]
pub enum OwnedSource {
    /// The subscription's owned partitions and generation fields.
    #[default]
    Subscription,
    /// The sticky strategy's user data (previous assignment and generation).
    StickyUserData,
}

/// Where a strategy keeps a member's history on the wire, as the Java
/// client's assignors do; see [`Assignor::history`](crate::Assignor::history).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum History {
    /// Owned partitions and generation in the subscription's own fields,
    /// no user data (`range`, `roundrobin`).
    #[default]
    Subscription,
    /// The sticky user data: the previous assignment and its generation
    /// (V1; null before the first assignment), read by the leader in place
    /// of the subscription's fields (`sticky`, whose eager members revoke
    /// everything before they rejoin).
    StickyUserData,
    /// Owned partitions and generation in the subscription, and the
    /// generation again as four bytes of user data, read when the
    /// subscription is older than v2 (`cooperative-sticky`).
    CooperativeGeneration,
}

/// A group member's subscription, as the leader sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Member {
    /// The member id the coordinator gave; unique in the group.
    pub id: String,
    /// `group.instance.id`, for static members; unique in the group.
    pub instance_id: Option<String>,
    /// `client.rack`. An empty string means no rack, as on the wire.
    pub rack: Option<String>,
    /// Subscribed topics. A topic missing from the metadata has no partitions;
    /// repeats are ignored.
    pub topics: Vec<Arc<str>>,
    /// Partitions the member owned before this rebalance. Entries of topics
    /// missing from the metadata and partition numbers out of range are
    /// ignored; so are repeats. Entries of topics the member no longer
    /// subscribes to are never kept, but `cooperative-sticky` withholds such
    /// a partition for a round while this claim is its highest-generation
    /// one, since the member may still be reading it.
    pub owned: Vec<TopicPartition>,
    /// The generation in which `owned` was assigned; `None` reads as -1.
    pub generation: Option<i32>,
    /// Where `owned` and `generation` came from.
    pub owned_source: OwnedSource,
    /// The raw user data of the member's subscription, when there was any.
    /// The strategies here do not read it: the protocol layer decodes it into
    /// `owned` and `generation`.
    pub user_data: Option<Vec<u8>>,
}

impl Member {
    /// A dynamic member with no rack, no subscriptions and nothing owned.
    pub fn new(id: impl Into<String>) -> Self {
        Member {
            id: id.into(),
            instance_id: None,
            rack: None,
            topics: Vec::new(),
            owned: Vec::new(),
            generation: None,
            owned_source: OwnedSource::Subscription,
            user_data: None,
        }
    }

    /// Makes the member static with this `group.instance.id`.
    pub fn with_instance_id(mut self, instance_id: impl Into<String>) -> Self {
        self.instance_id = Some(instance_id.into());
        self
    }

    /// Sets the member's `client.rack`.
    pub fn with_rack(mut self, rack: impl Into<String>) -> Self {
        self.rack = Some(rack.into());
        self
    }

    /// Adds subscribed topics.
    pub fn subscribe<I>(mut self, topics: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Arc<str>>,
    {
        self.topics.extend(topics.into_iter().map(Into::into));
        self
    }

    /// Adds owned partitions of one topic, given as numbers or as
    /// references to them (`member.partitions(topic)` of an answer).
    pub fn with_owned<I>(mut self, topic: impl Into<Arc<str>>, partitions: I) -> Self
    where
        I: IntoIterator,
        I::Item: Borrow<i32>,
    {
        let topic = topic.into();
        self.owned.extend(
            partitions
                .into_iter()
                .map(|partition| TopicPartition::new(Arc::clone(&topic), *partition.borrow())),
        );
        self
    }

    /// Sets the generation in which the owned partitions were assigned.
    pub fn with_generation(mut self, generation: i32) -> Self {
        self.generation = Some(generation);
        self
    }

    /// Records where the owned partitions and generation were read from.
    pub fn with_owned_source(mut self, source: OwnedSource) -> Self {
        self.owned_source = source;
        self
    }

    /// Sets the raw user data of the subscription.
    pub fn with_user_data(mut self, user_data: impl Into<Vec<u8>>) -> Self {
        self.user_data = Some(user_data.into());
        self
    }

    /// The member's rack, with the empty string read as no rack.
    pub fn rack(&self) -> Option<&str> {
        self.rack.as_deref().filter(|rack| !rack.is_empty())
    }

    /// Whether the member is static (has a `group.instance.id`).
    pub fn is_static(&self) -> bool {
        self.instance_id.is_some()
    }
}

/// A consumer group at the moment of a rebalance: the topic metadata the
/// leader sees and every member's subscription.
///
/// The order of `topics`, of `members` and of every list inside them does
/// not change any strategy's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Group {
    /// Topic metadata; each name at most once.
    pub topics: Vec<Topic>,
    /// The members; each id, and each `group.instance.id`, at most once.
    pub members: Vec<Member>,
}

impl Group {
    /// An empty group.
    pub fn new() -> Self {
        Group::default()
    }

    /// Adds a topic to the metadata.
    pub fn with_topic(mut self, topic: Topic) -> Self {
        self.topics.push(topic);
        self
    }

    /// Adds a member.
    pub fn with_member(mut self, member: Member) -> Self {
        self.members.push(member);
        self
    }

    /// The member with this id.
    pub fn member(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|member| member.id == id)
    }

    /// The topic with this name.
    pub fn topic(&self, name: &str) -> Option<&Topic> {
        self.topics.iter().find(|topic| &*topic.name == name)
    }
}

/// Per partition, its replicas' racks, from any nested iterables of names
/// (the metadata of a classic topic and of a KIP-848 topic take the same).
pub(crate) fn rack_lists<P, R>(racks: P) -> Vec<Vec<Arc<str>>>
where
    P: IntoIterator<Item = R>,
    R: IntoIterator,
    R::Item: Into<Arc<str>>,
{
    racks
        .into_iter()
        .map(|replicas| replicas.into_iter().map(Into::into).collect())
        .collect()
}
