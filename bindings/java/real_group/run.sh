#!/usr/bin/env bash
# Real groups on the Apache Kafka broker: Java client consumers running this
# jar's cooperative-sticky beside Java client consumers running Kafka's own,
# either side leading; then a broker running this jar's server-side
# assignors and Java consumers on the KIP-848 consumer protocol choosing
# kassign-uniform (see driver.py). Reuses tests/real_group: its Maven
# project (the broker kafka_2.13 and kafka-clients, both 4.3.1, and the
# JavaConsumer member), its broker start (kafka_broker.sh), its topic setup
# and its driver. Everything listens on 127.0.0.1 and is stopped on exit;
# about three minutes.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$PWD
target=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
venv=$target/real-group-venv
work=$target/real-group-jar
rm -rf "$work"
mkdir -p "$work"

pids=()
cleanup() {
    local status=$?
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || continue
        for _ in $(seq 40); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ "$status" -ne 0 ]; then
        echo "jar real group failed; logs in $work" >&2
        tail -n 20 "$work/kafka/kafka.log" >&2 2>/dev/null || true
    fi
}
trap cleanup EXIT

# The topic setup's admin client (confluent-kafka), as tests/real_group pins it.
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check 'confluent-kafka==2.16.1'

cargo build --quiet -p kassign
kassign=$(cargo metadata --format-version 1 --no-deps >/dev/null && echo "$target/debug/kassign")
mvn -q -B -Dstyle.color=never -f "$root/bindings/java/pom.xml" package -DskipTests
java_dir=$root/tests/real_group/java
mvn -q -B -Dstyle.color=never -f "$java_dir/pom.xml" package -DskipTests
classpath="$java_dir/target/real-group-java-0.0.0.jar:$root/bindings/java/target/kafka-assignors-0.1.0.jar"
for jar in "$java_dir"/target/lib/*.jar; do
    classpath="$classpath:$jar"
done

source "$root/tests/real_group/kafka_broker.sh"
# The broker's server-side assignors: this jar's two first (the first is
# the default), then Kafka's own; KIP-848 heartbeats and session timeouts
# short enough for a test (the defaults are 5 s and 45 s).
KAFKA_EXTRA_PROPERTIES="group.consumer.assignors=io.github.kafkaassignors.UniformServerAssignor,io.github.kafkaassignors.RangeServerAssignor,uniform,range
group.consumer.heartbeat.interval.ms=500
group.consumer.min.heartbeat.interval.ms=500
group.consumer.session.timeout.ms=6000
group.consumer.min.session.timeout.ms=6000"
kafka_broker_start "$classpath" "$work/kafka"
timeout 110 "$venv/bin/python" "$root/tests/real_group/setup_topics.py" "127.0.0.1:$KAFKA_PORT"
# The topics' ids, for the library's target of the consumer-protocol group.
timeout 60 java -cp "$classpath" "$root/bindings/java/real_group/TopicIds.java" \
    "127.0.0.1:$KAFKA_PORT" rg-orders rg-payments >"$work/topic-ids.json"
timeout 520 python3 "$root/bindings/java/real_group/driver.py" \
    "127.0.0.1:$KAFKA_PORT" "$kassign" "$work" "$classpath" "$work/topic-ids.json"
