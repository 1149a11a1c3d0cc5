//! Every setting of the button in one table: its `data-*` attribute on a tag (and the second
//! spelling people also write) and its key in the programmatic options object; a keyword
//! setting names its type, whose [`Keyword`] impl below lists the accepted spellings and the
//! default (how every other value is read is its rule in `parse`). The `Setting` enum,
//! `Setting::ALL`, the names, the auto-mount's watched attributes and (checked by a test in
//! the root crate, src/lib.rs) the TypeScript option keys
//! all come from this table: adding a setting is one row here plus its parsing rule in
//! `parse`.

use crate::kommo::config::{Color, Fallback, LogoAlignment, Mode, Shape, Size, TextVariant, Theme};

macro_rules! settings {
    ($(
        $(#[$doc:meta])*
        $variant:ident => $attribute:literal $(| $alias:literal)?, $option:literal $(, $keyword:ty)?;
    )*) => {
        /// One setting of the button.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Setting {
            $($(#[$doc])* $variant,)*
        }

        impl Setting {
            /// Every setting, in table order.
            pub const ALL: &'static [Setting] = &[$(Setting::$variant,)*];

            /// What the auto-mount's `MutationObserver` watches, separated by spaces: `class`,
            /// then every attribute and alias (one string: the filter crosses to JS once).
            pub const WATCHED: &'static str = concat!("class" $(, " ", $attribute $(, " ", $alias)?)*);

            /// The attribute an integrator writes on the tag.
            pub const fn attribute(self) -> &'static str {
                /// One table, indexed: a `match` here is compiled into a lookup table per
                /// caller that knows a range of settings (two in the drop-in).
                const ATTRIBUTES: &[&str] = &[$($attribute,)*];
                ATTRIBUTES[self as usize]
            }

            /// A second spelling accepted for the attribute (people write both).
            pub const fn attribute_alias(self) -> Option<&'static str> {
                match self { $(Setting::$variant => settings!(@alias $($alias)?),)* }
            }

            /// The key of the programmatic options object (`mount(el, { clientId, … })`).
            pub const fn option(self) -> &'static str {
                match self { $(Setting::$variant => $option,)* }
            }

            /// A keyword setting's accepted spellings, per value (separated by `|`), the
            /// default's first (for tests and generated documentation; the parser reads them
            /// through [`Keyword`]).
            pub const fn spellings(self) -> Option<&'static [&'static str]> {
                match self { $(Setting::$variant => settings!(@spellings $($keyword)?),)* }
            }
        }
    };
    (@spellings $keyword:ty) => { Some(<$keyword as Keyword>::SPELLINGS) };
    (@spellings) => { None };
    (@alias $alias:literal) => { Some($alias) };
    (@alias) => { None };
}

settings! {
    /// The integration's ID; or the metadata set below creates one on the fly.
    ClientId => "data-client-id" | "data-client_id", "clientId";
    Title => "data-title", "title";
    Compact => "data-compact", "compact";
    ClassName => "data-class-name", "className";
    Theme => "data-theme", "theme", Theme;
    Color => "data-color", "color", Color;
    Locale => "data-locale", "locale";
    /// Page authors only (`trust`).
    State => "data-state", "state";
    Mode => "data-mode", "mode", Mode;
    /// Page authors only (`trust`).
    ErrorCallback => "data-error-callback", "errorCallback";
    /// Page authors only (`trust`).
    SuccessCallback => "data-success-callback", "successCallback";
    /// Metadata button: the integration's name.
    Name => "data-name", "name";
    Description => "data-description", "description";
    RedirectUri => "data-redirect_uri" | "data-redirect-uri", "redirectUri";
    SecretsUri => "data-secrets_uri" | "data-secrets-uri", "secretsUri";
    Logo => "data-logo", "logo";
    Scopes => "data-scopes", "scopes";
    AuthOrigin => "data-auth-origin", "authOrigin";
    Fallback => "data-fallback", "fallback", Fallback;
    Size => "data-size", "size", Size;
    Width => "data-width", "width";
    /// The default title's wording, localized: continue with, sign in with, sign up with.
    Text => "data-text", "text", TextVariant;
    Shape => "data-shape", "shape", Shape;
    LogoAlignment => "data-logo-alignment", "logoAlignment", LogoAlignment;
}

impl Setting {
    /// Every attribute name and alias, for the auto-mount's `MutationObserver` filter.
    pub fn attribute_names() -> impl Iterator<Item = &'static str> {
        Setting::ALL
            .iter()
            .flat_map(|s| [Some(s.attribute()), s.attribute_alias()])
            .flatten()
    }
}

