//! Reading settings into a [`ButtonConfig`], tolerant of how people really write them
//! (whitespace, case, `"1"`/`"true"`), with one diagnostic per problem.

use super::config::*;
use super::settings::{Keyword, Setting, Source};
use super::text::default_title;
use super::trust::{Author, Context};
use crate::diag::{Diagnostic, Diagnostics};
use crate::origin::{is_secure_url, normalize_origin};
use crate::prelude::*;
use crate::strings::{decode, keyword};

/// The outcome of reading one tag: a config, or `None` when the tag is unusable.
pub struct Parsed {
    pub config: Option<ButtonConfig>,
    pub diagnostics: Diagnostics,
}

/// Whether the source carries any of our settings at all. Elements with the class and no
/// settings (a theme's own markup) are skipped quietly; any setting makes it a button tag.
pub fn has_settings(source: &(impl Source + ?Sized)) -> bool {
    Setting::ALL.iter().any(|s| source.get(*s).is_some())
}

/// Reads and validates every setting, as far as `context` (who wrote them, on which page)
/// lets them reach.
pub fn parse(provider: Provider, source: &(impl Source + ?Sized), context: &Context) -> Parsed {
    let mut d = Diagnostics::default();
    let identity = identity(source, context, &mut d);
    let locale = locale(provider, source, &mut d);
    let appearance = appearance(provider, locale, source, &mut d);
    let config = identity.map(|identity| ButtonConfig {
        provider,
        identity,
        appearance,
        locale,
        mode: keyword_setting::<Mode>(source, &mut d),
        state: page_authored(
            source,
            Setting::State,
            context,
            "a random state is used",
            &mut d,
        )
        .map(String::from),
        error_callback: page_authored(
            source,
            Setting::ErrorCallback,
            context,
            "no callback will be called",
            &mut d,
        )
        .and_then(|name| callback_name(Setting::ErrorCallback, name, &mut d)),
        success_callback: page_authored(
            source,
            Setting::SuccessCallback,
            context,
            "no callback will be called",
            &mut d,
        )
        .and_then(|name| callback_name(Setting::SuccessCallback, name, &mut d)),
        auth_origin: auth_origin(provider, source, context, &mut d),
        fallback: keyword_setting::<Fallback>(source, &mut d),
    });
    Parsed {
        config,
        diagnostics: d,
    }
}

/// A setting that only page authors may give (`<script>` tags and code): from other
/// elements, a callback name picks which page function runs (`jQuery.getScript` with a
/// foreign integration's redirect URL, `ko.applyBindings` over markup's own `data-bind`),
/// and a known state would let a link in user content finish someone else's sign-in. There
/// it is refused with a warning (the DOM events still fire), except a callback name the page
/// listed on its loader tag (`data-allowed-callbacks`, `Context::allows_callback`).
fn page_authored<'a>(
    source: &'a (impl Source + ?Sized),
    setting: Setting,
    context: &Context,
    instead: &str,
    d: &mut Diagnostics,
) -> Option<&'a str> {
    let value = text(source, setting)?;
    let callback = matches!(setting, Setting::ErrorCallback | Setting::SuccessCallback);
    if context.author != Author::Markup
        || (callback && context.allows_callback(setting == Setting::SuccessCallback, value))
    {
        return Some(value);
    }
    warn(
        d,
        setting,
        value,
        if callback {
            "only on a <script class=\"kommo_oauth\"> tag, or a name the loader tag lists in data-allowed-callbacks"
        } else {
            "only on a <script class=\"kommo_oauth\"> tag"
        },
        instead,
    );
    None
}

/// `data-theme="blue" is not accepted (accepted: light, dark); using "light".`
fn warn(d: &mut Diagnostics, setting: Setting, value: &str, accepted: &str, instead: &str) {
    d.push(Diagnostic::invalid(
        setting.attribute(),
        value,
        accepted,
        instead,
    ));
}

/// `no button rendered: data-logo="…" must be …`, the rest from `tail`.
fn refuse(d: &mut Diagnostics, setting: Setting, value: &str, tail: &[&str]) {
    let mut refused =
        Diagnostic::fatal(&["no button rendered: ", setting.attribute(), "=\"", value]);
    refused.message = crate::strings::append(refused.message, tail);
    d.push(refused);
}

/// A trimmed, non-empty value.
fn text(source: &(impl Source + ?Sized), setting: Setting) -> Option<&str> {
    let trimmed = source.get(setting)?.trim_ascii();
    (!trimmed.is_empty()).then_some(trimmed)
}

/// Parses a boolean the ways people write one; `None` for a value that is neither.
pub fn boolean(value: &str) -> Option<bool> {
    match keyword(value).as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}

