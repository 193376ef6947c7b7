//! The Java client as a differential oracle.
//!
//! Generates seeded groups (uniform and mixed subscriptions, unknown
//! topics, static members, racks on members and replicas, owned partitions
//! with conflicting and stale generations, empty topics, more members than
//! partitions), writes every member's JoinGroup metadata with this crate's
//! `join_protocols`, and asks the Java client's own assignors
//! (`interop/java-client`, one JVM for the whole run) what they answer from
//! those bytes. Then, per group and strategy:
//!
//! - `range`, `roundrobin`: the answers are identical, member by member;
//! - `sticky`: ours is valid and complete, at least as even as Java's (sum
//!   of squared loads), and where the loads tie and no racks are in play,
//!   moves no more owned partitions;
//! - `cooperative-sticky`: ours is valid and withholds what would change
//!   owner: nothing goes to a member while another claims it at the highest
//!   generation;
//! - Java's sticky answers that break the rules (a partition to a member
//!   that does not subscribe to its topic: Java 4.3.1 gives partitions to
//!   members with empty subscriptions, and keeps owned partitions of topics
//!   a member dropped) and its cooperative hand-overs of claimed partitions
//!   are counted and reported, not failed: they are the Java client's;
//! - the wire: Java decodes our metadata, and we decode Java's assignment
//!   bytes; and on as many random subscriptions (v0-v3) and assignments,
//!   Java reads our bytes as we do, writes them again, and we read that as
//!   the same (how often its bytes are ours byte for byte is reported: an
//!   empty rack, which Java reads as none, comes back as null).
//!
//! A failure prints the group as a scenario file and exits 1.
//!
//! Usage: `kassign-oracle --java-classpath CP [--groups N] [--seed S]`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;

use kafka_assignors::protocol::{AssignmentData, HexBytes, JoinedMember, Subscription, lead};
use kafka_assignors::{Assignment, Assignor, Group, Member, Strategy, Topic, TopicPartition};
use kafka_assignors_testkit::join::joined;
use kafka_assignors_testkit::owners::{highest_claimants, owners, withheld};
use kafka_assignors_testkit::rng::SplitMix64;
use serde_json::{Value, json};

/// Names whose Java (UTF-16) order differs from Rust's among them.
const TOPICS: [&str; 7] = ["T", "a", "b", "t-10", "t-2", "😀x", "！y"];
const MEMBERS: [&str; 9] = ["C1", "C2", "C3", "C10", "c", "m-😀", "m-！", "z", "C0"];
const RACKS: [&str; 4] = ["r0", "r1", "r2", ""];

fn group(rng: &mut SplitMix64) -> Group {
    let mut group = Group::new();
    let racks = rng.chance(3);
    let topics = 1 + rng.below(5);
    let mut names: Vec<&str> = TOPICS.to_vec();
    for t in 0..topics {
        let pick = t + rng.below(names.len() - t);
        names.swap(t, pick);
    }
    let names = &names[..topics];
    for &name in names {
        let partitions = rng.below(9) as i32;
        let mut topic = Topic::new(name, partitions);
        if racks && !rng.chance(4) {
            let lists: Vec<Vec<&str>> = (0..partitions)
                .map(|_| {
                    let mut list: Vec<&str> = Vec::new();
                    for _ in 0..rng.below(4) {
                        let rack = RACKS[rng.below(RACKS.len())];
                        if !list.contains(&rack) {
                            list.push(rack);
                        }
                    }
                    list
                })
                .collect();
            topic = topic.with_replica_racks(lists);
        }
        group.topics.push(topic);
    }
    let members = 1 + rng.below(MEMBERS.len());
    let uniform = rng.chance(2);
    let mut ids: Vec<&str> = MEMBERS.to_vec();
    for m in 0..members {
        let pick = m + rng.below(ids.len() - m);
        ids.swap(m, pick);
    }
    for &id in &ids[..members] {
        let mut member = Member::new(id);
        let topics: Vec<&str> = if uniform {
            names.to_vec()
        } else {
            names.iter().copied().filter(|_| rng.chance(2)).collect()
        };
        member = member.subscribe(topics);
        if rng.chance(8) {
            member = member.subscribe(["ghost"]);
        }
        if rng.chance(3) {
            member = member.with_instance_id(format!("i-{id}"));
        }
        if racks && !rng.chance(4) {
            member = member.with_rack(RACKS[rng.below(3)]);
        }
        group.members.push(member);
    }
    // History: each partition claimed by nobody, one member or (rarely) two,
    // at generations that may conflict or be stale.
    if rng.chance(3) {
        return group;
    }
    let generations: Vec<Option<i32>> = (0..members)
        .map(|_| (!rng.chance(6)).then(|| 1 + rng.below(3) as i32))
        .collect();
    for t in 0..group.topics.len() {
        let (name, partitions) = (
            Arc::clone(&group.topics[t].name),
            group.topics[t].partitions,
        );
        for p in 0..partitions {
            let claims = match rng.below(8) {
                0..=2 => 0,
                7 => 2,
                _ => 1,
            };
            for _ in 0..claims {
                let m = rng.below(members);
                let owned = &mut group.members[m].owned;
                if !owned.iter().any(|tp| tp.topic == name && tp.partition == p) {
                    owned.push(TopicPartition::new(Arc::clone(&name), p));
                }
            }
        }
    }
    for (member, generation) in group.members.iter_mut().zip(generations) {
        if !member.owned.is_empty() {
            member.generation = generation.or(Some(1));
        }
    }
    group
}

