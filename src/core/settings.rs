//! The names of every setting, as a `data-*` attribute on a tag and as a key of the
//! programmatic options object.

use crate::prelude::*;

/// One setting of the button.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    ClientId,
    Title,
    Compact,
    ClassName,
    Theme,
    Color,
    Locale,
    State,
    Mode,
    ErrorCallback,
    SuccessCallback,
    Name,
    Description,
    RedirectUri,
    SecretsUri,
    Logo,
    Scopes,
    AuthOrigin,
    Fallback,
}

impl Setting {
    pub const ALL: [Setting; 19] = [
        Setting::ClientId,
        Setting::Title,
        Setting::Compact,
        Setting::ClassName,
        Setting::Theme,
        Setting::Color,
        Setting::Locale,
        Setting::State,
        Setting::Mode,
        Setting::ErrorCallback,
        Setting::SuccessCallback,
        Setting::Name,
        Setting::Description,
        Setting::RedirectUri,
        Setting::SecretsUri,
        Setting::Logo,
        Setting::Scopes,
        Setting::AuthOrigin,
        Setting::Fallback,
    ];

    /// The attribute an integrator writes on the tag.
    pub const fn attribute(self) -> &'static str {
        match self {
            Setting::ClientId => "data-client-id",
            Setting::Title => "data-title",
            Setting::Compact => "data-compact",
            Setting::ClassName => "data-class-name",
            Setting::Theme => "data-theme",
            Setting::Color => "data-color",
            Setting::Locale => "data-locale",
            Setting::State => "data-state",
            Setting::Mode => "data-mode",
            Setting::ErrorCallback => "data-error-callback",
            Setting::SuccessCallback => "data-success-callback",
            Setting::Name => "data-name",
            Setting::Description => "data-description",
            Setting::RedirectUri => "data-redirect_uri",
            Setting::SecretsUri => "data-secrets_uri",
            Setting::Logo => "data-logo",
            Setting::Scopes => "data-scopes",
            Setting::AuthOrigin => "data-auth-origin",
            Setting::Fallback => "data-fallback",
        }
    }

    /// A second spelling accepted for the attribute (people write both).
    pub const fn attribute_alias(self) -> Option<&'static str> {
        match self {
            Setting::RedirectUri => Some("data-redirect-uri"),
            Setting::SecretsUri => Some("data-secrets-uri"),
            Setting::ClientId => Some("data-client_id"),
            _ => None,
        }
    }

    /// The key of the programmatic options object (`mount(el, { clientId, … })`).
    pub const fn option(self) -> &'static str {
        match self {
            Setting::ClientId => "clientId",
            Setting::Title => "title",
            Setting::Compact => "compact",
            Setting::ClassName => "className",
            Setting::Theme => "theme",
            Setting::Color => "color",
            Setting::Locale => "locale",
            Setting::State => "state",
            Setting::Mode => "mode",
            Setting::ErrorCallback => "errorCallback",
            Setting::SuccessCallback => "successCallback",
            Setting::Name => "name",
            Setting::Description => "description",
            Setting::RedirectUri => "redirectUri",
            Setting::SecretsUri => "secretsUri",
            Setting::Logo => "logo",
            Setting::Scopes => "scopes",
            Setting::AuthOrigin => "authOrigin",
            Setting::Fallback => "fallback",
        }
    }
}

/// Where settings come from: the web shell implements this over a tag's attributes or a
/// JavaScript options object; tests implement it over a list of pairs.
pub trait Source {
    /// The raw value of a setting, or `None` when it is absent.
    fn get(&self, setting: Setting) -> Option<String>;
}

/// A `Source` over `(attribute, value)` pairs: a snapshot of a tag's attributes, or a list in tests.
impl<S: AsRef<str>> Source for [(S, S)] {
    fn get(&self, setting: Setting) -> Option<String> {
        let wanted = [Some(setting.attribute()), setting.attribute_alias()];
        self.iter()
            .find(|(name, _)| wanted.contains(&Some(name.as_ref())))
            .map(|(_, value)| String::from(value.as_ref()))
    }
}
