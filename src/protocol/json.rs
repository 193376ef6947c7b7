//! The consumer-protocol payloads as JSON (feature `serde`): the form
//! `kassign decode` prints and `kassign encode` reads, for tools and tests
//! that show, edit and write captured bytes.
//!
//! The JSON a payload decodes to encodes back to the same bytes. Where the
//! wire can say something the JSON could lose (bytes after the fields, a
//! sticky history that cannot be read), the JSON keeps the bytes themselves
//! as `trailing`: in full up to a kilobyte, and beyond that as the first 64
//! bytes and the length (`{"first": "...", "bytes": N}`), which encoding
//! refuses, since the JSON no longer holds them. Bytes are hex strings
//! ([`HexBytes`]).

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use self::JsonFormErrorKind::{Cut, FormatVersion, Mismatch, MissingVersion, NotInVersion};
use crate::protocol::{
    AssignmentData, DecodeError, EncodeError, StickyFormat, StickyUserData, Subscription,
    decode_cooperative_user_data, group_by_topic,
};
use crate::{Strategy, TopicPartition};

/// Why a JSON form cannot be written as bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonFormErrorKind {
    /// Neither the caller nor the JSON gives a version.
    MissingVersion,
    /// A field the version lacks (owned before 1, generation before 2, rack
    /// before 3).
    NotInVersion,
    /// A user-data version that does not name its format.
    FormatVersion,
    /// Fields that contradict each other, or bytes that would read back as
    /// something else.
    Mismatch,
    /// A `trailing` that was cut when decoded.
    Cut,
    /// A value the encoding cannot hold ([`EncodeError`]).
    Encode,
}

/// A JSON form that cannot be written: its kind, and one lowercase line
/// naming the field and the values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JsonFormError {
    kind: JsonFormErrorKind,
    message: String,
}

impl JsonFormError {
    fn new(kind: JsonFormErrorKind, message: String) -> Self {
        JsonFormError { kind, message }
    }

    /// What is wrong.
    pub fn kind(&self) -> JsonFormErrorKind {
        self.kind
    }
}

fn err<T>(kind: JsonFormErrorKind, message: String) -> Result<T, JsonFormError> {
    Err(JsonFormError::new(kind, message))
}

/// Hex text that is not bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HexError {
    /// A character that is neither a hex digit nor whitespace.
    #[error("bad hex digit {digit:?} at character offset {offset}")]
    BadDigit {
        /// The character.
        digit: char,
        /// Its byte offset in the text.
        offset: usize,
    },
    /// An odd number of digits.
    #[error("odd number of hex digits ({digits})")]
    OddLength {
        /// How many there are.
        digits: usize,
    },
}

/// Bytes that JSON carries as a hex string: written in lowercase, read in
/// either case with whitespace between digits ignored, so a dump wrapped
/// over lines or grouped in words reads as one string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HexBytes(pub Vec<u8>);

impl HexBytes {
    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromStr for HexBytes {
    type Err = HexError;

    fn from_str(text: &str) -> Result<Self, HexError> {
        // The first bad character is named before an odd count, as a reader
        // scanning the text would find it.
        if let Some((offset, digit)) = text
            .char_indices()
            .find(|(_, c)| !c.is_whitespace() && !c.is_ascii_hexdigit())
        {
            return Err(HexError::BadDigit { digit, offset });
        }
        let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
        if digits.len() % 2 == 1 {
            return Err(HexError::OddLength {
                digits: digits.len(),
            });
        }
        // Only hex digits, an even number of them: the crate cannot refuse.
        hex::decode(&digits)
            .map(HexBytes)
            .map_err(|_| HexError::OddLength {
                digits: digits.len(),
            })
    }
}

impl fmt::Display for HexBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(&self.0))
    }
}

impl Serialize for HexBytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex::encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for HexBytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HexVisitor;
        impl Visitor<'_> for HexVisitor {
            type Value = HexBytes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a hex string")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<HexBytes, E> {
                text.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(HexVisitor)
    }
}

/// The leader's SyncGroup payloads ([`LeaderAssignment::sync`]) as JSON:
/// `{"member id": "hex"}`, in their order.
///
/// [`LeaderAssignment::sync`]: crate::protocol::LeaderAssignment::sync
#[derive(Debug, Clone, Copy)]
pub struct SyncJson<'a>(pub &'a [(String, Vec<u8>)]);