fn hex(bytes: &[u8]) -> String {
    HexBytes(bytes.to_vec()).to_string()
}

/// The harness's hex; what does not read is no bytes, which the checks
/// then report as a wrong answer.
fn unhex(text: &str) -> Vec<u8> {
    text.parse::<HexBytes>().map(|h| h.0).unwrap_or_default()
}

type Answer = BTreeMap<String, BTreeSet<(String, i32)>>;

fn ours(assignment: &Assignment) -> Answer {
    assignment
        .members()
        .map(|m| {
            let set = m.iter().map(|(t, p)| (t.to_string(), p)).collect();
            (m.id().to_string(), set)
        })
        .collect()
}

/// Problems with an answer: a partition twice, to a non-subscriber, or
/// (when `complete`) left out.
fn invalid(group: &Group, answer: &Answer, complete: bool) -> Option<String> {
    let mut seen = BTreeSet::new();
    for (member, set) in answer {
        let m = group.member(member)?;
        for (topic, p) in set {
            if !seen.insert((topic.clone(), *p)) {
                return Some(format!("{topic}-{p} given twice"));
            }
            if !m.topics.iter().any(|t| **t == **topic) {
                return Some(format!(
                    "{topic}-{p} given to {member}, who does not subscribe"
                ));
            }
        }
    }
    if complete {
        for t in &group.topics {
            if group.members.iter().any(|m| m.topics.contains(&t.name)) {
                for p in 0..t.partitions {
                    if !seen.contains(&(t.name.to_string(), p)) {
                        return Some(format!("{}-{p} left out", t.name));
                    }
                }
            }
        }
    }
    None
}

fn cost(group: &Group, answer: &Answer) -> (u64, usize) {
    let squares = group
        .members
        .iter()
        .map(|m| answer.get(&m.id).map_or(0, |s| s.len() as u64).pow(2))
        .sum();
    let moves = owners(group)
        .iter()
        .filter(|(tp, m)| !answer.get(*m).is_some_and(|s| s.contains(tp)))
        .count();
    (squares, moves)
}

/// Partitions handed to a member while another claims them at their
/// highest generation.
fn breaches(group: &Group, answer: &Answer) -> usize {
    let claimants = highest_claimants(group);
    answer
        .iter()
        .flat_map(|(m, set)| set.iter().map(move |tp| (m, tp)))
        .filter(|(m, tp)| withheld(&claimants, tp, m))
        .count()
}

