//! What can go wrong, as one line for standard error.

use std::io;
use std::path::PathBuf;

/// A boxed error from the library or the JSON reader.
pub(crate) type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Why kassign stops (exit status 2).
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// A file, or standard input, that cannot be read.
    #[error("cannot read {from}: {error}")]
    Read { from: String, error: io::Error },
    /// A file that cannot be created or written.
    #[error("cannot {action} {}: {error}", path.display())]
    File {
        action: &'static str,
        path: PathBuf,
        error: io::Error,
    },
    /// Standard output that cannot be written.
    #[error("cannot write the output: {0}")]
    Output(#[from] io::Error),
    /// Input that reads but is wrong (JSON, a group, a timeline, bytes),
    /// named by where it came from.
    #[error("{from}: {error}")]
    Input { from: String, error: Cause },
    /// Arguments that do not go together.
    #[error("{0}")]
    Usage(String),
}

/// A JSON value that does not fit, named by its path in the document.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {error}")]
pub(crate) struct AtPath {
    pub(crate) path: String,
    pub(crate) error: serde_json::Error,
}
