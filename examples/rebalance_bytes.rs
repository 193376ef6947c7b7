//! One consumer group through two rebalances, with bytes only: three members
//! join, the leader assigns, one member leaves, the leader reassigns.
//!
//! `cargo run --example rebalance_bytes -- [range|roundrobin|sticky|cooperative-sticky]`
//! (default `range`).

use kafka_assignors::protocol::{
    ClientState, JoinedMember, follow, join_protocols, lead, select_strategy,
};
use kafka_assignors::{RebalanceProtocol, Strategy, Topic, TopicPartition};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let strategy: Strategy = std::env::args()
        .nth(1)
        .as_deref()
        .unwrap_or("range")
        .parse()?;
    let protocol = kafka_assignors::protocol::rebalance_protocol(&[strategy])?;
    println!(
        "strategy {strategy}, rebalance protocol {}",
        protocol.java_name()
    );
    let topics = vec![Topic::new("orders", 4), Topic::new("payments", 2)];

    let mut members: Vec<(String, ClientState)> = ["consumer-a", "consumer-b", "consumer-c"]
        .iter()
        .map(|id| (id.to_string(), ClientState::new(["orders", "payments"])))
        .collect();

    for generation in 1..=2 {
        if generation == 2 {
            let (gone, _) = members.pop().expect("three members");
            println!("\n{gone} leaves the group");
        }
        println!("\n== rebalance to generation {generation} ==");
        // JoinGroup: every member sends its protocol list.
        let mut offers = Vec::new();
        let mut joined = Vec::new();
        for (id, state) in &members {
            // An eager member revokes everything before it joins.
            if protocol == RebalanceProtocol::Eager && !state.assigned.is_empty() {
                println!("{id} revokes before joining: {}", show(&state.assigned));
            }
            let list = join_protocols(&[strategy], state)?;
            println!(
                "{id} joins: {} metadata bytes for {}",
                list[0].metadata.len(),
                list[0].strategy
            );
            offers.push(list.iter().map(|p| p.strategy).collect::<Vec<_>>());
            joined.push(JoinedMember::new(
                id.clone(),
                None,
                list[0].metadata.clone(),
            ));
        }
        let chosen = select_strategy(&offers)?;
        // The leader (the first member) assigns from the bytes alone.
        let outcome = lead(chosen, &joined, topics.clone())?;
        // SyncGroup: each member reads its bytes.
        for (id, state) in &mut members {
            let bytes = &outcome
                .sync
                .iter()
                .find(|(m, _)| m == id)
                .expect("every member is assigned")
                .1;
            let owned_at_join: Vec<TopicPartition> = match protocol {
                RebalanceProtocol::Eager => Vec::new(),
                _ => state.assigned.clone(),
            };
            let (data, change) = follow(&owned_at_join, bytes)?;
            println!(
                "{id}: {} assignment bytes; revokes {}; receives {}; keeps {}",
                bytes.len(),
                show(&change.revoked),
                show(&change.added),
                show(&change.kept)
            );
            *state = state.clone().with_assignment(data.partitions, generation);
        }
    }
    Ok(())
}

fn show(list: &[TopicPartition]) -> String {
    if list.is_empty() {
        return "nothing".to_string();
    }
    list.iter()
        .map(|tp| format!("{}-{}", tp.topic, tp.partition))
        .collect::<Vec<_>>()
        .join(", ")
}
