//! The Java client's orders of members and topics, for the strategies whose
//! answers depend on them (Range and RoundRobin). They compare names, so
//! they are computed here, where the names are, and handed out as ids.

use std::cmp::Ordering;

use super::{GroupIndex, MemberIdx, TopicIdx};
use crate::java::java_cmp;

impl GroupIndex {
    /// Member ids in the Java client's `MemberInfo` order: static members
    /// first, by `group.instance.id`, then dynamic members by member id,
    /// each compared as Java compares strings.
    pub(crate) fn java_member_order(&self) -> Vec<MemberIdx> {
        let mut order: Vec<MemberIdx> = MemberIdx::all(self.members.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&self.members[a.index()], &self.members[b.index()]);
            match (&a.instance_id, &b.instance_id) {
                (Some(x), Some(y)) => java_cmp(x, y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => java_cmp(&a.id, &b.id),
            }
        });
        order
    }

    /// Sorts topic ids by their names as Java compares strings (topic ids
    /// themselves follow byte order, which differs above U+FFFF).
    pub(crate) fn sort_topics_java(&self, topics: &mut [TopicIdx]) {
        topics
            .sort_by(|&a, &b| java_cmp(&self.topics[a.index()].name, &self.topics[b.index()].name));
    }
}