#[derive(Default)]
struct Tally {
    cases: usize,
    identical: usize,
    more_even: usize,
    fewer_moves: usize,
    equal: usize,
    java_breaches: usize,
    java_invalid: usize,
    java_errors: BTreeMap<String, usize>,
    with_racks: usize,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let Some(classpath) = flag("--java-classpath") else {
        eprintln!("usage: kassign-oracle --java-classpath CP [--groups N] [--seed S]");
        return ExitCode::from(2);
    };
    let groups: usize = flag("--groups")
        .and_then(|g| g.parse().ok())
        .unwrap_or(2000);
    let seed: u64 = flag("--seed")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    println!("java oracle: {groups} groups, seed {seed} (replay with --seed {seed})");

    let mut java = match Command::new("java")
        .args(["-cp", &classpath, "kassign.interop.Oracle"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            eprintln!("java oracle: cannot start java: {e}");
            return ExitCode::from(2);
        }
    };
    let mut to_java = java.stdin.take().expect("piped");
    let mut from_java = BufReader::new(java.stdout.take().expect("piped"));

    let mut rng = SplitMix64::new(seed);
    let mut tallies: BTreeMap<&'static str, Tally> = BTreeMap::new();
    let mut failures = 0usize;
    for g in 0..groups {
        let group = group(&mut rng);
        for strategy in Strategy::ALL {
            let members = joined(&group, strategy);
            let request = json!({
                "strategy": strategy.name(),
                "topics": group.topics.iter().map(|t| json!({
                    "name": &*t.name,
                    "partitions": t.partitions,
                    "racks": t.replica_racks.as_ref().map(|r| r.iter()
                        .map(|l| l.iter().map(|x| x.to_string()).collect::<Vec<_>>())
                        .collect::<Vec<_>>()),
                })).collect::<Vec<_>>(),
                "members": members.iter().map(|m| json!({
                    "id": m.member_id,
                    "instance_id": m.group_instance_id,
                    "metadata": hex(&m.metadata),
                })).collect::<Vec<_>>(),
            });
            let Some(reply) = ask(&mut to_java, &mut from_java, &request) else {
                return ExitCode::from(1);
            };
            let problem = check(
                strategy,
                &group,
                &members,
                &reply,
                tallies.entry(strategy.name()).or_default(),
            );
            if let Some(problem) = problem {
                failures += 1;
                if failures <= 20 {
                    let scenario = serde_json::to_string(&group).unwrap_or_default();
                    eprintln!("java oracle: group {g}, {strategy}: {problem}\n{scenario}");
                }
            }
        }
    }
    // The wire both ways, on random subscriptions (v0-v3) and assignments.
    let mut wire = Tally::default();
    for w in 0..groups {
        let (kind, bytes, version) = wire_case(&mut rng);
        let request = json!({"wire": kind, "hex": hex(&bytes), "version": version});
        let Some(reply) = ask(&mut to_java, &mut from_java, &request) else {
            return ExitCode::from(1);
        };
        wire.cases += 1;
        match check_wire(kind, &bytes, &reply) {
            Ok(identical) => wire.identical += usize::from(identical),
            Err(problem) => {
                failures += 1;
                if failures <= 20 {
                    eprintln!(
                        "java oracle: wire case {w}, {kind} {}: {problem}",
                        hex(&bytes)
                    );
                }
            }
        }
    }
    println!(
        "  {:<20} {} cases: Java reads our bytes as we do, and we read Java's; byte-identical re-encoding in {}",
        "wire", wire.cases, wire.identical
    );
    tallies.insert(
        "wire",
        Tally {
            cases: wire.cases,
            identical: wire.identical,
            ..Tally::default()
        },
    );
    drop(to_java);
    let _ = java.wait();
    for (name, t) in tallies.iter().filter(|(name, _)| **name != "wire") {
        match *name {
            "range" | "roundrobin" => {
                println!(
                    "  {name:<20} {} groups, {} identical to Java",
                    t.cases, t.identical
                )
            }
            "sticky" => println!(
                "  {name:<20} {} groups: ours more even in {}, as even with fewer moves in {}, equal in {} ({} with racks: evenness compared only); Java's answer invalid in {}",
                t.cases, t.more_even, t.fewer_moves, t.equal, t.with_racks, t.java_invalid
            ),
            _ => println!(
                "  {name:<20} {} groups: ours valid and withholding what changes owner in all; Java hands a claimed partition over in {}, and its answer is invalid in {}",
                t.cases, t.java_breaches, t.java_invalid
            ),
        }
    }
    for (name, t) in &tallies {
        for (error, n) in &t.java_errors {
            println!("  {name:<20} Java threw in {n} groups: {error}");
        }
    }
    if failures > 0 {
        eprintln!("java oracle: {failures} failure(s)");
        return ExitCode::from(1);
    }
    let cases: usize = tallies.values().map(|t| t.cases).sum();
    println!("java oracle: {cases} passed, 0 failed");
    ExitCode::SUCCESS
}

