//! `kassign target`: the KIP-848 server-side target assignment of a
//! scenario, as the broker's group coordinator computes it.
//!
//! The scenario is read as for `assign` and put in the coordinator's terms
//! by `GroupSpec::from_group` (topic ids from names, a member's `owned` its
//! current target, `generation` ignored, what the metadata lacks left out
//! and noted; `--strict` refuses it). The answer is printed in `assign`'s
//! JSON shape: every member's whole new target, changed or not.

use kafka_assignors::Note;
use kafka_assignors::server::GroupSpec;
use kafka_assignors::simulate::ConsumerAssignor;

use crate::assign::Answer;
use crate::error::Error;
use crate::input::Input;
use crate::output::{json_lines, print};

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
    assignor: ConsumerAssignor,
    /// The group in the scenario format; `-` or none reads standard input.
    file: Option<String>,
}

/// `--assignor`'s value parser: the server-side assignors by the names a
/// client gives in `group.remote.assignor`.
fn server_assignor(name: &str) -> Result<ConsumerAssignor, String> {
    let by_name = |a: &ConsumerAssignor| a.target_assignor().name() == name;
    ConsumerAssignor::ALL
        .into_iter()
        .find(by_name)
        .ok_or_else(|| {
            format!(
                "unknown server assignor {name:?}: the server-side assignors are uniform and range"
            )
        })
}

/// Runs `kassign target`.
pub(crate) fn run(options: &Options, strict: bool) -> Result<(), Error> {
    let assignor = options.assignor.target_assignor();
    let input = Input::new(options.file.clone(), "the scenario");
    // A target ignores generations: notes about them would only mislead.
    let group = input.group_noting(strict, |note| {
        !matches!(
            note,
            Note::OwnedWithoutGeneration { .. } | Note::NegativeGeneration { .. }
        )
    })?;
    let (spec, metadata) = GroupSpec::from_group(&group).map_err(|e| input.fail(e))?;
    let target = assignor
        .assign(&spec, &metadata)
        .map_err(|e| input.fail(e))?;
    let assignment = target.to_assignment(&spec, &metadata);
    // `assign`'s shape: `{"strategy": ..., "assignment": {...}}`.
    let answer = Answer {
        strategy: assignor.name(),
        assignment: &assignment,
        sync: None,
    };
    print(|out| json_lines(out, &answer, 2))
}
