//! `kassign`: run, compare and benchmark Kafka partition assignment
//! strategies on a consumer group written in the scenario JSON format.

mod assign;
mod bench;
mod compare;
mod error;
mod generate;
mod input;
mod output;
mod simulate;
mod target;
mod wire;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};

use crate::error::Error;

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
    #[command(long_about = assign::LONG_ABOUT)]
    Assign(assign::Options),
    /// Print consumer-protocol bytes as JSON.
    #[command(long_about = wire::DECODE_ABOUT)]
    Decode(wire::DecodeOptions),
    /// Write consumer-protocol bytes, as hex, from the JSON decode prints.
    #[command(long_about = wire::ENCODE_ABOUT)]
    Encode(wire::EncodeOptions),
    /// Run every strategy on a group and print loads and moves side by side.
    Compare(compare::Options),
    /// Time one strategy on a group (parsing is not timed).
    Bench(bench::Options),
    /// Write a synthetic group in the scenario format, the same for the same seed.
    Generate(generate::Options),
    /// Replay a timeline of group events under each strategy: rounds,
    /// revocations, moves, stops, balance, duplicate and loss exposure.
    #[command(long_about = simulate::LONG_ABOUT)]
    Simulate(simulate::Options),
    /// The KIP-848 server-side target assignment (uniform or range).
    Target(target::Options),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // A value its parser refused (an unknown strategy, zero runs): one
        // line, as every other bad input.
        Err(error) if error.kind() == ErrorKind::ValueValidation => {
            let text = error.render().to_string();
            let line = text.lines().next().unwrap_or_default();
            return fail(line.strip_prefix("error: ").unwrap_or(line));
        }
        Err(error) => error.exit(),
    };
    match run(cli.command, cli.strict) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error.to_string()),
    }
}

fn run(command: Command, strict: bool) -> Result<(), Error> {
    match command {
        Command::Assign(options) => assign::run(options, strict),
        Command::Decode(options) => wire::decode(options),
        Command::Encode(options) => wire::encode(options),
        Command::Compare(options) => compare::run(options, strict),
        Command::Bench(options) => bench::run(options, strict),
        Command::Generate(options) => generate::run(&options),
        Command::Simulate(options) => simulate::run(options),
        Command::Target(options) => target::run(&options, strict),
    }
}

/// One line on standard error, whatever the message carried; status 2.
fn fail(message: &str) -> ExitCode {
    let _ = writeln!(io::stderr(), "kassign: {}", message.replace('\n', " "));
    ExitCode::from(2)
}
