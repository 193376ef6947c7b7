//! SplitMix64: tiny, fast, and the same sequence on every machine, so a
//! printed seed replays a run and a generated group has the same bytes
//! everywhere.

use kafka_assignors::Group;

/// A small deterministic generator (splitmix64).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0); the modulo bias is irrelevant
    /// here.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `1 / one_in`.
    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    /// Fisher-Yates, so a shuffle depends on the seed only.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// The same group with topics, members and every member's subscriptions
/// and owned lists in another order, chosen by `seed`. Replica rack lists
/// are indexed by partition and lead with the leader's rack, so they keep
/// their order.
pub fn shuffled(group: &Group, seed: u64) -> Group {
    let mut rng = SplitMix64::new(seed);
    let mut out = group.clone();
    rng.shuffle(&mut out.topics);
    rng.shuffle(&mut out.members);
    for member in &mut out.members {
        rng.shuffle(&mut member.topics);
        rng.shuffle(&mut member.owned);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference sequence of splitmix64 from seed 0 (Vigna's C code).
    #[test]
    fn the_sequence_is_splitmix64() {
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(rng.next_u64(), 0x06c4_5d18_8009_454f);
    }

    #[test]
    fn below_stays_below_and_zero_is_zero() {
        let mut rng = SplitMix64::new(9);
        assert!((0..1000).all(|_| rng.below(7) < 7));
        assert_eq!(rng.below(0), 0);
    }
}
