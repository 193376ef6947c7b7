"""One group member on a real broker, reporting as JSON lines on stdout.

usage: member.py BOOTSTRAP GROUP TOPICS KIND NAME

KIND: ``ours`` (kafka-python with kafka_assignors' cooperative-sticky),
``kafka-python`` (kafka-python's own cooperative-sticky) or ``librdkafka``
(confluent-kafka, cooperative-sticky). Lines: ``owned`` (the member's whole
assignment after each rebalance, with the generation where the client tells
it) and, from kafka-python leaders, ``lead`` (every member's JoinGroup
metadata as the leader received it, re-encoded, and the answer). Leaves
when stdin says ``leave`` or closes, or after 150 s.
"""

import json
import sys
import threading
import time


def emit(**line):
    line["ts"] = time.time()
    print(json.dumps(line), flush=True)


def kafka_python_member(bootstrap, group, topics, kind, name, stop):
    from kafka import KafkaConsumer

    if kind == "ours":
        from kafka_assignors.kafka_python import CooperativeStickyAssignor as Base
    else:
        from kafka.coordinator.assignors.cooperative_sticky import CooperativeStickyAssignor as Base

    consumer = None

    class Reporting(Base):
        def assign(self, cluster, members):
            # The coordinator has set the new generation before it calls the leader.
            generation = consumer._coordinator._generation.generation_id
            metadata = [(m.member_id, m.group_instance_id, m.metadata.encode().hex()) for m in members]
            counts = {t: len(cluster.partitions_for_topic(t) or ()) for t in topics}
            answer = super().assign(cluster, members)
            emit(member=name, event="lead", kind=kind, generation=generation, metadata=metadata, topics=counts,
                 answer={m: sorted([tp.topic, tp.partition] for tp in a.partitions()) for m, a in answer.items()})
            return answer

        def on_assignment(self, assignment, generation):
            super().on_assignment(assignment, generation)
            emit(member=name, event="owned", generation=generation,
                 partitions=sorted([tp.topic, tp.partition] for tp in assignment.partitions()))

    consumer = KafkaConsumer(
        *topics, bootstrap_servers=bootstrap, group_id=group, client_id=name,
        partition_assignment_strategy=[Reporting], session_timeout_ms=6000,
        heartbeat_interval_ms=300, enable_auto_commit=False, auto_offset_reset="earliest")
    emit(member=name, event="started")
    deadline = time.monotonic() + 150
    while not stop.is_set() and time.monotonic() < deadline:
        consumer.poll(timeout_ms=50)
        member_id = consumer._coordinator._generation.member_id
        if member_id:
            emit_once(name, member_id)
    consumer.close()
    emit(member=name, event="left")


_seen = {}


def emit_once(name, member_id):
    if _seen.get(name) != member_id:
        _seen[name] = member_id
        emit(member=name, event="member_id", member_id=member_id)


def librdkafka_member(bootstrap, group, topics, name, stop):
    from confluent_kafka import Consumer

    consumer = Consumer({
        "bootstrap.servers": bootstrap, "group.id": group, "client.id": name,
        "partition.assignment.strategy": "cooperative-sticky", "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 300, "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    owned = set()

    def on_assign(c, parts):
        owned.update((p.topic, p.partition) for p in parts)
        emit(member=name, event="owned", generation=None, partitions=sorted(map(list, owned)))

    def on_revoke(c, parts):
        owned.difference_update((p.topic, p.partition) for p in parts)
        emit(member=name, event="owned", generation=None, partitions=sorted(map(list, owned)))

    consumer.subscribe(topics, on_assign=on_assign, on_revoke=on_revoke, on_lost=on_revoke)
    emit(member=name, event="started")
    deadline = time.monotonic() + 150
    while not stop.is_set() and time.monotonic() < deadline:
        consumer.poll(0.05)
        if consumer.memberid():
            emit_once(name, consumer.memberid())
    consumer.close()
    emit(member=name, event="left")


def main():
    bootstrap, group, topics, kind, name = sys.argv[1:6]
    stop = threading.Event()

    def watch_stdin():
        for line in sys.stdin:
            if line.strip() == "leave":
                break
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    if kind == "librdkafka":
        librdkafka_member(bootstrap, group, topics.split(","), name, stop)
    else:
        kafka_python_member(bootstrap, group, topics.split(","), kind, name, stop)


if __name__ == "__main__":
    main()
