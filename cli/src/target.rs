//! `kassign target`: the KIP-848 server-side target assignment of a
//! scenario, as the broker's group coordinator computes it.
//!
//! The scenario is read as for `assign`, then given to
//! `kafka_assignors::server` in the coordinator's terms:
//!
//! - each topic gets a topic id derived from its name alone,
//!   [`TopicId::from_name`] (two 64-bit FNV-1a hashes of the name's UTF-8
//!   bytes, the rule `kassign simulate`'s consumer protocol shares); two
//!   names with one id are an error;
//! - a member's `owned` is its current target; `generation` is ignored;
//! - subscriptions to topics the metadata lacks, and owned entries of such
//!   topics or out of range, are dropped (the coordinator resolves
//!   subscriptions against its metadata image, and a target never names a
//!   partition that does not exist); `kassign` notes them on standard error,
//!   and `--strict` refuses them.
//!
//! The answer is printed in `assign`'s JSON shape with the topic names,
//! every member's full new target (whether or not it changed).

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::sync::Arc;

use kafka_assignors::server::{
    GroupSpec, MemberSpec, RangeTargetAssignor, TargetAssignor, TopicDescription, TopicId,
    TopicMetadata, UniformTargetAssignor,
};
use kafka_assignors::{Assignment, Group, Note};
use serde::Serialize;

use crate::error::Error;
use crate::input::Input;
use crate::output::json_lines;

/// Compute the KIP-848 target assignment of a group with a server-side
/// assignor (the broker's `group.remote.assignor`).
///
/// A member's `owned` is its current target; `generation` is ignored. Topic
/// ids are derived from topic names (two FNV-1a-64 hashes of the name). The
/// answer has `assign`'s JSON shape.
#[derive(Debug, clap::Args)]
pub(crate) struct Options {
    /// uniform or range.
    #[arg(long, short, value_parser = server_assignor)]
    assignor: ServerAssignor,
    /// The group in the scenario format; `-` or none reads standard input.
    file: Option<String>,
}

/// The server-side assignors, by the names a client gives in
/// `group.remote.assignor`.
#[derive(Debug, Clone, Copy)]
enum ServerAssignor {
    Uniform,
    Range,
}

/// `--assignor`'s value parser.
fn server_assignor(name: &str) -> Result<ServerAssignor, String> {
    match name {
        "uniform" => Ok(ServerAssignor::Uniform),
        "range" => Ok(ServerAssignor::Range),
        other => Err(format!(
            "unknown server assignor {other:?}: the server-side assignors are uniform and range"
        )),
    }
}

/// Each topic id's name.
type Names = HashMap<TopicId, Arc<str>>;

/// The group in the coordinator's terms, and each topic id's name.
fn server_spec(group: &Group) -> Result<(GroupSpec, TopicMetadata, Names), String> {
    let mut names: HashMap<TopicId, Arc<str>> = HashMap::new();
    let mut ids: HashMap<&str, (TopicId, i32)> = HashMap::new();
    let mut topics = Vec::with_capacity(group.topics.len());
    for topic in &group.topics {
        let id = TopicId::from_name(&topic.name);
        if let Some(other) = names.get(&id).filter(|other| **other != topic.name) {
            return Err(format!(
                "topics {other:?} and {:?} derive the same topic id {id}",
                topic.name
            ));
        }
        let partitions = u32::try_from(topic.partitions).map_err(|_| {
            format!(
                "topic {:?} has a negative partition count {}",
                topic.name, topic.partitions
            )
        })?;
        names.insert(id, Arc::clone(&topic.name));
        ids.insert(&topic.name, (id, topic.partitions));
        let mut description =
            TopicDescription::new(id, partitions).with_name(Arc::clone(&topic.name));
        description.replica_racks = topic.replica_racks.clone();
        topics.push(description);
    }
    let metadata = TopicMetadata::new(topics).map_err(|e| e.to_string())?;
    let mut spec = GroupSpec::new();
    for member in &group.members {
        let mut out = MemberSpec::new(member.id.clone());
        out.instance_id = member.instance_id.clone();
        out.rack = member.rack.clone();
        out.subscribed = member
            .topics
            .iter()
            .filter_map(|name| ids.get(&**name).map(|(id, _)| *id))
            .collect();
        out.target = member
            .owned
            .iter()
            .filter_map(|tp| {
                let (id, count) = ids.get(&*tp.topic)?;
                (0..*count)
                    .contains(&tp.partition)
                    .then(|| (*id, vec![tp.partition]))
            })
            .collect();
        spec.members.push(out);
    }
    Ok((spec, metadata, names))
}

/// Runs `kassign target`.
pub(crate) fn run(options: &Options, strict: bool) -> Result<(), Error> {
    let assignor: &dyn TargetAssignor = match options.assignor {
        ServerAssignor::Uniform => &UniformTargetAssignor,
        ServerAssignor::Range => &RangeTargetAssignor,
    };
    let input = Input::new(options.file.clone(), "the scenario");
    // A target ignores generations: notes about them would only mislead.
    let group = input.group_noting(strict, |note| {
        !matches!(
            note,
            Note::OwnedWithoutGeneration { .. } | Note::NegativeGeneration { .. }
        )
    })?;
    let (spec, metadata, names) = server_spec(&group).map_err(|e| input.fail(e))?;
    let target = assignor
        .assign(&spec, &metadata)
        .map_err(|e| input.fail(e))?;
    let assignment = Assignment::from_members(target.resolve(&spec).into_iter().map(|(id, a)| {
        let topics: Vec<(Arc<str>, Vec<i32>)> = a
            .topics()
            .map(|(t, ps)| (Arc::clone(&names[&t]), ps.to_vec()))
            .collect();
        (id, topics)
    }));
    let mut out = BufWriter::with_capacity(1 << 16, crate::output::stdout());
    let answer = Answer {
        strategy: assignor.name(),
        assignment: &assignment,
    };
    json_lines(&mut out, &answer, 2)?;
    out.flush()?;
    Ok(())
}

/// `assign`'s shape: `{"strategy": ..., "assignment": {...}}`.
#[derive(Serialize)]
struct Answer<'a> {
    strategy: &'a str,
    assignment: &'a Assignment,
}
