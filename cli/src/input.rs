//! Reading a group: streamed from the file into the model, with the JSON path
//! of the first problem in the error.

use std::fs::File;
use std::io::{self, BufReader, IsTerminal, Read, Write};

use kafka_assignors::Group;

use crate::Failure;

/// The one rule of every subcommand that reads its input: FILE, or standard
/// input when FILE is `-` or left out; `what` names the input in the hint.
///
/// Left out, with a terminal on standard input, a person is probably not
/// typing JSON but wondering why kassign hangs: one line on standard error
/// says what it waits for. An explicit `-` says the person knows.
pub(crate) fn source(file: Option<String>, what: &str) -> String {
    if let Some(file) = file {
        return file;
    }
    if io::stdin().is_terminal() {
        let _ = writeln!(
            io::stderr(),
            "kassign: reading {what} from standard input (pass a FILE, or - to silence this)"
        );
    }
    "-".to_string()
}

/// How the input is named in messages.
pub(crate) fn label(file: &str) -> &str {
    if file == "-" { "<stdin>" } else { file }
}

/// Reads and parses a group from `file` (`-` for standard input).
///
/// The input is streamed through a small buffer rather than read whole, so a
/// 30 MB scenario costs the model's memory and not twice that.
pub(crate) fn read_group(file: &str) -> Result<Group, Failure> {
    let source: Box<dyn Read> = if file == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(file).map_err(|e| Failure(format!("cannot read {file}: {e}")))?)
    };
    let mut json = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, source));
    let group: Group = serde_path_to_error::deserialize(&mut json).map_err(|error| {
        let path = error.path().to_string();
        if path == "." || path == "?" {
            Failure(format!("{}: {}", label(file), error.inner()))
        } else {
            Failure(format!("{}: {path}: {}", label(file), error.inner()))
        }
    })?;
    json.end()
        .map_err(|e| Failure(format!("{}: {e}", label(file))))?;
    Ok(group)
}

/// The most notes printed for one group; the rest are counted.
const SHOWN_NOTES: usize = 20;

/// [`read_group`], then the group's notes ([`Group::notes`]): printed on
/// standard error, or with `strict` the first one as the error.
pub(crate) fn read_noted_group(file: &str, strict: bool) -> Result<Group, Failure> {
    let group = read_group(file)?;
    let notes = group.notes();
    if let Some(first) = notes.first()
        && strict
    {
        let more = match notes.len() - 1 {
            0 => String::new(),
            n => format!(" (and {n} more note(s))"),
        };
        return Err(Failure(format!("{}: {first}{more}", label(file))));
    }
    let mut err = io::stderr().lock();
    for note in notes.iter().take(SHOWN_NOTES) {
        let _ = writeln!(err, "kassign: note: {}: {note}", label(file));
    }
    if notes.len() > SHOWN_NOTES {
        let _ = writeln!(
            err,
            "kassign: note: {}: and {} more note(s)",
            label(file),
            notes.len() - SHOWN_NOTES
        );
    }
    Ok(group)
}