fn identity(
    source: &(impl Source + ?Sized),
    context: &Context,
    d: &mut Diagnostics,
) -> Option<Identity> {
    if let Some(id) = text(source, Setting::ClientId) {
        if !context.allows_client_id(id) {
            refuse(
                d,
                Setting::ClientId,
                id,
                &["\" is not in the loader tag's data-allowed-client-ids."],
            );
            return None;
        }
        return Some(Identity::ClientId(String::from(id)));
    }
    let name = text(source, Setting::Name);
    let description = text(source, Setting::Description);
    let redirect = text(source, Setting::RedirectUri);
    let secrets = text(source, Setting::SecretsUri);
    let scopes = scopes(source, d);
    // A plain loop rather than `[&str]::join` (see docs/size.md).
    let mut missing = String::new();
    for (absent, setting) in [
        (name.is_none(), Setting::Name),
        (description.is_none(), Setting::Description),
        (redirect.is_none(), Setting::RedirectUri),
        (secrets.is_none(), Setting::SecretsUri),
        (scopes.is_empty(), Setting::Scopes),
    ] {
        if absent {
            if !missing.is_empty() {
                missing.push_str(", ");
            }
            missing.push_str(setting.attribute());
        }
    }
    if !missing.is_empty() {
        d.push(Diagnostic::fatal(&[
            "no button rendered: missing ",
            Setting::ClientId.attribute(),
            " (or, for a metadata button, ",
            &missing,
            ").",
        ]));
        return None;
    }
    if !context.allows_metadata() {
        d.push(Diagnostic::fatal(&[
            "no button rendered: with data-allowed-client-ids, a metadata button is accepted only on a <script> tag.",
        ]));
        return None;
    }
    let redirect_uri = site_url(Setting::RedirectUri, redirect?, context, d)?;
    let secrets_uri = site_url(Setting::SecretsUri, secrets?, context, d)?;
    let logo = text(source, Setting::Logo).and_then(|logo| {
        let checked = secure_url(Setting::Logo, logo, &mut Diagnostics::default());
        if checked.is_none() {
            warn(
                d,
                Setting::Logo,
                logo,
                "an https:// URL",
                "the consent page shows no logo",
            );
        }
        checked
    });
    Some(Identity::Metadata(Metadata {
        name: String::from(name?),
        description: String::from(description?),
        redirect_uri,
        secrets_uri,
        logo,
        scopes,
    }))
}

/// A metadata URL: secure, and on the page's own origin unless a `<script>` tag or code set it.
fn site_url(
    setting: Setting,
    value: &str,
    context: &Context,
    d: &mut Diagnostics,
) -> Option<String> {
    let url = secure_url(setting, value, d)?;
    if context.allows_metadata_url(&url) {
        return Some(url);
    }
    refuse(
        d,
        setting,
        value,
        &[
            "\" must be on this page's origin (",
            context.page_origin,
            ") unless set on a <script> tag.",
        ],
    );
    None
}

/// Accepts `https://…` (or `http://` on a loopback host, for the local sandbox); decodes a
/// value that arrives already percent-encoded (`https%3A%2F%2F…`) so it is encoded once.
fn secure_url(setting: Setting, value: &str, d: &mut Diagnostics) -> Option<String> {
    let lower = keyword(value);
    let encoded = lower.starts_with("http%3a") || lower.starts_with("https%3a");
    let decoded = encoded
        .then(|| decode(value, false))
        .flatten()
        .unwrap_or_else(|| String::from(value));
    if is_secure_url(&decoded) {
        return Some(decoded);
    }
    refuse(
        d,
        setting,
        value,
        &["\" must be an https:// URL (http:// is accepted only for localhost)."],
    );
    None
}

