//! Running the built `kassign` binary, shared by the CLI's test files.

// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary under test.
pub(crate) const KASSIGN: &str = env!("CARGO_BIN_EXE_kassign");

/// A path from the repository's root.
pub(crate) fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// `kassign ARGS`, its output collected.
pub(crate) fn run(args: &[&str]) -> Output {
    Command::new(KASSIGN).args(args).output().unwrap()
}

/// `kassign ARGS` with `input` on standard input.
pub(crate) fn run_with_stdin(args: &[&str], input: impl AsRef<[u8]>) -> Output {
    let mut child = Command::new(KASSIGN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // kassign may refuse its arguments or input and exit before it reads
    // all of it; the broken pipe that leaves is not the test's concern.
    if let Err(error) = child.stdin.take().unwrap().write_all(input.as_ref()) {
        assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "{error}");
    }
    child.wait_with_output().unwrap()
}
