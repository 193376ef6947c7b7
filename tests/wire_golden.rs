//! Every case of `tests/data/wire/java.json` (bytes from the Java client 3.9)
//! against this crate's codec. See `tests/data/wire/README.md`.

use std::sync::Arc;

use kafka_assignors::TopicPartition;
use kafka_assignors::protocol::{
    AssignmentData, DecodeErrorKind, StickyFormat, StickyUserData, Subscription, TopicPartitions,
    cooperative_user_data, decode_cooperative_user_data, group_by_topic,
};
use serde_json::Value;

/// Cases where this crate refuses what the Java client accepts, by design:
/// invalid UTF-8 in a name is an error here, where Java replaces it with
/// U+FFFD (which can merge two different topics into one name).
const REFUSED_BY_DESIGN: &[&str] = &["sub-dec-invalid-utf8", "sub-dec-utf8-surrogates"];

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/wire/java.json"
    ))
    .expect("read java.json");
    serde_json::from_str(&text).expect("parse java.json")
}

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn opt_hex(v: &Value) -> Option<Vec<u8>> {
    v.as_str().map(unhex)
}

/// `{"topic": [partitions]}` in JSON order, or `[[topic, partition], ...]`.
fn partitions(v: &Value) -> Vec<TopicPartition> {
    match v {
        Value::Object(map) => map
            .iter()
            .flat_map(|(t, ps)| {
                ps.as_array()
                    .unwrap()
                    .iter()
                    .map(move |p| TopicPartition::new(t.as_str(), p.as_i64().unwrap() as i32))
            })
            .collect(),
        Value::Array(pairs) => pairs
            .iter()
            .map(|pair| {
                TopicPartition::new(pair[0].as_str().unwrap(), pair[1].as_i64().unwrap() as i32)
            })
            .collect(),
        other => panic!("bad partitions {other}"),
    }
}

fn grouped_json(entries: &[TopicPartitions]) -> Value {
    let mut map = serde_json::Map::new();
    for e in entries {
        map.insert(e.topic.to_string(), Value::from(e.partitions.clone()));
    }
    Value::Object(map)
}

fn flat_json(list: &[TopicPartition]) -> Value {
    Value::Array(
        list.iter()
            .map(|tp| Value::from(vec![Value::from(&*tp.topic), Value::from(tp.partition)]))
            .collect(),
    )
}

fn raw_entries_json(entries: &[TopicPartitions]) -> Value {
    Value::Array(
        entries
            .iter()
            .map(|e| {
                Value::from(vec![
                    Value::from(&*e.topic),
                    Value::from(e.partitions.clone()),
                ])
            })
            .collect(),
    )
}

fn topics_json(topics: &[Arc<str>]) -> Value {
    Value::Array(topics.iter().map(|t| Value::from(&**t)).collect())
}

fn user_data_json(u: &Option<Vec<u8>>) -> Value {
    u.as_deref().map_or(Value::Null, |b| Value::from(hex(b)))
}

