//! `POST /oauth2/access_token` and `GET /api/v4/account`.

use super::{json_error, App};
use crate::store::Denied;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
pub(super) struct TokenRequest {
    client_id: String,
    client_secret: String,
    grant_type: String,
    code: Option<String>,
    refresh_token: Option<String>,
    redirect_uri: Option<String>,
}

pub(super) async fn access_token(
    State(app): State<App>,
    body: Result<Json<TokenRequest>, JsonRejection>,
) -> Response {
    let Json(t) = match body {
        Ok(b) => b,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, "Bad request", &e.body_text()),
    };
    let now = app.now();
    let result = match t.grant_type.as_str() {
        "authorization_code" => match (t.code, t.redirect_uri) {
            (Some(code), Some(uri)) => {
                app.store()
                    .exchange_code(&t.client_id, &t.client_secret, &code, &uri, now)
            }
            _ => Err(Denied::BadRequest(
                "authorization_code needs code and redirect_uri",
            )),
        },
        "refresh_token" => match t.refresh_token {
            Some(rt) => app
                .store()
                .refresh(&t.client_id, &t.client_secret, &rt, now),
            None => Err(Denied::BadRequest(
                "refresh_token grant needs refresh_token",
            )),
        },
        _ => Err(Denied::BadRequest(
            "grant_type must be authorization_code or refresh_token",
        )),
    };
    match result {
        Ok(pair) => Json(pair).into_response(),
        Err(Denied::BadRequest(hint)) => json_error(StatusCode::BAD_REQUEST, "Bad request", hint),
        Err(Denied::Unauthorized(hint)) => {
            json_error(StatusCode::UNAUTHORIZED, "Unauthorized", hint)
        }
    }
}

pub(super) async fn account_api(State(app): State<App>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = bearer else {
        return json_error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "send Authorization: Bearer <access_token>",
        );
    };
    let now = app.now();
    match app.store().authorize(token.trim(), now) {
        Ok(a) => Json(json!({ "id": a.id, "name": a.name, "subdomain": a.subdomain, "country": "SANDBOX", "currency": "USD" })).into_response(),
        Err(Denied::Unauthorized(hint) | Denied::BadRequest(hint)) => json_error(StatusCode::UNAUTHORIZED, "Unauthorized", hint),
    }
}