/// One request line to the JVM and its answer line; `None` (said on
/// stderr) when the JVM went away.
fn ask(to_java: &mut impl Write, from_java: &mut impl BufRead, request: &Value) -> Option<Value> {
    if writeln!(to_java, "{request}")
        .and_then(|()| to_java.flush())
        .is_err()
    {
        eprintln!("java oracle: the JVM went away");
        return None;
    }
    let mut line = String::new();
    if from_java.read_line(&mut line).map_or(true, |n| n == 0) {
        eprintln!("java oracle: no answer from the JVM");
        return None;
    }
    Some(serde_json::from_str(&line).unwrap_or(Value::Null))
}

/// A random subscription at a random version, or a random assignment, as
/// our bytes.
fn wire_case(rng: &mut SplitMix64) -> (&'static str, Vec<u8>, i16) {
    let partitions = |rng: &mut SplitMix64| -> Vec<TopicPartition> {
        (0..rng.below(6))
            .map(|_| TopicPartition::new(TOPICS[rng.below(TOPICS.len())], rng.below(5) as i32))
            .collect()
    };
    let user_data = |rng: &mut SplitMix64| -> Option<Vec<u8>> {
        (!rng.chance(3)).then(|| (0..rng.below(9)).map(|_| rng.next_u64() as u8).collect())
    };
    if rng.chance(3) {
        let mut data = AssignmentData::new(partitions(rng));
        data.user_data = user_data(rng);
        let version = rng.below(4) as i16;
        return (
            "assignment",
            data.encode_version(version).expect("encodable"),
            version,
        );
    }
    let mut topics: Vec<&str> = TOPICS.iter().copied().filter(|_| rng.chance(2)).collect();
    topics.dedup();
    let mut sub = Subscription::new(topics);
    sub.user_data = user_data(rng);
    // Owned partitions once each: the Java client holds them in a set.
    let mut owned = partitions(rng);
    owned.sort();
    owned.dedup();
    sub.owned_partitions = owned;
    sub.generation = (!rng.chance(3)).then(|| rng.below(6) as i32);
    sub.rack = match rng.below(3) {
        0 => None,
        1 => Some(String::new()),
        _ => Some("r0".to_string()),
    };
    let version = rng.below(4) as i16;
    (
        "subscription",
        sub.encode_version(version).expect("encodable"),
        version,
    )
}

/// Java's reading of our bytes is ours, and ours of Java's re-encoding is
/// too; whether Java wrote the same bytes back.
fn check_wire(kind: &str, ours: &[u8], reply: &Value) -> Result<bool, String> {
    let java_hex = reply
        .get("hex")
        .and_then(Value::as_str)
        .ok_or(format!("java failed: {reply}"))?;
    let java = unhex(java_hex);
    let pairs = |tps: &[TopicPartition]| -> Vec<Value> {
        tps.iter()
            .map(|tp| json!([&*tp.topic, tp.partition]))
            .collect()
    };
    let user_data = |data: &Option<Vec<u8>>| data.as_deref().map_or(Value::Null, |d| json!(hex(d)));
    let content = |bytes: &[u8]| -> Result<Value, String> {
        if kind == "subscription" {
            let d = Subscription::decode(bytes).map_err(|e| e.to_string())?;
            let s = d.subscription;
            Ok(json!({
                "topics": s.topics.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
                "owned": pairs(&s.owned_partitions),
                "generation": d.generation_id,
                // The Java client reads an empty rack as none, as rack_id does.
                "rack": s.rack_id(),
                "user_data": user_data(&s.user_data),
            }))
        } else {
            let d = AssignmentData::decode(bytes).map_err(|e| e.to_string())?;
            Ok(json!({
                "assigned": pairs(&d.assignment.partitions),
                "user_data": user_data(&d.assignment.user_data),
            }))
        }
    };
    let mine = content(ours)?;
    let mut seen = reply.clone();
    if let Some(object) = seen.as_object_mut() {
        object.remove("hex");
    }
    if seen != mine {
        return Err(format!("java reads {seen}, we read {mine}"));
    }
    let back = content(&java).map_err(|e| format!("java's bytes do not decode here: {e}"))?;
    if back != mine {
        return Err(format!("java wrote {back}, we read {mine}"));
    }
    Ok(java == ours)
}

