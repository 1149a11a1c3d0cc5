//! What every request passes before a route sees it (docs/security.md, "The servers"):
//!
//! - **Host allow-list**: loopback names and the configured public name only, so a web page
//!   cannot read the sandbox through DNS rebinding (its secrets are in `/sandbox/api/state`).
//! - **Cross-site requests refused**: a state-changing request (`POST`) whose `Origin` is not
//!   the sandbox's own is refused, and a browser form post (`application/x-www-form-urlencoded`)
//!   must carry the sandbox's `Origin`: browsers send `Origin` on every `POST`, so any site
//!   the developer visits cannot approve a consent or disable an install. Scripts and back
//!   ends (the token endpoint, the JSON API) send no `Origin`; the token endpoint
//!   ([`MACHINE_FORMS`]) takes form posts without one, as OAuth 2 clients send them (it
//!   changes nothing without the client's secret). The sandbox keeps no cookies,
//!   so an `Origin` check is the whole of it; JSON bodies also need a `Content-Type` that a
//!   cross-site form cannot send.
//! - **Security headers**: `nosniff` everywhere; HTML pages may not be framed
//!   (`X-Frame-Options`, `frame-ancestors`) and send no referrer to other sites.
//! - **Body size**: at most [`MAX_BODY`] bytes (in the router, `DefaultBodyLimit`).

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The largest request body accepted.
pub const MAX_BODY: usize = 64 * 1024;

/// Paths where a form post without `Origin` is a back end's, not a browser's: RFC 6749's
/// token requests are `application/x-www-form-urlencoded`.
pub const MACHINE_FORMS: &[&str] = &["/oauth2/access_token"];

/// The host names this sandbox answers to.
#[derive(Clone, Debug, Default)]
pub struct Hosts {
    /// `--public-host`: a name the sandbox is reached by besides loopback (e.g. a tunnel).
    pub public: Option<String>,
}

impl Hosts {
    /// Whether a `Host` header (`name[:port]`) names this sandbox.
    pub fn allows(&self, host: &str) -> bool {
        let name = host_name(host).to_ascii_lowercase();
        let loopback = matches!(name.as_str(), "localhost" | "127.0.0.1" | "[::1]")
            || name.ends_with(".localhost");
        loopback
            || self
                .public
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(&name))
    }
}

/// `name` of `name:port`, keeping an IPv6 literal's brackets.
fn host_name(host: &str) -> &str {
    match host.strip_prefix('[') {
        Some(rest) => rest.find(']').map_or(host, |end| &host[..end + 2]),
        None => host.split(':').next().unwrap_or_default(),
    }
}

pub async fn guard(State(hosts): State<Arc<Hosts>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if !hosts.allows(host) {
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "this sandbox answers only to loopback names (and --public-host)",
        );
    }
    if request.method() == Method::POST {
        let machine = MACHINE_FORMS.contains(&request.uri().path());
        if let Err(why) = same_origin_post(headers, host, machine) {
            return refuse(StatusCode::FORBIDDEN, why);
        }
    }
    let mut response = next.run(request).await;
    harden(response.headers_mut());
    response
}

/// A `POST` from a browser page must come from the sandbox's own origin; a form post
/// without `Origin` is refused unless `machine` (a back end's endpoint).
fn same_origin_post(headers: &HeaderMap, host: &str, machine: bool) -> Result<(), &'static str> {
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .map(str::to_ascii_lowercase)
        .is_some_and(|c| {
            [
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "text/plain",
            ]
            .iter()
            .any(|t| c.starts_with(t))
        });
    match origin {
        Some(origin)
            if origin == format!("http://{host}") || origin == format!("https://{host}") =>
        {
            Ok(())
        }
        Some(_) => Err("cross-site request refused (its Origin is not this sandbox)"),
        None if form && !machine => {
            Err("a form post must come from this sandbox's own pages (no Origin header)")
        }
        None => Ok(()),
    }
}

fn harden(headers: &mut HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .is_some_and(|c| c.starts_with("text/html"));
    if html {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
        // Not `no-referrer`: with it, browsers send `Origin: null` on the page's own form
        // posts, which the Origin check above would then refuse.
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
    }
}

fn refuse(status: StatusCode, hint: &'static str) -> Response {
    (
        status,
        axum::Json(
            serde_json::json!({ "status": status.as_u16(), "title": "Refused", "hint": hint }),
        ),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_to_loopback_names_and_the_public_one_only() {
        let hosts = Hosts {
            public: Some("sandbox.example.test".into()),
        };
        for ok in [
            "localhost:7070",
            "127.0.0.1:7070",
            "[::1]:7070",
            "app.localhost",
            "LOCALHOST",
            "sandbox.example.test:443",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "127.0.0.1.nip.io",
            "localhost.evil.example",
            "",
            "[::1",
            "sandbox.example.test.evil",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
    }

    #[test]
    fn cross_site_posts_are_refused_and_forms_need_an_origin() {
        let mut h = HeaderMap::new();
        assert!(
            same_origin_post(&h, "127.0.0.1:7070", false).is_ok(),
            "a script without Origin"
        );
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        assert!(
            same_origin_post(&h, "127.0.0.1:7070", false).is_err(),
            "a form without Origin"
        );
        assert!(
            same_origin_post(&h, "127.0.0.1:7070", true).is_ok(),
            "a back end's token request"
        );
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:7070"),
        );
        assert!(same_origin_post(&h, "127.0.0.1:7070", false).is_ok());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(same_origin_post(&h, "127.0.0.1:7070", false).is_err());
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(same_origin_post(&h, "127.0.0.1:7070", false).is_err());
    }
}
