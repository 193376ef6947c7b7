//! `kassign target`: the KIP-848 server-side target assignment of a
//! scenario, run as the built binary.

use std::process::Output;

mod common;
use common::run_with_stdin;

fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "kassign failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

const GROUP: &str = r#"{
  "topics": { "t1": 3, "t2": 3, "solo": 4 },
  "members": [
    { "id": "m1", "topics": ["t2", "t1"], "owned": { "t1": [2], "t2": [2] }, "generation": 9 },
    { "id": "m0", "topics": ["t1", "t2", "missing"], "owned": { "t1": [0, 1] } },
    { "id": "m2", "instance_id": "i0", "topics": ["solo"], "owned": { "solo": [0, 1, 2, 3] } }
  ]
}"#;

#[test]
fn range_is_co_partitioned_in_the_assign_shape() {
    let answer = json(&run_with_stdin(
        &["target", "--assignor", "range", "-"],
        GROUP,
    ));
    let expected = serde_json::json!({
        "strategy": "range",
        "assignment": {
            "m0": { "t1": [0, 1], "t2": [0, 1] },
            "m1": { "t1": [2], "t2": [2] },
            "m2": { "solo": [0, 1, 2, 3] }
        }
    });
    assert_eq!(answer, expected);
}

#[test]
fn uniform_keeps_current_targets_that_fit() {
    let answer = json(&run_with_stdin(&["target", "-a", "uniform", "-"], GROUP));
    assert_eq!(answer["strategy"], "uniform");
    let a = &answer["assignment"];
    // m0 and m1 share six partitions three and three, each keeping its own.
    let count = |m: &str| {
        a[m].as_object()
            .unwrap()
            .values()
            .map(|v| v.as_array().unwrap().len())
            .sum::<usize>()
    };
    assert_eq!((count("m0"), count("m1"), count("m2")), (3, 3, 4));
    assert_eq!(a["m0"]["t1"], serde_json::json!([0, 1]));
    assert_eq!(a["m1"]["t1"], serde_json::json!([2]));
    assert!(
        a["m1"]["t2"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(2))
    );
    assert_eq!(a["m2"]["solo"], serde_json::json!([0, 1, 2, 3]));
    // The subscription to a missing topic is noted, not an error.
    let output = run_with_stdin(&["target", "-a", "uniform", "-"], GROUP);
    let notes = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(notes.contains("missing"), "{notes}");
    // Generations are ignored, so they are not noted.
    assert!(!notes.contains("generation"), "{notes}");
    // Member order does not matter.
    let reordered = GROUP.replace(
        r#"{ "id": "m1", "topics": ["t2", "t1"], "owned": { "t1": [2], "t2": [2] }, "generation": 9 },
    { "id": "m0", "topics": ["t1", "t2", "missing"], "owned": { "t1": [0, 1] } },"#,
        r#"{ "id": "m0", "topics": ["missing", "t2", "t1"], "owned": { "t1": [1, 0] } },
    { "id": "m1", "topics": ["t1", "t2"], "owned": { "t2": [2], "t1": [2] } },"#,
    );
    assert_ne!(reordered, GROUP);
    assert_eq!(
        json(&run_with_stdin(
            &["target", "-a", "uniform", "-"],
            &reordered
        )),
        answer
    );
}

#[test]
fn an_unknown_assignor_or_a_strict_note_is_refused() {
    let output = run_with_stdin(&["target", "--assignor", "sticky", "-"], GROUP);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("uniform and range"));
    let output = run_with_stdin(&["--strict", "target", "--assignor", "range", "-"], GROUP);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing"));
}
