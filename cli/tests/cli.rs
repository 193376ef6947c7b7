//! The built `kassign` binary, run as a person or a script would.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;
use common::{KASSIGN, repo, run, run_with_stdin};

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// A temporary scenario file, unique per test.
fn scenario(name: &str, json: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}.json"));
    std::fs::write(&path, json).unwrap();
    path
}

/// Bad input: exit 2, nothing on stdout, exactly one line on stderr, which
/// contains every one of `needles`, and no panic.
fn assert_rejected(output: &Output, needles: &[&str]) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "stderr: {err}");
    assert!(output.stdout.is_empty(), "stdout: {}", stdout(output));
    assert_eq!(err.lines().count(), 1, "not one line: {err:?}");
    assert!(err.ends_with('\n'));
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    for needle in needles {
        assert!(err.contains(needle), "{err:?} does not name {needle:?}");
    }
}

#[test]
fn assign_prints_one_member_per_line() {
    let output = run(&[
        "assign",
        "--strategy",
        "range",
        repo("examples/seed_a.json").to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        concat!(
            "{\"strategy\": \"range\", \"assignment\": {\n",
            "  \"C1\": {\"T\": [0, 1]},\n",
            "  \"C2\": {\"T\": [2, 3]},\n",
            "  \"C3\": {\"T\": [4]}\n",
            "}}\n"
        )
    );
}

#[test]
fn assign_matches_the_java_client_on_the_seed_examples() {
    for strategy in ["range", "roundrobin"] {
        for seed in ["a", "b", "d"] {
            let group = repo(&format!("examples/seed_{seed}.json"));
            let output = run(&["assign", "-s", strategy, group.to_str().unwrap()]);
            assert!(output.status.success(), "{}", stderr(&output));
            let ours: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
            let reference =
                std::fs::read(data(&format!("java/{strategy}/seed_{seed}.json"))).unwrap();
            let theirs: serde_json::Value = serde_json::from_slice(&reference).unwrap();
            assert_eq!(ours, theirs, "{strategy} on seed {seed}");
        }
    }
}

#[test]
fn assign_reads_standard_input_and_lists_idle_members() {
    let input = r#"{"topics": {"T": 1}, "members": [
        {"id": "b", "topics": ["T"]}, {"id": "a", "topics": ["T"]}, {"id": "c", "topics": []}]}"#;
    let output = run_with_stdin(&["assign", "-s", "roundrobin", "-"], input);
    assert!(output.status.success(), "{}", stderr(&output));
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        answer,
        serde_json::json!({"strategy": "roundrobin",
            "assignment": {"a": {"T": [0]}, "b": {}, "c": {}}})
    );
}

#[test]
fn assign_runs_every_strategy_on_the_realistic_example() {
    for strategy in ["range", "roundrobin", "sticky", "cooperative-sticky"] {
        let output = run(&[
            "assign",
            "-s",
            strategy,
            repo("examples/realistic.json").to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{strategy}: {}", stderr(&output));
        let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(answer["strategy"], strategy);
        let members = answer["assignment"].as_object().unwrap();
        assert_eq!(members.len(), 24, "every member appears");
        let assigned: usize = members
            .values()
            .flat_map(|topics| topics.as_object().unwrap().values())
            .map(|partitions| partitions.as_array().unwrap().len())
            .sum();
        if strategy == "cooperative-sticky" {
            // Partitions changing owner are withheld for the follow-up round.
            assert!(assigned < 180, "{strategy} withholds what moves");
        } else {
            assert_eq!(assigned, 180, "{strategy} assigns every partition once");
        }
    }
}

#[test]
fn an_unknown_key_is_reported_with_its_json_path() {
    let input = r#"{"topics": {"T": 3}, "members": [{"id": "a", "topics": ["T"], "owend": {}}]}"#;
    let output = run_with_stdin(&["assign", "-s", "range"], input);
    assert_rejected(&output, &["members[0].owend", "unknown field `owend`"]);
}

#[test]
fn a_bad_partition_number_is_reported_with_its_json_path() {
    let file = scenario(
        "bad-partition",
        r#"{"topics": {"orders": 3}, "members": [
            {"id": "a", "topics": []}, {"id": "b", "topics": []},
            {"id": "c", "topics": ["orders"], "owned": {"orders": [0, "1"]}}]}"#,
    );
    let output = run(&["assign", "-s", "range", file.to_str().unwrap()]);
    assert_rejected(&output, &["members[2].owned.orders[1]", "line 3"]);
}

