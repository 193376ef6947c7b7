"""The drop-in assignors inside an in-process group, as the clients' own
coordinators drive them: every member's metadata is encoded and decoded as
on the wire, the leader assigns, every member decodes its assignment and
records it. Groups mix our members with the clients' own, either leading,
through joins, leaves and restarts."""

import itertools

import pytest

import kafka_assignors as ka

TOPICS = {"orders": 7, "payments": 4, "audit": 3}


class Cluster:
    def __init__(self, topics):
        self.counts = topics

    def topics(self, exclude_internal_topics=True):
        return set(self.counts)

    def partitions_for_topic(self, topic):
        n = self.counts.get(topic)
        return None if n is None else set(range(n))


def owners(assigned):
    """partition -> members owning it."""
    out = {}
    for member, parts in assigned.items():
        for tp in parts:
            out.setdefault(tp, []).append(member)
    return out


# --------------------------------------------------------------- kafka-python

class KPMember:
    """kafka-python's JoinGroupResponseMember."""

    def __init__(self, member_id, metadata):
        self.member_id = member_id
        self.group_instance_id = None
        self.metadata = metadata


def kp_round(consumers, leader, generation, cluster):
    """One JoinGroup/SyncGroup round. consumers: {member_id: (assignor, topics)}."""
    from kafka.protocol.consumer.metadata import ConsumerProtocolAssignment, ConsumerProtocolSubscription

    wire = {m: a.metadata(set(t)).encode() for m, (a, t) in consumers.items()}
    members = [KPMember(m, ConsumerProtocolSubscription.decode(b)) for m, b in wire.items()]
    answer = consumers[leader][0].assign(cluster, members)
    assert set(answer) == set(consumers)
    received = {}
    for m, (a, _) in consumers.items():
        assignment = ConsumerProtocolAssignment.decode(answer[m].encode())
        a.on_assignment(assignment, generation)
        received[m] = {(tp.topic, tp.partition) for tp in assignment.partitions()}
    return wire, received


def check_owned_by_library(strategy, wire, received, cluster):
    """What every member got from our leader is what the library computes
    from the same JoinGroup bytes (kafka-python's sticky user data read as
    Java's after its 2-byte version, as the docs of ``StickyAssignor`` say)."""
    def as_java(data):
        sub = ka.decode_subscription(data)
        user = sub["user_data"]
        if strategy == "sticky" and user and ka.decode_sticky_user_data(user)["format"] == "fallback":
            assert user[:2] == b"\x00\x01"
            sub["user_data"] = user[2:]
            return ka.encode_subscription(**sub)
        return data
    expected = ka.lead(strategy, [(m, None, as_java(b)) for m, b in wire.items()], cluster.counts)
    assert received == {m: {(t, p) for t, ps in v["partitions"].items() for p in ps}
                        for m, v in expected.items()}


def kp_classes(strategy):
    from kafka.coordinator.assignors.cooperative_sticky import CooperativeStickyAssignor
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
    from kafka.coordinator.assignors.sticky.sticky_assignor import StickyPartitionAssignor
    from kafka_assignors import kafka_python as ours

    theirs = {"range": RangePartitionAssignor, "roundrobin": RoundRobinPartitionAssignor,
              "sticky": StickyPartitionAssignor, "cooperative-sticky": CooperativeStickyAssignor}[strategy]
    mine = {"range": ours.RangeAssignor, "roundrobin": ours.RoundRobinAssignor,
            "sticky": ours.StickyAssignor, "cooperative-sticky": ours.CooperativeStickyAssignor}[strategy]
    return mine, theirs


EVENTS = [
    ("join", "a0"), ("join", "k0"), ("join", "a1"), ("join", "k1"), ("join", "a2"),
    ("leave", "k0"), ("restart", "a1"), ("join", "k2"), ("leave", "a0"), ("restart", "k1"),
]


