//! The message protocol (see `docs/protocol.md`).
//!
//! Three senders reach the integrator's page (the opener):
//! - the consent page, from the authorization origin: `{client_id, error, …}` on decline and
//!   `{url}` in popup mode on allow (compatible with the real Kommo / amoCRM page);
//! - our Redirect URI helper, from the page's own origin, by `postMessage` or by a
//!   `BroadcastChannel` named [`channel_name`] after the attempt's id (a secret only the
//!   attempt and its own window hold): `{type: "kommo-oauth:callback", …}`.
//!
//! Anything else is ignored. The web shell reads `event.data` through [`Fields`], so the
//! same validation runs natively in tests.

use crate::attempt::Fields;
use crate::prelude::*;
use crate::strings::{concat, keyword, query_pairs};

/// The `type` of every message our Redirect URI helper sends.
pub const CALLBACK_TYPE: &str = "kommo-oauth:callback";

/// The `type` of the opener's reply on the `BroadcastChannel`: it tells a helper whose
/// `window.opener` was cut that it runs in the popup (so it may close itself).
pub const ACK_TYPE: &str = "kommo-oauth:ack";

/// The `BroadcastChannel` the helper falls back to when `window.opener` is cut: named after
/// the attempt's id, never its state (integrators reuse a state across tabs and buttons).
pub fn channel_name(attempt_id: &str) -> String {
    concat(&["kommo-oauth:", attempt_id])
}

/// The `sessionStorage` key under which the attempt's own window finds the attempt's id.
pub fn state_key(state: &str) -> String {
    concat(&["kommo-oauth:state:", state])
}

/// What the Redirect URI received: from its query string, or from the helper's message.
/// Serialized as a map of its present fields (see [`Entries`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallbackResult {
    pub code: Option<String>,
    pub state: Option<String>,
    pub referer: Option<String>,
    pub client_id: Option<String>,
    pub from_widget: Option<String>,
    pub error: Option<String>,
    /// The Redirect URI as the popup saw it, query included.
    pub url: String,
}

/// What callbacks, events and promises get for an error: a fresh object of strings,
/// exactly `{client_id, error}` on a provider's decline (as the original), with
/// `error_description` when there is one. Absent fields are left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorResult<'a> {
    pub client_id: Option<&'a str>,
    pub error: &'a str,
    pub error_description: Option<&'a str>,
}

/// The result objects are flat maps of strings: each field's name and value. The browser
/// shell builds a plain object of the present ones (`report::object`); with the `serde`
/// feature they serialize as the same JSON object, a map of the present fields.
pub trait Entries {
    /// Each field's name and value, `None` when it is absent.
    fn entries(&self) -> impl Iterator<Item = (&str, Option<&str>)>;
}

#[cfg(feature = "serde")]
fn serialize_entries<S: serde::Serializer>(
    value: &impl Entries,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(None)?;
    for (key, value) in value.entries() {
        if let Some(value) = value {
            map.serialize_entry(key, value)?;
        }
    }
    map.end()
}

impl Entries for CallbackResult {
    fn entries(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        CALLBACK_FIELDS
            .into_iter()
            .map(|key| (key, self.field(key)))
            .chain([("url", Some(self.url.as_str()))])
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for CallbackResult {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_entries(self, serializer)
    }
}

impl Entries for ErrorResult<'_> {
    fn entries(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        [
            ("client_id", self.client_id),
            ("error", Some(self.error)),
            ("error_description", self.error_description),
        ]
        .into_iter()
    }
}

/// The fields of [`CallbackResult`], in the order the helper writes them.
pub const CALLBACK_FIELDS: [&str; 6] = [
    "code",
    "state",
    "referer",
    "client_id",
    "from_widget",
    "error",
];

impl CallbackResult {
    /// Parses the Redirect URI's query (without the leading `?`).
    pub fn from_query(url: &str, query: &str) -> Self {
        let mut result = CallbackResult {
            url: String::from(url),
            ..Default::default()
        };
        for (key, value) in query_pairs(query.strip_prefix("?").unwrap_or(query)) {
            if let Some(slot) = result.field_mut(&key) {
                *slot = Some(value);
            }
        }
        result
    }

