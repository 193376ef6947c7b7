"""A librdkafka group member (through confluent-kafka) that reports every
assign and revoke as one JSON line, in the same form as
examples/group_member.rs. It fetches no records on purpose: poll() only
drives the group protocol. It leaves when its standard input says `leave` or
closes.

usage: consumer.py BOOTSTRAP GROUP TOPICS STRATEGY NAME
"""

import json
import sys
import threading
import time

from confluent_kafka import Consumer


def main():
    bootstrap, group, topics, strategy, name = sys.argv[1:6]
    stop = threading.Event()

    def watch_stdin():
        for line in sys.stdin:
            if line.strip() == "leave":
                break
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "client.id": name,
            "partition.assignment.strategy": strategy,
            "session.timeout.ms": 6000,
            "heartbeat.interval.ms": 300,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )

    def log(event, partitions=None, **extra):
        line = {
            "ts": str(time.time_ns()),
            "member": name,
            "member_id": consumer.memberid() or "",
            "event": event,
        }
        if partitions is not None:
            line["partitions"] = sorted([p.topic, p.partition] for p in partitions)
        line.update(extra)
        print(json.dumps(line), flush=True)

    # confluent-kafka applies the (incremental) assignment itself after the
    # callback returns, as librdkafka's default rebalance handling does.
    consumer.subscribe(
        topics.split(","),
        on_assign=lambda c, parts: log("assign", parts),
        on_revoke=lambda c, parts: log("revoke", parts),
        on_lost=lambda c, parts: log("revoke", parts, lost=True),
    )
    deadline = time.monotonic() + 120
    while not stop.is_set() and time.monotonic() < deadline:
        consumer.poll(0.05)
    # close() revokes what the member owns (the callbacks report it) and
    # sends LeaveGroup.
    consumer.close()
    print(json.dumps({"ts": str(time.time_ns()), "member": name, "event": "left"}), flush=True)


if __name__ == "__main__":
    main()
