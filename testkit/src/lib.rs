//! The one test kit of `kafka-assignors`, used by its tests, benches, fuzz
//! targets, the Java oracle driver (`interop/oracle`) and `kassign generate`.
//! Each piece exists once:
//!
//! - [`rng`]: SplitMix64, the seeded generator every harness draws from, and
//!   [`rng::shuffled`], a group in another order.
//! - [`shapes`]: the benches' group shapes (member, topic and partition
//!   counts, subscriptions, racks) and the rebalance events on a settled group.
//! - [`owners`]: the owner rule written the obvious way (the unique
//!   highest-generation claimant), the oracle the library's fast
//!   `sticky::ownership` is compared against, and the cooperative
//!   highest claimants.
//! - [`reference`](mod@reference): the exhaustive sticky oracle for tiny groups.
//! - [`synthetic`]: `kassign generate`'s seeded groups, streamed as scenario
//!   JSON.
//! - [`join`]: a group as its members' JoinGroup requests.
//! - [`kip848`]: a model KIP-848 coordinator driving many members through
//!   the reconciliation step, with its invariants.
//! - [`check`]: answers as maps, validity, the balance certificate and
//!   cooperative rounds.
//! - `strategies` (feature `proptest`): proptest strategies for small,
//!   messy, valid groups.
//!
//! Nothing here shares code with the solver: the oracles are written again
//! from the documented rules, so a bug in the library cannot hide in both.

pub mod check;
pub mod join;
pub mod kip848;
pub mod owners;
pub mod reference;
pub mod rng;
pub mod shapes;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod synthetic;

/// A partition as (topic, number).
pub type Tp = (String, i32);
