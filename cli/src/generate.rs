//! `kassign generate`: synthetic groups for benchmarks and memory checks,
//! drawn and written by the test kit ([`Synthetic`]): the same options and
//! seed write the same bytes.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

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
    group.check().map_err(Error::Usage)?;
    let mut out = BufWriter::with_capacity(1 << 16, crate::output::open(options.output.as_ref())?);
    group.write(&mut out)?;
    out.flush()?;
    Ok(())
}