impl Serialize for SyncJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(id, bytes)| (id, hex::encode(bytes))))
    }
}

/// Partitions by topic, `{"topic": [partitions]}`, in the order given; a
/// topic may appear once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartitionMap(pub Vec<(Arc<str>, Vec<i32>)>);

impl PartitionMap {
    /// Partitions grouped by topic, as [`group_by_topic`] groups them.
    pub fn from_flat(partitions: &[TopicPartition]) -> Self {
        PartitionMap(
            group_by_topic(partitions)
                .into_iter()
                .map(|e| (e.topic, e.partitions))
                .collect(),
        )
    }

    /// Every partition, topic by topic.
    pub fn flat(&self) -> Vec<TopicPartition> {
        self.0
            .iter()
            .flat_map(|(t, ps)| ps.iter().map(|&p| TopicPartition::new(Arc::clone(t), p)))
            .collect()
    }

    /// Whether no topic lists a partition.
    pub fn is_empty(&self) -> bool {
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
pub enum UserDataFormat {
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

/// The `sticky` strategy's user data as JSON: `{"format", "owned",
/// "generation", "trailing"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StickyUserDataJson {
    /// How it was read; when writing, left out means V1 with a generation
    /// and V0 without.
    #[serde(default)]
    pub format: Option<UserDataFormat>,
    /// The partitions the member owned.
    #[serde(default)]
    pub owned: PartitionMap,
    /// Their generation (V1 only).
    #[serde(default)]
    pub generation: Option<i32>,
    /// Bytes after the fields (all of them when unreadable).
    #[serde(default, skip_serializing_if = "Trailing::is_empty")]
    pub trailing: Trailing,
}

/// The `cooperative-sticky` strategy's user data as JSON: `{"format",
/// "generation", "trailing"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CooperativeUserDataJson {
    /// How it was read; when writing, left out means V0 with a generation
    /// and none (null) without.
    #[serde(default)]
    pub format: Option<UserDataFormat>,
    /// The generation, four bytes.
    #[serde(default)]
    pub generation: Option<i32>,
    /// Bytes after the generation (all of them when shorter than four).
    #[serde(default, skip_serializing_if = "Trailing::is_empty")]
    pub trailing: Trailing,
}

/// User data read the way one strategy reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "strategy")]
pub enum UserDataJson {
    /// As `sticky` reads it.
    #[serde(rename = "sticky")]
    Sticky(StickyUserDataJson),
    /// As `cooperative-sticky` reads it.
    #[serde(rename = "cooperative-sticky")]
    Cooperative(CooperativeUserDataJson),
}

/// A JoinGroup subscription as JSON, the form `kassign decode` prints and
/// `kassign encode` reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionJson {
    /// The ConsumerProtocol version read, or to write.
    #[serde(default)]
    pub version: Option<i16>,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// Owned partitions (version 1 and later).
    #[serde(default)]
    pub owned: PartitionMap,
    /// Their generation (version 2 and later; null when absent or negative).
    #[serde(default)]
    pub generation: Option<i32>,
    /// `client.rack` (version 3 and later).
    #[serde(default)]
    pub rack: Option<String>,
    /// The strategy's user data: left out, null, or hex.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_data: Option<Option<HexBytes>>,
    /// The user data as a strategy reads it; written into the user data
    /// when that is left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data_decoded: Option<UserDataJson>,
    /// Bytes after the fields.
    #[serde(default, skip_serializing_if = "Trailing::is_empty")]
    pub trailing: Trailing,
}

/// A SyncGroup assignment as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentJson {
    /// The ConsumerProtocol version read, or to write.
    #[serde(default)]
    pub version: Option<i16>,
    /// The assigned partitions.
    pub assigned: PartitionMap,
    /// The leader's user data, hex.
    #[serde(default)]
    pub user_data: Option<HexBytes>,
    /// Bytes after the fields.
    #[serde(default, skip_serializing_if = "Trailing::is_empty")]
    pub trailing: Trailing,
}

