//! Subscription bytes: no panic; where decoding succeeds, encoding at the
//! decoded version and decoding again gives the same subscription (up to
//! the order encoding imposes) and the same bytes.
#![no_main]

use kafka_assignors::TopicPartition;
use kafka_assignors::protocol::{LATEST_VERSION, Subscription};
use libfuzzer_sys::fuzz_target;

fn sorted_topics(s: &Subscription) -> Vec<&str> {
    let mut v: Vec<&str> = s.topics.iter().map(|t| &**t).collect();
    v.sort_unstable();
    v
}

fn sorted_owned(s: &Subscription) -> Vec<TopicPartition> {
    let mut v = s.owned_partitions.clone();
    v.sort_unstable();
    v
}

fuzz_target!(|data: &[u8]| {
    let Ok(first) = Subscription::decode(data) else {
        return;
    };
    assert!(first.version >= 0);
    let bytes = first
        .subscription
        .encode_version(first.version)
        .expect("a decoded subscription encodes");
    let second = Subscription::decode(&bytes).expect("encoded bytes decode");
    let version = first.version.min(LATEST_VERSION);
    assert_eq!(second.version, version);
    assert_eq!(second.trailing_bytes, 0);
    let (a, b) = (&first.subscription, &second.subscription);
    assert_eq!(sorted_topics(a), sorted_topics(b));
    assert_eq!(a.user_data, b.user_data);
    assert_eq!(sorted_owned(a), sorted_owned(b));
    assert_eq!(b.generation, a.generation.filter(|_| version >= 2));
    assert_eq!(b.rack, a.rack.clone().filter(|_| version >= 3));
    let again = b.encode_version(version).expect("re-encodes");
    assert_eq!(again, bytes, "encoding is a fixpoint");
});
