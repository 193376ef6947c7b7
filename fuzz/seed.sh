#!/usr/bin/env bash
# Regenerates the seed corpora in fuzz/corpus/<target>/ (gitignored) from
# examples/*.json, tests/data/reference/groups/*.json and the hex cases of
# tests/data/wire/java.json. Existing corpus files are kept.
set -euo pipefail
cd "$(dirname "$0")"
cargo run --quiet --no-default-features --example seed -- "$PWD/corpus"
