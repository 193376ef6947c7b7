#!/usr/bin/env bash
# Kafka's own KIP-848 reconciliation as a differential oracle for
# server::reconcile: builds the Java replayer with Maven
# (kafka-group-coordinator from Maven Central, at the version pom.xml pins),
# then runs the driver (interop/reconcile/driver) on seeded sequences.
#
#   interop/reconcile/run.sh [--sequences N] [--seed S] [--save DIR] [--record N]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/interop/reconcile
mvn -q -B -f "$here/pom.xml" package -DskipTests
classpath="$here/target/reconcile-oracle-0.0.0.jar"
for jar in "$here"/target/lib/*.jar; do
    classpath="$classpath:$jar"
done
driver=$(cd "$root" && cargo build --release -p kassign-reconcile-oracle --message-format=json-render-diagnostics \
    | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable"):
        print(m["executable"])' | tail -n 1)
timeout 600 "$driver" --java-classpath "$classpath" "$@"