@pytest.mark.parametrize("strategy", ka.STRATEGIES)
def test_kafka_python_mixed_group(strategy):
    """Members "a*" run ours, "k*" kafka-python's own; the leader alternates."""
    mine, theirs = kp_classes(strategy)
    cooperative = strategy == "cooperative-sticky"
    cluster = Cluster(TOPICS)
    consumers = {}
    owned = {}
    generation = 0
    led_by = {"ours": 0, "theirs": 0}
    for step, (event, member) in enumerate(EVENTS):
        if event in ("join", "restart"):
            consumers[member] = ((mine if member[0] == "a" else theirs)(), list(TOPICS))
            owned[member] = set()
        else:
            del consumers[member]
            del owned[member]
        ids = sorted(consumers)
        leader = ids[step % len(ids)]
        for _ in range(4):  # a cooperative move needs a follow-up round
            generation += 1
            wire, received = kp_round(consumers, leader, generation, cluster)
            led_by["ours" if leader[0] == "a" else "theirs"] += 1
            # One owner per partition after every round.
            assert all(len(o) == 1 for o in owners(received).values())
            if cooperative:
                # Nothing reaches a new owner while another still owns it.
                for m, parts in received.items():
                    for tp in parts - owned[m]:
                        assert not any(tp in owned[o] for o in owned if o != m), (tp, m)
            if leader[0] == "a":
                check_owned_by_library(strategy, wire, received, cluster)
            revoked = any(owned[m] - received[m] for m in received)
            owned = received
            if not (cooperative and revoked):
                break
        else:
            raise AssertionError("cooperative rounds did not settle")
        # Settled: every partition has its one owner.
        assert sum(len(p) for p in owned.values()) == sum(TOPICS.values())
    assert led_by["ours"] and led_by["theirs"]


@pytest.mark.parametrize("strategy", ["sticky", "cooperative-sticky"])
def test_kafka_python_ours_is_sticky(strategy):
    """Ours leading a group of ours: a join moves only what balance needs."""
    mine, _ = kp_classes(strategy)
    cluster = Cluster(TOPICS)
    consumers = {f"a{i}": (mine(), list(TOPICS)) for i in range(3)}
    _, before = kp_round(consumers, "a0", 1, cluster)
    consumers["a3"] = (mine(), list(TOPICS))
    _, after = kp_round(consumers, "a0", 2, cluster)
    if strategy == "cooperative-sticky":
        _, after = kp_round(consumers, "a0", 3, cluster)
    moved = sum(len(before[m] - after[m]) for m in before)
    assert moved == len(after["a3"]) == 3  # 14 partitions: 4, 4, 3, 3


def test_kafka_python_state_is_per_instance():
    from kafka.protocol.consumer.metadata import ConsumerProtocolAssignment
    from kafka_assignors.kafka_python import CooperativeStickyAssignor, StickyAssignor

    one, two = StickyAssignor(), StickyAssignor()
    one.on_assignment(ConsumerProtocolAssignment(0, [("orders", [1])], b""), 7)
    assert (one.generation, two.generation) == (7, -1)
    assert two.member_assignment == [] and len(one.member_assignment) == 1
    md = one.metadata({"orders"})
    assert ka.decode_sticky_user_data(md.user_data[2:]) == {"owned": {"orders": [1]}, "generation": 7, "format": "v1"}
    coop = CooperativeStickyAssignor()
    coop.on_assignment(ConsumerProtocolAssignment(0, [("orders", [2, 0])], b""), 3)
    md = coop.metadata({"orders"})
    assert md.generation_id == 3 and md.user_data == b"\x00\x00\x00\x03"
    assert [(tp.topic, tp.partitions) for tp in md.owned_partitions] == [("orders", [0, 2])]
    coop.on_generation_assignment(4)
    assert coop.metadata({"orders"}).generation_id == 4


def test_kafka_python_consumer_accepts_our_classes():
    """KafkaConsumer's coordinator instantiates them and checks the protocol."""
    from kafka.coordinator.assignors.abstract import RebalanceProtocol
    from kafka_assignors.kafka_python import CooperativeStickyAssignor, RangeAssignor

    assert CooperativeStickyAssignor().supported_protocols() == [RebalanceProtocol.COOPERATIVE]
    assert RangeAssignor().supported_protocols() == [RebalanceProtocol.EAGER]


