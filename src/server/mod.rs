//! Server-side assignment for the KIP-848 consumer group protocol, for
//! brokers.
//!
//! Under KIP-848 the broker's group coordinator, not a group leader,
//! computes each group's *target assignment* with a server-side assignor
//! (`uniform` or `range`, chosen by the client's `group.remote.assignor`),
//! and then reconciles every member towards its target epoch by epoch,
//! never handing a partition to a member before its previous owner has
//! released it. This module gives both halves as pure functions: the target
//! assignors (the shape of Kafka's `ConsumerGroupPartitionAssignor`) and the
//! per-member reconciliation step (the semantics of Kafka's
//! `CurrentAssignmentBuilder`).
//!
//! Topics are identified by their 16-byte [`TopicId`], as in the protocol.

mod closed;
mod error;
mod from_group;
mod range;
mod reconcile;
mod spec;
mod target;
mod uniform;

use std::fmt;

pub use self::error::{TargetError, TargetErrorKind};
pub use self::range::RangeTargetAssignor;
pub use self::reconcile::{
    CurrentAssignment, Heartbeat, MemberState, PartitionEpochs, PartitionOwners, PartitionSet,
    ReconcileError, ReconcileErrorKind, Reconciled, Subscription, reconcile,
};
pub use self::target::{
    GroupSpec, GroupTarget, MemberSpec, MemberTarget, Partitions, PartitionsIter, Runs,
    SubscribedTopicDescriber, SubscriptionType, TargetAssignment, TargetAssignor, TargetRef,
    TopicDescription, TopicMetadata,
};
pub use self::uniform::UniformTargetAssignor;

/// A topic's 16-byte id (a UUID), as the KIP-848 protocol names topics.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TopicId(pub [u8; 16]);

impl TopicId {
    /// The id's 16 bytes, most significant first.
    pub const fn bytes(&self) -> [u8; 16] {
        self.0
    }

    /// A topic id derived from a topic name alone, for tools that know
    /// topics by name (`kassign target`, the consumer-protocol replay of
    /// `simulate`): two 64-bit FNV-1a hashes of the name's UTF-8 bytes
    /// (offset bases `0xcbf29ce484222325` and `0x84222325cbf29ce4`), the
    /// first the most significant 8 bytes. Deterministic; distinct names can
    /// in principle share an id, which callers must check.
    ///
    /// ```
    /// use kafka_assignors::server::TopicId;
    /// assert_eq!(TopicId::from_name("orders"), TopicId::from_name("orders"));
    /// assert_ne!(TopicId::from_name("orders"), TopicId::from_name("payments"));
    /// ```
    pub fn from_name(name: &str) -> Self {
        fn fnv1a(basis: u64, bytes: &[u8]) -> u64 {
            bytes.iter().fold(basis, |hash, &b| {
                (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
        }
        let high = fnv1a(0xcbf2_9ce4_8422_2325, name.as_bytes());
        let low = fnv1a(0x8422_2325_cbf2_9ce4, name.as_bytes());
        Self::from((u128::from(high) << 64) | u128::from(low))
    }
}

impl TopicId {
    /// The canonical hyphenated text, as [`Display`](fmt::Display) writes
    /// it, without the formatting machinery.
    pub(crate) fn text(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(36);
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                out.push('-');
            }
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 0xf)] as char);
        }
        out
    }
}

impl From<[u8; 16]> for TopicId {
    fn from(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }
}

impl From<u128> for TopicId {
    /// The UUID whose most significant 64 bits are `id >> 64` (Java's
    /// `Uuid(mostSigBits, leastSigBits)`).
    fn from(id: u128) -> Self {
        Self(id.to_be_bytes())
    }
}

impl fmt::Debug for TopicId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TopicId({self})")
    }
}

impl fmt::Display for TopicId {
    /// The UUID in its canonical hyphenated hexadecimal form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::TopicId;

    #[test]
    fn a_topic_id_prints_as_a_uuid() {
        let id = TopicId::from(0x0011_2233_4455_6677_8899_aabb_ccdd_eeffu128);
        assert_eq!(id.to_string(), "00112233-4455-6677-8899-aabbccddeeff");
        assert_eq!(id.text(), id.to_string());
        assert_eq!(id.bytes()[0], 0x00);
        assert_eq!(id.bytes()[15], 0xff);
    }
}