    /// Reads the helper's message payload.
    pub fn from_fields(data: &impl Fields) -> Self {
        let mut result = CallbackResult {
            url: data.string("url").unwrap_or_default(),
            ..Default::default()
        };
        for key in CALLBACK_FIELDS {
            if let Some(slot) = result.field_mut(key) {
                *slot = data.string(key);
            }
        }
        result
    }

    /// The value of one of [`CALLBACK_FIELDS`].
    pub fn field(&self, key: &str) -> Option<&str> {
        match key {
            "code" => self.code.as_deref(),
            "state" => self.state.as_deref(),
            "referer" => self.referer.as_deref(),
            "client_id" => self.client_id.as_deref(),
            "from_widget" => self.from_widget.as_deref(),
            "error" => self.error.as_deref(),
            _ => None,
        }
    }

    fn field_mut(&mut self, key: &str) -> Option<&mut Option<String>> {
        match key {
            "code" => Some(&mut self.code),
            "state" => Some(&mut self.state),
            "referer" => Some(&mut self.referer),
            "client_id" => Some(&mut self.client_id),
            "from_widget" => Some(&mut self.from_widget),
            "error" => Some(&mut self.error),
            _ => None,
        }
    }
}

/// A message the opener acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(untagged))]
pub enum Message {
    /// From the consent page: the user declined, or the provider reports another error.
    ProviderError {
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        client_id: Option<String>,
        error: String,
        #[cfg_attr(
            feature = "serde",
            serde(rename = "error_description", skip_serializing_if = "Option::is_none")
        )]
        description: Option<String>,
    },
    /// From the consent page in popup mode: send the main window to this Redirect URI.
    ProviderRedirect { url: String },
    /// From our Redirect URI helper.
    Callback(CallbackResult),
}

/// Only absolute `http:` and `https:` URLs may be navigated to (never `javascript:`, `data:`,
/// `blob:`, relative or `//host` URLs), and none with control characters or spaces anywhere.
pub fn is_navigable(url: &str) -> bool {
    let lower = keyword(url);
    // Read as bytes (no `char` decoding in the wasm): a control character is a byte below
    // 0x20, 0x7F, or U+0080–U+009F, which UTF-8 writes as 0xC2 and 0x80–0x9F.
    let bytes = url.as_bytes();
    let clean = !bytes.iter().enumerate().any(|(i, &b)| {
        b <= b' '
            || b == 0x7F
            || b == b'\\'
            || (b == 0xC2 && bytes.get(i + 1).is_some_and(|&next| next < 0xA0))
    });
    clean
        && ["https://", "http://"].iter().any(|p| {
            lower
                .strip_prefix(p)
                .is_some_and(|rest| !rest.is_empty() && !rest.starts_with("/"))
        })
}

/// Accepts a message in this order: the origin is the one expected for its kind, the
/// payload has that kind's shape. Everything else is `None` (ignored, never thrown on).
pub fn classify(
    origin: &str,
    provider_origin: &str,
    own_origin: &str,
    data: &impl Fields,
) -> Option<Message> {
    let is_callback = data.string("type").as_deref() == Some(CALLBACK_TYPE);
    if is_callback {
        return (origin == own_origin)
            .then(|| Message::Callback(CallbackResult::from_fields(data)));
    }
    if origin != provider_origin {
        return None;
    }
    if let Some(error) = data.string("error").filter(|e| !e.is_empty()) {
        return Some(Message::ProviderError {
            client_id: data.string("client_id"),
            error,
            description: data.string("error_description"),
        });
    }
    data.string("url")
        .filter(|u| is_navigable(u))
        .map(|url| Message::ProviderRedirect { url })
}

/// A URL's query, without its `?`, never read from its fragment (`…#x?code=…` has none);
/// empty when there is none.
pub fn query_of(url: &str) -> &str {
    crate::strings::split_once(crate::strings::before(url, b'#'), b'?').map_or("", |(_, q)| q)
}

