//! Small string helpers that avoid `core::fmt` (it costs kilobytes in the wasm).

use crate::prelude::*;
/// Concatenates string pieces into one `String` without going through `format!`.
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// Decimal text of an integer, without `core::fmt`.
pub fn int(n: i64) -> String {
    let mut buf = itoa::Buffer::new();
    String::from(buf.format(n))
}

/// Lower-case hex of bytes (used for random state values).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Trims and ASCII-lower-cases a setting value for comparison against keywords.
pub fn keyword(value: &str) -> String {
    value.trim().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concat_joins_pieces_in_order() {
        assert_eq!(concat(&["a", "", "bc"]), "abc");
    }

    #[test]
    fn int_writes_negative_and_positive_numbers() {
        assert_eq!(int(-12), "-12");
        assert_eq!(int(750), "750");
    }

    #[test]
    fn hex_is_two_lowercase_digits_per_byte() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }
}
