#!/usr/bin/env bash
# The Java jar's CI step: `mvn verify` (builds the JNI library with cargo,
# bundles it, runs the unit tests and Kafka's own assignor suites from the
# kafka-clients test jar against it, with KAFKA_TESTS.md's expected
# differences), the in-JVM benchmark as a smoke test, and a real group on
# the Apache Kafka broker (ours beside the Java client's own
# cooperative-sticky, either side leading). Installs a JDK and Maven from
# Debian's packages when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null
fi
mvn -B -ntp -Dstyle.color=never -f bindings/java verify
bash bindings/java/bench.sh --small
if [ -f bindings/java/real_group/run.sh ]; then
    bash bindings/java/real_group/run.sh
fi
