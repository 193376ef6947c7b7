#!/usr/bin/env python3
"""The side-by-side table from run.sh's results.

    table.py ROWS.tsv RESULTS.jsonl

ROWS.tsv: what groups.py printed. RESULTS.jsonl: one object per cell,
{"row", "strategy", "peer", "rc", "cap_s", "out", "err"}: the peer's exit
status, its standard output (a JSON line shaped like `kassign bench`) and
standard error (the Java bench's per-run progress). A cell cut short by the
cap says so: "> CAP s" when no run ended, or the one cold run it got.
"""

import json
import statistics
import sys

PEERS = ["ours-assign", "ours-lead", "franz", "java-assign", "java-lead"]
HEADINGS = {
    "ours-assign": "ours, `assign`",
    "ours-lead": "ours, `lead` (bytes to bytes)",
    "franz": "franz-go, leader path",
    "java-assign": "Java, `assign`",
    "java-lead": "Java, leader path",
}
# Each peer's ratio is taken to our figure for the same path.
RATIOS = [("franz", "ours-lead"), ("java-assign", "ours-assign"), ("java-lead", "ours-lead")]


def ms(value):
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    if value >= 100:
        return f"{value:.0f} ms"
    if value >= 10:
        return f"{value:.1f} ms"
    if value >= 1:
        return f"{value:.2f} ms"
    return f"{value * 1000:.0f} µs"


def cell(result):
    """(text, median in ms or None, at least this many ms when capped)."""
    if result is None:
        return "", None, None
    if result["rc"] == 0:
        line = json.loads(result["out"].strip().splitlines()[-1])
        return ms(line["median_ms"]) + f" ({line['runs']})", line["median_ms"], None
    cap = result["cap_s"]
    if result["rc"] == 124:
        runs = []
        warm = []
        for line in result["err"].splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "run_ms":
                runs.append(float(parts[1]))
            elif len(parts) == 2 and parts[0] == "warmup_ms":
                warm.append(float(parts[1]))
        if runs:
            median = statistics.median(runs)
            return f"{ms(median)} ({len(runs)}, capped at {cap} s)", median, None
        if warm:
            return f"{ms(warm[0])} (one cold run; capped at {cap} s)", warm[0], None
        return f"over {cap} s", None, cap * 1000.0
    raise SystemExit(f"{result['peer']} failed on {result['row']} ({result['strategy']}): {result['err']}")


def ratio(peer, ours):
    _, p, p_floor = peer
    _, o, _ = ours
    if o is None or o == 0:
        return ""
    if p is not None:
        r = p / o
        return f"{r:.0f}x" if r >= 10 else f"{r:.1f}x"
    if p_floor is not None:
        return f"> {p_floor / o:.0f}x"
    return ""


def main():
    rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
    results = {}
    for line in open(sys.argv[2]):
        r = json.loads(line)
        results[(r["row"], r["strategy"], r["peer"])] = r
    head = ["group", "strategy"] + [HEADINGS[p] for p in PEERS]
    head += ["franz-go / ours `lead`", "Java `assign` / ours `assign`", "Java leader / ours `lead`"]
    print("| " + " | ".join(head) + " |")
    print("| --- | --- |" + " ---: |" * (len(head) - 2))
    for name, description, strategies in rows:
        for strategy in strategies.split(","):
            cells = {p: cell(results.get((name, strategy, p))) for p in PEERS}
            line = [description, strategy] + [cells[p][0] for p in PEERS]
            line += [ratio(cells[p], cells[o]) for p, o in RATIOS]
            print("| " + " | ".join(line) + " |")


if __name__ == "__main__":
    main()
