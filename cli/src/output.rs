//! Standard output, and files to write.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::error::Error;

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
