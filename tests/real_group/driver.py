"""Runs consumer groups on a real broker, one thread per strategy, and
checks, after every rebalance settles, what each member says it owns.

Members: examples/group_member.rs (ours), tests/real_group/consumer.py
(librdkafka) and, with --java-classpath, tests/real_group/java (the Java
client, group.protocol=classic). Each prints one JSON line per assign and
revoke, stamped with the wall clock in nanoseconds, so one timeline can be
replayed across processes on this machine.

On Tansu (the default) each strategy runs one group led by ours. On the
Apache Kafka broker (--broker kafka) each strategy runs two groups: one led
by ours (Java and librdkafka members join, leave, crash; a static member
restarts within its session timeout and after it), then one led by a Java
member (ours joins, leaves, rejoins and crashes under it). The first member
to join an empty group leads it, so join order decides the leader, and the
driver checks the broker made that member leader.

usage: driver.py BOOTSTRAP MEMBER_BINARY KASSIGN_BINARY WORKDIR [STRATEGY...]
                 [--broker tansu|kafka] [--java-classpath CP]
Exits non-zero on the first failed check, after stopping every member.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOPICS = {"rg-orders": 6, "rg-payments": 5}
SETTLE_TIMEOUT = 40.0
QUIET = 1.5
# The static member's session timeout: long enough for a JVM to restart
# within it on a loaded machine, short enough to wait out.
STATIC_SESSION_MS = 10000
JAVA_OPTS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m", "-Xss512k"]


class CheckFailed(Exception):
    pass


class Member:
    """One member process; its JSON lines go into `events`."""

    def __init__(self, scenario, name, kind, instance_id=None):
        self.scenario, self.name, self.kind = scenario, name, kind
        self.instance_id = instance_id
        self.events = []
        self.member_id = ""
        self.left = False
        if kind == "java":
            cmd = [
                "java", *JAVA_OPTS, "-cp", scenario.java_classpath,
                "kassign.realgroup.JavaConsumer",
                scenario.bootstrap, scenario.group, ",".join(TOPICS),
                scenario.strategy, name,
            ]
            if instance_id is not None:
                cmd += [str(STATIC_SESSION_MS), instance_id]
        elif kind == "rust":
            cmd = [
                scenario.member_binary,
                "--bootstrap", scenario.bootstrap,
                "--group", scenario.group,
                "--topics", ",".join(TOPICS),
                "--strategy", scenario.strategy,
                "--name", name,
                "--max-seconds", "110",
            ]
        else:
            cmd = [
                sys.executable, os.path.join(HERE, "consumer.py"),
                scenario.bootstrap, scenario.group, ",".join(TOPICS),
                scenario.strategy, name,
            ]
        self.stderr = open(os.path.join(scenario.workdir, f"{scenario.group}-{name}.stderr"), "a")
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, text=True
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                event = json.loads(line)
            except ValueError:
                continue
            event["ts"] = int(event["ts"])
            with self.scenario.lock:
                self.scenario.log.write(json.dumps(event) + "\n")
                self.events.append(event)
                if event.get("member_id"):
                    self.member_id = event["member_id"]
                if event["event"] == "left":
                    self.left = True
                self.scenario.last_event = time.monotonic()

    def owned(self):
        """What the member owns after its events so far."""
        owned = set()
        for e in self.events:
            parts = {tuple(p) for p in e.get("partitions", [])}
            if e["event"] == "assign":
                # Eager assigns are whole; under the cooperative protocol
                # they are increments, and eager members revoked everything
                # before, so a union is right for both.
                owned |= parts
            elif e["event"] == "revoke":
                owned -= parts
        return owned

    def leave(self):
        try:
            self.proc.stdin.write("leave\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass

    def crash(self):
        """kill -9: no revoke, no LeaveGroup. A dead process owns nothing,
        so the timeline gets a `crashed` event at the moment of death."""
        self.proc.kill()
        self.proc.wait()
        self.reader.join(timeout=5)
        with self.scenario.lock:
            event = {"ts": time.time_ns(), "member": self.name, "event": "crashed"}
            self.scenario.log.write(json.dumps(event) + "\n")
            self.events.append(event)
        self.stderr.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.stderr.close()


class Scenario:
    def __init__(self, strategy, bootstrap, member_binary, kassign, workdir,
                 plan="tansu", java_classpath=None):
        self.strategy, self.bootstrap = strategy, bootstrap
        self.member_binary, self.kassign, self.workdir = member_binary, kassign, workdir
        self.plan, self.java_classpath = plan, java_classpath
        self.group = f"rg-group-{strategy}" if plan == "tansu" else f"rg-{plan}-{strategy}"
        self.lock = threading.Lock()
        self.log = open(os.path.join(workdir, f"{self.group}-events.jsonl"), "w")
        self.members = {}  # name -> Member, current members only
        self.gone = []
        self.last_event = time.monotonic()
        self.checked = 0
        self.summary = []

    # -- steps -------------------------------------------------------------
    def start(self, name, kind, instance_id=None):
        self.members[name] = Member(self, name, kind, instance_id)

    def crash(self, name):
        member = self.members.pop(name)
        member.crash()
        self.gone.append(member)
        return member

    def stop(self, name):
        member = self.members.pop(name)
        member.leave()
        deadline = time.monotonic() + 20
        while not member.left and time.monotonic() < deadline:
            time.sleep(0.05)
        if not member.left:
            raise CheckFailed(f"{name} did not leave within 20 s")
        member.proc.wait(timeout=20)
        self.gone.append(member)

    def wait_joined(self, name):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with self.lock:
                if any(e["event"] == "assign" for e in self.members[name].events):
                    return
            time.sleep(0.05)
        raise CheckFailed(f"{name} got no assignment within 20 s")

    # -- checks ------------------------------------------------------------
    def settle(self, step, leader=None):
        """Waits until every current member owns at least one partition,
        every partition has exactly one owner, and the group has been quiet
        for a moment; then checks the leader's answer, and that the leader
        is `leader` when given."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        all_partitions = {(t, p) for t, n in TOPICS.items() for p in range(n)}
        while True:
            with self.lock:
                owned = {name: m.owned() for name, m in self.members.items()}
                quiet = time.monotonic() - self.last_event >= QUIET
                ids_known = all(m.member_id for m in self.members.values())
            claimed = [tp for parts in owned.values() for tp in parts]
            exact = len(claimed) == len(set(claimed)) and set(claimed) == all_partitions
            if exact and quiet and ids_known and all(owned.values()):
                break
            for name, member in self.members.items():
                if member.proc.poll() is not None:
                    raise CheckFailed(f"{step}: {name} exited with {member.proc.returncode}")
            if time.monotonic() > deadline:
                raise CheckFailed(f"{step}: not settled in {SETTLE_TIMEOUT} s; owned: {owned}")
            time.sleep(0.1)
        self.check_leader(step, owned, leader)
        self.checked += 1

    def check_leader(self, step, owned, expected=None):
        by_id = {m.member_id: name for name, m in self.members.items()}
        rust = [m for m in self.members.values() if m.kind == "rust"]
        joins = [e for m in rust for e in m.events if e["event"] == "join"]
        leader = None
        if joins:
            latest = max(joins, key=lambda e: e["ts"])
            leader = by_id.get(latest["leader"])
            if leader is None:
                raise CheckFailed(f"{step}: leader {latest['leader']} is not a current member")
        java_leads = [e for m in self.members.values() if m.kind == "java"
                      for e in m.events if e["event"] == "lead"]
        if java_leads:
            # A Java leader prints its answer; it is the current one when it
            # is of the generation the Java members were last assigned in.
            lead = max(java_leads, key=lambda e: e["ts"])
            generation = max(e["generation"] for m in self.members.values() if m.kind == "java"
                             for e in m.events if e["event"] == "assign")
            if lead["lead_generation"] == generation:
                if leader is not None and leader != lead["member"]:
                    raise CheckFailed(f"{step}: ours names {leader} leader, "
                                      f"{lead['member']} printed the assignment")
                leader = lead["member"]
        if expected is not None and leader != expected:
            raise CheckFailed(f"{step}: {leader} leads, the join order made {expected} leader")
        observed = {
            self.members[name].member_id: sorted(list(tp) for tp in parts)
            for name, parts in owned.items()
        }
        if leader is not None and self.members[leader].kind == "rust":
            others = sorted({m.kind for m in self.members.values() if m.kind != "rust"})
            leads = [e for e in self.members[leader].events if e["event"] == "lead"]
            lead = max(leads, key=lambda e: e["ts"])
            lead_ids = sorted(m["id"] for m in lead["input"]["members"])
            if lead_ids != sorted(observed):
                raise CheckFailed(f"{step}: leader assigned {lead_ids}, group is {sorted(observed)}")
            if lead["assignment"] != observed:
                raise CheckFailed(
                    f"{step}: members own {observed}, leader {leader} assigned {lead['assignment']}"
                )
            offline = self.offline_from_metadata(step, lead["input"])
            if offline != observed:
                raise CheckFailed(f"{step}: members own {observed}, offline answer {offline}")
            how = f"leader {leader} (ours): owned == library answer == offline replay"
            if others:
                how += f"; {' and '.join(others)} members accepted our SyncGroup bytes"
        elif leader is not None and self.members[leader].kind == "java":
            lead = max((e for e in self.members[leader].events if e["event"] == "lead"),
                       key=lambda e: e["ts"])
            if lead["assignment"] != observed:
                raise CheckFailed(
                    f"{step}: members own {observed}, Java leader {leader} assigned "
                    f"{lead['assignment']}"
                )
            how = f"leader {leader} (java): owned == the Java client's answer"
            if rust:
                how += ", ours accepted its SyncGroup bytes"
            if self.strategy in ("range", "roundrobin"):
                offline = self.offline_from_subscriptions(step, sorted(observed))
                if offline != observed:
                    raise CheckFailed(
                        f"{step}: members own {observed}, library computes {offline}"
                    )
                how += "; == library answer"
        else:
            # A librdkafka leader: our members accepted what it sent, and for
            # range and roundrobin its answer is the Java client's, which this
            # library reproduces from the subscriptions alone.
            for m in rust:
                follower_joins = [e for e in m.events if e["event"] == "join"]
                if follower_joins[-1]["leader"] == m.member_id:
                    raise CheckFailed(f"{step}: {m.name} thinks it leads")
            how = f"leader {leader or '(no member of ours or Java to tell)'}: exact cover"
            if rust:
                how += ", ours accepted its assignment"
            if self.strategy in ("range", "roundrobin"):
                offline = self.offline_from_subscriptions(step, sorted(observed))
                if offline != observed:
                    raise CheckFailed(
                        f"{step}: members own {observed}, library computes {offline}"
                    )
                how += ", == library answer"
        loads = sorted(len(p) for p in observed.values())
        self.summary.append(f"{step}: {len(observed)} members, loads {loads}, {how}")

    def run_kassign(self, step, args, payload):
        path = os.path.join(self.workdir, f"{self.group}-{self.checked}.json")
        with open(path, "w") as f:
            json.dump(payload, f)
        out = subprocess.run(
            [self.kassign, "assign", "--strategy", self.strategy, *args, path],
            capture_output=True, text=True, timeout=30,
        )
        if out.returncode != 0:
            raise CheckFailed(f"{step}: kassign failed: {out.stderr.strip()}")
        answer = json.loads(out.stdout)["assignment"]
        return {
            member: sorted([t, p] for t, ps in topics.items() for p in ps)
            for member, topics in answer.items()
        }

    def offline_from_metadata(self, step, group):
        return self.run_kassign(step, ["--from-metadata"], group)

    def offline_from_subscriptions(self, step, member_ids):
        group = {
            "topics": TOPICS,
            "members": [{"id": i, "topics": sorted(TOPICS)} for i in member_ids],
        }
        return self.run_kassign(step, [], group)

    def check_timeline(self):
        """Over the whole run, in wall-clock order: no member is handed a
        partition while another member still owns it (the cooperative
        protocol's promise; eager members revoke everything first)."""
        events = sorted(
            (e for m in list(self.members.values()) + self.gone for e in m.events),
            key=lambda e: e["ts"],
        )
        owner, last_owner = {}, {}
        moves = 0
        for e in events:
            if e["event"] == "crashed":
                for tp in [tp for tp, holder in owner.items() if holder == e["member"]]:
                    del owner[tp]
                continue
            for tp in map(tuple, e.get("partitions", [])):
                if e["event"] == "revoke":
                    if owner.get(tp) == e["member"]:
                        del owner[tp]
                elif e["event"] == "assign":
                    holder = owner.get(tp)
                    if holder is not None and holder != e["member"]:
                        raise CheckFailed(
                            f"{tp} assigned to {e['member']} while {holder} still owned it"
                        )
                    moves += last_owner.get(tp, e["member"]) != e["member"]
                    owner[tp] = last_owner[tp] = e["member"]
        return moves, len(events)

    def requests(self):
        return sum(
            e.get("requests", 0)
            for m in self.gone + list(self.members.values())
            for e in m.events
            if e["event"] == "left"
        )

    def cleanup(self):
        for m in list(self.members.values()) + self.gone:
            m.leave()
        deadline = time.monotonic() + 10
        for m in list(self.members.values()) + self.gone:
            try:
                m.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            m.kill()
        self.log.close()

    # -- the scenarios -------------------------------------------------------
    def run(self):
        {"tansu": self.run_tansu, "kafka-ours-leads": self.run_ours_leads,
         "kafka-java-leads": self.run_java_leads}[self.plan]()
        for name in list(self.members):
            self.stop(name)
        moves, events = self.check_timeline()
        self.summary.append(
            f"timeline: {events} assign/revoke/crash events; {moves} partitions changed owner, "
            "each only after its old owner revoked it (or died)"
        )

    def run_ours_leads(self):
        """Apache Kafka: ours leads Java and librdkafka members through a
        join, a leave, a crash and a static member's two restarts."""
        # librdkafka has no eager sticky assignor: a third Java member then.
        third = "java" if self.strategy == "sticky" else "librdkafka"
        self.start("ours", "rust")
        self.wait_joined("ours")
        self.start("java-1", "java")
        self.start("java-2", "java")
        self.start("other-1", third)
        self.settle("formed: ours first, then java-1, java-2, other-1", leader="ours")
        self.start("java-3", "java")
        self.settle("java-3 joined", leader="ours")
        self.stop("java-1")
        self.settle("java-1 left (LeaveGroup)", leader="ours")
        self.crash("java-2")
        self.settle("java-2 crashed (kill -9, session timeout)", leader="ours")
        instance = f"static-{self.strategy}"
        self.start("static", "java", instance)
        self.settle("static member joined", leader="ours")
        self.static_restart_within_timeout(instance)
        self.crash("static")
        self.settle(f"static member killed, its {STATIC_SESSION_MS} ms session expired",
                    leader="ours")
        self.start("static", "java", instance)
        self.settle("static member restarted after its session timeout", leader="ours")

    def static_restart_within_timeout(self, instance):
        """kill -9 the static member and start it again at once: the broker
        hands the new process the old assignment, with no rebalance."""
        step = "static member restarted within its session timeout"
        before = self.members["static"].owned()
        generation = max(e["generation"] for e in self.members["static"].events
                         if e["event"] == "assign")
        self.crash("static")
        killed_at = time.time_ns()
        self.start("static", "java", instance)
        self.wait_joined("static")
        time.sleep(3 * QUIET)
        with self.lock:
            after = self.members["static"].owned()
            assigns = [e for e in self.members["static"].events if e["event"] == "assign"]
            moved = [(name, e["event"]) for name, m in self.members.items() if name != "static"
                     for e in m.events if e["ts"] > killed_at]
        if moved:
            raise CheckFailed(f"{step}: other members rebalanced: {moved}")
        if len(assigns) != 1 or after != before:
            raise CheckFailed(f"{step}: it owned {sorted(before)}, now {sorted(after)} "
                              f"after {len(assigns)} assignments")
        if assigns[0]["generation"] != generation:
            raise CheckFailed(f"{step}: generation {generation} became {assigns[0]['generation']}")
        self.checked += 1
        self.summary.append(f"{step}: no rebalance (no other member moved, generation "
                            f"{generation} kept), its {len(after)} partitions handed back")

    def run_java_leads(self):
        """Apache Kafka: a Java member leads ours, which joins, leaves,
        rejoins and crashes under it."""
        third = "java" if self.strategy == "sticky" else "librdkafka"
        self.start("java-lead", "java")
        self.wait_joined("java-lead")
        self.start("ours", "rust")
        self.settle("ours joined, java-lead first", leader="java-lead")
        self.start("java-2", "java")
        self.start("other-1", third)
        self.settle("java-2 and other-1 joined", leader="java-lead")
        self.stop("ours")
        self.settle("ours left (LeaveGroup)")
        self.start("ours-again", "rust")
        self.settle("ours rejoined", leader="java-lead")
        self.crash("ours-again")
        self.settle("ours crashed (kill -9, session timeout)")

    def run_tansu(self):
        other = "rust" if self.strategy == "sticky" else "librdkafka"
        # Ours joins first, so the broker makes it leader.
        self.start("ours", "rust")
        self.wait_joined("ours")
        self.start("other-1", other)
        self.start("other-2", other)
        self.settle("formed")
        self.start("other-3", other)
        self.settle("other-3 joined")
        self.stop("other-1")
        self.settle("other-1 left")
        self.stop("ours")
        self.settle("ours left")
        self.start("ours-again", "rust")
        self.settle("ours rejoined")


