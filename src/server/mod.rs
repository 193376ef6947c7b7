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

mod error;
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
    GroupSpec, GroupTarget, MemberSpec, MemberTarget, SubscribedTopicDescriber, SubscriptionType,
    TargetAssignment, TargetAssignor, TopicDescription, TopicMetadata,
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
