"""A cooperative-sticky group of Java client consumers (kafka-clients,
group.protocol=classic) on the Apache Kafka broker: members running this
jar's io.github.kafkaassignors.CooperativeStickyAssignor beside members
running the Java client's own, through joins, leaves (LeaveGroup), crashes
(kill -9, the session timeout) and restarts, with ours leading one group
and a Java member leading the other (the first member to join an empty
group leads it), and the leader leaving so the other side takes over.

It reuses tests/real_group/driver.py: its members (tests/real_group/java's
JavaConsumer, which prints every assign and revoke, and, as leader, its
answer and the input it assigned from), its settling, its checks and its
timeline. After every rebalance each partition has exactly one owner, the
leader is the member the join order chose, what every member owns is what
the leader answered, and when ours leads that answer is the library's own
for the same input (`kassign assign` offline); over the whole run no
partition reaches a new owner before the old one revoked it.

Then, with TOPIC_IDS (a JSON file of the broker's topic ids, TopicIds.java),
the KIP-848 consumer protocol on this jar's server-side assignor
(ConsumerScenario). REAL_GROUP_PLANS=a,b runs only those plans.

usage: driver.py BOOTSTRAP KASSIGN WORKDIR JAVA_CLASSPATH [TOPIC_IDS]
"""

import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "real_group"))
import driver  # noqa: E402  (tests/real_group/driver.py)

OURS = "class:io.github.kafkaassignors.CooperativeStickyAssignor"
STRATEGY = "cooperative-sticky"


class JarScenario(driver.Scenario):
    """Java members of two kinds: "java" (Kafka's own assignor) and "jar"
    (ours, by class name). Both are JavaConsumer processes, so the base
    checks treat both as Java members; the names of ours are kept apart."""

    def __init__(self, plan, bootstrap, kassign, workdir, classpath):
        super().__init__(STRATEGY, bootstrap, None, kassign, workdir,
                         plan=plan, java_classpath=classpath)
        self.ours = set()

    def start(self, name, kind, instance_id=None):
        if kind == "jar":
            # The member reads its strategy from the scenario when it starts.
            self.strategy = OURS
            try:
                member = driver.Member(self, name, "java", instance_id)
            finally:
                self.strategy = STRATEGY
            self.ours.add(name)
            self.members[name] = member
        else:
            super().start(name, kind, instance_id)

    def check_leader(self, step, owned, expected=None):
        before = len(self.summary)
        super().check_leader(step, owned, expected)
        # The base check found the leader (the member whose printed answer
        # is of the current generation) and that every member owns that
        # answer. When it is ours, the answer must be the library's.
        line = self.summary[before]
        found = re.search(r"leader (\S+) \(java\): owned == ", line)
        if found is None:
            raise driver.CheckFailed(f"{step}: no leader's answer of the current generation: {line}")
        leader = found.group(1)
        side = "ours" if leader in self.ours else "Java's own"
        if leader in self.ours:
            line = line.replace(f"leader {leader} (java): owned == the Java client's answer",
                                f"leader {leader} (ours): owned == its answer")
            lead = max((e for e in self.members[leader].events if e["event"] == "lead"),
                       key=lambda e: e["ts"])
            offline = self.run_kassign(step, [], lead["input"])
            if offline != lead["assignment"]:
                raise driver.CheckFailed(
                    f"{step}: our leader {leader} answered {lead['assignment']}, "
                    f"the library computes {offline} for its input")
            line += "; == library answer (kassign offline)"
        kinds = sorted("ours" if n in self.ours else "java" for n in self.members)
        self.summary[before] = f"{line} [{side} leads; members {', '.join(kinds)}]"

    def run(self):
        getattr(self, "run_" + self.plan.replace("-", "_"))()
        moves, events = self.check_timeline()
        self.summary.append(f"timeline: {events} events, {moves} hand-overs, "
                            "none before the old owner revoked")

    def run_jar_ours_leads(self):
        self.start("ours-1", "jar")
        self.wait_joined("ours-1")
        self.settle("ours-1 alone", leader="ours-1")
        self.start("java-1", "java")
        self.start("java-2", "java")
        self.settle("java-1, java-2 joined", leader="ours-1")
        self.start("ours-2", "jar")
        self.settle("ours-2 joined", leader="ours-1")
        self.stop("java-1")
        self.settle("java-1 left (LeaveGroup)", leader="ours-1")
        self.crash("java-2")
        self.settle("java-2 crashed (kill -9)", leader="ours-1")
        self.start("java-2", "java")
        self.settle("java-2 restarted", leader="ours-1")
        self.stop("ours-1")
        self.settle("ours-1 (the leader) left")

    def run_jar_java_leads(self):
        self.start("java-lead", "java")
        self.wait_joined("java-lead")
        self.settle("java-lead alone", leader="java-lead")
        self.start("ours-1", "jar")
        self.start("ours-2", "jar")
        self.settle("ours-1, ours-2 joined", leader="java-lead")
        self.start("java-2", "java")
        self.settle("java-2 joined", leader="java-lead")
        self.stop("ours-1")
        self.settle("ours-1 left (LeaveGroup)", leader="java-lead")
        self.crash("ours-2")
        self.settle("ours-2 crashed (kill -9)", leader="java-lead")
        self.start("ours-1", "jar")
        self.settle("ours-1 restarted", leader="java-lead")
        self.stop("java-lead")
        self.settle("java-lead (the leader) left")


