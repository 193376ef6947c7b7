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

usage: driver.py BOOTSTRAP KASSIGN WORKDIR JAVA_CLASSPATH
"""

import os
import re
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


def main():
    bootstrap, kassign, workdir, classpath = sys.argv[1:5]
    failed = False
    for plan in ("jar-ours-leads", "jar-java-leads"):
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
