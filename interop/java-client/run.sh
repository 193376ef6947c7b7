#!/usr/bin/env bash
# The Java client as a differential oracle (see interop/oracle/src/main.rs):
# builds the Java harness with Maven (kafka-clients from Maven Central, at
# the version pom.xml pins), then runs the driver on seeded groups.
#
#   interop/java-client/run.sh [--groups N] [--seed S]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/interop/java-client
mvn -q -B -f "$here/pom.xml" package -DskipTests
classpath="$here/target/java-client-oracle-0.0.0.jar"
for jar in "$here"/target/lib/*.jar; do
    classpath="$classpath:$jar"
done
oracle=$(cd "$root" && cargo build --release -p kassign-oracle --message-format=json-render-diagnostics \
    | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable"):
        print(m["executable"])' | tail -n 1)
"$oracle" --java-classpath "$classpath" "$@"