fn check(case: &Value) -> Result<(), String> {
    let id = case["id"].as_str().unwrap();
    let args = &case["args"];
    let java = &case["java"];
    let java_failed = java.get("error").is_some();
    match case["op"].as_str().unwrap() {
        "encode-subscription" => {
            let version = args[0].as_i64().unwrap() as i16;
            let a = &args[1];
            let mut sub = Subscription::new(
                a["topics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap()),
            )
            .with_owned_partitions(partitions(&a["owned"]));
            sub.user_data = opt_hex(&a["user_data_hex"]);
            sub.generation = a["generation"].as_i64().map(|g| g as i32);
            sub.rack = a["rack"].as_str().map(str::to_string);
            match (sub.encode_version(version), java_failed) {
                (Ok(bytes), false) => eq("hex", &Value::from(hex(&bytes)), &java["hex"]),
                (Err(_), true) => Ok(()),
                (got, _) => Err(format!("{id}: ours {got:?}, java {java}")),
            }
        }
        "encode-assignment" => {
            let version = args[0].as_i64().unwrap() as i16;
            let a = &args[1];
            let mut data = AssignmentData::new(partitions(&a["assigned"]));
            data.user_data = opt_hex(&a["user_data_hex"]);
            match (data.encode_version(version), java_failed) {
                (Ok(bytes), false) => eq("hex", &Value::from(hex(&bytes)), &java["hex"]),
                (Err(_), true) => Ok(()),
                (got, _) => Err(format!("{id}: ours {got:?}, java {java}")),
            }
        }
        "decode-subscription" => {
            let bytes = unhex(args[0].as_str().unwrap());
            match Subscription::decode(&bytes) {
                Err(e) if REFUSED_BY_DESIGN.contains(&id) => {
                    if matches!(e.kind(), DecodeErrorKind::InvalidUtf8 { .. }) {
                        Ok(())
                    } else {
                        Err(format!("{id}: expected an invalid utf-8 refusal, got {e}"))
                    }
                }
                Err(_) if java_failed => Ok(()),
                Err(e) => Err(format!("{id}: we refused ({e}), java accepted")),
                Ok(d) if java_failed || REFUSED_BY_DESIGN.contains(&id) => {
                    Err(format!("{id}: we accepted {d:?}, expected a refusal"))
                }
                Ok(d) => {
                    let s = &d.subscription;
                    eq("version", &Value::from(d.version), &java["version"])?;
                    eq("topics", &topics_json(&s.topics), &java["topics"])?;
                    eq(
                        "user_data_hex",
                        &user_data_json(&s.user_data),
                        &java["user_data_hex"],
                    )?;
                    eq(
                        "owned",
                        &grouped_json(&group_by_topic(&s.owned_partitions)),
                        &java["owned"],
                    )?;
                    eq(
                        "owned_partitions",
                        &flat_json(&s.owned_partitions),
                        &java["owned_partitions"],
                    )?;
                    eq(
                        "generation",
                        &Value::from(s.generation),
                        &java["generation"],
                    )?;
                    eq("rack", &Value::from(s.rack_id()), &java["rack"])?;
                    eq(
                        "trailing_bytes",
                        &Value::from(d.trailing_bytes),
                        &java["trailing_bytes"],
                    )?;
                    let raw = &java["raw"];
                    eq(
                        "raw.owned_partitions",
                        &raw_entries_json(&d.owned_entries),
                        &raw["owned_partitions"],
                    )?;
                    eq(
                        "raw.generation_id",
                        &Value::from(d.generation_id),
                        &raw["generation_id"],
                    )?;
                    eq(
                        "raw.rack_id",
                        &Value::from(s.rack.as_deref()),
                        &raw["rack_id"],
                    )
                }
            }
        }
        "decode-assignment" => {
            let bytes = unhex(args[0].as_str().unwrap());
            match (AssignmentData::decode(&bytes), java_failed) {
                (Err(_), true) => Ok(()),
                (Ok(d), false) => {
                    let a = &d.assignment;
                    eq("version", &Value::from(d.version), &java["version"])?;
                    eq(
                        "assigned",
                        &grouped_json(&group_by_topic(&a.partitions)),
                        &java["assigned"],
                    )?;
                    eq(
                        "assigned_partitions",
                        &flat_json(&a.partitions),
                        &java["assigned_partitions"],
                    )?;
                    eq(
                        "user_data_hex",
                        &user_data_json(&a.user_data),
                        &java["user_data_hex"],
                    )?;
                    eq(
                        "trailing_bytes",
                        &Value::from(d.trailing_bytes),
                        &java["trailing_bytes"],
                    )?;
                    eq(
                        "raw.assigned_partitions",
                        &raw_entries_json(&d.entries),
                        &java["raw"]["assigned_partitions"],
                    )
                }
                (got, _) => Err(format!("{id}: ours {got:?}, java {java}")),
            }
        }
        "sticky-user-data" => {
            let a = &args[0];
            let generation = a["generation"].as_i64().map(|g| g as i32);
            let data = StickyUserData::new(partitions(&a["owned"]), generation);
            let bytes = data.encode().map_err(|e| format!("{id}: {e}"))?;
            // Byte for byte: the topic order reproduces Java's HashMap order.
            eq("hex", &Value::from(hex(&bytes)), &java["hex"])?;
            let (back, format) = StickyUserData::decode(Some(&bytes));
            let expected = if java["schema"] == "V1" {
                StickyFormat::V1
            } else {
                StickyFormat::V0
            };
            if format != expected {
                return Err(format!("{id}: decoded as {format:?}, wrote {expected:?}"));
            }
            eq(
                "generation",
                &Value::from(back.generation),
                &a["generation"],
            )?;
            let java_back = StickyUserData::decode(Some(&unhex(java["hex"].as_str().unwrap())));
            if java_back.0 != back {
                return Err(format!(
                    "{id}: java bytes decode to {java_back:?}, ours to {back:?}"
                ));
            }
            Ok(())
        }
        "decode-sticky-user-data" => {
            let bytes = args[0].as_str().map(unhex);
            let (data, format) = StickyUserData::decode(bytes.as_deref());
            let parsed_as = match format {
                StickyFormat::V1 => "V1",
                StickyFormat::V0 => "V0",
                StickyFormat::Fallback => "fallback",
                StickyFormat::None => "none",
                other => return Err(format!("{id}: unexpected format {other:?}")),
            };
            eq("parsed_as", &Value::from(parsed_as), &java["parsed_as"])?;
            eq(
                "owned",
                &grouped_json(&group_by_topic(&data.owned)),
                &java["owned"],
            )?;
            eq(
                "owned_partitions",
                &flat_json(&data.owned),
                &java["owned_partitions"],
            )?;
            eq(
                "generation",
                &Value::from(data.generation),
                &java["generation"],
            )
        }
        "cooperative-user-data" => {
            let generation = args[0].as_i64().map(|g| g as i32);
            eq(
                "hex",
                &Value::from(hex(&cooperative_user_data(generation))),
                &java["hex"],
            )
        }
        "decode-cooperative-user-data" => {
            let bytes = args[0].as_str().map(unhex);
            let generation = decode_cooperative_user_data(bytes.as_deref());
            eq("generation", &Value::from(generation), &java["generation"])?;
            let parsed_as = match (&bytes, generation) {
                (None, _) => "none",
                (Some(b), _) if b.len() >= 4 => "V0",
                _ => "fallback",
            };
            eq("parsed_as", &Value::from(parsed_as), &java["parsed_as"])
        }
        op => Err(format!("{id}: unknown op {op}")),
    }
    .map_err(|e| {
        if e.starts_with(id) {
            e
        } else {
            format!("{id}: {e}")
        }
    })
}

fn eq(field: &str, ours: &Value, java: &Value) -> Result<(), String> {
    if ours == java {
        Ok(())
    } else {
        Err(format!("{field}: ours {ours}, java {java}"))
    }
}

#[test]
fn every_java_case_matches_or_is_refused_by_design() {
    let cases = cases();
    assert_eq!(cases.len(), 81, "the reference has 81 cases");
    let failures: Vec<String> = cases.iter().filter_map(|c| check(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn refused_cases_exist_and_java_accepted_them() {
    let cases = cases();
    for id in REFUSED_BY_DESIGN {
        let case = cases.iter().find(|c| c["id"] == *id).expect("case present");
        assert!(
            case["java"].get("error").is_none(),
            "{id}: java accepted it"
        );
        let bytes = unhex(case["args"][0].as_str().unwrap());
        let err = Subscription::decode(&bytes).expect_err("we refuse invalid utf-8");
        assert!(matches!(err.kind(), DecodeErrorKind::InvalidUtf8 { .. }));
        assert!(
            err.offset() > 2 && err.offset() < bytes.len(),
            "offset {}",
            err.offset()
        );
    }
}

#[test]
fn canonical_java_bytes_reencode_identically() {
    // Every Java-written subscription and assignment decodes and re-encodes
    // at its own version to the same bytes.
    for case in cases() {
        let hex_out = case["java"]["hex"].as_str();
        match (case["op"].as_str().unwrap(), hex_out) {
            ("encode-subscription", Some(h)) => {
                let bytes = unhex(h);
                let d = Subscription::decode(&bytes).unwrap();
                assert_eq!(
                    hex(&d.subscription.encode_version(d.version).unwrap()),
                    h,
                    "{}",
                    case["id"]
                );
            }
            ("encode-assignment", Some(h)) => {
                let bytes = unhex(h);
                let d = AssignmentData::decode(&bytes).unwrap();
                assert_eq!(
                    hex(&d.assignment.encode_version(d.version).unwrap()),
                    h,
                    "{}",
                    case["id"]
                );
            }
            _ => {}
        }
    }
}
