//! `kassign decode`, `encode` and `assign --from-metadata`: the consumer
//! protocol's bytes through the built binary.

use std::path::{Path, PathBuf};
use std::process::Output;

use kafka_assignors::protocol::{ClientState, join_protocols};
use kafka_assignors::{Strategy, TopicPartition};
use serde_json::{Value, json};

mod common;
use common::{repo, run, run_with_stdin};

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn temp(name: &str, contents: &[u8]) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("wire-{name}"));
    std::fs::write(&path, contents).unwrap();
    path
}

/// Bad input: exit 2, nothing on stdout, one line on stderr naming every
/// needle, no panic.
fn assert_rejected(output: &Output, needles: &[&str]) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "stderr: {err}");
    assert!(output.stdout.is_empty(), "stdout: {}", stdout(output));
    assert_eq!(err.lines().count(), 1, "not one line: {err:?}");
    assert!(!err.contains("panicked"), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "{err:?} does not name {needle:?}");
    }
}

/// `kassign decode KIND --hex` on hex text, as parsed JSON.
fn decode_hex(kind: &str, hex: &str, extra: &[&str]) -> Result<Value, String> {
    let mut args = vec!["decode", kind, "--hex"];
    args.extend_from_slice(extra);
    let output = run_with_stdin(&args, hex.as_bytes());
    if output.status.success() {
        Ok(serde_json::from_str(&stdout(&output)).unwrap())
    } else {
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        Err(stderr(&output))
    }
}

/// `kassign encode KIND` on a JSON value, as hex.
fn encode(kind: &str, value: &Value, extra: &[&str]) -> Result<String, String> {
    let mut args = vec!["encode", kind];
    args.extend_from_slice(extra);
    let output = run_with_stdin(&args, value.to_string().as_bytes());
    if output.status.success() {
        let out = stdout(&output);
        assert!(out.ends_with('\n') && out.lines().count() == 1, "{out:?}");
        Ok(out.trim_end().to_string())
    } else {
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        Err(stderr(&output))
    }
}

// A v3 subscription: topics orders and payments, user data 0102, owned
// orders 0 and 4 and payments 1, generation 7, rack "rack".
const SUB_V3: &str = "00030000000200066f726465727300087061796d656e74730000000201020000000200066f726465727300000002000000000000000400087061796d656e747300000001000000010000000700047261636b";

#[test]
fn decode_subscription_prints_every_field() {
    let decoded = decode_hex("subscription", SUB_V3, &[]).unwrap();
    assert_eq!(
        decoded,
        json!({
            "version": 3,
            "topics": ["orders", "payments"],
            "owned": {"orders": [0, 4], "payments": [1]},
            "generation": 7,
            "rack": "rack",
            "user_data": "0102",
        })
    );
}

