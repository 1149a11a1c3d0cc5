//! The consent page URL, in the form the real consent page expects, with every value
//! percent-encoded exactly once (the original encodes nothing).

use super::config::{ButtonConfig, Identity, Provider};
use crate::prelude::*;
use crate::strings::encode_component;

struct Query(String);

impl Query {
    fn push(&mut self, key: &str, value: &str) {
        if !self.0.ends_with("?") {
            self.0.push('&');
        }
        self.0.push_str(key);
        self.0.push('=');
        self.0.push_str(&encode_component(value));
    }
}

/// `https://www.kommo.com/oauth/?state=…&mode=…&origin=…&client_id=…`.
///
/// `page_origin` is the integrator page's origin, `location.origin`: the consent page posts
/// its result to that origin and needs nothing more of the page's address (the original sent
/// the whole `location.href`, path, query and fragment included). `mode` may differ from the
/// config's when the same-tab fallback forces `post_message`.
pub fn authorization_url(
    config: &ButtonConfig,
    state: &str,
    mode: &str,
    page_origin: &str,
) -> String {
    let prefix = match config.provider {
        Provider::Kommo => config.locale.path_prefix(),
        Provider::AmoCrm => "",
    };
    let mut q = Query(crate::strings::concat(&[
        &config.auth_origin,
        prefix,
        "/oauth/?",
    ]));
    q.push("state", state);
    q.push("mode", mode);
    q.push("origin", page_origin);
    match &config.identity {
        Identity::ClientId(id) => q.push("client_id", id),
        Identity::Metadata(m) => {
            q.push("name", &m.name);
            q.push("description", &m.description);
            q.push("redirect_uri", &m.redirect_uri);
            q.push("secrets_uri", &m.secrets_uri);
            q.push("logo", m.logo.as_deref().unwrap_or_default());
            for scope in &m.scopes {
                q.push("scopes[]", scope.keyword());
            }
        }
    }
    q.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kommo::config::Provider;
    use crate::kommo::parse::parse;
    use crate::kommo::trust::{Author, Context};

    fn ctx() -> Context<'static> {
        Context::new(Author::ScriptTag, "http://localhost:8080")
    }

    fn url(provider: Provider, attrs: &[(&str, &str)]) -> String {
        let c = parse(provider, attrs, &ctx()).config.expect("config");
        authorization_url(
            &c,
            "st",
            c.mode.keyword(),
            "https://site.example/page?a=1&b=2#x",
        )
    }

    #[test]
    fn kommo_url_has_the_original_parameter_order() {
        assert_eq!(
            url(Provider::Kommo, &[("data-client-id", "abc-123")]),
            "https://www.kommo.com/oauth/?state=st&mode=popup&origin=https%3A%2F%2Fsite.example%2Fpage%3Fa%3D1%26b%3D2%23x&client_id=abc-123"
        );
    }

    #[test]
    fn locale_picks_the_consent_page_path() {
        assert!(url(
            Provider::Kommo,
            &[("data-client-id", "a"), ("data-locale", "pt")]
        )
        .starts_with("https://www.kommo.com/br/oauth/?"));
        assert!(url(
            Provider::Kommo,
            &[("data-client-id", "a"), ("data-locale", "es")]
        )
        .starts_with("https://www.kommo.com/es/oauth/?"));
        assert!(url(
            Provider::Kommo,
            &[("data-client-id", "a"), ("data-locale", "id")]
        )
        .starts_with("https://www.kommo.com/id/oauth/?"));
    }

    #[test]
    fn amocrm_and_overridden_origins() {
        assert!(url(Provider::AmoCrm, &[("data-client-id", "a")])
            .starts_with("https://www.amocrm.ru/oauth/?state=st&mode=popup"));
        let sandbox = url(
            Provider::Kommo,
            &[
                ("data-client-id", "a"),
                ("data-auth-origin", "http://localhost:7070"),
            ],
        );
        assert!(sandbox.starts_with("http://localhost:7070/oauth/?"));
    }

    #[test]
    fn escape_worthy_values_are_encoded_exactly_once() {
        let c = parse(
            Provider::Kommo,
            &[("data-client-id", "a&b=c"), ("data-mode", "post_message")][..],
            &ctx(),
        )
        .config
        .expect("config");
        let u = authorization_url(
            &c,
            "x y&z=1/é%20{{T}}",
            "post_message",
            "https://s.example/",
        );
        assert!(u.contains("state=x%20y%26z%3D1%2F%C3%A9%2520%7B%7BT%7D%7D&"));
        assert!(u.contains("mode=post_message&"));
        assert!(u.ends_with("client_id=a%26b%3Dc"));
    }

    #[test]
    fn metadata_button_sends_metadata_and_one_scope_parameter_each() {
        let u = url(
            Provider::AmoCrm,
            &[
                ("data-name", "My app"),
                ("data-description", "Does, things"),
                ("data-redirect_uri", "https://e.com/cb?x=1"),
                ("data-secrets_uri", "https://e.com/s"),
                ("data-logo", "https://e.com/l.png"),
                ("data-scopes", "crm,notifications"),
            ],
        );
        assert!(!u.contains("client_id="));
        assert!(u.contains("&name=My%20app&description=Does%2C%20things&redirect_uri=https%3A%2F%2Fe.com%2Fcb%3Fx%3D1&secrets_uri=https%3A%2F%2Fe.com%2Fs&logo=https%3A%2F%2Fe.com%2Fl.png&scopes[]=crm&scopes[]=notifications"));
    }
}
