//! Hex text in and out, for bytes on the command line and in JSON.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Lowercase hex, two digits a byte.
pub(crate) fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Reads hex digits in either case; whitespace between them is ignored, so
/// a dump wrapped over lines or grouped in words reads as one string.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut high: Option<u8> = None;
    let mut digits = 0usize;
    for (at, c) in text.char_indices() {
        if c.is_whitespace() {
            continue;
        }
        let Some(nibble) = c.to_digit(16) else {
            return Err(format!("bad hex digit {c:?} at character offset {at}"));
        };
        // to_digit(16) is below 16, so the cast is exact.
        let nibble = nibble as u8;
        digits += 1;
        match high.take() {
            None => high = Some(nibble),
            Some(h) => out.push(h << 4 | nibble),
        }
    }
    if high.is_some() {
        return Err(format!("odd number of hex digits ({digits})"));
    }
    Ok(out)
}

/// Bytes that JSON carries as a hex string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HexBytes(pub(crate) Vec<u8>);

impl HexBytes {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for HexBytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&encode(&self.0))
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
                decode(text).map(HexBytes).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(HexVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_inverts_encode_and_skips_whitespace() {
        let bytes = [0u8, 1, 0x7f, 0x80, 0xab, 0xff];
        assert_eq!(encode(&bytes), "00017f80abff");
        assert_eq!(decode("00 017F\n80ab\tff").unwrap(), bytes);
        assert_eq!(decode("").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn decode_names_the_bad_digit_and_odd_counts() {
        assert_eq!(
            decode("00 0g").unwrap_err(),
            "bad hex digit 'g' at character offset 4"
        );
        assert_eq!(decode("abc").unwrap_err(), "odd number of hex digits (3)");
    }
}
