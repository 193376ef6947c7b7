//! The leader's group, decoded straight from the members' JoinGroup metadata
//! into integers: one name table for the whole group (seeded with the
//! metadata's names), each member's subscription as name ids, and each
//! member's owned partitions as (name id, partition) pairs. No `Arc<str>`
//! per name per member and no `TopicPartition` per partition: the built-in
//! strategies read this form directly ([`Assignor::assign_decoded`]), and
//! the model's [`Group`] is built only when somebody asks for it
//! ([`DecodedGroup::to_group`]).

use std::sync::Arc;

use crate::assignment::Assignment;
use crate::assignor::Assignor;
use crate::decoded::{DecodedGroup, DecodedGroupBuilder};
use crate::model::{Group, History, Member, OwnedSource, Topic, TopicPartition};
use crate::protocol::consumer::read_version;
use crate::protocol::group::{JoinedMember, LeaderError, LeaderErrorKind};
use crate::protocol::user_data::decode_cooperative_user_data;
use crate::protocol::wire::{DecodeError, Names, Reader, Stream, Writer};

impl DecodedGroup {
    /// [`DecodedGroup::builder`] for the next rebalance of the same group,
    /// in this group's memory: the new group fills this one's lists, and
    /// its answer fills the lists of `answer` (the answer given for this
    /// group), instead of fresh memory.
    ///
    /// A million-partition answer and its group are tens of megabytes,
    /// which the allocator gives back to the system once they are dropped
    /// and faults in afresh for the next (see
    /// [`Leader`](crate::protocol::Leader), which does this for JoinGroup
    /// bytes). The result is the same as from a fresh builder.
    ///
    /// ```
    /// use kafka_assignors::protocol::{DecodedGroup, DecodedGroupBuilder};
    /// use kafka_assignors::{Assignor, CooperativeStickyAssignor, Member, Topic};
    ///
    /// // c1 owns what it was given; c2 joins.
    /// let build = |mut builder: DecodedGroupBuilder| {
    ///     let orders = builder.name("orders");
    ///     let claims = [(orders, 0), (orders, 1), (orders, 2)];
    ///     builder.member(Member::new("c1").with_generation(1), &[orders], claims).unwrap();
    ///     builder.member(Member::new("c2"), &[orders], []).unwrap();
    ///     builder.build()
    /// };
    /// let sticky = CooperativeStickyAssignor::new();
    /// let group = build(DecodedGroup::builder(vec![Topic::new("orders", 3)]));
    /// let answer = sticky.assign_decoded(&group).unwrap();
    /// let next = build(group.rebuild(vec![Topic::new("orders", 4)], Some(answer)));
    /// let fresh = build(DecodedGroup::builder(vec![Topic::new("orders", 4)]));
    /// assert_eq!(next, fresh);
    /// assert_eq!(sticky.assign_decoded(&next).unwrap(), sticky.assign_decoded(&fresh).unwrap());
    /// ```
    pub fn rebuild(
        mut self,
        topics: Vec<Topic>,
        answer: Option<Assignment>,
    ) -> DecodedGroupBuilder {
        self.clear();
        if let Some(answer) = answer {
            self.spare.put(answer.into_lists());
        }
        self.into_builder(topics)
    }

    /// Decodes every member's metadata as `assignor` reads it
    /// ([`Assignor::history`]), beside the metadata `topics`.
    ///
    /// # Errors
    ///
    /// [`LeaderErrorKind::BadMetadata`] naming the first member, in the
    /// order given, whose metadata is not a readable subscription, and the
    /// byte offset.
    pub fn decode(
        assignor: impl Assignor,
        members: &[JoinedMember],
        topics: Vec<Topic>,
    ) -> Result<Self, LeaderError> {
        Self::decode_reusing(assignor, members, topics, None)
    }

