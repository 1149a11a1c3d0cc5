//! What one sign-in attempt does with each thing that happens to it: a pure step function
//! from (what the attempt expects, an event) to an outcome the web shell carries out.

use super::config::Mode;
use super::protocol::{state_of_url, CallbackResult, Message};
use crate::prelude::*;

/// The error code the provider sends when the user declines (passed on as it came).
pub const ACCESS_DENIED: &str = "access_denied";

/// Why a sign-in failed, when this library detected it: its `code()` is what callbacks,
/// events and promises get as `error`, its `describe()` their `error_description`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// `window.open` returned null: a popup blocker stopped the window.
    PopupBlocked,
    /// The user closed the popup before finishing.
    PopupClosed,
    /// The browser offers no `crypto.getRandomValues`: no state can be made, so no sign-in
    /// is started (never a predictable state).
    CryptoUnavailable,
    /// The settings became unusable before the click (the console says why).
    InvalidConfig,
    /// npm only: the button was destroyed, or another button's sign-in took over the popup,
    /// while `signIn()` was pending.
    Cancelled,
}

impl Reason {
    /// The error code.
    pub const fn code(self) -> &'static str {
        match self {
            Reason::PopupBlocked => "popup_blocked",
            Reason::PopupClosed => "popup_closed",
            Reason::CryptoUnavailable => "crypto_unavailable",
            Reason::InvalidConfig => "invalid_config",
            Reason::Cancelled => "cancelled",
        }
    }

    /// The `error_description`.
    pub const fn describe(self) -> &'static str {
        match self {
            Reason::PopupBlocked => "the browser blocked the sign-in popup",
            Reason::PopupClosed => "the user closed the sign-in popup before finishing",
            Reason::CryptoUnavailable => {
                "no crypto.getRandomValues in this browser: sign-in not started"
            }
            Reason::InvalidConfig => "the button's settings are not usable; see the console",
            Reason::Cancelled => "the button was destroyed or another sign-in began",
        }
    }
}

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

/// What the shell does next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Not for this attempt; keep waiting.
    Ignore,
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
/// anything else, foreign, stale or forged, is ignored and the attempt keeps waiting.
pub fn on_message(expected: &Expected, message: Message) -> Outcome {
    match message {
        Message::ProviderError {
            client_id,
            error,
            description,
        } => {
            let ours = expected.client_id.is_none() || client_id == expected.client_id;
            if !ours {
                return Outcome::Ignore;
            }
            let client_id = client_id.or_else(|| expected.client_id.clone());
            Outcome::Fail(Failure::provider(error, client_id, description))
        }
        Message::ProviderRedirect { url } => match state_of_url(&url) {
            Some(state) if state == expected.state => Outcome::Navigate(url),
            _ => Outcome::Ignore,
        },
        Message::Callback(result) => {
            if result.state.as_deref() != Some(expected.state.as_str()) {
                return Outcome::Ignore;
            }
            if let Some(error) = result.error {
                // The provider's decision, relayed by the Redirect URI's query: reported as the
                // provider reports it (`{client_id, error}` on a decline).
                return Outcome::Fail(Failure::provider(error, expected.client_id.clone(), None));
            }
            match expected.mode {
                Mode::Popup => Outcome::Loaded(result),
                Mode::PostMessage => Outcome::Success(result),
            }
        }
    }
}

/// How long after opening a `closed` popup is taken for a cut opener rather than the user:
/// under `Cross-Origin-Opener-Policy` the handle reads `closed` as soon as the popup
/// reaches the provider, while a person needs longer than this to close a window they
/// have just seen open.
pub const SEVERED_WITHIN_MS: f64 = 1500.0;

/// How often a sign-in window's `closed` flag is read (the Kommo popup and the LeadExec dialog).
pub const POLL_MS: u32 = 300;

/// The result of one closed-poll tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Poll {
    /// Still open: poll again.
    Open,
    /// The handle was cut (COOP): stop polling, keep listening for the helper's broadcast.
    Severed,
    /// Closed, first seen: the window may have posted its answer and closed itself, and that
    /// answer may still be queued behind this tick, so the next tick decides.
    Closing,
    /// The user closed the popup: report `popup_closed`.
    ClosedByUser,
}

/// One tick of the closed poll, for both kinds of sign-in window. `closed` is the handle's
/// flag (a handle that cannot be read counts as closed); `closed_before` whether the
/// previous tick saw it closed too.
pub fn on_poll(closed: bool, elapsed_ms: f64, closed_before: bool) -> Poll {
    match (closed, elapsed_ms < SEVERED_WITHIN_MS, closed_before) {
        (false, _, _) => Poll::Open,
        (true, true, _) => Poll::Severed,
        (true, false, false) => Poll::Closing,
        (true, false, true) => Poll::ClosedByUser,
    }
}

