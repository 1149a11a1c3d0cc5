//! The validated configuration of one button.

use crate::prelude::*;

/// Which CRM the button signs in with; chosen by the tag's class
/// (`kommo_oauth` or `amocrm_oauth`) or the `provider` option.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Provider {
    #[default]
    Kommo,
    AmoCrm,
}

impl Provider {
    /// The consent page's origin when no `data-auth-origin` overrides it.
    pub const fn default_origin(self) -> &'static str {
        match self {
            Provider::Kommo => "https://www.kommo.com",
            Provider::AmoCrm => "https://www.amocrm.ru",
        }
    }

    /// The class the original gives the rendered element (integrators select it).
    pub const fn default_class(self) -> &'static str {
        match self {
            Provider::Kommo => "kommo-oauth",
            Provider::AmoCrm => "amocrm-oauth",
        }
    }
}

/// Kommo's `data-theme`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// Dark navy button with white text (the default).
    Light,
    /// White button with navy text.
    Dark,
}

/// amoCRM's `data-color` (also honoured on Kommo tags, from Kommo's older build).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Default,
    Blue,
    Violet,
    Green,
    Orange,
    Red,
}

/// Kommo's `data-locale`: the default title and the consent page's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locale {
    En,
    Es,
    Pt,
    Id,
}

impl Locale {
    /// The consent page's path prefix for this locale (`/br/oauth/` for Portuguese).
    pub const fn path_prefix(self) -> &'static str {
        match self {
            Locale::En => "",
            Locale::Es => "/es",
            Locale::Pt => "/br",
            Locale::Id => "/id",
        }
    }

    pub const fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
            Locale::Pt => "pt",
            Locale::Id => "id",
        }
    }
}

/// `data-mode`: where the Redirect URI opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The popup closes and the main window goes to the Redirect URI.
    Popup,
    /// The popup goes to the Redirect URI, which reports back to the opener.
    PostMessage,
}

impl Mode {
    pub const fn keyword(self) -> &'static str {
        match self {
            Mode::Popup => "popup",
            Mode::PostMessage => "post_message",
        }
    }
}

/// A scope the metadata button can request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Crm,
    Notifications,
}

impl Scope {
    pub const fn keyword(self) -> &'static str {
        match self {
            Scope::Crm => "crm",
            Scope::Notifications => "notifications",
        }
    }
}

/// The metadata of an integration created on the fly (amoCRM's metadata button).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    pub name: String,
    pub description: String,
    pub redirect_uri: String,
    pub secrets_uri: String,
    pub logo: Option<String>,
    pub scopes: Vec<Scope>,
}

/// Who the button authorizes: an existing integration, or one created from metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    ClientId(String),
    Metadata(Metadata),
}

impl Identity {
    pub fn client_id(&self) -> Option<&str> {
        match self {
            Identity::ClientId(id) => Some(id),
            Identity::Metadata(_) => None,
        }
    }
}

/// How the button looks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appearance {
    pub title: String,
    pub compact: bool,
    pub size: Size,
    pub width: Width,
    /// Classes for the button element; the provider's default class when not given.
    pub classes: Vec<String>,
    pub theme: Theme,
    /// An explicit palette colour; always set on amoCRM tags, optional on Kommo tags.
    pub color: Option<Color>,
    pub shape: Shape,
    pub logo_alignment: LogoAlignment,
}

/// `data-text`: which default title, localized (a `data-title` replaces it), as the other
/// providers' buttons offer (Google's `text`, Apple's `type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextVariant {
    /// "Continue with Kommo" (the default, as the original).
    ContinueWith,
    /// "Sign in with Kommo".
    SigninWith,
    /// "Sign up with Kommo".
    SignupWith,
}

/// `data-shape`: the corners.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// 4 px corners, as the original (the default).
    Rectangular,
    /// Fully rounded ends.
    Pill,
}

/// `data-logo-alignment`: where the logo sits when the button is wider than its content
/// (`data-width` in pixels or `100%`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogoAlignment {
    /// At the start edge, the title after it (the default).
    Left,
    /// Beside the title, both centred.
    Center,
}

/// `data-size`: the button's height (and the compact button's side) and type size, in the
/// style of the best sign-in buttons' three sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// 45 px, as the original (the default).
    Large,
    /// 40 px.
    Medium,
    /// 32 px: a compact one is then below the 44 px touch target of WCAG 2.5.5 (AAA) but above
    /// the 24 px minimum of WCAG 2.2's 2.5.8 (AA); it is opt-in.
    Small,
}

/// `data-width`: the button's width. It never exceeds its container either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Width {
    /// As wide as its content (the default).
    Auto,
    /// The container's width (`100%`).
    Full,
    /// A width in CSS pixels, from [`Width::MIN_PX`] to [`Width::MAX_PX`].
    Pixels(u16),
}

impl Width {
    pub const MIN_PX: u16 = 120;
    pub const MAX_PX: u16 = 600;
}

/// What to do when the browser blocks the popup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fallback {
    /// Report `popup_blocked` and stop.
    None,
    /// Continue in the same tab (the consent page then redirects this tab).
    SameTab,
}

/// Everything one button needs, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ButtonConfig {
    pub provider: Provider,
    pub identity: Identity,
    pub appearance: Appearance,
    pub locale: Locale,
    pub mode: Mode,
    /// `data-state` as given; `None` means "generate one at click time".
    pub state: Option<String>,
    pub error_callback: Option<String>,
    pub success_callback: Option<String>,
    /// The consent page's origin, e.g. `https://www.kommo.com`, without a trailing slash.
    pub auth_origin: String,
    pub fallback: Fallback,
}
