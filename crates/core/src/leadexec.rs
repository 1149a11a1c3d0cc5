//! The LeadExec sign-in button (`le-app-button.js`): which origin its dialog and token API
//! live on, their URLs, the dialog's message, and the result handed to the integrator's
//! global `AuthorizeResult`. LeadExec's authorization dialog is not public: its URL and
//! message are this project's own, served by the sandbox (docs/protocol.md, "LeadExec").

use crate::attempt::{Fields, MAX_FIELD_CHARS};
use crate::attempt::{Product, Reason, Source};
use crate::origin::{is_loopback_origin, normalize_origin};
use crate::prelude::*;
use crate::strings::{concat, encode_component};

/// LeadExec's documented host.
pub const DEFAULT_ORIGIN: &str = "https://apps.leadexec.net";
/// The `type` of the dialog's message to the opener.
pub const DIALOG_TYPE: &str = "leadexec:authorize";
/// The start of the dialog's window name (`popup::window_name`: 128 random bits follow).
pub const WINDOW_NAME_PREFIX: &str = "leadexec-signin-";
/// The selector of the integrator's own buttons that the drop-in enhances (each needs a
/// `data-btnId`; one without gets a console error).
pub const BUTTON_SELECTOR: &str = "button.le-app-button";
/// Why a LeadExec sign-in failed, when the button detected it (besides the popup and crypto
/// failures it shares with the Kommo button, `attempt::Reason`): `code()` is the result's `error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeReason {
    /// The dialog or the token API answered something that is not the documented shape.
    InvalidResponse,
    /// A remembered grant no longer works (disconnected, revoked or expired).
    GrantRevoked,
}

impl LeReason {
    /// The error code.
    pub const fn code(self) -> &'static str {
        match self {
            LeReason::InvalidResponse => "invalid_response",
            LeReason::GrantRevoked => "grant_revoked",
        }
    }
}

/// Which origin serves the dialog and the token API:
/// - `configured`, the loader tag's `data-origin` (a page author's), when it is a bare
///   https origin, or loopback on a loopback page;
/// - else the origin the script itself came from, when that is LeadExec's host or (on a
///   loopback page) a loopback origin: pointing the documented loader at the sandbox is all
///   it takes to use it;
/// - else LeadExec's host.
pub fn service_origin(configured: Option<&str>, script_origin: &str, page_origin: &str) -> String {
    let local_page = is_loopback_origin(page_origin);
    let acceptable =
        |origin: &str| origin.starts_with("https://") || (local_page && is_loopback_origin(origin));
    if let Some(origin) = configured
        .and_then(normalize_origin)
        .map(without_default_port)
        .filter(|o| acceptable(o))
    {
        return origin;
    }
    match normalize_origin(script_origin) {
        Some(origin) if origin == DEFAULT_ORIGIN || (local_page && is_loopback_origin(&origin)) => {
            origin
        }
        _ => String::from(DEFAULT_ORIGIN),
    }
}

/// `https://host:443` → `https://host`, as browsers write an origin (`event.origin`).
fn without_default_port(origin: String) -> String {
    let default = if origin.starts_with("https://") {
        ":443"
    } else {
        ":80"
    };
    match origin.strip_suffix(default) {
        Some(bare) => String::from(bare),
        None => origin,
    }
}

/// The authorization dialog for button `button_id`, answering to `page_origin`.
pub fn dialog_url(service: &str, button_id: &str, page_origin: &str, state: &str) -> String {
    concat(&[
        service,
        "/authorize/dialog?btnid=",
        &encode_component(button_id),
        "&origin=",
        &encode_component(page_origin),
        "&state=",
        &encode_component(state),
    ])
}

/// `/authorize/refreshaccesstoken/REFRESH_TOKEN?appid=APP_ID`, as documented.
pub fn refresh_url(service: &str, refresh_token: &str, app_id: &str) -> String {
    concat(&[
        service,
        "/authorize/refreshaccesstoken/",
        &encode_component(refresh_token),
        "?appid=",
        &encode_component(app_id),
    ])
}

