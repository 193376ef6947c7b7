//! `kafka_assignors._native`: the Rust side of the Python wheel.
//!
//! Thin and flat on purpose: every function takes and returns plain Python
//! values (str, int, bytes, lists of tuples), and the Python package
//! `kafka_assignors` turns them into dicts, docstrings and the assignor
//! classes for kafka-python and aiokafka.
//!
//! The scenario format crosses the boundary as a JSON string: the Python side
//! calls `json.dumps`/`json.loads` (C code in CPython) and this side reads it
//! with the library's own streaming, interning `Deserialize`, so `assign`
//! has `kassign`'s exact rules and error messages (unknown keys included)
//! and no second conversion crate. The price, measured by `bench.py`: on
//! 2000 members and 100,000 partitions, `assign` on dicts takes 71 ms where
//! `assign_json` on prepared text takes 14 ms, so about 57 ms is the JSON
//! round trip in Python. (Walking the dicts from Rust with pythonize was not
//! tried.) The client assignors do not go through JSON at all: they pass
//! flat tuples to `lead_decoded`.
//!
//! No input crashes the interpreter: every error is a Python exception
//! (`AssignError`, `DecodeError`, `EncodeError`, all `ValueError`s) with the
//! library's message, and every call runs under `catch_unwind`, so a panic
//! (a bug) becomes an `AssignError` too instead of an abort.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use kafka_assignors::protocol::{
    AssignmentData, ClientState, JoinedMember, StickyFormat, StickyUserData, Subscription,
    cooperative_user_data, decode_cooperative_user_data, join_protocols, lead,
};
use kafka_assignors::{Assignor, Group, Strategy, Topic, TopicPartition};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

create_exception!(
    _native,
    AssignError,
    PyValueError,
    "A group the library refuses (or an unknown strategy, or unreadable scenario JSON)."
);
create_exception!(
    _native,
    DecodeError,
    PyValueError,
    "Consumer-protocol bytes that cannot be read; the message names the byte offset."
);
create_exception!(
    _native,
    EncodeError,
    PyValueError,
    "Values the consumer protocol cannot carry (too long a name, too many entries)."
);

/// Runs `f`, turning a panic into an `AssignError` rather than unwinding into
/// the interpreter.
fn guarded<T>(what: &str, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(AssignError::new_err(format!(
                "internal error in {what}: {message}"
            )))
        }
    }
}

fn strategy(name: &str) -> PyResult<Strategy> {
    name.parse::<Strategy>()
        .map_err(|e| AssignError::new_err(e.to_string()))
}

/// Partitions per topic as the Python side passes them.
type Runs = Vec<(String, Vec<i32>)>;

fn flatten(runs: Runs) -> Vec<TopicPartition> {
    let mut out = Vec::new();
    for (topic, partitions) in runs {
        let topic: Arc<str> = topic.into();
        out.extend(
            partitions
                .into_iter()
                .map(|p| TopicPartition::new(topic.clone(), p)),
        );
    }
    out
}

/// Groups flat partitions by topic, topics in first-seen order.
fn runs(partitions: &[TopicPartition]) -> Runs {
    let mut out: Runs = Vec::new();
    for tp in partitions {
        match out.last_mut() {
            Some((topic, list)) if **topic == *tp.topic => list.push(tp.partition),
            _ => match out.iter_mut().find(|(t, _)| **t == *tp.topic) {
                Some((_, list)) => list.push(tp.partition),
                None => out.push((tp.topic.to_string(), vec![tp.partition])),
            },
        }
    }
    out
}

/// `strategy` over a group in the scenario format (JSON text); the answer in
/// the output format (JSON text).
#[pyfunction]
fn assign_json(py: Python<'_>, strategy_name: &str, group_json: &str) -> PyResult<String> {
    let strategy = strategy(strategy_name)?;
    let group_json = group_json.to_string();
    py.detach(move || {
        guarded("assign", || {
            let group: Group = serde_json::from_str(&group_json)
                .map_err(|e| AssignError::new_err(format!("invalid group: {e}")))?;
            let answer = strategy
                .assign(&group)
                .map_err(|e| AssignError::new_err(e.to_string()))?;
            let mut out = String::from("{\"strategy\":");
            out.push_str(&serde_json::to_string(strategy.name()).expect("a name serializes"));
            out.push_str(",\"assignment\":");
            out.push_str(
                &serde_json::to_string(&answer).map_err(|e| AssignError::new_err(e.to_string()))?,
            );
            out.push('}');
            Ok(out)
        })
    })
}

/// The names of the strategies, in the library's order.
#[pyfunction]
fn strategies() -> Vec<&'static str> {
    Strategy::ALL.iter().map(|s| s.name()).collect()
}

