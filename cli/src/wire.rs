//! `decode` and `encode`: consumer-protocol bytes as JSON, and back, in the
//! library's JSON forms (`kafka_assignors::protocol::SubscriptionJson`, ...).

use std::io::{self, Write};

use kafka_assignors::Strategy;
use kafka_assignors::protocol::{
    AssignmentJson, CooperativeUserDataJson, HexBytes, JsonFormError, JsonFormErrorKind,
    StickyUserDataJson, SubscriptionJson,
};

use crate::error::Error;
use crate::input::Input;
use crate::output::json_lines;

pub(crate) const DECODE_ABOUT: &str = "\
Print consumer-protocol bytes as JSON.

Subscriptions print version, topics, owned partitions as
{\"topic\": [partitions]}, generation (null when absent or negative), rack,
user_data as hex and, with --strategy sticky or cooperative-sticky,
user_data_decoded: the user data read as that strategy reads it (which
strategy wrote it is not in the bytes, so it is never guessed). Assignments
print version, assigned and user_data. User data prints its format as the
Java client reads it: \"none\" (null; empty for sticky), \"V0\", \"V1\"
(sticky), or \"fallback\" (unreadable: the Java client then assumes no
history, generation -1; this is not an error, as it is not for the leader).
Bytes after the fields, which the Java client ignores, print as \"trailing\"
hex (beyond 1024 bytes, as {\"first\": HEX, \"bytes\": N}: the first 64
bytes and the length).

Subscription or assignment bytes that cannot be read exit with status 2 and
one line naming the byte offset and the problem.";

pub(crate) const ENCODE_ABOUT: &str = "\
Write consumer-protocol bytes, as hex, from the JSON decode prints.

The JSON is what `kassign decode` prints. A subscription needs topics and an
assignment needs assigned; both need version unless --version is given. User
data needs what its format needs (its version is its format). Other keys may
be left out (empty or null); unknown keys are errors. --version overrides the
JSON's \"version\"; above 3 writes 3, as the Java client does. A field the
version lacks (owned before 1, generation before 2, rack before 3) is an error
rather than dropped. A negative generation is written as -1. In a
subscription, a user_data_decoded without user_data is encoded into it; with
both, they must agree. For user data, --version names the format (0 = V0, 1 =
V1) and must match it; bytes that would read back differently from the JSON
are refused.";

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

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Subscription => "subscription",
            Kind::Assignment => "assignment",
            Kind::StickyUserData => "sticky user data",
            Kind::CooperativeUserData => "cooperative user data",
        }
    }
}

/// Options of `kassign decode`.
#[derive(Debug, clap::Args)]
pub(crate) struct DecodeOptions {
    /// What the bytes are.
    kind: Kind,
    /// The bytes; `-` or none reads standard input.
    file: Option<String>,
    /// The input is hex text (whitespace allowed) rather than raw bytes.
    #[arg(long)]
    hex: bool,
    /// The strategy the subscription was sent for; sticky and
    /// cooperative-sticky add user_data_decoded.
    #[arg(long, short)]
    strategy: Option<Strategy>,
}

/// Options of `kassign encode`.
#[derive(Debug, clap::Args)]
pub(crate) struct EncodeOptions {
    /// What to write.
    kind: Kind,
    /// The JSON; `-` or none reads standard input.
    file: Option<String>,
    /// The ConsumerProtocol version (or user-data format) to write;
    /// required for subscriptions and assignments whose JSON has no
    /// "version".
    #[arg(long)]
    version: Option<i16>,
}

/// Hex text read as raw bytes starts with ASCII digits: a version or a count
/// in the hundreds of millions. It fails, or decodes into nonsense such as
/// user data of generation 808464432.
const PASS_HEX: &str = "the input looks like hex text: pass --hex";

/// Runs `kassign decode`.
pub(crate) fn decode(options: DecodeOptions) -> Result<(), Error> {
    let (kind, hex, strategy) = (options.kind, options.hex, options.strategy);
    if strategy.is_some() && kind != Kind::Subscription {
        return Err(Error::Usage(
            "--strategy applies to subscriptions only".to_string(),
        ));
    }
    let input = Input::new(options.file, if hex { "the hex text" } else { "the bytes" });
    let raw = input.bytes()?;
    let bytes = if hex {
        let text = std::str::from_utf8(&raw).map_err(|e| {
            let at = e.valid_up_to();
            input.fail(format!(
                "hex input is not text: invalid utf-8 at offset {at}"
            ))
        })?;
        text.parse::<HexBytes>().map_err(|e| input.fail(e))?.0
    } else {
        raw
    };
    // Only hex digits and whitespace, and at least one digit.
    let hex_text = !hex
        && bytes.iter().any(u8::is_ascii_hexdigit)
        && bytes
            .iter()
            .all(|b| b.is_ascii_hexdigit() || b.is_ascii_whitespace());
    let fail = |e: &dyn std::fmt::Display| {
        let hint = if hex_text {
            format!(" ({PASS_HEX})")
        } else {
            String::new()
        };
        input.fail(format!("{}: {e}{hint}", kind.name()))
    };
    let mut json = Vec::new();
    match kind {
        Kind::Subscription => {
            let decoded = SubscriptionJson::decode(&bytes, strategy).map_err(|e| fail(&e))?;
            json_lines(&mut json, &decoded, 1)
        }
        Kind::Assignment => {
            let decoded = AssignmentJson::decode(&bytes).map_err(|e| fail(&e))?;
            json_lines(&mut json, &decoded, 1)
        }
        Kind::StickyUserData => json_lines(&mut json, &StickyUserDataJson::decode(Some(&bytes)), 1),
        Kind::CooperativeUserData => {
            json_lines(&mut json, &CooperativeUserDataJson::decode(Some(&bytes)), 1)
        }
    }?;
    if hex_text {
        let label = input.label();
        let _ = writeln!(
            io::stderr(),
            "kassign: warning: {label}: {PASS_HEX} to read it as hex"
        );
    }
    crate::output::print(|out| out.write_all(&json))
}

/// Runs `kassign encode`: the bytes, as lowercase hex.
pub(crate) fn encode(options: EncodeOptions) -> Result<(), Error> {
    let (kind, version) = (options.kind, options.version);
    let input = Input::new(options.file, "the JSON");
    let fail = |e: JsonFormError| {
        // The library names the version; here it is the --version flag.
        let message = match e.kind() {
            JsonFormErrorKind::MissingVersion => {
                "no version: pass --version or give \"version\" in the json".to_string()
            }
            JsonFormErrorKind::FormatVersion => format!("--{e}"),
            _ => e.to_string(),
        };
        input.fail(format!("{}: {message}", kind.name()))
    };
    let bytes = match kind {
        Kind::Subscription => input.json::<SubscriptionJson>()?.encode(version),
        Kind::Assignment => input.json::<AssignmentJson>()?.encode(version),
        Kind::StickyUserData => input.json::<StickyUserDataJson>()?.encode(version),
        Kind::CooperativeUserData => input.json::<CooperativeUserDataJson>()?.encode(version),
    }
    .map_err(fail)?;
    crate::output::print(|out| writeln!(out, "{}", HexBytes(bytes)))
}
