"""Our kafka-python assignor's whole ``assign`` call against kafka-python's
own ``sticky``, on 2000 members subscribing to 100 topics of 10,000 and of
100,000 partitions in all, fresh groups (no history), in one run.

    python bench.py [--cap SECONDS] [--runs N]

kafka-python's sticky runs in a child process killed after ``--cap`` seconds
(default 300); a run cut short is printed as ``>cap``. Ours is the median of
``--runs`` calls (default 5). Also prints the cost of the scenario-format
boundary (``assign`` on dicts, through JSON text) against the Rust call alone.
"""

import argparse
import json
import multiprocessing as mp
import os
import platform
import statistics
import time

MEMBERS = 2000
TOPICS = 100


class Cluster:
    """The ClusterMetadata methods the assignors call."""

    def __init__(self, per_topic):
        self.per_topic = per_topic

    def topics(self, exclude_internal_topics=True):
        return {f"topic-{t:03}" for t in range(TOPICS)}

    def partitions_for_topic(self, topic):
        return set(range(self.per_topic))


class Member:
    """kafka-python's JoinGroupResponseMember, as its coordinator hands it over."""

    def __init__(self, member_id, metadata):
        self.member_id = member_id
        self.group_instance_id = None
        self.metadata = metadata


def group(assignor, partitions):
    topics = [f"topic-{t:03}" for t in range(TOPICS)]
    members = [Member(f"member-{m:04}", assignor.metadata(set(topics))) for m in range(MEMBERS)]
    return Cluster(partitions // TOPICS), members


def time_theirs(partitions, queue):
    from kafka.coordinator.assignors.sticky.sticky_assignor import StickyPartitionAssignor

    assignor = StickyPartitionAssignor()
    cluster, members = group(assignor, partitions)
    start = time.perf_counter()
    answer = assignor.assign(cluster, members)
    elapsed = time.perf_counter() - start
    queue.put((elapsed, sum(len(a.partitions()) for a in answer.values())))


def theirs(partitions, cap):
    queue = mp.Queue()
    child = mp.Process(target=time_theirs, args=(partitions, queue))
    child.start()
    child.join(cap)
    if child.is_alive():
        child.kill()
        child.join()
        return None
    elapsed, assigned = queue.get()
    assert assigned == partitions, (assigned, partitions)
    return elapsed


def ours(partitions, runs):
    from kafka_assignors.kafka_python import StickyAssignor

    assignor = StickyAssignor()
    cluster, members = group(assignor, partitions)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        answer = assignor.assign(cluster, members)
        times.append(time.perf_counter() - start)
        assert sum(len(a.partitions()) for a in answer.values()) == partitions
    return statistics.median(times)


def boundary(partitions, runs):
    """assign() on dicts vs assign_json() on text prepared beforehand."""
    import kafka_assignors as ka

    per = partitions // TOPICS
    scenario = {
        "topics": {f"topic-{t:03}": per for t in range(TOPICS)},
        "members": [{"id": f"member-{m:04}", "topics": [f"topic-{t:03}" for t in range(TOPICS)]}
                    for m in range(MEMBERS)],
    }
    text = json.dumps(scenario)

    def median(f):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            f()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    return median(lambda: ka.assign("sticky", scenario)), median(lambda: ka.assign_json("sticky", text))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap", type=float, default=300.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import kafka

    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {platform.processor() or platform.machine()},"
          f" {os.cpu_count()} cores; Python {platform.python_version()}; kafka-python {kafka.__version__};"
          f" {MEMBERS} members, {TOPICS} topics, fresh group")
    print(f"{'partitions':>10}  {'kafka-python sticky':>20}  {'kafka_assignors sticky':>22}  {'speed-up':>9}")
    rows = []
    for partitions in (10_000, 100_000):
        mine = ours(partitions, args.runs)
        their = theirs(partitions, args.cap)
        if their is None:
            their_text, ratio = f">{args.cap:.0f} s (cut)", f">{args.cap / mine:.0f}x"
        else:
            their_text, ratio = f"{their:.2f} s", f"{their / mine:.0f}x"
        print(f"{partitions:>10}  {their_text:>20}  {mine * 1000:>19.1f} ms  {ratio:>9}", flush=True)
        rows.append((partitions, their, mine))
    dicts, text = boundary(100_000, args.runs)
    print(f"scenario boundary, 100,000 partitions: assign() on dicts {dicts * 1000:.1f} ms,"
          f" assign_json() on prepared text {text * 1000:.1f} ms")


if __name__ == "__main__":
    main()
