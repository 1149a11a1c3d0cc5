//! Property tests of what attackers control: the attribute parser (every setting, from any
//! author, on any page) and the message classifier with the attempt's step function. Random
//! and adversarial inputs; the properties: no panic, no navigation outside absolute http(s),
//! no consent origin that markup may not name, no result with another state.
//!
//! `npm test` runs a bounded number of cases (`PROPTEST_CASES`, 2,000 by default here);
//! `npm run fuzz` runs a million.
use crate::attempt::Fields;
use crate::kommo::config::{Mode, Provider};
use crate::kommo::flow::{on_message, Expected, Outcome};
use crate::kommo::parse::parse;
use crate::kommo::protocol::{classify, is_navigable};
use crate::kommo::settings::Setting;
use crate::kommo::trust::{Author, Context, PROVIDER_ORIGINS};
use crate::prelude::*;
use proptest::prelude::*;
use std::collections::HashMap;
use std::string::ToString;
use std::vec;

const PAGE: &str = "https://site.example";
const STATE: &str = "0123456789abcdef0123456789abcdef";

/// Strings an attacker would try: schemes in mixed case, control characters, encodings,
/// prototype names, origins that look like the provider's, plus random text.
fn nasty() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "javascript:",
        "JaVaScRiPt:",
        "data:",
        "blob:",
        "vbscript:",
        "https://",
        "http://",
        "HTTPS://",
        "//",
        "/",
        "\\\\",
        "www.kommo.com",
        "www.kommo.com.attacker.example",
        "attacker.example",
        "127.0.0.1",
        "localhost",
        "[::1]",
        "@",
        "?",
        "#",
        "&",
        "=",
        "%",
        "%0a",
        "%00",
        "\t",
        "\n",
        "\r",
        " ",
        "\u{0}",
        "\u{7f}",
        "\u{2028}",
        "\u{feff}",
        "__proto__",
        "constructor",
        "prototype",
        ".",
        ",",
        "state=",
        STATE,
        "code=",
        "<img src=x onerror=alert(1)>",
        "true",
        "1",
        "yes",
        "dark",
        "post_message",
        "same-tab",
        "crm",
        "notifications",
        "pt-BR",
        "ru",
        "é",
        "Ж",
    ]);
    prop_oneof![
        prop::collection::vec(pieces, 0..8).prop_map(|v| v.concat()),
        ".{0,40}",
        "[ -~]{0,60}",
    ]
}

fn attribute() -> impl Strategy<Value = String> {
    let names: Vec<String> = Setting::ALL
        .iter()
        .flat_map(|s| [Some(s.attribute()), s.attribute_alias()])
        .flatten()
        .map(String::from)
        .chain(["data-unknown", "data-", "class"].map(String::from))
        .collect();
    prop::sample::select(names)
}

fn author() -> impl Strategy<Value = Author> {
    prop::sample::select(vec![Author::ScriptTag, Author::Markup, Author::Code])
}

#[derive(Debug)]
struct Map(HashMap<String, String>);

impl Fields for Map {
    fn string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
}

fn message() -> impl Strategy<Value = Map> {
    let keys = prop::sample::select(vec![
        "type",
        "url",
        "error",
        "client_id",
        "state",
        "code",
        "error_description",
        "x",
    ]);
    let value = prop_oneof![
        nasty(),
        Just("kommo-oauth:callback".to_string()),
        Just("access_denied".to_string()),
        Just("cid".to_string()),
        Just(STATE.to_string()),
        nasty().prop_map(|s| ["https://site.example/cb?code=c&state=", STATE, &s].concat()),
        nasty().prop_map(|s| [s.as_str(), "?state=", STATE].concat()),
    ];
    prop::collection::hash_map(keys.prop_map(String::from), value, 0..6).prop_map(Map)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn parsing_any_attributes_never_panics_and_markup_never_leaves_the_providers(
        attrs in prop::collection::vec((attribute(), nasty()), 0..12),
        who in author(),
        page in prop::sample::select(vec![PAGE, "http://localhost:8080", "http://127.0.0.1:3000", "null", ""]),
        amo in any::<bool>(),
    ) {
        let provider = if amo { Provider::AmoCrm } else { Provider::Kommo };
        let context = Context::new(who, page);
        let parsed = parse(provider, &attrs[..], &context);
        if let Some(config) = parsed.config {
            let origin = config.auth_origin.as_str();
            prop_assert!(origin.starts_with("https://") || origin.starts_with("http://"));
            if who != Author::Code {
                prop_assert!(PROVIDER_ORIGINS.contains(&origin) || (page.starts_with("http://") && origin.starts_with("http://")), "{origin} on {page}");
            }
            for name in [&config.error_callback, &config.success_callback].into_iter().flatten() {
                prop_assert!(!name.split('.').any(|p| matches!(p, "__proto__" | "constructor" | "prototype")));
            }
            if who == Author::Markup {
                // Markup renders a button and signs in; it names no callback and no state.
                prop_assert!(config.error_callback.is_none() && config.success_callback.is_none());
                prop_assert!(config.state.is_none());
            }
        }
        for d in parsed.diagnostics.0 {
            prop_assert!(d.message.starts_with("[kommo-oauth] "));
        }
    }

    #[test]
    fn no_message_navigates_outside_http_or_with_another_state(
        data in message(),
        from in prop::sample::select(vec![PAGE, "https://www.kommo.com", "https://attacker.example", "null", ""]),
        mode in prop::sample::select(vec![Mode::Popup, Mode::PostMessage]),
    ) {
        let expected = Expected { mode, client_id: Some("cid".into()), state: STATE.into() };
        if let Some(message) = classify(from, "https://www.kommo.com", PAGE, &data) {
            match on_message(&expected, message) {
                Some(Outcome::Navigate(url)) => {
                    prop_assert!(is_navigable(&url), "{url:?}");
                    prop_assert!(url.starts_with("https://") || url.starts_with("http://") || url.to_ascii_lowercase().starts_with("http"));
                    prop_assert!(url.contains(&["state=", STATE].concat()));
                }
                Some(Outcome::Success(r) | Outcome::Loaded(r)) => prop_assert_eq!(r.state.as_deref(), Some(STATE)),
                Some(Outcome::Fail(f)) => {
                    // Only the provider's own decision fails an attempt, for this client id or
                    // through this attempt's Redirect URI (its state), with its own error code.
                    let crate::kommo::flow::FailureCode::Provider(code) = f.code else {
                        return Err(TestCaseError::fail("only the provider's decision fails an attempt"));
                    };
                    prop_assert_eq!(f.client_id.as_deref(), Some("cid"));
                    let relayed = data.string("type").as_deref() == Some("kommo-oauth:callback");
                    if relayed {
                        prop_assert_eq!(data.string("state"), Some(STATE.to_string()));
                    } else {
                        prop_assert_eq!(data.string("client_id"), Some("cid".to_string()));
                    }
                    prop_assert_eq!(Some(code), data.string("error"));
                }
                None => {}
            }
        }
    }

    #[test]
    fn navigable_urls_are_absolute_http_without_control_characters(url in nasty()) {
        if is_navigable(&url) {
            let lower = url.to_ascii_lowercase();
            prop_assert!(lower.starts_with("https://") || lower.starts_with("http://"));
            prop_assert!(!url.chars().any(|c| c.is_control() || c == ' ' || c == '\\'));
        }
    }
}
