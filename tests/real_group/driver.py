"""Runs one consumer group per strategy on a real broker and checks, after
every rebalance settles, what each member says it owns.

Members: examples/group_member.rs (ours) and tests/real_group/consumer.py
(librdkafka). Both print one JSON line per assign and revoke, stamped with
the wall clock in nanoseconds, so one timeline can be replayed across
processes on this machine.

usage: driver.py BOOTSTRAP MEMBER_BINARY KASSIGN_BINARY WORKDIR [STRATEGY...]
Exits non-zero on the first failed check, after stopping every member.
"""

import json
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOPICS = {"rg-orders": 4, "rg-payments": 3}
SETTLE_TIMEOUT = 40.0
QUIET = 1.5


class CheckFailed(Exception):
    pass


class Member:
    """One member process; its JSON lines go into `events`."""

    def __init__(self, scenario, name, kind):
        self.scenario, self.name, self.kind = scenario, name, kind
        self.events = []
        self.member_id = ""
        self.left = False
        if kind == "rust":
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
        self.stderr = open(os.path.join(scenario.workdir, f"{scenario.strategy}-{name}.stderr"), "w")
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

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.stderr.close()


class Scenario:
    def __init__(self, strategy, bootstrap, member_binary, kassign, workdir):
        self.strategy, self.bootstrap = strategy, bootstrap
        self.member_binary, self.kassign, self.workdir = member_binary, kassign, workdir
        self.group = f"rg-group-{strategy}"
        self.lock = threading.Lock()
        self.log = open(os.path.join(workdir, f"{strategy}-events.jsonl"), "w")
        self.members = {}  # name -> Member, current members only
        self.gone = []
        self.last_event = time.monotonic()
        self.checked = 0
        self.summary = []

    # -- steps -------------------------------------------------------------
    def start(self, name, kind):
        self.members[name] = Member(self, name, kind)

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
    def settle(self, step):
        """Waits until every current member owns at least one partition,
        every partition has exactly one owner, and the group has been quiet
        for a moment; then checks the leader's answer."""
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
        self.check_leader(step, owned)
        self.checked += 1

    def check_leader(self, step, owned):
        by_id = {m.member_id: name for name, m in self.members.items()}
        rust = [m for m in self.members.values() if m.kind == "rust"]
        joins = [e for m in rust for e in m.events if e["event"] == "join"]
        leader = None
        if joins:
            latest = max(joins, key=lambda e: e["ts"])
            leader = by_id.get(latest["leader"])
            if leader is None:
                raise CheckFailed(f"{step}: leader {latest['leader']} is not a current member")
        observed = {
            self.members[name].member_id: sorted(list(tp) for tp in parts)
            for name, parts in owned.items()
        }
        if leader is not None and self.members[leader].kind == "rust":
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
        else:
            # A librdkafka leader: our members accepted what it sent, and for
            # range and roundrobin its answer is the Java client's, which this
            # library reproduces from the subscriptions alone.
            for m in rust:
                follower_joins = [e for e in m.events if e["event"] == "join"]
                if follower_joins[-1]["leader"] == m.member_id:
                    raise CheckFailed(f"{step}: {m.name} thinks it leads")
            how = f"leader {leader or 'a librdkafka member'} (librdkafka): exact cover"
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
        path = os.path.join(self.workdir, f"{self.strategy}-{self.checked}.json")
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

    # -- the scenario --------------------------------------------------------
    def run(self):
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
        for name in list(self.members):
            self.stop(name)
        moves, events = self.check_timeline()
        self.summary.append(
            f"timeline: {events} assign/revoke events; {moves} partitions changed owner, "
            "each only after its old owner revoked it"
        )


def main():
    bootstrap, member_binary, kassign, workdir = sys.argv[1:5]
    strategies = sys.argv[5:] or ["range", "roundrobin", "cooperative-sticky", "sticky"]
    scenarios = [Scenario(s, bootstrap, member_binary, kassign, workdir) for s in strategies]
    failures = {}

    def run(scenario):
        try:
            scenario.run()
        except Exception as e:  # every failure is reported, none is swallowed
            failures[scenario.strategy] = f"{type(e).__name__}: {e}"

    started = time.monotonic()
    # One group per strategy, all at once: the broker's rebalance delay, not
    # the work, sets the pace.
    threads = [threading.Thread(target=run, args=(s,)) for s in scenarios]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in scenarios:
        s.cleanup()
    elapsed = time.monotonic() - started

    passed = 0
    for s in scenarios:
        status = "FAILED" if s.strategy in failures else "ok"
        print(f"== {s.strategy}: {status}, {s.checked} rebalances checked, "
              f"{s.requests()} requests from our members")
        for line in s.summary:
            print(f"   {line}")
        if s.strategy in failures:
            print(f"   failure: {failures[s.strategy]}")
        else:
            passed += 1
    print(f"real group: {elapsed:.1f} s")
    print(f"{passed} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
