"""Hypothesis: the Python API and the Rust library (the ``kassign`` binary)
give the same answers, on the scenario format and on JoinGroup bytes."""

import json
import subprocess

from hypothesis import given, settings, strategies as st

import kafka_assignors as ka

TOPICS = ["t0", "t1", "t2", "t3"]


@st.composite
def groups(draw):
    topics = {t: draw(st.integers(0, 7)) for t in draw(st.lists(st.sampled_from(TOPICS), unique=True))}
    ids = draw(st.lists(st.sampled_from([f"c{i}" for i in range(8)]), unique=True, max_size=6))
    members = []
    for member_id in ids:
        m = {"id": member_id, "topics": draw(st.lists(st.sampled_from(TOPICS), unique=True))}
        if draw(st.booleans()):
            m["instance_id"] = "i-" + member_id
        if draw(st.booleans()):
            m["rack"] = draw(st.sampled_from(["a", "b"]))
        if draw(st.booleans()):
            m["owned"] = {t: draw(st.lists(st.integers(0, 8), unique=True, max_size=4))
                          for t in draw(st.lists(st.sampled_from(TOPICS), unique=True, max_size=2))}
            m["generation"] = draw(st.integers(0, 3))
        members.append(m)
    return {"topics": topics, "members": members}


def kassign_json(kassign, args, document):
    run = subprocess.run([kassign, "assign", *args, "-"], input=json.dumps(document),
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@settings(max_examples=60, deadline=None)
@given(group=groups(), strategy=st.sampled_from(ka.STRATEGIES))
def test_assign_is_the_librarys(kassign, group, strategy):
    assert ka.assign(strategy, group) == kassign_json(kassign, ["--strategy", strategy], group)


@settings(max_examples=60, deadline=None)
@given(group=groups(), strategy=st.sampled_from(ka.STRATEGIES))
def test_lead_is_the_librarys(kassign, group, strategy):
    members = []
    for m in group["members"]:
        metadata = ka.join_metadata(strategy, m["topics"], m.get("owned"), m.get("generation"), m.get("rack"))
        members.append((m["id"], m.get("instance_id"), metadata))
    ours = ka.lead(strategy, members, group["topics"])
    wire = {"topics": group["topics"],
            "members": [{"id": i, "instance_id": s, "metadata": md.hex()} for i, s, md in members]}
    run = subprocess.run(
        [kassign, "assign", "--strategy", strategy, "--from-metadata", "-", "--bytes"],
        input=json.dumps(wire), capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    theirs = json.loads(run.stdout)
    assert {m: v["partitions"] for m, v in ours.items()} == theirs["assignment"]
    assert {m: v["bytes"].hex() for m, v in ours.items()} == theirs["sync"]