fn scopes(source: &(impl Source + ?Sized), d: &mut Diagnostics) -> Vec<Scope> {
    let Some(raw) = text(source, Setting::Scopes) else {
        return Vec::new();
    };
    let mut scopes = Vec::new();
    for item in crate::strings::split(raw, b',')
        .map(keyword)
        .filter(|s| !s.is_empty())
    {
        let scope = match item.as_str() {
            "crm" => Scope::Crm,
            "notifications" => Scope::Notifications,
            _ => {
                warn(
                    d,
                    Setting::Scopes,
                    &item,
                    "crm, notifications",
                    "leaving it out",
                );
                continue;
            }
        };
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    scopes
}

fn locale(provider: Provider, source: &(impl Source + ?Sized), d: &mut Diagnostics) -> Locale {
    let Some(raw) = text(source, Setting::Locale) else {
        return Locale::En;
    };
    let lower = keyword(raw);
    let end = lower
        .bytes()
        .position(|b| b == b'-' || b == b'_')
        .unwrap_or(lower.len());
    let primary = &lower[..end];
    match primary {
        "en" => Locale::En,
        "es" => Locale::Es,
        "pt" | "br" => Locale::Pt,
        "id" => Locale::Id,
        "ru" if provider == Provider::AmoCrm => Locale::En,
        _ => {
            warn(d, Setting::Locale, raw, "en, es, pt, id", "using \"en\"");
            Locale::En
        }
    }
}

fn appearance(
    provider: Provider,
    locale: Locale,
    source: &(impl Source + ?Sized),
    d: &mut Diagnostics,
) -> Appearance {
    let wording = keyword_setting::<TextVariant>(source, d);
    let title = String::from(
        text(source, Setting::Title).unwrap_or_else(|| default_title(provider, locale, wording)),
    );
    let compact = match text(source, Setting::Compact) {
        None => false,
        Some(raw) => boolean(raw).unwrap_or_else(|| {
            let accepted = "true, false (also 1, 0, yes, no)";
            warn(d, Setting::Compact, raw, accepted, "showing the title");
            false
        }),
    };
    let mut classes: Vec<String> = text(source, Setting::ClassName)
        .map(|raw| raw.split_ascii_whitespace().map(String::from).collect())
        .unwrap_or_default();
    if classes.is_empty() {
        classes.push(String::from(provider.default_class()));
    }
    Appearance {
        title,
        compact,
        size: keyword_setting::<Size>(source, d),
        width: width(source, d),
        classes,
        theme: keyword_setting::<Theme>(source, d),
        // amoCRM buttons are always coloured; Kommo's only when asked.
        color: match (provider, text(source, Setting::Color)) {
            (Provider::Kommo, None) => None,
            _ => Some(keyword_setting::<Color>(source, d)),
        },
        shape: keyword_setting::<Shape>(source, d),
        logo_alignment: keyword_setting::<LogoAlignment>(source, d),
    }
}

/// `data-width`: `240` or `240px` (from 120 to 600), `100%`, or `auto`.
fn width(source: &(impl Source + ?Sized), d: &mut Diagnostics) -> Width {
    let Some(raw) = text(source, Setting::Width) else {
        return Width::Auto;
    };
    let lower = keyword(raw);
    match lower.as_str() {
        "auto" => return Width::Auto,
        "100%" => return Width::Full,
        _ => {}
    }
    let digits = lower.strip_suffix("px").unwrap_or(&lower);
    // Up to three digits, folded by hand: `str::parse` links the general integer parser
    // (docs/size.md).
    let px = (1..=3)
        .contains(&digits.len())
        .then(|| {
            digits.bytes().try_fold(0u16, |n, b| {
                b.is_ascii_digit().then(|| n * 10 + u16::from(b - b'0'))
            })
        })
        .flatten()
        .filter(|n| (Width::MIN_PX..=Width::MAX_PX).contains(n));
    if let Some(px) = px {
        return Width::Pixels(px);
    }
    warn(
        d,
        Setting::Width,
        raw,
        "120 to 600 (pixels), 100% or auto",
        "using \"auto\"",
    );
    Width::Auto
}

/// Reads a keyword setting (`data-theme`, `data-color`, `data-mode`, `data-fallback`,
/// `data-size`): any listed spelling, case-insensitive; absent gives the first value (the
/// default), anything else warns once and gives the default too.
fn keyword_setting<K: Keyword>(source: &(impl Source + ?Sized), d: &mut Diagnostics) -> K {
    K::VALUES[keyword_index(source, K::SETTING, K::SPELLINGS, d)]
}

/// The index of the spelling list `setting`'s value matches; 0 (the default) when absent.
fn keyword_index(
    source: &(impl Source + ?Sized),
    setting: Setting,
    spellings: &[&str],
    d: &mut Diagnostics,
) -> usize {
    match text(source, setting) {
        Some(raw) => pick(setting, raw, spellings, d),
        None => 0,
    }
}

/// The index of the value `raw` spells; else a diagnostic naming the accepted values, and 0
/// (the default). One copy for every keyword setting (the generic reader above only maps the
/// index).
fn pick(setting: Setting, raw: &str, spellings: &[&str], d: &mut Diagnostics) -> usize {
    let lower = keyword(raw);
    let spelt = |s: &&str| crate::strings::split(s, b'|').any(|w| w == lower);
    if let Some(index) = spellings.iter().position(spelt) {
        return index;
    }
    let mut accepted = String::new();
    for (i, s) in spellings.iter().enumerate() {
        if i > 0 {
            accepted.push_str(", ");
        }
        accepted.push_str(crate::strings::before(s, b'|'));
    }
    warn(
        d,
        setting,
        raw,
        &accepted,
        &crate::strings::concat(&["using \"", crate::strings::before(spellings[0], b'|'), "\""]),
    );
    0
}

/// A global function name or dotted path (`app.auth.onError`); resolved at message time.
fn callback_name(setting: Setting, raw: &str, d: &mut Diagnostics) -> Option<String> {
    if is_callback_path(raw) {
        return Some(String::from(raw));
    }
    warn(
        d,
        setting,
        raw,
        "the name of a global function of yours, or a dotted path such as app.auth.onError (never __proto__, constructor or prototype)",
        "no callback will be called",
    );
    None
}

/// Identifiers separated by dots: never evaluated, only looked up property by property.
/// (Non-ASCII letters are accepted as JavaScript accepts them; checking them precisely would
/// pull Unicode tables into the wasm for no safety gain, since nothing is evaluated.)
pub fn is_callback_path(path: &str) -> bool {
    // By bytes: every byte of a non-ASCII character is one above 0x7F.
    let word = |b: u8| b == b'_' || b == b'$' || b.is_ascii_alphanumeric() || !b.is_ascii();
    let forbidden = |part: &str| matches!(part, "__proto__" | "constructor" | "prototype");
    crate::strings::split(path, b'.').all(|part| {
        part.bytes()
            .next()
            .is_some_and(|b| word(b) && !b.is_ascii_digit())
            && part.bytes().all(word)
            && !forbidden(part)
    })
}

fn auth_origin(
    provider: Provider,
    source: &(impl Source + ?Sized),
    context: &Context,
    d: &mut Diagnostics,
) -> String {
    let default = String::from(provider.default_origin());
    let Some(raw) = text(source, Setting::AuthOrigin) else {
        return default;
    };
    match normalize_origin(raw).filter(|origin| context.allows_auth_origin(origin)) {
        Some(origin) => origin,
        None => {
            let accepted =
                "https://www.kommo.com, https://www.amocrm.ru, https://www.amocrm.com; loopback \
                            on a loopback page; others only by mount()";
            let fallback = if provider == Provider::Kommo {
                "using https://www.kommo.com"
            } else {
                "using https://www.amocrm.ru"
            };
            warn(d, Setting::AuthOrigin, raw, accepted, fallback);
            default
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Level;
    use alloc::string::ToString;
    use std::vec;

    fn test_context() -> Context<'static> {
        Context::new(Author::ScriptTag, "http://localhost:8080")
    }

    fn kommo(attrs: &[(&str, &str)]) -> Parsed {
        parse(Provider::Kommo, attrs, &test_context())
    }

    fn config(attrs: &[(&str, &str)]) -> ButtonConfig {
        kommo(attrs).config.expect("config")
    }

    #[test]
    fn documented_snippet_reads_every_attribute() {
        let c = config(&[
            ("data-client-id", "xxxx"),
            ("data-title", "Button"),
            ("data-compact", "false"),
            ("data-class-name", "className"),
            ("data-theme", "light"),
            ("data-locale", "en"),
            ("data-state", "state"),
            ("data-error-callback", "functionName"),
            ("data-mode", "popup"),
        ]);
        assert_eq!(c.identity, Identity::ClientId("xxxx".into()));
        assert_eq!(c.appearance.title, "Button");
        assert!(!c.appearance.compact);
        assert_eq!(c.appearance.classes, vec!["className".to_string()]);
        assert_eq!(c.appearance.theme, Theme::Light);
        assert_eq!(c.appearance.color, None);
        assert_eq!(c.state.as_deref(), Some("state"));
        assert_eq!(c.error_callback.as_deref(), Some("functionName"));
        assert_eq!(c.mode, Mode::Popup);
        assert_eq!(c.auth_origin, "https://www.kommo.com");
    }

    #[test]
    fn tolerates_case_whitespace_and_numeric_booleans() {
        let c = config(&[
            ("data-client-id", "  abc  "),
            ("data-compact", " 1 "),
            ("data-theme", "DARK"),
            ("data-mode", "Post-Message"),
            ("data-locale", "pt-BR"),
        ]);
        assert_eq!(c.identity, Identity::ClientId("abc".into()));
        assert!(c.appearance.compact);
        assert_eq!(c.appearance.theme, Theme::Dark);
        assert_eq!(c.mode, Mode::PostMessage);
        assert_eq!(c.locale, Locale::Pt);
        assert_eq!(c.appearance.title, "Continuar com Kommo");
    }

    #[test]
    fn locale_translates_default_title_but_not_a_custom_one() {
        assert_eq!(
            config(&[("data-client-id", "a"), ("data-locale", "es")])
                .appearance
                .title,
            "Continuar con Kommo"
        );
        assert_eq!(
            config(&[("data-client-id", "a"), ("data-locale", "id")])
                .appearance
                .title,
            "Lanjutkan dengan Kommo"
        );
        let custom = config(&[
            ("data-client-id", "a"),
            ("data-locale", "es"),
            ("data-title", "Entrar"),
        ]);
        assert_eq!(custom.appearance.title, "Entrar");
    }

    #[test]
    fn invalid_values_warn_naming_attribute_value_and_accepted_then_default() {
        let p = kommo(&[
            ("data-client-id", "a"),
            ("data-theme", "blue"),
            ("data-mode", "redirect"),
            ("data-compact", "maybe"),
            ("data-locale", "fr"),
        ]);
        let c = p.config.expect("config");
        assert_eq!(
            (c.appearance.theme, c.mode, c.appearance.compact, c.locale),
            (Theme::Light, Mode::Popup, false, Locale::En)
        );
        let messages: Vec<&str> = p.diagnostics.0.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 4);
        assert!(
            messages[0].contains("data-locale=\"fr\"") && messages[0].contains("en, es, pt, id")
        );
        assert!(messages
            .iter()
            .any(|m| m.contains("data-theme=\"blue\"") && m.contains("light, dark")));
        assert!(messages
            .iter()
            .any(|m| m.contains("data-mode=\"redirect\"") && m.contains("popup, post_message")));
        assert!(p.diagnostics.0.iter().all(|d| d.level == Level::Warn));
    }

    #[test]
    fn amocrm_defaults_to_the_default_colour_and_russian_title() {
        let c = parse(
            Provider::AmoCrm,
            &[("data-client-id", "a")][..],
            &test_context(),
        )
        .config
        .expect("config");
        assert_eq!(c.appearance.color, Some(Color::Default));
        assert_eq!(c.appearance.title, "Авторизоваться через amoCRM");
        assert_eq!(c.appearance.classes, vec!["amocrm-oauth".to_string()]);
        assert_eq!(c.auth_origin, "https://www.amocrm.ru");
    }

    #[test]
    fn unknown_colour_falls_back_to_default_with_a_warning_and_kommo_honours_colour() {
        let p = kommo(&[("data-client-id", "a"), ("data-color", "white")]);
        assert_eq!(
            p.config.expect("config").appearance.color,
            Some(Color::Default)
        );
        assert!(p.diagnostics.0[0].message.contains("data-color=\"white\""));
        assert_eq!(
            config(&[("data-client-id", "a"), ("data-color", " Violet")])
                .appearance
                .color,
            Some(Color::Violet)
        );
    }

    #[test]
    fn empty_class_name_keeps_the_default_class_and_several_classes_split() {
        assert_eq!(
            config(&[("data-client-id", "a"), ("data-class-name", "")])
                .appearance
                .classes,
            vec!["kommo-oauth".to_string()]
        );
        assert_eq!(
            config(&[("data-client-id", "a"), ("data-class-name", " a  b ")])
                .appearance
                .classes,
            vec!["a".to_string(), "b".to_string()]
        );
    }

    #[test]
    fn no_client_id_and_no_metadata_is_unusable_and_says_what_is_missing() {
        let p = kommo(&[("data-title", "x")]);
        assert!(p.config.is_none());
        assert_eq!(p.diagnostics.0[0].level, crate::diag::Level::Error);
        assert!(p.diagnostics.0[0].message.contains("data-client-id"));
    }

    fn metadata(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut v = vec![
            ("data-name", "My app"),
            ("data-description", "Does things"),
            ("data-redirect_uri", "https://example.com/cb"),
            ("data-secrets_uri", "https://example.com/secrets"),
            ("data-scopes", "crm, notifications"),
        ];
        v.extend_from_slice(extra);
        v
    }

    #[test]
    fn metadata_button_reads_the_full_set() {
        let attrs = metadata(&[("data-logo", "https://example.com/logo.png")]);
        let c = parse(Provider::AmoCrm, &attrs[..], &test_context())
            .config
            .expect("config");
        let Identity::Metadata(m) = c.identity else {
            panic!("metadata expected")
        };
        assert_eq!(m.scopes, vec![Scope::Crm, Scope::Notifications]);
        assert_eq!(m.logo.as_deref(), Some("https://example.com/logo.png"));
    }

    #[test]
    fn client_id_wins_over_metadata() {
        let attrs = metadata(&[("data-client-id", "id-1")]);
        assert_eq!(
            parse(Provider::AmoCrm, &attrs[..], &test_context())
                .config
                .expect("config")
                .identity,
            Identity::ClientId("id-1".into())
        );
    }

    #[test]
    fn partial_metadata_names_the_missing_attributes() {
        let p = parse(
            Provider::AmoCrm,
            &[("data-name", "x"), ("data-scopes", "crm")][..],
            &test_context(),
        );
        assert!(p.config.is_none());
        let m = &p.diagnostics.0[0].message;
        assert!(
            m.contains("missing data-client-id")
                && m.contains("data-description")
                && m.contains("data-redirect_uri")
                && !m.contains("data-name"),
            "{m}"
        );
        assert!(
            m.contains("(or, for a metadata button, data-description, data-redirect_uri, data-secrets_uri)"),
            "{m}"
        );
    }

    #[test]
    fn metadata_urls_must_be_https_except_on_localhost() {
        let p = parse(
            Provider::AmoCrm,
            &[
                ("data-name", "x"),
                ("data-description", "d"),
                ("data-scopes", "crm"),
                ("data-redirect_uri", "http://example.com/cb"),
                ("data-secrets_uri", "https://e.com/s"),
            ][..],
            &test_context(),
        );
        assert!(p.config.is_none());
        assert!(p.diagnostics.0[0]
            .message
            .contains("data-redirect_uri=\"http://example.com/cb\""));
        let ok = parse(
            Provider::AmoCrm,
            &[
                ("data-name", "x"),
                ("data-description", "d"),
                ("data-scopes", "crm"),
                ("data-redirect_uri", "http://localhost:8080/cb"),
                ("data-secrets_uri", "http://127.0.0.1:9/s"),
            ][..],
            &test_context(),
        );
        assert!(ok.config.is_some());
    }

    #[test]
    fn insecure_logo_is_dropped_with_a_warning() {
        let attrs = metadata(&[("data-logo", "http://example.com/l.png")]);
        let p = parse(Provider::AmoCrm, &attrs[..], &test_context());
        let Identity::Metadata(m) = p.config.expect("config").identity else {
            panic!()
        };
        assert_eq!(m.logo, None);
        assert!(p.diagnostics.0[0].message.contains("data-logo"));
    }

    #[test]
    fn percent_encoded_secrets_uri_is_decoded_once() {
        let attrs = metadata(&[])
            .into_iter()
            .map(|(k, v)| {
                if k == "data-secrets_uri" {
                    (k, "https%3A%2F%2Fexample.com%2Fs")
                } else {
                    (k, v)
                }
            })
            .collect::<Vec<_>>();
        let Identity::Metadata(m) = parse(Provider::AmoCrm, &attrs[..], &test_context())
            .config
            .expect("config")
            .identity
        else {
            panic!()
        };
        assert_eq!(m.secrets_uri, "https://example.com/s");
    }

    #[test]
    fn unknown_scopes_are_dropped_with_a_warning() {
        let attrs = metadata(&[])
            .into_iter()
            .map(|(k, v)| {
                if k == "data-scopes" {
                    (k, "crm,files")
                } else {
                    (k, v)
                }
            })
            .collect::<Vec<_>>();
        let p = parse(Provider::AmoCrm, &attrs[..], &test_context());
        assert!(p.diagnostics.0[0].message.contains("data-scopes=\"files\""));
    }

    #[test]
    fn class_only_elements_have_no_settings() {
        assert!(!has_settings(&[("data-foo", "x"), ("id", "y")][..]));
        assert!(has_settings(&[("data-title", "x")][..]));
        assert!(has_settings(&[("data-client-id", "a")][..]));
        assert!(has_settings(&[("data-name", "a")][..]));
    }

    #[test]
    fn callback_path_characters_are_judged_as_characters() {
        // The check reads bytes; the rule is about characters.
        let chars = ('\u{0}'..='\u{2ff}').chain(['\u{2028}', '中', '🙂']);
        for c in chars {
            let word = c == '_' || c == '$' || c.is_ascii_alphanumeric() || !c.is_ascii();
            assert_eq!(
                is_callback_path(&std::format!("a{c}")),
                word,
                "{c:?} inside"
            );
            let first = word && !c.is_ascii_digit();
            assert_eq!(
                is_callback_path(&std::format!("{c}a")),
                first,
                "{c:?} first"
            );
        }
    }

    #[test]
    fn callback_paths_are_identifiers_joined_by_dots() {
        assert!(is_callback_path("handleOauthError"));
        assert!(is_callback_path("app.auth.onError"));
        assert!(is_callback_path("$cb_1"));
        assert!(!is_callback_path("alert(1)"));
        assert!(!is_callback_path("a..b"));
        let p = kommo(&[
            ("data-client-id", "a"),
            ("data-error-callback", "alert(document.cookie)"),
        ]);
        assert_eq!(p.config.expect("config").error_callback, None);
        assert!(p.diagnostics.0[0].message.contains("data-error-callback"));
    }

    #[test]
    fn auth_origin_override_is_normalized_and_validated() {
        assert_eq!(
            config(&[
                ("data-client-id", "a"),
                ("data-auth-origin", "https://www.kommo.com/")
            ])
            .auth_origin,
            "https://www.kommo.com"
        );
        assert_eq!(
            config(&[
                ("data-client-id", "a"),
                ("data-auth-origin", "http://127.0.0.1:7070")
            ])
            .auth_origin,
            "http://127.0.0.1:7070"
        );
        let p = kommo(&[
            ("data-client-id", "a"),
            ("data-auth-origin", "http://evil.example"),
        ]);
        assert_eq!(
            p.config.expect("config").auth_origin,
            "https://www.kommo.com"
        );
        assert_eq!(normalize_origin("javascript:alert(1)"), None);
        assert_eq!(normalize_origin("https://a.com/path"), None);
    }

    #[test]
    fn state_passes_through_as_given() {
        let c = config(&[("data-client-id", "a"), ("data-state", "a b&c={{X}}")]);
        assert_eq!(c.state.as_deref(), Some("a b&c={{X}}"));
        assert_eq!(
            config(&[("data-client-id", "a"), ("data-state", "")]).state,
            None
        );
    }

    #[test]
    fn markup_cannot_send_visitors_to_a_foreign_consent_origin() {
        let context = Context::new(Author::Markup, "https://site.example");
        for origin in [
            "https://attacker.example",
            "http://127.0.0.1:7070",
            "https://www.kommo.com.attacker.example",
        ] {
            let p = parse(
                Provider::Kommo,
                &[("data-client-id", "x"), ("data-auth-origin", origin)][..],
                &context,
            );
            assert_eq!(
                p.config.expect("config").auth_origin,
                "https://www.kommo.com",
                "{origin}"
            );
            assert!(
                p.diagnostics.0[0].message.contains(origin)
                    && p.diagnostics.0[0].message.contains("mount()")
            );
        }
        let amo = parse(
            Provider::Kommo,
            &[
                ("data-client-id", "x"),
                ("data-auth-origin", "https://www.amocrm.com/"),
            ][..],
            &context,
        );
        assert_eq!(
            amo.config.expect("config").auth_origin,
            "https://www.amocrm.com"
        );
        let code = parse(
            Provider::Kommo,
            &[
                ("data-client-id", "x"),
                ("data-auth-origin", "https://auth.example"),
            ][..],
            &Context::new(Author::Code, "https://site.example"),
        );
        assert_eq!(
            code.config.expect("config").auth_origin,
            "https://auth.example"
        );
    }

    #[test]
    fn callback_paths_never_walk_prototypes() {
        for path in [
            "__proto__",
            "a.__proto__.b",
            "constructor",
            "x.constructor",
            "Object.prototype.f",
        ] {
            let p = kommo(&[("data-client-id", "a"), ("data-error-callback", path)]);
            assert_eq!(p.config.expect("config").error_callback, None, "{path}");
            assert!(p.diagnostics.0[0].message.contains(path));
        }
        assert!(
            is_callback_path("app.auth.onError")
                && is_callback_path("$cb")
                && is_callback_path("protoType")
        );
    }

    #[test]
    fn markup_metadata_buttons_keep_their_secrets_on_the_site() {
        let context = Context::new(Author::Markup, "https://site.example");
        let attrs = metadata(&[]);
        let p = parse(Provider::AmoCrm, &attrs[..], &context);
        assert!(p.config.is_none());
        assert!(p.diagnostics.0[0]
            .message
            .contains("must be on this page's origin (https://site.example)"));
        let own = [
            ("data-name", "x"),
            ("data-description", "d"),
            ("data-scopes", "crm"),
            ("data-redirect_uri", "https://site.example/cb"),
            ("data-secrets_uri", "https://site.example/s"),
        ];
        assert!(parse(Provider::AmoCrm, &own[..], &context).config.is_some());
    }

    #[test]
    fn the_loader_allow_list_refuses_other_client_ids_and_markup_metadata() {
        let mut context = Context::new(Author::Markup, "https://site.example");
        context.allowed_client_ids = Some("mine");
        assert!(
            parse(Provider::Kommo, &[("data-client-id", "mine")][..], &context)
                .config
                .is_some()
        );
        let other = parse(
            Provider::Kommo,
            &[("data-client-id", "theirs")][..],
            &context,
        );
        assert!(other.config.is_none());
        assert!(other.diagnostics.0[0].message.contains(
            "data-client-id=\"theirs\" is not in the loader tag's data-allowed-client-ids"
        ));
        let own = [
            ("data-name", "x"),
            ("data-description", "d"),
            ("data-scopes", "crm"),
            ("data-redirect_uri", "https://site.example/cb"),
            ("data-secrets_uri", "https://site.example/s"),
        ];
        assert!(parse(Provider::AmoCrm, &own[..], &context).config.is_none());
        context.author = Author::ScriptTag;
        assert!(parse(Provider::AmoCrm, &own[..], &context).config.is_some());
    }

    #[test]
    fn text_variant_shape_and_logo_alignment_read_as_keywords() {
        let c = config(&[
            ("data-client-id", "x"),
            ("data-locale", "pt-BR"),
            ("data-text", "SIGNUP_WITH"),
            ("data-shape", "pill"),
            ("data-logo-alignment", "center"),
        ]);
        assert_eq!(c.appearance.title, "Cadastre-se com Kommo");
        assert_eq!(c.appearance.shape, Shape::Pill);
        assert_eq!(c.appearance.logo_alignment, LogoAlignment::Center);
        let amo = parse(
            Provider::AmoCrm,
            &[("data-client-id", "x"), ("data-text", "signin_with")][..],
            &test_context(),
        );
        assert_eq!(
            amo.config.expect("config").appearance.title,
            "Войти через amoCRM"
        );
        let titled = config(&[
            ("data-client-id", "x"),
            ("data-text", "signin_with"),
            ("data-title", "Mine"),
        ]);
        assert_eq!(
            titled.appearance.title, "Mine",
            "a title replaces the wording"
        );
        let p = kommo(&[
            ("data-client-id", "x"),
            ("data-text", "login"),
            ("data-shape", "round"),
        ]);
        let c = p.config.expect("config");
        assert_eq!(
            (c.appearance.title.as_str(), c.appearance.shape),
            ("Continue with Kommo", Shape::Rectangular)
        );
        let messages: Vec<&str> = p.diagnostics.0.iter().map(|d| d.message.as_str()).collect();
        assert!(
            messages.iter().any(|m| m.contains("data-text=\"login\"")
                && m.contains("continue_with, signin_with, signup_with")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("data-shape=\"round\"") && m.contains("rectangular, pill")),
            "{messages:?}"
        );
    }

    #[test]
    fn markup_may_name_only_the_callbacks_the_loader_tag_lists() {
        let attrs = [
            ("data-client-id", "x"),
            ("data-error-callback", "app.onKommoError"),
            ("data-success-callback", "jQuery.getScript"),
            ("data-state", "known"),
        ];
        let mut context = Context::new(Author::Markup, "https://site.example");
        context.allowed_callbacks = Some("onOther, app.onKommoError");
        let p = parse(Provider::Kommo, &attrs[..], &context);
        let c = p.config.expect("config");
        assert_eq!(c.error_callback.as_deref(), Some("app.onKommoError"));
        assert_eq!(c.success_callback, None, "not listed");
        assert_eq!(c.state, None, "a state is never markup's");
        let messages: Vec<&str> = p.diagnostics.0.iter().map(|d| d.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("data-success-callback=\"jQuery.getScript\"")
                    && m.contains("data-allowed-callbacks")),
            "{messages:?}"
        );
        assert!(
            !messages.iter().any(|m| m.contains("data-error-callback")),
            "{messages:?}"
        );
        context.allowed_callbacks = Some("app");
        let p = parse(Provider::Kommo, &attrs[..], &context);
        assert_eq!(
            p.config.expect("config").error_callback,
            None,
            "whole names only"
        );
    }

    #[test]
    fn markup_may_not_set_the_state_or_a_success_callback() {
        let attrs = [
            ("data-client-id", "x"),
            ("data-state", "known"),
            ("data-success-callback", "jQuery.getScript"),
            ("data-error-callback", "onErr"),
        ];
        let p = parse(
            Provider::Kommo,
            &attrs[..],
            &Context::new(Author::Markup, "https://site.example"),
        );
        let c = p.config.expect("config");
        assert_eq!(
            (c.state, c.success_callback, c.error_callback),
            (None, None, None)
        );
        let messages: Vec<&str> = p.diagnostics.0.iter().map(|d| d.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.contains("data-state=\"known\"") && m.contains("a random state is used")), "{messages:?}");
        assert!(
            messages
                .iter()
                .any(|m| m.contains("data-success-callback=\"jQuery.getScript\"")),
            "{messages:?}"
        );
        let script = parse(
            Provider::Kommo,
            &attrs[..],
            &Context::new(Author::ScriptTag, "https://site.example"),
        )
        .config
        .expect("config");
        assert_eq!(
            (script.state.as_deref(), script.success_callback.as_deref()),
            (Some("known"), Some("jQuery.getScript"))
        );
    }

    #[test]
    fn size_and_width_take_keywords_pixels_and_percent_and_warn_otherwise() {
        let c = config(&[
            ("data-client-id", "x"),
            ("data-size", " Small "),
            ("data-width", "240px"),
        ]);
        assert_eq!(
            (c.appearance.size, c.appearance.width),
            (Size::Small, Width::Pixels(240))
        );
        let c = config(&[("data-client-id", "x"), ("data-width", "100%")]);
        assert_eq!(
            (c.appearance.size, c.appearance.width),
            (Size::Large, Width::Full)
        );
        assert_eq!(
            config(&[("data-client-id", "x"), ("data-width", "320")])
                .appearance
                .width,
            Width::Pixels(320)
        );
        for bad in ["90", "601", "50%", "wide", "-1px"] {
            let p = kommo(&[
                ("data-client-id", "x"),
                ("data-width", bad),
                ("data-size", "huge"),
            ]);
            let c = p.config.expect("config");
            assert_eq!(
                (c.appearance.size, c.appearance.width),
                (Size::Large, Width::Auto)
            );
            let messages: Vec<&str> = p.diagnostics.0.iter().map(|d| d.message.as_str()).collect();
            assert_eq!(messages.len(), 2, "{messages:?}");
            assert!(messages
                .iter()
                .any(|m| m.contains("data-width") && m.contains(bad) && m.contains("100%")));
            assert!(messages
                .iter()
                .any(|m| m.contains("data-size") && m.contains("large, medium, small")));
        }
    }

    #[test]
    fn booleans_read_every_written_form_and_nothing_else() {
        for yes in ["true", "1", "yes", "on", " TRUE "] {
            assert_eq!(boolean(yes), Some(true), "{yes}");
        }
        for no in ["false", "0", "no", "off", ""] {
            assert_eq!(boolean(no), Some(false), "{no:?}");
        }
        assert_eq!(boolean("maybe"), None);
    }

    #[test]
    fn locales_are_read_by_their_primary_tag_and_russian_only_on_amocrm() {
        let locale = |provider, value| {
            let parsed = parse(
                provider,
                &[("data-client-id", "c"), ("data-locale", value)][..],
                &test_context(),
            );
            (parsed.config.unwrap().locale, parsed.diagnostics.0.len())
        };
        assert_eq!(locale(Provider::Kommo, "en"), (Locale::En, 0));
        assert_eq!(locale(Provider::Kommo, "es-MX"), (Locale::Es, 0));
        assert_eq!(locale(Provider::Kommo, "pt_BR"), (Locale::Pt, 0));
        assert_eq!(locale(Provider::Kommo, "br"), (Locale::Pt, 0));
        assert_eq!(locale(Provider::Kommo, "id"), (Locale::Id, 0));
        assert_eq!(
            locale(Provider::AmoCrm, "ru"),
            (Locale::En, 0),
            "amoCRM's own default"
        );
        assert_eq!(
            locale(Provider::Kommo, "ru"),
            (Locale::En, 1),
            "not Kommo's: a warning"
        );
        assert_eq!(Locale::Es.code(), "es");
        assert_eq!(Locale::Pt.code(), "pt");
        assert_eq!(Locale::Id.code(), "id");
        assert_eq!(Locale::En.code(), "en");
    }

    #[test]
    fn width_auto_is_said_without_a_warning() {
        let parsed = kommo(&[("data-client-id", "c"), ("data-width", "AUTO")]);
        assert_eq!(parsed.config.unwrap().appearance.width, Width::Auto);
        assert!(parsed.diagnostics.0.is_empty());
    }

    #[test]
    fn an_invalid_keyword_lists_every_accepted_spelling_once() {
        let parsed = kommo(&[("data-client-id", "c"), ("data-mode", "window")]);
        let message = &parsed.diagnostics.0[0].message;
        assert!(
            message.contains("(accepted: popup, post_message)"),
            "{message}"
        );
    }

    #[test]
    fn callback_paths_are_dotted_identifiers_with_no_empty_part() {
        for good in ["onError", "app.auth.onError", "$cb", "_x1", "ünïcode"] {
            assert!(is_callback_path(good), "{good}");
        }
        for bad in [
            "",
            "1abc",
            "a..b",
            "a.",
            ".a",
            "a-b",
            "a b",
            "a.__proto__",
            "constructor",
            "a.prototype",
        ] {
            assert!(!is_callback_path(bad), "{bad}");
        }
    }

    #[test]
    fn an_auth_origin_refused_falls_back_to_the_providers_own() {
        let on = |provider| {
            let parsed = parse(
                provider,
                &[
                    ("data-client-id", "c"),
                    ("data-auth-origin", "https://evil.example"),
                ][..],
                &test_context(),
            );
            (
                parsed.config.unwrap().auth_origin,
                parsed.diagnostics.0[0].message.clone(),
            )
        };
        let (kommo_origin, kommo_says) = on(Provider::Kommo);
        assert_eq!(kommo_origin, "https://www.kommo.com");
        assert!(
            kommo_says.contains("using https://www.kommo.com"),
            "{kommo_says}"
        );
        let (amo_origin, amo_says) = on(Provider::AmoCrm);
        assert_eq!(amo_origin, "https://www.amocrm.ru");
        assert!(
            amo_says.contains("using https://www.amocrm.ru"),
            "{amo_says}"
        );
    }

    #[test]
    fn a_client_id_is_the_identity_and_a_metadata_button_has_none() {
        assert_eq!(
            config(&[("data-client-id", "cid")]).identity.client_id(),
            Some("cid")
        );
        let metadata = parse(Provider::Kommo, &metadata(&[])[..], &test_context());
        assert_eq!(metadata.config.unwrap().identity.client_id(), None);
    }
}
