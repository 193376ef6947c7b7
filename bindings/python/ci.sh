#!/usr/bin/env bash
# The Python wheel's CI step: a virtual environment under the cargo target
# directory with pinned maturin, pytest, hypothesis, kafka-python and
# aiokafka from PyPI; the abi3 wheel built by maturin and installed; pytest.
# The tests compare with the `kassign` binary (built here in the debug
# profile, which `cargo test --workspace` has built already in CI).
set -euo pipefail
cd "$(dirname "$0")/../.."
# Cargo's target directory, wherever CARGO_TARGET_DIR or build.target-dir put it.
target=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
venv="$target/python-venv"
wheels="$target/python-wheels"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check \
    maturin==1.16.0 pytest==9.2.0 hypothesis==6.170.15 kafka-python==3.0.12 aiokafka==0.14.0

cargo build -q -p kassign
rm -rf "$wheels"
(cd bindings/python && "$venv/bin/maturin" build --release -q -i "$venv/bin/python" -o "$wheels")
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$wheels"/kafka_assignors-*.whl

KASSIGN="$target/debug/kassign" "$venv/bin/python" -m pytest -q -p no:cacheprovider bindings/python/tests

# A real cooperative-sticky group on Tansu: ours beside kafka-python's own
# and a librdkafka member, through joins, leaves and a restart (about 2 min).
bash bindings/python/real_group/run.sh
