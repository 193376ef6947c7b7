//! The one trait every strategy implements.

use std::fmt;

use crate::assignment::Assignment;
use crate::decoded::DecodedGroup;
use crate::error::AssignError;
use crate::model::{Group, History, RebalanceProtocol};

/// A partition assignment strategy: a pure function from a group to an
/// assignment.
///
/// Implementations keep no state between calls: everything a strategy needs
/// from the previous generation (owned partitions, generations) is in the
/// [`Group`]. The trait is object safe, so strategies can be chosen at run
/// time as `&dyn Assignor` or `Box<dyn Assignor>`.
pub trait Assignor: Send + Sync + fmt::Debug {
    /// The name members put in the JoinGroup protocol list: `range`,
    /// `roundrobin`, `sticky` or `cooperative-sticky`.
    fn name(&self) -> &'static str;

    /// The rebalance protocols the strategy supports, oldest first.
    fn supported_protocols(&self) -> &'static [RebalanceProtocol];

    /// Assigns the group's partitions to its members.
    ///
    /// Every member of the group appears in the answer. The answer does not
    /// depend on the order of members, topics or any list inside them.
    ///
    /// # Errors
    ///
    /// An [`AssignError`] naming the member, topic or value when the group
    /// breaks a rule of the model (see [`AssignErrorKind`](crate::AssignErrorKind)).
    fn assign(&self, group: &Group) -> Result<Assignment, AssignError>;

    /// Where the strategy keeps a member's history on the wire: what it
    /// writes as user data when a member joins, and where the leader reads
    /// owned partitions and generation from ([`History`]). The protocol
    /// module's `join_protocols`, `decode_member` and `lead` follow it, so
    /// any assignor, configured or a user's own, can lead a group.
    fn history(&self) -> History {
        History::Subscription
    }

    /// Assigns a group its leader decoded from JoinGroup metadata
    /// ([`lead`](crate::protocol::lead) calls this). The answer is the one
    /// [`assign`](Self::assign) gives for [`DecodedGroup::to_group`]; that
    /// is what this default does. The built-in strategies read the decoded
    /// group's interned form directly instead, so a leader never builds
    /// the model's strings.
    ///
    /// # Errors
    ///
    /// As [`assign`](Self::assign).
    fn assign_decoded(&self, group: &DecodedGroup) -> Result<Assignment, AssignError> {
        self.assign(&group.to_group())
    }
}

/// A reference to an assignor is one, so `lead(&my_assignor, ...)` and
/// `lead(Strategy::Range, ...)` both work.
impl<A: Assignor + ?Sized> Assignor for &A {
    fn name(&self) -> &'static str {
        (**self).name()
    }

    fn supported_protocols(&self) -> &'static [RebalanceProtocol] {
        (**self).supported_protocols()
    }

    fn assign(&self, group: &Group) -> Result<Assignment, AssignError> {
        (**self).assign(group)
    }

    fn history(&self) -> History {
        (**self).history()
    }

    fn assign_decoded(&self, group: &DecodedGroup) -> Result<Assignment, AssignError> {
        (**self).assign_decoded(group)
    }
}