#[test]
fn decode_reads_raw_bytes_by_default_and_hex_with_whitespace() {
    let bytes: Vec<u8> = (0..SUB_V3.len() / 2)
        .map(|i| u8::from_str_radix(&SUB_V3[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let file = temp("sub-v3.bin", &bytes);
    let raw = run(&["decode", "subscription", file.to_str().unwrap()]);
    assert!(raw.status.success(), "{}", stderr(&raw));
    let spaced: String = SUB_V3
        .as_bytes()
        .chunks(8)
        .map(|c| std::str::from_utf8(c).unwrap().to_uppercase())
        .collect::<Vec<_>>()
        .join(" \n\t");
    let hex = run_with_stdin(&["decode", "subscription", "--hex"], spaced.as_bytes());
    assert!(hex.status.success(), "{}", stderr(&hex));
    assert_eq!(stdout(&raw), stdout(&hex));
    // One top-level key a line, for reading by eye.
    assert_eq!(stdout(&raw).lines().count(), 8, "{}", stdout(&raw));
}

#[test]
fn decode_subscription_reads_user_data_only_for_the_named_strategy() {
    // The same four bytes are a cooperative generation and unreadable sticky
    // history; the bytes do not say which strategy wrote them.
    let sub = encode(
        "subscription",
        &json!({"version": 3, "topics": ["t"], "user_data": "0000000c"}),
        &[],
    )
    .unwrap();
    let plain = decode_hex("subscription", &sub, &[]).unwrap();
    assert!(plain.get("user_data_decoded").is_none(), "{plain}");
    let coop = decode_hex("subscription", &sub, &["--strategy", "cooperative-sticky"]).unwrap();
    assert_eq!(
        coop["user_data_decoded"],
        json!({"strategy": "cooperative-sticky", "format": "V0", "generation": 12})
    );
    // As sticky history, 0000000c claims 12 topics in no bytes: neither
    // format reads it, and the Java client would assume no history.
    let sticky = decode_hex("subscription", &sub, &["--strategy", "sticky"]).unwrap();
    assert_eq!(
        sticky["user_data_decoded"],
        json!({"strategy": "sticky", "format": "fallback", "owned": {}, "generation": -1, "trailing": "0000000c"})
    );
    let range = decode_hex("subscription", &sub, &["--strategy", "range"]).unwrap();
    assert!(range.get("user_data_decoded").is_none());
}

#[test]
fn decode_then_encode_gives_the_json_back() {
    let cases: Vec<(&str, Value)> = vec![
        (
            "subscription",
            json!({"version": 0, "topics": ["a", "b"], "owned": {}, "generation": null, "rack": null, "user_data": null}),
        ),
        (
            "subscription",
            json!({"version": 1, "topics": ["a", "b"], "owned": {"a": [0, 2], "b": [1]}, "generation": null, "rack": null, "user_data": ""}),
        ),
        (
            "subscription",
            json!({"version": 2, "topics": ["t"], "owned": {"t": [0]}, "generation": 5, "rack": null, "user_data": "cafe"}),
        ),
        (
            "subscription",
            json!({"version": 3, "topics": ["caf\u{e9}", "\u{1f600}x"], "owned": {}, "generation": null, "rack": "", "user_data": null}),
        ),
        (
            "subscription",
            json!({"version": 3, "topics": ["t"], "owned": {"t": [1]}, "generation": 9, "rack": "use1-az1", "user_data": "00000009", "trailing": "ffff"}),
        ),
        (
            "subscription",
            json!({"version": 3, "topics": ["orders"], "owned": {}, "generation": 4, "rack": null, "user_data": "0000000100066f72646572730000000100000003ffffffff",
            "user_data_decoded": {"strategy": "sticky", "format": "V1", "owned": {"orders": [3]}, "generation": -1}}),
        ),
        (
            "subscription",
            json!({"version": 3, "topics": ["orders"], "owned": {"orders": [3]}, "generation": 4, "rack": null, "user_data": "00000004",
            "user_data_decoded": {"strategy": "cooperative-sticky", "format": "V0", "generation": 4}}),
        ),
        (
            "assignment",
            json!({"version": 0, "assigned": {}, "user_data": null}),
        ),
        (
            "assignment",
            json!({"version": 3, "assigned": {"t": [5, 0], "s": [1]}, "user_data": "ab", "trailing": "00000007"}),
        ),
        (
            "sticky-user-data",
            json!({"format": "V1", "owned": {"orders": [2, 0], "payments": [1]}, "generation": 4}),
        ),
        (
            "sticky-user-data",
            json!({"format": "V0", "owned": {"orders": [0, 3]}, "generation": null}),
        ),
        (
            "sticky-user-data",
            json!({"format": "V1", "owned": {}, "generation": -1, "trailing": "010203"}),
        ),
        (
            "sticky-user-data",
            json!({"format": "fallback", "owned": {}, "generation": -1, "trailing": "deadbeef"}),
        ),
        (
            "sticky-user-data",
            json!({"format": "none", "owned": {}, "generation": null}),
        ),
        (
            "cooperative-user-data",
            json!({"format": "V0", "generation": 12, "trailing": "ffff"}),
        ),
        (
            "cooperative-user-data",
            json!({"format": "fallback", "generation": -1, "trailing": "0000"}),
        ),
    ];
    for (kind, value) in cases {
        let hex = encode(kind, &value, &[]).unwrap_or_else(|e| panic!("{kind} {value}: {e}"));
        let back = decode_hex(kind, &hex, &[]);
        let back = match value.get("user_data_decoded") {
            // The strategy is not in the bytes: decode is told it.
            Some(decoded) => {
                let strategy = decoded["strategy"].as_str().unwrap();
                decode_hex(kind, &hex, &["--strategy", strategy])
            }
            None => back,
        }
        .unwrap();
        assert_eq!(back, value, "{kind}: {hex}");
        // And the bytes are a fixed point.
        assert_eq!(encode(kind, &back, &[]).unwrap(), hex, "{kind}");
    }
}

#[test]
fn encode_version_flag_overrides_the_json_and_versions_above_3_write_3() {
    let value = json!({"version": 3, "topics": ["t"], "user_data": null});
    let v0 = encode("subscription", &value, &["--version", "0"]).unwrap();
    assert_eq!(v0, "000000000001000174ffffffff");
    let v7 = encode("subscription", &value, &["--version", "7"]).unwrap();
    assert_eq!(v7, encode("subscription", &value, &[]).unwrap());
    assert!(v7.starts_with("0003"));
    let missing = encode("assignment", &json!({"assigned": {}}), &[]).unwrap_err();
    assert!(missing.contains("no version"), "{missing}");
}

#[test]
fn encode_help_and_behaviour_agree_on_which_keys_are_required() {
    let help = stdout(&run(&["encode", "--help"]));
    // Help text wraps at the terminal width: compare words, not lines.
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains("both need version unless --version is given"),
        "{help}"
    );
    for (kind, value) in [
        ("subscription", json!({"topics": ["t"]})),
        ("assignment", json!({"assigned": {"t": [0]}})),
    ] {
        let missing = encode(kind, &value, &[]).unwrap_err();
        assert!(missing.contains("--version"), "{kind}: {missing}");
        // Everything else may be left out once the version is given.
        encode(kind, &value, &["--version", "1"]).unwrap();
    }
    // User data has no version key: its format stands for it.
    encode(
        "sticky-user-data",
        &json!({"owned": {"t": [0]}, "generation": 1}),
        &[],
    )
    .unwrap();
}

#[test]
fn encode_builds_user_data_from_its_decoded_form() {
    let decoded = json!({"strategy": "sticky", "owned": {"orders": [3]}, "generation": 2});
    let from_decoded = encode(
        "subscription",
        &json!({"version": 3, "topics": ["orders"], "user_data_decoded": decoded}),
        &[],
    )
    .unwrap();
    let sticky = encode(
        "sticky-user-data",
        &json!({"owned": {"orders": [3]}, "generation": 2}),
        &[],
    )
    .unwrap();
    let from_hex = encode(
        "subscription",
        &json!({"version": 3, "topics": ["orders"], "user_data": sticky}),
        &[],
    )
    .unwrap();
    assert_eq!(from_decoded, from_hex);
    // Both given and disagreeing: refused.
    let clash = encode(
        "subscription",
        &json!({"version": 3, "topics": ["orders"], "user_data": "00000000",
                "user_data_decoded": {"strategy": "cooperative-sticky", "generation": 3}}),
        &[],
    )
    .unwrap_err();
    assert!(clash.contains("does not match"), "{clash}");
}

#[test]
fn encode_refuses_what_the_bytes_cannot_say() {
    let cases: Vec<(&str, Value, &[&str], &str)> = vec![
        (
            "subscription",
            json!({"version": 0, "topics": ["t"], "owned": {"t": [1]}}),
            &[],
            "version 0 has no owned partitions",
        ),
        (
            "subscription",
            json!({"version": 1, "topics": ["t"], "generation": 3}),
            &[],
            "version 1 has no generation",
        ),
        (
            "subscription",
            json!({"version": 2, "topics": ["t"], "rack": "r"}),
            &[],
            "version 2 has no rack",
        ),
        (
            "subscription",
            json!({"version": -1, "topics": []}),
            &[],
            "negative version -1",
        ),
        (
            "subscription",
            json!({"version": 3, "topics": ["t"], "owend": {}}),
            &[],
            "unknown field `owend`",
        ),
        (
            "subscription",
            json!({"version": 3, "topics": ["t"], "owned": {"t": ["1"]}}),
            &[],
            "owned.t[0]",
        ),
        (
            "subscription",
            json!({"version": 3, "topics": ["t"], "user_data": "abc"}),
            &[],
            "odd number of hex digits",
        ),
        (
            "assignment",
            json!({"version": 3}),
            &[],
            "missing field `assigned`",
        ),
        (
            "sticky-user-data",
            json!({"format": "V1", "owned": {}, "generation": null}),
            &[],
            "format V1 needs a generation",
        ),
        (
            "sticky-user-data",
            json!({"format": "V0", "owned": {"t": [0]}, "trailing": "00000001"}),
            &[],
            "would read back as format V1",
        ),
        (
            "sticky-user-data",
            json!({"format": "fallback", "generation": -1, "trailing": ""}),
            &[],
            "would read back as format None",
        ),
        (
            "sticky-user-data",
            json!({"owned": {}, "generation": 1}),
            &["--version", "0"],
            "--version 0 does not match format V1",
        ),
        (
            "cooperative-user-data",
            json!({"generation": null}),
            &[],
            "format none is null user data",
        ),
        (
            "cooperative-user-data",
            json!({"format": "fallback", "generation": -1, "trailing": "00000001"}),
            &[],
            "would read back as format V0",
        ),
    ];
    for (kind, value, extra, needle) in cases {
        let mut args = vec!["encode", kind];
        args.extend_from_slice(extra);
        let output = run_with_stdin(&args, value.to_string().as_bytes());
        assert_rejected(&output, &[needle]);
    }
}

#[test]
fn decode_errors_name_the_byte_offset() {
    // Cut inside the second topic name: its length says 8, 2 bytes follow.
    let output = run_with_stdin(
        &["decode", "subscription", "--hex"],
        b"00030000000200066f72646572730008706179",
    );
    assert_rejected(
        &output,
        &[
            "subscription",
            "input ends inside topic name",
            "byte offset 16",
        ],
    );
    let output = run_with_stdin(&["decode", "assignment", "--hex"], b"0001000f4240000174");
    assert_rejected(
        &output,
        &[
            "assigned partitions claims 1000000 elements",
            "byte offset 2",
        ],
    );
    let output = run_with_stdin(&["decode", "subscription", "--hex"], b"ff");
    assert_rejected(&output, &["version", "byte offset 0"]);
}

#[test]
fn hex_text_decoded_as_raw_bytes_says_to_pass_hex() {
    let hint = "(the input looks like hex text: pass --hex)";
    // Read as raw bytes, "0003..." is version 0x3030: refused, with the hint.
    for kind in ["subscription", "assignment"] {
        let output = run_with_stdin(&["decode", kind], format!("{SUB_V3}\n").as_bytes());
        assert_rejected(&output, &[kind, hint]);
    }
    // Cooperative user data reads any 4 bytes as a generation: it decodes,
    // as the Java client would, and stderr warns.
    let output = run_with_stdin(&["decode", "cooperative-user-data"], b"0000 000c\n");
    assert!(output.status.success(), "{}", stderr(&output));
    let decoded: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(decoded["generation"], 0x3030_3030);
    assert_eq!(
        stderr(&output),
        "kassign: warning: <stdin>: the input looks like hex text: pass --hex to read it as hex\n"
    );
    // With --hex, or with raw bytes that are not hex text, no hint.
    let output = run_with_stdin(&["decode", "cooperative-user-data", "--hex"], b"0000 000c");
    assert!(output.status.success() && output.stderr.is_empty());
    assert_eq!(
        serde_json::from_str::<Value>(&stdout(&output)).unwrap()["generation"],
        12
    );
    let output = run_with_stdin(&["decode", "subscription"], [0x00, 0x07, 0xff]);
    assert_rejected(&output, &["subscription"]);
    assert!(!stderr(&output).contains("hex"), "{}", stderr(&output));
}

#[test]
fn bad_hex_is_named() {
    let output = run_with_stdin(&["decode", "subscription", "--hex"], b"0003 00zz");
    assert_rejected(
        &output,
        &["<stdin>", "bad hex digit 'z' at character offset 7"],
    );
    let output = run_with_stdin(&["decode", "assignment", "--hex"], b"000");
    assert_rejected(&output, &["odd number of hex digits (3)"]);
    let output = run_with_stdin(&["decode", "assignment", "--hex"], [0x30, 0xff]);
    assert_rejected(&output, &["not text"]);
    let output = run(&["decode", "assignment", "no/such/bytes.bin"]);
    assert_rejected(&output, &["no/such/bytes.bin"]);
    let output = run_with_stdin(&["decode", "assignment", "--strategy", "sticky"], b"");
    assert_rejected(&output, &["--strategy applies to subscriptions only"]);
}

/// A Java result's partition map (`{"t": [..]}` in wire order) as ours.
fn golden_cases(op: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(repo("tests/data/wire/java.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    let found: Vec<Value> = cases.into_iter().filter(|c| c["op"] == op).collect();
    assert!(!found.is_empty(), "no {op} cases");
    found
}

/// Golden inputs give owned/assigned as a map or as [topic, partition] pairs.
fn as_map(value: &Value) -> Value {
    match value {
        Value::Array(pairs) => {
            let mut order: Vec<(String, Vec<Value>)> = Vec::new();
            for pair in pairs {
                let topic = pair[0].as_str().unwrap().to_string();
                match order.iter_mut().find(|(t, _)| *t == topic) {
                    Some((_, ps)) => ps.push(pair[1].clone()),
                    None => order.push((topic, vec![pair[1].clone()])),
                }
            }
            Value::Object(
                order
                    .into_iter()
                    .map(|(t, ps)| (t, Value::Array(ps)))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

/// Whether [topic, partition] pairs come back to a topic after another.
fn revisits_a_topic(owned: &Value) -> bool {
    let Value::Array(pairs) = owned else {
        return false;
    };
    let topics: Vec<&str> = pairs.iter().map(|p| p[0].as_str().unwrap()).collect();
    topics
        .iter()
        .enumerate()
        .any(|(i, t)| i > 0 && topics[i - 1] != *t && topics[..i - 1].contains(t))
}

/// Decoded bytes that do not re-encode to themselves, and why. Each must
/// still decode, and must re-encode to different bytes.
const NON_CANONICAL: &[(&str, &str)] = &[
    (
        "sub-dec-v0",
        "topics not in sorted order; encoding sorts them",
    ),
    (
        "sub-dec-v3-empty-rack-negative-gen",
        "generation -7 is written as -1",
    ),
    ("sub-dec-v4-trailing", "version 4 is written as 3"),
    ("sub-dec-v9-trailing", "version 9 is written as 3"),
    (
        "sub-dec-user-data-len-minus2",
        "a null length of -2 is written as -1",
    ),
    (
        "sub-dec-rack-len-minus2",
        "a null length of -2 is written as -1",
    ),
    ("asg-dec-v0", "topic t in two entries; encoding merges them"),
    ("asg-dec-v5-trailing", "version 5 is written as 3"),
];

/// Names Java reads with U+FFFD where this crate refuses them (documented).
const REFUSED_UTF8: &[&str] = &["sub-dec-invalid-utf8", "sub-dec-utf8-surrogates"];

#[test]
fn decoding_the_java_golden_bytes_agrees_with_java_and_reencodes_canonical_ones() {
    let mut canonical = 0;
    for (op, kind) in [
        ("decode-subscription", "subscription"),
        ("decode-assignment", "assignment"),
    ] {
        for case in golden_cases(op) {
            let id = case["id"].as_str().unwrap();
            let hex = case["args"][0].as_str().unwrap();
            let java = &case["java"];
            let ours = decode_hex(kind, hex, &[]);
            if java.get("error").is_some() || REFUSED_UTF8.contains(&id) {
                let err = ours.expect_err(id);
                assert!(err.contains("byte offset"), "{id}: {err}");
                assert_eq!(err.lines().count(), 1, "{id}: {err}");
                continue;
            }
            let ours = ours.unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(ours["version"], java["version"], "{id}");
            assert_eq!(ours["user_data"], java["user_data_hex"], "{id}");
            let trailing = ours
                .get("trailing")
                .map_or(0, |t| t.as_str().unwrap().len() / 2);
            assert_eq!(
                trailing as u64,
                java["trailing_bytes"].as_u64().unwrap(),
                "{id}"
            );
            if kind == "subscription" {
                assert_eq!(ours["topics"], java["topics"], "{id}");
                assert_eq!(ours["owned"], java["owned"], "{id}");
                assert_eq!(ours["generation"], java["generation"], "{id}");
                // Java reads an empty rack as none; the JSON keeps "" so it
                // re-encodes as it came.
                let rack = ours["rack"].as_str().filter(|r| !r.is_empty());
                assert_eq!(rack, java["rack"].as_str(), "{id}");
            } else {
                assert_eq!(ours["assigned"], java["assigned"], "{id}");
            }
            let again = encode(kind, &ours, &[]).unwrap_or_else(|e| panic!("{id}: {e}"));
            if NON_CANONICAL.iter().any(|(n, _)| *n == id) {
                assert_ne!(
                    again, hex,
                    "{id} is listed as non-canonical but re-encodes exactly"
                );
                // Still the same content.
                let reread = decode_hex(kind, &again, &[]).unwrap();
                assert_eq!(reread["user_data"], ours["user_data"], "{id}");
            } else {
                assert_eq!(again, hex, "{id}");
                canonical += 1;
            }
        }
    }
    // What the Java client wrote is canonical by definition.
    for (op, kind) in [
        ("encode-subscription", "subscription"),
        ("encode-assignment", "assignment"),
    ] {
        for case in golden_cases(op) {
            let id = case["id"].as_str().unwrap();
            let Some(hex) = case["java"]["hex"].as_str() else {
                continue;
            };
            let ours = decode_hex(kind, hex, &[]).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(encode(kind, &ours, &[]).as_deref(), Ok(hex), "{id}");
            canonical += 1;
        }
    }
    assert!(canonical >= 25, "only {canonical} canonical golden cases");
}

#[test]
fn encoding_matches_the_java_golden_bytes() {
    let mut refused = 0;
    for case in golden_cases("encode-subscription") {
        let id = case["id"].as_str().unwrap();
        let version = case["args"][0].to_string();
        let input = &case["args"][1];
        let mut value = json!({
            "topics": input["topics"],
            "owned": as_map(&input["owned"]),
            "generation": input["generation"],
            "rack": input["rack"],
            "user_data": input["user_data_hex"],
        });
        let mut ours = encode("subscription", &value, &["--version", &version]);
        if ours
            .as_ref()
            .is_err_and(|e| e.contains(&format!("version {version} has no")))
        {
            // Java drops the fields the version lacks; the tool refuses
            // them, and writes what Java wrote once they are removed.
            refused += 1;
            let v: i64 = version.parse().unwrap();
            for (key, since) in [("owned", 1), ("generation", 2), ("rack", 3)] {
                if v < since {
                    value.as_object_mut().unwrap().remove(key);
                }
            }
            ours = encode("subscription", &value, &["--version", &version]);
        }
        match case["java"]["hex"].as_str() {
            Some(hex) => assert_eq!(ours.as_deref(), Ok(hex), "{id}"),
            None => assert!(ours.is_err(), "{id}: java failed, we wrote {ours:?}"),
        }
    }
    assert_eq!(
        refused, 2,
        "sub-enc-v0-drops-newer-fields and sub-enc-v1-owned-extremes"
    );
    for case in golden_cases("encode-assignment") {
        let id = case["id"].as_str().unwrap();
        let version = case["args"][0].to_string();
        let input = &case["args"][1];
        let value =
            json!({"assigned": as_map(&input["assigned"]), "user_data": input["user_data_hex"]});
        let ours = encode("assignment", &value, &["--version", &version]);
        match case["java"]["hex"].as_str() {
            Some(hex) => assert_eq!(ours.as_deref(), Ok(hex), "{id}"),
            None => assert!(ours.is_err(), "{id}: java failed, we wrote {ours:?}"),
        }
    }
    let mut revisiting = 0;
    for case in golden_cases("sticky-user-data") {
        let id = case["id"].as_str().unwrap();
        let input = &case["args"][0];
        let value = json!({"owned": as_map(&input["owned"]), "generation": input["generation"]});
        let ours = encode("sticky-user-data", &value, &[]).unwrap();
        let java = case["java"]["hex"].as_str().unwrap();
        if revisits_a_topic(&input["owned"]) {
            // The Java order depends on when each partition was inserted,
            // which {"topic": [...]} cannot say; the content still agrees.
            let decoded = |hex: &str| decode_hex("sticky-user-data", hex, &[]).unwrap();
            assert_eq!(decoded(&ours), decoded(java), "{id}");
            revisiting += 1;
        } else {
            assert_eq!(ours, java, "{id}");
        }
    }
    assert_eq!(revisiting, 1, "sticky-enc-13-topics-then-more");
    for case in golden_cases("cooperative-user-data") {
        let id = case["id"].as_str().unwrap();
        // A fresh assignor (null) writes generation -1.
        let generation = match &case["args"][0] {
            Value::Null => json!(-1),
            g => g.clone(),
        };
        let ours = encode(
            "cooperative-user-data",
            &json!({"generation": generation}),
            &[],
        )
        .unwrap();
        assert_eq!(Some(ours.as_str()), case["java"]["hex"].as_str(), "{id}");
    }
}

/// Hand-written sticky data with "orders" before "payments"; the Java
/// serializer writes "payments" first (see `sticky-enc-v1`).
const STICKY_NOT_IN_JAVA_ORDER: &[&str] = &[
    "sticky-dec-v1",
    "sticky-dec-v1-trailing",
    "sticky-dec-v1-cut-2",
];

#[test]
fn user_data_decoding_agrees_with_java() {
    for (op, kind) in [
        ("decode-sticky-user-data", "sticky-user-data"),
        ("decode-cooperative-user-data", "cooperative-user-data"),
    ] {
        let mut seen = 0;
        for case in golden_cases(op) {
            let id = case["id"].as_str().unwrap();
            // Null user data is not bytes; it is covered through subscriptions.
            let Some(hex) = case["args"][0].as_str() else {
                continue;
            };
            seen += 1;
            let java = &case["java"];
            let ours = decode_hex(kind, hex, &[]).unwrap_or_else(|e| panic!("{id}: {e}"));
            let format = java["parsed_as"].as_str().unwrap();
            assert_eq!(ours["format"], format, "{id}");
            assert_eq!(ours["generation"], java["generation"], "{id}");
            if kind == "sticky-user-data" {
                assert_eq!(ours["owned"], java["owned"], "{id}");
            }
            let trailing = ours
                .get("trailing")
                .map_or(0, |t| t.as_str().unwrap().len() / 2);
            let unread = match format {
                "fallback" => hex.len() / 2,
                _ => java["trailing_bytes"].as_u64().unwrap_or(0) as usize,
            };
            assert_eq!(trailing, unread, "{id}");
            // Every one of them, fallback included, re-encodes to the same
            // content and length; to the same bytes unless the input's
            // topics were not in the Java HashMap order the encoder writes.
            let again = encode(kind, &ours, &[]).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(again.len(), hex.len(), "{id}");
            assert_eq!(decode_hex(kind, &again, &[]).unwrap(), ours, "{id}");
            if STICKY_NOT_IN_JAVA_ORDER.contains(&id) {
                assert_ne!(again, hex, "{id} is listed as out of order");
            } else {
                assert_eq!(again, hex, "{id}");
            }
        }
        assert!(seen >= 4, "{op}: {seen}");
    }
    // Null user data, inside a subscription.
    let sub = encode("subscription", &json!({"version": 0, "topics": []}), &[]).unwrap();
    let sticky = decode_hex("subscription", &sub, &["--strategy", "sticky"]).unwrap();
    assert_eq!(
        sticky["user_data_decoded"],
        json!({"strategy": "sticky", "format": "none", "owned": {}, "generation": null})
    );
    let coop = decode_hex("subscription", &sub, &["--strategy", "cooperative-sticky"]).unwrap();
    assert_eq!(
        coop["user_data_decoded"],
        json!({"strategy": "cooperative-sticky", "format": "none", "generation": null})
    );
}

/// The example's group: three members of a cooperative-sticky group; the
/// first owned everything alone in generation 5, two have just started.
fn example_members() -> Vec<(&'static str, Option<&'static str>, ClientState)> {
    let owned: Vec<TopicPartition> = (0..6)
        .map(|p| TopicPartition::new("orders", p))
        .chain((0..3).map(|p| TopicPartition::new("payments", p)))
        .collect();
    vec![
        (
            "consumer-1-5f1c",
            Some("host-1"),
            ClientState::new(["orders", "payments"])
                .with_assignment(owned, 5)
                .with_rack("use1-az1"),
        ),
        (
            "consumer-2-77aa",
            Some("host-2"),
            ClientState::new(["orders", "payments"]).with_rack("use1-az2"),
        ),
        (
            "consumer-3-90b4",
            None,
            ClientState::new(["orders"]).with_rack("use1-az3"),
        ),
    ]
}

#[test]
fn the_metadata_example_is_what_the_protocol_helpers_send() {
    let text = std::fs::read_to_string(repo("examples/wire/metadata_cooperative.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(file["topics"], json!({"orders": 6, "payments": 3}));
    let members: Vec<Value> = example_members()
        .into_iter()
        .map(|(id, instance, state)| {
            let list = join_protocols(&[Strategy::CooperativeSticky], &state).unwrap();
            let hex: String = list[0]
                .metadata
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            json!({"id": id, "instance_id": instance, "metadata": hex})
        })
        .collect();
    assert_eq!(file["members"], Value::Array(members));
}

#[test]
fn assign_from_metadata_matches_assign_on_the_same_group() {
    let example = repo("examples/wire/metadata_cooperative.json");
    // The same group written in the scenario format.
    let scenario = temp(
        "metadata-scenario.json",
        json!({
            "topics": {"orders": 6, "payments": 3},
            "members": [
                {"id": "consumer-1-5f1c", "instance_id": "host-1", "rack": "use1-az1", "topics": ["orders", "payments"],
                 "owned": {"orders": [0, 1, 2, 3, 4, 5], "payments": [0, 1, 2]}, "generation": 5},
                {"id": "consumer-2-77aa", "instance_id": "host-2", "rack": "use1-az2", "topics": ["orders", "payments"]},
                {"id": "consumer-3-90b4", "rack": "use1-az3", "topics": ["orders"]},
            ]
        })
        .to_string()
        .as_bytes(),
    );
    for strategy in ["range", "roundrobin", "sticky", "cooperative-sticky"] {
        let from_metadata = run(&[
            "assign",
            "--strategy",
            strategy,
            "--from-metadata",
            example.to_str().unwrap(),
        ]);
        assert!(from_metadata.status.success(), "{}", stderr(&from_metadata));
        let direct = run(&["assign", "--strategy", strategy, scenario.to_str().unwrap()]);
        assert!(direct.status.success(), "{}", stderr(&direct));
        if strategy == "sticky" {
            // Sticky reads history from user data, which a cooperative
            // member does not send: it sees no owners, unlike the scenario.
            continue;
        }
        assert_eq!(stdout(&from_metadata), stdout(&direct), "{strategy}");
    }
}

/// `assign --from-metadata --bytes` on the example, as parsed JSON, with
/// each member's SyncGroup bytes checked against its printed assignment.
fn replay_with_bytes(strategy: &str) -> serde_json::Map<String, Value> {
    let example = repo("examples/wire/metadata_cooperative.json");
    let output = run(&[
        "assign",
        "--strategy",
        strategy,
        "--from-metadata",
        example.to_str().unwrap(),
        "--bytes",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(printed["strategy"], strategy);
    let assignment = printed["assignment"].as_object().unwrap().clone();
    let sync = printed["sync"].as_object().unwrap();
    assert_eq!(assignment.len(), 3);
    assert_eq!(sync.len(), 3);
    for (member, partitions) in &assignment {
        let hex = sync[member].as_str().unwrap();
        let decoded = decode_hex("assignment", hex, &[]).unwrap();
        assert_eq!(decoded["version"], 3, "{member}");
        assert_eq!(decoded["user_data"], Value::Null, "{member}");
        let mut assigned = decoded["assigned"].clone();
        for list in assigned.as_object_mut().unwrap().values_mut() {
            list.as_array_mut().unwrap().sort_by_key(|p| p.as_i64());
        }
        assert_eq!(&assigned, partitions, "{member}");
    }
    assignment
}

fn count(partitions: &Value) -> usize {
    partitions
        .as_object()
        .unwrap()
        .values()
        .map(|ps| ps.as_array().unwrap().len())
        .sum()
}

#[test]
fn assign_from_metadata_prints_each_members_sync_bytes() {
    let range = replay_with_bytes("range");
    assert_eq!(range.values().map(count).sum::<usize>(), 9);
    // Cooperative: the first round assigns no partition that changes hands
    // (its owner revokes it first), so what is assigned is what consumer 1
    // keeps, a third of the nine.
    let cooperative = replay_with_bytes("cooperative-sticky");
    assert_eq!(cooperative.values().map(count).sum::<usize>(), 3);
    assert_eq!(count(&cooperative["consumer-1-5f1c"]), 3);
}

fn metadata_file(name: &str, members: Value) -> PathBuf {
    temp(
        name,
        json!({"topics": {"t": 4}, "members": members})
            .to_string()
            .as_bytes(),
    )
}

#[test]
fn assign_from_metadata_names_a_member_with_bad_metadata() {
    let good = encode("subscription", &json!({"version": 3, "topics": ["t"]}), &[]).unwrap();
    let file = metadata_file(
        "garbage-member.json",
        json!([
            {"id": "ok-member", "instance_id": null, "metadata": good},
            {"id": "broken-member", "instance_id": null, "metadata": "0003000000"},
        ]),
    );
    let output = run(&[
        "assign",
        "-s",
        "range",
        "--from-metadata",
        file.to_str().unwrap(),
    ]);
    assert_rejected(&output, &[r#"member "broken-member""#, "byte offset 2"]);

    let file = metadata_file(
        "bad-hex-member.json",
        json!([{"id": "hexless", "metadata": "00 03 xx"}]),
    );
    let output = run(&[
        "assign",
        "-s",
        "range",
        "--from-metadata",
        file.to_str().unwrap(),
    ]);
    assert_rejected(
        &output,
        &["members[0].metadata", r#""hexless""#, "bad hex digit 'x'"],
    );

    let file = metadata_file(
        "unknown-key.json",
        json!([{"id": "m", "metadata": good, "rack": "a"}]),
    );
    let output = run(&[
        "assign",
        "-s",
        "range",
        "--from-metadata",
        file.to_str().unwrap(),
    ]);
    assert_rejected(&output, &["members[0]", "unknown field `rack`"]);

    let file = temp(
        "bad-topics.json",
        json!({"topics": {"t": -4}, "members": []})
            .to_string()
            .as_bytes(),
    );
    let output = run(&[
        "assign",
        "-s",
        "range",
        "--from-metadata",
        file.to_str().unwrap(),
    ]);
    assert_rejected(&output, &["topics", "negative partition count -4"]);
    assert!(
        !stderr(&output).contains(" at line "),
        "{}",
        stderr(&output)
    );

    let dup = metadata_file(
        "duplicate-member.json",
        json!([{"id": "m", "metadata": good}, {"id": "m", "metadata": good}]),
    );
    let output = run(&[
        "assign",
        "-s",
        "range",
        "--from-metadata",
        dup.to_str().unwrap(),
    ]);
    assert_rejected(&output, &[r#""m""#]);

    let output = run(&["assign", "-s", "range", "--bytes", "x.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--from-metadata"),
        "{}",
        stderr(&output)
    );
}

/// Long trailing bytes print as their first 64 bytes and their length, not
/// as a hex string twice their size; `encode` refuses them, since the JSON
/// no longer holds them, and takes short ones back byte for byte.
#[test]
fn long_trailing_bytes_are_cut_and_refused_by_encode() {
    let noise: String = (0..5000u32)
        .map(|i| format!("{:02x}", (i.wrapping_mul(2_654_435_761) >> 13) as u8))
        .collect();
    let read = decode_hex("sticky-user-data", &format!("ff{noise}"), &[]).unwrap();
    let noise = format!("ff{noise}");
    assert_eq!(read["format"], "fallback");
    assert_eq!(read["trailing"]["bytes"], 5001);
    assert_eq!(read["trailing"]["first"].as_str().unwrap(), &noise[..128]);
    let err = encode("sticky-user-data", &read, &[]).unwrap_err();
    assert!(
        err.contains("\"trailing\" was cut when decoded (5001 bytes"),
        "{err}"
    );

    let short = decode_hex("cooperative-user-data", "00000007abcd", &[]).unwrap();
    assert_eq!(short["trailing"], "abcd");
    assert_eq!(
        encode("cooperative-user-data", &short, &[]).unwrap(),
        "00000007abcd"
    );
}
