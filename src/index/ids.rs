//! Dense ids, one type per kind of thing.
//!
//! Everything the algorithms handle is a `u32` underneath: a member's place
//! in member-id order, a subscribed topic's place in name order, a
//! partition's global index, a class of interchangeable partitions, a rack.
//! Each kind gets its own type, so a member id cannot index a topic table or
//! be compared with a partition by mistake, and each has its own `NONE`
//! ("none of them") for the flat arrays that need a hole. The types are
//! `repr(transparent)`: arrays of them are arrays of `u32`.

/// Defines a dense id type over `u32`.
macro_rules! dense_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        #[repr(transparent)]
        pub(crate) struct $name(u32);

        // One set of methods for every kind; each kind uses some of them.
        #[allow(dead_code)]
        impl $name {
            /// None of them: the hole in a flat array of these ids.
            pub(crate) const NONE: Self = Self(u32::MAX);

            /// The id at position `i` (callers bound every count by
            /// `u32`, so `i` fits).
            #[inline]
            pub(crate) const fn new(i: usize) -> Self {
                debug_assert!(i < u32::MAX as usize);
                Self(i as u32)
            }

            /// The id as stored.
            #[inline]
            pub(crate) const fn get(self) -> u32 {
                self.0
            }

            /// The id as an array index.
            #[inline]
            pub(crate) const fn index(self) -> usize {
                self.0 as usize
            }

            /// Whether this is [`Self::NONE`].
            #[inline]
            pub(crate) const fn is_none(self) -> bool {
                self.0 == u32::MAX
            }

            /// The id, or `None` for [`Self::NONE`].
            #[inline]
            pub(crate) const fn some(self) -> Option<Self> {
                if self.is_none() { None } else { Some(self) }
            }

            /// Ids `0..count`.
            pub(crate) fn all(count: usize) -> impl DoubleEndedIterator<Item = Self> + ExactSizeIterator + Clone {
                (0..count as u32).map(Self)
            }
        }
    };
}

dense_id!(
    /// A member: its place in member-id order.
    MemberIdx
);
dense_id!(
    /// A subscribed topic present in the metadata: its place in name order.
    TopicIdx
);
dense_id!(
    /// A partition of a subscribed topic: its global index (topics in name
    /// order, partitions in number order).
    PartitionIdx
);
dense_id!(
    /// A class of interchangeable partitions (one topic's partitions, or
    /// those of one rack signature).
    ClassIdx
);
dense_id!(
    /// A rack: its place in rack-name order.
    RackIdx
);

impl PartitionIdx {
    /// The partition `offset` places after this one (a topic's first
    /// partition plus a partition number).
    #[inline]
    pub(crate) const fn plus(self, offset: u32) -> Self {
        Self(self.0 + offset)
    }
}

/// A partition's owner before the rebalance, as the owner rule reads the
/// claims: a member, nobody, or one of two markers for claims nobody may
/// keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub(crate) struct Owner(u32);

impl Owner {
    /// Nobody claims it.
    pub(crate) const NONE: Self = Self(u32::MAX);
    /// Several members claim it at its highest generation.
    pub(crate) const CONTESTED: Self = Self(u32::MAX - 1);
    /// Its highest-generation claim is by a member that does not subscribe
    /// to its topic: nobody may keep it, and its claimant may still be
    /// reading it.
    pub(crate) const FOREIGN: Self = Self(u32::MAX - 2);

    /// Owned by `member`.
    #[inline]
    pub(crate) const fn member(member: MemberIdx) -> Self {
        Self(member.get())
    }

    /// The owning member, if one owns it.
    #[inline]
    pub(crate) const fn as_member(self) -> Option<MemberIdx> {
        if self.0 >= u32::MAX - 2 {
            None
        } else {
            Some(MemberIdx(self.0))
        }
    }

    /// Whether `member` owns it.
    #[inline]
    pub(crate) fn is(self, member: MemberIdx) -> bool {
        self.0 == member.get()
    }

    /// Whether somebody claims it, owner or not: the partition may still be
    /// read by someone.
    #[inline]
    pub(crate) const fn is_claimed(self) -> bool {
        self.0 != u32::MAX
    }
}
