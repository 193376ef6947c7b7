#!/usr/bin/env bash
# Peers side by side, in one run, on the same generated groups (groups.py):
# our library path and our leader path (`kassign bench`, `kassign bench
# --leader`, release build), franz-go's whole leader path through its public
# balancer API (franz/, the version go.mod pins) and the Java client's
# assignors after warm-up and its leader path (interop/java-client's Bench,
# kafka-clients at the version pom.xml pins). Prints a markdown table of
# medians and ratios to ours, with the date, the machine and its load.
#
#   interop/bench/run.sh [--small]
#
# --small: tiny groups, one repetition: a smoke test (CI), not a measurement.
# Without it: the BENCHMARKS.md headline groups (1M partitions); about half
# an hour on 2 cores (BUDGET=seconds bounds each cell's timed runs, default
# 30). Every peer cell runs alone, one after the other; a
# franz-go or Java cell is stopped after $CAP seconds (default 240) and the
# table says so ("over N s", or the one cold run it finished).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/interop/bench
small=
case "${1:-}" in
    "") ;;
    --small) small=--small ;;
    *) echo "usage: interop/bench/run.sh [--small]" >&2; exit 2 ;;
esac
if [ -n "$small" ]; then
    runs=1 warmup=1 budget=10 cap=${CAP:-60} heap=${JAVA_HEAP:-512m}
else
    runs=10 warmup=3 budget=${BUDGET:-30} cap=${CAP:-240} heap=${JAVA_HEAP:-6g}
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Builds, outside every timing.
kassign=$(cd "$root" && cargo build --release -p kassign --message-format=json-render-diagnostics \
    | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable"):
        print(m["executable"])' | tail -n 1)
(cd "$here/franz" && go build -trimpath -o "$work/franz-bench" .)
mvn -q -B -f "$root/interop/java-client/pom.xml" package -DskipTests
classpath="$root/interop/java-client/target/java-client-oracle-0.0.0.jar"
for jar in "$root"/interop/java-client/target/lib/*.jar; do
    classpath="$classpath:$jar"
done

python3 "$here/groups.py" "$kassign" "$work/groups" $small >"$work/rows.tsv"
load_before=$(uptime)

# One cell: the peer's command, its exit status, output and progress, as one
# JSON line in results.jsonl. A failure other than the cap stops the run
# (table.py names it).
cell() {
    local row=$1 strategy=$2 peer=$3
    shift 3
    local rc=0
    "$@" >"$work/out" 2>"$work/err" || rc=$?
    python3 - "$row" "$strategy" "$peer" "$rc" "$cap" "$work/out" "$work/err" >>"$work/results.jsonl" <<'EOF'
import json, sys
row, strategy, peer, rc, cap, out, err = sys.argv[1:]
print(json.dumps({"row": row, "strategy": strategy, "peer": peer, "rc": int(rc), "cap_s": int(cap),
                  "out": open(out).read(), "err": open(err).read()}))
EOF
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then
        echo "$peer failed on $row ($strategy), exit $rc:" >&2
        cat "$work/err" >&2
        exit 1
    fi
    echo "$row $strategy $peer: $(tail -n 1 "$work/out")" >&2
}

: >"$work/results.jsonl"
while IFS=$'\t' read -r row _ strategies; do
    file=$work/groups/$row.json
    for strategy in ${strategies//,/ }; do
        cell "$row" "$strategy" ours-assign "$kassign" bench --strategy "$strategy" --runs "$runs" "$file"
        cell "$row" "$strategy" ours-lead "$kassign" bench --leader --strategy "$strategy" --runs "$runs" "$file"
        cell "$row" "$strategy" franz timeout "$cap" "$work/franz-bench" --strategy "$strategy" \
            --runs "$runs" --budget "$budget" "$file"
        for mode in assign leader; do
            peer=java-assign
            [ "$mode" = leader ] && peer=java-lead
            cell "$row" "$strategy" "$peer" timeout "$cap" java -Xmx"$heap" -cp "$classpath" kassign.interop.Bench \
                --strategy "$strategy" --mode "$mode" --runs "$runs" --warmup "$warmup" --budget "$budget" "$file"
        done
    done
done <"$work/rows.tsv"
load_after=$(uptime)

franz_version=$(cd "$here/franz" && go list -m -f '{{.Version}}' github.com/twmb/franz-go)
kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$root/interop/java-client/pom.xml")
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo
echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC')${small:+ (--small: a smoke test, not a measurement)};" \
    "$(nproc) cores, $cpu; kassign $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')," \
    "franz-go $franz_version ($(go env GOVERSION)), kafka-clients $kafka_version" \
    "($(java -version 2>&1 | head -n 1 | tr -d '"'))."
echo "Load: before \`${load_before#*load average: }\`, after \`${load_after#*load average: }\` (uptime's 1, 5, 15 minute averages)."
echo "Medians, the timed runs in parentheses; ratios are the peer's median over ours on the same path."
echo
python3 "$here/table.py" "$work/rows.tsv" "$work/results.jsonl"
