"""Drop-in assignors for kafka-python (3.x, ``kafka.coordinator.assignors``).

Two lines::

    from kafka_assignors.kafka_python import CooperativeStickyAssignor
    consumer = KafkaConsumer("orders", group_id="g", partition_assignment_strategy=[CooperativeStickyAssignor])

Each class keeps the client's own strategy name (``range``, ``roundrobin``,
``sticky``, ``cooperative-sticky``) and the Java client's wire format
(subscription v3 with owned partitions, generation and rack; the cooperative
generation), which kafka-python's own assignors and the Java client read, so a
group may mix members running these classes with members running
kafka-python's or Java's, and any of them may lead.

One exception: kafka-python 3.x writes ``sticky`` user data with a 2-byte
version prefix (``00 01``) that the Java format lacks, so kafka-python's
sticky and Java's cannot read each other's history. ``StickyAssignor`` writes
kafka-python's form by default (``user_data_format = "kafka-python"``; set
``"java"`` on a subclass for groups with Java members) and, leading, reads
both.

Pass the class: kafka-python makes one instance per consumer, so the history
(the last assignment and its generation) is per consumer, updated from every
``on_assignment(assignment, generation)``.
"""

from kafka.coordinator.assignors.abstract import AbstractPartitionAssignor, RebalanceProtocol
from kafka.protocol.consumer.metadata import (
    ConsumerProtocolAssignment,
    ConsumerProtocolSubscription,
)

from . import _native
from ._common import as_bytes, group_partitions, lead_decoded, topic_counts

__all__ = ["RangeAssignor", "RoundRobinAssignor", "StickyAssignor", "CooperativeStickyAssignor"]


class _Assignor(AbstractPartitionAssignor):
    name = None
    #: The ConsumerProtocolAssignment version this leader writes.
    version = 3
    _protocol = RebalanceProtocol.EAGER

    def __init__(self):
        #: The last assignment received, as TopicPartition objects.
        self.member_assignment = []
        #: The generation of that assignment; -1 before the first.
        self.generation = -1
        #: ``client.rack`` to advertise (None: no rack).
        self.rack = None

    def supported_protocols(self):
        """The rebalance protocol of this strategy."""
        return [self._protocol]

    def metadata(self, topics):
        """This consumer's JoinGroup metadata for ``topics``, built as the
        Java client builds it, as a kafka-python ConsumerProtocolSubscription."""
        generation = self.generation if self.generation >= 0 else None
        data = _native.join_metadata(
            self.name, sorted(topics), group_partitions(self.member_assignment),
            generation, self.rack)
        return ConsumerProtocolSubscription.decode(data)

    @staticmethod
    def _user_data(md):
        return as_bytes(md.user_data)

    def on_assignment(self, assignment, generation=None):
        """Records the assignment received and its generation."""
        self.member_assignment = list(assignment.partitions())
        if generation is not None:
            self.generation = generation

    def on_generation_assignment(self, generation):
        """kafka-python 2.x's separate generation callback."""
        self.generation = generation

    def assign(self, cluster, members):
        """The leader's assignment: ``members`` are kafka-python's
        JoinGroupResponseMember objects with decoded metadata; returns
        ``{member_id: ConsumerProtocolAssignment}`` for every member."""
        decoded = []
        subscribed = set()
        for member in members:
            md = member.metadata
            if isinstance(md, (bytes, bytearray, memoryview)):
                md = ConsumerProtocolSubscription.decode(bytes(md))
            topics = list(md.topics)
            subscribed.update(topics)
            owned = [(tp.topic, list(tp.partitions))
                     for tp in (getattr(md, "owned_partitions", None) or ())]
            generation = getattr(md, "generation_id", -1)
            decoded.append((
                member.member_id,
                getattr(member, "group_instance_id", None),
                topics,
                self._user_data(md),
                owned,
                generation if generation is not None and generation >= 0 else None,
                getattr(md, "rack_id", None),
            ))
        answer = lead_decoded(self.name, decoded, topic_counts(cluster, subscribed))
        return {
            member_id: ConsumerProtocolAssignment(self.version, partitions, b"")
            for member_id, partitions, _bytes in answer
        }


class RangeAssignor(_Assignor):
    """``range``: exactly the Java client's RangeAssignor."""
    name = "range"


class RoundRobinAssignor(_Assignor):
    """``roundrobin``: exactly the Java client's RoundRobinAssignor."""
    name = "roundrobin"


#: kafka-python 3.x's StickyAssignorUserData version prefix.
_KAFKA_PYTHON_PREFIX = b"\x00\x01"


class StickyAssignor(_Assignor):
    """``sticky`` (eager) at the exact optimum: the most even loads, then
    the fewest moves. User data in kafka-python's form (``"kafka-python"``,
    Java's V1 after a 2-byte version) or Java's (``"java"``)."""
    name = "sticky"
    user_data_format = "kafka-python"

    def metadata(self, topics):
        """JoinGroup metadata with the previous assignment and generation as
        ``user_data_format`` says."""
        md = super().metadata(topics)
        if self.user_data_format == "kafka-python":
            md.user_data = _KAFKA_PYTHON_PREFIX + md.user_data if md.user_data else b""
        return md

    @staticmethod
    def _user_data(md):
        data = as_bytes(md.user_data)
        # Java's form first: a Java V1/V0 never starts 00 01 (65,536 topics
        # or more), so only what Java cannot read is tried as kafka-python's.
        if (data and data[:2] == _KAFKA_PYTHON_PREFIX
                and _native.decode_sticky_user_data(data)[2] == "fallback"):
            data = data[2:]
        return data


class CooperativeStickyAssignor(_Assignor):
    """``cooperative-sticky``: the sticky optimum under the cooperative
    protocol; what changes owner is withheld for one round."""
    name = "cooperative-sticky"
    _protocol = RebalanceProtocol.COOPERATIVE
