//! `decode` and `encode`: consumer-protocol bytes as JSON, and back.
//!
//! The JSON `decode` prints is the JSON `encode` reads, so a captured
//! payload can be read, edited and written again. Where the wire can say
//! something the JSON could lose (bytes after the fields, a sticky history
//! that cannot be read), the JSON keeps the bytes themselves as `trailing`:
//! in full up to a kilobyte, and beyond that as the first 64 bytes and the
//! length (`{"first": "...", "bytes": N}`), which `encode` refuses, since
//! the JSON no longer holds them.

use std::fmt;
use std::io::{self, Read, Write};
use std::sync::Arc;

use kafka_assignors::protocol::{
    AssignmentData, StickyFormat, StickyUserData, Subscription, decode_cooperative_user_data,
    group_by_topic,
};
use kafka_assignors::{Strategy, TopicPartition};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::Failure;
use crate::hex::{self, HexBytes};
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
    hex::decode(text).map_err(|e| Failure(format!("{}: {e}", label(file))))
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
        Kind::Subscription => to_json(&subscription_json(bytes, strategy).map_err(|e| fail(&e))?),
        Kind::Assignment => to_json(&assignment_json(bytes).map_err(|e| fail(&e))?),
        Kind::StickyUserData => to_json(&sticky_json(Some(bytes))),
        Kind::CooperativeUserData => to_json(&cooperative_json(Some(bytes))),
    }
}

/// `kassign encode`: the bytes, as lowercase hex.
pub(crate) fn encode(
    kind: Kind,
    json: &[u8],
    version: Option<i16>,
    source: &str,
) -> Result<String, Failure> {
    let fail = |e: String| Failure(format!("{}: {}: {e}", label(source), kind_name(kind)));
    let bytes = match kind {
        Kind::Subscription => encode_subscription(&parse(json, source)?, version),
        Kind::Assignment => encode_assignment(&parse(json, source)?, version),
        Kind::StickyUserData => encode_sticky_file(&parse(json, source)?, version),
        Kind::CooperativeUserData => encode_cooperative_file(&parse(json, source)?, version),
    }
    .map_err(fail)?;
    Ok(hex::encode(&bytes))
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

/// Partitions by topic, `{"topic": [partitions]}`, in the order given; a
/// topic may appear once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PartitionMap(Vec<(Arc<str>, Vec<i32>)>);

impl PartitionMap {
    fn from_flat(partitions: &[TopicPartition]) -> Self {
        PartitionMap(
            group_by_topic(partitions)
                .into_iter()
                .map(|e| (e.topic, e.partitions))
                .collect(),
        )
    }

    fn flat(&self) -> Vec<TopicPartition> {
        self.0
            .iter()
            .flat_map(|(t, ps)| ps.iter().map(|&p| TopicPartition::new(Arc::clone(t), p)))
            .collect()
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|(_, ps)| ps.is_empty())
    }

    /// The same map with topics in name order, for comparing content.
    fn by_topic(&self) -> Vec<(Arc<str>, Vec<i32>)> {
        let mut sorted = self.0.clone();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        sorted
    }
}

impl Serialize for PartitionMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (topic, partitions) in &self.0 {
            map.serialize_entry(&**topic, partitions)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for PartitionMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor;
        impl<'de> Visitor<'de> for MapVisitor {
            type Value = PartitionMap;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of topic to partition list")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PartitionMap, A::Error> {
                let mut out: Vec<(Arc<str>, Vec<i32>)> = Vec::new();
                while let Some(topic) = map.next_key::<String>()? {
                    if out.iter().any(|(t, _)| **t == *topic) {
                        return Err(de::Error::custom(format!(
                            "topic {topic:?} appears more than once"
                        )));
                    }
                    let partitions: Vec<i32> = map.next_value()?;
                    out.push((topic.into(), partitions));
                }
                Ok(PartitionMap(out))
            }
        }
        deserializer.deserialize_map(MapVisitor)
    }
}