/// Bytes after the fields, as the JSON shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Trailing {
    /// Every byte.
    Full(HexBytes),
    /// Too many to show: the first ones, and how many there are.
    Cut {
        /// The first 64 bytes.
        first: HexBytes,
        /// How many there are.
        bytes: usize,
    },
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

    /// The JSON form of `bytes`: in full, or cut beyond a kilobyte.
    pub fn of(bytes: &[u8]) -> Self {
        if bytes.len() <= Self::FULL {
            Trailing::Full(HexBytes(bytes.to_vec()))
        } else {
            Trailing::Cut {
                first: HexBytes(bytes[..Self::FIRST].to_vec()),
                bytes: bytes.len(),
            }
        }
    }

    /// Whether there are no trailing bytes.
    pub fn is_empty(&self) -> bool {
        matches!(self, Trailing::Full(bytes) if bytes.is_empty())
    }

    /// The bytes, for `encode`; a cut one no longer has them.
    ///
    /// # Errors
    ///
    /// [`JsonFormErrorKind::Cut`] for a cut one.
    pub fn bytes(&self) -> Result<&[u8], JsonFormError> {
        match self {
            Trailing::Full(bytes) => Ok(&bytes.0),
            Trailing::Cut { bytes, .. } => err(
                Cut,
                format!(
                    "\"trailing\" was cut when decoded ({bytes} bytes, only the first {} shown): \
                 its bytes are not in the json; remove it or give them as a hex string",
                    Self::FIRST
                ),
            ),
        }
    }
}

fn tail(bytes: &[u8], trailing: usize) -> Trailing {
    Trailing::of(&bytes[bytes.len().saturating_sub(trailing)..])
}

impl SubscriptionJson {
    /// Reads subscription bytes; with `strategy` sticky or
    /// cooperative-sticky, also its user data as that strategy reads it
    /// (which strategy wrote it is not in the bytes, so it is never guessed).
    ///
    /// # Errors
    ///
    /// The [`DecodeError`] of [`Subscription::decode`].
    pub fn decode(bytes: &[u8], strategy: Option<Strategy>) -> Result<Self, DecodeError> {
        let decoded = Subscription::decode(bytes)?;
        let sub = decoded.subscription;
        let user_data_decoded = match strategy {
            Some(Strategy::Sticky) => Some(UserDataJson::Sticky(StickyUserDataJson::decode(
                sub.user_data.as_deref(),
            ))),
            Some(Strategy::CooperativeSticky) => Some(UserDataJson::Cooperative(
                CooperativeUserDataJson::decode(sub.user_data.as_deref()),
            )),
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

    /// Writes the subscription at `version` (or the JSON's own). A field the
    /// version lacks is an error rather than dropped; a `user_data_decoded`
    /// without `user_data` is encoded into it, and with both they must agree.
    ///
    /// # Errors
    ///
    /// A [`JsonFormError`] naming what does not fit.
    pub fn encode(&self, version: Option<i16>) -> Result<Vec<u8>, JsonFormError> {
        let version = version_of(version, self.version)?;
        let missing = |what: &str, since: i16, fix: &str| {
            err(
                NotInVersion,
                format!("version {version} has no {what}; use version {since} or later, or {fix}"),
            )
        };
        if version < 1 && !self.owned.is_empty() {
            return missing("owned partitions", 1, "remove \"owned\"");
        }
        if version < 2 && self.generation.is_some() {
            return missing("generation", 2, "make \"generation\" null");
        }
        if version < 3 && self.rack.is_some() {
            return missing("rack", 3, "make \"rack\" null");
        }
        let user_data = match (&self.user_data, &self.user_data_decoded) {
            (Some(given), None) => given.as_ref().map(|h| h.0.clone()),
            (None, None) => None,
            (None, Some(UserDataJson::Sticky(json))) => json.encode_user_data()?,
            (None, Some(UserDataJson::Cooperative(json))) => json.encode_user_data()?,
            (Some(given), Some(decoded)) => {
                let given = given.as_ref().map(|h| h.0.as_slice());
                let agree = match decoded {
                    UserDataJson::Sticky(json) => {
                        same_sticky(&StickyUserDataJson::decode(given), &json.filled())
                    }
                    UserDataJson::Cooperative(json) => {
                        CooperativeUserDataJson::decode(given) == json.filled()
                    }
                };
                if !agree {
                    return err(
                        Mismatch,
                        "\"user_data_decoded\" does not match \"user_data\"; edit one and remove the other"
                            .to_string(),
                    );
                }
                given.map(<[u8]>::to_vec)
            }
        };
        let mut sub = Subscription::new(self.topics.iter().map(String::as_str));
        sub.owned_partitions = self.owned.flat();
        sub.generation = self.generation;
        sub.rack = self.rack.clone();
        sub.user_data = user_data;
        let mut bytes = sub.encode_version(version).map_err(encode_error)?;
        bytes.extend_from_slice(self.trailing.bytes()?);
        Ok(bytes)
    }
}

impl AssignmentJson {
    /// Reads assignment bytes.
    ///
    /// # Errors
    ///
    /// The [`DecodeError`] of [`AssignmentData::decode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let decoded = AssignmentData::decode(bytes)?;
        Ok(AssignmentJson {
            version: Some(decoded.version),
            assigned: PartitionMap::from_flat(&decoded.assignment.partitions),
            user_data: decoded.assignment.user_data.map(HexBytes),
            trailing: tail(bytes, decoded.trailing_bytes),
        })
    }

    /// Writes the assignment at `version` (or the JSON's own).
    ///
    /// # Errors
    ///
    /// A [`JsonFormError`]: no version, a cut `trailing`, or a value the
    /// encoding cannot hold.
    pub fn encode(&self, version: Option<i16>) -> Result<Vec<u8>, JsonFormError> {
        let version = version_of(version, self.version)?;
        let mut data = AssignmentData::new(self.assigned.flat());
        data.user_data = self.user_data.as_ref().map(|h| h.0.clone());
        let mut bytes = data.encode_version(version).map_err(encode_error)?;
        bytes.extend_from_slice(self.trailing.bytes()?);
        Ok(bytes)
    }
}

fn version_of(given: Option<i16>, own: Option<i16>) -> Result<i16, JsonFormError> {
    given.or(own).ok_or_else(|| {
        JsonFormError::new(
            MissingVersion,
            "no version: give one or \"version\" in the json".to_string(),
        )
    })
}

fn encode_error(e: EncodeError) -> JsonFormError {
    JsonFormError::new(JsonFormErrorKind::Encode, e.to_string())
}

impl StickyUserDataJson {
    /// Sticky user data as the Java `StickyAssignor` reads it. Never fails:
    /// what neither format reads is `fallback`, its bytes kept in `trailing`.
    pub fn decode(user_data: Option<&[u8]>) -> Self {
        let (data, format) = StickyUserData::decode(user_data);
        let bytes = user_data.unwrap_or_default();
        let (format, read) = match format {
            StickyFormat::V1 | StickyFormat::V0 => {
                let format = if format == StickyFormat::V1 {
                    UserDataFormat::V1
                } else {
                    UserDataFormat::V0
                };
                // The bytes read are what the decoded data re-encodes to: the
                // topic order may differ, the length cannot.
                let read = data.encode().map_or(bytes.len(), |b| b.len());
                (format, read)
            }
            StickyFormat::Fallback => (UserDataFormat::Fallback, 0),
            _ => (UserDataFormat::None, 0),
        };
        StickyUserDataJson {
            format: Some(format),
            owned: PartitionMap::from_flat(&data.owned),
            generation: data.generation,
            trailing: Trailing::of(&bytes[read.min(bytes.len())..]),
        }
    }