/// How long an attempt whose window relays its result over a channel keeps listening once
/// the handle reads `closed`: Cross-Origin-Opener-Policy cuts the handle while the visitor is
/// still deciding, so the result may come minutes later (or never, if they closed it). At
/// the end the attempt is over.
pub const LINGER_MS: u32 = 10 * 60 * 1000;

/// What an attempt does after a tick of the closed poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterPoll {
    /// Keep polling.
    Wait,
    /// Stop polling; keep listening for the relayed result for [`LINGER_MS`].
    Linger,
    /// The visitor closed the window: report `popup_closed`, and keep listening for the
    /// relayed result for [`LINGER_MS`] (it may still come: see [`SEVERED_WITHIN_MS`]).
    ReportClosedAndLinger,
    /// The visitor closed the window: report `popup_closed`; the attempt is over.
    ReportClosed,
}

/// The step of an attempt for a tick of the closed poll, for both products: `relayed` says
/// whether its window can still deliver a result once the handle is cut (the Kommo helper's
/// channel can; the LeadExec dialog cannot, so a cut handle is decided as a close).
pub fn after_poll(poll: Poll, relayed: bool) -> AfterPoll {
    match (poll, relayed) {
        (Poll::Open | Poll::Closing, _) | (Poll::Severed, false) => AfterPoll::Wait,
        (Poll::Severed, true) => AfterPoll::Linger,
        (Poll::ClosedByUser, true) => AfterPoll::ReportClosedAndLinger,
        (Poll::ClosedByUser, false) => AfterPoll::ReportClosed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_a_poll_tick_each_product_waits_lingers_or_reports_the_close() {
        use AfterPoll::*;
        for relayed in [true, false] {
            assert_eq!(after_poll(Poll::Open, relayed), Wait);
            assert_eq!(
                after_poll(Poll::Closing, relayed),
                Wait,
                "the next tick decides"
            );
        }
        assert_eq!(
            after_poll(Poll::Severed, true),
            Linger,
            "the channel may still deliver"
        );
        assert_eq!(
            after_poll(Poll::Severed, false),
            Wait,
            "a close after the grace decides"
        );
        assert_eq!(after_poll(Poll::ClosedByUser, true), ReportClosedAndLinger);
        assert_eq!(after_poll(Poll::ClosedByUser, false), ReportClosed);
    }

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
            Outcome::Fail(Failure {
                code: FailureCode::Provider("access_denied".into()),
                client_id: Some("c".into()),
                description: None,
            })
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
        assert_eq!(out, Outcome::Ignore);
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
            matches!(out, Outcome::Fail(f) if f.code == FailureCode::Provider("access_denied".into()))
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
        assert_eq!(ok, Outcome::Navigate("https://s/cb?code=1&state=s1".into()));
        for url in [
            "https://s/cb?code=1&state=zz",
            "https://s/cb?code=1",
            "https://s/cb#state=s1",
            "https://s/cb?state=s1x",
        ] {
            assert_eq!(
                on_message(&e, Message::ProviderRedirect { url: url.into() }),
                Outcome::Ignore,
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
        assert!(matches!(pm, Outcome::Success(r) if r.code.as_deref() == Some("k")));
        let popup = on_message(
            &expected(Mode::Popup, Some("c")),
            callback("s1", Some("k"), None),
        );
        assert!(
            matches!(popup, Outcome::Loaded(r) if r.code.as_deref() == Some("k")),
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
                Outcome::Ignore
            );
            assert_eq!(
                on_message(
                    &expected(Mode::PostMessage, Some("c")),
                    callback(state, None, Some("access_denied"))
                ),
                Outcome::Ignore
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
            Outcome::Fail(Failure {
                code: FailureCode::Provider("access_denied".into()),
                client_id: Some("c".into()),
                description: None,
            })
        );
    }

    #[test]
    fn closed_poll_tells_a_cut_opener_from_a_user_close() {
        assert_eq!(on_poll(false, 99_999.0, true), Poll::Open);
        assert_eq!(on_poll(true, 200.0, false), Poll::Severed);
        assert_eq!(
            on_poll(true, 5_000.0, false),
            Poll::Closing,
            "an answer may still be queued"
        );
        assert_eq!(on_poll(true, 5_300.0, true), Poll::ClosedByUser);
    }
}
