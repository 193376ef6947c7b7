//! A fixed-size set of partitions, one bit each.
//!
//! A million partitions fit in 128 KiB, which stays in cache where a `u32`
//! per partition would not.

use crate::index::PartitionIdx;

#[derive(Debug, Clone)]
pub(crate) struct Bitset {
    words: Vec<u64>,
}

impl Bitset {
    /// An empty set of the partitions `0..len`.
    pub(crate) fn new(len: usize) -> Self {
        Bitset {
            words: vec![0; len.div_ceil(64)],
        }
    }

    #[inline]
    pub(crate) fn contains(&self, p: PartitionIdx) -> bool {
        let i = p.get();
        self.words[i as usize / 64] & (1 << (i % 64)) != 0
    }

    /// Adds `i`; whether it was already there.
    #[inline]
    pub(crate) fn replace(&mut self, p: PartitionIdx) -> bool {
        let i = p.get();
        let word = &mut self.words[i as usize / 64];
        let bit = 1 << (i % 64);
        let was = *word & bit != 0;
        *word |= bit;
        was
    }

    #[inline]
    pub(crate) fn remove(&mut self, p: PartitionIdx) {
        let i = p.get();
        self.words[i as usize / 64] &= !(1 << (i % 64));
    }

    /// Calls `f` with every partition in `start..end` that is not in the
    /// set, ascending, until `f` returns `false`; whether it ran to the end.
    pub(crate) fn for_each_missing(
        &self,
        start: PartitionIdx,
        end: PartitionIdx,
        mut f: impl FnMut(PartitionIdx) -> bool,
    ) -> bool {
        let (mut i, end) = (start.get(), end.get());
        while i < end {
            let word = i as usize / 64;
            // Missing bits of this word at or after `i`, below `end`.
            let mut missing = !self.words[word] & (u64::MAX << (i % 64));
            let word_end = (word as u32 + 1) * 64;
            if end < word_end {
                missing &= (1u64 << (end % 64)) - 1;
            }
            while missing != 0 {
                let bit = missing.trailing_zeros();
                if !f(PartitionIdx::new(word * 64 + bit as usize)) {
                    return false;
                }
                missing &= missing - 1;
            }
            i = word_end;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(i: usize) -> PartitionIdx {
        PartitionIdx::new(i)
    }

    #[test]
    fn missing_numbers_in_a_range_come_out_ascending() {
        let mut set = Bitset::new(200);
        for i in [0, 3, 63, 64, 65, 130, 199] {
            assert!(!set.replace(p(i)));
        }
        assert!(set.replace(p(64)));
        set.remove(p(65));
        assert!(set.contains(p(63)) && !set.contains(p(65)));
        let mut seen = Vec::new();
        set.for_each_missing(p(60), p(70), |i| {
            seen.push(i.index());
            true
        });
        assert_eq!(seen, [60, 61, 62, 65, 66, 67, 68, 69]);
        let expected: Vec<usize> = (0..200)
            .filter(|i| ![0, 3, 63, 64, 130, 199].contains(i))
            .collect();
        let mut all = Vec::new();
        set.for_each_missing(p(0), p(200), |i| {
            all.push(i.index());
            true
        });
        assert_eq!(all, expected);
        let mut first_two = Vec::new();
        let finished = set.for_each_missing(p(0), p(200), |i| {
            first_two.push(i.index());
            first_two.len() < 2
        });
        assert!(!finished);
        assert_eq!(first_two, [1, 2]);
    }
}
