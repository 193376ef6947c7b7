//! `kassign generate`: synthetic groups for benchmarks and memory checks,
//! drawn and written by the test kit ([`Synthetic`]): the same options and
//! seed write the same bytes.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use kafka_assignors::MAX_PARTITIONS;
use kafka_assignors_testkit::synthetic::Synthetic;

use crate::error::Error;

/// Options of `kassign generate`.
#[derive(Debug, clap::Args)]
pub(crate) struct Options {
    #[command(flatten)]
    group: Synthetic,
    /// Where to write the group; standard output when absent.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// Writes the group the options describe.
pub(crate) fn run(options: &Options) -> Result<(), Error> {
    let group = &options.group;
    let total = u64::from(group.topics) * u64::from(group.partitions);
    if total > MAX_PARTITIONS {
        return Err(Error::Usage(format!(
            "{} topics of {} partitions make {total} partitions, more than the limit of {MAX_PARTITIONS}",
            group.topics, group.partitions
        )));
    }
    if group.partitions > i32::MAX as u32 {
        return Err(Error::Usage(format!(
            "{} partitions do not fit in i32",
            group.partitions
        )));
    }
    if group.members > 10_000_000 {
        return Err(Error::Usage(format!(
            "{} members is more than 10000000",
            group.members
        )));
    }
    let mut out = BufWriter::with_capacity(1 << 16, crate::output::open(options.output.as_ref())?);
    group.write(&mut out)?;
    out.flush()?;
    Ok(())
}
