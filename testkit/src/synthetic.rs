//! `kassign generate`'s synthetic groups, written in the scenario format:
//! the same bytes for the same options and seed, on any machine, so a
//! benchmark figure can name the exact group it ran on.
//!
//! Streamed: the group is never a [`kafka_assignors::Group`], so a million
//! partitions cost a few flat arrays, not a model.

use std::io::{self, Write};

use crate::rng::SplitMix64;

/// Which topics each member subscribes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Subscription {
    /// Every member subscribes to every topic.
    All,
    /// Each member subscribes to each topic with probability one half (and
    /// to at least one topic).
    RandomHalf,
}

/// A synthetic group: sizes, subscriptions, history, racks and seed. With
/// the `clap` feature, these are `kassign generate`'s options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct Synthetic {
    /// Members in the group.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 10))]
    pub members: u32,
    /// Topics in the metadata.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 5))]
    pub topics: u32,
    /// Partitions of each topic.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 12))]
    pub partitions: u32,
    /// Which topics each member subscribes to.
    #[cfg_attr(feature = "clap", arg(long, value_enum, default_value_t = Subscription::All))]
    pub subscription: Subscription,
    /// Give the members a settled previous assignment: each topic's
    /// partitions dealt round-robin over its subscribers, with this
    /// generation.
    #[cfg_attr(feature = "clap", arg(long))]
    pub owned: bool,
    /// The generation of the owned partitions.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 1))]
    pub generation: i32,
    /// Spread members and partition replicas (three per partition) over this
    /// many racks; 0 for no rack information.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 0))]
    pub racks: u32,
    /// Seed of the generator.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 0))]
    pub seed: u64,
}

fn digits(count: u32) -> usize {
    count.saturating_sub(1).max(1).to_string().len()
}

/// The most members [`Synthetic::check`] allows.
pub const MAX_MEMBERS: u32 = 10_000_000;

impl Synthetic {
    /// Whether the group is one the model accepts: at most
    /// [`MAX_PARTITIONS`](kafka_assignors::MAX_PARTITIONS) partitions in
    /// all, a partition count per topic that fits `i32`, and at most
    /// [`MAX_MEMBERS`] members.
    ///
    /// # Errors
    ///
    /// A line naming the size that is too large.
    pub fn check(&self) -> Result<(), String> {
        let max = kafka_assignors::MAX_PARTITIONS;
        let total = u64::from(self.topics) * u64::from(self.partitions);
        if total > max {
            return Err(format!(
                "{} topics of {} partitions make {total} partitions, more than the limit of {max}",
                self.topics, self.partitions
            ));
        }
        if self.partitions > i32::MAX as u32 {
            return Err(format!("{} partitions do not fit in i32", self.partitions));
        }
        if self.members > MAX_MEMBERS {
            return Err(format!(
                "{} members is more than {MAX_MEMBERS}",
                self.members
            ));
        }
        Ok(())
    }

    /// Writes the group as scenario JSON, one topic and one member a line.
    ///
    /// # Errors
    ///
    /// What writing to `out` gives.
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let options = self;
        let total = u64::from(options.topics) * u64::from(options.partitions);
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
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sized(members: u32, topics: u32, partitions: u32) -> Synthetic {
        Synthetic {
            members,
            topics,
            partitions,
            subscription: Subscription::All,
            owned: false,
            generation: 1,
            racks: 0,
            seed: 0,
        }
    }

    #[test]
    fn check_refuses_only_groups_beyond_the_models_limits() {
        let max = kafka_assignors::MAX_PARTITIONS;
        assert_eq!(sized(10, 5, 12).check(), Ok(()));
        assert_eq!(sized(MAX_MEMBERS, 1, 1).check(), Ok(()));
        let at_limit = u32::try_from(max).unwrap();
        assert_eq!(sized(1, 1, at_limit).check(), Ok(()));
        let over = sized(1, 2, at_limit).check().unwrap_err();
        assert!(over.contains(&format!("{} partitions", 2 * max)), "{over}");
        let wide = sized(1, 0, u32::MAX).check().unwrap_err();
        assert!(wide.contains("do not fit in i32"), "{wide}");
        let crowd = sized(MAX_MEMBERS + 1, 1, 1).check().unwrap_err();
        assert!(crowd.contains("10000001 members"), "{crowd}");
    }
}