#[test]
fn a_duplicate_member_is_named() {
    let input = r#"{"topics": {"T": 3}, "members": [
        {"id": "C1", "topics": ["T"]}, {"id": "C1", "topics": []}]}"#;
    let output = run_with_stdin(&["assign", "-s", "roundrobin"], input);
    assert_rejected(&output, &[r#"member id "C1" appears more than once"#]);
}

#[test]
fn a_duplicate_topic_key_is_named() {
    let input = r#"{"topics": {"T": 3, "T": 4}, "members": []}"#;
    let output = run_with_stdin(&["assign", "-s", "range"], input);
    assert_rejected(&output, &["topics", r#"topic "T" appears more than once"#]);
}

#[test]
fn malformed_json_is_reported_with_its_position() {
    for input in [
        r#"{"topics": {"T": 3}, "members": ["#,
        r#"{"topics": {"T" 3}}"#,
        "",
        "{} {}",
    ] {
        let output = run_with_stdin(&["assign", "-s", "range"], input);
        assert_rejected(&output, &["<stdin>", "line "]);
    }
}

#[test]
fn a_negative_partition_count_is_named() {
    let input = r#"{"topics": {"T": -4}, "members": [{"id": "a", "topics": ["T"]}]}"#;
    for command in [
        &["assign", "-s", "range", "-"][..],
        &["compare", "-"],
        &["bench", "-s", "sticky", "-"],
    ] {
        let output = run_with_stdin(command, input);
        assert_rejected(&output, &[r#"topic "T" has a negative partition count -4"#]);
    }
}

#[test]
fn an_unknown_strategy_is_named() {
    let output = run(&[
        "assign",
        "-s",
        "sticky-ish",
        repo("examples/seed_a.json").to_str().unwrap(),
    ]);
    assert_rejected(
        &output,
        &[r#"unknown strategy "sticky-ish""#, "cooperative-sticky"],
    );
    let output = run(&[
        "bench",
        "-s",
        "",
        repo("examples/seed_a.json").to_str().unwrap(),
    ]);
    assert_rejected(&output, &["unknown strategy"]);
}

#[test]
fn a_missing_file_is_named() {
    let output = run(&["compare", "no/such/group.json"]);
    assert_rejected(&output, &["no/such/group.json"]);
}

/// The table row of `strategy`, split into columns.
fn row<'a>(table: &'a str, strategy: &str) -> Vec<&'a str> {
    table
        .lines()
        .find(|line| line.split_whitespace().next() == Some(strategy))
        .unwrap_or_else(|| panic!("no row for {strategy} in\n{table}"))
        .split_whitespace()
        .collect()
}

#[test]
fn compare_has_a_row_per_strategy() {
    let output = run(&["compare", repo("examples/realistic.json").to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let table = stdout(&output);
    assert!(
        table.starts_with("24 members, 6 subscribed topics, 180 partitions;"),
        "{table}"
    );
    for strategy in ["range", "roundrobin", "sticky", "cooperative-sticky"] {
        let columns = row(&table, strategy);
        let min: usize = columns[1].parse().unwrap();
        let max: usize = columns[2].parse().unwrap();
        let spread: usize = columns[3].parse().unwrap();
        assert_eq!(spread, max - min, "{table}");
    }
    assert!(table.contains("moved"), "{table}");
}

#[test]
fn compare_counts_loads_idle_members_and_moves() {
    // Current owners: T0 and T1 are a's; T2 is claimed by a and b at the same
    // generation, so nobody owns it (c's claim does not count: c does not
    // subscribe to T); T3 is b's; U1 is c's, whose generation beats f's; a's
    // claim on T9 names no partition. Range gives a T0 T1, b T2 T3, c U0, f U1:
    // only U1 moves. RoundRobin gives a T0 T2, b T1 T3, c U0, f U1: T1 and U1
    // move. e subscribes to nothing and stays idle under both.
    let file = scenario(
        "moves",
        r#"{"topics": {"T": 4, "U": 2}, "members": [
            {"id": "a", "topics": ["T"], "owned": {"T": [0, 1, 2, 9]}, "generation": 3},
            {"id": "b", "topics": ["T"], "owned": {"T": [2, 3]}, "generation": 3},
            {"id": "c", "topics": ["U"], "owned": {"T": [2], "U": [1]}, "generation": 1},
            {"id": "f", "topics": ["U"], "owned": {"U": [1]}, "generation": 0},
            {"id": "e", "topics": []}]}"#,
    );
    let output = run(&["compare", file.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let table = stdout(&output);
    assert!(
        table.contains("6 partitions; 4 partitions have a current owner"),
        "{table}"
    );
    assert_eq!(
        row(&table, "range")[1..7],
        ["0", "2", "2", "1", "1", "(25.0%)"],
        "{table}"
    );
    assert_eq!(
        row(&table, "roundrobin")[1..7],
        ["0", "2", "2", "1", "2", "(50.0%)"],
        "{table}"
    );
}

#[test]
fn compare_counts_cooperative_held_back_partitions_as_assigned_in_the_follow_up() {
    let output = run(&["compare", repo("examples/realistic.json").to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let table = stdout(&output);
    let header = table.lines().find(|l| l.starts_with("strategy")).unwrap();
    assert!(header.contains("follow-up"), "{table}");
    // The first round leaves 15 partitions to the follow-up; after it,
    // cooperative-sticky's group is sticky's: the same loads and moves, and
    // nothing lost (min 4 and spread 4 were the first round's).
    let sticky = row(&table, "sticky");
    let cooperative = row(&table, "cooperative-sticky");
    assert_eq!(cooperative[1..7], sticky[1..7], "{table}");
    assert_eq!(cooperative[1..4], ["7", "8", "1"], "{table}");
    assert_eq!(cooperative[7], "15", "{table}");
    assert_eq!(sticky[7], "-", "{table}");
    assert!(table.contains("assigns in the follow-up round"), "{table}");
}

#[test]
fn compare_explains_the_time_column() {
    for file in ["examples/realistic.json", "examples/seed_a.json"] {
        let output = run(&["compare", repo(file).to_str().unwrap()]);
        let table = stdout(&output);
        let header = table.lines().find(|l| l.starts_with("strategy")).unwrap();
        assert!(header.ends_with("time"), "{table}");
        assert!(
            table.contains("time: one assign call on this machine, parsing excluded"),
            "{table}"
        );
    }
}

#[test]
fn compare_without_owned_partitions_has_no_moves_column() {
    let output = run(&["compare", repo("examples/seed_a.json").to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let table = stdout(&output);
    assert!(!table.lines().next().unwrap_or("").is_empty());
    assert!(
        !table
            .lines()
            .any(|l| l.starts_with("strategy") && l.contains("moved")),
        "{table}"
    );
    assert_eq!(row(&table, "range")[1..5], ["1", "2", "1", "0"], "{table}");
}

#[test]
fn bench_prints_one_json_object() {
    for leader in [false, true] {
        for strategy in ["roundrobin", "cooperative-sticky"] {
            check_bench_line(strategy, leader);
        }
    }
}

/// `kassign bench` (with `--leader`, the leader's path from bytes) prints
/// one JSON object of timings.
fn check_bench_line(strategy: &str, leader: bool) {
    let file = repo("examples/realistic.json");
    let mut args = vec![
        "bench",
        "-s",
        strategy,
        "--runs",
        "3",
        file.to_str().unwrap(),
    ];
    if leader {
        args.push("--leader");
    }
    let output = run(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    let result: serde_json::Value = serde_json::from_str(&text).unwrap();
    let object = result.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected = vec![
        "strategy",
        "runs",
        "min_ms",
        "median_ms",
        "max_ms",
        "peak_rss_mb",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(result["strategy"], strategy);
    assert_eq!(result["runs"], 3);
    let (min, median, max) = (
        result["min_ms"].as_f64().unwrap(),
        result["median_ms"].as_f64().unwrap(),
        result["max_ms"].as_f64().unwrap(),
    );
    assert!(0.0 <= min && min <= median && median <= max, "{text}");
    if cfg!(target_os = "linux") {
        assert!(result["peak_rss_mb"].as_f64().unwrap() > 0.0, "{text}");
    }
}

#[test]
fn bench_rejects_zero_runs() {
    let output = run(&[
        "bench",
        "-s",
        "range",
        "--runs",
        "0",
        repo("examples/seed_a.json").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
}

fn generate(args: &[&str]) -> String {
    let output = run(&[&["generate"], args].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

#[test]
fn generate_is_deterministic_per_seed() {
    let args = [
        "--members",
        "7",
        "--topics",
        "3",
        "--partitions",
        "5",
        "--subscription",
        "random-half",
        "--owned",
    ];
    let first = generate(&[&args[..], &["--seed", "42"]].concat());
    let again = generate(&[&args[..], &["--seed", "42"]].concat());
    let other = generate(&[&args[..], &["--seed", "43"]].concat());
    assert_eq!(first, again);
    assert_ne!(first, other);
}

#[test]
fn generate_writes_a_group_every_strategy_accepts() {
    let text = generate(&[
        "--members",
        "6",
        "--topics",
        "4",
        "--partitions",
        "10",
        "--owned",
        "--generation",
        "7",
        "--racks",
        "3",
        "--seed",
        "5",
    ]);
    let group: serde_json::Value = serde_json::from_str(&text).unwrap();
    let members = group["members"].as_array().unwrap();
    assert_eq!(members.len(), 6);
    assert_eq!(group["topics"].as_object().unwrap().len(), 4);
    // The settled ownership covers every partition exactly once.
    let mut owned: Vec<(String, i64)> = members
        .iter()
        .flat_map(|m| {
            assert_eq!(m["generation"], 7);
            m["owned"]
                .as_object()
                .unwrap()
                .iter()
                .flat_map(|(topic, partitions)| {
                    partitions
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|p| (topic.clone(), p.as_i64().unwrap()))
                })
        })
        .collect();
    owned.sort();
    owned.dedup();
    assert_eq!(owned.len(), 40);

    let file = scenario("generated", &text);
    let output = run(&["compare", file.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("40 partitions have a current owner"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn generate_refuses_more_partitions_than_the_limit() {
    let output = run(&["generate", "--topics", "100000", "--partitions", "100000"]);
    assert_rejected(&output, &["more than the limit"]);
}

/// Runs kassign, reads the first bytes of its output and closes the pipe, as
/// `kassign ... | head -c N` does; returns those bytes and how it ended.
fn run_into_closed_pipe(args: &[&str]) -> (Vec<u8>, Output) {
    let mut child = Command::new(KASSIGN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdout.take().unwrap();
    let mut first = vec![0; 16];
    pipe.read_exact(&mut first).unwrap();
    drop(pipe);
    (first, child.wait_with_output().unwrap())
}

#[test]
fn a_reader_that_stops_early_ends_kassign_quietly_with_status_0() {
    // Far more output than a pipe buffers (64 KiB on Linux), so kassign is
    // still writing when the pipe closes and meets the broken pipe.
    let generate = [
        "generate",
        "--members",
        "2000",
        "--topics",
        "100",
        "--partitions",
        "100",
    ];
    let group = run(&generate);
    assert!(group.stdout.len() > 1 << 20, "{}", group.stdout.len());
    let path = scenario("closed-pipe", &stdout(&group));
    let path = path.to_str().unwrap();
    let assign = ["assign", "--strategy", "roundrobin", path];
    for args in [&generate[..], &assign[..]] {
        let (first, output) = run_into_closed_pipe(args);
        assert_eq!(first[0], b'{', "{args:?}: {first:?}");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(output.stderr.is_empty(), "{args:?}: {}", stderr(&output));
    }
}

/// Every subcommand that reads a scenario, a timeline or bytes, with its
/// input: the same rule for all (FILE, or standard input when it is `-` or
/// left out), and what the terminal hint calls the input.
fn readers() -> Vec<(Vec<&'static str>, PathBuf, &'static str)> {
    let seed = repo("examples/seed_a.json");
    let subscription = scenario(
        "reader-subscription",
        r#"{"version": 1, "topics": ["t"], "owned": {"t": [0]}}"#,
    );
    let hex = scenario("reader-hex", "000000000001000174ffffffff");
    vec![
        (vec!["assign", "-s", "sticky"], seed.clone(), "the scenario"),
        (vec!["compare"], seed.clone(), "the scenario"),
        (
            vec!["bench", "-s", "range", "--runs", "1"],
            seed,
            "the scenario",
        ),
        (
            vec!["simulate", "--json"],
            repo("examples/timelines/scale_out.json"),
            "the timeline",
        ),
        (vec!["encode", "subscription"], subscription, "the JSON"),
        (vec!["decode", "subscription", "--hex"], hex, "the hex text"),
    ]
}

#[test]
fn every_reader_takes_standard_input_when_the_file_is_left_out() {
    for (args, file, _) in readers() {
        let input = std::fs::read_to_string(&file).unwrap();
        let mut with_file = args.clone();
        with_file.push(file.to_str().unwrap());
        let from_file = run(&with_file);
        assert!(
            from_file.status.success(),
            "{args:?}: {}",
            stderr(&from_file)
        );
        let mut with_dash = args.clone();
        with_dash.push("-");
        for args in [&args, &with_dash] {
            let piped = run_with_stdin(args, &input);
            assert!(piped.status.success(), "{args:?}: {}", stderr(&piped));
            // No terminal on standard input, so no hint.
            assert!(piped.stderr.is_empty(), "{args:?}: {}", stderr(&piped));
            // bench and compare print timings, which differ run to run.
            match args[0] {
                "bench" => assert!(stdout(&piped).contains("\"median_ms\""), "{args:?}"),
                "compare" => assert_eq!(
                    stdout(&piped).lines().next(),
                    stdout(&from_file).lines().next(),
                    "{args:?}"
                ),
                // simulate names its source: the file, or <stdin>.
                _ => assert!(
                    stdout(&piped) == stdout(&from_file).replace(file.to_str().unwrap(), "<stdin>"),
                    "{args:?}"
                ),
            }
        }
    }
}

/// kassign `args` with a terminal on standard input (util-linux `script`
/// gives it a pseudo-terminal) that at once reads end-of-file (^D); what
/// the terminal showed, or None without `script`.
fn run_on_a_terminal(args: &[&str]) -> Option<String> {
    let command = std::iter::once(KASSIGN)
        .chain(args.iter().copied())
        .map(|arg| format!("'{arg}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = match Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
        Err(error) => panic!("script: {error}"),
    };
    child.stdin.take().unwrap().write_all(b"\x04").unwrap();
    let output = child.wait_with_output().unwrap();
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn a_reader_waiting_on_a_terminal_says_so_unless_told_dash() {
    for (args, _, what) in readers() {
        let Some(shown) = run_on_a_terminal(&args) else {
            eprintln!("skipped: no util-linux script to make a terminal");
            return;
        };
        let hint = format!(
            "kassign: reading {what} from standard input (pass a FILE, or - to silence this)"
        );
        assert!(shown.starts_with(&hint), "{args:?}: {shown:?}");
        // Then the empty input is refused as usual.
        assert!(shown.contains("<stdin>"), "{args:?}: {shown:?}");
        let mut with_dash = args.clone();
        with_dash.push("-");
        let shown = run_on_a_terminal(&with_dash).unwrap();
        assert!(!shown.contains("reading"), "{with_dash:?}: {shown:?}");
        assert!(shown.contains("<stdin>"), "{with_dash:?}: {shown:?}");
    }
}

/// What the lenient rules accept silently is printed on stderr as notes;
/// `--strict` makes the first one the error.
#[test]
fn notes_on_suspicious_input_go_to_stderr_and_strict_refuses_them() {
    let path = scenario(
        "notes",
        r#"{"topics": {"orders": 2}, "members": [
            {"id": "c1", "topics": ["orders", "ordres"], "owned": {"orders": [5]}, "generation": 1}]}"#,
    );
    let path = path.to_str().unwrap();
    let output = run(&["assign", "-s", "range", path]);
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("kassign: note: "), "{err}");
    assert!(
        err.contains("\"ordres\", which the metadata lacks"),
        "{err}"
    );
    assert!(
        err.contains("claims partition 5 of topic \"orders\", which has 2"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(stdout(&output).contains("\"c1\""));

    let strict = run(&["assign", "-s", "range", "--strict", path]);
    assert_rejected(&strict, &["ordres", "and 1 more note"]);
    let clean = run(&[
        "compare",
        "--strict",
        repo("examples/realistic.json").to_str().unwrap(),
    ]);
    assert!(clean.status.success(), "{}", stderr(&clean));
    assert!(stderr(&clean).is_empty(), "{}", stderr(&clean));
}