    /// The same with its format filled in: given, or V1 with a generation
    /// and V0 without.
    fn filled(&self) -> Self {
        let format = self.format.unwrap_or(if self.generation.is_some() {
            UserDataFormat::V1
        } else {
            UserDataFormat::V0
        });
        StickyUserDataJson {
            format: Some(format),
            ..self.clone()
        }
    }

    /// The user data, `None` for the `none` format (null user data). The
    /// bytes are read back to check they say what the JSON says: V0 data
    /// followed by four bytes, for one, reads as V1.
    fn encode_user_data(&self) -> Result<Option<Vec<u8>>, JsonFormError> {
        let wanted = self.filled();
        let format = wanted.format.unwrap_or(UserDataFormat::V1);
        let mut bytes = match format {
            UserDataFormat::None | UserDataFormat::Fallback => None,
            UserDataFormat::V0 | UserDataFormat::V1 => {
                if (format == UserDataFormat::V1) != self.generation.is_some() {
                    return err(
                        Mismatch,
                        match format {
                            UserDataFormat::V1 => "format V1 needs a generation".to_string(),
                            _ => {
                                "format V0 has no generation; make \"generation\" null".to_string()
                            }
                        },
                    );
                }
                let data = StickyUserData::new(self.owned.flat(), self.generation);
                Some(data.encode().map_err(encode_error)?)
            }
        };
        if format == UserDataFormat::Fallback || !self.trailing.is_empty() {
            bytes
                .get_or_insert_with(Vec::new)
                .extend_from_slice(self.trailing.bytes()?);
        }
        let back = StickyUserDataJson::decode(bytes.as_deref());
        if !same_sticky(&back, &wanted) {
            return read_back(back.format, back.generation);
        }
        Ok(bytes)
    }

