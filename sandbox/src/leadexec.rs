//! The LeadExec profile of the sandbox: the authorization dialog, the grant remembered per
//! application and user, and the documented token API. LeadExec's dialog is not public, so
//! its URL and message are this project's own (docs/protocol.md, "LeadExec"); the token API
//! follows LeadExec's page.
//!
//! - `GET  /authorize/dialog?btnid=&origin=&state=`: Allow / Cancel, or (a returning user)
//!   the answer at once
//! - `POST /authorize/decide`: the decision, posted to the opener at `origin`
//! - `GET  /authorize/refreshaccesstoken/{refresh}?appid=`: a new one-hour access token
//! - `GET  /authorize/disconnectapplicationtoken/{refresh}`: forget the grant
//! - `GET  /js/le-app-button.js` (and its wasm), `GET /css/le-app-button.css`: the drop-in,
//!   so that pointing LeadExec's documented loader at this host is all an integrator changes
//!
//! The token API answers JSON with `Access-Control-Allow-Origin: *` (the refresh token is the
//! credential, as on LeadExec), and JSONP with `?callback=name`, which the documented
//! jQuery `disconnectUser` example sends.

use crate::routes::{bad_page, App};
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use kommo_oauth_core::leadexec::{TokenResponse, DIALOG_TYPE};
use kommo_oauth_core::parse::normalize_origin;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::path::PathBuf;

/// Access tokens live one hour, as on LeadExec.
pub const ACCESS_TOKEN_SECONDS: u64 = 3600;
const USER_COOKIE: &str = "le_user";

/// An application registered with LeadExec, and its sign-in button.
#[derive(Clone, Debug)]
pub struct LeApp {
    pub app_id: String,
    pub button_id: String,
    pub name: String,
    /// What the application may access, as the dialog lists it.
    pub access: Vec<String>,
    /// The origins its button may be on: the dialog answers no other opener. Empty: any
    /// loopback origin (the local demo, on whatever port).
    pub origins: Vec<String>,
}

impl LeApp {
    /// An application with the sandbox's usual access list.
    pub fn with_ids(app_id: &str, button_id: &str) -> LeApp {
        LeApp {
            app_id: app_id.into(),
            button_id: button_id.into(),
            name: "Sandbox application".into(),
            access: vec![
                "Read your leads and their status".into(),
                "Read your account's name and time zone".into(),
            ],
            origins: Vec::new(),
        }
    }

    /// Whether the dialog may answer an opener on `origin`.
    pub fn allows(&self, origin: &str) -> bool {
        if self.origins.is_empty() {
            return kommo_oauth_core::parse::is_loopback_origin(origin);
        }
        self.origins.iter().any(|o| o == origin)
    }

    /// The demo site's application.
    pub fn demo() -> LeApp {
        LeApp {
            name: "Acme CRM Sync".into(),
            ..LeApp::with_ids("demo-app", "demo-button")
        }
    }
}

struct Refresh {
    app_id: String,
    user: String,
}

/// Applications, grants and tokens.
#[derive(Default)]
pub struct LeStore {
    apps: Vec<LeApp>,
    /// (user, app id) → the grant's refresh token.
    grants: HashMap<(String, String), String>,
    refresh: HashMap<String, Refresh>,
    /// access token → (refresh token, expiry).
    access: HashMap<String, (String, u64)>,
    /// Where `le-app-button.js` and its wasm are served from.
    pub dist: PathBuf,
}

impl LeStore {
    pub fn new(apps: Vec<LeApp>, dist: PathBuf) -> LeStore {
        LeStore {
            apps,
            dist,
            ..LeStore::default()
        }
    }

    fn app_by_button(&self, button_id: &str) -> Option<&LeApp> {
        self.apps.iter().find(|a| a.button_id == button_id)
    }