/// A setting whose value is one of a few keywords: the generic reader in `parse` accepts
/// any listed spelling (ASCII case-insensitive) and warns with the first spelling of each.
pub trait Keyword: Copy + 'static {
    /// The setting it is read from.
    const SETTING: Setting;
    /// The values; the first is the default (absent, or not one of these).
    const VALUES: &'static [Self];
    /// Each value's accepted spellings, in the order of `VALUES`, separated by `|`, the one
    /// shown in messages first. (Two arrays rather than pairs: the reader in `parse` then
    /// needs only the spellings, and one copy of it serves every keyword setting. One string
    /// per value rather than a list: no table of lists in the wasm's data.)
    const SPELLINGS: &'static [&'static str];
}

/// How a keyword value is written (its first spelling): `Color::Green` → `"green"`.
pub fn spelling<K: Keyword + PartialEq>(value: K) -> &'static str {
    let index = K::VALUES.iter().position(|v| *v == value).unwrap_or(0);
    crate::strings::before(K::SPELLINGS[index], b'|')
}

impl Keyword for Theme {
    const SETTING: Setting = Setting::Theme;
    const VALUES: &'static [Theme] = &[Theme::Light, Theme::Dark];
    const SPELLINGS: &'static [&'static str] = &["light", "dark"];
}

impl Keyword for Color {
    const SETTING: Setting = Setting::Color;
    const VALUES: &'static [Color] = &[
        Color::Default,
        Color::Blue,
        Color::Violet,
        Color::Green,
        Color::Orange,
        Color::Red,
    ];
    const SPELLINGS: &'static [&'static str] =
        &["default", "blue", "violet", "green", "orange", "red"];
}

impl Keyword for Mode {
    const SETTING: Setting = Setting::Mode;
    const VALUES: &'static [Mode] = &[Mode::Popup, Mode::PostMessage];
    const SPELLINGS: &'static [&'static str] = &["popup", "post_message|post-message|postmessage"];
}

impl Keyword for Fallback {
    const SETTING: Setting = Setting::Fallback;
    const VALUES: &'static [Fallback] = &[Fallback::None, Fallback::SameTab];
    const SPELLINGS: &'static [&'static str] = &["none", "same-tab|same_tab"];
}

impl Keyword for Size {
    const SETTING: Setting = Setting::Size;
    const VALUES: &'static [Size] = &[Size::Large, Size::Medium, Size::Small];
    const SPELLINGS: &'static [&'static str] = &["large", "medium", "small"];
}

impl Keyword for TextVariant {
    const SETTING: Setting = Setting::Text;
    const VALUES: &'static [TextVariant] = &[
        TextVariant::ContinueWith,
        TextVariant::SigninWith,
        TextVariant::SignupWith,
    ];
    const SPELLINGS: &'static [&'static str] = &["continue_with", "signin_with", "signup_with"];
}

impl Keyword for Shape {
    const SETTING: Setting = Setting::Shape;
    const VALUES: &'static [Shape] = &[Shape::Rectangular, Shape::Pill];
    const SPELLINGS: &'static [&'static str] = &["rectangular", "pill"];
}

impl Keyword for LogoAlignment {
    const SETTING: Setting = Setting::LogoAlignment;
    const VALUES: &'static [LogoAlignment] = &[LogoAlignment::Left, LogoAlignment::Center];
    const SPELLINGS: &'static [&'static str] = &["left", "center"];
}

/// Where settings come from: the web shell implements this over a tag's attributes or a
/// JavaScript options object; tests implement it over a list of pairs.
pub trait Source {
    /// The raw value of a setting, or `None` when it is absent.
    fn get(&self, setting: Setting) -> Option<&str>;
}

