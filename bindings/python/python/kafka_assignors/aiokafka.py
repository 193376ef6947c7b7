"""Drop-in assignors for aiokafka (``aiokafka.coordinator.assignors``).

Two lines::

    from kafka_assignors.aiokafka import StickyAssignor
    consumer = AIOKafkaConsumer("orders", group_id="g", partition_assignment_strategy=(StickyAssignor(),))

aiokafka uses the assignor objects it is given as they are (its own are
classes with class attributes, so every consumer of a process shares one
history: aiokafka#1175). Pass an *instance* per consumer: its history is its
own. aiokafka speaks the eager protocol only (subscription v0), so there is
``range``, ``roundrobin`` and ``sticky``, with the clients' names and the
Java client's ``sticky`` user data (V1), which aiokafka's own sticky reads.

The generation: aiokafka's ``on_assignment`` carries none (and its own sticky
never updates it: aiokafka#1176). When one of these assignors leads, it writes
the group's next generation (one more than the highest its members report)
into each assignment's user data as 4 bytes, which the Java client and
aiokafka's own assignors ignore; a member reads it back in ``on_assignment``.
An assignment without it (another client led) counts one more than the last.
"""

import struct

from aiokafka.coordinator.assignors.abstract import AbstractPartitionAssignor
from aiokafka.coordinator.protocol import (
    ConsumerProtocolMemberAssignment,
    ConsumerProtocolMemberMetadata,
)

from . import _native
from ._common import as_bytes, group_partitions, lead_decoded, topic_counts

__all__ = ["RangeAssignor", "RoundRobinAssignor", "StickyAssignor"]


class _Assignor(AbstractPartitionAssignor):
    name = None
    version = 0

    def __init__(self):
        #: The last assignment received, as TopicPartition objects.
        self.member_assignment = []
        #: The generation of that assignment; -1 before the first.
        self.generation = -1

    def metadata(self, topics):
        """This consumer's JoinGroup metadata (v0, as aiokafka sends it)."""
        user_data = b""
        if self.name == "sticky" and self.generation >= 0:
            user_data = _native.encode_sticky_user_data(
                group_partitions(self.member_assignment), self.generation)
        return ConsumerProtocolMemberMetadata(self.version, sorted(topics), user_data)

    def on_assignment(self, assignment):
        """Records the assignment received and its generation."""
        self.member_assignment = list(assignment.partitions())
        user_data = assignment.user_data
        if user_data is not None and len(user_data) == 4:
            self.generation = struct.unpack(">i", bytes(user_data))[0]
        else:
            self.generation += 1

    def assign(self, cluster, members):
        """The leader's assignment: ``members`` is ``{member_id:
        ConsumerProtocolMemberMetadata}``; returns ``{member_id:
        ConsumerProtocolMemberAssignment}`` for every member."""
        decoded = []
        subscribed = set()
        highest = -1
        for member_id, md in members.items():
            topics = list(md.subscription)
            subscribed.update(topics)
            user_data = as_bytes(md.user_data)
            if self.name == "sticky":
                generation = _native.decode_sticky_user_data(user_data or None)[1]
                if generation is not None:
                    highest = max(highest, generation)
            decoded.append((member_id, None, topics, user_data, [], None, None))
        answer = lead_decoded(self.name, decoded, topic_counts(cluster, subscribed))
        next_generation = struct.pack(">i", max(highest + 1, self.generation + 1))
        return {
            member_id: ConsumerProtocolMemberAssignment(
                self.version, partitions, next_generation)
            for member_id, partitions, _bytes in answer
        }


class RangeAssignor(_Assignor):
    """``range``: exactly the Java client's RangeAssignor."""
    name = "range"


class RoundRobinAssignor(_Assignor):
    """``roundrobin``: exactly the Java client's RoundRobinAssignor."""
    name = "roundrobin"


class StickyAssignor(_Assignor):
    """``sticky`` at the exact optimum (eager): the most even loads, then
    the fewest moves."""
    name = "sticky"
