//! `kassign`: run, compare and benchmark Kafka partition assignment
//! strategies on a consumer group written in the scenario JSON format.

mod bench;
mod compare;
mod generate;
mod input;
mod output;

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
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Assign a group with one strategy and print the assignment as JSON.
    Assign {
        /// range, roundrobin, sticky or cooperative-sticky.
        #[arg(long, short)]
        strategy: String,
        /// The group in the scenario format; `-` reads standard input.
        #[arg(default_value = "-")]
        file: String,
    },
    /// Run every strategy on a group and print loads and moves side by side.
    Compare {
        /// The group in the scenario format; `-` reads standard input.
        file: String,
    },
    /// Time one strategy on a group (parsing is not timed).
    Bench {
        /// range, roundrobin, sticky or cooperative-sticky.
        #[arg(long, short)]
        strategy: String,
        /// Timed runs, after one warm-up run.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        runs: u32,
        /// The group in the scenario format; `-` reads standard input.
        file: String,
    },
    /// Write a synthetic group in the scenario format, the same for the same seed.
    Generate(generate::Options),
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
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            // One line, whatever the message carried.
            let line = message.replace('\n', " ");
            let _ = writeln!(io::stderr(), "kassign: {line}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Assign { strategy, file } => {
            let strategy = parse_strategy(&strategy)?;
            let group = input::read_group(&file)?;
            let assignment = strategy
                .assign(&group)
                .map_err(|e| Failure(format!("{}: {e}", input::label(&file))))?;
            let stdout = io::stdout().lock();
            let mut out = io::BufWriter::with_capacity(1 << 16, stdout);
            output::write_assignment(&mut out, strategy.name(), &assignment)?;
            out.flush()?;
            Ok(())
        }
        Command::Compare { file } => {
            let group = input::read_group(&file)?;
            let report = compare::compare(&group)
                .map_err(|e| Failure(format!("{}: {e}", input::label(&file))))?;
            let mut out = io::stdout().lock();
            report.write(&mut out)?;
            out.flush()?;
            Ok(())
        }
        Command::Bench {
            strategy,
            runs,
            file,
        } => {
            let strategy = parse_strategy(&strategy)?;
            let group = input::read_group(&file)?;
            let result = bench::bench(strategy, &group, runs)
                .map_err(|e| Failure(format!("{}: {e}", input::label(&file))))?;
            let mut out = io::stdout().lock();
            writeln!(out, "{}", result.to_json())?;
            out.flush()?;
            Ok(())
        }
        Command::Generate(options) => generate::run(&options),
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
        None => Box::new(io::stdout().lock()),
    })
}
