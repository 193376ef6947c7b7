"""Kafka consumer-group partition assignment, in Rust.

The plain API takes and returns the project's scenario format as Python dicts
and lists (see ``assign``), and the consumer-protocol bytes (``encode_*`` and
``decode_*``). Drop-in assignors for the clients are in
:mod:`kafka_assignors.kafka_python` and :mod:`kafka_assignors.aiokafka`.

Every error is a ``ValueError`` subclass carrying the library's message:
:class:`AssignError` (a group the library refuses, an unknown strategy),
:class:`DecodeError` (unreadable bytes, naming the offset) and
:class:`EncodeError` (values the protocol cannot carry).
"""

import json as _json

from . import _native
from ._native import AssignError, DecodeError, EncodeError

__all__ = [
    "AssignError",
    "DecodeError",
    "EncodeError",
    "STRATEGIES",
    "assign",
    "assign_json",
    "encode_subscription",
    "decode_subscription",
    "encode_assignment",
    "decode_assignment",
    "encode_sticky_user_data",
    "decode_sticky_user_data",
    "encode_cooperative_user_data",
    "decode_cooperative_user_data",
    "join_metadata",
    "lead",
]

#: The strategy names, as the clients put them in the JoinGroup protocol list.
STRATEGIES = tuple(_native.strategies())


def _runs(partitions):
    """``{topic: [partition, ...]}`` (or pairs) as a list of pairs."""
    if partitions is None:
        return []
    items = partitions.items() if hasattr(partitions, "items") else partitions
    return [(topic, list(parts)) for topic, parts in items]


def assign(strategy, group):
    """Assigns ``group`` (the scenario format, as dicts and lists) with
    ``strategy`` (``"range"``, ``"roundrobin"``, ``"sticky"`` or
    ``"cooperative-sticky"``).

    Returns ``{"strategy": name, "assignment": {member: {topic: [partitions]}}}``
    with every member present, topics in name order, partitions ascending.
    Raises :class:`AssignError` with the library's message on bad input.
    """
    try:
        text = _json.dumps(group)
    except (TypeError, ValueError) as e:
        raise AssignError(f"invalid group: {e}") from None
    return _json.loads(_native.assign_json(strategy, text))


def assign_json(strategy, group_json):
    """:func:`assign` on JSON text, answering JSON text."""
    return _native.assign_json(strategy, group_json)


def encode_subscription(topics, user_data=None, owned_partitions=None,
                        generation=None, rack=None, version=3):
    """JoinGroup metadata (ConsumerProtocolSubscription, versions 0 to 3) as
    the Java client writes it: topics sorted; ``owned_partitions`` is
    ``{topic: [partitions]}``; ``generation`` None is written as -1."""
    return _native.encode_subscription(
        list(topics), None if user_data is None else bytes(user_data),
        _runs(owned_partitions), generation, rack, version)


def decode_subscription(data):
    """Reads JoinGroup metadata: a dict with ``version``, ``topics``,
    ``user_data`` (bytes or None), ``owned_partitions`` (``{topic: [...]}``),
    ``generation`` (None for -1 or absent) and ``rack``.
    Raises :class:`DecodeError` naming the byte offset."""
    version, topics, user_data, owned, generation, rack = _native.decode_subscription(bytes(data))
    return {
        "version": version,
        "topics": topics,
        "user_data": None if user_data is None else bytes(user_data),
        "owned_partitions": dict(owned),
        "generation": generation,
        "rack": rack,
    }


def encode_assignment(partitions, user_data=None, version=3):
    """A SyncGroup assignment (ConsumerProtocolAssignment) from
    ``{topic: [partitions]}``."""
    return _native.encode_assignment(
        _runs(partitions), None if user_data is None else bytes(user_data), version)


def decode_assignment(data):
    """Reads a SyncGroup assignment: ``{"version", "partitions", "user_data"}``.
    Raises :class:`DecodeError` naming the byte offset."""
    version, partitions, user_data = _native.decode_assignment(bytes(data))
    return {
        "version": version,
        "partitions": dict(partitions),
        "user_data": None if user_data is None else bytes(user_data),
    }


def encode_sticky_user_data(owned, generation=None):
    """The ``sticky`` strategy's user data: V1 (partitions and generation),
    or V0 when ``generation`` is None; topics in the Java client's order."""
    return _native.encode_sticky_user_data(_runs(owned), generation)


def decode_sticky_user_data(data):
    """Reads ``sticky`` user data as the Java client does, never failing:
    ``{"owned": {topic: [...]}, "generation": int or None, "format": f}``
    with ``f`` one of ``"none"``, ``"v1"``, ``"v0"``, ``"fallback"``."""
    owned, generation, fmt = _native.decode_sticky_user_data(
        None if data is None else bytes(data))
    return {"owned": dict(owned), "generation": generation, "format": fmt}


def encode_cooperative_user_data(generation=None):
    """The ``cooperative-sticky`` user data: the generation, 4 bytes (-1 for None)."""
    return _native.encode_cooperative_user_data(generation)


def decode_cooperative_user_data(data):
    """Reads ``cooperative-sticky`` user data as the Java client does: None
    for None; the first 4 bytes as a big-endian int; -1 if shorter."""
    return _native.decode_cooperative_user_data_py(None if data is None else bytes(data))


def join_metadata(strategy, topics, assigned=None, generation=None, rack=None):
    """The JoinGroup metadata a consumer running ``strategy`` sends, built as
    the Java client builds it from its topics, its current assignment
    (``{topic: [partitions]}``) and that assignment's generation."""
    return _native.join_metadata(strategy, list(topics), _runs(assigned), generation, rack)


def lead(strategy, members, topics):
    """The leader's work on JoinGroup bytes: ``members`` is a list of
    ``(member_id, group_instance_id or None, metadata bytes)``, ``topics``
    ``{topic: partition count}``. Returns ``{member_id: {"partitions":
    {topic: [...]}, "bytes": SyncGroup bytes}}`` for every member."""
    out = _native.lead_bytes(
        strategy,
        [(m, i, bytes(md)) for m, i, md in members],
        list(topics.items()))
    return {m: {"partitions": dict(p), "bytes": bytes(b)} for m, p, b in out}
