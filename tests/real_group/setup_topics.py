"""Waits for the broker, then creates the topics the groups read."""

import sys
import time

from confluent_kafka.admin import AdminClient, NewTopic

TOPICS = {"rg-orders": 6, "rg-payments": 5}


def main():
    admin = AdminClient({"bootstrap.servers": sys.argv[1]})
    deadline = time.monotonic() + 30
    while True:
        try:
            admin.list_topics(timeout=2)
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    futures = admin.create_topics([NewTopic(t, n, 1) for t, n in TOPICS.items()])
    for topic, future in futures.items():
        future.result(timeout=10)
    counts = {t: len(m.partitions) for t, m in admin.list_topics(timeout=10).topics.items()}
    for topic, n in TOPICS.items():
        if counts.get(topic) != n:
            raise SystemExit(f"topic {topic} has {counts.get(topic)} partitions, wanted {n}")
    print(f"topics {TOPICS} created")


if __name__ == "__main__":
    main()
