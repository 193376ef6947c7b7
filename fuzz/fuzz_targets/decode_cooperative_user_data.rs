//! Cooperative user data: no panic; the generation written reads back.
#![no_main]

use kafka_assignors::protocol::{cooperative_user_data, decode_cooperative_user_data};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = match data.split_first() {
        Some((0xff, _)) => None,
        Some((_, rest)) => Some(rest),
        None => Some(data),
    };
    let generation = decode_cooperative_user_data(input);
    assert_eq!(generation.is_some(), input.is_some());
    if let Some(bytes) = input {
        let g = generation.unwrap();
        if bytes.len() < 4 {
            assert_eq!(g, -1);
        }
        let written = cooperative_user_data(Some(g));
        assert_eq!(decode_cooperative_user_data(Some(&written)), Some(g));
    }
});
