//! Regression tests from the differential check against Kafka's own
//! `CurrentAssignmentBuilder` (`interop/reconcile/run.sh`): every file of
//! `tests/data/server_reconcile/` holds sequences in the line format of
//! `testkit/src/kip848.rs` with Kafka's outcome of each step (`java ...`
//! lines, printed by the Java replayer on kafka-group-coordinator 4.3.1).
//! `run.sh --save DIR` writes a failing sequence in this form; ours must
//! reproduce every line.

use std::collections::HashMap;
use std::path::Path;

use kafka_assignors_testkit::kip848::Sequence;

type Case = (String, Sequence, Vec<String>);

fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/server_reconcile");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let (seqs, others) = Sequence::parse(&text).unwrap();
        let mut expected: HashMap<String, Vec<String>> = HashMap::new();
        for line in others {
            let line = line
                .strip_prefix("java ")
                .expect("only java lines besides sequences");
            let name = line.split(' ').next().unwrap().to_owned();
            expected.entry(name).or_default().push(line.to_owned());
        }
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!seqs.is_empty(), "{file} holds no sequence");
        for seq in seqs {
            let want = expected.remove(&seq.name).unwrap_or_default();
            out.push((file.clone(), seq, want));
        }
    }
    out
}

#[test]
fn ours_reproduces_every_recorded_kafka_step() {
    let cases = cases();
    assert!(cases.len() >= 10, "only {} recorded sequences", cases.len());
    let mut steps = 0;
    for (file, seq, want) in &cases {
        steps += want.len();
        if let Err(why) = seq.compare(want) {
            panic!("{file}, sequence {}: {why}\n{}", seq.name, seq.to_text());
        }
    }
    assert!(steps >= 50, "only {steps} recorded steps");
}

#[test]
fn the_recordings_cover_fencing_and_the_previous_epoch_allowance() {
    let cases = cases();
    assert!(
        cases
            .iter()
            .any(|(_, _, want)| want.iter().any(|l| l.ends_with(" FENCED")))
    );
    let allowance = cases
        .iter()
        .find(|(file, _, _)| file == "previous_epoch_allowance.txt")
        .unwrap();
    assert_eq!(allowance.1.compare(&allowance.2), Ok(1));
}

#[test]
fn a_changed_kafka_line_is_caught() {
    for (file, seq, want) in cases() {
        for i in 0..want.len() {
            let mut tampered = want.clone();
            tampered[i] = tampered[i].replacen(" STABLE ", " UNRELEASED_PARTITIONS ", 1);
            if tampered[i] == want[i] {
                tampered[i].push_str(",9:9@9");
            }
            assert!(
                seq.compare(&tampered).is_err(),
                "{file} {} step {i}",
                seq.name
            );
        }
    }
}
