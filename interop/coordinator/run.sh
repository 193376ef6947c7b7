#!/usr/bin/env bash
# Kafka's server-side assignors (kafka-group-coordinator from Maven Central,
# at the version pom.xml pins) against kafka_assignors::server: builds the
# Java harness with Maven, then runs the driver (driver/src/main.rs).
#
#   interop/coordinator/run.sh [check] [--groups N] [--seed S] [--batch B]
#   interop/coordinator/run.sh time [--grid small|kip|bench|full] [--filter TEXT] [--warmup-ms W] [--runs R]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/interop/coordinator
mode=check
if [[ ${1:-} == check || ${1:-} == time ]]; then
    mode=$1
    shift
fi
mvn -q -B -f "$here/pom.xml" package -DskipTests
classpath="$here/target/coordinator-oracle-0.0.0.jar"
for jar in "$here"/target/lib/*.jar; do
    classpath="$classpath:$jar"
done
driver=$(cd "$root" && cargo build --release -p kassign-coordinator --message-format=json-render-diagnostics \
    | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable"):
        print(m["executable"])' | tail -n 1)
"$driver" "$mode" --java-classpath "$classpath" "$@"
