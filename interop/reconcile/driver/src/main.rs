//! Kafka's `CurrentAssignmentBuilder` (kafka-group-coordinator, through the
//! Java replayer of `interop/reconcile`) as a differential oracle for
//! `kafka_assignors::server::reconcile`.
//!
//! From a printed seed it generates sequences in the line format of
//! `testkit/src/kip848.rs`: half are the heartbeats of members of the test
//! kit's model coordinator (joins, leaves, fencing, subscription and target
//! changes, late revocation), half random start records (any state) with
//! random steps. One JVM replays them all through Kafka's builder; ours
//! replays each and is compared step by step. A difference prints the
//! sequence and both outcomes; with `--save DIR` the first 20 failing
//! sequences are written there with Kafka's outcomes, where `tests/server_reconcile_java.rs`
//! replays it as a regression test. `--record N` also writes the first `N`
//! sequences there.
//!
//! ```text
//! kassign-reconcile-oracle --java-classpath CP [--sequences N] [--seed S] [--save DIR] [--record N]
//! ```

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, ExitCode, Stdio};

use kafka_assignors_testkit::kip848::{Model, Sequence, random_event, random_sequence};
use kafka_assignors_testkit::rng::SplitMix64;

struct Args {
    classpath: String,
    sequences: usize,
    seed: u64,
    save: Option<String>,
    record: usize,
}

fn args() -> Result<Args, String> {
    let mut out = Args {
        classpath: String::new(),
        sequences: 4000,
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
        save: None,
        record: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--java-classpath" => out.classpath = value()?,
            "--sequences" => out.sequences = value()?.parse().map_err(|_| "bad --sequences")?,
            "--seed" => out.seed = value()?.parse().map_err(|_| "bad --seed")?,
            "--save" => out.save = Some(value()?),
            "--record" => out.record = value()?.parse().map_err(|_| "bad --record")?,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if out.classpath.is_empty() {
        return Err("--java-classpath is required".into());
    }
    Ok(out)
}

/// `n` sequences or a few more, from `seed`.
fn generate(seed: u64, n: usize) -> Vec<Sequence> {
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::new();
    let mut run = 0;
    while out.len() < n {
        run += 1;
        if run % 2 == 0 {
            let topics: Vec<i32> = (0..rng.below(4) + 1).map(|_| rng.below(6) as i32).collect();
            let mut model = Model::new(&topics);
            model.trace = Some(Vec::new());
            for _ in 0..rng.below(80) + 10 {
                if model.apply(&random_event(&mut rng)).is_err() {
                    break;
                }
            }
            let _ = model.settle(4);
            let trace = model.trace.take().unwrap_or_default();
            out.extend(Sequence::from_trace(&format!("m{run}"), &trace));
        } else {
            let (topics, partitions) = (rng.below(3) + 1, rng.below(4) as i32 + 1);
            out.push(random_sequence(
                &mut rng,
                format!("r{run}"),
                topics,
                partitions,
                12,
            ));
        }
    }
    out
}

fn run(args: &Args) -> Result<usize, String> {
    println!("reconcile oracle: seed {}", args.seed);
    let seqs = generate(args.seed, args.sequences);
    let steps: usize = seqs.iter().map(|s| s.steps.len()).sum();
    let text: String = seqs.iter().map(Sequence::to_text).collect();
    let mut java = Command::new("java")
        .args(["-cp", &args.classpath, "kassign.interop.ReconcileReplay"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start java: {e}"))?;
    let mut stdin = java.stdin.take().ok_or("no stdin")?;
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let output = java
        .wait_with_output()
        .map_err(|e| format!("java failed: {e}"))?;
    writer
        .join()
        .map_err(|_| "writer panicked")?
        .map_err(|e| format!("writing to java: {e}"))?;
    if !output.status.success() {
        return Err(format!("java exited with {}", output.status));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut expected: HashMap<&str, Vec<String>> = HashMap::new();
    // Kafka's outcomes by state, to show what the sequences reach.
    let mut reached: std::collections::BTreeMap<&str, usize> = Default::default();
    for line in stdout.lines() {
        *reached
            .entry(line.split(' ').nth(2).unwrap_or("?"))
            .or_default() += 1;
        let name = line.split(' ').next().unwrap_or("");
        expected.entry(name).or_default().push(line.to_owned());
    }
    let mut failures = 0;
    let mut allowed = 0;
    for (i, seq) in seqs.iter().enumerate() {
        let want = expected.get(seq.name.as_str()).cloned().unwrap_or_default();
        let verdict = seq.compare(&want);
        let save = |dir: &str| -> Result<(), String> {
            let mut file = seq.to_text();
            for line in &want {
                file.push_str(&format!("java {line}\n"));
            }
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            let path = format!("{dir}/{}-{}.txt", args.seed, seq.name);
            std::fs::write(&path, file).map_err(|e| format!("{path}: {e}"))
        };
        if let Ok(n) = verdict {
            allowed += n;
        }
        if let Err(why) = verdict {
            failures += 1;
            if failures <= 5 {
                println!("MISMATCH in {}: {why}\n{}", seq.name, seq.to_text());
                for line in &want {
                    println!("java {line}");
                }
            }
            if let Some(dir) = &args.save
                && failures <= 20
            {
                save(dir)?;
            }
        } else if i < args.record
            && let Some(dir) = &args.save
        {
            save(dir)?;
        }
    }
    println!(
        "reconcile oracle: {} sequences, {} steps, {} differ from Kafka's CurrentAssignmentBuilder, \
         {} steps took the previous-epoch allowance (seed {})",
        seqs.len(),
        steps,
        failures,
        allowed,
        args.seed
    );
    let reached: Vec<String> = reached.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!("reconcile oracle: Kafka's outcomes: {}", reached.join(", "));
    Ok(failures)
}

fn main() -> ExitCode {
    match args().and_then(|a| run(&a)) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("kassign-reconcile-oracle: {e}");
            ExitCode::from(2)
        }
    }
}