/// Encodes a subscription (JoinGroup metadata) at `version` (0 to 3).
#[pyfunction]
#[pyo3(signature = (topics, user_data=None, owned_partitions=Vec::new(), generation=None, rack=None, version=3))]
fn encode_subscription<'py>(
    py: Python<'py>,
    topics: Vec<String>,
    user_data: Option<Vec<u8>>,
    owned_partitions: Runs,
    generation: Option<i32>,
    rack: Option<String>,
    version: i16,
) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = guarded("encode_subscription", || {
        let mut sub = Subscription::new(topics).with_owned_partitions(flatten(owned_partitions));
        sub.user_data = user_data;
        sub.generation = generation;
        sub.rack = rack;
        sub.encode_version(version)
            .map_err(|e| EncodeError::new_err(e.to_string()))
    })?;
    Ok(PyBytes::new(py, &bytes))
}

/// A decoded subscription: (version, topics, user_data, owned_partitions,
/// generation, rack).
type SubscriptionTuple = (
    i16,
    Vec<String>,
    Option<Vec<u8>>,
    Runs,
    Option<i32>,
    Option<String>,
);

/// Decodes a subscription (JoinGroup metadata).
#[pyfunction]
fn decode_subscription(data: &[u8]) -> PyResult<SubscriptionTuple> {
    guarded("decode_subscription", || {
        let decoded =
            Subscription::decode(data).map_err(|e| DecodeError::new_err(e.to_string()))?;
        let sub = decoded.subscription;
        Ok((
            decoded.version,
            sub.topics.iter().map(|t| t.to_string()).collect(),
            sub.user_data,
            runs(&sub.owned_partitions),
            sub.generation,
            sub.rack,
        ))
    })
}

/// Encodes an assignment (SyncGroup payload) at `version` (0 to 3).
#[pyfunction]
#[pyo3(signature = (partitions, user_data=None, version=3))]
fn encode_assignment<'py>(
    py: Python<'py>,
    partitions: Runs,
    user_data: Option<Vec<u8>>,
    version: i16,
) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = guarded("encode_assignment", || {
        let mut data = AssignmentData::new(flatten(partitions));
        data.user_data = user_data;
        data.encode_version(version)
            .map_err(|e| EncodeError::new_err(e.to_string()))
    })?;
    Ok(PyBytes::new(py, &bytes))
}

/// Decodes an assignment: (version, partitions, user_data).
#[pyfunction]
fn decode_assignment(data: &[u8]) -> PyResult<(i16, Runs, Option<Vec<u8>>)> {
    guarded("decode_assignment", || {
        let decoded =
            AssignmentData::decode(data).map_err(|e| DecodeError::new_err(e.to_string()))?;
        Ok((
            decoded.version,
            runs(&decoded.assignment.partitions),
            decoded.assignment.user_data,
        ))
    })
}

/// Encodes `sticky` user data: V1 with a generation, V0 without.
#[pyfunction]
#[pyo3(signature = (owned, generation=None))]
fn encode_sticky_user_data<'py>(
    py: Python<'py>,
    owned: Runs,
    generation: Option<i32>,
) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = guarded("encode_sticky_user_data", || {
        StickyUserData::new(flatten(owned), generation)
            .encode()
            .map_err(|e| EncodeError::new_err(e.to_string()))
    })?;
    Ok(PyBytes::new(py, &bytes))
}

/// Decodes `sticky` user data as the Java client does (never an error):
/// (owned, generation, format), format one of "none", "v1", "v0", "fallback".
#[pyfunction]
#[pyo3(signature = (data))]
fn decode_sticky_user_data(data: Option<&[u8]>) -> PyResult<(Runs, Option<i32>, &'static str)> {
    guarded("decode_sticky_user_data", || {
        let (decoded, format) = StickyUserData::decode(data);
        let format = match format {
            StickyFormat::None => "none",
            StickyFormat::V1 => "v1",
            StickyFormat::V0 => "v0",
            _ => "fallback",
        };
        Ok((runs(&decoded.owned), decoded.generation, format))
    })
}

/// `cooperative-sticky` user data: the generation as 4 bytes (-1 for none).
#[pyfunction]
#[pyo3(signature = (generation=None))]
fn encode_cooperative_user_data(py: Python<'_>, generation: Option<i32>) -> Bound<'_, PyBytes> {
    PyBytes::new(py, &cooperative_user_data(generation))
}

/// Reads `cooperative-sticky` user data as the Java client does.
#[pyfunction]
#[pyo3(signature = (data))]
fn decode_cooperative_user_data_py(data: Option<&[u8]>) -> Option<i32> {
    decode_cooperative_user_data(data)
}

/// The JoinGroup metadata a consumer running `strategy` sends, as the Java
/// client builds it (`protocol::join_protocols`).
#[pyfunction]
#[pyo3(signature = (strategy_name, topics, assigned=Vec::new(), generation=None, rack=None))]
fn join_metadata<'py>(
    py: Python<'py>,
    strategy_name: &str,
    topics: Vec<String>,
    assigned: Runs,
    generation: Option<i32>,
    rack: Option<String>,
) -> PyResult<Bound<'py, PyBytes>> {
    let strategy = strategy(strategy_name)?;
    let bytes = guarded("join_metadata", || {
        let mut state = ClientState::new(topics);
        state.assigned = flatten(assigned);
        state.generation = generation;
        state.rack = rack;
        let mut protocols =
            join_protocols(&[strategy], &state).map_err(|e| EncodeError::new_err(e.to_string()))?;
        Ok(protocols.remove(0).metadata)
    })?;
    Ok(PyBytes::new(py, &bytes))
}

