//! `assign --from-metadata`: a group as the leader receives it in the
//! JoinGroup response, replayed through the protocol module's leader.

use kafka_assignors::protocol::{HexBytes, JoinedMember, LeaderAssignment, lead};
use kafka_assignors::{Group, Strategy};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::Failure;
use crate::input::label;
use crate::wire::parse;

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

/// Reads the metadata file and runs the leader over it.
pub(crate) fn lead_from_file(strategy: Strategy, file: &str) -> Result<LeaderAssignment, Failure> {
    let json = read(file)?;
    let parsed: MetadataFile = parse(&json, file)?;
    // The topics go through the scenario reader so that both formats accept
    // and reject the same topics. The outer parse has checked the syntax, so
    // what fails here is a value, named by its path; the position would be
    // in the rebuilt text, not in the file, and is left out.
    let wrapped = format!("{{\"topics\": {}, \"members\": []}}", parsed.topics.get());
    let group: Group = parse(wrapped.as_bytes(), file).map_err(|Failure(message)| {
        let cut = message.rfind(" at line ").unwrap_or(message.len());
        Failure(message[..cut].to_string())
    })?;
    let members = parsed
        .members
        .into_iter()
        .enumerate()
        .map(|(at, member)| {
            let bytes = member.metadata.parse::<HexBytes>().map_err(|e| {
                Failure(format!(
                    "{}: members[{at}].metadata: member {:?} has bad metadata: {e}",
                    label(file),
                    member.id
                ))
            })?;
            Ok(JoinedMember::new(member.id, member.instance_id, bytes.0))
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    lead(strategy, &members, group.topics).map_err(|e| Failure(format!("{}: {e}", label(file))))
}

fn read(file: &str) -> Result<Vec<u8>, Failure> {
    if file == "-" {
        let mut json = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut json)
            .map_err(|e| Failure(format!("cannot read {}: {e}", label(file))))?;
        Ok(json)
    } else {
        std::fs::read(file).map_err(|e| Failure(format!("cannot read {file}: {e}")))
    }
}
