"""What the client adapters share: one consumer's history and the leader call."""

from . import _native


def group_partitions(partitions):
    """TopicPartition-like objects (``.topic``, ``.partition``) grouped as
    ``[(topic, [partitions])]`` in topic order, partitions ascending."""
    by_topic = {}
    for tp in partitions:
        by_topic.setdefault(tp.topic, []).append(tp.partition)
    return [(t, sorted(ps)) for t, ps in sorted(by_topic.items())]


def topic_counts(cluster, topics):
    """``[(topic, partition count)]`` for the subscribed topics the client's
    metadata knows (a topic it lacks gets nothing, as in the Java client)."""
    out = []
    for topic in sorted(topics):
        partitions = cluster.partitions_for_topic(topic)
        if partitions:
            out.append((topic, len(partitions)))
    return out


def as_bytes(value):
    """User data as a client hands it over: None, bytes-like, or an object
    with ``encode()`` (kafka-python's StickyAssignorUserData)."""
    if value is None:
        return None
    if hasattr(value, "encode") and not isinstance(value, (bytes, bytearray, memoryview, str)):
        value = value.encode()
    return bytes(value)


def lead_decoded(strategy, members, topics):
    """See ``_native.lead_decoded``."""
    return _native.lead_decoded(strategy, members, topics)
