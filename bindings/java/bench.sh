#!/usr/bin/env bash
# Speed inside the JVM, in one run: on the BENCHMARKS.md headline groups
# (interop/bench/groups.py: uniform 2000 members x 500 topics x 2000
# partitions fresh, one leaves, one joins; random half of the topics,
# fresh), the whole assign(Cluster, GroupSubscription) call of this jar's
# cooperative-sticky (conversion included) against the Java client's own
# CooperativeStickyAssignor, warmed, and the floor: building the answer's
# million Java objects; and the broker side: the jar's kassign-uniform
# against Kafka's UniformAssignor on the KIP-848 point and 10,000 members
# (ServerBench). Prints markdown tables with date, machine and load.
#
#   bindings/java/bench.sh [--small]
#
# --small: tiny groups, one repetition: a smoke test, not a measurement.
# BENCH_ONLY=server runs the broker-side cells alone, BENCH_ONLY=client the
# client-side ones; BENCH_GROUPS="uniform-fresh ..." picks client groups.
# A Java cell is stopped after $CAP seconds (default 300) and reported as
# "over CAP s". Every JVM runs with a fixed, pre-touched heap
# (-Xms = -Xmx, -XX:+AlwaysPreTouch): on a virtual machine the first touch
# of a page is expensive (12 MB of new arrays took 15-170 ms here without
# it, 2 ms with it), which a long-running client has paid long before.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
small=
[ "${1:-}" = --small ] && small=--small
if [ -n "$small" ]; then
    runs=1 warmup=1 budget=5 cap=${CAP:-60} heap=${JAVA_HEAP:-512m}
else
    runs=10 warmup=5 budget=${BUDGET:-30} cap=${CAP:-300} heap=${JAVA_HEAP:-6g}
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Builds, outside every timing: the jar with its native library, the test
# classes (the harness) and their class path; kassign for the groups.
mvn -q -B -Dstyle.color=never -f "$here/pom.xml" package -DskipTests
mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" >/dev/null
# A copy of the classes, so that a rebuild during the run changes nothing.
cp -r "$here/target/classes" "$work/classes"
cp -r "$here/target/test-classes" "$work/test-classes"
classpath="$work/classes:$work/test-classes:$(cat "$work/cp.txt")"
kassign=$(cd "$root" && cargo build --release -p kassign --message-format=json-render-diagnostics \
    | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable"):
        print(m["executable"])' | tail -n 1)
python3 "$root/interop/bench/groups.py" "$kassign" "$work/groups" $small >"$work/rows.tsv"
load_before=$(uptime)

results=$work/results.jsonl
: >"$results"
cell() {
    local group=$1 impl=$2 strategy=$3 w=$4 r=$5
    local rc=0
    timeout "$cap" java -Xms"$heap" -Xmx"$heap" -XX:+AlwaysPreTouch -cp "$classpath" io.github.kafkaassignors.bench.JvmBench \
        --impl "$impl" --strategy "$strategy" --runs "$r" --warmup "$w" --budget "$budget" \
        "$work/groups/$group.json" >"$work/out" 2>"$work/err" || rc=$?
    if [ "$rc" -eq 0 ]; then
        python3 -c 'import json, sys; d = json.loads(open(sys.argv[1]).read()); d["group"] = sys.argv[2]; print(json.dumps(d))' \
            "$work/out" "$group" >>"$results"
    elif [ "$rc" -eq 124 ]; then
        printf '{"group": "%s", "impl": "%s", "strategy": "%s", "over_s": %s}\n' "$group" "$impl" "$strategy" "$cap" >>"$results"
    else
        echo "bench: $impl $strategy on $group failed ($rc):" >&2
        tail -n 20 "$work/err" >&2
        exit 1
    fi
    tail -n 1 "$results" >&2
}
strategy=cooperative-sticky
groups=${BENCH_GROUPS:-uniform-fresh uniform-one-leaves uniform-one-joins random-half-fresh}
# BENCH_ONLY=server: the broker side alone.
[ "${BENCH_ONLY:-}" = server ] && groups=
for group in $groups; do
    cell "$group" floor "$strategy" "$warmup" "$runs"
    cell "$group" ours "$strategy" "$warmup" "$runs"
    case "$group" in
        # Minutes per call (measured in the issue): one cold run.
        random-half-fresh) cell "$group" java "$strategy" 0 1 ;;
        *) cell "$group" java "$strategy" 2 5 ;;
    esac
done

