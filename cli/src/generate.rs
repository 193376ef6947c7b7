//! `kassign generate`: synthetic groups for benchmarks and memory checks,
//! drawn and written by the test kit ([`Synthetic`]): the same options and
//! seed write the same bytes.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use kafka_assignors::MAX_PARTITIONS;
use kafka_assignors_testkit::synthetic::{Subscription, Synthetic};

use crate::error::Error;

/// Options of `kassign generate`.
#[derive(Debug, Args)]
pub(crate) struct Options {
    /// Members in the group.
    #[arg(long, default_value_t = 10)]
    members: u32,
    /// Topics in the metadata.
    #[arg(long, default_value_t = 5)]
    topics: u32,
    /// Partitions of each topic.
    #[arg(long, default_value_t = 12)]
    partitions: u32,
    /// Which topics each member subscribes to.
    #[arg(long, value_enum, default_value_t = SubscriptionArg::All)]
    subscription: SubscriptionArg,
    /// Give the members a settled previous assignment: each topic's
    /// partitions dealt round-robin over its subscribers, with this
    /// generation.
    #[arg(long)]
    owned: bool,
    /// The generation of the owned partitions.
    #[arg(long, default_value_t = 1)]
    generation: i32,
    /// Spread members and partition replicas (three per partition) over this
    /// many racks; 0 for no rack information.
    #[arg(long, default_value_t = 0)]
    racks: u32,
    /// Seed of the generator.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Where to write the group; standard output when absent.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// Which topics each member subscribes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SubscriptionArg {
    /// Every member subscribes to every topic.
    All,
    /// Each member subscribes to each topic with probability one half (and
    /// to at least one topic).
    RandomHalf,
}

/// Writes the group the options describe.
pub(crate) fn run(options: &Options) -> Result<(), Error> {
    let total = u64::from(options.topics) * u64::from(options.partitions);
    if total > MAX_PARTITIONS {
        return Err(Error::Usage(format!(
            "{} topics of {} partitions make {total} partitions, more than the limit of {MAX_PARTITIONS}",
            options.topics, options.partitions
        )));
    }
    if options.partitions > i32::MAX as u32 {
        return Err(Error::Usage(format!(
            "{} partitions do not fit in i32",
            options.partitions
        )));
    }
    if options.members > 10_000_000 {
        return Err(Error::Usage(format!(
            "{} members is more than 10000000",
            options.members
        )));
    }
    let group = Synthetic {
        members: options.members,
        topics: options.topics,
        partitions: options.partitions,
        subscription: match options.subscription {
            SubscriptionArg::All => Subscription::All,
            SubscriptionArg::RandomHalf => Subscription::RandomHalf,
        },
        owned: options.owned,
        generation: options.generation,
        racks: options.racks,
        seed: options.seed,
    };
    let mut out = BufWriter::with_capacity(1 << 16, crate::output::open(options.output.as_ref())?);
    group.write(&mut out)?;
    out.flush()?;
    Ok(())
}
