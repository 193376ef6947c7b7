//! The strategies by name: a registry above the assignors.

use std::fmt;
use std::str::FromStr;

use crate::assignment::Assignment;
use crate::assignor::Assignor;
use crate::decoded::DecodedGroup;
use crate::error::AssignError;
use crate::model::{Group, History, RebalanceProtocol};
use crate::range::RangeAssignor;
use crate::roundrobin::RoundRobinAssignor;
use crate::sticky::{CooperativeStickyAssignor, StickyAssignor};

/// The four strategies by name, each with its default settings.
///
/// ```
/// use kafka_assignors::{Assignor, Strategy};
///
/// let strategy: Strategy = "cooperative-sticky".parse()?;
/// assert_eq!(strategy, Strategy::CooperativeSticky);
/// assert_eq!(strategy.to_string(), "cooperative-sticky");
/// assert_eq!(strategy.name(), "cooperative-sticky");
/// # Ok::<(), kafka_assignors::UnknownStrategy>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Strategy {
    /// [`RangeAssignor`]: `range`.
    Range,
    /// [`RoundRobinAssignor`]: `roundrobin`.
    RoundRobin,
    /// [`StickyAssignor`]: `sticky`.
    Sticky,
    /// [`CooperativeStickyAssignor`]: `cooperative-sticky`.
    CooperativeSticky,
}

impl Strategy {
    /// Every strategy, in the order the Java client documents them.
    pub const ALL: [Strategy; 4] = [
        Strategy::Range,
        Strategy::RoundRobin,
        Strategy::Sticky,
        Strategy::CooperativeSticky,
    ];

    fn assignor(self) -> &'static dyn Assignor {
        match self {
            Strategy::Range => &RangeAssignor,
            Strategy::RoundRobin => &RoundRobinAssignor,
            Strategy::Sticky => &const { StickyAssignor::new() },
            Strategy::CooperativeSticky => &const { CooperativeStickyAssignor::new() },
        }
    }
}

impl Assignor for Strategy {
    fn name(&self) -> &'static str {
        self.assignor().name()
    }

    fn supported_protocols(&self) -> &'static [RebalanceProtocol] {
        self.assignor().supported_protocols()
    }

    fn assign(&self, group: &Group) -> Result<Assignment, AssignError> {
        self.assignor().assign(group)
    }

    fn history(&self) -> History {
        self.assignor().history()
    }

    fn assign_decoded(&self, group: &DecodedGroup) -> Result<Assignment, AssignError> {
        self.assignor().assign_decoded(group)
    }
}

impl fmt::Display for Strategy {
    /// The name, padded and aligned as the format asks (`{:<20}`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl FromStr for Strategy {
    type Err = UnknownStrategy;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Strategy::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| UnknownStrategy {
                name: name.to_string(),
                expected: "range, roundrobin, sticky, cooperative-sticky",
            })
    }
}

/// A strategy name that is none of `range`, `roundrobin`, `sticky`,
/// `cooperative-sticky` (nor, for a strategy to replay, `consumer-uniform`,
/// `consumer-range`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStrategy {
    pub(crate) name: String,
    /// The names it could have been, for the message.
    pub(crate) expected: &'static str,
}

impl UnknownStrategy {
    /// The name that was not recognised.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for UnknownStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown strategy {:?} (expected one of: {})",
            self.name, self.expected
        )
    }
}

impl std::error::Error for UnknownStrategy {}