/// `/authorize/disconnectapplicationtoken/REFRESH_TOKEN`, as documented.
pub fn disconnect_url(service: &str, refresh_token: &str) -> String {
    concat(&[
        service,
        "/authorize/disconnectapplicationtoken/",
        &encode_component(refresh_token),
    ])
}

/// What `AuthorizeResult(result)` gets: `valid`, and either the tokens (with the application
/// id, which the refresh call needs) or the `error`. Absent fields are left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct AuthorizeResult {
    pub valid: bool,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub error: Option<String>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub refresh_token: Option<String>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub auth_token: Option<String>,
    /// When `auth_token` expires, in UTC (ISO 8601).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub expire_date: Option<String>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub app_id: Option<String>,
}

impl AuthorizeResult {
    /// A failure with `error`.
    pub fn failed(error: &str) -> AuthorizeResult {
        AuthorizeResult {
            error: Some(String::from(error)),
            ..AuthorizeResult::default()
        }
    }
}

/// What the refresh and disconnect endpoints answer, with the documented fields (the
/// sandbox writes it, the browser API reads it and hands the integrator a fresh copy).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct TokenResponse {
    /// Whether the application id and refresh token go together and are not revoked.
    pub valid: bool,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub refresh_token: Option<String>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub auth_token: Option<String>,
    /// UTC, ISO 8601.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub expire_date: Option<String>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub error_message: Option<String>,
}

/// How the drop-in remembers a grant in the page's `localStorage` (per button id), so that a
/// returning visitor is signed in on render: the application id and the refresh token.
pub fn remembered(app_id: &str, refresh_token: &str) -> String {
    concat(&[app_id, "\n", refresh_token])
}

/// The `(app_id, refresh_token)` of a remembered grant.
pub fn read_remembered(value: &str) -> Option<(&str, &str)> {
    crate::strings::split_once(value, b'\n')
        .filter(|(app, token)| !app.is_empty() && !token.is_empty())
}

/// The `localStorage` key of button `button_id`'s grant remembered from `service`.
pub fn storage_key(service: &str, button_id: &str) -> String {
    concat(&["leadexec:", service, " ", button_id])
}

/// Reads the dialog's message: `{type: "leadexec:authorize", state, valid, …}` carrying
/// this attempt's `state` (its source and origin already checked). `None` for anything
/// else, which the attempt ignores. Every field is a bounded string, `valid` a boolean; a
/// valid result needs a refresh token and an access token.
pub fn dialog_message(data: &impl Fields, state: &str) -> Option<AuthorizeResult> {
    let text = |key: &str| {
        data.string(key)
            .filter(|v| v.chars().count() <= MAX_FIELD_CHARS as usize)
    };
    if text("type").as_deref() != Some(DIALOG_TYPE) || text("state").as_deref() != Some(state) {
        return None;
    }
    let result = AuthorizeResult {
        valid: data.boolean("valid") == Some(true),
        error: text("error"),
        refresh_token: text("refreshToken"),
        auth_token: text("authToken"),
        expire_date: text("expireDate"),
        app_id: text("appId"),
    };
    if result.valid && (result.refresh_token.is_none() || result.auth_token.is_none()) {
        return Some(AuthorizeResult::failed(LeReason::InvalidResponse.code()));
    }
    if !result.valid {
        return Some(AuthorizeResult::failed(
            result
                .error
                .as_deref()
                .unwrap_or(crate::attempt::ACCESS_DENIED),
        ));
    }
    Some(result)
}

/// A LeadExec attempt: the dialog on the service origin, answering with this state.
pub struct Dialog {
    pub service: String,
    pub state: String,
}

