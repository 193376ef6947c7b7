//! A fast, deterministic hasher for small integer keys inside the algorithms.
//!
//! Why a copy of FxHash rather than a crate: both well-kept candidates
//! measured slower here, with every use of this module switched to them
//! (2026-12-03, callgrind, `kassign bench`, three calls, instructions inside
//! `Strategy::assign`; ours first):
//!
//! | group | ours | `foldhash` 0.2 `fast::FixedState` | `rustc-hash` 2.1 |
//! | --- | ---: | ---: | ---: |
//! | KIP-848 point, cooperative-sticky | 44.4M | 50.3M | 46.6M |
//! | KIP-848 point, range | 47.7M | 53.6M | 46.7M |
//! | random half 1M, cooperative-sticky | 1491.5M | 1496.6M | 1508.8M |
//! | random half 1M, range | 295.0M | 300.1M | 312.3M |
//! | uniform 1M, one leaves, cooperative-sticky | 403.1M | 403.0M | 403.1M |
//!
//! (The KIP-848 point through `protocol::Leader`: 115.7M ours, 119.4M
//! `rustc-hash`.) The keys hashed here are ids, pointers and short rows of
//! ids, where one multiply-rotate per word is cheapest; names from members
//! go through `foldhash` (see `Cargo.toml`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The multiply-rotate hash rustc uses (FxHash): a few cycles a word, fine for
/// keys an attacker does not choose the collisions of (ids and pointers).
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