def test_kafka_python_leader_error_is_a_value_error():
    from kafka_assignors.kafka_python import RangeAssignor
    from kafka.protocol.consumer.metadata import ConsumerProtocolSubscription

    md = ConsumerProtocolSubscription(version=0, topics=["orders"], user_data=b"")
    with pytest.raises(ka.AssignError, match='"m"'):
        RangeAssignor().assign(Cluster(TOPICS), [KPMember("m", md), KPMember("m", md)])


# ------------------------------------------------------------------- aiokafka

def ak_round(consumers, leader, cluster):
    from aiokafka.coordinator.protocol import ConsumerProtocol

    wire = {}
    for m, (a, t) in consumers.items():
        md = a.metadata(set(t))
        wire[m] = md if isinstance(md, bytes) else md.encode()
    members = {m: ConsumerProtocol.METADATA.decode(b) for m, b in wire.items()}
    answer = consumers[leader][0].assign(cluster, members)
    received = {}
    for m, (a, _) in consumers.items():
        assignment = ConsumerProtocol.ASSIGNMENT.decode(answer[m].encode())
        a.on_assignment(assignment)
        received[m] = {(tp.topic, tp.partition) for tp in assignment.partitions()}
    return wire, received


@pytest.mark.parametrize("strategy", ["range", "roundrobin", "sticky"])
def test_aiokafka_mixed_group(strategy):
    """Ours beside one aiokafka assignor (aiokafka's are classes whose state
    every consumer of a process shares, so one of them per process)."""
    from aiokafka.coordinator.assignors.range import RangePartitionAssignor
    from aiokafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
    from aiokafka.coordinator.assignors.sticky.sticky_assignor import StickyPartitionAssignor
    from kafka_assignors import aiokafka as ours

    theirs = {"range": RangePartitionAssignor, "roundrobin": RoundRobinPartitionAssignor,
              "sticky": StickyPartitionAssignor}[strategy]
    mine = {"range": ours.RangeAssignor, "roundrobin": ours.RoundRobinAssignor, "sticky": ours.StickyAssignor}[strategy]
    cluster = Cluster(TOPICS)
    consumers = {"a0": (mine(), list(TOPICS)), "k0": (theirs, list(TOPICS))}
    for step, event in enumerate([None, "a1", "a2", "-a0", "a3"]):
        if event and event[0] == "-":
            del consumers[event[1:]]
        elif event:
            consumers[event] = (mine(), list(TOPICS))
        ids = sorted(consumers)
        leader = ids[step % len(ids)]
        wire, received = ak_round(consumers, leader, cluster)
        assert all(len(o) == 1 for o in owners(received).values())
        assert sum(len(p) for p in received.values()) == sum(TOPICS.values())
        if leader[0] == "a":
            check_owned_by_library(strategy, wire, received, cluster)


def test_aiokafka_generation_tracked():
    from aiokafka.coordinator.protocol import ConsumerProtocol
    from kafka_assignors.aiokafka import StickyAssignor

    cluster = Cluster(TOPICS)
    consumers = {f"a{i}": (StickyAssignor(), list(TOPICS)) for i in range(3)}
    for expected in range(3):
        ak_round(consumers, "a1", cluster)
        assert [a.generation for a, _ in consumers.values()] == [expected] * 3
    # What the members send carries it, in the Java form aiokafka's own reads.
    md = ConsumerProtocol.METADATA.decode(consumers["a0"][0].metadata(set(TOPICS)).encode())
    decoded = ka.decode_sticky_user_data(md.user_data)
    assert decoded["generation"] == 2 and decoded["format"] == "v1"
    assert sum(len(p) for p in decoded["owned"].values()) in (4, 5)
    # Instances do not share state.
    assert StickyAssignor().generation == -1
