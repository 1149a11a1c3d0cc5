//! The Kommo button's sign-in attempt as a [`Product`]: which messages are its result (the
//! consent page's, the Redirect URI helper's), and what the shell does with each.

use super::config::Mode;
use super::protocol::{classify, state_of_url, CallbackResult, Message};
use crate::attempt::Fields;
use crate::attempt::{Product, Reason, Source};
use crate::popup::WINDOW_NAME_PREFIX;
use crate::prelude::*;

/// What an open attempt waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub mode: Mode,
    /// `None` for the metadata button: any provider error then belongs to this attempt.
    pub client_id: Option<String>,
    pub state: String,
}

/// Who failed the attempt, and with which code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureCode {
    /// The provider's decision, its `error` as it sent it (`access_denied`, …): callbacks
    /// then get the provider's fields only.
    Provider(String),
    /// An error this library detected itself.
    Own(Reason),
}

impl FailureCode {
    /// The `error` callbacks, events and promises get.
    pub fn as_str(&self) -> &str {
        match self {
            FailureCode::Provider(code) => code,
            FailureCode::Own(reason) => reason.code(),
        }
    }
}

/// An error to report, with the client id it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub code: FailureCode,
    pub client_id: Option<String>,
    /// The provider's `error_description` as it came, or [`Reason::describe`] for this
    /// library's own errors.
    pub description: Option<String>,
}

impl Failure {
    /// An error this library detected itself.
    pub fn own(reason: Reason, client_id: Option<String>) -> Failure {
        Failure {
            code: FailureCode::Own(reason),
            client_id,
            description: Some(String::from(reason.describe())),
        }
    }

    /// The provider's decision.
    fn provider(code: String, client_id: Option<String>, description: Option<String>) -> Failure {
        Failure {
            code: FailureCode::Provider(code),
            client_id,
            description,
        }
    }
}

/// How a Kommo attempt ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Finish: send the main window to this URL (popup mode), closing the popup.
    Navigate(String),
    /// Finish: report success (post_message mode), closing the popup.
    Success(CallbackResult),
    /// Finish, popup mode, when the Redirect URI already loaded in the popup (the helper's
    /// `BroadcastChannel` fallback under Cross-Origin-Opener-Policy): report success, then
    /// reload this page rather than load the Redirect URI, and its code, a second time.
    Loaded(CallbackResult),
    /// Finish: report the error, closing the popup.
    Fail(Failure),
}

/// A message arrived from this attempt's popup (its source and origin already checked by
/// the shell, its shape by `protocol::classify`). A result must carry this attempt's state:
/// anything else, foreign, stale or forged, is `None`: the attempt keeps waiting.
pub fn on_message(expected: &Expected, message: Message) -> Option<Outcome> {
    match message {
        Message::ProviderError {
            client_id,
            error,
            description,
        } => {
            let ours = expected.client_id.is_none() || client_id == expected.client_id;
            if !ours {
                return None;
            }
            let client_id = client_id.or_else(|| expected.client_id.clone());
            Some(Outcome::Fail(Failure::provider(
                error,
                client_id,
                description,
            )))
        }
        Message::ProviderRedirect { url } => {
            (state_of_url(&url)? == expected.state).then_some(Outcome::Navigate(url))
        }
        Message::Callback(result) => {
            if result.state.as_deref() != Some(expected.state.as_str()) {
                return None;
            }
            if let Some(error) = result.error {
                // The provider's decision, relayed by the Redirect URI's query: reported as the
                // provider reports it (`{client_id, error}` on a decline).
                let failure = Failure::provider(error, expected.client_id.clone(), None);
                return Some(Outcome::Fail(failure));
            }
            Some(match expected.mode {
                Mode::Popup => Outcome::Loaded(result),
                Mode::PostMessage => Outcome::Success(result),
            })
        }
    }
}

