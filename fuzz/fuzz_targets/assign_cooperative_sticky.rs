//! CooperativeSticky on arbitrary groups: no panic; the same answer for the group in any
//! order; the strategy's invariants (see `check_strategy`).
#![no_main]

use kafka_assignors::Strategy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kafka_assignors_fuzz::check_strategy(Strategy::CooperativeSticky, data);
});
