//! `kassign generate`: synthetic groups for benchmarks and memory checks.
//!
//! Deterministic: the same options and seed write the same bytes, on any
//! machine, so a benchmark figure can name the exact group it ran on.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use kafka_assignors::MAX_PARTITIONS;
use kafka_assignors_testkit::rng::SplitMix64;

use crate::Failure;

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
    #[arg(long, value_enum, default_value_t = Subscription::All)]
    subscription: Subscription,
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
enum Subscription {
    /// Every member subscribes to every topic.
    All,
    /// Each member subscribes to each topic with probability one half (and
    /// to at least one topic).
    RandomHalf,
}

fn digits(count: u32) -> usize {
    count.saturating_sub(1).max(1).to_string().len()
}

/// Writes the group the options describe.
pub(crate) fn run(options: &Options) -> Result<(), Failure> {
    let total = u64::from(options.topics) * u64::from(options.partitions);
    if total > MAX_PARTITIONS {
        return Err(Failure(format!(
            "{} topics of {} partitions make {total} partitions, more than the limit of {MAX_PARTITIONS}",
            options.topics, options.partitions
        )));
    }
    if options.partitions > i32::MAX as u32 {
        return Err(Failure(format!(
            "{} partitions do not fit in i32",
            options.partitions
        )));
    }
    if options.members > 10_000_000 {
        return Err(Failure(format!(
            "{} members is more than 10000000",
            options.members
        )));
    }
    let mut rng = SplitMix64::new(options.seed);
    let members = options.members as usize;
    let topics = options.topics as usize;

    let topic_names: Vec<String> = (0..topics)
        .map(|t| format!("topic-{t:0width$}", width = digits(options.topics)))
        .collect();
    // A random suffix, so member-id order is not creation order.
    let member_ids: Vec<String> = (0..members)
        .map(|m| {
            format!(
                "consumer-{m:0width$}-{:08x}",
                rng.next_u64() as u32,
                width = digits(options.members)
            )
        })
        .collect();

    // Subscriptions as flat rows: member m's topics are subs[starts[m]..starts[m + 1]].
    let mut starts = Vec::with_capacity(members + 1);
    let mut subs: Vec<u32> = Vec::new();
    starts.push(0);
    for _ in 0..members {
        let before = subs.len();
        match options.subscription {
            Subscription::All => subs.extend(0..options.topics),
            Subscription::RandomHalf => {
                subs.extend((0..options.topics).filter(|_| rng.next_u64() & 1 == 1));
                if subs.len() == before && topics > 0 {
                    subs.push(rng.below(topics) as u32);
                }
            }
        }
        starts.push(subs.len());
    }

    // Owned partitions: each topic's partitions dealt round-robin over its
    // subscribers, starting one further along for each topic, then gathered
    // per member (counting sort, so no list per member).
    let mut owned_starts = vec![0usize; members + 1];
    let mut owned: Vec<(u32, u32)> = Vec::new();
    if options.owned {
        let mut subscribers: Vec<Vec<u32>> = vec![Vec::new(); topics];
        for m in 0..members {
            for &t in &subs[starts[m]..starts[m + 1]] {
                subscribers[t as usize].push(m as u32);
            }
        }
        let mut owner_of = Vec::with_capacity(total as usize);
        for (t, takers) in subscribers.iter().enumerate() {
            for p in 0..options.partitions as usize {
                owner_of.push(if takers.is_empty() {
                    u32::MAX
                } else {
                    takers[(p + t) % takers.len()]
                });
            }
        }
        for &m in &owner_of {
            if m != u32::MAX {
                owned_starts[m as usize + 1] += 1;
            }
        }
        for m in 0..members {
            owned_starts[m + 1] += owned_starts[m];
        }
        let mut cursor = owned_starts.clone();
        owned = vec![(0, 0); owned_starts[members]];
        for (slot, &m) in owner_of.iter().enumerate() {
            if m != u32::MAX {
                let partitions = options.partitions as usize;
                owned[cursor[m as usize]] =
                    ((slot / partitions) as u32, (slot % partitions) as u32);
                cursor[m as usize] += 1;
            }
        }
    }

    let mut out = BufWriter::with_capacity(1 << 16, crate::open_output(options.output.as_ref())?);
    writeln!(out, "{{\n \"topics\": {{")?;
    for (t, name) in topic_names.iter().enumerate() {
        let comma = if t + 1 < topics { "," } else { "" };
        if options.racks == 0 {
            writeln!(out, "  \"{name}\": {}{comma}", options.partitions)?;
        } else {
            write!(
                out,
                "  \"{name}\": {{\"partitions\": {}, \"racks\": [",
                options.partitions
            )?;
            let replicas = options.racks.min(3);
            for p in 0..options.partitions {
                if p > 0 {
                    write!(out, ", ")?;
                }
                write!(out, "[")?;
                for r in 0..replicas {
                    if r > 0 {
                        write!(out, ", ")?;
                    }
                    let rack = (t as u32 + p + r) % options.racks;
                    write!(out, "\"rack-{rack}\"")?;
                }
                write!(out, "]")?;
            }
            writeln!(out, "]}}{comma}")?;
        }
    }
    writeln!(out, " }},\n \"members\": [")?;
    for (m, id) in member_ids.iter().enumerate() {
        write!(out, "  {{\"id\": \"{id}\"")?;
        if options.racks > 0 {
            write!(out, ", \"rack\": \"rack-{}\"", m as u32 % options.racks)?;
        }
        write!(out, ", \"topics\": [")?;
        for (i, &t) in subs[starts[m]..starts[m + 1]].iter().enumerate() {
            let sep = if i > 0 { ", " } else { "" };
            write!(out, "{sep}\"{}\"", topic_names[t as usize])?;
        }
        write!(out, "]")?;
        let mine = &owned[owned_starts[m]..owned_starts[m + 1]];
        if options.owned {
            write!(out, ", \"owned\": {{")?;
            for (i, run) in mine.chunk_by(|a, b| a.0 == b.0).enumerate() {
                let sep = if i > 0 { ", " } else { "" };
                write!(out, "{sep}\"{}\": [", topic_names[run[0].0 as usize])?;
                for (j, &(_, p)) in run.iter().enumerate() {
                    let sep = if j > 0 { ", " } else { "" };
                    write!(out, "{sep}{p}")?;
                }
                write!(out, "]")?;
            }
            write!(out, "}}, \"generation\": {}", options.generation)?;
        }
        let comma = if m + 1 < members { "," } else { "" };
        writeln!(out, "}}{comma}")?;
    }
    writeln!(out, " ]\n}}")?;
    out.flush()?;
    Ok(())
}
