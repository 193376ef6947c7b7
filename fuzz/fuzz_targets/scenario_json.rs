//! Arbitrary bytes into the scenario JSON parser: no panic; a parsed group
//! written and read again is the same group.
#![no_main]

use kafka_assignors::Group;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(group) = serde_json::from_slice::<Group>(data) else {
        return;
    };
    let text = serde_json::to_vec(&group).expect("a parsed group serializes");
    let again: Group = serde_json::from_slice(&text).unwrap_or_else(|e| {
        panic!(
            "the written group does not parse: {e}\n{}",
            String::from_utf8_lossy(&text)
        )
    });
    // The format keys owned partitions by topic, so they come back grouped
    // by topic name, each topic's partitions in their order.
    let mut expected = group;
    for member in &mut expected.members {
        member.owned.sort_by(|a, b| a.topic.cmp(&b.topic));
    }
    assert_eq!(again, expected);
    assert_eq!(
        serde_json::to_vec(&again).unwrap(),
        text,
        "writing is a fixpoint"
    );
});
