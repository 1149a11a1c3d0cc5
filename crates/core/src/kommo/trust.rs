//! Who may configure what (docs/security.md, "Attributes by element").
//!
//! Settings reach a button from three kinds of author, trusted differently:
//! - a `<script class="kommo_oauth">` element: written by the page's developers (HTML
//!   sanitizers never let a `<script>` element through);
//! - any other element with the class (`<div class="amocrm_oauth" data-…>`): possibly user
//!   content that a sanitizer kept, since sanitizers keep `class` and `data-*`;
//! - the options object of `mount()`: the page's own code.
//!
//! The page's markup may render a button and nothing more: it may not choose where the
//! visitor is sent for consent, send a metadata integration's secrets off the site, or mount
//! a button for an integration the page did not list (when it lists them).

use crate::origin::{is_loopback_origin, normalize_origin};

/// The consent page origins of the real providers: the only ones markup may name.
pub const PROVIDER_ORIGINS: [&str; 3] = [
    "https://www.kommo.com",
    "https://www.amocrm.ru",
    "https://www.amocrm.com",
];

/// Who wrote a button's settings; by default, the least trusted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Author {
    /// A `<script>` element with the class.
    ScriptTag,
    /// Any other element with the class (what an HTML sanitizer may let through).
    #[default]
    Markup,
    /// The options object of the npm API's `mount()`.
    Code,
}

/// What the core needs to know about the page to decide what a setting may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context<'a> {
    pub author: Author,
    /// The page's own origin (`location.origin`), e.g. `https://site.example`.
    pub page_origin: &'a str,
    /// The loader tag's `data-allowed-client-ids` as written (ids separated by commas or
    /// whitespace), when the integrator set one.
    pub allowed_client_ids: Option<&'a str>,
    /// The loader tag's `data-allowed-callbacks` as written (names or dotted paths separated
    /// by commas or whitespace): the callback names markup may use.
    pub allowed_callbacks: Option<&'a str>,
}

