from typing import Any, Dict, Iterable, List, Mapping

from aiokafka.coordinator.assignors.abstract import AbstractPartitionAssignor
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment, ConsumerProtocolMemberMetadata
from aiokafka.structs import TopicPartition

class _Assignor(AbstractPartitionAssignor):
    name: str
    version: int
    member_assignment: List[TopicPartition]
    generation: int
    def __init__(self) -> None: ...
    def metadata(self, topics: Iterable[str]) -> ConsumerProtocolMemberMetadata: ...  # type: ignore[override]
    def on_assignment(self, assignment: ConsumerProtocolMemberAssignment) -> None: ...  # type: ignore[override]
    def assign(  # type: ignore[override]
        self, cluster: Any, members: Mapping[str, ConsumerProtocolMemberMetadata]
    ) -> Dict[str, ConsumerProtocolMemberAssignment]: ...

class RangeAssignor(_Assignor): ...
class RoundRobinAssignor(_Assignor): ...
class StickyAssignor(_Assignor): ...
