//! Standard output, files to write, and JSON a person can read.

use std::io::{self, Write};
use std::path::PathBuf;

use serde::Serialize;

use crate::error::Error;

/// `value` as JSON with the keys of the objects at `depth` (1: the top
/// level) one a line and `", "`, `": "` elsewhere, so a decoded payload or
/// an assignment reads like the scenario format; then a newline.
pub(crate) fn json_lines<T: Serialize>(
    mut out: impl Write,
    value: &T,
    depth: usize,
) -> io::Result<()> {
    let lines = Lines {
        depth: 0,
        at: depth,
        keys: false,
    };
    let mut ser = serde_json::Serializer::with_formatter(&mut out, lines);
    value.serialize(&mut ser).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

struct Lines {
    depth: usize,
    /// The depth whose keys go on lines of their own.
    at: usize,
    /// Whether the object open at that depth has a key yet.
    keys: bool,
}

impl serde_json::ser::Formatter for Lines {
    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth += 1;
        if self.depth == self.at {
            self.keys = false;
        }
        writer.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth -= 1;
        if self.depth + 1 == self.at && self.keys {
            writer.write_all(b"\n}")
        } else {
            writer.write_all(b"}")
        }
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if self.depth == self.at {
            self.keys = true;
            return writer.write_all(if first { b"\n  " } else { b",\n  " });
        }
        writer.write_all(if first { b"" } else { b", " })
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        writer.write_all(if first { b"" } else { b", " })
    }
}

/// Writes the answer with `write` to standard output ([`stdout`]), through
/// a buffer, then flushes it.
pub(crate) fn print(
    write: impl FnOnce(&mut io::BufWriter<Stdout>) -> io::Result<()>,
) -> Result<(), Error> {
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout());
    write(&mut out)?;
    out.flush()?;
    Ok(())
}

/// Where a generated group goes: a file, or standard output.
pub(crate) fn open(path: Option<&PathBuf>) -> Result<Box<dyn Write>, Error> {
    Ok(match path {
        Some(path) => Box::new(std::fs::File::create(path).map_err(|error| Error::File {
            action: "create",
            path: path.clone(),
            error,
        })?),
        None => Box::new(stdout()),
    })
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
