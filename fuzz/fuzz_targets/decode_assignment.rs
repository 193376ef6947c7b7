//! Assignment bytes: no panic; where decoding succeeds, encoding at the
//! decoded version and decoding again gives the same assignment (grouped by
//! topic in order of first appearance) and the same bytes.
#![no_main]

use kafka_assignors::TopicPartition;
use kafka_assignors::protocol::{AssignmentData, LATEST_VERSION, group_by_topic};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(first) = AssignmentData::decode(data) else {
        return;
    };
    let bytes = first
        .assignment
        .encode_version(first.version)
        .expect("a decoded assignment encodes");
    let second = AssignmentData::decode(&bytes).expect("encoded bytes decode");
    assert_eq!(second.version, first.version.min(LATEST_VERSION));
    assert_eq!(second.trailing_bytes, 0);
    let grouped: Vec<TopicPartition> = group_by_topic(&first.assignment.partitions)
        .iter()
        .flat_map(|e| {
            e.partitions
                .iter()
                .map(|&p| TopicPartition::new(e.topic.clone(), p))
        })
        .collect();
    assert_eq!(second.assignment.partitions, grouped);
    assert_eq!(second.assignment.user_data, first.assignment.user_data);
    let again = second
        .assignment
        .encode_version(second.version)
        .expect("re-encodes");
    assert_eq!(again, bytes, "encoding is a fixpoint");
});
