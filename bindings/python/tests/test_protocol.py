"""The protocol helpers on bytes: round trips, the Java formats, errors."""

import struct

import pytest
from hypothesis import given, settings, strategies as st

import kafka_assignors as ka

names = st.text(alphabet="abcdefghij-_.0123456789", min_size=1, max_size=8)
partitions = st.lists(st.integers(0, 2**31 - 1), max_size=6, unique=True).map(sorted)
by_topic = st.dictionaries(names, partitions, max_size=4)
generation = st.one_of(st.none(), st.integers(0, 2**31 - 1))
user_data = st.one_of(st.none(), st.binary(max_size=20))


@settings(max_examples=300, deadline=None)
@given(topics=st.lists(names, max_size=5, unique=True), user_data=user_data, owned=by_topic,
       generation=generation, rack=st.one_of(st.none(), names), version=st.integers(0, 3))
def test_subscription_round_trip(topics, user_data, owned, generation, rack, version):
    data = ka.encode_subscription(topics, user_data, owned, generation, rack, version)
    decoded = ka.decode_subscription(data)
    assert decoded["version"] == version
    assert decoded["topics"] == sorted(topics)
    assert decoded["user_data"] == user_data
    assert decoded["owned_partitions"] == ({t: ps for t, ps in owned.items() if ps} if version >= 1 else {})
    assert decoded["generation"] == (generation if version >= 2 else None)
    assert decoded["rack"] == (rack if version >= 3 else None)
    # Encoding what was decoded gives the same bytes.
    again = ka.encode_subscription(decoded["topics"], decoded["user_data"], decoded["owned_partitions"],
                                   decoded["generation"], decoded["rack"], decoded["version"])
    assert again == data


@settings(max_examples=300, deadline=None)
@given(assigned=by_topic, user_data=user_data, version=st.integers(0, 3))
def test_assignment_round_trip(assigned, user_data, version):
    decoded = ka.decode_assignment(ka.encode_assignment(assigned, user_data, version))
    assert decoded == {"version": version, "user_data": user_data,
                       "partitions": {t: ps for t, ps in sorted(assigned.items()) if ps}}


@settings(max_examples=300, deadline=None)
@given(owned=by_topic, generation=generation)
def test_sticky_user_data_round_trip(owned, generation):
    decoded = ka.decode_sticky_user_data(ka.encode_sticky_user_data(owned, generation))
    expected_owned = {t: ps for t, ps in owned.items() if ps}
    assert {t: sorted(ps) for t, ps in decoded["owned"].items()} == expected_owned
    if not expected_owned and generation is None:
        assert decoded["format"] in ("v0", "none")
    else:
        assert decoded["format"] == ("v1" if generation is not None else "v0")
        assert decoded["generation"] == generation


@given(generation=generation)
def test_cooperative_user_data_round_trip(generation):
    data = ka.encode_cooperative_user_data(generation)
    assert data == struct.pack(">i", -1 if generation is None else generation)
    assert ka.decode_cooperative_user_data(data) == (-1 if generation is None else generation)


def test_cooperative_user_data_as_java_reads_it():
    assert ka.decode_cooperative_user_data(None) is None
    assert ka.decode_cooperative_user_data(b"\x00\x01") == -1
    assert ka.decode_cooperative_user_data(b"\x00\x00\x00\x07\x99") == 7


def test_sticky_user_data_as_java_reads_it():
    assert ka.decode_sticky_user_data(None) == {"owned": {}, "generation": None, "format": "none"}
    assert ka.decode_sticky_user_data(b"") == {"owned": {}, "generation": None, "format": "none"}
    assert ka.decode_sticky_user_data(b"\xff\xff") == {"owned": {}, "generation": -1, "format": "fallback"}


def test_subscription_bytes_are_the_java_clients():
    # Version 3: topics sorted, user data, owned partitions, generation, rack.
    data = ka.encode_subscription(["b", "a"], b"x", {"a": [1]}, 4, "r")
    assert data == (b"\x00\x03" b"\x00\x00\x00\x02" b"\x00\x01a" b"\x00\x01b" b"\x00\x00\x00\x01x"
                    b"\x00\x00\x00\x01" b"\x00\x01a" b"\x00\x00\x00\x01" b"\x00\x00\x00\x01"
                    b"\x00\x00\x00\x04" b"\x00\x01r")


def test_kafka_python_reads_our_bytes():
    from kafka.protocol.consumer.metadata import ConsumerProtocolAssignment, ConsumerProtocolSubscription
    from kafka.coordinator.assignors.sticky.user_data import StickyAssignorUserData

    sub = ConsumerProtocolSubscription.decode(ka.encode_subscription(["t"], b"u", {"t": [2, 0]}, 9, "r"))
    assert (sub.topics, sub.user_data, sub.generation_id, sub.rack_id) == (["t"], b"u", 9, "r")
    assert [(tp.topic, tp.partitions) for tp in sub.owned_partitions] == [("t", [0, 2])]
    assignment = ConsumerProtocolAssignment.decode(ka.encode_assignment({"t": [3, 1]}))
    assert sorted(assignment.partitions()) == [("t", 1), ("t", 3)]
    # kafka-python 3.x's sticky user data is Java's after a 2-byte version:
    # Java's form (ours) is unreadable to it and the other way round.
    java = ka.encode_sticky_user_data({"t": [5, 6]}, 3)
    theirs = StickyAssignorUserData([("t", [5, 6])], 3).encode()
    assert theirs == b"\x00\x01" + java
    assert ka.decode_sticky_user_data(theirs)["format"] == "fallback"
    assert ka.decode_sticky_user_data(theirs[2:]) == {"owned": {"t": [5, 6]}, "generation": 3, "format": "v1"}
    user = StickyAssignorUserData.decode(b"\x00\x01" + java)
    assert [(p.topic, p.partitions) for p in user.previous_assignment] == [("t", [5, 6])]
    assert user.generation == 3


@pytest.mark.parametrize("data, message", [
    (b"", "byte offset 0"),
    (b"\x00", "byte offset 0"),
    (b"\x00\x00\x00\x00\x00\x05", "byte offset 2"),
    (b"\xff\xff\x00\x00\x00\x00", "version"),
])
def test_unreadable_subscriptions(data, message):
    with pytest.raises(ka.DecodeError, match=message) as info:
        ka.decode_subscription(data)
    assert isinstance(info.value, ValueError)


def test_unreadable_assignment():
    with pytest.raises(ka.DecodeError, match="offset"):
        ka.decode_assignment(b"\x00\x00\x00\x00\x00\x01\x00")


def test_unencodable_version():
    with pytest.raises(ka.EncodeError):
        ka.encode_subscription(["t"], version=-7)


def test_lead_names_the_bad_member():
    with pytest.raises(ka.DecodeError, match='"m2"'):
        ka.lead("range", [("m1", None, ka.join_metadata("range", ["t"])), ("m2", None, b"\x00")], {"t": 2})


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=64))
def test_random_bytes_never_crash(data):
    for decode in (ka.decode_subscription, ka.decode_assignment):
        try:
            decode(data)
        except ka.DecodeError:
            pass
    assert ka.decode_sticky_user_data(data)["format"] in ("none", "v0", "v1", "fallback")
    try:
        ka.lead("sticky", [("m", None, data)], {"t": 3})
    except (ka.DecodeError, ka.AssignError):
        pass
