//! The Java client's string order, where its answers depend on it.
//!
//! Java's `String.compareTo` compares UTF-16 code units. That is Rust's `str`
//! order (code points) except when a character above U+FFFF meets one in
//! U+E000..=U+FFFF: in UTF-16 the former starts with a surrogate (U+D800..)
//! and sorts first.

use std::cmp::Ordering;

/// Compares two strings as Java's `String.compareTo` does.
pub(crate) fn java_cmp(a: &str, b: &str) -> Ordering {
    // Byte order equals code-point order, so only the first differing
    // character needs the UTF-16 correction.
    let diverge = a
        .bytes()
        .zip(b.bytes())
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let start = floor_char_boundary(a, diverge).min(floor_char_boundary(b, diverge));
    let (mut rest_a, mut rest_b) = (a[start..].chars(), b[start..].chars());
    loop {
        match (rest_a.next(), rest_b.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x == y => continue,
            (Some(x), Some(y)) => return utf16_key(x).cmp(&utf16_key(y)),
        }
    }
}

/// A key whose order is the order of the characters' UTF-16 encodings.
fn utf16_key(c: char) -> (u32, u32) {
    let code = c as u32;
    if code >= 0x1_0000 {
        // The high surrogate decides against any BMP character; two
        // supplementary characters compare by code point.
        (0xD800 + ((code - 0x1_0000) >> 10), code)
    } else {
        (code, 0)
    }
}

fn floor_char_boundary(s: &str, mut index: usize) -> usize {
    index = index.min(s.len());
    while !s.is_char_boundary(index) {
        index -= 1;
    }
    index
}

use crate::index::{GroupIndex, MemberIdx};

/// Member ids in the Java client's `MemberInfo` order: static members first,
/// by `group.instance.id`, then dynamic members by member id, each compared
/// as Java compares strings.
pub(crate) fn java_member_order(index: &GroupIndex<'_>) -> Vec<MemberIdx> {
    let mut order: Vec<MemberIdx> = MemberIdx::all(index.members.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (index.members[a.index()], index.members[b.index()]);
        match (&a.instance_id, &b.instance_id) {
            (Some(x), Some(y)) => java_cmp(x, y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => java_cmp(&a.id, &b.id),
        }
    });
    order
}

#[cfg(test)]
mod tests {
    use super::java_cmp;
    use std::cmp::Ordering;

    fn utf16_cmp(a: &str, b: &str) -> Ordering {
        a.encode_utf16().cmp(b.encode_utf16())
    }

    #[test]
    fn supplementary_sorts_before_high_bmp() {
        // "😀smile" before "！bang" (U+FF01), as the Java client sorts them.
        assert_eq!(java_cmp("😀smile", "！bang"), Ordering::Less);
        assert_eq!("😀smile".cmp("！bang"), Ordering::Greater);
    }

    #[test]
    fn agrees_with_utf16_order_on_samples() {
        let samples = [
            "",
            "a",
            "ab",
            "b",
            "é",
            "주문",
            "café",
            "😀",
            "😀a",
            "！",
            "\u{E000}",
            "\u{FFFF}",
            "\u{10000}",
            "\u{10FFFF}",
            "a😀",
            "a！",
            "member-1",
            "member-10",
            "member-2",
        ];
        for a in samples {
            for b in samples {
                assert_eq!(java_cmp(a, b), utf16_cmp(a, b), "{a:?} vs {b:?}");
            }
        }
    }
}
