//! `kassign simulate`: small timelines with hand-computed answers, the JSON
//! schema, determinism, errors, and the SVG's structure at 50 members and
//! 1000 partitions.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::{KASSIGN, repo, run};

fn temp(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("simulate-{name}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Writes `timeline` to a file named after the test and simulates it.
fn simulate_file(name: &str, timeline: &str, extra: &[&str]) -> Output {
    let path = temp(&format!("{name}.json"));
    std::fs::write(&path, timeline).unwrap();
    let mut args = vec!["simulate", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

/// The JSON report of `timeline`.
fn simulate(name: &str, timeline: &str, extra: &[&str]) -> Value {
    let mut args = vec!["--json"];
    args.extend_from_slice(extra);
    let out = simulate_file(name, timeline, &args);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The report of one strategy.
fn strategy<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["strategy"] == name)
        .unwrap_or_else(|| panic!("no strategy {name}"))
}

/// One figure of one event of one strategy.
fn figure(report: &Value, name: &str, event: usize, key: &str) -> f64 {
    strategy(report, name)["events"][event][key]
        .as_f64()
        .unwrap_or_else(|| panic!("{name} event {event} has no number {key}"))
}

fn members(names: &[&str], topics: &str) -> String {
    names
        .iter()
        .map(|n| format!("{{\"name\": \"{n}\", \"topics\": {topics}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

const THREE_OF_SIX: &str = r#"{"topics": {"t": 6}, "members": [MEMBERS], "events": [EVENTS]}"#;

fn three_members(events: &str) -> String {
    THREE_OF_SIX
        .replace("MEMBERS", &members(&["c1", "c2", "c3"], r#"["t"]"#))
        .replace("EVENTS", events)
}

#[test]
fn a_leaving_member_stops_everything_under_eager_and_only_its_own_under_cooperative() {
    let report = simulate(
        "leave",
        &three_members(r#"{"event": "leave", "member": "c3"}"#),
        &[],
    );
    // Start: c1 {0,1}, c2 {2,3}, c3 {4,5} under range and every sticky;
    // roundrobin c1 {0,3}, c2 {1,4}, c3 {2,5}.
    for name in ["range", "roundrobin", "sticky"] {
        assert_eq!(figure(&report, name, 1, "rounds"), 1.0, "{name}");
        assert_eq!(figure(&report, name, 1, "revoked"), 6.0, "{name}");
        assert_eq!(figure(&report, name, 1, "stopped"), 6.0, "{name}");
        assert_eq!(
            figure(&report, name, 1, "max_stopped_rounds"),
            1.0,
            "{name}"
        );
    }
    // Range after: c1 {0,1,2}, c2 {3,4,5}: 2 from c2 to c1, 4 and 5 from c3.
    assert_eq!(figure(&report, "range", 1, "moved"), 3.0);
    // Roundrobin after: c1 {0,2,4}, c2 {1,3,5}: 2, 3, 4 and 5 change hands.
    assert_eq!(figure(&report, "roundrobin", 1, "moved"), 4.0);
    // Sticky keeps what it can: only the leaver's two move.
    assert_eq!(figure(&report, "sticky", 1, "moved"), 2.0);
    // Cooperative: the leaver revokes its own two, nobody else revokes, and
    // exactly those two move, in one round.
    assert_eq!(figure(&report, "cooperative-sticky", 1, "rounds"), 1.0);
    assert_eq!(figure(&report, "cooperative-sticky", 1, "revoked"), 2.0);
    assert_eq!(figure(&report, "cooperative-sticky", 1, "moved"), 2.0);
    assert_eq!(figure(&report, "cooperative-sticky", 1, "stopped"), 2.0);
    let lanes = &strategy(&report, "cooperative-sticky")["events"][1]["lanes"];
    assert_eq!(lanes[0]["load"], 3);
    assert_eq!(lanes[1]["load"], 3);
    assert_eq!(lanes[2]["status"], "absent");
    assert_eq!(
        lanes[0]["moved_in"].as_u64().unwrap() + lanes[1]["moved_in"].as_u64().unwrap(),
        2
    );
    for name in ["range", "roundrobin", "sticky", "cooperative-sticky"] {
        assert_eq!(figure(&report, name, 1, "spread"), 0.0, "{name}");
        assert_eq!(figure(&report, name, 1, "sumsq"), 18.0, "{name}");
        assert_eq!(figure(&report, name, 1, "sumsq_excess"), 0.0, "{name}");
        // Auto commit every 5 s at 1 message/s: 5 records per moved partition.
        let moved = figure(&report, name, 1, "moved");
        assert_eq!(figure(&report, name, 1, "duplicates_max"), 5.0 * moved);
        assert_eq!(figure(&report, name, 1, "loss_max"), 5.0 * moved);
    }
}

#[test]
fn manual_commit_bounds_duplicates_by_the_old_owners_batch_share_and_loses_nothing() {
    let report = simulate(
        "manual",
        &three_members(r#"{"event": "leave", "member": "c3"}"#),
        &["--commit", "manual", "--batch", "100"],
    );
    assert_eq!(report["commit"]["mode"], "manual");
    assert_eq!(report["commit"]["batch"], 100);
    // c3 read two partitions at equal rates: its batch of 100 is half from
    // each, and both move.
    assert_eq!(figure(&report, "sticky", 1, "duplicates_max"), 100.0);
    assert_eq!(figure(&report, "sticky", 1, "loss_max"), 0.0);
    // Range also moves partition 2 from c2, which read 2 and 3: 50 more.
    assert_eq!(figure(&report, "range", 1, "duplicates_max"), 150.0);
}

#[test]
fn a_joining_member_costs_cooperative_two_rounds_and_one_revocation() {
    let timeline = r#"{"topics": {"t": 4},
        "members": [{"name": "a", "topics": ["t"]}, {"name": "b", "topics": ["t"]}],
        "events": [{"event": "join", "member": {"name": "c", "topics": ["t"]}}]}"#;
    let report = simulate("join", timeline, &[]);
    // Sticky: a {0,1}, b {2,3}; c takes one of them. Eager stops all four.
    assert_eq!(figure(&report, "sticky", 1, "rounds"), 1.0);
    assert_eq!(figure(&report, "sticky", 1, "revoked"), 4.0);
    assert_eq!(figure(&report, "sticky", 1, "moved"), 1.0);
    assert_eq!(figure(&report, "sticky", 1, "stopped"), 4.0);
    // Cooperative: round 1 revokes the one that moves, round 2 assigns it.
    assert_eq!(figure(&report, "cooperative-sticky", 1, "rounds"), 2.0);
    assert_eq!(figure(&report, "cooperative-sticky", 1, "revoked"), 1.0);
    assert_eq!(figure(&report, "cooperative-sticky", 1, "moved"), 1.0);
    assert_eq!(figure(&report, "cooperative-sticky", 1, "stopped"), 1.0);
    assert_eq!(
        figure(&report, "cooperative-sticky", 1, "stopped_partition_rounds"),
        1.0
    );
    let lanes = &strategy(&report, "cooperative-sticky")["events"][1]["lanes"];
    assert_eq!(lanes[2]["load"], 1);
    assert_eq!(lanes[2]["moved_in"], 1);
    assert_eq!(figure(&report, "cooperative-sticky", 1, "spread"), 1.0);
}

#[test]
fn a_crashed_member_returns_with_stale_claims_that_lose_to_newer_generations() {
    let timeline = three_members(
        r#"{"event": "crash", "member": "c2"}, {"event": "recover", "member": "c2"}"#,
    )
    .replace(r#"{"topics""#, r#"{"session_timeout_ms": 30000, "topics""#);
    let report = simulate("crash", &timeline, &[]);
    // The crash: nobody revokes c2's partitions (they are lost), the eager
    // survivors revoke their own four; c2's two move either way.
    assert_eq!(figure(&report, "sticky", 1, "revoked"), 4.0);
    assert_eq!(figure(&report, "cooperative-sticky", 1, "revoked"), 0.0);
    for name in ["sticky", "cooperative-sticky"] {
        assert_eq!(figure(&report, name, 1, "moved"), 2.0, "{name}");
        assert_eq!(figure(&report, name, 1, "paused_ms"), 30000.0, "{name}");
        let lanes = &strategy(&report, name)["events"][1]["lanes"];
        assert_eq!(lanes[1]["status"], "crashed");
        assert_eq!(lanes[1]["load"], 0);
    }
    // The return: c2 claims {2,3} at its old generation, c1 and c3 claim
    // them at a newer one and win; balance takes one from each for c2.
    // Cooperative revokes those two (c2's stale claims are not consumed, so
    // not counted) and assigns them in a second round.
    assert_eq!(figure(&report, "cooperative-sticky", 2, "rounds"), 2.0);
    assert_eq!(figure(&report, "cooperative-sticky", 2, "revoked"), 2.0);
    assert_eq!(figure(&report, "cooperative-sticky", 2, "moved"), 2.0);
    assert_eq!(figure(&report, "sticky", 2, "revoked"), 6.0);
    assert_eq!(figure(&report, "sticky", 2, "moved"), 2.0);
    for name in ["sticky", "cooperative-sticky"] {
        let lanes = &strategy(&report, name)["events"][2]["lanes"];
        assert_eq!(lanes[1]["status"], "active");
        assert_eq!(lanes[1]["load"], 2, "{name}");
        assert_eq!(figure(&report, name, 2, "spread"), 0.0);
    }
}

#[test]
fn a_static_member_back_within_its_session_timeout_causes_no_rebalance() {
    let timeline = r#"{"session_timeout_ms": 45000, "topics": {"t": 6},
        "members": [{"name": "a", "instance_id": "host-a", "topics": ["t"]},
                    {"name": "b", "instance_id": "host-b", "topics": ["t"]}],
        "events": [{"event": "restart", "member": "a", "down_ms": 10000},
                   {"event": "restart", "member": "a", "down_ms": 50000}]}"#;
    let report = simulate("static", timeline, &[]);
    for name in ["range", "roundrobin", "sticky", "cooperative-sticky"] {
        assert_eq!(figure(&report, name, 1, "rebalances"), 0.0, "{name}");
        assert_eq!(figure(&report, name, 1, "rounds"), 0.0, "{name}");
        assert_eq!(figure(&report, name, 1, "moved"), 0.0, "{name}");
        assert_eq!(figure(&report, name, 1, "revoked"), 0.0, "{name}");
        // Its three partitions wait while it is down, for no round.
        assert_eq!(figure(&report, name, 1, "stopped"), 3.0, "{name}");
        assert_eq!(figure(&report, name, 1, "max_stopped_rounds"), 0.0);
        assert_eq!(figure(&report, name, 1, "paused_ms"), 10000.0);
        // Too slow: removed at the timeout, then rejoined: two rebalances.
        assert_eq!(figure(&report, name, 2, "rebalances"), 2.0, "{name}");
        assert_eq!(figure(&report, name, 2, "paused_ms"), 45000.0);
        assert_eq!(figure(&report, name, 2, "spread"), 0.0);
    }
    // Sticky: b takes a's three, then gives three back to the new a.
    assert_eq!(figure(&report, "sticky", 2, "moved"), 6.0);
    assert_eq!(figure(&report, "cooperative-sticky", 2, "moved"), 6.0);
    // Cooperative: one round to remove a, two to bring it back.
    assert_eq!(figure(&report, "cooperative-sticky", 2, "rounds"), 3.0);
    assert_eq!(figure(&report, "sticky", 2, "rounds"), 2.0);
}

#[test]
fn a_dynamic_restart_leaves_and_rejoins() {
    let report = simulate(
        "dynamic-restart",
        &three_members(r#"{"event": "restart", "member": "c1", "down_ms": 1000}"#),
        &[],
    );
    assert_eq!(figure(&report, "sticky", 1, "rebalances"), 2.0);
    // Eager: 6 revoked in the leave (c1's two as it closes, four by the
    // others), 6 again when it rejoins.
    assert_eq!(figure(&report, "sticky", 1, "revoked"), 12.0);
    assert_eq!(figure(&report, "sticky", 1, "max_stopped_rounds"), 2.0);
    assert_eq!(figure(&report, "cooperative-sticky", 1, "rebalances"), 2.0);
    // Cooperative: c1 revokes its two, then the others give two back.
    assert_eq!(figure(&report, "cooperative-sticky", 1, "revoked"), 4.0);
    assert_eq!(figure(&report, "cooperative-sticky", 1, "moved"), 4.0);
    assert_eq!(figure(&report, "cooperative-sticky", 1, "rounds"), 3.0);
}

#[test]
fn subscription_changes_topic_growth_deletion_and_racks_rebalance() {
    let timeline = r#"{"topics": {"a": 4, "b": 2},
        "rates": {"a": [10, 10, 10, 10], "b": 3},
        "members": [{"name": "x", "topics": ["a", "b"]}, {"name": "y", "topics": ["a"]}],
        "events": [{"event": "subscribe", "member": "x", "topics": ["a"]},
                   {"event": "add_partitions", "topic": "a", "partitions": 6, "rate": 1},
                   {"event": "delete_topic", "topic": "b"},
                   {"event": "rack", "member": "y", "rack": "r1"}]}"#;
    let report = simulate("changes", timeline, &[]);
    let coop = |event, key| figure(&report, "cooperative-sticky", event, key);
    // Start: 3 and 3, x holding both of b and one of a, y three of a.
    assert_eq!(coop(0, "spread"), 0.0);
    // x drops b: it revokes its two b partitions itself (nobody reads b
    // now), and y revokes one of a for x, assigned in a second round.
    assert_eq!(coop(1, "revoked"), 3.0);
    assert_eq!(coop(1, "rounds"), 2.0);
    assert_eq!(coop(1, "moved"), 1.0);
    let lanes = &strategy(&report, "cooperative-sticky")["events"][1]["lanes"];
    assert_eq!(lanes[0]["load"], 2);
    assert_eq!(lanes[1]["load"], 2);
    // a grows to 6: the two new partitions are nobody's, so nothing moves.
    assert_eq!(coop(2, "moved"), 0.0);
    assert_eq!(coop(2, "revoked"), 0.0);
    assert_eq!(coop(2, "sumsq"), 18.0);
    // b is deleted while nobody reads it: nothing changes.
    assert_eq!(coop(3, "moved"), 0.0);
    assert_eq!(coop(3, "stopped"), 0.0);
    // A rack without rack metadata changes nothing but costs a rebalance.
    assert_eq!(coop(4, "rounds"), 1.0);
    assert_eq!(coop(4, "moved"), 0.0);
    assert_eq!(figure(&report, "sticky", 4, "revoked"), 6.0);
    // Rates: a's new partitions read 1 message/s each.
    let rates: f64 = strategy(&report, "sticky")["events"][4]["lanes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rate"].as_f64().unwrap())
        .sum();
    assert_eq!(rates, 42.0);
}

#[test]
fn the_json_report_has_the_documented_schema() {
    let report = simulate(
        "schema",
        &three_members(r#"{"event": "leave", "member": "c3"}"#),
        &["--strategies", "sticky,cooperative-sticky"],
    );
    let timeline = &report["timeline"];
    assert_eq!(timeline["session_timeout_ms"], 45000);
    assert_eq!(timeline["topics"], 1);
    assert_eq!(timeline["partitions"], 6);
    assert_eq!(timeline["initial_members"], 3);
    assert_eq!(timeline["events"], 1);
    assert_eq!(timeline["lanes"], serde_json::json!(["c1", "c2", "c3"]));
    assert_eq!(
        report["commit"],
        serde_json::json!({"mode": "auto", "interval_ms": 5000})
    );
    let strategies = report["strategies"].as_array().unwrap();
    assert_eq!(strategies.len(), 2);
    assert_eq!(strategies[0]["strategy"], "sticky");
    assert_eq!(strategies[0]["protocol"], "eager");
    assert_eq!(strategies[1]["protocol"], "cooperative");
    let event_keys = [
        "index",
        "label",
        "kind",
        "rebalances",
        "rounds",
        "revoked",
        "moved",
        "moved_rate",
        "stopped",
        "stopped_partition_rounds",
        "max_stopped_rounds",
        "paused_ms",
        "members",
        "spread",
        "rate_spread",
        "sumsq",
        "optimum_sumsq",
        "sumsq_excess",
        "duplicates_max",
        "loss_max",
        "lanes",
    ];
    let total_keys = [
        "rebalances",
        "rounds",
        "revoked",
        "moved",
        "moved_rate",
        "stopped",
        "stopped_partition_rounds",
        "max_stopped_rounds",
        "paused_ms",
        "max_spread",
        "max_sumsq_excess",
        "final_spread",
        "final_sumsq_excess",
        "duplicates_max",
        "loss_max",
    ];
    for s in strategies {
        let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["strategy", "protocol", "total", "events"]);
        let total: Vec<&str> = s["total"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(total, total_keys);
        let events = s["events"].as_array().unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0]["label"], "start");
        assert_eq!(events[1]["label"], "leave c3");
        assert_eq!(events[1]["kind"], "leave");
        for (i, e) in events.iter().enumerate() {
            let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, event_keys);
            assert_eq!(e["index"], i);
            let lanes = e["lanes"].as_array().unwrap();
            assert_eq!(lanes.len(), 3);
            for lane in lanes {
                let keys: Vec<&str> = lane
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(String::as_str)
                    .collect();
                assert_eq!(
                    keys,
                    ["status", "load", "rate", "moved_in", "revoked", "stopped"]
                );
            }
            // The event's revocations and stops, by member.
            for key in ["revoked", "stopped"] {
                let by_lane: u64 = lanes.iter().map(|l| l[key].as_u64().unwrap()).sum();
                assert_eq!(by_lane, e[key].as_u64().unwrap(), "{key}");
            }
        }
        let per_lane = |key: &str| -> Vec<&Value> {
            events[1]["lanes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| &l[key])
                .collect()
        };
        if s["strategy"] == "sticky" {
            // Eager: everyone revokes and stops everything; c3 left.
            assert_eq!(per_lane("stopped"), [2, 2, 2]);
        } else {
            // Cooperative: only c3's partitions stop, and only c3 revokes.
            assert_eq!(per_lane("revoked"), [0, 0, 2]);
        }
        // Totals are the sums of the events.
        let sum = |key: &str| events.iter().map(|e| e[key].as_u64().unwrap()).sum::<u64>();
        for key in ["rounds", "revoked", "moved", "stopped"] {
            assert_eq!(s["total"][key].as_u64().unwrap(), sum(key), "{key}");
        }
    }
}

#[test]
fn the_same_timeline_gives_the_same_report_in_any_member_or_topic_order() {
    let forward = r#"{"topics": {"a": 7, "b": 5}, "rates": {"a": 3},
        "members": [{"name": "p", "topics": ["a", "b"]}, {"name": "q", "topics": ["a"]},
                    {"name": "r", "topics": ["b", "a"]}],
        "events": [{"event": "join", "member": {"name": "s", "topics": ["a", "b"]}},
                   {"event": "crash", "member": "q"}, {"event": "recover", "member": "q"},
                   {"event": "leave", "member": "p"}]}"#;
    let reordered = r#"{"topics": {"b": 5, "a": 7}, "rates": {"a": 3},
        "members": [{"name": "r", "topics": ["a", "b"]}, {"name": "q", "topics": ["a"]},
                    {"name": "p", "topics": ["b", "a"]}],
        "events": [{"event": "join", "member": {"name": "s", "topics": ["b", "a"]}},
                   {"event": "crash", "member": "q"}, {"event": "recover", "member": "q"},
                   {"event": "leave", "member": "p"}]}"#;
    let first = simulate_file("determinism-1", forward, &["--json"]);
    let again = simulate_file("determinism-1", forward, &["--json"]);
    assert_eq!(first.stdout, again.stdout, "two runs differ");
    let a: Value = serde_json::from_slice(&first.stdout).unwrap();
    let b: Value = simulate("determinism-2", reordered, &[]);
    for s in 0..4 {
        let (sa, sb) = (&a["strategies"][s], &b["strategies"][s]);
        assert_eq!(sa["total"], sb["total"], "{}", sa["strategy"]);
        for (ea, eb) in sa["events"]
            .as_array()
            .unwrap()
            .iter()
            .zip(sb["events"].as_array().unwrap())
        {
            for key in ["rounds", "revoked", "moved", "stopped", "spread", "sumsq"] {
                assert_eq!(ea[key], eb[key], "{} {} {key}", sa["strategy"], ea["label"]);
            }
        }
    }
}

#[test]
fn bad_timelines_exit_2_naming_the_problem() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "unknown-member",
            r#"{"topics": {"t": 1}, "members": [], "events": [{"event": "leave", "member": "ghost"}]}"#,
            &["events[0]", "\"ghost\""],
        ),
        (
            "shrink",
            r#"{"topics": {"t": 4}, "members": [],
                "events": [{"event": "add_partitions", "topic": "t", "partitions": 2}]}"#,
            &["events[0]", "\"t\"", "4 partitions"],
        ),
        (
            "recover-active",
            r#"{"topics": {"t": 4}, "members": [{"name": "a", "topics": ["t"]}],
                "events": [{"event": "recover", "member": "a"}]}"#,
            &["events[0]", "\"a\"", "cannot recover"],
        ),
        (
            "rates-length",
            r#"{"topics": {"t": 3}, "rates": {"t": [1, 2]}, "members": []}"#,
            &["rates.t", "2 rates for 3 partitions"],
        ),
        (
            "negative-rate",
            r#"{"topics": {"t": 1}, "rates": {"t": -1}, "members": []}"#,
            &["rates.t", "-1"],
        ),
        (
            "overflowing-rate",
            r#"{"topics": {"t": 1}, "rates": {"t": 1e308}, "members": []}"#,
            &["rates.t", "1e308", "1e12"],
        ),
        (
            "overflowing-partition-rate",
            r#"{"topics": {"t": 2}, "rates": {"t": [5, 2e12]}, "members": []}"#,
            &["rates.t[1]", "2000000000000", "1e12"],
        ),
        (
            "overflowing-grown-rate",
            r#"{"topics": {"t": 1}, "members": [],
                "events": [{"event": "add_partitions", "topic": "t", "partitions": 2, "rate": 1e300}]}"#,
            &["events[0]", "\"t\"", "1e300"],
        ),
        (
            "unknown-field",
            r#"{"topics": {"t": 1}, "members": [], "events": [{"event": "crash", "member": "a", "when": 3}]}"#,
            &["events[0]", "when"],
        ),
        (
            "duplicate-name",
            r#"{"topics": {"t": 1}, "members": [{"name": "a", "topics": []}, {"name": "a", "topics": []}]}"#,
            &["members[1]", "\"a\""],
        ),
        (
            "too-many",
            r#"{"topics": {"t": 2000000000}, "members": []}"#,
            &["2000000000", "partitions"],
        ),
    ];
    for (name, timeline, needles) in cases {
        let out = simulate_file(name, timeline, &[]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        for needle in *needles {
            assert!(err.contains(needle), "{name}: {err:?} lacks {needle:?}");
        }
    }
    let out = simulate_file(
        "bad-strategy",
        &three_members(""),
        &["--strategies", "sticky,fastest"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("fastest"));
}

#[test]
fn the_largest_rate_gives_finite_figures_in_the_table_and_the_json() {
    // At the bound, every partition moving every event under the longest
    // auto-commit interval still sums to a finite figure.
    let timeline = three_members(
        r#"{"event": "leave", "member": "c1"}, {"event": "crash", "member": "c2"},
           {"event": "join", "member": {"name": "c4", "topics": ["t"]}}"#,
    )
    .replace(
        r#""topics": {"t": 6},"#,
        r#""topics": {"t": 6}, "rates": {"t": 1e12},"#,
    );
    let interval = ["--auto-commit-interval-ms", "86400000"];
    let report = simulate("largest-rate", &timeline, &interval);
    for s in report["strategies"].as_array().unwrap() {
        for key in ["moved_rate", "duplicates_max", "loss_max"] {
            let value = s["total"][key].as_f64();
            assert!(
                value.is_some_and(|v| v.is_finite() && v > 0.0),
                "{} total {key}: {}",
                s["strategy"],
                s["total"][key]
            );
        }
    }
    let table = simulate_file("largest-rate-table", &timeline, &interval);
    assert!(table.status.success(), "{}", text(&table.stderr));
    let table = text(&table.stdout);
    assert!(!table.contains("inf") && !table.contains("NaN"), "{table}");
}

#[test]
fn help_states_the_duplicate_and_loss_model() {
    let out = run(&["simulate", "--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for needle in [
        "rate * I / 1000",
        "B * rate / (old owner's total rate)",
        "Nothing is lost",
        "session.timeout.ms",
        "StickyAssignor",
        "--auto-commit-interval-ms",
        "--svg",
    ] {
        assert!(help.contains(needle), "help lacks {needle:?}");
    }
}

#[test]
fn every_example_timeline_replays_and_cooperative_stops_less_than_eager() {
    let dir = repo("examples/timelines");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5);
    for file in files {
        let out = run(&["simulate", "--json", file.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}: {}",
            file.display(),
            text(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let total = |name: &str, key: &str| strategy(&report, name)["total"][key].as_u64().unwrap();
        assert!(
            total("cooperative-sticky", "revoked") < total("sticky", "revoked"),
            "{}",
            file.display()
        );
        // Both sticky strategies reach the optimum after every event.
        for name in ["sticky", "cooperative-sticky"] {
            assert_eq!(
                total(name, "max_sumsq_excess"),
                0,
                "{} {name}",
                file.display()
            );
        }
        let table = run(&["simulate", file.to_str().unwrap()]);
        assert!(table.status.success());
        assert!(text(&table.stdout).contains("cooperative-sticky (cooperative)"));
    }
}

#[test]
fn the_rolling_restart_of_static_members_moves_nothing_until_one_is_too_slow() {
    let out = run(&[
        "simulate",
        "--json",
        repo("examples/timelines/rolling_restart_static.json")
            .to_str()
            .unwrap(),
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    for s in report["strategies"].as_array().unwrap() {
        let events = s["events"].as_array().unwrap();
        for e in &events[1..12] {
            assert_eq!(e["moved"], 0, "{} {}", s["strategy"], e["label"]);
            assert_eq!(e["rounds"], 0);
        }
        assert_eq!(events[12]["rebalances"], 2, "{}", s["strategy"]);
        assert!(events[12]["moved"].as_u64().unwrap() > 0);
    }
}

/// The `<svg>` element's integer attribute `name`.
fn svg_attribute(svg: &str, name: &str) -> u32 {
    let open = &svg[svg.find("<svg").unwrap()..];
    let open = &open[..open.find('>').unwrap()];
    let key = format!(" {name}=\"");
    let at = open.find(&key).unwrap() + key.len();
    open[at..at + open[at..].find('"').unwrap()]
        .parse()
        .unwrap()
}

/// Simulates `timeline` (a path) with `--json --svg`: the report and the SVG.
fn simulate_svg(name: &str, timeline: &Path, extra: &[&str]) -> (Value, String) {
    let svg_path = temp(&format!("{name}.svg"));
    let mut args = vec![
        "simulate",
        timeline.to_str().unwrap(),
        "--json",
        "--svg",
        svg_path.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = serde_json::from_slice(&out.stdout).unwrap();
    (report, std::fs::read_to_string(&svg_path).unwrap())
}

/// The SVG of each strategy's panel, by strategy name, in drawing order.
fn panels(svg: &str) -> Vec<(&str, &str)> {
    let chart = svg.find("<g class=\"chart\">").unwrap();
    svg[..chart]
        .split("<g class=\"panel\" data-strategy=\"")
        .skip(1)
        .map(|p| (&p[..p.find('"').unwrap()], p))
        .collect()
}

/// The sum of `data-n` over the elements of `class` in `svg`.
fn data_sum(svg: &str, class: &str) -> u64 {
    let key = format!("class=\"{class}\" data-n=\"");
    svg.split(key.as_str())
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse::<u64>().unwrap())
        .sum()
}

fn total(report: &Value, name: &str, key: &str) -> u64 {
    strategy(report, name)["total"][key].as_u64().unwrap()
}

#[test]
fn the_svg_has_one_lane_per_member_and_stays_legible_at_50_members_and_1000_partitions() {
    let (report, svg) = simulate_svg(
        "large",
        &repo("cli/tests/data/timelines/large_50x1000.json"),
        &[],
    );
    assert_eq!(report["timeline"]["partitions"], 1000);
    let lanes: Vec<String> = report["timeline"]["lanes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    assert_eq!(lanes.len(), 51, "50 initial members and one that joins");

    // Size: declared, matching the view box, big enough for fixed-size
    // cells (no shrinking text) and bounded.
    let (width, height) = (svg_attribute(&svg, "width"), svg_attribute(&svg, "height"));
    assert!(svg.contains(&format!("viewBox=\"0 0 {width} {height}\"")));
    let events = 11;
    assert!(width >= events * 40, "width {width}");
    assert!(height >= 4 * 51 * 16, "height {height}");
    assert!(width <= 3000 && height <= 16000, "{width}x{height}");

    // Balanced elements.
    assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
    assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    assert!(svg.trim_end().ends_with("</svg>"));

    // Four panels, stacked in the order run; in each, one lane group per
    // member, in lane order, each with its label.
    let panels = panels(&svg);
    let names: Vec<&str> = panels.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        ["range", "roundrobin", "sticky", "cooperative-sticky"]
    );
    for (strategy_name, panel) in &panels {
        let lane_groups: Vec<&str> = panel.split("<g class=\"lane\"").skip(1).collect();
        assert_eq!(lane_groups.len(), lanes.len(), "{strategy_name}");
        for (group, name) in lane_groups.iter().zip(&lanes) {
            assert!(
                group.starts_with(&format!(" data-member=\"{name}\"")),
                "lane for {name}"
            );
            let label = if name.chars().count() > 16 {
                name.chars().take(15).collect::<String>()
            } else {
                format!(">{name}<")
            };
            assert!(group.contains(&label), "label of {name}");
        }
        // Every lane of an active member has a cell per event.
        assert_eq!(
            lane_groups[0].matches("<g class=\"cell\"").count(),
            events as usize
        );
        // m10 crashed in event 5: a crashed cell.
        assert_eq!(lane_groups[9].matches("class=\"crashed\"").count(), 1);
        // m20 left in event 9: no cell after it.
        assert_eq!(
            lane_groups[19].matches("<g class=\"cell\"").count(),
            events as usize - 2
        );
    }

    // Event labels, once, above the panels; the chart.
    for label in [
        "0 start",
        "1 restart m01",
        "5 crash m10",
        "8 grow events to 640",
    ] {
        assert_eq!(svg.matches(&format!(">{label}<")).count(), 1, "{label}");
    }
    assert!(svg.contains("moved partitions per event"));
    // Moved-in highlights appear exactly where the report says partitions
    // moved in.
    let red_cells = svg.matches("class=\"moved\"").count() as u64;
    let all_moved_in: u64 = report["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["events"].as_array().unwrap().iter())
        .flat_map(|e| e["lanes"].as_array().unwrap().iter())
        .filter(|l| l["moved_in"].as_u64().unwrap() > 0 && l["status"] == "active")
        .count() as u64;
    assert_eq!(red_cells, all_moved_in);
    // Text stays at a readable size whatever the group's size.
    for size in svg.split("font-size=\"").skip(1) {
        let size: f64 = size[..size.find('"').unwrap()].parse().unwrap();
        assert!(size >= 9.0, "font size {size}");
    }
}

#[test]
fn the_svg_draws_revocations_and_stops_so_eager_and_cooperative_sticky_differ() {
    let (report, svg) = simulate_svg(
        "rolling-restart",
        &repo("examples/timelines/rolling_restart.json"),
        &[],
    );
    // The README's picture shows at full size in a ~900 px column.
    assert!(svg_attribute(&svg, "width") <= 900, "{}", &svg[..200]);
    for (name, panel) in panels(&svg) {
        // The strips add up to the totals, by member and event.
        for key in ["revoked", "stopped"] {
            assert_eq!(
                data_sum(panel, key),
                total(&report, name, key),
                "{name} {key}"
            );
        }
        // And the panel's heading says them.
        let revoked = total(&report, name, "revoked");
        assert!(panel.contains(&format!(" {revoked} revoked, ")), "{name}");
    }
    // Sticky stops every member's partitions at every restart; cooperative
    // only those that move: strips in nearly every cell against a few.
    let strips = |name: &str| {
        let (_, panel) = panels(&svg).into_iter().find(|(n, _)| *n == name).unwrap();
        panel.matches("class=\"stopped\"").count()
    };
    let (sticky, cooperative) = (strips("sticky"), strips("cooperative-sticky"));
    assert!(sticky >= 12 * 12, "{sticky}");
    assert!(cooperative * 3 <= sticky, "{cooperative} against {sticky}");
    assert_eq!(total(&report, "sticky", "revoked"), 1728);
    assert_eq!(total(&report, "cooperative-sticky", "revoked"), 144);
}

#[test]
fn the_svg_title_wraps_to_a_narrow_picture() {
    let dir = temp("a-directory-with-a-rather-long-name-for-a-timeline-file");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("one_join_in_a_group_of_one_member.json");
    std::fs::write(
        &path,
        r#"{"topics": {"t": 4}, "members": [{"name": "a", "topics": ["t"]}],
            "events": [{"event": "join", "member": {"name": "b", "topics": ["t"]}}]}"#,
    )
    .unwrap();
    let (_, svg) = simulate_svg("narrow", &path, &[]);
    let width = svg_attribute(&svg, "width");
    let lines: Vec<&str> = svg
        .split("<text class=\"title\"")
        .skip(1)
        .map(|t| &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()])
        .collect();
    assert!(lines.len() > 1, "{lines:?}");
    // Nothing is lost, and no line is wider than the picture, at a bold
    // advance of 0.7 em (DejaVu Sans Bold averages less) at 16 px.
    assert_eq!(
        lines.concat().replace(' ', ""),
        format!("kassignsimulate{}", path.display()).replace(' ', "")
    );
    for line in &lines {
        let needed = line.chars().count() as f64 * 0.7 * 16.0;
        assert!(needed <= f64::from(width - 32), "{line:?} in {width} px");
    }
}

#[test]
fn a_10000_event_timeline_draws_a_bounded_picture_with_every_move() {
    let events: Vec<String> = (0..10_000)
        .map(|i| {
            if i % 2 == 0 {
                r#"{"event": "leave", "member": "c2"}"#.to_string()
            } else {
                r#"{"event": "join", "member": {"name": "c2", "topics": ["t"]}}"#.to_string()
            }
        })
        .collect();
    let timeline = format!(
        r#"{{"topics": {{"t": 10}}, "members": [{}], "events": [{}]}}"#,
        members(&["c1", "c2"], r#"["t"]"#),
        events.join(", ")
    );
    let path = temp("long.json");
    std::fs::write(&path, timeline).unwrap();
    let (report, svg) = simulate_svg("long", &path, &["--strategies", "range"]);
    let width = svg_attribute(&svg, "width");
    assert!(width <= 3000, "width {width}");
    assert!(svg.len() < 2 << 20, "{} bytes", svg.len());
    let columns = svg.matches("class=\"event-label\"").count();
    assert!((40..=48).contains(&columns), "{columns} columns");
    // Columns hold consecutive events, their figures summed.
    assert!(svg.contains(">0-208 (209 events)<"), "{}", &svg[..2000]);
    assert_eq!(
        data_sum(&svg, "moved-bar"),
        total(&report, "range", "moved")
    );
    assert_eq!(
        data_sum(&svg, "revoked"),
        total(&report, "range", "revoked")
    );
}

#[test]
fn svg_refuses_more_members_than_it_draws_lanes() {
    let names: Vec<String> = (0..151).map(|i| format!("m{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let timeline = format!(
        r#"{{"topics": {{"t": 4}}, "members": [{}]}}"#,
        members(&names, r#"["t"]"#)
    );
    let svg = temp("many.svg");
    let out = simulate_file("many", &timeline, &["--svg", svg.to_str().unwrap()]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("151 members") && err.contains("--svg"),
        "{err}"
    );
    // The simulation itself is fine.
    assert!(simulate_file("many", &timeline, &[]).status.success());
}

#[test]
fn the_tracked_readme_picture_is_what_kassign_draws() {
    // Written as docs/regenerate-rolling-restart.sh writes it: from the
    // repository, with the relative path that the title shows.
    let svg = temp("readme-picture.svg");
    let out = Command::new(KASSIGN)
        .current_dir(repo(""))
        .args([
            "simulate",
            "examples/timelines/rolling_restart.json",
            "--svg",
        ])
        .arg(&svg)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let drawn = std::fs::read_to_string(&svg).unwrap();
    let tracked = std::fs::read_to_string(repo("docs/rolling-restart.svg")).unwrap();
    assert!(
        drawn == tracked,
        "docs/rolling-restart.svg is stale: run docs/regenerate-rolling-restart.sh"
    );
}

#[test]
fn the_documented_timeline_example_replays() {
    let doc = std::fs::read_to_string(repo("docs/timeline-format.md")).unwrap();
    let start = doc.find("```json").unwrap() + "```json".len();
    let end = start + doc[start..].find("```").unwrap();
    let report = simulate("doc-example", &doc[start..end], &[]);
    let labels: Vec<&str> = strategy(&report, "sticky")["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels.len(), 10);
    assert_eq!(labels[6], "grow orders to 32");
    // The static member's quick restart: no rebalance under any strategy.
    for s in report["strategies"].as_array().unwrap() {
        assert_eq!(s["events"][2]["rebalances"], 0);
    }
}

#[test]
fn the_consumer_protocol_replays_beside_the_classic_strategies() {
    let timeline = repo("examples/timelines/rolling_restart.json");
    let strategies = "cooperative-sticky,consumer-uniform,consumer-range";
    let out = run(&[
        "simulate",
        timeline.to_str().unwrap(),
        "--strategies",
        strategies,
        "--json",
    ]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let coop = strategy(&report, "cooperative-sticky");
    let uniform = strategy(&report, "consumer-uniform");
    let range = strategy(&report, "consumer-range");
    assert_eq!(uniform["protocol"], "consumer");
    assert_eq!(range["protocol"], "consumer");
    // Uniform is sticky: the restarting member's partitions move away and
    // back, as many as under cooperative-sticky, and the group ends even.
    assert_eq!(uniform["total"]["moved"], coop["total"]["moved"]);
    assert_eq!(uniform["total"]["final_sumsq_excess"], 0);
    let events = uniform["events"].as_array().unwrap();
    for event in &events[1..] {
        // Removal: the departed member's partitions are free, one heartbeat
        // round; rejoin: revoke, confirm the release, take, three.
        assert_eq!(event["rebalances"], 2, "{}", event["label"]);
        assert_eq!(event["rounds"], 4, "{}", event["label"]);
        assert_eq!(event["spread"], 0, "{}", event["label"]);
    }
    // Range recomputes its spans from member ids: a rejoining member under
    // a new id shifts other members' ranges, so more moves than uniform.
    assert!(range["total"]["moved"].as_u64() > uniform["total"]["moved"].as_u64());

    // The table prints the consumer strategies in the same totals.
    let table = run(&[
        "simulate",
        timeline.to_str().unwrap(),
        "--strategies",
        strategies,
    ]);
    assert!(table.status.success());
    let table = text(&table.stdout);
    for name in [
        "cooperative-sticky ",
        "consumer-uniform ",
        "consumer-range ",
    ] {
        assert!(table.lines().any(|l| l.starts_with(name)), "{table}");
    }
    assert!(table.contains("consumer-uniform (consumer)"), "{table}");

    let unknown = run(&[
        "simulate",
        timeline.to_str().unwrap(),
        "--strategies",
        "consumer-sticky",
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("consumer-uniform, consumer-range"));
}
