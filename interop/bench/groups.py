#!/usr/bin/env python3
"""Write the side-by-side benchmark's groups as scenario files.

    groups.py KASSIGN DIR [--small]

Each group starts from `kassign generate` (seed 0) and follows the shapes of
benches/common: uniform (every member on every topic), random-half (each
member on a random half of the topics), and the KIP-848 point (five disjoint
buckets: member i subscribes to every topic t with t % 5 == i % 5). "Settled"
is `kassign generate --owned`: each topic's partitions dealt round-robin over
its subscribers, generation 1 (not our own answer, so no peer meets its own
previous output). "one leaves" removes the middle member of the settled
group; "one joins" adds a member that owns nothing.

Prints one line per file: NAME<TAB>DESCRIPTION<TAB>STRATEGIES (comma-separated).
"""

import json
import os
import subprocess
import sys


def generate(kassign, members, topics, partitions, subscription="all", owned=False):
    args = [
        kassign, "generate", "--members", str(members), "--topics", str(topics),
        "--partitions", str(partitions), "--subscription", subscription, "--seed", "0",
    ]
    if owned:
        args += ["--owned", "--generation", "1"]
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)


def topic_index(name):
    # `kassign generate` names topics topic-<index>.
    return int(name.rsplit("-", 1)[1])


def buckets(group):
    names = sorted(group["topics"], key=topic_index)
    for i, member in enumerate(group["members"]):
        member["topics"] = [t for t in names if topic_index(t) % 5 == i % 5]
        member.pop("owned", None)
        member.pop("generation", None)
    return group


def main():
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "--small"):
        sys.exit("usage: groups.py KASSIGN DIR [--small]")
    kassign, out = sys.argv[1], sys.argv[2]
    small = len(sys.argv) == 4
    os.makedirs(out, exist_ok=True)
    m, t, p = (20, 10, 20) if small else (2000, 500, 2000)
    km, kt, kp = (10, 10, 5) if small else (1000, 1000, 50)
    sticky = "cooperative-sticky,sticky"
    classic = "cooperative-sticky,sticky,range"
    rows = []

    def write(name, description, strategies, group):
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(group, f, separators=(",", ":"))
        rows.append((name, description, strategies))

    size = f"{m} members x {t} topics x {p} partitions"
    write("uniform-fresh", f"uniform {size}, fresh", classic, generate(kassign, m, t, p))
    settled = generate(kassign, m, t, p, owned=True)
    left = dict(settled, members=[x for i, x in enumerate(settled["members"]) if i != m // 2])
    write("uniform-one-leaves", "uniform, one member leaves a settled group", sticky, left)
    joiner = {"id": f"consumer-{m}-0000beef", "topics": sorted(settled["topics"], key=topic_index)}
    joined = dict(settled, members=settled["members"] + [joiner])
    write("uniform-one-joins", "uniform, one member joins a settled group", sticky, joined)
    write(
        "random-half-fresh",
        f"random half of {t} topics x {p}, {m} members, fresh",
        classic,
        generate(kassign, m, t, p, subscription="random-half"),
    )
    write(
        "kip848-fresh",
        f"KIP-848 point: {km} members x {kt} topics x {kp}, 5 disjoint buckets, fresh",
        classic,
        buckets(generate(kassign, km, kt, kp)),
    )
    for name, description, strategies in rows:
        print(f"{name}\t{description}\t{strategies}")


if __name__ == "__main__":
    main()
