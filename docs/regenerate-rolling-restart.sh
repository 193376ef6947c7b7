#!/usr/bin/env bash
# Redraws docs/rolling-restart.svg, the picture the README shows. This is the
# one command that writes the tracked file, so regenerating it is a choice:
# the README's example writes its picture elsewhere. Run it when the drawing
# or the simulation changes; cli/tests/simulate.rs fails while the tracked
# picture differs from what kassign draws.
set -euo pipefail
cd "$(dirname "$0")/.."
# The timeline's path is in the picture's title: keep it relative.
cargo run -q -p kassign -- simulate examples/timelines/rolling_restart.json \
    --svg docs/rolling-restart.svg >/dev/null
echo "wrote docs/rolling-restart.svg"
