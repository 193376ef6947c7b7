//! Writes the seed corpora into `fuzz/corpus/<target>/` from the project's
//! own data: the example and reference groups (compact scenario JSON, which
//! the group targets read when the input starts with `{`), the Java client's
//! wire bytes from `tests/data/wire/java.json`, and a few pseudo-random byte
//! strings for the structured targets. Run by `fuzz/seed.sh`.

use std::fs;
use std::path::{Path, PathBuf};

use kafka_assignors::Group;
use kafka_assignors_testkit::rng::SplitMix64;

const GROUP_TARGETS: [&str; 6] = [
    "assign_range",
    "assign_roundrobin",
    "assign_sticky",
    "assign_cooperative_sticky",
    "sticky_differential",
    "scenario_json",
];

const STRUCTURED_TARGETS: [&str; 6] = [
    "assign_range",
    "assign_roundrobin",
    "assign_sticky",
    "assign_cooperative_sticky",
    "sticky_differential",
    "leader",
];

fn write(corpus: &Path, target: &str, name: &str, bytes: &[u8]) {
    let dir = corpus.join(target);
    fs::create_dir_all(&dir).expect("create the corpus directory");
    fs::write(dir.join(name), bytes).expect("write a seed");
}

fn hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    out.sort();
    out
}

fn main() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = fuzz.parent().expect("the fuzz crate sits in the project");
    let corpus = std::env::args_os()
        .nth(1)
        .map_or_else(|| fuzz.join("corpus"), PathBuf::from);
    let mut seeds = 0usize;

    let mut groups = json_files(&root.join("examples"));
    groups.extend(json_files(&root.join("tests/data/reference/groups")));
    for path in &groups {
        let text = fs::read(path).expect("read a group");
        let group: Group = serde_json::from_slice(&text)
            .unwrap_or_else(|e| panic!("{} is not a scenario: {e}", path.display()));
        let compact = serde_json::to_vec(&group).expect("serialize a group");
        let name = path.file_stem().unwrap().to_string_lossy();
        for target in GROUP_TARGETS {
            write(&corpus, target, &format!("{name}.json"), &compact);
            seeds += 1;
        }
    }

    let cases: Vec<serde_json::Value> =
        serde_json::from_slice(&fs::read(root.join("tests/data/wire/java.json")).unwrap())
            .expect("java.json is a list of cases");
    for case in &cases {
        let op = case["op"].as_str().unwrap_or_default();
        let id = case["id"].as_str().unwrap_or("case");
        let (target, prefix): (&str, &[u8]) = match op {
            "decode-subscription" | "encode-subscription" => ("decode_subscription", &[]),
            "decode-assignment" | "encode-assignment" => ("decode_assignment", &[]),
            // These targets read a leading byte (0xff = null user data).
            "decode-sticky-user-data" | "sticky-user-data" => ("decode_sticky_user_data", &[0]),
            "decode-cooperative-user-data" | "cooperative-user-data" => {
                ("decode_cooperative_user_data", &[0])
            }
            _ => continue,
        };
        let hexes = [case["args"][0].as_str(), case["java"]["hex"].as_str()];
        for (i, text) in hexes.into_iter().flatten().enumerate() {
            let Some(bytes) = hex(text) else { continue };
            let mut seed = prefix.to_vec();
            seed.extend(bytes);
            write(&corpus, target, &format!("{id}-{i}"), &seed);
            seeds += 1;
        }
    }

    let mut rng = SplitMix64::new(0x5eed);
    for n in 0..16 {
        let len = 64 << (n % 4);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        for target in STRUCTURED_TARGETS {
            write(&corpus, target, &format!("random-{n}"), &bytes);
            seeds += 1;
        }
    }
    println!("wrote {seeds} seeds into {}", corpus.display());
}