impl Product for Dialog {
    type Result = AuthorizeResult;
    const WINDOW_PREFIX: &'static str = WINDOW_NAME_PREFIX;
    const RELAYED: bool = false;

    fn state(&self) -> &str {
        &self.state
    }

    fn read(&self, from: Source<'_>, data: &impl Fields) -> Option<AuthorizeResult> {
        match from {
            Source::Window(origin) if origin == self.service => dialog_message(data, &self.state),
            _ => None,
        }
    }

    fn closed(&self) -> AuthorizeResult {
        AuthorizeResult::failed(Reason::PopupClosed.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    struct Map(BTreeMap<&'static str, &'static str>);
    impl Fields for Map {
        fn string(&self, key: &str) -> Option<String> {
            self.0.get(key).map(|v| String::from(*v))
        }
        fn boolean(&self, key: &str) -> Option<bool> {
            self.0.get(key).and_then(|v| v.parse().ok())
        }
    }
    fn map(pairs: &[(&'static str, &'static str)]) -> Map {
        Map(pairs.iter().copied().collect())
    }

    #[test]
    fn the_origin_follows_the_script_only_to_leadexec_or_a_local_sandbox() {
        let local = "http://localhost:8080";
        assert_eq!(
            service_origin(None, "http://127.0.0.1:7070", local),
            "http://127.0.0.1:7070"
        );
        assert_eq!(
            service_origin(None, "https://apps.leadexec.net", "https://site.example"),
            DEFAULT_ORIGIN
        );
        assert_eq!(
            service_origin(None, "https://cdn.example", "https://site.example"),
            DEFAULT_ORIGIN
        );
        assert_eq!(
            service_origin(None, "http://127.0.0.1:7070", "https://site.example"),
            DEFAULT_ORIGIN
        );
        assert_eq!(
            service_origin(
                Some("https://le.example/"),
                "https://cdn.example",
                "https://site.example"
            ),
            "https://le.example"
        );
        assert_eq!(
            service_origin(
                Some("http://evil.example"),
                "https://cdn.example",
                "https://site.example"
            ),
            DEFAULT_ORIGIN
        );
        assert_eq!(
            service_origin(Some("javascript:alert(1)"), "x", local),
            DEFAULT_ORIGIN
        );
    }

    #[test]
    fn a_configured_origin_is_written_as_browsers_write_origins() {
        let site = "https://site.example";
        assert_eq!(
            service_origin(Some("https://le.example:443"), "x", site),
            "https://le.example"
        );
        assert_eq!(
            service_origin(Some("https://le.example:8443/"), "x", site),
            "https://le.example:8443"
        );
    }

    #[test]
    fn urls_encode_every_part() {
        assert_eq!(
            dialog_url("http://127.0.0.1:7070", "b&1", "http://localhost:8080", "s"),
            "http://127.0.0.1:7070/authorize/dialog?btnid=b%261&origin=http%3A%2F%2Flocalhost%3A8080&state=s"
        );
        assert_eq!(
            refresh_url("https://x", "r/1", "a b"),
            "https://x/authorize/refreshaccesstoken/r%2F1?appid=a%20b"
        );
        assert_eq!(
            disconnect_url("https://x", "r?"),
            "https://x/authorize/disconnectapplicationtoken/r%3F"
        );
    }

    #[test]
    fn only_a_dialog_message_with_this_state_counts() {
        let ok = map(&[
            ("type", DIALOG_TYPE),
            ("state", "s1"),
            ("valid", "true"),
            ("refreshToken", "r"),
            ("authToken", "a"),
            ("expireDate", "2026-01-01T00:00:00Z"),
            ("appId", "app"),
        ]);
        let got = dialog_message(&ok, "s1").unwrap();
        assert!(got.valid);
        assert_eq!(got.refresh_token.as_deref(), Some("r"));
        assert_eq!(dialog_message(&ok, "other"), None);
        let wrong_type = map(&[("type", "kommo-oauth:callback"), ("state", "s1")]);
        assert_eq!(dialog_message(&wrong_type, "s1"), None);
        let declined = map(&[
            ("type", DIALOG_TYPE),
            ("state", "s1"),
            ("valid", "false"),
            ("error", "access_denied"),
        ]);
        assert_eq!(
            dialog_message(&declined, "s1"),
            Some(AuthorizeResult::failed("access_denied"))
        );
        let no_tokens = map(&[("type", DIALOG_TYPE), ("state", "s1"), ("valid", "true")]);
        assert_eq!(
            dialog_message(&no_tokens, "s1"),
            Some(AuthorizeResult::failed(LeReason::InvalidResponse.code()))
        );
        let not_a_boolean = map(&[("type", DIALOG_TYPE), ("state", "s1"), ("valid", "yes")]);
        assert_eq!(
            dialog_message(&not_a_boolean, "s1"),
            Some(AuthorizeResult::failed("access_denied"))
        );
    }

    #[test]
    fn the_dialog_is_heard_from_the_service_origin_alone_and_never_over_a_channel() {
        let dialog = Dialog {
            service: "https://apps.leadexec.net".into(),
            state: "s1".into(),
        };
        let declined = map(&[("type", DIALOG_TYPE), ("state", "s1"), ("valid", "false")]);
        assert_eq!(
            dialog.read(Source::Window("https://apps.leadexec.net"), &declined),
            Some(AuthorizeResult::failed("access_denied"))
        );
        assert_eq!(
            dialog.read(Source::Window("https://evil.example"), &declined),
            None
        );
        assert_eq!(dialog.read(Source::Channel, &declined), None);
        assert_eq!(dialog.closed(), AuthorizeResult::failed("popup_closed"));
        assert_eq!(dialog.state(), "s1");
    }

    #[test]
    fn a_loopback_origin_is_only_for_a_loopback_page() {
        assert_eq!(
            service_origin(Some("http://127.0.0.1:7070"), "x", "https://site.example"),
            DEFAULT_ORIGIN
        );
        assert_eq!(
            service_origin(Some("http://127.0.0.1:7070"), "x", "http://localhost:8080"),
            "http://127.0.0.1:7070"
        );
    }

    #[test]
    fn failures_and_reasons_carry_their_codes() {
        assert_eq!(LeReason::InvalidResponse.code(), "invalid_response");
        assert_eq!(LeReason::GrantRevoked.code(), "grant_revoked");
        let failed = AuthorizeResult::failed("popup_closed");
        assert!(!failed.valid);
        assert_eq!(failed.error.as_deref(), Some("popup_closed"));
        assert_eq!(failed.refresh_token, None);
    }

    #[test]
    fn a_remembered_grant_reads_back_and_needs_both_parts() {
        let value = remembered("app-1", "rt-1");
        assert_eq!(value, "app-1\nrt-1");
        assert_eq!(read_remembered(&value), Some(("app-1", "rt-1")));
        assert_eq!(read_remembered("app-1\n"), None);
        assert_eq!(read_remembered("\nrt-1"), None);
        assert_eq!(read_remembered("no separator"), None);
        assert_eq!(
            storage_key("https://apps.leadexec.net", "b1"),
            "leadexec:https://apps.leadexec.net b1"
        );
    }

    #[test]
    fn a_valid_answer_needs_both_tokens() {
        for missing in ["refreshToken", "authToken"] {
            let pairs: Vec<(&'static str, &'static str)> = [
                ("type", DIALOG_TYPE),
                ("state", "s1"),
                ("valid", "true"),
                ("refreshToken", "r"),
                ("authToken", "a"),
            ]
            .into_iter()
            .filter(|(k, _)| *k != missing)
            .collect();
            assert_eq!(
                dialog_message(&map(&pairs), "s1"),
                Some(AuthorizeResult::failed(LeReason::InvalidResponse.code())),
                "{missing}"
            );
        }
    }
}
