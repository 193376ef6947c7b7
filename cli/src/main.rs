//! `kassign`: run, compare and benchmark Kafka partition assignment
//! strategies on a consumer group written in the scenario JSON format.

mod bench;
mod compare;
mod generate;
mod hex;
mod input;
mod metadata;
mod output;
mod simulate;
mod target;
mod wire;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kafka_assignors::{Assignor, Strategy};

/// Run, compare and benchmark Kafka partition assignment strategies.
#[derive(Debug, Parser)]
#[command(name = "kassign", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Refuse a group with anything the rules accept but that is probably a
    /// mistake (a subscription to a topic the metadata lacks, an owned
    /// partition out of range, a negative generation, ...). Without it such
    /// notes are printed on standard error and the group is assigned.
    #[arg(long, global = true)]
    strict: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Assign a group with one strategy and print the assignment as JSON.
    ///
    /// With --from-metadata, the group is read as the leader receives it in
    /// the JoinGroup response instead: `{"topics": {...scenario format...},
    /// "members": [{"id": "...", "instance_id": null, "metadata": "HEX"}]}`,
    /// each member's metadata an encoded Subscription. It is decoded and
    /// assigned exactly as the protocol module's leader does, so a captured
    /// group can be replayed.
    Assign {
        /// range, roundrobin, sticky or cooperative-sticky.
        #[arg(long, short)]
        strategy: String,
        /// The group in the scenario format; `-` or none reads standard input.
        file: Option<String>,
        /// Read the group as JoinGroup metadata from this file (`-` for
        /// standard input) instead of the scenario format.
        #[arg(long, value_name = "FILE", conflicts_with = "file")]
        from_metadata: Option<String>,
        /// With --from-metadata: also print each member's SyncGroup
        /// assignment bytes, as hex under "sync".
        #[arg(long)]
        bytes: bool,
    },
    /// Print consumer-protocol bytes as JSON.
    ///
    /// Subscriptions print version, topics, owned partitions as
    /// {"topic": [partitions]}, generation (null when absent or negative),
    /// rack, user_data as hex and, with --strategy sticky or
    /// cooperative-sticky, user_data_decoded: the user data read as that
    /// strategy reads it (which strategy wrote it is not in the bytes, so it
    /// is never guessed). Assignments print version, assigned and user_data.
    /// User data prints its format as the Java client reads it: "none" (null;
    /// empty for sticky), "V0", "V1" (sticky), or "fallback" (unreadable:
    /// the Java client then assumes no history, generation -1; this is not
    /// an error, as it is not for the leader). Bytes after the fields, which
    /// the Java client ignores, print as "trailing" hex (beyond 1024 bytes, as
    /// {"first": HEX, "bytes": N}: the first 64 bytes and the length).
    ///
    /// Subscription or assignment bytes that cannot be read exit with status
    /// 2 and one line naming the byte offset and the problem.
    Decode {
        /// What the bytes are.
        kind: wire::Kind,
        /// The bytes; `-` or none reads standard input.
        file: Option<String>,
        /// The input is hex text (whitespace allowed) rather than raw bytes.
        #[arg(long)]
        hex: bool,
        /// The strategy the subscription was sent for; sticky and
        /// cooperative-sticky add user_data_decoded.
        #[arg(long, short)]
        strategy: Option<String>,
    },
    /// Write consumer-protocol bytes, as hex, from the JSON decode prints.
    ///
    /// The JSON is what `kassign decode` prints. A subscription needs topics
    /// and an assignment needs assigned; both need version unless --version
    /// is given. User data needs what its format needs (its version is its
    /// format). Other keys may be left out (empty or null); unknown keys are
    /// errors. --version overrides the JSON's "version"; above 3 writes 3, as
    /// the Java client does. A field the version lacks (owned before 1,
    /// generation before 2, rack before 3) is an error rather than dropped.
    /// A negative generation is written as -1. In a subscription, a
    /// user_data_decoded without user_data is encoded into it; with both,
    /// they must agree. For user data, --version names the format (0 = V0,
    /// 1 = V1) and must match it; bytes that would read back differently
    /// from the JSON are refused.
    Encode {
        /// What to write.
        kind: wire::Kind,
        /// The JSON; `-` or none reads standard input.
        file: Option<String>,
        /// The ConsumerProtocol version (or user-data format) to write;
        /// required for subscriptions and assignments whose JSON has no
        /// "version".
        #[arg(long)]
        version: Option<i16>,
    },
    /// Run every strategy on a group and print loads and moves side by side.
    Compare {
        /// The group in the scenario format; `-` or none reads standard input.
        file: Option<String>,
    },
    /// Time one strategy on a group (parsing is not timed).
    Bench {
        /// range, roundrobin, sticky or cooperative-sticky.
        #[arg(long, short)]
        strategy: String,
        /// Timed runs, after one warm-up run.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        runs: u32,
        /// Time the leader's whole path instead: each member's JoinGroup
        /// metadata is written from the scenario first (untimed), then
        /// `protocol::lead` is timed from those bytes to every member's
        /// SyncGroup bytes.
        #[arg(long)]
        leader: bool,
        /// The group in the scenario format; `-` or none reads standard input.
        file: Option<String>,
    },
    /// Write a synthetic group in the scenario format, the same for the same seed.
    Generate(generate::Options),
    /// Replay a timeline of group events under each strategy: rounds,
    /// revocations, moves, stops, balance, duplicate and loss exposure.
    #[command(long_about = simulate::LONG_ABOUT)]
    Simulate(simulate::Options),
    /// The KIP-848 server-side target assignment (uniform or range).
    Target(target::Options),
}