/// A missing key is `None`, an explicit `null` is `Some(None)`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// How user data was read, in the Java client's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Format {
    /// Null (or, for sticky, empty) user data: no history.
    #[serde(rename = "none")]
    None,
    /// Sticky: partitions only. Cooperative: the generation.
    V0,
    /// Sticky: partitions and generation.
    V1,
    /// Unreadable; the Java client reads no history, generation -1.
    #[serde(rename = "fallback")]
    Fallback,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StickyJson {
    #[serde(default)]
    format: Option<Format>,
    #[serde(default)]
    owned: PartitionMap,
    #[serde(default)]
    generation: Option<i32>,
    #[serde(default, skip_serializing_if = "Trailing::is_empty")]
    trailing: Trailing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CooperativeJson {
    #[serde(default)]
    format: Option<Format>,
    #[serde(default)]
    generation: Option<i32>,
    #[serde(default, skip_serializing_if = "Trailing::is_empty")]
    trailing: Trailing,
}

/// User data read the way one strategy reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "strategy")]
enum UserDataDecoded {
    #[serde(rename = "sticky")]
    Sticky(StickyJson),
    #[serde(rename = "cooperative-sticky")]
    Cooperative(CooperativeJson),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscriptionJson {
    #[serde(default)]
    version: Option<i16>,
    topics: Vec<String>,
    #[serde(default)]
    owned: PartitionMap,
    #[serde(default)]
    generation: Option<i32>,
    #[serde(default)]
    rack: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    user_data: Option<Option<HexBytes>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_data_decoded: Option<UserDataDecoded>,
    #[serde(default, skip_serializing_if = "Trailing::is_empty")]
    trailing: Trailing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignmentJson {
    #[serde(default)]
    version: Option<i16>,
    assigned: PartitionMap,
    #[serde(default)]
    user_data: Option<HexBytes>,
    #[serde(default, skip_serializing_if = "Trailing::is_empty")]
    trailing: Trailing,
}

/// Bytes after the fields, as the JSON shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
enum Trailing {
    /// Every byte.
    Full(HexBytes),
    /// Too many to show: the first ones, and how many there are.
    Cut { first: HexBytes, bytes: usize },
}

impl Default for Trailing {
    fn default() -> Self {
        Trailing::Full(HexBytes::default())
    }
}

impl Trailing {
    /// Up to this many bytes are shown in full.
    const FULL: usize = 1024;
    /// How many bytes a cut one shows.
    const FIRST: usize = 64;

    fn of(bytes: &[u8]) -> Self {
        if bytes.len() <= Self::FULL {
            Trailing::Full(HexBytes(bytes.to_vec()))
        } else {
            Trailing::Cut {
                first: HexBytes(bytes[..Self::FIRST].to_vec()),
                bytes: bytes.len(),
            }
        }
    }

    fn is_empty(&self) -> bool {
        matches!(self, Trailing::Full(bytes) if bytes.is_empty())
    }

    /// The bytes, for `encode`; a cut one no longer has them.
    fn bytes(&self) -> Result<&[u8], String> {
        match self {
            Trailing::Full(bytes) => Ok(&bytes.0),
            Trailing::Cut { bytes, .. } => Err(format!(
                "\"trailing\" was cut when decoded ({bytes} bytes, only the first {} shown): \
                 its bytes are not in the json; remove it or give them as a hex string",
                Self::FIRST
            )),
        }
    }
}

fn tail(bytes: &[u8], trailing: usize) -> Trailing {
    Trailing::of(&bytes[bytes.len().saturating_sub(trailing)..])
}

fn subscription_json(
    bytes: &[u8],
    strategy: Option<Strategy>,
) -> Result<SubscriptionJson, kafka_assignors::protocol::DecodeError> {
    let decoded = Subscription::decode(bytes)?;
    let sub = decoded.subscription;
    let user_data_decoded = match strategy {
        Some(Strategy::Sticky) => Some(UserDataDecoded::Sticky(sticky_json(
            sub.user_data.as_deref(),
        ))),
        Some(Strategy::CooperativeSticky) => Some(UserDataDecoded::Cooperative(cooperative_json(
            sub.user_data.as_deref(),
        ))),
        _ => None,
    };
    Ok(SubscriptionJson {
        version: Some(decoded.version),
        topics: sub.topics.iter().map(|t| t.to_string()).collect(),
        owned: PartitionMap::from_flat(&sub.owned_partitions),
        generation: sub.generation,
        rack: sub.rack,
        user_data: Some(sub.user_data.map(HexBytes)),
        user_data_decoded,
        trailing: tail(bytes, decoded.trailing_bytes),
    })
}

fn assignment_json(bytes: &[u8]) -> Result<AssignmentJson, kafka_assignors::protocol::DecodeError> {
    let decoded = AssignmentData::decode(bytes)?;
    Ok(AssignmentJson {
        version: Some(decoded.version),
        assigned: PartitionMap::from_flat(&decoded.assignment.partitions),
        user_data: decoded.assignment.user_data.map(HexBytes),
        trailing: tail(bytes, decoded.trailing_bytes),
    })
}

/// Sticky user data as the Java `StickyAssignor` reads it. Never fails: what
/// neither format reads is `fallback`, its bytes kept in `trailing`.
fn sticky_json(user_data: Option<&[u8]>) -> StickyJson {
    let (data, format) = StickyUserData::decode(user_data);
    let bytes = user_data.unwrap_or_default();
    let (format, read) = match format {
        StickyFormat::V1 | StickyFormat::V0 => {
            let format = if format == StickyFormat::V1 {
                Format::V1
            } else {
                Format::V0
            };
            // The bytes read are what the decoded data re-encodes to: the
            // topic order may differ, the length cannot.
            let read = data.encode().map_or(bytes.len(), |b| b.len());
            (format, read)
        }
        StickyFormat::Fallback => (Format::Fallback, 0),
        _ => (Format::None, 0),
    };
    StickyJson {
        format: Some(format),
        owned: PartitionMap::from_flat(&data.owned),
        generation: data.generation,
        trailing: Trailing::of(&bytes[read.min(bytes.len())..]),
    }
}

/// Cooperative user data as the Java `CooperativeStickyAssignor` reads it:
/// four bytes of generation, fewer read as -1 (`fallback`).
fn cooperative_json(user_data: Option<&[u8]>) -> CooperativeJson {
    let generation = decode_cooperative_user_data(user_data);
    let (format, trailing) = match user_data {
        None => (Format::None, &[][..]),
        Some(bytes) if bytes.len() >= 4 => (Format::V0, &bytes[4..]),
        Some(bytes) => (Format::Fallback, bytes),
    };
    CooperativeJson {
        format: Some(format),
        generation,
        trailing: Trailing::of(trailing),
    }
}

fn encode_subscription(json: &SubscriptionJson, version: Option<i16>) -> Result<Vec<u8>, String> {
    let version = version
        .or(json.version)
        .ok_or("no version: pass --version or give \"version\" in the json")?;
    if version < 1 && !json.owned.is_empty() {
        return Err(format!(
            "version {version} has no owned partitions; use version 1 or later, or remove \"owned\""
        ));
    }
    if version < 2 && json.generation.is_some() {
        return Err(format!(
            "version {version} has no generation; use version 2 or later, or make \"generation\" null"
        ));
    }
    if version < 3 && json.rack.is_some() {
        return Err(format!(
            "version {version} has no rack; use version 3 or later, or make \"rack\" null"
        ));
    }
    let user_data = match (&json.user_data, &json.user_data_decoded) {
        (Some(given), None) => given.as_ref().map(|h| h.0.clone()),
        (None, None) => None,
        (None, Some(decoded)) => encode_user_data(decoded)?,
        (Some(given), Some(decoded)) => {
            let given = given.as_ref().map(|h| h.0.as_slice());
            let read = match decoded {
                UserDataDecoded::Sticky(_) => UserDataDecoded::Sticky(sticky_json(given)),
                UserDataDecoded::Cooperative(_) => {
                    UserDataDecoded::Cooperative(cooperative_json(given))
                }
            };
            if !same_user_data(&read, decoded) {
                return Err(
                    "\"user_data_decoded\" does not match \"user_data\"; edit one and remove the other"
                        .to_string(),
                );
            }
            given.map(<[u8]>::to_vec)
        }
    };
    let mut sub = Subscription::new(json.topics.iter().map(String::as_str));
    sub.owned_partitions = json.owned.flat();
    sub.generation = json.generation;
    sub.rack = json.rack.clone();
    sub.user_data = user_data;
    let mut bytes = sub.encode_version(version).map_err(|e| e.to_string())?;
    bytes.extend_from_slice(json.trailing.bytes()?);
    Ok(bytes)
}

fn encode_assignment(json: &AssignmentJson, version: Option<i16>) -> Result<Vec<u8>, String> {
    let version = version
        .or(json.version)
        .ok_or("no version: pass --version or give \"version\" in the json")?;
    let mut data = AssignmentData::new(json.assigned.flat());
    data.user_data = json.user_data.as_ref().map(|h| h.0.clone());
    let mut bytes = data.encode_version(version).map_err(|e| e.to_string())?;
    bytes.extend_from_slice(json.trailing.bytes()?);
    Ok(bytes)
}

fn encode_user_data(decoded: &UserDataDecoded) -> Result<Option<Vec<u8>>, String> {
    match decoded {
        UserDataDecoded::Sticky(json) => encode_sticky(json),
        UserDataDecoded::Cooperative(json) => encode_cooperative(json),
    }
}

/// The format sticky user data asks for: given, or V1 with a generation
/// and V0 without.
fn sticky_format(json: &StickyJson) -> Format {
    json.format.unwrap_or(if json.generation.is_some() {
        Format::V1
    } else {
        Format::V0
    })
}

/// The format cooperative user data asks for: given, or V0 with a
/// generation and none (null) without.
fn cooperative_format(json: &CooperativeJson) -> Format {
    json.format.unwrap_or(if json.generation.is_some() {
        Format::V0
    } else {
        Format::None
    })
}

/// Sticky user data, `None` for the `none` format (null user data). The
/// bytes are read back to check they say what the JSON says: V0 data
/// followed by four bytes, for one, reads as V1.
fn encode_sticky(json: &StickyJson) -> Result<Option<Vec<u8>>, String> {
    let format = sticky_format(json);
    let mut bytes = match format {
        Format::None | Format::Fallback => None,
        Format::V0 | Format::V1 => {
            if (format == Format::V1) != json.generation.is_some() {
                return Err(match format {
                    Format::V1 => "format V1 needs a generation".to_string(),
                    _ => "format V0 has no generation; make \"generation\" null".to_string(),
                });
            }
            let data = StickyUserData::new(json.owned.flat(), json.generation);
            Some(data.encode().map_err(|e| e.to_string())?)
        }
    };
    if format == Format::Fallback || !json.trailing.is_empty() {
        bytes
            .get_or_insert_with(Vec::new)
            .extend_from_slice(json.trailing.bytes()?);
    }
    let back = sticky_json(bytes.as_deref());
    let wanted = StickyJson {
        format: Some(format),
        ..json.clone()
    };
    if !same_sticky(&back, &wanted) {
        return Err(format!(
            "these bytes would read back as format {:?} with generation {:?}, not as given",
            back.format.unwrap_or(Format::None),
            back.generation
        ));
    }
    Ok(bytes)
}

fn encode_cooperative(json: &CooperativeJson) -> Result<Option<Vec<u8>>, String> {
    let format = cooperative_format(json);
    let mut bytes = match (format, json.generation) {
        (Format::V0, Some(generation)) => Some(generation.to_be_bytes().to_vec()),
        (Format::V0, None) => return Err("format V0 needs a generation".to_string()),
        (Format::V1, _) => {
            return Err("cooperative user data has no format V1".to_string());
        }
        _ => None,
    };
    if format == Format::Fallback || !json.trailing.is_empty() {
        bytes
            .get_or_insert_with(Vec::new)
            .extend_from_slice(json.trailing.bytes()?);
    }
    let back = cooperative_json(bytes.as_deref());
    let wanted = CooperativeJson {
        format: Some(format),
        ..json.clone()
    };
    if back != wanted {
        return Err(format!(
            "these bytes would read back as format {:?} with generation {:?}, not as given",
            back.format.unwrap_or(Format::None),
            back.generation
        ));
    }
    Ok(bytes)
}

/// Sticky user data is written in the Java `HashMap` order of its topics, so
/// topic order is not part of what it says.
fn same_sticky(a: &StickyJson, b: &StickyJson) -> bool {
    a.format == b.format
        && a.generation == b.generation
        && a.trailing == b.trailing
        && a.owned.by_topic() == b.owned.by_topic()
}

fn same_user_data(a: &UserDataDecoded, b: &UserDataDecoded) -> bool {
    match (a, b) {
        (UserDataDecoded::Sticky(a), UserDataDecoded::Sticky(b)) => same_sticky(a, &fill_format(b)),
        (UserDataDecoded::Cooperative(a), UserDataDecoded::Cooperative(b)) => {
            let format = cooperative_format(b);
            *a == CooperativeJson {
                format: Some(format),
                ..b.clone()
            }
        }
        _ => false,
    }
}

fn fill_format(json: &StickyJson) -> StickyJson {
    StickyJson {
        format: Some(sticky_format(json)),
        ..json.clone()
    }
}

/// The version flag of a user-data encoding must name its format.
fn check_format_version(format: Format, version: Option<i16>, kind: &str) -> Result<(), String> {
    match (version, format) {
        (None, _) | (Some(0), Format::V0) | (Some(1), Format::V1) => Ok(()),
        (Some(v), format) => Err(format!(
            "--version {v} does not match format {format:?} of the {kind}"
        )),
    }
}

fn encode_sticky_file(json: &StickyJson, version: Option<i16>) -> Result<Vec<u8>, String> {
    let json = fill_format(json);
    check_format_version(
        json.format.unwrap_or(Format::V1),
        version,
        "sticky user data",
    )?;
    // `none` on its own is the empty string, which reads back as none.
    Ok(encode_sticky(&json)?.unwrap_or_default())
}

fn encode_cooperative_file(
    json: &CooperativeJson,
    version: Option<i16>,
) -> Result<Vec<u8>, String> {
    let format = cooperative_format(json);
    check_format_version(format, version, "cooperative user data")?;
    encode_cooperative(json)?.ok_or_else(|| {
        "format none is null user data, which has no bytes; a fresh member writes generation -1"
            .to_string()
    })
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
