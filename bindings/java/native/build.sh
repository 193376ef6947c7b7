#!/usr/bin/env bash
# Builds the JNI library (cargo, release profile) and copies it to
# DIR/PLATFORM/ for the jar; run by Maven in generate-resources.
#
#   native/build.sh DIR
set -euo pipefail
out=$1
cd "$(dirname "$0")"
case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) platform=linux-x86_64 file=libkafka_assignors_jni.so ;;
    Linux-aarch64) platform=linux-aarch64 file=libkafka_assignors_jni.so ;;
    Darwin-x86_64) platform=macos-x86_64 file=libkafka_assignors_jni.dylib ;;
    Darwin-arm64) platform=macos-aarch64 file=libkafka_assignors_jni.dylib ;;
    *) echo "native/build.sh: no platform name for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
# The cdylib cargo reports, wherever CARGO_TARGET_DIR or build.target-dir
# put it (a hard-coded path would miss those or copy a stale library).
lib=$(cargo build --release -p kafka-assignors-jni --message-format=json-render-diagnostics |
    python3 -c '
import json, sys
found = [f for m in map(json.loads, sys.stdin)
         if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "kafka_assignors_jni"
         for f in m.get("filenames", []) if f.endswith((".so", ".dylib", ".dll"))]
if not found:
    sys.exit("native/build.sh: cargo built no kafka_assignors_jni library")
print(found[-1])')
mkdir -p "$out/$platform"
cp "$lib" "$out/$platform/$file"
echo "native library: $out/$platform/$file"