def main():
    parser = argparse.ArgumentParser(description="real consumer groups on a real broker")
    parser.add_argument("bootstrap")
    parser.add_argument("member_binary")
    parser.add_argument("kassign")
    parser.add_argument("workdir")
    parser.add_argument("strategies", nargs="*",
                        default=["range", "roundrobin", "cooperative-sticky", "sticky"])
    parser.add_argument("--broker", choices=["tansu", "kafka"], default="tansu")
    parser.add_argument("--java-classpath")
    args = parser.parse_args()
    if args.broker == "kafka" and not args.java_classpath:
        parser.error("--broker kafka needs --java-classpath")
    plans = ["tansu"] if args.broker == "tansu" else ["kafka-ours-leads", "kafka-java-leads"]
    # Per strategy, its plans one after the other, in one thread.
    lanes = [
        [Scenario(s, args.bootstrap, args.member_binary, args.kassign, args.workdir,
                  plan, args.java_classpath) for plan in plans]
        for s in args.strategies
    ]
    scenarios = [s for lane in lanes for s in lane]
    failures = {}

    def run(lane):
        for scenario in lane:
            try:
                scenario.run()
            except Exception as e:  # every failure is reported, none is swallowed
                failures[scenario.group] = f"{type(e).__name__}: {e}"
            finally:
                scenario.cleanup()

    started = time.monotonic()
    # The strategies all at once: the broker's session timeouts, not the
    # work, set the pace.
    threads = [threading.Thread(target=run, args=(lane,)) for lane in lanes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started

    passed = 0
    for s in scenarios:
        status = "FAILED" if s.group in failures else "ok"
        print(f"== {s.group} ({s.strategy}): {status}, {s.checked} rebalances checked, "
              f"{s.requests()} requests from our members")
        for line in s.summary:
            print(f"   {line}")
        if s.group in failures:
            print(f"   failure: {failures[s.group]}")
        else:
            passed += 1
    print(f"real group on {args.broker}: {elapsed:.1f} s, "
          f"{sum(s.checked for s in scenarios)} rebalances checked in {len(scenarios)} groups")
    print(f"{passed} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
