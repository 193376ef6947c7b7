//! What decoding a crafted message holds in memory, measured by counting
//! the allocator's bytes: bounded by the input, never gigabytes.

use allocation_counter::measure;
use kafka_assignors::protocol::{
    AssignmentData, DecodeErrorKind, MAX_DECODED_NAMES, StickyFormat, StickyUserData, Subscription,
};

/// A v0 subscription naming `names` topics, each the empty string.
fn empty_names(names: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(10 + 2 * names);
    bytes.extend_from_slice(&0i16.to_be_bytes());
    bytes.extend_from_slice(&(names as i32).to_be_bytes());
    bytes.resize(bytes.len() + 2 * names, 0);
    bytes.extend_from_slice(&(-1i32).to_be_bytes());
    bytes
}

/// The message from the report: 200 MB of 99,999,990 empty names. It is
/// refused at the count, before anything is allocated for the names.
#[test]
fn hundred_million_empty_names_are_refused_at_the_count() {
    let bytes = empty_names(99_999_990);
    let mut result = None;
    let info = measure(|| result = Some(Subscription::decode(&bytes)));
    let err = result.unwrap().unwrap_err();
    assert_eq!(err.offset(), 2);
    assert!(matches!(
        err.kind(),
        DecodeErrorKind::TooManyNames {
            names: 99_999_990,
            ..
        }
    ));
    assert!(
        err.to_string()
            .contains("topics brings the message to 99999990 topic names")
    );
    assert!(info.bytes_max < 4096, "peak {} bytes", info.bytes_max);
}

/// Just under the limit the names are read, and one repeated name is one
/// allocation: what is held is 16 bytes per 2-byte name, 8x the input.
#[test]
fn repeated_names_hold_at_most_eight_bytes_per_input_byte() {
    let bytes = empty_names(MAX_DECODED_NAMES);
    let mut result = None;
    let info = measure(|| result = Some(Subscription::decode(&bytes)));
    let decoded = result.unwrap().unwrap();
    assert_eq!(decoded.subscription.topics.len(), MAX_DECODED_NAMES);
    assert!(
        info.bytes_max <= 8 * bytes.len() as u64 + 4096,
        "peak {} bytes for {} of input",
        info.bytes_max,
        bytes.len()
    );
    assert!(info.count_total < 16, "{} allocations", info.count_total);
}

/// Owned entries repeat the subscribed names: they share their allocations.
#[test]
fn owned_entries_share_the_subscribed_names() {
    let topics: Vec<String> = (0..1000).map(|t| format!("topic-{t:04}")).collect();
    let owned = topics
        .iter()
        .flat_map(|t| (0..4).map(move |p| kafka_assignors::TopicPartition::new(t.as_str(), p)));
    let bytes = Subscription::new(topics.iter().map(String::as_str))
        .with_owned_partitions(owned)
        .with_generation(3)
        .encode()
        .unwrap();
    let mut result = None;
    let info = measure(|| result = Some(Subscription::decode(&bytes)));
    let decoded = result.unwrap().unwrap();
    assert_eq!(decoded.subscription.owned_partitions.len(), 4000);
    // One allocation per distinct name and one per partition list, plus
    // the handful of vectors and the interning table.
    assert!(
        info.count_total < 2 * 1000 + 32,
        "{} allocations",
        info.count_total
    );
    let first = &decoded.subscription.topics[0];
    assert!(std::sync::Arc::ptr_eq(
        first,
        &decoded.owned_entries[0].topic
    ));
}

/// Every name-bearing array counts towards the one limit, in assignments
/// and sticky user data too.
#[test]
fn every_array_of_names_counts_towards_the_limit() {
    let mut assignment = 0i16.to_be_bytes().to_vec();
    let entries = MAX_DECODED_NAMES + 1;
    assignment.extend_from_slice(&(entries as i32).to_be_bytes());
    for _ in 0..entries {
        assignment.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    }
    assignment.extend_from_slice(&(-1i32).to_be_bytes());
    let err = AssignmentData::decode(&assignment).unwrap_err();
    assert!(matches!(err.kind(), DecodeErrorKind::TooManyNames { .. }));
    // Unreadable sticky user data is no history, as in the Java client.
    let (data, format) = StickyUserData::decode(Some(&assignment[2..]));
    assert_eq!(format, StickyFormat::Fallback);
    assert!(data.owned.is_empty());
}
