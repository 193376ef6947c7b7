//! Sticky on tiny groups (at most 4 members, 8 partitions) against an
//! exhaustive search for the least (squared loads, remote, moves).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kafka_assignors_fuzz::check_sticky_optimum(data);
});