    /// [`Self::decode`] into the lists of `previous`, a group decoded before
    /// (a leader's last rebalance), whose capacity is kept: nothing of its
    /// content is.
    pub(crate) fn decode_reusing(
        assignor: impl Assignor,
        members: &[JoinedMember],
        topics: Vec<Topic>,
        previous: Option<DecodedGroup>,
    ) -> Result<Self, LeaderError> {
        let mut names = Names::seeded(topics.iter().map(|t| &t.name));
        let mut group = previous.unwrap_or_else(|| DecodedGroup::empty(members.len()));
        group.clear();
        group
            .topic_name
            .extend(topics.iter().map(|t| names.id_of(&t.name).expect("seeded")));
        group.topics = topics;
        let history = assignor.history();
        group.claim_starts.push(0);
        // The previous member's topic array, as bytes and as ids.
        let mut previous: Option<(&[u8], std::ops::Range<usize>)> = None;
        for joined in members {
            let member = group
                .read_member(history, joined, &mut names, &mut previous)
                .map_err(|source| LeaderError {
                    kind: LeaderErrorKind::BadMetadata {
                        member: joined.member_id.clone(),
                        source,
                    },
                })?;
            group.members.push(member);
            group.claim_starts.push(group.claims.len());
            if group.members.len() == 1 {
                group.reserve_like_first(members);
            }
        }
        group.names = names.into_names();
        Ok(group)
    }

    /// Members of one group mostly subscribe and own alike: once the first
    /// is read, room for the others to be like it, so the lists do not grow
    /// by doubling (copying and faulting in twice the memory). Never more
    /// than the rest of the input could hold: a name id takes at least two
    /// bytes of it, a claim four.
    fn reserve_like_first(&mut self, members: &[JoinedMember]) {
        let others = members.len() - 1;
        let bytes: usize = members[1..].iter().map(|m| m.metadata.len()).sum();
        self.subscribed
            .reserve((self.subscribed.len() * others).min(bytes / 2));
        self.claims
            .reserve((self.claims.len() * others).min(bytes / 4));
    }

    /// Reads one member's subscription (ConsumerProtocol v0 and up), its
    /// topics and claims into the group's lists, the rest into a member.
    ///
    /// `previous` is the topic array of the member before, as bytes and as
    /// ids; this member's becomes it. Members mostly subscribe alike, and
    /// the same bytes are the same ids without reading a name.
    fn read_member<'j>(
        &mut self,
        history: History,
        joined: &'j JoinedMember,
        names: &mut Names,
        previous: &mut Option<(&'j [u8], std::ops::Range<usize>)>,
    ) -> Result<Member, DecodeError> {
        let mut r = Reader::with_names(&joined.metadata, names, Stream::Subscription);
        let version = read_version(&mut r)?;
        let topics_at = r.position();
        let ids = match previous.take() {
            // An array is self-delimiting: the same bytes read the same, and
            // the member shares the previous member's list.
            Some((bytes, ids)) if r.rest().starts_with(bytes) => {
                let last = ids.clone().last().map(|i| self.subscribed[i]);
                r.skip_known_names(bytes.len(), ids.len(), last, "topics")?;
                ids
            }
            _ => {
                let first_id = self.subscribed.len();
                let (count, capacity) = r.name_count("topics", 2)?;
                self.subscribed.reserve(capacity);
                for _ in 0..count {
                    let id = r.topic_id("topic name")?;
                    self.subscribed.push(id);
                }
                first_id..self.subscribed.len()
            }
        };
        self.subscribed_ranges.push((ids.start, ids.end));
        *previous = Some((&joined.metadata[topics_at..r.position()], ids));
        let user_data = r.nullable_bytes("user data")?;
        let claims_start = self.claims.len();
        if version >= 1 {
            r.claims_into("owned partitions", &mut self.claims)?;
        }
        let mut generation = None;
        if version >= 2 {
            generation = Some(r.i32("generation id")?).filter(|&g| g >= 0);
        }
        let mut rack = None;
        if version >= 3 {
            rack = r
                .nullable_string("rack id")?
                .filter(|rack| !rack.is_empty())
                .map(str::to_string);
        }
        drop(r);

        let mut member = Member::new(joined.member_id.clone());
        member.instance_id = joined.group_instance_id.clone();
        member.rack = rack;
        let mut rebuilt = false;
        match history {
            History::StickyUserData => {
                // The subscription's own list was read to check it, and
                // gives way to the user data's.
                self.claims.truncate(claims_start);
                (member.generation, rebuilt) = self.read_sticky_user_data(user_data, names);
                member.owned_source = OwnedSource::StickyUserData;
            }
            History::CooperativeGeneration => {
                member.generation = generation.or_else(|| decode_cooperative_user_data(user_data));
            }
            _ => member.generation = generation,
        }
        // Sticky user data is the member's whole history (a million
        // partitions' worth in a large group): when the claims and the
        // generation say it byte for byte, it is rebuilt on request
        // (`to_group`) instead of copied.
        if rebuilt {
            self.rebuilt_user_data.resize(self.members.len(), false);
            self.rebuilt_user_data.push(true);
        } else {
            member.user_data = user_data.map(<[u8]>::to_vec);
        }
        Ok(member)
    }