SERVER_ASSIGNOR = "kassign-uniform"


def fnv1a(basis, data):
    h = basis
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def id_from_name(name):
    """kassign's topic id for a name (TopicId::from_name), as a 128-bit int."""
    data = name.encode()
    return (fnv1a(0xCBF29CE484222325, data) << 64) | fnv1a(0x84222325CBF29CE4, data)


class ConsumerScenario(driver.Scenario):
    """The KIP-848 consumer protocol on the broker's server-side assignor
    of this jar: Java consumers with group.protocol=consumer and
    group.remote.assignor=kassign-uniform join, leave (a leave heartbeat),
    crash (kill -9, the session timeout) and restart, one change at a time.
    After every settled state each partition has exactly one owner, and
    each member owns what the library computes for the group with the
    previous settled state as the members' current targets (`kassign target
    --assignor uniform`). kassign derives topic ids from names and uniform
    breaks ties in topic id order, so the scenario names the topics with
    aliases whose derived ids are in the order of the broker's real ids."""

    def __init__(self, bootstrap, kassign, workdir, classpath, topic_ids):
        super().__init__("consumer:" + SERVER_ASSIGNOR, bootstrap, None, kassign, workdir,
                         plan="consumer-protocol", java_classpath=classpath)
        real = sorted(driver.TOPICS, key=lambda t: topic_ids[t])
        candidates = sorted((f"t{i}" for i in range(len(real))), key=id_from_name)
        self.alias = dict(zip(real, candidates))
        self.unalias = {a: t for t, a in self.alias.items()}
        self.previous = {}

    def check_leader(self, step, owned, expected=None):
        observed = {
            self.members[name].member_id: sorted(list(tp) for tp in parts)
            for name, parts in owned.items()
        }
        group = {
            "topics": {self.alias[t]: n for t, n in driver.TOPICS.items()},
            "members": [],
        }
        for member_id in sorted(observed):
            owned_before = {}
            for t, p in self.previous.get(member_id, []):
                owned_before.setdefault(self.alias[t], []).append(p)
            group["members"].append({"id": member_id, "topics": sorted(self.alias.values()),
                                     "owned": owned_before})
        path = os.path.join(self.workdir, f"consumer-protocol-{self.checked}.json")
        with open(path, "w") as f:
            json.dump(group, f)
        out = subprocess.run([self.kassign, "target", "--assignor", "uniform", path],
                             capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise driver.CheckFailed(f"{step}: kassign target failed: {out.stderr.strip()}")
        answer = json.loads(out.stdout)["assignment"]
        library = {
            member: sorted([self.unalias[t], p] for t, ps in topics.items() for p in ps)
            for member, topics in answer.items()
        }
        if library != observed:
            raise driver.CheckFailed(f"{step}: members own {observed}, the library's target "
                                     f"(previous state {self.previous}) is {library}")
        self.previous = observed
        loads = sorted(len(p) for p in observed.values())
        self.summary.append(f"{step}: {len(observed)} members, loads {loads}, owned == the "
                            "library's target (kassign target, previous state as targets)")

    def run(self):
        self.start("c1", "java")
        self.wait_joined("c1")
        self.settle("c1 alone")
        self.start("c2", "java")
        self.settle("c2 joined")
        self.start("c3", "java")
        self.settle("c3 joined")
        self.start("c4", "java")
        self.settle("c4 joined")
        self.stop("c2")
        self.settle("c2 left (leave heartbeat)")
        self.crash("c3")
        self.settle("c3 crashed (kill -9, session timeout)")
        self.start("c3", "java")
        self.settle("c3 restarted")
        self.stop("c1")
        self.settle("c1 left")
        moves, events = self.check_timeline()
        self.summary.append(f"timeline: {events} events, {moves} hand-overs, "
                            "none before the old owner revoked")


def main():
    bootstrap, kassign, workdir, classpath = sys.argv[1:5]
    topic_ids = None
    if len(sys.argv) > 5:
        with open(sys.argv[5]) as f:
            topic_ids = {t: ((hi & 0xFFFFFFFFFFFFFFFF) << 64) | (lo & 0xFFFFFFFFFFFFFFFF)
                         for t, (hi, lo) in json.load(f).items()}
    failed = False
    plans = ["jar-ours-leads", "jar-java-leads"] + (["consumer-protocol"] if topic_ids else [])
    only = os.environ.get("REAL_GROUP_PLANS")
    if only:
        plans = [p for p in plans if p in only.split(",")]
    for plan in plans:
        if plan == "consumer-protocol":
            scenario = ConsumerScenario(bootstrap, kassign, workdir, classpath, topic_ids)
        else:
            scenario = JarScenario(plan, bootstrap, kassign, workdir, classpath)
        try:
            scenario.run()
            status = "ok"
        except driver.CheckFailed as e:
            status = f"FAILED: {e}"
            failed = True
        finally:
            scenario.cleanup()
        print(f"{plan}: {status}")
        for line in scenario.summary:
            print(f"  {line}")
        if failed:
            break
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