impl<'a> Context<'a> {
    pub fn new(author: Author, page_origin: &'a str) -> Context<'a> {
        Context {
            author,
            page_origin,
            allowed_client_ids: None,
            allowed_callbacks: None,
        }
    }

    /// Whether markup (not code) may send visitors to `origin` for consent: a provider's own
    /// origin, or a loopback one (the local sandbox) when the page itself is on loopback.
    pub fn allows_auth_origin(&self, origin: &str) -> bool {
        self.author == Author::Code
            || PROVIDER_ORIGINS.contains(&origin)
            || (is_loopback_origin(origin)
                && normalize_origin(self.page_origin).is_some_and(|o| is_loopback_origin(&o)))
    }

    /// Whether a metadata button may use this redirect or secrets URL: markup outside
    /// `<script>` tags only on the page's own origin (user content cannot have a new
    /// integration's secrets posted off the site).
    pub fn allows_metadata_url(&self, url: &str) -> bool {
        self.author != Author::Markup || same_origin(url, self.page_origin)
    }

    /// Whether the page's allow-list (if any) admits this client id.
    pub fn allows_client_id(&self, client_id: &str) -> bool {
        self.author == Author::Code
            || self.allowed_client_ids.map_or(true, |ids| {
                client_id_list(ids).any(|id| id == client_id.as_bytes())
            })
    }

    /// Whether markup may name the global callback `name` (the success callback when
    /// `success`): only when the page listed it on its loader tag (markup must not pick which
    /// page function runs), and a success callback only where the page lists its client ids
    /// too (a success result carries its redirect URL: it must be one of the page's own
    /// integrations'). Page authors may name any.
    pub fn allows_callback(&self, success: bool, name: &str) -> bool {
        self.author != Author::Markup
            || ((!success || self.allowed_client_ids.is_some())
                && self
                    .allowed_callbacks
                    .is_some_and(|names| client_id_list(names).any(|n| n == name.as_bytes())))
    }

    /// Whether the page's allow-list (if any) admits a metadata button: only from `<script>`
    /// tags and code, since it has no client id to list.
    pub fn allows_metadata(&self) -> bool {
        self.allowed_client_ids.is_none() || self.author != Author::Markup
    }
}

/// The entries of a `data-allowed-client-ids` (or `data-allowed-callbacks`) value:
/// separated by commas or whitespace (split as bytes: ids are ASCII, and a `str` split by a
/// closure costs more wasm).
pub fn client_id_list(raw: &str) -> impl Iterator<Item = &[u8]> {
    raw.as_bytes()
        .split(|b| *b == b',' || b.is_ascii_whitespace())
        .filter(|id| !id.is_empty())
}

/// Whether `url` is on `origin` (scheme, host and port; case-insensitive, default ports
/// written or not are not unified: write the URL as the page's origin reads).
fn same_origin(url: &str, origin: &str) -> bool {
    let Some(origin) = normalize_origin(origin) else {
        return false;
    };
    let lower = crate::strings::keyword(url);
    lower
        .strip_prefix(origin.as_str())
        .is_some_and(|rest| matches!(rest.as_bytes().first(), None | Some(b'/' | b'?' | b'#')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::Vec;

    fn markup(page: &str) -> Context<'_> {
        Context::new(Author::Markup, page)
    }

    #[test]
    fn markup_may_name_only_the_providers_origins() {
        let c = markup("https://site.example");
        for origin in PROVIDER_ORIGINS {
            assert!(c.allows_auth_origin(origin), "{origin}");
        }
        assert!(!c.allows_auth_origin("https://attacker.example"));
        assert!(!c.allows_auth_origin("https://www.kommo.com.attacker.example"));
        assert!(
            !c.allows_auth_origin("http://127.0.0.1:7070"),
            "a public page may not send visitors to loopback"
        );
        assert!(Context::new(Author::ScriptTag, "https://site.example")
            .allows_auth_origin("https://www.amocrm.com"));
        assert!(!Context::new(Author::ScriptTag, "https://site.example")
            .allows_auth_origin("https://attacker.example"));
    }

    #[test]
    fn a_page_on_loopback_may_use_the_local_sandbox() {
        for page in [
            "http://localhost:8080",
            "http://127.0.0.1:3000",
            "http://[::1]:8080",
            "http://app.localhost",
        ] {
            assert!(
                markup(page).allows_auth_origin("http://127.0.0.1:7070"),
                "{page}"
            );
        }
        assert!(!markup("http://localhost:8080").allows_auth_origin("https://attacker.example"));
    }

    #[test]
    fn code_may_name_any_secure_origin() {
        assert!(Context::new(Author::Code, "https://site.example")
            .allows_auth_origin("https://auth.example"));
    }

    #[test]
    fn markup_metadata_urls_stay_on_the_page_origin() {
        let c = markup("https://site.example");
        assert!(c.allows_metadata_url("https://site.example/api/secrets"));
        assert!(c.allows_metadata_url("https://SITE.example"));
        assert!(!c.allows_metadata_url("https://site.example.attacker.example/x"));
        assert!(!c.allows_metadata_url("https://attacker.example/secrets"));
        assert!(!c.allows_metadata_url("https://site.example@attacker.example/"));
        assert!(Context::new(Author::ScriptTag, "https://site.example")
            .allows_metadata_url("https://api.site.example/s"));
    }

    #[test]
    fn the_allow_list_limits_markup_and_script_tags_but_not_code() {
        let mut c = markup("https://site.example");
        assert!(
            c.allows_client_id("anything") && c.allows_metadata(),
            "no list: everything renders"
        );
        c.allowed_client_ids = Some("a1, b2\tc3");
        assert_eq!(
            client_id_list("a1, b2\tc3").collect::<Vec<_>>(),
            [&b"a1"[..], b"b2", b"c3"]
        );
        assert!(c.allows_client_id("b2") && !c.allows_client_id("evil") && !c.allows_metadata());
        c.author = Author::ScriptTag;
        assert!(!c.allows_client_id("evil") && c.allows_metadata());
        c.author = Author::Code;
        assert!(c.allows_client_id("evil"));
        assert_eq!(client_id_list(" , ").count(), 0);
    }
}