/// What went wrong, as one line for standard error.
#[derive(Debug)]
pub(crate) struct Failure(pub(crate) String);

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Failure(format!("cannot write the output: {error}"))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command, cli.strict) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            // One line, whatever the message carried.
            let line = message.replace('\n', " ");
            let _ = writeln!(io::stderr(), "kassign: {line}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command, strict: bool) -> Result<(), Failure> {
    match command {
        Command::Assign {
            strategy,
            from_metadata: Some(metadata),
            bytes,
            ..
        } => {
            let strategy = parse_strategy(&strategy)?;
            let led = metadata::lead_from_file(strategy, &metadata)?;
            let mut out = io::BufWriter::new(crate::output::stdout());
            let sync = bytes.then_some(led.sync.as_slice());
            output::write_assignment(&mut out, strategy.name(), &led.assignment, sync)?;
            out.flush()?;
            Ok(())
        }
        Command::Assign {
            strategy,
            file,
            bytes,
            ..
        } => {
            if bytes {
                return Err(Failure(
                    "--bytes needs --from-metadata: only the leader's replay has SyncGroup bytes"
                        .to_string(),
                ));
            }
            let strategy = parse_strategy(&strategy)?;
            let file = input::source(file, "the scenario");
            let group = input::read_noted_group(&file, strict)?;
            let assignment = strategy
                .assign(&group)
                .map_err(|e| Failure(format!("{}: {e}", input::label(&file))))?;
            let stdout = crate::output::stdout();
            let mut out = io::BufWriter::with_capacity(1 << 16, stdout);
            output::write_assignment(&mut out, strategy.name(), &assignment, None)?;
            out.flush()?;
            Ok(())
        }
        Command::Compare { file } => {
            let file = input::source(file, "the scenario");
            let group = input::read_noted_group(&file, strict)?;
            let report = compare::compare(&group)
                .map_err(|e| Failure(format!("{}: {e}", input::label(&file))))?;
            let mut out = crate::output::stdout();
            report.write(&mut out)?;
            out.flush()?;
            Ok(())
        }
        Command::Bench {
            strategy,
            runs,
            leader,
            file,
        } => {
            let strategy = parse_strategy(&strategy)?;
            let file = input::source(file, "the scenario");
            let group = input::read_noted_group(&file, strict)?;
            let result = if leader {
                bench::bench_leader(strategy, &group, runs)
            } else {
                bench::bench(strategy, &group, runs).map_err(|e| e.to_string())
            }
            .map_err(|e| Failure(format!("{}: {e}", input::label(&file))))?;
            let mut out = crate::output::stdout();
            writeln!(out, "{}", result.to_json())?;
            out.flush()?;
            Ok(())
        }
        Command::Generate(options) => generate::run(&options),
        Command::Simulate(options) => simulate::run(&options),
        Command::Target(options) => target::run(&options, strict),
        Command::Decode {
            kind,
            file,
            hex,
            strategy,
        } => {
            let strategy = strategy.as_deref().map(parse_strategy).transpose()?;
            if strategy.is_some() && kind != wire::Kind::Subscription {
                return Err(Failure(
                    "--strategy applies to subscriptions only".to_string(),
                ));
            }
            let what = if hex { "the hex text" } else { "the bytes" };
            let file = input::source(file, what);
            let bytes = wire::read_bytes(&file, hex)?;
            // Hex text read as raw bytes starts with ASCII digits: a version
            // or a count in the hundreds of millions. It fails, or decodes
            // into nonsense such as user data of generation 808464432.
            let hex_text = !hex && wire::looks_like_hex(&bytes);
            const PASS_HEX: &str = "the input looks like hex text: pass --hex";
            let json = wire::decode(kind, &bytes, strategy, &file).map_err(|Failure(m)| {
                if hex_text {
                    Failure(format!("{m} ({PASS_HEX})"))
                } else {
                    Failure(m)
                }
            })?;
            if hex_text {
                let _ = writeln!(
                    io::stderr(),
                    "kassign: warning: {}: {PASS_HEX} to read it as hex",
                    input::label(&file)
                );
            }
            let mut out = crate::output::stdout();
            out.write_all(json.as_bytes())?;
            out.flush()?;
            Ok(())
        }
        Command::Encode {
            kind,
            file,
            version,
        } => {
            let file = input::source(file, "the JSON");
            let json = wire::read_bytes(&file, false)?;
            let hex = wire::encode(kind, &json, version, &file)?;
            let mut out = crate::output::stdout();
            writeln!(out, "{hex}")?;
            out.flush()?;
            Ok(())
        }
    }
}

fn parse_strategy(name: &str) -> Result<Strategy, Failure> {
    name.parse::<Strategy>().map_err(|e| Failure(e.to_string()))
}

/// Where a generated group goes: a file, or standard output.
pub(crate) fn open_output(path: Option<&PathBuf>) -> Result<Box<dyn Write>, Failure> {
    Ok(match path {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| Failure(format!("cannot create {}: {e}", path.display())))?,
        ),
        None => Box::new(crate::output::stdout()),
    })
}
