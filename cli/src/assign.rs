//! `kassign assign`: one strategy on a scenario, or on a group as the leader
//! receives it (`--from-metadata`), printed one member per line.

use kafka_assignors::protocol::{HexBytes, JoinedMember, LeaderAssignment, SyncJson, lead};
use kafka_assignors::{Assignment, Assignor, Group, Strategy};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::error::Error;
use crate::input::{Input, parse};
use crate::output::{json_lines, print};

pub(crate) const LONG_ABOUT: &str = "\
Assign a group with one strategy and print the assignment as JSON.

With --from-metadata, the group is read as the leader receives it in the
JoinGroup response instead: `{\"topics\": {...scenario format...},
\"members\": [{\"id\": \"...\", \"instance_id\": null, \"metadata\": \"HEX\"}]}`,
each member's metadata an encoded Subscription. It is decoded and assigned
exactly as the protocol module's leader does, so a captured group can be
replayed.";

/// Options of `kassign assign`.
#[derive(Debug, clap::Args)]
pub(crate) struct Options {
    /// range, roundrobin, sticky or cooperative-sticky.
    #[arg(long, short)]
    strategy: Strategy,
    /// The group in the scenario format; `-` or none reads standard input.
    file: Option<String>,
    /// Read the group as JoinGroup metadata from this file (`-` for
    /// standard input) instead of the scenario format.
    #[arg(long, value_name = "FILE", conflicts_with = "file")]
    from_metadata: Option<String>,
    /// With --from-metadata: also print each member's SyncGroup assignment
    /// bytes, as hex under "sync".
    #[arg(long)]
    bytes: bool,
}

/// Runs `kassign assign`.
pub(crate) fn run(options: Options, strict: bool) -> Result<(), Error> {
    let strategy = options.strategy;
    let (assignment, sync) = if let Some(file) = options.from_metadata {
        let input = Input::new(Some(file), "the metadata");
        let led = lead_from(strategy, &input)?;
        (led.assignment, options.bytes.then_some(led.sync))
    } else {
        if options.bytes {
            return Err(Error::Usage(
                "--bytes needs --from-metadata: only the leader's replay has SyncGroup bytes"
                    .to_string(),
            ));
        }
        let input = Input::new(options.file, "the scenario");
        let group = input.group(strict)?;
        (strategy.assign(&group).map_err(|e| input.fail(e))?, None)
    };
    let answer = Answer {
        strategy: strategy.name(),
        assignment: &assignment,
        sync: sync.as_deref().map(SyncJson),
    };
    print(|out| json_lines(out, &answer, 2))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetadataFile {
    /// The scenario format's topics, parsed by the model's own reader.
    topics: Box<RawValue>,
    members: Vec<MetadataMember>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetadataMember {
    id: String,
    #[serde(default)]
    instance_id: Option<String>,
    /// The member's JoinGroup metadata for the chosen strategy, in hex.
    metadata: String,
}

/// The metadata file through the protocol module's leader.
fn lead_from(strategy: Strategy, input: &Input) -> Result<LeaderAssignment, Error> {
    let parsed: MetadataFile = input.json()?;
    // The topics go through the scenario reader so that both formats accept
    // and reject the same topics. The outer parse has checked the syntax, so
    // what fails here is a value, named by its path; the position would be
    // in the rebuilt text, not in the file, and is left out.
    let wrapped = format!("{{\"topics\": {}, \"members\": []}}", parsed.topics.get());
    let json = serde_json::Deserializer::from_str(&wrapped);
    let group: Group = parse(json, input).map_err(|e| match e {
        Error::Input { error, .. } => {
            let message = error.to_string();
            let cut = message.rfind(" at line ").unwrap_or(message.len());
            input.fail(message[..cut].to_string())
        }
        other => other,
    })?;
    let members = parsed
        .members
        .into_iter()
        .enumerate()
        .map(|(at, member)| {
            let bytes = member.metadata.parse::<HexBytes>().map_err(|e| {
                let id = &member.id;
                input.fail(format!(
                    "members[{at}].metadata: member {id:?} has bad metadata: {e}"
                ))
            })?;
            Ok(JoinedMember::new(member.id, member.instance_id, bytes.0))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    lead(strategy, &members, group.topics).map_err(|e| input.fail(e))
}

/// The answer: `{"strategy": ..., "assignment": {...}}`, one member a line
/// (members in id order, topics in name order, partitions ascending); with
/// `sync`, then `"sync": {member: "hex"}`, the SyncGroup bytes. `kassign
/// target` answers in the same shape.
#[derive(Serialize)]
pub(crate) struct Answer<'a> {
    pub(crate) strategy: &'a str,
    pub(crate) assignment: &'a Assignment,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sync: Option<SyncJson<'a>>,
}
