//! Sticky user data: never fails and never panics; what it reads encodes
//! and reads back the same (each topic's partitions in their order; the
//! topic order is the Java `HashMap`'s).
#![no_main]

use std::collections::BTreeMap;

use kafka_assignors::protocol::{StickyFormat, StickyUserData};
use libfuzzer_sys::fuzz_target;

fn by_topic(data: &StickyUserData) -> BTreeMap<&str, Vec<i32>> {
    let mut out: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
    for tp in &data.owned {
        out.entry(&*tp.topic).or_default().push(tp.partition);
    }
    out
}

fuzz_target!(|data: &[u8]| {
    // The first byte chooses null user data now and then.
    let input = match data.split_first() {
        Some((0xff, _)) => None,
        Some((_, rest)) => Some(rest),
        None => Some(data),
    };
    let (first, format) = StickyUserData::decode(input);
    let bytes = first.encode().expect("decoded user data encodes");
    let (second, format2) = StickyUserData::decode(Some(&bytes));
    assert_eq!(by_topic(&first), by_topic(&second));
    assert_eq!(first.generation, second.generation);
    match format {
        StickyFormat::V0 | StickyFormat::V1 => assert_eq!(format, format2),
        StickyFormat::Fallback => assert_eq!(format2, StickyFormat::V1),
        _ => assert!(first.owned.is_empty() && first.generation.is_none()),
    }
});