    /// Reads the sticky user data's previous assignment into the claims and
    /// returns its generation, as [`StickyUserData::decode`] reads it:
    /// nothing for no data, nothing and generation -1 for data that does
    /// not parse, no generation for V0. And whether the data is exactly
    /// what [`rebuild_sticky_user_data`] writes from the claims and the
    /// generation: runs, then a generation or nothing, then no more bytes.
    ///
    /// [`StickyUserData::decode`]: crate::protocol::StickyUserData::decode
    fn read_sticky_user_data(
        &mut self,
        data: Option<&[u8]>,
        names: &mut Names,
    ) -> (Option<i32>, bool) {
        let Some(bytes) = data.filter(|b| !b.is_empty()) else {
            return (None, false);
        };
        let start = self.claims.len();
        let mut r = Reader::with_names(bytes, names, Stream::UserData);
        let Ok(runs) = r.claims_into("previous assignment", &mut self.claims) else {
            self.claims.truncate(start);
            return (Some(-1), false);
        };
        let generation = r.i32("generation").ok();
        (generation, runs && r.rest().is_empty())
    }

    /// The model's group: each member with its topics and owned partitions
    /// as names (the table's own `Arc`s, so one allocation per name for the
    /// whole group), in the order the members were received.
    pub fn to_group(&self) -> Group {
        let mut group = Group::new();
        group.topics = self.topics.clone();
        group.members = (0..self.members.len())
            .map(|m| {
                let mut member = self.members[m].clone();
                member.topics = self
                    .subscribed(m)
                    .iter()
                    .map(|&id| Arc::clone(&self.names[id as usize]))
                    .collect();
                member.owned = self
                    .claims(m)
                    .iter()
                    .map(|&(id, p)| TopicPartition::new(Arc::clone(&self.names[id as usize]), p))
                    .collect();
                if self.rebuilt_user_data.get(m) == Some(&true) {
                    member.user_data = Some(rebuild_sticky_user_data(
                        &self.names,
                        self.claims(m),
                        member.generation,
                    ));
                }
                member
            })
            .collect();
        group
    }
}

/// Sticky user data as the claims' runs and the generation: the bytes a
/// member sent when [`DecodedGroup::read_sticky_user_data`] said they were
/// rebuilt from these. They were read from the wire, so they fit on it.
fn rebuild_sticky_user_data(
    names: &[Arc<str>],
    claims: &[(u32, i32)],
    generation: Option<i32>,
) -> Vec<u8> {
    let mut w = Writer::default();
    w.claim_runs(names, claims, "previous assignment")
        .expect("names and counts read from the wire fit on it");
    if let Some(generation) = generation {
        w.i32(generation);
    }
    w.bytes
}