fn check(
    strategy: Strategy,
    group: &Group,
    members: &[JoinedMember],
    reply: &Value,
    tally: &mut Tally,
) -> Option<String> {
    tally.cases += 1;
    let ours = match lead(strategy, members, group.topics.clone()) {
        Ok(led) => led,
        Err(e) => return Some(format!("ours failed: {e}")),
    };
    let Some(answers) = reply.get("assignment").and_then(Value::as_object) else {
        // The Java client threw: counted and shown, it is not ours to fix
        // (Java 4.3.1's sticky assignors throw a NullPointerException on
        // about 2% of these groups; the cause is not pinned down here).
        let error = reply
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("no answer");
        *tally.java_errors.entry(error.to_string()).or_default() += 1;
        return None;
    };
    let mut java: Answer = BTreeMap::new();
    for m in &group.members {
        let bytes = unhex(answers.get(&m.id).and_then(Value::as_str).unwrap_or(""));
        let decoded = match AssignmentData::decode(&bytes) {
            Ok(d) => d.assignment,
            Err(e) => {
                return Some(format!(
                    "java's assignment for {} does not decode: {e}",
                    m.id
                ));
            }
        };
        java.insert(
            m.id.clone(),
            decoded
                .partitions
                .iter()
                .map(|tp| (tp.topic.to_string(), tp.partition))
                .collect(),
        );
    }
    let mine = self::ours(&ours.assignment);
    let decoded = &ours.group();
    match strategy {
        Strategy::Range | Strategy::RoundRobin => {
            if mine != java {
                return Some(format!("answers differ\nours: {mine:?}\njava: {java:?}"));
            }
            tally.identical += 1;
        }
        Strategy::Sticky => {
            if let Some(p) = invalid(decoded, &mine, true) {
                return Some(format!("ours invalid: {p}"));
            }
            // A Java answer that breaks the rules is the Java client's
            // defect, counted and shown, not ours.
            if invalid(decoded, &java, true).is_some() {
                tally.java_invalid += 1;
                return None;
            }
            let (a, b) = (cost(decoded, &mine), cost(decoded, &java));
            let racks = decoded.topics.iter().any(|t| t.replica_racks.is_some())
                && decoded.members.iter().any(|m| m.rack().is_some());
            if racks {
                tally.with_racks += 1;
            }
            if a.0 > b.0 || (!racks && a.0 == b.0 && a.1 > b.1) {
                return Some(format!(
                    "java does better: ours {a:?}, java {b:?}\nours: {mine:?}\njava: {java:?}"
                ));
            }
            if a.0 < b.0 {
                tally.more_even += 1;
            } else if a.1 < b.1 && !racks {
                tally.fewer_moves += 1;
            } else {
                tally.equal += 1;
            }
        }
        _ => {
            if let Some(p) = invalid(decoded, &mine, false) {
                return Some(format!("ours invalid: {p}"));
            }
            if invalid(decoded, &java, false).is_some() {
                tally.java_invalid += 1;
                return None;
            }
            if breaches(decoded, &mine) > 0 {
                return Some(format!(
                    "ours hands over a claimed partition\nours: {mine:?}"
                ));
            }
            if breaches(decoded, &java) > 0 {
                tally.java_breaches += 1;
            }
        }
    }
    None
}
