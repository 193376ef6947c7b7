//! The output format, one member per line, and standard output itself.

use std::io::{self, Write};

use kafka_assignors::Assignment;
use kafka_assignors::protocol::HexBytes;

/// Writes `{"strategy": ..., "assignment": {...}}` with one member per line,
/// members in id order, topics in name order, partitions ascending; with
/// `sync`, then `"sync": {member: "hex"}`, the SyncGroup bytes.
pub(crate) fn write_assignment(
    out: &mut impl Write,
    strategy: &str,
    assignment: &Assignment,
    sync: Option<&[(String, Vec<u8>)]>,
) -> io::Result<()> {
    write!(out, "{{\"strategy\": ")?;
    write_string(out, strategy)?;
    write!(out, ", \"assignment\": {{")?;
    for (i, member) in assignment.members().enumerate() {
        out.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        write_string(out, member.id())?;
        out.write_all(b": {")?;
        for (t, (topic, partitions)) in member.topics().enumerate() {
            if t > 0 {
                out.write_all(b", ")?;
            }
            write_string(out, topic)?;
            out.write_all(b": [")?;
            for (p, partition) in partitions.iter().enumerate() {
                if p > 0 {
                    out.write_all(b", ")?;
                }
                write!(out, "{partition}")?;
            }
            out.write_all(b"]")?;
        }
        out.write_all(b"}")?;
    }
    if !assignment.is_empty() {
        out.write_all(b"\n")?;
    }
    out.write_all(b"}")?;
    if let Some(sync) = sync {
        out.write_all(b", \"sync\": {")?;
        for (i, (member, bytes)) in sync.iter().enumerate() {
            out.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
            write_string(out, member)?;
            out.write_all(b": ")?;
            write_string(out, &HexBytes(bytes.clone()).to_string())?;
        }
        if !sync.is_empty() {
            out.write_all(b"\n")?;
        }
        out.write_all(b"}")?;
    }
    out.write_all(b"}\n")
}

/// A JSON string literal, escaped.
fn write_string(out: &mut impl Write, value: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::from)
}

/// Standard output, for every subcommand: a reader that went away (`kassign
/// ... | head -1`) ends the process quietly with status 0.
///
/// Rust ignores SIGPIPE, so a write to a closed pipe returns BrokenPipe; as
/// an error it would print a line and exit 2, the bad-input status, for
/// input that was fine. Other tools die of SIGPIPE without a word; this is
/// the same silence, with status 0 because nothing went wrong: the reader
/// took what it wanted. Whatever is still buffered has nowhere to go.
pub(crate) fn stdout() -> Stdout {
    Stdout(io::stdout().lock())
}

/// See [`stdout`].
pub(crate) struct Stdout(io::StdoutLock<'static>);

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        quiet_when_closed(self.0.write(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        quiet_when_closed(self.0.flush())
    }
}

fn quiet_when_closed<T>(result: io::Result<T>) -> io::Result<T> {
    if let Err(error) = &result
        && error.kind() == io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
    result
}