/// A `Source` over `(attribute, value)` pairs: a snapshot of a tag's attributes, or a list in tests.
impl<S: AsRef<str>> Source for [(S, S)] {
    fn get(&self, setting: Setting) -> Option<&str> {
        let wanted = [Some(setting.attribute()), setting.attribute_alias()];
        self.iter()
            .find(|(name, _)| wanted.contains(&Some(name.as_ref())))
            .map(|(_, value)| value.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique_and_attributes_are_data_attributes() {
        let attributes: BTreeSet<_> = Setting::attribute_names().collect();
        assert_eq!(
            attributes.len(),
            Setting::attribute_names().count(),
            "an attribute or alias is listed twice"
        );
        assert!(attributes.iter().all(|a| a.starts_with("data-")));
        let options: BTreeSet<_> = Setting::ALL.iter().map(|s| s.option()).collect();
        assert_eq!(options.len(), Setting::ALL.len());
    }

    #[test]
    fn the_watched_list_is_the_class_and_every_attribute_and_alias() {
        use std::vec::Vec;
        let watched: Vec<_> = crate::strings::split(Setting::WATCHED, b' ').collect();
        let expected: Vec<_> = core::iter::once("class")
            .chain(Setting::attribute_names())
            .collect();
        assert_eq!(watched, expected);
    }

    #[test]
    fn keyword_settings_list_their_values() {
        fn check<K: Keyword>() {
            assert_eq!(
                K::VALUES.len(),
                K::SPELLINGS.len(),
                "one list of spellings per value"
            );
            assert!(K::SPELLINGS
                .iter()
                .all(
                    |spellings| crate::strings::split(spellings, b'|').all(|s| !s.is_empty()
                        && s.bytes()
                            .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'_'))
                ));
            assert_eq!(
                K::SETTING.spellings(),
                Some(K::SPELLINGS),
                "the table names this type"
            );
        }
        check::<Theme>();
        check::<Color>();
        check::<Mode>();
        check::<Fallback>();
        check::<Size>();
        check::<TextVariant>();
        check::<Shape>();
        check::<LogoAlignment>();
    }
}

/// The options object keys that are not settings of the table: the result functions, and
/// the provider (which the tag's class gives).
pub const OTHER_OPTIONS: [&str; 3] = ["onSuccess", "onError", "provider"];

/// Whether `key` is a key of the options object: a setting's, or one of [`OTHER_OPTIONS`].
pub fn is_option(key: &str) -> bool {
    Setting::ALL.iter().any(|s| s.option() == key) || OTHER_OPTIONS.contains(&key)
}

/// The option a misspelt key most likely meant: the same letters once case, `_` and `-`
/// are ignored (`client_id`, `clientID` → `clientId`), or at most two edits away
/// (`onErorr` → `onError`). `None` for a key that is an option, or is like none.
pub fn suggest_option(key: &str) -> Option<&'static str> {
    let options = Setting::ALL.iter().map(|s| s.option()).chain(OTHER_OPTIONS);
    if options.clone().any(|o| o == key) {
        return None;
    }
    let plain = |s: &str| -> crate::prelude::Vec<u8> {
        s.bytes()
            .filter(|b| *b != b'_' && *b != b'-')
            .map(|b| b.to_ascii_lowercase())
            .collect()
    };
    let wanted = plain(key);
    options.clone().find(|o| plain(o) == wanted).or_else(|| {
        options
            .filter(|o| edits(&plain(o), &wanted) <= 2)
            .min_by_key(|o| edits(&plain(o), &wanted))
    })
}

/// Levenshtein distance between two short byte strings.
fn edits(a: &[u8], b: &[u8]) -> usize {
    let mut row: crate::prelude::Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(x != y);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod suggestion_tests {
    use super::*;

    #[test]
    fn misspelt_option_keys_get_the_option_they_meant() {
        assert_eq!(suggest_option("client_id"), Some("clientId"));
        assert_eq!(suggest_option("clientID"), Some("clientId"));
        assert_eq!(suggest_option("onErorr"), Some("onError"));
        assert_eq!(suggest_option("redirect_uri"), Some("redirectUri"));
        assert_eq!(suggest_option("thme"), Some("theme"));
        assert_eq!(suggest_option("clientId"), None, "an option");
        assert_eq!(suggest_option("onSuccess"), None, "a callback option");
        assert_eq!(suggest_option("provider"), None, "the provider option");
        assert_eq!(suggest_option("Provider"), Some("provider"));
        assert_eq!(suggest_option("somethingElse"), None, "like none");
        assert_eq!(
            suggest_option("__client--id__"),
            Some("clientId"),
            "`_` and `-` ignored"
        );
        assert_eq!(edits(b"kitten", b"sitting"), 3);
        assert_eq!(edits(b"ab", b""), 2);
        assert_eq!(edits(b"", b"abc"), 3);
        assert_eq!(edits(b"abc", b"axbyc"), 2);
        assert_eq!(edits(b"abc", b"ac"), 1);
        assert_eq!(edits(b"aab", b"ab"), 1);
    }

    #[test]
    fn options_are_the_settings_keys_and_the_other_three() {
        for key in [
            "clientId",
            "errorCallback",
            "onError",
            "onSuccess",
            "provider",
        ] {
            assert!(is_option(key), "{key}");
        }
        for key in ["client_id", "", "onerror", "data-client-id"] {
            assert!(!is_option(key), "{key}");
        }
    }

    #[test]
    fn a_keyword_is_written_as_its_first_spelling() {
        use crate::kommo::config::{Color, Theme};
        assert_eq!(spelling(Color::Green), "green");
        assert_eq!(spelling(Color::Default), "default");
        assert_eq!(spelling(Theme::Dark), "dark");
    }
}
