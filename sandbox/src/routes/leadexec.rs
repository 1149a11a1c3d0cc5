//! The LeadExec profile of the sandbox: the authorization dialog and the documented token
//! API, over the state in `crate::leadexec`. LeadExec's dialog is not public, so
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

use super::{bad_page, App};
use crate::leadexec::{utc, LeApp, LeStore};
use crate::pages;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use kommo_oauth_core::leadexec::{TokenResponse, DIALOG_TYPE};
use kommo_oauth_core::origin::normalize_origin;
use serde::Deserialize;
use serde_json::json;

/// LeadExec's dialog, token API and drop-in files.
pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/authorize/dialog", get(dialog))
        .route("/authorize/decide", post(decide))
        .route("/authorize/refreshaccesstoken/{refresh}", get(refresh))
        .route(
            "/authorize/disconnectapplicationtoken/{refresh}",
            get(disconnect),
        )
        .route("/js/{file}", get(script))
        .route("/css/le-app-button.css", get(stylesheet))
}

const USER_COOKIE: &str = "le_user";

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
pub(super) async fn dialog(
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
    let remembered = le.remembered(&user, &le_app.app_id);
    let mut response = match remembered {
        Some(refresh) => answer(&mut le, &le_app, &refresh, &origin, &q.state, now),
        None => Html(pages::le_dialog(&le_app, &origin, &q.btnid, &q.state)).into_response(),
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
pub(super) async fn decide(
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
        return Html(pages::le_to_opener(&message.to_string(), &origin)).into_response();
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
    Html(pages::le_to_opener(&message.to_string(), origin)).into_response()
}

#[derive(Deserialize)]
pub struct TokenQuery {
    appid: Option<String>,
    callback: Option<String>,
}

/// `GET /authorize/refreshaccesstoken/{refresh}?appid=`.
pub(super) async fn refresh(
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
pub(super) async fn disconnect(
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
pub(super) async fn script(State(app): State<App>, Path(file): Path<String>) -> Response {
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
pub(super) async fn stylesheet() -> Response {
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
    fn jsonp_callbacks_are_identifiers_only() {
        assert!(is_identifier("jQuery123_456"));
        assert!(!is_identifier("alert(1)//"));
        assert!(!is_identifier(""));
    }
}