    /// A new access token for a live refresh token of `app_id`: (token, expiry).
    fn issue_access(&mut self, refresh: &str, app_id: &str, now: u64) -> Option<(String, u64)> {
        let record = self.refresh.get(refresh)?;
        if record.app_id != app_id {
            return None;
        }
        let token = crate::store::token("le_at_");
        let expires = now.saturating_add(ACCESS_TOKEN_SECONDS);
        self.access.insert(token.clone(), (refresh.into(), expires));
        self.access.retain(|_, (_, exp)| *exp > now);
        Some((token, expires))
    }

    /// The user's grant for `app_id`, made on Allow; a returning user keeps theirs.
    fn grant(&mut self, user: &str, app_id: &str) -> String {
        let key = (user.to_string(), app_id.to_string());
        if let Some(refresh) = self.grants.get(&key) {
            return refresh.clone();
        }
        let refresh = crate::store::token("le_rt_");
        self.refresh.insert(
            refresh.clone(),
            Refresh {
                app_id: app_id.into(),
                user: user.into(),
            },
        );
        self.grants.insert(key, refresh.clone());
        refresh
    }

    /// Disconnects: the grant is forgotten and its refresh and access tokens stop working.
    fn disconnect(&mut self, refresh: &str) -> bool {
        // Forgotten, not kept as revoked: the store holds live grants only.
        let Some(record) = self.refresh.remove(refresh) else {
            return false;
        };
        self.grants.remove(&(record.user, record.app_id));
        self.access.retain(|_, (r, _)| r != refresh);
        true
    }
}

/// `2026-11-26T15:04:05Z`.
fn utc(seconds: u64) -> String {
    time::OffsetDateTime::from_unix_timestamp(i64::try_from(seconds).unwrap_or(i64::MAX))
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn user_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == USER_COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| v.len() <= 80 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

#[derive(Deserialize)]
pub struct DialogQuery {
    btnid: String,
    origin: String,
    state: String,
}

/// The dialog: the application, what it may access, Allow / Cancel; a returning user (a
/// grant for this application) gets the answer at once.
pub async fn dialog(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<DialogQuery>,
) -> Response {
    let Some(origin) = normalize_origin(&q.origin) else {
        return bad_page("origin must be the opener's https:// origin (http:// on loopback)");
    };
    let (user, new_user) = match user_of(&headers) {
        Some(user) => (user, false),
        None => (crate::store::token("u"), true),
    };
    let now = app.now();
    let mut le = app.leadexec();
    let Some(le_app) = le.app_by_button(&q.btnid).cloned() else {
        return bad_page("unknown data-btnId: no application uses this button id");
    };
    if !le_app.allows(&origin) {
        return bad_page("this application's button is not registered for that origin");
    }
    let remembered = le
        .grants
        .get(&(user.clone(), le_app.app_id.clone()))
        .cloned();
    let mut response = match remembered {
        Some(refresh) => answer(&mut le, &le_app, &refresh, &origin, &q.state, now),
        None => Html(dialog_page(&le_app, &origin, &q.btnid, &q.state)).into_response(),
    };
    if new_user {
        if let Ok(cookie) = HeaderValue::from_str(&format!(
            "{USER_COOKIE}={user}; Path=/authorize; HttpOnly; SameSite=Lax"
        )) {
            response.headers_mut().insert(header::SET_COOKIE, cookie);
        }
    }
    response
}

#[derive(Deserialize)]
pub struct Decision {
    btnid: String,
    origin: String,
    state: String,
    decision: String,
}

/// Allow: the grant and a first access token go to the opener. Cancel: `access_denied`.
pub async fn decide(
    State(app): State<App>,
    headers: HeaderMap,
    Form(d): Form<Decision>,
) -> Response {
    let (Some(origin), Some(user)) = (normalize_origin(&d.origin), user_of(&headers)) else {
        return bad_page("open the dialog from the sign-in button");
    };
    let now = app.now();
    let mut le = app.leadexec();
    let Some(le_app) = le.app_by_button(&d.btnid).cloned() else {
        return bad_page("unknown data-btnId");
    };
    if !le_app.allows(&origin) {
        return bad_page("this application's button is not registered for that origin");
    }
    if d.decision != "allow" {
        let message = json!({ "type": DIALOG_TYPE, "state": d.state, "valid": false, "error": "access_denied" });
        return Html(to_opener(&message, &origin)).into_response();
    }
    let refresh = le.grant(&user, &le_app.app_id);
    answer(&mut le, &le_app, &refresh, &origin, &d.state, now)
}

/// The page that posts a granted result to the opener.
fn answer(
    le: &mut LeStore,
    le_app: &LeApp,
    refresh: &str,
    origin: &str,
    state: &str,
    now: u64,
) -> Response {
    let Some((access, expires)) = le.issue_access(refresh, &le_app.app_id, now) else {
        return bad_page("the grant was revoked; sign in again");
    };
    let message = json!({
        "type": DIALOG_TYPE, "state": state, "valid": true, "refreshToken": refresh,
        "authToken": access, "expireDate": utc(expires), "appId": le_app.app_id,
    });
    Html(to_opener(&message, origin)).into_response()
}

fn dialog_page(le_app: &LeApp, origin: &str, button_id: &str, state: &str) -> String {
    let access: String = le_app
        .access
        .iter()
        .map(|a| format!("<li>{}</li>", text(a)))
        .collect();
    let hidden = |name: &str, value: &str| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            attr(value)
        )
    };
    shell(&format!(
        "<main><h1>Sign in with LeadExec</h1><p><b>{}</b> would like to access your LeadExec account.</p>\
         <h2>It will be able to</h2><ul>{access}</ul><p><small>Returning to {}</small></p>\
         <form method=\"post\" action=\"/authorize/decide\">{}{}{}\
         <button class=\"allow\" name=\"decision\" value=\"allow\">Allow</button> \
         <button class=\"cancel\" name=\"decision\" value=\"cancel\">Cancel</button></form></main>",
        text(&le_app.name),
        text(origin),
        hidden("btnid", button_id),
        hidden("origin", origin),
        hidden("state", state),
    ))
}

