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
//!
//! A member may still claim partitions of a topic it no longer subscribes
//! to: a client whose regex subscription changed, or one that does not
//! revoke dropped topics before it rejoins. Such a claim can never be kept
//! (a partition goes only to a subscriber), so the solver ignores it, but
//! the member may still be reading the partition. Under the cooperative
//! protocol it therefore takes part in the owner rule above: a partition
//! whose highest-generation claim is such a claim, alone or tied, is
//! withheld for a round, exactly as a partition that changes owner.
//! Claims on topics missing from the metadata, on topics nobody subscribes
//! to, and on partitions out of range are ignored everywhere.

use crate::bitset::Bitset;
use crate::index::{Csr, GroupIndex, Interned, MemberIdx, OwnedReader, Owner, PartitionIdx};

/// Per global partition: its owner, [`Owner::NONE`] when unclaimed, or
/// [`Owner::CONTESTED`]. `owned` is the index's owned rows. With `foreign`
/// (per member, its claims on topics it does not subscribe to), those
/// claims compete too, and a partition they win is [`Owner::FOREIGN`].
pub(crate) fn resolve_owners(
    index: &GroupIndex,
    owned: &Csr<PartitionIdx>,
    foreign: Option<&Csr<PartitionIdx>>,
) -> Vec<Owner> {
    let total = index.total_partitions as usize;
    // Owner and its generation side by side: one cache line per claim.
    let mut claims = vec![(Owner::NONE, i32::MIN); total];
    let mut compete = |p: PartitionIdx, claimant: Owner, generation: i32| {
        let claim = &mut claims[p.index()];
        if !claim.0.is_claimed() || generation > claim.1 {
            *claim = (claimant, generation);
        } else if generation == claim.1 {
            claim.0 = Owner::CONTESTED;
        }
    };
    for m in MemberIdx::all(index.members.len()) {
        let generation = index.generation(m);
        for &p in owned.row(m.index()) {
            compete(p, Owner::member(m), generation);
        }
        if let Some(foreign) = foreign {
            for &p in foreign.row(m.index()) {
                compete(p, Owner::FOREIGN, generation);
            }
        }
    }
    claims.into_iter().map(|(owner, _)| owner).collect()
}

/// Per member, its claims on partitions of topics it does not subscribe to
/// (see the module docs), sorted, without repeats; `None` when no member
/// has any, as in a group of well-behaved clients.
pub(crate) fn foreign_claims(index: &Interned<'_>) -> Option<Csr<PartitionIdx>> {
    let members = index.members.len();
    let mut reader = OwnedReader::new(index);
    let mut rows = Csr::with_capacity(members, 0);
    for m in 0..members {
        reader.read_foreign(m, |p| rows.push(p));
        rows.end_row(true);
    }
    (rows.total() > 0).then_some(rows)
}

/// What each member holds, for the paths that work member by member, read
/// from the members' own lists rather than stored: a member's list that
/// comes in order is read again when its partitions are needed, so a
/// million claims cost a bit each instead of a `u32`.
pub(crate) struct Holdings {
    /// Per member: how many partitions it owns.
    pub(crate) counts: Vec<u32>,
    /// Per member: its row in `rows`, or `None` when its list is read
    /// again from the group.
    stored: Vec<Option<u32>>,
    rows: Csr<PartitionIdx>,
    /// Every partition somebody claims, owner or not.
    pub(crate) claimed: Bitset,
    /// Every partition somebody owns.
    pub(crate) holding: Bitset,
}

impl Holdings {
    /// Reads every member's claims once. Claims rarely collide, and when
    /// none does every claim is its partition's owner: one bit per
    /// partition proves that, without an owner array.
    pub(crate) fn read(index: &Interned<'_>) -> Self {
        let members = index.members.len();
        let total = index.total_partitions as usize;
        let mut reader = OwnedReader::new(index);
        let mut claimed = Bitset::new(total);
        let mut counts = Vec::with_capacity(members);
        let mut stored = vec![None; members];
        let mut rows = Csr::with_capacity(0, 0);
        let mut scratch: Vec<PartitionIdx> = Vec::new();
        let mut collided = false;
        for (m, stored) in stored.iter_mut().enumerate() {
            scratch.clear();
            let mut in_order = true;
            reader.read(m, |p| {
                in_order &= scratch.last().is_none_or(|&last| last < p);
                scratch.push(p);
            });
            if !in_order {
                // Out of order or repeated: sorted once and kept.
                scratch.sort_unstable();
                scratch.dedup();
                *stored = Some(rows.rows() as u32);
                for &p in &scratch {
                    rows.push(p);
                }
                rows.end_row(false);
            }
            for &p in &scratch {
                collided |= claimed.replace(p);
            }
            counts.push(scratch.len() as u32);
        }
        if !collided {
            return Holdings {
                counts,
                stored,
                rows,
                holding: claimed.clone(),
                claimed,
            };
        }
        // Some partition has several claimants: keep each member's rows,
        // less the claims that do not make it the owner.
        let owned = index.owned_rows();
        let owner = resolve_owners(index, &owned, None);
        let mut rows = Csr::with_capacity(members, owned.total());
        let mut holding = Bitset::new(total);
        counts.clear();
        for m in MemberIdx::all(members) {
            let start = rows.total();
            for &p in owned.row(m.index()) {
                if owner[p.index()].is(m) {
                    rows.push(p);
                    holding.replace(p);
                }
            }
            counts.push((rows.total() - start) as u32);
            rows.end_row(false);
        }
        Holdings {
            counts,
            stored: (0..members as u32).map(Some).collect(),
            rows,
            claimed,
            holding,
        }
    }

    /// Calls `f` with member `m`'s partitions, ascending.
    #[inline(always)]
    pub(crate) fn for_each(
        &self,
        m: usize,
        reader: &mut OwnedReader<'_, '_>,
        mut f: impl FnMut(PartitionIdx),
    ) {
        if let Some(row) = self.stored[m] {
            for &p in self.rows.row(row as usize) {
                f(p);
            }
        } else {
            reader.read(m, f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Group, Member, Topic};

    fn owners(group: &Group) -> Vec<Owner> {
        let index = Interned::new(group, crate::index::RackUse::Ignored).unwrap();
        resolve_owners(&index, &index.owned_rows(), None)
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
        let member = |m| Owner::member(MemberIdx::new(m));
        assert_eq!(owners(&group), vec![member(1), Owner::CONTESTED, member(0)]);
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
        assert_eq!(owners(&group), vec![Owner::member(MemberIdx::new(2))]);
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
        assert_eq!(owners(&stale_after_contest), vec![Owner::CONTESTED]);
    }
}
