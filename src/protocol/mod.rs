//! The consumer protocol bytes: what members and the leader exchange through
//! JoinGroup and SyncGroup, byte for byte as the Java client writes them.
//!
//! - [`Subscription`] (JoinGroup metadata) and [`AssignmentData`] (SyncGroup
//!   payload), ConsumerProtocol versions 0 to 3, classic big-endian encoding;
//! - the sticky strategies' user data: [`StickyUserData`] (V0 and V1) and the
//!   cooperative generation ([`cooperative_user_data`]);
//! - the rebalance itself: [`rebalance_protocol`] and [`join_protocols`] on
//!   the member side, [`select_strategy`] as the broker picks, [`lead`] for
//!   the leader and [`follow`] for each member.
//!
//! With the `kafka-protocol` feature, [`Subscription`] and [`AssignmentData`]
//! convert to and from that crate's `ConsumerProtocolSubscription` and
//! `ConsumerProtocolAssignment` (`From` both ways), for clients that speak the
//! group requests with it.
//!
//! Decoding never panics and never allocates more than the input could hold:
//! every array count is checked against the bytes left first, one message's
//! names are interned (a repeated name shares one allocation), and a message
//! may name at most [`MAX_DECODED_NAMES`] topics, so what a decoded message
//! holds is at most about eight bytes per byte of input plus its distinct
//! names. Errors carry the byte offset ([`DecodeError::offset`]).
//!
//! # Where this differs from the Java client
//!
//! Invalid UTF-8 in a name is a [`DecodeErrorKind::InvalidUtf8`] error here;
//! the Java client replaces the bad bytes with U+FFFD, which can silently
//! turn two different topics into one name.
//!
//! ```
//! use kafka_assignors::TopicPartition;
//! use kafka_assignors::protocol::{AssignmentData, Subscription};
//!
//! let sub = Subscription::new(["orders", "audit"])
//!     .with_owned_partitions([TopicPartition::new("orders", 1)])
//!     .with_generation(4);
//! let bytes = sub.encode()?;
//! let decoded = Subscription::decode(&bytes)?;
//! assert_eq!(decoded.version, 3);
//! // Encoding sorts the topics, as the Java client does.
//! assert_eq!(&*decoded.subscription.topics[0], "audit");
//! assert_eq!(decoded.subscription.generation, Some(4));
//!
//! let assignment = AssignmentData::new([TopicPartition::new("orders", 0)]);
//! let back = AssignmentData::decode(&assignment.encode()?)?;
//! assert_eq!(back.assignment, assignment);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod consumer;
mod decoded;
mod group;
#[cfg(feature = "serde")]
mod json;
#[cfg(feature = "kafka-protocol")]
mod kafka_protocol_impls;
mod user_data;
mod wire;

pub use crate::decoded::{
    DecodedGroup, DecodedGroupBuilder, DecodedGroupError, DecodedGroupErrorKind,
};
pub use consumer::{
    AssignmentData, DecodedAssignment, DecodedSubscription, LATEST_VERSION, Subscription,
    group_by_topic,
};
pub use group::{
    AssignmentChange, ClientState, JoinProtocol, JoinedMember, Leader, LeaderAssignment,
    LeaderError, LeaderErrorKind, Led, NegotiationError, assignment_change, decode_member, follow,
    join_protocols, lead, rebalance_protocol, select_strategy,
};
#[cfg(feature = "serde")]
pub use json::{
    AssignmentJson, CooperativeUserDataJson, HexBytes, HexError, JsonFormError, JsonFormErrorKind,
    PartitionMap, StickyUserDataJson, SubscriptionJson, SyncJson, Trailing, UserDataFormat,
    UserDataJson,
};
pub use user_data::{
    StickyFormat, StickyUserData, cooperative_user_data, decode_cooperative_user_data,
    java_hash_map_order,
};
pub use wire::{
    DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind, MAX_DECODED_NAMES, TopicPartitions,
};
