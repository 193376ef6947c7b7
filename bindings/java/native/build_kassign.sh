#!/usr/bin/env bash
# Builds the kassign command-line tool (cargo, release profile) and copies
# it to FILE: the tests of the broker-side assignors compare the jar's
# answers with `kassign target`'s. Run by Maven in generate-test-resources.
#
#   native/build_kassign.sh FILE
set -euo pipefail
out=$1
cd "$(dirname "$0")"
bin=$(cargo build --release -p kassign --message-format=json-render-diagnostics |
    python3 -c '
import json, sys
found = [m["executable"] for m in map(json.loads, sys.stdin)
         if m.get("reason") == "compiler-artifact" and m.get("executable")
         and m["target"]["name"] == "kassign"]
if not found:
    sys.exit("native/build_kassign.sh: cargo built no kassign executable")
print(found[-1])')
mkdir -p "$(dirname "$out")"
cp "$bin" "$out"
echo "kassign: $out"
