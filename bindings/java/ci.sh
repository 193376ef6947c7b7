#!/usr/bin/env bash
# The Java jar's CI step: `mvn verify` (builds the JNI library with cargo,
# bundles it, runs the unit tests and Kafka's own assignor suites from the
# kafka-clients test jar against it, with KAFKA_TESTS.md's expected
# differences; the broker-side assignors against kassign target and
# Kafka's server-side RangeAssignor), the in-JVM benchmark as a smoke test
# (client and broker side), and real groups on the Apache Kafka broker
# (ours beside the Java client's own cooperative-sticky, either side
# leading; Java consumers on the KIP-848 consumer protocol choosing our
# server-side kassign-uniform). Installs a JDK and Maven from Debian's
# packages when missing.
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