/// The `state` parameter of a URL's query (never its fragment); `None` when there is none,
/// or more than one (servers disagree on which one counts).
pub fn state_of_url(url: &str) -> Option<String> {
    let query = query_of(url);
    if query.is_empty() {
        return None;
    }
    let mut states = query_pairs(query)
        .filter(|(k, _)| k == "state")
        .map(|(_, v)| v);
    let state = states.next()?;
    states.next().is_none().then_some(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_never_read_from_the_fragment() {
        assert_eq!(
            query_of("https://s.example/cb?code=a&state=b#frag"),
            "code=a&state=b"
        );
        assert_eq!(query_of("https://s.example/cb#x?code=evil&state=b"), "");
        assert_eq!(query_of("https://s.example/cb"), "");
        assert_eq!(state_of_url("https://s.example/cb#?state=s1"), None);
    }
    use std::collections::HashMap;

    struct Map(HashMap<&'static str, &'static str>);
    impl Fields for Map {
        fn string(&self, key: &str) -> Option<String> {
            self.0.get(key).map(|v| String::from(*v))
        }
    }
    fn map(pairs: &[(&'static str, &'static str)]) -> Map {
        Map(pairs.iter().copied().collect())
    }

    const PROVIDER: &str = "https://www.kommo.com";
    const OWN: &str = "https://site.example";

    #[test]
    fn accepts_a_decline_from_the_provider_origin() {
        let m = classify(
            PROVIDER,
            PROVIDER,
            OWN,
            &map(&[("client_id", "c"), ("error", "access_denied")]),
        );
        assert_eq!(
            m,
            Some(Message::ProviderError {
                client_id: Some("c".into()),
                error: "access_denied".into(),
                description: None
            })
        );
    }

    #[test]
    fn ignores_provider_shapes_from_foreign_origins() {
        let data = map(&[("client_id", "c"), ("error", "access_denied")]);
        assert_eq!(classify("https://evil.example", PROVIDER, OWN, &data), None);
        assert_eq!(classify(OWN, PROVIDER, OWN, &data), None);
        assert_eq!(
            classify(
                "https://www.kommo.com.evil.example",
                PROVIDER,
                OWN,
                &map(&[("url", "https://x")])
            ),
            None
        );
    }

    #[test]
    fn redirect_only_to_http_urls() {
        assert_eq!(
            classify(
                PROVIDER,
                PROVIDER,
                OWN,
                &map(&[("url", "javascript:alert(1)")])
            ),
            None
        );
        assert_eq!(
            classify(
                PROVIDER,
                PROVIDER,
                OWN,
                &map(&[("url", " javascript:alert(1)")])
            ),
            None
        );
        assert_eq!(
            classify(
                PROVIDER,
                PROVIDER,
                OWN,
                &map(&[("url", "data:text/html,x")])
            ),
            None
        );
        assert_eq!(
            classify(
                PROVIDER,
                PROVIDER,
                OWN,
                &map(&[("url", "https://site.example/cb?code=1")])
            ),
            Some(Message::ProviderRedirect {
                url: "https://site.example/cb?code=1".into()
            })
        );
    }

    #[test]
    fn helper_messages_only_from_own_origin_with_the_marker() {
        let data = map(&[
            ("type", CALLBACK_TYPE),
            ("code", "k"),
            ("state", "s"),
            ("url", "https://site.example/cb"),
        ]);
        let Some(Message::Callback(r)) = classify(OWN, PROVIDER, OWN, &data) else {
            panic!("callback expected")
        };
        assert_eq!(
            (r.code.as_deref(), r.state.as_deref()),
            (Some("k"), Some("s"))
        );
        assert_eq!(classify(PROVIDER, PROVIDER, OWN, &data), None);
        assert_eq!(
            classify(OWN, PROVIDER, OWN, &map(&[("code", "k"), ("source", "x")])),
            None
        );
    }

    #[test]
    fn navigable_urls_are_absolute_http_without_tricks() {
        for bad in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "data:text/html,x",
            "blob:https://a/b",
            "/relative",
            "//host/x",
            "https:///x",
            "https:",
            "http://a\tb",
            "https://a/\n",
            "https://a b",
            "https:\\\\evil",
            "\u{0}https://a",
            "https://a\u{7f}",
        ] {
            assert!(!is_navigable(bad), "{bad:?}");
        }
        assert!(
            is_navigable("HTTPS://Site.example/cb?code=1")
                && is_navigable("http://localhost:8080/cb")
        );
    }

    #[test]
    fn a_character_bars_navigation_exactly_when_it_is_a_control_a_space_or_a_backslash() {
        // The check reads bytes; the rule is about characters (`char::is_control`).
        let chars = ('\u{0}'..='\u{2ff}').chain(['\u{2028}', '\u{feff}', '中', '🙂']);
        for c in chars {
            let url = std::format!("https://a.example/{c}x");
            let barred = c.is_control() || c == ' ' || c == '\\';
            assert_eq!(is_navigable(&url), !barred, "{c:?}");
        }
    }

    #[test]
    fn ignores_unrelated_shapes() {
        assert_eq!(classify(PROVIDER, PROVIDER, OWN, &map(&[])), None);
        assert_eq!(
            classify(
                PROVIDER,
                PROVIDER,
                OWN,
                &map(&[("type", "x"), ("success", "true")])
            ),
            None
        );
        assert_eq!(
            classify(PROVIDER, PROVIDER, OWN, &map(&[("error", "")])),
            None
        );
    }

    #[test]
    fn parses_the_redirect_query() {
        let r = CallbackResult::from_query(
            "u",
            "?code=a%2Bb&state=x+y&referer=acc.kommo.com&client_id=c&from_widget=1",
        );
        assert_eq!(r.code.as_deref(), Some("a+b"));
        assert_eq!(r.state.as_deref(), Some("x y"));
        assert_eq!(r.referer.as_deref(), Some("acc.kommo.com"));
        assert_eq!(r.client_id.as_deref(), Some("c"));
        assert_eq!(r.from_widget.as_deref(), Some("1"));
        let e = CallbackResult::from_query("u", "error=access_denied&client_id=c&state=s");
        assert_eq!(e.error.as_deref(), Some("access_denied"));
    }

    #[test]
    fn state_of_url_reads_the_query_only() {
        assert_eq!(
            state_of_url("https://a/cb?code=1&state=a%20b#state=no").as_deref(),
            Some("a b")
        );
        assert_eq!(state_of_url("https://a/cb#state=no"), None);
        assert_eq!(
            state_of_url("https://a/#?state=s"),
            None,
            "a fragment is not the query"
        );
        assert_eq!(
            state_of_url("https://a/cb?state=s&state=x"),
            None,
            "two states: neither counts"
        );
    }

    #[test]
    fn the_channel_and_the_record_are_named_after_id_and_state() {
        assert_eq!(channel_name("0123abcd"), "kommo-oauth:0123abcd");
        assert_eq!(state_key("s-1"), "kommo-oauth:state:s-1");
    }

    #[test]
    fn a_result_keeps_its_url_and_reads_back_each_field_by_name() {
        let url = "https://s.example/cb?code=c&state=s&referer=r.kommo.com&client_id=i&from_widget=1&error=e";
        let from_query = CallbackResult::from_query(url, query_of(url));
        let message = map(&[
            ("type", CALLBACK_TYPE),
            ("url", url),
            ("code", "c"),
            ("state", "s"),
            ("referer", "r.kommo.com"),
            ("client_id", "i"),
            ("from_widget", "1"),
            ("error", "e"),
        ]);
        let from_fields = CallbackResult::from_fields(&message);
        for result in [&from_query, &from_fields] {
            assert_eq!(result.url, url);
            let fields: Vec<(&str, Option<&str>)> = result.entries().collect();
            assert_eq!(
                fields,
                [
                    ("code", Some("c")),
                    ("state", Some("s")),
                    ("referer", Some("r.kommo.com")),
                    ("client_id", Some("i")),
                    ("from_widget", Some("1")),
                    ("error", Some("e")),
                    ("url", Some(url)),
                ]
            );
        }
        assert_eq!(from_query.field("unknown"), None);
    }
}