/// Posts `message` to the opener at `origin` (never `*`) and closes.
fn to_opener(message: &serde_json::Value, origin: &str) -> String {
    let script = format!(
        "<script>(function(){{var m={},t={};if(window.opener){{window.opener.postMessage(m,t);window.close();}}\
         else{{document.querySelector('p').textContent='You can close this window.';}}}})();</script>",
        message.to_string().replace('<', "\\u003c"),
        serde_json::to_string(origin).unwrap_or_default().replace('<', "\\u003c"),
    );
    shell(&format!(
        "<main><p>Returning to the site…</p></main>{script}"
    ))
}

fn shell(body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>LeadExec sandbox</title><style>body{{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1b1f24}}\
         main{{max-width:520px;margin:24px auto;padding:0 20px}}button{{font:inherit;padding:8px 18px;margin-right:8px}}\
         .allow{{background:#0b5cad;color:#fff;border:0;border-radius:4px}}</style></head><body>{body}</body></html>"
    )
}

#[derive(Deserialize)]
pub struct TokenQuery {
    appid: Option<String>,
    callback: Option<String>,
}

/// `GET /authorize/refreshaccesstoken/{refresh}?appid=`.
pub async fn refresh(
    State(app): State<App>,
    Path(refresh): Path<String>,
    Query(q): Query<TokenQuery>,
) -> Response {
    let now = app.now();
    let issued = q
        .appid
        .as_deref()
        .and_then(|app_id| app.leadexec().issue_access(&refresh, app_id, now));
    let body = match issued {
        Some((access, expires)) => TokenResponse {
            valid: true,
            refresh_token: Some(refresh),
            auth_token: Some(access),
            expire_date: Some(utc(expires)),
            error_message: None,
        },
        None => TokenResponse {
            valid: false,
            refresh_token: Some(refresh),
            error_message: Some(
                "the refresh token is not valid for this application id, or was revoked".into(),
            ),
            ..TokenResponse::default()
        },
    };
    token_api(&body, q.callback.as_deref())
}

/// `GET /authorize/disconnectapplicationtoken/{refresh}`.
pub async fn disconnect(
    State(app): State<App>,
    Path(refresh): Path<String>,
    Query(q): Query<TokenQuery>,
) -> Response {
    let done = app.leadexec().disconnect(&refresh);
    let body = TokenResponse {
        valid: done,
        error_message: (!done).then(|| "unknown or already disconnected refresh token".into()),
        ..TokenResponse::default()
    };
    token_api(&body, q.callback.as_deref())
}

/// JSON readable from any origin, or JSONP for `callback` (an identifier, nothing else).
fn token_api(body: &TokenResponse, callback: Option<&str>) -> Response {
    let json = serde_json::to_string(body).unwrap_or_default();
    let cors = (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    match callback {
        None => ([cors, (header::CONTENT_TYPE, "application/json")], json).into_response(),
        Some(name) if is_identifier(name) => (
            [
                cors,
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            ],
            format!("/**/{name}({json});"),
        )
            .into_response(),
        Some(_) => (
            StatusCode::BAD_REQUEST,
            "callback must be a JavaScript identifier",
        )
            .into_response(),
    }
}

fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    name.len() <= 100
        && bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'$')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
}

