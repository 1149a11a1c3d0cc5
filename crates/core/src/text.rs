//! Default titles.

use super::config::{Locale, Provider};

/// The title shown when `data-title` is absent or blank.
pub const fn default_title(provider: Provider, locale: Locale) -> &'static str {
    match (provider, locale) {
        (Provider::AmoCrm, _) => "Авторизоваться через amoCRM",
        (Provider::Kommo, Locale::En) => "Continue with Kommo",
        (Provider::Kommo, Locale::Es) => "Continuar con Kommo",
        (Provider::Kommo, Locale::Pt) => "Continuar com Kommo",
        (Provider::Kommo, Locale::Id) => "Lanjutkan dengan Kommo",
    }
}
