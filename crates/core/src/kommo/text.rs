//! Default titles, per provider, locale and wording (`data-text`).

use super::config::{Locale, Provider, TextVariant};

/// The title shown when `data-title` is absent or blank.
pub const fn default_title(provider: Provider, locale: Locale, text: TextVariant) -> &'static str {
    use TextVariant::{ContinueWith, SigninWith, SignupWith};
    match (provider, locale, text) {
        // amoCRM's own wording (its buttons are Russian whatever the locale).
        (Provider::AmoCrm, _, ContinueWith) => "Авторизоваться через amoCRM",
        (Provider::AmoCrm, _, SigninWith) => "Войти через amoCRM",
        (Provider::AmoCrm, _, SignupWith) => "Регистрация через amoCRM",
        (Provider::Kommo, Locale::En, ContinueWith) => "Continue with Kommo",
        (Provider::Kommo, Locale::En, SigninWith) => "Sign in with Kommo",
        (Provider::Kommo, Locale::En, SignupWith) => "Sign up with Kommo",
        (Provider::Kommo, Locale::Es, ContinueWith) => "Continuar con Kommo",
        (Provider::Kommo, Locale::Es, SigninWith) => "Iniciar sesión con Kommo",
        (Provider::Kommo, Locale::Es, SignupWith) => "Registrarse con Kommo",
        (Provider::Kommo, Locale::Pt, ContinueWith) => "Continuar com Kommo",
        (Provider::Kommo, Locale::Pt, SigninWith) => "Entrar com Kommo",
        (Provider::Kommo, Locale::Pt, SignupWith) => "Cadastre-se com Kommo",
        (Provider::Kommo, Locale::Id, ContinueWith) => "Lanjutkan dengan Kommo",
        (Provider::Kommo, Locale::Id, SigninWith) => "Masuk dengan Kommo",
        (Provider::Kommo, Locale::Id, SignupWith) => "Daftar dengan Kommo",
    }
}