    /// The user data's bytes; `version` (if given) names the format (0 = V0,
    /// 1 = V1) and must match it. The `none` format is the empty string.
    ///
    /// # Errors
    ///
    /// A [`JsonFormError`] when the version, format and generation disagree
    /// or the bytes would read back differently.
    pub fn encode(&self, version: Option<i16>) -> Result<Vec<u8>, JsonFormError> {
        let format = self.filled().format.unwrap_or(UserDataFormat::V1);
        check_format_version(format, version, "sticky user data")?;
        Ok(self.encode_user_data()?.unwrap_or_default())
    }
}

impl CooperativeUserDataJson {
    /// Cooperative user data as the Java `CooperativeStickyAssignor` reads
    /// it: four bytes of generation, fewer read as -1 (`fallback`).
    pub fn decode(user_data: Option<&[u8]>) -> Self {
        let generation = decode_cooperative_user_data(user_data);
        let (format, trailing) = match user_data {
            None => (UserDataFormat::None, &[][..]),
            Some(bytes) if bytes.len() >= 4 => (UserDataFormat::V0, &bytes[4..]),
            Some(bytes) => (UserDataFormat::Fallback, bytes),
        };
        CooperativeUserDataJson {
            format: Some(format),
            generation,
            trailing: Trailing::of(trailing),
        }
    }

    /// The same with its format filled in: given, or V0 with a generation
    /// and none (null) without.
    fn filled(&self) -> Self {
        let format = self.format.unwrap_or(if self.generation.is_some() {
            UserDataFormat::V0
        } else {
            UserDataFormat::None
        });
        CooperativeUserDataJson {
            format: Some(format),
            ..self.clone()
        }
    }

    fn encode_user_data(&self) -> Result<Option<Vec<u8>>, JsonFormError> {
        let wanted = self.filled();
        let format = wanted.format.unwrap_or(UserDataFormat::None);
        let mut bytes = match (format, self.generation) {
            (UserDataFormat::V0, Some(generation)) => Some(generation.to_be_bytes().to_vec()),
            (UserDataFormat::V0, None) => {
                return err(Mismatch, "format V0 needs a generation".to_string());
            }
            (UserDataFormat::V1, _) => {
                return err(
                    Mismatch,
                    "cooperative user data has no format V1".to_string(),
                );
            }
            _ => None,
        };
        if format == UserDataFormat::Fallback || !self.trailing.is_empty() {
            bytes
                .get_or_insert_with(Vec::new)
                .extend_from_slice(self.trailing.bytes()?);
        }
        let back = CooperativeUserDataJson::decode(bytes.as_deref());
        if back != wanted {
            return read_back(back.format, back.generation);
        }
        Ok(bytes)
    }