/// The drop-in, as LeadExec's host serves it.
pub async fn script(State(app): State<App>, Path(file): Path<String>) -> Response {
    let content_type = match file.as_str() {
        "le-app-button.js" => "text/javascript; charset=utf-8",
        "le-app-button_bg.wasm" => "application/wasm",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let path = app.leadexec().dist.join(&file);
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => (
            StatusCode::NOT_FOUND,
            format!("{} is not built: run npm run build", path.display()),
        )
            .into_response(),
    }
}

/// The stylesheet LeadExec's loader links; the drop-in styles nothing of the integrator's.
pub async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css")],
        "button.le-app-button[aria-busy=\"true\"]{cursor:progress}\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_survives_until_disconnected_and_access_tokens_live_an_hour() {
        let mut le = LeStore::new(vec![LeApp::demo()], PathBuf::new());
        let refresh = le.grant("u1", "demo-app");
        assert_eq!(
            le.grant("u1", "demo-app"),
            refresh,
            "a returning user keeps the grant"
        );
        let (_, expires) = le.issue_access(&refresh, "demo-app", 1000).unwrap();
        assert_eq!(expires, 1000 + ACCESS_TOKEN_SECONDS);
        assert!(
            le.issue_access(&refresh, "other-app", 1000).is_none(),
            "the app id must match"
        );
        assert!(le.disconnect(&refresh));
        assert!(!le.disconnect(&refresh));
        assert!(le.issue_access(&refresh, "demo-app", 1000).is_none());
        assert_ne!(
            le.grant("u1", "demo-app"),
            refresh,
            "after a disconnect, a new grant"
        );
    }

    #[test]
    fn the_dialog_answers_only_the_origins_an_application_registered() {
        let demo = LeApp::demo();
        assert!(demo.allows("http://localhost:8080"));
        assert!(!demo.allows("https://evil.example"));
        let registered = LeApp {
            origins: vec!["https://app.example".into()],
            ..LeApp::demo()
        };
        assert!(registered.allows("https://app.example"));
        assert!(!registered.allows("http://localhost:8080"));
    }

    #[test]
    fn jsonp_callbacks_are_identifiers_only() {
        assert!(is_identifier("jQuery123_456"));
        assert!(!is_identifier("alert(1)//"));
        assert!(!is_identifier(""));
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
    }
}
