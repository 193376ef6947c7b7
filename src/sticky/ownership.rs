//! Who owns each partition before the rebalance.
//!
//! A partition's owner is its one claimant with the highest generation (a
//! missing generation reads as -1). When two members claim it at that highest
//! generation, neither owns it: it is assigned as new, and the cooperative
//! strategy withholds it for a round, because either member may still be
//! reading it. A member returning with a stale claim (a lower generation than
//! the owner's) is not the owner; that is where this crate departs from the
//! Java client, which drops every owned partition of a member whose
//! generation is not the group's highest.

use std::borrow::Cow;

use crate::bitset::Bitset;
use crate::index::{Csr, GroupIndex, NONE};

/// A partition claimed by several members at its highest generation.
pub(crate) const CONTESTED: u32 = NONE - 1;

/// Per global partition: its owner, [`NONE`] when unclaimed, or
/// [`CONTESTED`].
pub(crate) fn resolve_owners(index: &GroupIndex<'_>) -> Vec<u32> {
    let total = index.total_partitions as usize;
    // Owner and its generation side by side: one cache line per claim.
    let mut claims = vec![(NONE, i32::MIN); total];
    for m in 0..index.members.len() {
        let generation = index.generation(m as u32);
        for &p in index.owned.row(m) {
            let claim = &mut claims[p as usize];
            if claim.0 == NONE || generation > claim.1 {
                *claim = (m as u32, generation);
            } else if generation == claim.1 {
                claim.0 = CONTESTED;
            }
        }
    }
    claims.into_iter().map(|(owner, _)| owner).collect()
}

/// What each member holds, for the paths that work member by member.
pub(crate) struct Held<'i> {
    /// Per member: the partitions it owns, ascending.
    pub(crate) rows: Cow<'i, Csr>,
    /// Every partition somebody claims, owner or not.
    pub(crate) claimed: Bitset,
    /// Every partition somebody owns: `rows` as a set.
    pub(crate) holding: Bitset,
}

/// Per member, the claims that make it the owner. Claims rarely collide, and
/// when none does every claim is its partition's owner: one bit per
/// partition proves that, without an owner array.
pub(crate) fn held<'i>(index: &'i GroupIndex<'_>) -> Held<'i> {
    let mut claimed = Bitset::new(index.total_partitions as usize);
    let mut collided = false;
    for &p in index.owned.items() {
        collided |= claimed.replace(p);
    }
    if !collided {
        return Held {
            rows: Cow::Borrowed(&index.owned),
            holding: claimed.clone(),
            claimed,
        };
    }
    let owner = resolve_owners(index);
    let members = index.members.len();
    let mut rows = Csr::with_capacity(members, index.owned.total());
    let mut holding = Bitset::new(index.total_partitions as usize);
    for m in 0..members {
        for &p in index.owned.row(m) {
            if owner[p as usize] == m as u32 {
                rows.push(p);
                holding.replace(p);
            }
        }
        rows.end_row(false);
    }
    Held {
        rows: Cow::Owned(rows),
        claimed,
        holding,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Group, Member, Topic};

    fn owners(group: &Group) -> Vec<u32> {
        resolve_owners(&GroupIndex::with_owned(group).unwrap())
    }

    #[test]
    fn highest_generation_wins_and_ties_are_contested() {
        let group = Group::new()
            .with_topic(Topic::new("t", 3))
            .with_member(
                Member::new("a")
                    .subscribe(["t"])
                    .with_owned("t", [0, 1, 2])
                    .with_generation(5),
            )
            .with_member(
                Member::new("b")
                    .subscribe(["t"])
                    .with_owned("t", [0, 1])
                    .with_generation(7),
            )
            .with_member(
                Member::new("c")
                    .subscribe(["t"])
                    .with_owned("t", [1])
                    .with_generation(7),
            );
        assert_eq!(owners(&group), vec![1, CONTESTED, 0]);
    }

    #[test]
    fn a_later_higher_generation_overrides_a_contest() {
        let group = Group::new()
            .with_topic(Topic::new("t", 1))
            .with_member(
                Member::new("a")
                    .subscribe(["t"])
                    .with_owned("t", [0])
                    .with_generation(3),
            )
            .with_member(
                Member::new("b")
                    .subscribe(["t"])
                    .with_owned("t", [0])
                    .with_generation(3),
            )
            .with_member(
                Member::new("c")
                    .subscribe(["t"])
                    .with_owned("t", [0])
                    .with_generation(4),
            );
        assert_eq!(owners(&group), vec![2]);
        let stale_after_contest = Group::new()
            .with_topic(Topic::new("t", 1))
            .with_member(
                Member::new("a")
                    .subscribe(["t"])
                    .with_owned("t", [0])
                    .with_generation(3),
            )
            .with_member(
                Member::new("b")
                    .subscribe(["t"])
                    .with_owned("t", [0])
                    .with_generation(3),
            )
            .with_member(Member::new("c").subscribe(["t"]).with_owned("t", [0]));
        assert_eq!(owners(&stale_after_contest), vec![CONTESTED]);
    }
}
