"""The plain API: the seed examples and every shared reference group."""

import json
import subprocess

import pytest

import kafka_assignors as ka
from conftest import ROOT, SHARED

EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
GROUPS = sorted((SHARED / "reference" / "groups").glob("*.json"))


def load(path):
    with open(path) as f:
        return json.load(f)


def check_valid(group, answer):
    """Every partition of a subscribed topic at most once, only to its subscribers."""
    topics = {t: (v if isinstance(v, int) else v["partitions"]) for t, v in group["topics"].items()}
    subs = {m["id"]: set(m["topics"]) for m in group["members"]}
    assert set(answer) == set(subs)
    seen = set()
    for member, assigned in answer.items():
        for topic, partitions in assigned.items():
            assert topic in subs[member]
            assert partitions == sorted(partitions)
            for p in partitions:
                assert 0 <= p < topics[topic]
                assert (topic, p) not in seen
                seen.add((topic, p))
    return seen


def test_there_is_something_to_test():
    assert len(EXAMPLES) >= 5
    assert len(GROUPS) >= 27


@pytest.mark.parametrize("strategy", ka.STRATEGIES)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_seed_examples_match_kassign(path, strategy, kassign):
    group = load(path)
    answer = ka.assign(strategy, group)
    assert answer["strategy"] == strategy
    expected = json.loads(subprocess.run(
        [kassign, "assign", "--strategy", strategy, str(path)],
        check=True, capture_output=True, text=True).stdout)
    assert answer == expected
    seen = check_valid(group, answer["assignment"])
    if strategy != "cooperative-sticky":
        subscribed = {t for m in group["members"] for t in m["topics"] if t in group["topics"]}
        total = sum(v if isinstance(v, int) else v["partitions"]
                    for t, v in group["topics"].items() if t in subscribed)
        assert len(seen) == total


def test_seed_c_sticky_keeps_what_it_owned():
    # 6 partitions over 3 members: 2 each. T1-2 is claimed by C1 (generation
    # 5) and C2 (4): C1's claim wins. Then C2 owns exactly two uncontested
    # partitions and keeps them; C1 owns three and keeps two of them.
    group = load(ROOT / "examples" / "seed_c.json")
    answer = ka.assign("sticky", group)["assignment"]
    owned = lambda m: {(t, p) for t, ps in answer[m].items() for p in ps}
    assert owned("C2") == {("T2", 1), ("T2", 2)}
    assert len(owned("C1") & {("T1", 0), ("T1", 1), ("T2", 0)}) == 2
    assert all(len(owned(m)) == 2 for m in answer)


@pytest.mark.parametrize("strategy", ["range", "roundrobin"])
@pytest.mark.parametrize("path", GROUPS, ids=lambda p: p.name)
def test_reference_groups_match_java(path, strategy):
    expected = load(SHARED / "reference" / "java" / strategy / path.name)
    answer = ka.assign(strategy, load(path))
    assert answer["strategy"] == expected["strategy"] == strategy
    assert answer["assignment"] == expected["assignment"]


@pytest.mark.parametrize("strategy", ["sticky", "cooperative-sticky"])
@pytest.mark.parametrize("path", GROUPS, ids=lambda p: p.name)
def test_reference_groups_sticky_valid_and_even(path, strategy):
    group = load(path)
    answer = ka.assign(strategy, group)["assignment"]
    check_valid(group, answer)
    if strategy == "sticky" and all(set(m["topics"]) == set(group["topics"]) for m in group["members"]):
        loads = [sum(len(p) for p in a.values()) for a in answer.values()]
        assert max(loads) - min(loads) <= 1


def test_assign_json_is_the_same_answer():
    text = (ROOT / "examples" / "seed_a.json").read_text()
    assert json.loads(ka.assign_json("range", text)) == ka.assign("range", json.loads(text))


@pytest.mark.parametrize("group, message", [
    ({"topics": {"T": 1}, "members": [{"id": "C1", "topics": ["T"], "colour": "red"}]}, "colour"),
    ({"topics": {"T": 1}, "members": [{"id": "C1", "topics": ["T"]}, {"id": "C1", "topics": ["T"]}]}, "C1"),
    ({"topics": {"T": -3}, "members": [{"id": "C1", "topics": ["T"]}]}, "-3"),
    ({"topics": {"T": 1}, "members": [{"id": "C1", "topics": ["T"], "owned": {"T": ["0"]}}]}, "string"),
    ({"members": []}, "topics"),
    ([1, 2], "invalid group"),
])
def test_bad_groups_raise_assign_error(group, message):
    with pytest.raises(ka.AssignError, match=message) as info:
        ka.assign("sticky", group)
    assert isinstance(info.value, ValueError)


def test_unknown_strategy():
    with pytest.raises(ka.AssignError, match='unknown strategy "fair"'):
        ka.assign("fair", {"topics": {}, "members": []})


def test_not_json_serializable():
    with pytest.raises(ka.AssignError, match="invalid group"):
        ka.assign("range", {"topics": {"T": object()}, "members": []})


def test_empty_group():
    assert ka.assign("sticky", {"topics": {}, "members": []}) == {"strategy": "sticky", "assignment": {}}