/// A Kommo (or amoCRM) attempt: what it expects, and where its messages may come from.
pub struct Kommo {
    pub expected: Expected,
    /// The consent page's origin.
    pub provider_origin: String,
    /// This page's origin: the Redirect URI helper's, once the popup is back on it.
    pub own_origin: String,
}

impl Product for Kommo {
    type Result = Outcome;
    const WINDOW_PREFIX: &'static str = WINDOW_NAME_PREFIX;
    const RELAYED: bool = true;

    fn state(&self) -> &str {
        &self.expected.state
    }

    /// From the window: the consent page's answer or the helper's result; from the channel,
    /// the helper's result alone.
    fn read(&self, from: Source<'_>, data: &impl Fields) -> Option<Outcome> {
        let own = &self.own_origin;
        let message = match from {
            Source::Window(origin) => classify(origin, &self.provider_origin, own, data)?,
            Source::Channel => match classify(own, "", own, data)? {
                message @ Message::Callback(_) => message,
                _ => return None,
            },
        };
        on_message(&self.expected, message)
    }

    fn closed(&self) -> Outcome {
        let client_id = self.expected.client_id.clone();
        Outcome::Fail(Failure::own(Reason::PopupClosed, client_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(mode: Mode, client_id: Option<&str>) -> Expected {
        Expected {
            mode,
            client_id: client_id.map(String::from),
            state: "s1".into(),
        }
    }

    fn callback(state: &str, code: Option<&str>, error: Option<&str>) -> Message {
        Message::Callback(CallbackResult {
            state: Some(state.into()),
            code: code.map(String::from),
            error: error.map(String::from),
            url: "https://site.example/cb?code=k&state=s1".into(),
            ..Default::default()
        })
    }

    #[test]
    fn decline_for_our_client_fails_with_the_provider_code() {
        let out = on_message(
            &expected(Mode::Popup, Some("c")),
            Message::ProviderError {
                client_id: Some("c".into()),
                error: "access_denied".into(),
                description: None,
            },
        );
        assert_eq!(
            out,
            Some(Outcome::Fail(Failure {
                code: FailureCode::Provider("access_denied".into()),
                client_id: Some("c".into()),
                description: None,
            }))
        );
    }

    #[test]
    fn decline_for_another_client_is_ignored() {
        let out = on_message(
            &expected(Mode::Popup, Some("c")),
            Message::ProviderError {
                client_id: Some("other".into()),
                error: "access_denied".into(),
                description: None,
            },
        );
        assert_eq!(out, None);
    }

    #[test]
    fn decline_reaches_a_metadata_button() {
        let out = on_message(
            &expected(Mode::Popup, None),
            Message::ProviderError {
                client_id: None,
                error: "access_denied".into(),
                description: Some("no".into()),
            },
        );
        assert!(
            matches!(out, Some(Outcome::Fail(f)) if f.code == FailureCode::Provider("access_denied".into()))
        );
    }

    #[test]
    fn popup_mode_redirect_navigates_only_with_this_attempts_state() {
        let e = expected(Mode::Popup, Some("c"));
        let ok = on_message(
            &e,
            Message::ProviderRedirect {
                url: "https://s/cb?code=1&state=s1".into(),
            },
        );
        assert_eq!(
            ok,
            Some(Outcome::Navigate("https://s/cb?code=1&state=s1".into()))
        );
        for url in [
            "https://s/cb?code=1&state=zz",
            "https://s/cb?code=1",
            "https://s/cb#state=s1",
            "https://s/cb?state=s1x",
        ] {
            assert_eq!(
                on_message(&e, Message::ProviderRedirect { url: url.into() }),
                None,
                "{url}"
            );
        }
    }

    #[test]
    fn helper_result_succeeds_in_post_message_mode_and_is_loaded_once_in_popup_mode() {
        let pm = on_message(
            &expected(Mode::PostMessage, Some("c")),
            callback("s1", Some("k"), None),
        );
        assert!(matches!(pm, Some(Outcome::Success(r)) if r.code.as_deref() == Some("k")));
        let popup = on_message(
            &expected(Mode::Popup, Some("c")),
            callback("s1", Some("k"), None),
        );
        assert!(
            matches!(popup, Some(Outcome::Loaded(r)) if r.code.as_deref() == Some("k")),
            "never Navigate: the popup loaded it"
        );
    }

    #[test]
    fn a_result_with_another_state_is_ignored_and_the_attempt_keeps_waiting() {
        for state in ["forged", "", "s1 ", "S1"] {
            assert_eq!(
                on_message(
                    &expected(Mode::PostMessage, Some("c")),
                    callback(state, Some("k"), None)
                ),
                None
            );
            assert_eq!(
                on_message(
                    &expected(Mode::PostMessage, Some("c")),
                    callback(state, None, Some("access_denied"))
                ),
                None
            );
        }
    }

    #[test]
    fn helper_error_is_reported() {
        let out = on_message(
            &expected(Mode::PostMessage, Some("c")),
            callback("s1", None, Some("access_denied")),
        );
        assert_eq!(
            out,
            Some(Outcome::Fail(Failure {
                code: FailureCode::Provider("access_denied".into()),
                client_id: Some("c".into()),
                description: None,
            }))
        );
    }

    struct Map(&'static [(&'static str, &'static str)]);
    impl Fields for Map {
        fn string(&self, key: &str) -> Option<String> {
            self.0
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).into())
        }
    }

    fn kommo() -> Kommo {
        Kommo {
            expected: expected(Mode::PostMessage, Some("c")),
            provider_origin: "https://www.kommo.com".into(),
            own_origin: "https://site.example".into(),
        }
    }

    const HELPER: Map = Map(&[
        ("type", crate::kommo::protocol::CALLBACK_TYPE),
        ("state", "s1"),
        ("code", "k"),
    ]);
    const DECLINE: Map = Map(&[("client_id", "c"), ("error", "access_denied")]);

    #[test]
    fn the_window_is_heard_from_the_consent_page_and_the_helper_each_on_its_own_origin() {
        let k = kommo();
        let provider = Source::Window("https://www.kommo.com");
        let own = Source::Window("https://site.example");
        assert!(matches!(k.read(provider, &DECLINE), Some(Outcome::Fail(_))));
        assert_eq!(
            k.read(own, &DECLINE),
            None,
            "a decline from the page itself"
        );
        assert!(matches!(k.read(own, &HELPER), Some(Outcome::Success(_))));
        assert_eq!(
            k.read(provider, &HELPER),
            None,
            "a helper result from the provider"
        );
        let other = Source::Window("https://evil.example");
        assert_eq!(k.read(other, &HELPER), None);
        assert_eq!(k.read(other, &DECLINE), None);
    }

    #[test]
    fn the_channel_carries_the_helpers_result_alone() {
        let k = kommo();
        assert!(matches!(
            k.read(Source::Channel, &HELPER),
            Some(Outcome::Success(r)) if r.code.as_deref() == Some("k")
        ));
        assert_eq!(k.read(Source::Channel, &DECLINE), None);
        let redirect = Map(&[("url", "https://site.example/cb?code=1&state=s1")]);
        assert_eq!(k.read(Source::Channel, &redirect), None);
    }

    #[test]
    fn a_closed_window_fails_with_popup_closed_for_this_client() {
        assert_eq!(
            kommo().closed(),
            Outcome::Fail(Failure::own(Reason::PopupClosed, Some("c".into())))
        );
        assert_eq!(kommo().state(), "s1");
    }

    #[test]
    fn a_failure_code_reads_as_the_providers_or_ours() {
        assert_eq!(
            FailureCode::Provider("access_denied".into()).as_str(),
            "access_denied"
        );
        assert_eq!(
            FailureCode::Own(Reason::PopupClosed).as_str(),
            "popup_closed"
        );
    }
}
