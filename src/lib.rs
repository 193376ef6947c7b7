//! Kafka consumer-group partition assignment strategies, as pure functions.
//!
//! At every rebalance the group leader decides which member reads which
//! partition. This crate makes that decision:
//!
//! - [`RangeAssignor`] and [`RoundRobinAssignor`] give exactly the Java
//!   client's answers, member ordering and rack-aware Range (KIP-881)
//!   included;
//! - [`StickyAssignor`] and [`CooperativeStickyAssignor`] give the exact
//!   optimum: the most even loads, then the fewest moved partitions.
//!
//! All of them implement one object-safe trait, [`Assignor`], over plain data:
//! a [`Group`] of [`Topic`]s and [`Member`]s in, an [`Assignment`] out.
//!
//! ```
//! use kafka_assignors::{Assignor, Group, Member, Strategy, Topic};
//!
//! let group = Group::new()
//!     .with_topic(Topic::new("T", 5))
//!     .with_member(Member::new("C1").subscribe(["T"]))
//!     .with_member(Member::new("C2").subscribe(["T"]))
//!     .with_member(Member::new("C3").subscribe(["T"]));
//!
//! let range = Strategy::Range.assign(&group)?;
//! assert_eq!(range.member("C1").unwrap().partitions("T"), &[0, 1]);
//! assert_eq!(range.member("C2").unwrap().partitions("T"), &[2, 3]);
//! assert_eq!(range.member("C3").unwrap().partitions("T"), &[4]);
//!
//! let roundrobin = Strategy::RoundRobin.assign(&group)?;
//! assert_eq!(roundrobin.member("C1").unwrap().partitions("T"), &[0, 3]);
//! # Ok::<(), kafka_assignors::AssignError>(())
//! ```
//!
//! The consumer protocol bytes (JoinGroup subscriptions, SyncGroup
//! assignments, the sticky strategies' user data) are in the expert module
//! [`protocol`]; server-side assignment and reconciliation for the KIP-848
//! consumer group protocol, for brokers, in [`server`].
//!
//! Bad input never panics: it gets an [`AssignError`] naming the offending
//! member or topic. Every answer is deterministic: the same group in any
//! member, topic or list order gives the same assignment.
//!
//! # Features
//!
//! - `serde`: `Serialize`/`Deserialize` for the model and the answer, in the
//!   scenario JSON format the `kassign` tool reads and writes.
//!   The consumer-protocol payloads as JSON too (`protocol::SubscriptionJson`,
//!   `protocol::AssignmentJson`, the user data), bytes as hex strings.
//! - `arbitrary`: `arbitrary::Arbitrary` for [`Group`], [`Topic`], [`Member`]
//!   and [`TopicPartition`], drawing structured groups (shared topic names,
//!   colliding claims, invalid counts) for fuzzing.
//! - `simulate` (implies `serde`): the `simulate` module, a timeline of a group's
//!   life replayed through the consumer protocol under each strategy, and
//!   what every rebalance costs.
//! - `kafka-protocol`: `From` conversions both ways between
//!   [`protocol::Subscription`] / [`protocol::AssignmentData`] and the
//!   `kafka-protocol` crate's `ConsumerProtocolSubscription` /
//!   `ConsumerProtocolAssignment`.
//!
//! # Minimum supported Rust version
//!
//! Rust 1.88.

#[cfg(feature = "arbitrary")]
mod arbitrary_impls;
mod assignment;
mod assignor;
mod bitset;
mod decoded;
mod error;
mod hash;
mod index;
mod java;
mod model;
mod notes;
pub mod protocol;
mod range;
mod roundrobin;
mod rounds;
#[cfg(feature = "serde")]
mod serde_impls;
pub mod server;
#[cfg(feature = "simulate")]
pub mod simulate;
mod spare;
mod sticky;
mod strategy;

pub use crate::assignment::{Assignment, MemberAssignment};
pub use crate::assignor::Assignor;
pub use crate::error::{AssignError, AssignErrorKind};
pub use crate::index::MAX_PARTITIONS;
pub use crate::model::{
    Group, History, Member, OwnedSource, RebalanceProtocol, Topic, TopicPartition,
};
pub use crate::notes::Note;
pub use crate::range::RangeAssignor;
pub use crate::roundrobin::RoundRobinAssignor;
pub use crate::rounds::{Loads, Ownership, Settled};
pub use crate::sticky::{CooperativeStickyAssignor, RackMatch, StickyAssignor};
pub use crate::strategy::{Strategy, UnknownStrategy};

// The README's examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