    /// The user data's bytes; `version` (if given) names the format (0 =
    /// V0) and must match it. The `none` format (null user data) has no
    /// bytes and is refused.
    ///
    /// # Errors
    ///
    /// A [`JsonFormError`] when the version, format and generation disagree
    /// or the bytes would read back differently.
    pub fn encode(&self, version: Option<i16>) -> Result<Vec<u8>, JsonFormError> {
        let format = self.filled().format.unwrap_or(UserDataFormat::None);
        check_format_version(format, version, "cooperative user data")?;
        self.encode_user_data()?.ok_or_else(|| {
            JsonFormError::new(
                Mismatch,
                "format none is null user data, which has no bytes; a fresh member writes generation -1"
                    .to_string(),
            )
        })
    }
}

fn read_back<T>(
    format: Option<UserDataFormat>,
    generation: Option<i32>,
) -> Result<T, JsonFormError> {
    err(
        Mismatch,
        format!(
            "these bytes would read back as format {:?} with generation {generation:?}, not as given",
            format.unwrap_or(UserDataFormat::None),
        ),
    )
}

/// Sticky user data is written in the Java `HashMap` order of its topics, so
/// topic order is not part of what it says.
fn same_sticky(a: &StickyUserDataJson, b: &StickyUserDataJson) -> bool {
    a.format == b.format
        && a.generation == b.generation
        && a.trailing == b.trailing
        && a.owned.by_topic() == b.owned.by_topic()
}

/// The version of a user-data encoding must name its format.
fn check_format_version(
    format: UserDataFormat,
    version: Option<i16>,
    kind: &str,
) -> Result<(), JsonFormError> {
    match (version, format) {
        (None, _) | (Some(0), UserDataFormat::V0) | (Some(1), UserDataFormat::V1) => Ok(()),
        (Some(v), format) => err(
            FormatVersion,
            format!("version {v} does not match format {format:?} of the {kind}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_payloads_are_a_map_of_member_to_hex_in_their_order() {
        let sync = [("b".to_string(), vec![0, 0xab]), ("a".to_string(), vec![])];
        let json = serde_json::to_string(&SyncJson(&sync)).unwrap();
        assert_eq!(json, r#"{"b":"00ab","a":""}"#);
    }

    #[test]
    fn hex_reads_either_case_across_whitespace_and_names_the_bad_digit() {
        let bytes = [0u8, 1, 0x7f, 0x80, 0xab, 0xff];
        assert_eq!(HexBytes(bytes.to_vec()).to_string(), "00017f80abff");
        assert_eq!("00 017F\n80ab\tff".parse::<HexBytes>().unwrap().0, bytes);
        assert!("".parse::<HexBytes>().unwrap().is_empty());
        let bad = "00 0g".parse::<HexBytes>().unwrap_err();
        assert_eq!(bad.to_string(), "bad hex digit 'g' at character offset 4");
        // A bad digit is named before an odd count.
        let bad = "abz".parse::<HexBytes>().unwrap_err();
        assert_eq!(
            bad,
            HexError::BadDigit {
                digit: 'z',
                offset: 2
            }
        );
        let odd = "abc".parse::<HexBytes>().unwrap_err();
        assert_eq!(odd.to_string(), "odd number of hex digits (3)");
    }

    #[test]
    fn a_subscription_decodes_to_json_that_encodes_back_to_its_bytes() {
        let mut sub = Subscription::new(["orders", "payments"]);
        sub.owned_partitions = vec![TopicPartition::new("orders", 2)];
        sub.generation = Some(7);
        sub.user_data = Some(7i32.to_be_bytes().to_vec());
        let mut bytes = sub.encode_version(3).unwrap();
        bytes.extend_from_slice(&[9, 9]);
        let json = SubscriptionJson::decode(&bytes, Some(Strategy::CooperativeSticky)).unwrap();
        assert_eq!(json.version, Some(3));
        assert_eq!(json.trailing, Trailing::Full(HexBytes(vec![9, 9])));
        let Some(UserDataJson::Cooperative(user_data)) = &json.user_data_decoded else {
            panic!("no cooperative user data in {json:?}");
        };
        assert_eq!(user_data.generation, Some(7));
        assert_eq!(json.encode(None).unwrap(), bytes);
        // Version 1 has no generation: refused, not dropped.
        let refused = json.encode(Some(1)).unwrap_err();
        assert_eq!(refused.kind(), JsonFormErrorKind::NotInVersion);
        // User data that says something else than its decoded form.
        let mut edited = json.clone();
        edited.user_data = Some(Some(HexBytes(8i32.to_be_bytes().to_vec())));
        assert_eq!(
            edited.encode(None).unwrap_err().kind(),
            JsonFormErrorKind::Mismatch
        );
    }

    #[test]
    fn sticky_user_data_reads_back_as_written_or_is_refused() {
        let json = StickyUserDataJson {
            format: None,
            owned: PartitionMap(vec![("t".into(), vec![0, 1])]),
            generation: Some(3),
            trailing: Trailing::default(),
        };
        let bytes = json.encode(None).unwrap();
        let back = StickyUserDataJson::decode(Some(&bytes));
        assert_eq!(back.format, Some(UserDataFormat::V1));
        assert_eq!((back.generation, back.owned), (Some(3), json.owned.clone()));
        let v0 = json.encode(Some(0)).unwrap_err();
        assert_eq!(v0.kind(), JsonFormErrorKind::FormatVersion);
        let cut = StickyUserDataJson {
            format: Some(UserDataFormat::Fallback),
            trailing: Trailing::of(&[1; 2000]),
            ..json
        };
        assert_eq!(cut.encode(None).unwrap_err().kind(), JsonFormErrorKind::Cut);
    }
}
