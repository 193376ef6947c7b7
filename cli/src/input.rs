//! Reading input, one rule for every subcommand: FILE, or standard input
//! when FILE is `-` or left out.

use std::fs::File;
use std::io::{self, BufReader, IsTerminal, Read, Write};

use kafka_assignors::{Group, Note};
use serde::Deserialize;

use crate::error::{AtPath, Cause, Error};

/// The most notes printed for one group; the rest are counted.
const SHOWN_NOTES: usize = 20;

/// Where a subcommand reads from.
pub(crate) struct Input {
    file: String,
}

impl Input {
    /// FILE, or `-`. Left out, with a terminal on standard input, a person is
    /// probably not typing JSON but wondering why kassign hangs: one line on
    /// standard error says what it waits for (`what`). An explicit `-` says
    /// the person knows.
    pub(crate) fn new(file: Option<String>, what: &str) -> Input {
        let file = file.unwrap_or_else(|| {
            if io::stdin().is_terminal() {
                let _ = writeln!(
                    io::stderr(),
                    "kassign: reading {what} from standard input (pass a FILE, or - to silence this)"
                );
            }
            "-".to_string()
        });
        Input { file }
    }

    /// How the input is named in messages.
    pub(crate) fn label(&self) -> &str {
        if self.file == "-" {
            "<stdin>"
        } else {
            &self.file
        }
    }

    /// `error`, named by this input.
    pub(crate) fn fail(&self, error: impl Into<Cause>) -> Error {
        Error::Input {
            from: self.label().to_string(),
            error: error.into(),
        }
    }

    fn open(&self) -> Result<Box<dyn Read>, Error> {
        if self.file == "-" {
            return Ok(Box::new(io::stdin().lock()));
        }
        let file = File::open(&self.file).map_err(|e| self.unreadable(e))?;
        Ok(Box::new(file))
    }

    fn unreadable(&self, error: io::Error) -> Error {
        Error::Read {
            from: self.label().to_string(),
            error,
        }
    }

    /// The whole input.
    pub(crate) fn bytes(&self) -> Result<Vec<u8>, Error> {
        let mut bytes = Vec::new();
        self.open()?
            .read_to_end(&mut bytes)
            .map_err(|e| self.unreadable(e))?;
        Ok(bytes)
    }

    /// The whole input as one JSON document; the first problem is named by
    /// its JSON path.
    pub(crate) fn json<T: for<'de> Deserialize<'de>>(&self) -> Result<T, Error> {
        parse(serde_json::Deserializer::from_slice(&self.bytes()?), self)
    }

    /// The input as a scenario, then its notes ([`Group::notes`]): printed
    /// on standard error, or with `strict` the first one as the error. The
    /// scenario is streamed through a small buffer rather than read whole,
    /// so a 30 MB one costs the model's memory and not twice that.
    pub(crate) fn group(&self, strict: bool) -> Result<Group, Error> {
        self.group_noting(strict, |_| true)
    }

    /// [`group`](Self::group), with only the notes `keep` accepts.
    pub(crate) fn group_noting(
        &self,
        strict: bool,
        keep: impl Fn(&Note) -> bool,
    ) -> Result<Group, Error> {
        let reader = BufReader::with_capacity(1 << 16, self.open()?);
        let group: Group = parse(serde_json::Deserializer::from_reader(reader), self)?;
        let notes: Vec<Note> = group.notes().into_iter().filter(|n| keep(n)).collect();
        if let Some(first) = notes.first()
            && strict
        {
            let more = match notes.len() - 1 {
                0 => String::new(),
                n => format!(" (and {n} more note(s))"),
            };
            return Err(self.fail(format!("{first}{more}")));
        }
        let mut err = io::stderr().lock();
        for note in notes.iter().take(SHOWN_NOTES) {
            let _ = writeln!(err, "kassign: note: {}: {note}", self.label());
        }
        if notes.len() > SHOWN_NOTES {
            let more = notes.len() - SHOWN_NOTES;
            let _ = writeln!(
                err,
                "kassign: note: {}: and {more} more note(s)",
                self.label()
            );
        }
        Ok(group)
    }
}

/// One JSON document from `json`, all of it; a value that does not fit is
/// named by its path.
pub(crate) fn parse<'de, R, T>(
    mut json: serde_json::Deserializer<R>,
    input: &Input,
) -> Result<T, Error>
where
    R: serde_json::de::Read<'de>,
    T: Deserialize<'de>,
{
    let value: T = serde_path_to_error::deserialize(&mut json).map_err(|error| {
        let path = error.path().to_string();
        let error = error.into_inner();
        if path == "." || path == "?" {
            input.fail(error)
        } else {
            input.fail(AtPath { path, error })
        }
    })?;
    json.end().map_err(|e| input.fail(e))?;
    Ok(value)
}
