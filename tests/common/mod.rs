//! Shared test helpers: the scenario JSON format read with `serde_json::Value`
//! (independent of the library's own `serde` feature), and answers as maps.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use kafka_assignors::{Assignment, Group, Member, Topic};
use serde_json::Value;

/// Member id -> topic -> partitions, the shape of an answer file.
pub type AnswerMap = BTreeMap<String, BTreeMap<String, Vec<i32>>>;

/// Reads a scenario document (see `scenario-format.md`) into the model.
pub fn group_from_json(doc: &Value) -> Group {
    let mut group = Group::new();
    let mut names: BTreeMap<String, Arc<str>> = BTreeMap::new();
    let mut name = |s: &str| -> Arc<str> {
        names
            .entry(s.to_string())
            .or_insert_with(|| Arc::from(s))
            .clone()
    };
    for (topic_name, spec) in doc["topics"].as_object().expect("topics object") {
        let topic = match spec {
            Value::Number(n) => Topic::new(name(topic_name), n.as_i64().expect("count") as i32),
            Value::Object(o) => {
                let count = o["partitions"].as_i64().expect("partitions") as i32;
                let topic = Topic::new(name(topic_name), count);
                match o.get("racks") {
                    Some(racks) => topic.with_replica_racks(
                        racks
                            .as_array()
                            .expect("racks array")
                            .iter()
                            .map(|replicas| {
                                replicas
                                    .as_array()
                                    .expect("replica racks")
                                    .iter()
                                    .map(|r| r.as_str().expect("rack").to_string())
                                    .collect::<Vec<_>>()
                            })
                            .collect::<Vec<_>>(),
                    ),
                    None => topic,
                }
            }
            other => panic!("bad topic spec {other}"),
        };
        group = group.with_topic(topic);
    }
    for m in doc["members"].as_array().expect("members array") {
        let mut member = Member::new(m["id"].as_str().expect("id"));
        if let Some(instance) = m.get("instance_id").and_then(Value::as_str) {
            member = member.with_instance_id(instance);
        }
        if let Some(rack) = m.get("rack").and_then(Value::as_str) {
            member = member.with_rack(rack);
        }
        if let Some(topics) = m.get("topics").and_then(Value::as_array) {
            member = member.subscribe(topics.iter().map(|t| name(t.as_str().expect("topic"))));
        }
        if let Some(owned) = m.get("owned").and_then(Value::as_object) {
            for (topic, partitions) in owned {
                let partitions: Vec<i32> = partitions
                    .as_array()
                    .expect("owned partitions")
                    .iter()
                    .map(|p| p.as_i64().expect("partition") as i32)
                    .collect();
                member = member.with_owned(name(topic), partitions);
            }
        }
        if let Some(generation) = m.get("generation").and_then(Value::as_i64) {
            member = member.with_generation(generation as i32);
        }
        group = group.with_member(member);
    }
    group
}

/// Reads the `assignment` object of an answer document.
pub fn answer_from_json(doc: &Value) -> AnswerMap {
    doc["assignment"]
        .as_object()
        .expect("assignment object")
        .iter()
        .map(|(member, topics)| {
            let topics = topics
                .as_object()
                .expect("member's topics")
                .iter()
                .map(|(topic, partitions)| {
                    let partitions = partitions
                        .as_array()
                        .expect("partitions")
                        .iter()
                        .map(|p| p.as_i64().expect("partition") as i32)
                        .collect();
                    (topic.clone(), partitions)
                })
                .filter(|(_, partitions): &(String, Vec<i32>)| !partitions.is_empty())
                .collect();
            (member.clone(), topics)
        })
        .collect()
}

/// Reads a JSON file.
pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The directory of the shared reference data copied into the tests.
pub fn reference_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference")
}

/// An answer from a literal table: member -> [(topic, partitions)].
pub fn answer<'a>(
    rows: impl IntoIterator<Item = (&'a str, Vec<(&'a str, Vec<i32>)>)>,
) -> AnswerMap {
    rows.into_iter()
        .map(|(member, topics)| {
            (
                member.to_string(),
                topics
                    .into_iter()
                    .filter(|(_, p)| !p.is_empty())
                    .map(|(t, p)| (t.to_string(), p))
                    .collect(),
            )
        })
        .collect()
}

/// The assignment as plain maps, members with nothing included.
pub fn to_answer(assignment: &Assignment) -> AnswerMap {
    assignment.to_map()
}