# The broker side: this jar's kassign-uniform (the whole
# assign(GroupSpec, SubscribedTopicDescriber) call) against Kafka's own
# UniformAssignor (kafka-group-coordinator 4.3.1), on the KIP-848 point
# (1000 members x 1000 topics x 50 partitions, heterogeneous) and 10,000
# members x 50 partitions each (10 topics, homogeneous and heterogeneous),
# full; --small: tiny versions of them.
server_results=$work/server.jsonl
: >"$server_results"
server_cell() {
    local point=$1 impl=$2
    shift 2
    local rc=0
    timeout "$cap" java -Xms"$heap" -Xmx"$heap" -XX:+AlwaysPreTouch -cp "$classpath" io.github.kafkaassignors.bench.ServerBench \
        --impl "$impl" --runs "$runs" --warmup "$warmup" "$@" >"$work/out" 2>"$work/err" || rc=$?
    if [ "$rc" -eq 0 ]; then
        python3 -c 'import json, sys; d = json.loads(open(sys.argv[1]).read()); d["point"] = sys.argv[2]; print(json.dumps(d))' \
            "$work/out" "$point" >>"$server_results"
    else
        echo "bench: server $impl on $point failed ($rc):" >&2
        tail -n 20 "$work/err" >&2
        exit 1
    fi
    tail -n 1 "$server_results" >&2
}
if [ -n "$small" ]; then
    kip=(--members 50 --topics 50 --ratio 5 --heterogeneous)
    homo=(--members 200 --topics 10 --ratio 5)
    hetero=(--members 200 --topics 10 --ratio 5 --heterogeneous)
else
    kip=(--members 1000 --topics 1000 --ratio 50 --heterogeneous)
    homo=(--members 10000 --topics 10 --ratio 50)
    hetero=(--members 10000 --topics 10 --ratio 50 --heterogeneous)
fi
impls="ours kafka"
[ "${BENCH_ONLY:-}" = client ] && impls=
for impl in $impls; do
    server_cell kip "$impl" "${kip[@]}"
    server_cell homo "$impl" "${homo[@]}"
    server_cell hetero "$impl" "${hetero[@]}"
done
load_after=$(uptime)

python3 - "$results" "$work/rows.tsv" "$load_before" "$load_after" "$server_results" <<'PY'
import json, sys, datetime, platform, os
results = [json.loads(l) for l in open(sys.argv[1])]
server = [json.loads(l) for l in open(sys.argv[5])]
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
desc = {r[0]: r[1] for r in rows}
def cell(g, impl):
    for r in results:
        if r["group"] == g and r["impl"] == impl:
            return r
cpu = "unknown"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip(); break
except OSError:
    pass
print(f"{datetime.date.today().isoformat()}, {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}")
print(f"load before: {sys.argv[3].strip()}")
print(f"load after: {sys.argv[4].strip()}")
print()
print("| group | floor: the answer's objects | ours, whole `assign` | Java client | Java / ours | ours / floor | CPU: ours, Java, Java / ours |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
order = ["uniform-fresh", "uniform-one-leaves", "uniform-one-joins", "random-half-fresh"]
for g in order:
    f, o, j = cell(g, "floor"), cell(g, "ours"), cell(g, "java")
    if not (f and o and j):
        continue
    js = f"over {j['over_s']} s" if "over_s" in j else f"{j['median_ms']:.1f} ms" + (" (one run)" if j["runs"] == 1 else "")
    ratio = (f"> {j['over_s'] * 1000 / o['median_ms']:.0f}x" if "over_s" in j else f"{j['median_ms'] / o['median_ms']:.1f}x")
    cj = "over" if "over_s" in j else f"{j['cpu_median_ms']:.0f} ms"
    cr = "" if "over_s" in j else f", {j['cpu_median_ms'] / o['cpu_median_ms']:.1f}x"
    print(f"| {desc.get(g, g)} | {f['median_ms']:.1f} ms | {o['median_ms']:.1f} ms | {js} | {ratio} | {o['median_ms'] / f['median_ms']:.1f}x | {o['cpu_median_ms']:.0f} ms, {cj}{cr} |")
print()
print("| broker side: group | ours (`kassign-uniform`), whole `assign` | Kafka's `UniformAssignor` | Kafka / ours | CPU: ours, Kafka |")
print("| --- | ---: | ---: | ---: | ---: |")
for point in ("kip", "homo", "hetero"):
    o = next((r for r in server if r["point"] == point and r["impl"] == "ours"), None)
    k = next((r for r in server if r["point"] == point and r["impl"] == "kafka"), None)
    if not (o and k):
        continue
    kind = "homogeneous" if o["homogeneous"] else "heterogeneous"
    desc = f"{o['members']} members x {o['topics']} topics, {o['partitions']} partitions, {kind}, full"
    print(f"| {desc} | {o['median_ms']:.2f} ms | {k['median_ms']:.2f} ms | {k['median_ms'] / o['median_ms']:.1f}x | "
          f"{o['cpu_median_ms']:.2f} ms, {k['cpu_median_ms']:.2f} ms |")
PY
