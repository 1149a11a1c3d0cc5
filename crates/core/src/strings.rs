//! Small string helpers that avoid `core::fmt` (it costs kilobytes in the wasm).

use crate::prelude::*;

/// Concatenates string pieces into one `String` without going through `format!`.
pub fn concat(parts: &[&str]) -> String {
    append(
        String::with_capacity(parts.iter().map(|p| p.len()).sum()),
        parts,
    )
}

/// `out` with `parts` appended (a prefix and a message in one allocation).
pub fn append(mut out: String, parts: &[&str]) -> String {
    for part in parts {
        out.push_str(part);
    }
    out
}

/// Bytes this module wrote, all ASCII, as a `String`. (Built as bytes: pushing `char`s
/// links UTF-8 encoding the drop-in does not otherwise need.)
fn ascii(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_default()
}

/// Decimal text of an integer, without `core::fmt`.
pub fn int(n: i64) -> String {
    let mut digits = Vec::with_capacity(20);
    let mut rest = n.unsigned_abs();
    loop {
        digits.push(b'0' + (rest % 10) as u8);
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        digits.push(b'-');
    }
    digits.reverse();
    ascii(digits)
}

/// Lower-case hex of bytes (used for random state values).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 15)]);
    }
    ascii(out)
}

/// Percent-encodes a URL component exactly as `encodeURIComponent` does: UTF-8 bytes, all
/// but `A–Z a–z 0–9 - _ . ! ~ * ' ( )` as `%XX`.
///
/// These and [`query_pairs`] replace the percent-encoding and form_urlencoded crates here:
/// the wasm needs only this much of them, and their general machinery (an escape table,
/// `Cow` and lossy UTF-8 paths) costs more than 1.5 KB gzipped would allow (docs/size.md).
pub fn encode_component(value: &str) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            )
        {
            out.push(b);
        } else {
            out.extend_from_slice(&[
                b'%',
                DIGITS[usize::from(b >> 4)],
                DIGITS[usize::from(b & 15)],
            ]);
        }
    }
    ascii(out)
}

/// Decodes `%XX` escapes (and `+` as a space when `plus` is set, as in a query string); a
/// `%` not followed by two hex digits stays as it is. `None` when the bytes are not UTF-8.
pub fn decode(value: &str, plus: bool) -> Option<String> {
    let bytes = value.as_bytes();
    let digit = |i: usize| match bytes.get(i)? {
        b @ b'0'..=b'9' => Some(b - b'0'),
        b @ b'a'..=b'f' => Some(b - b'a' + 10),
        b @ b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match (b, digit(i + 1), digit(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push(high * 16 + low);
                i += 2;
            }
            (b'+', _, _) if plus => out.push(b' '),
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// `s` split at each `sep`, an ASCII byte, as `str::split` does with a `char`. (A byte
/// search instead of the `char` pattern machinery, which the drop-in then does not link:
/// docs/size.md.)
pub fn split(s: &str, sep: u8) -> Split<'_> {
    Split { rest: Some(s), sep }
}

/// The iterator of [`split`].
pub struct Split<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match rest.bytes().position(|b| b == self.sep) {
            Some(at) => {
                self.rest = Some(&rest[at + 1..]);
                Some(&rest[..at])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// `s` split at the first `sep`, an ASCII byte, as `str::split_once` does with a `char`.
pub fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let at = s.bytes().position(|b| b == sep)?;
    Some((&s[..at], &s[at + 1..]))
}

/// `s` up to its first `sep` (an ASCII byte), or all of it.
pub fn before(s: &str, sep: u8) -> &str {
    split_once(s, sep).map_or(s, |(head, _)| head)
}

/// The decoded `key=value` pairs of a query string (without its `?`), as
/// `application/x-www-form-urlencoded` reads them; pairs that do not decode to UTF-8 are
/// left out.
pub fn query_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    split(query, b'&')
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| {
            let (key, value) = split_once(pair, b'=').unwrap_or((pair, ""));
            Some((decode(key, true)?, decode(value, true)?))
        })
}

/// Trims (ASCII whitespace, as HTML attributes use) and ASCII-lower-cases a setting value,
/// for comparison against keywords.
pub fn keyword(value: &str) -> String {
    value.trim_ascii().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_splits_read_as_str_splits() {
        for (s, sep) in [
            ("a,b,,c", ','),
            ("", ','),
            (",", ','),
            ("no-separator", ','),
            ("é,ü", ','),
        ] {
            let ours: Vec<&str> = split(s, sep as u8).collect();
            let std: Vec<&str> = s.split(sep).collect();
            assert_eq!(ours, std, "{s:?}");
        }
        assert_eq!(split_once("k=v=w", b'='), Some(("k", "v=w")));
        assert_eq!(split_once("k", b'='), None);
        assert_eq!(before("https://x/a#b", b'#'), "https://x/a");
        assert_eq!(before("no", b'#'), "no");
    }

    #[test]
    fn concat_joins_pieces_in_order() {
        assert_eq!(concat(&["a", "", "bc"]), "abc");
    }

    #[test]
    fn int_writes_negative_and_positive_numbers() {
        assert_eq!(int(-12), "-12");
        assert_eq!(int(750), "750");
        assert_eq!(int(0), "0");
        assert_eq!(int(i64::MIN), "-9223372036854775808");
    }

    #[test]
    fn encode_component_matches_encode_uri_component() {
        // encodeURIComponent("a b&c=d/é%{}-_.!~*'()") in any browser.
        assert_eq!(
            encode_component("a b&c=d/é%{}-_.!~*'()"),
            "a%20b%26c%3Dd%2F%C3%A9%25%7B%7D-_.!~*'()"
        );
        assert_eq!(encode_component(""), "");
    }

    #[test]
    fn decode_reads_escapes_and_plus_only_in_queries() {
        assert_eq!(decode("a%2Bb+c%C3%A9", true).as_deref(), Some("a+b cé"));
        assert_eq!(decode("a+b%2f", false).as_deref(), Some("a+b/"));
        assert_eq!(decode("100%", true).as_deref(), Some("100%"));
        assert_eq!(decode("%zz%4", true).as_deref(), Some("%zz%4"));
        assert_eq!(decode("%FF", true), None);
    }

    #[test]
    fn query_pairs_split_like_form_urlencoded() {
        let pairs: Vec<(String, String)> = query_pairs("a=1&&b=x%3Dy=z&c&=v&bad=%FF").collect();
        let expected = [("a", "1"), ("b", "x=y=z"), ("c", ""), ("", "v")];
        assert_eq!(pairs.len(), expected.len());
        for ((k, v), (ek, ev)) in pairs.iter().zip(expected) {
            assert_eq!((k.as_str(), v.as_str()), (ek, ev));
        }
    }

    #[test]
    fn hex_is_two_lowercase_digits_per_byte() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }
}
