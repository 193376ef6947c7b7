//! `decode` and `encode`: consumer-protocol bytes as JSON, and back, in the
//! library's JSON forms (`kafka_assignors::protocol::SubscriptionJson`, ...).

use std::fmt;
use std::io::{self, Read, Write};

use kafka_assignors::Strategy;
use kafka_assignors::protocol::{
    AssignmentJson, CooperativeUserDataJson, HexBytes, JsonFormError, JsonFormErrorKind,
    StickyUserDataJson, SubscriptionJson,
};
use serde::{Deserialize, Serialize};

use crate::Failure;
use crate::input::label;

/// What the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Kind {
    /// JoinGroup metadata: a ConsumerProtocol Subscription.
    Subscription,
    /// A SyncGroup payload: a ConsumerProtocol Assignment.
    Assignment,
    /// The `sticky` strategy's user data (V0 or V1).
    StickyUserData,
    /// The `cooperative-sticky` strategy's user data (a generation).
    CooperativeUserData,
}

/// Reads the whole input: raw bytes, or hex text with `hex`.
pub(crate) fn read_bytes(file: &str, hex: bool) -> Result<Vec<u8>, Failure> {
    let raw = read_all(file)?;
    if !hex {
        return Ok(raw);
    }
    let text = std::str::from_utf8(&raw).map_err(|e| {
        Failure(format!(
            "{}: hex input is not text: invalid utf-8 at offset {}",
            label(file),
            e.valid_up_to()
        ))
    })?;
    text.parse::<HexBytes>()
        .map(|h| h.0)
        .map_err(|e| Failure(format!("{}: {e}", label(file))))
}

/// Whether raw input is hex text: only hex digits and whitespace, and at
/// least one digit.
pub(crate) fn looks_like_hex(raw: &[u8]) -> bool {
    raw.iter().any(u8::is_ascii_hexdigit)
        && raw
            .iter()
            .all(|b| b.is_ascii_hexdigit() || b.is_ascii_whitespace())
}

fn read_all(file: &str) -> Result<Vec<u8>, Failure> {
    let mut raw = Vec::new();
    let result = if file == "-" {
        io::stdin().lock().read_to_end(&mut raw)
    } else {
        std::fs::File::open(file).and_then(|mut f| f.read_to_end(&mut raw))
    };
    result.map_err(|e| Failure(format!("cannot read {}: {e}", label(file))))?;
    Ok(raw)
}

/// `kassign decode`.
pub(crate) fn decode(
    kind: Kind,
    bytes: &[u8],
    strategy: Option<Strategy>,
    source: &str,
) -> Result<String, Failure> {
    let fail =
        |e: &dyn fmt::Display| Failure(format!("{}: {}: {e}", label(source), kind_name(kind)));
    match kind {
        Kind::Subscription => {
            to_json(&SubscriptionJson::decode(bytes, strategy).map_err(|e| fail(&e))?)
        }
        Kind::Assignment => to_json(&AssignmentJson::decode(bytes).map_err(|e| fail(&e))?),
        Kind::StickyUserData => to_json(&StickyUserDataJson::decode(Some(bytes))),
        Kind::CooperativeUserData => to_json(&CooperativeUserDataJson::decode(Some(bytes))),
    }
}

/// `kassign encode`: the bytes, as lowercase hex.
pub(crate) fn encode(
    kind: Kind,
    json: &[u8],
    version: Option<i16>,
    source: &str,
) -> Result<String, Failure> {
    let fail = |e: JsonFormError| {
        // The library names the version; here it is the --version flag.
        let message = match e.kind() {
            JsonFormErrorKind::MissingVersion => {
                "no version: pass --version or give \"version\" in the json".to_string()
            }
            JsonFormErrorKind::FormatVersion => format!("--{e}"),
            _ => e.to_string(),
        };
        Failure(format!("{}: {}: {message}", label(source), kind_name(kind)))
    };
    let bytes = match kind {
        Kind::Subscription => parse::<SubscriptionJson>(json, source)?.encode(version),
        Kind::Assignment => parse::<AssignmentJson>(json, source)?.encode(version),
        Kind::StickyUserData => parse::<StickyUserDataJson>(json, source)?.encode(version),
        Kind::CooperativeUserData => {
            parse::<CooperativeUserDataJson>(json, source)?.encode(version)
        }
    }
    .map_err(fail)?;
    Ok(HexBytes(bytes).to_string())
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Subscription => "subscription",
        Kind::Assignment => "assignment",
        Kind::StickyUserData => "sticky user data",
        Kind::CooperativeUserData => "cooperative user data",
    }
}

pub(crate) fn parse<T: for<'de> Deserialize<'de>>(json: &[u8], source: &str) -> Result<T, Failure> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|error| {
        let path = error.path().to_string();
        if path == "." || path == "?" {
            Failure(format!("{}: {}", label(source), error.inner()))
        } else {
            Failure(format!("{}: {path}: {}", label(source), error.inner()))
        }
    })?;
    de.end()
        .map_err(|e| Failure(format!("{}: {e}", label(source))))?;
    Ok(value)
}

/// JSON with one top-level key a line and `", "`, `": "` inside, so a
/// decoded payload reads like the scenario format.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String, Failure> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, TopLevelLines { depth: 0 });
    value
        .serialize(&mut ser)
        .map_err(|e| Failure(format!("cannot write json: {e}")))?;
    out.push(b'\n');
    String::from_utf8(out).map_err(|e| Failure(format!("cannot write json: {e}")))
}

struct TopLevelLines {
    depth: usize,
}

impl serde_json::ser::Formatter for TopLevelLines {
    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth += 1;
        writer.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth -= 1;
        if self.depth == 0 {
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
        match (self.depth, first) {
            (1, true) => writer.write_all(b"\n  "),
            (1, false) => writer.write_all(b",\n  "),
            (_, true) => Ok(()),
            (_, false) => writer.write_all(b", "),
        }
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }
}