/// One member for the leader, already decoded by the client: (member_id,
/// group_instance_id, topics, user_data, owned_partitions, generation, rack).
type DecodedMember = (
    String,
    Option<String>,
    Vec<String>,
    Option<Vec<u8>>,
    Runs,
    Option<i32>,
    Option<String>,
);

/// Per member: (member_id, partitions by topic in name order, SyncGroup bytes).
type LeaderOut = Vec<(String, Runs, Vec<u8>)>;

fn run_lead(
    strategy: Strategy,
    joined: Vec<JoinedMember>,
    topics: Vec<(String, i32)>,
) -> PyResult<LeaderOut> {
    let topics = topics
        .into_iter()
        .map(|(name, count)| Topic::new(name, count))
        .collect();
    let outcome = lead(strategy, &joined, topics).map_err(|e| {
        use kafka_assignors::protocol::LeaderErrorKind;
        match e.kind() {
            LeaderErrorKind::BadMetadata { .. } => DecodeError::new_err(e.to_string()),
            LeaderErrorKind::Encode { .. } => EncodeError::new_err(e.to_string()),
            _ => AssignError::new_err(e.to_string()),
        }
    })?;
    let mut by_id: Vec<(String, Vec<u8>)> = outcome.sync;
    by_id.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(outcome
        .assignment
        .members()
        .map(|m| {
            let partitions: Runs = m
                .topics()
                .map(|(t, p)| (t.to_string(), p.to_vec()))
                .collect();
            let bytes = by_id
                .binary_search_by(|(id, _)| id.as_str().cmp(m.id()))
                .map(|i| std::mem::take(&mut by_id[i].1))
                .unwrap_or_default();
            (m.id().to_string(), partitions, bytes)
        })
        .collect())
}

/// The leader's work from every member's JoinGroup metadata bytes:
/// `members` as (member_id, group_instance_id, metadata), `topics` as
/// (name, partition count).
#[pyfunction]
fn lead_bytes(
    py: Python<'_>,
    strategy_name: &str,
    members: Vec<(String, Option<String>, Vec<u8>)>,
    topics: Vec<(String, i32)>,
) -> PyResult<LeaderOut> {
    let strategy = strategy(strategy_name)?;
    py.detach(move || {
        guarded("lead", || {
            let joined = members
                .into_iter()
                .map(|(id, instance, metadata)| JoinedMember::new(id, instance, metadata))
                .collect();
            run_lead(strategy, joined, topics)
        })
    })
}

/// The leader's work from members a client has decoded already (kafka-python
/// hands its assignors decoded subscriptions): each is encoded back to the
/// wire (v3) and led exactly as [`lead_bytes`] would.
#[pyfunction]
fn lead_decoded(
    py: Python<'_>,
    strategy_name: &str,
    members: Vec<DecodedMember>,
    topics: Vec<(String, i32)>,
) -> PyResult<LeaderOut> {
    let strategy = strategy(strategy_name)?;
    py.detach(move || {
        guarded("lead", || {
            let joined = members
                .into_iter()
                .map(
                    |(id, instance, topics, user_data, owned, generation, rack)| {
                        let mut sub =
                            Subscription::new(topics).with_owned_partitions(flatten(owned));
                        sub.user_data = user_data;
                        sub.generation = generation;
                        sub.rack = rack;
                        let metadata = sub
                            .encode()
                            .map_err(|e| EncodeError::new_err(format!("member {id:?}: {e}")))?;
                        Ok(JoinedMember::new(id, instance, metadata))
                    },
                )
                .collect::<PyResult<Vec<_>>>()?;
            run_lead(strategy, joined, topics)
        })
    })
}

/// The module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("AssignError", py.get_type::<AssignError>())?;
    m.add("DecodeError", py.get_type::<DecodeError>())?;
    m.add("EncodeError", py.get_type::<EncodeError>())?;
    m.add_function(wrap_pyfunction!(assign_json, m)?)?;
    m.add_function(wrap_pyfunction!(strategies, m)?)?;
    m.add_function(wrap_pyfunction!(encode_subscription, m)?)?;
    m.add_function(wrap_pyfunction!(decode_subscription, m)?)?;
    m.add_function(wrap_pyfunction!(encode_assignment, m)?)?;
    m.add_function(wrap_pyfunction!(decode_assignment, m)?)?;
    m.add_function(wrap_pyfunction!(encode_sticky_user_data, m)?)?;
    m.add_function(wrap_pyfunction!(decode_sticky_user_data, m)?)?;
    m.add_function(wrap_pyfunction!(encode_cooperative_user_data, m)?)?;
    m.add_function(wrap_pyfunction!(decode_cooperative_user_data_py, m)?)?;
    m.add_function(wrap_pyfunction!(join_metadata, m)?)?;
    m.add_function(wrap_pyfunction!(lead_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(lead_decoded, m)?)?;
    Ok(())
}
