//! A fast, deterministic hasher for small integer keys inside the algorithms.
//!
//! Why a copy of FxHash rather than a crate: `foldhash`'s fixed-seed `fast`
//! hasher (already a dependency, for decoded names) measured slower here.
//! With every use of this module switched to `foldhash::fast::FixedState`
//! (2026-12-03, callgrind, `kassign bench`, three calls, instructions inside
//! `Strategy::assign`): the KIP-848 point (1000 members, 1000 topics, 50,000
//! partitions, 1000 distinct subscription rows hashed and compared)
//! 44.4M -> 50.3M for cooperative-sticky and 47.7M -> 53.6M for range
//! (+12-13%), random half of 500 topics 1491.5M -> 1496.6M (+0.3%), uniform
//! 1M within 0.1%. The keys hashed here are ids, pointers and short rows of
//! ids, where one multiply-rotate per word beats foldhash's folded multiply;
//! names from members go through `foldhash` (see `Cargo.toml`). `rustc-hash`
//! (the crate of this hash) could not be fetched from this machine's
//! registry mirror.

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
