//! URL and origin rules shared by the parser, the trust model and LeadExec: what counts as a
//! secure URL, a loopback origin, a bare origin. (Their own module, so that `parse` and
//! `trust` both use it without importing each other.)

use super::strings::keyword;
use crate::prelude::*;

/// `https://host…`, or `http://` with a loopback host; never with userinfo or a backslash in
/// the authority (`http://localhost:1@evil.example/` is evil.example to the browser).
pub fn is_secure_url(url: &str) -> bool {
    let lower = keyword(url);
    let plain_authority = |rest: &str| {
        let authority = rest
            .bytes()
            .take_while(|b| !matches!(b, b'/' | b'?' | b'#'));
        !authority.into_iter().any(|b| b == b'@' || b == b'\\')
    };
    if let Some(rest) = lower.strip_prefix("https://") {
        return !rest.is_empty() && !rest.starts_with("/") && plain_authority(rest);
    }
    lower
        .strip_prefix("http://")
        .is_some_and(|rest| plain_authority(rest) && is_loopback_host(rest))
}

/// `http://localhost:7070`, `http://127.0.0.1`, `http://[::1]:8080`, `http://app.localhost`.
pub fn is_loopback_origin(origin: &str) -> bool {
    keyword(origin)
        .strip_prefix("http://")
        .is_some_and(is_loopback_host)
}

fn is_loopback_host(rest: &str) -> bool {
    let end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let host_port = &rest[..end];
    let host = match host_port.strip_prefix("[") {
        Some(v6) => super::strings::before(v6, b']'),
        None => super::strings::before(host_port, b':'),
    };
    matches!(host, "localhost" | "127.0.0.1" | "::1") || host.ends_with(".localhost")
}

/// `https://Host:port/` → `https://host:port`; `None` when it is not a bare secure origin.
pub fn normalize_origin(raw: &str) -> Option<String> {
    let lower = keyword(raw);
    let trimmed = lower.strip_suffix("/").unwrap_or(&lower);
    let host = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))?;
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    (host_ok && is_secure_url(trimmed)).then(|| String::from(trimmed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_or_backslashes_never_pass_for_a_secure_host() {
        for url in [
            "http://localhost:1@evil.example/x",
            "https://site.example@evil.example/",
            "http://127.0.0.1\\@evil.example/",
            "https://a\\b/",
        ] {
            assert!(!is_secure_url(url), "{url}");
        }
        assert!(
            is_secure_url("https://site.example/a@b")
                && is_secure_url("http://localhost:8080/cb?x=@")
        );
    }
}
