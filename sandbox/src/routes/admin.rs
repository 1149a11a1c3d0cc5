//! The admin page (`/sandbox/admin`, with Disable) and the JSON API for scripts and tests.

use super::{json_error, App};
use crate::hooks;
use crate::pages;
use crate::store::Integration;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum::{Form, Json};
use kommo_oauth_core::origin::is_secure_url;
use serde::Deserialize;
use serde_json::json;
use std::sync::atomic::Ordering;

/// The admin page, its logo, and the JSON API for scripts and tests.
pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/sandbox/admin", get(admin))
        .route("/sandbox/admin/disable", post(admin_disable))
        .route("/sandbox/api/integrations", post(register))
        .route("/sandbox/api/state", get(state))
        .route("/sandbox/api/clock", post(clock))
        .route("/sandbox/api/disable", post(api_disable))
        .route("/sandbox/logo.svg", get(logo))
}

pub(super) async fn admin(State(app): State<App>) -> Html<String> {
    let store = app.store();
    Html(pages::admin(&store.integrations(), store.installs()))
}

#[derive(Deserialize)]
pub(super) struct Disable {
    client_id: String,
    account_id: u64,
}

async fn disable(app: &App, d: &Disable) -> bool {
    let (found, hook) = {
        let mut store = app.store();
        let hook = store
            .integration(&d.client_id)
            .and_then(|i| i.disconnect_uri.clone());
        (store.disable(&d.client_id, d.account_id), hook)
    };
    if let (true, Some(hook)) = (found, hook) {
        hooks::send_disconnect(&app.http, &hook, d.account_id, &d.client_id).await;
    }
    found
}

pub(super) async fn admin_disable(State(app): State<App>, Form(d): Form<Disable>) -> Redirect {
    disable(&app, &d).await;
    Redirect::to("/sandbox/admin")
}

pub(super) async fn api_disable(State(app): State<App>, Json(d): Json<Disable>) -> Response {
    let found = disable(&app, &d).await;
    Json(json!({ "disabled": found })).into_response()
}

pub(super) async fn register(
    State(app): State<App>,
    body: Result<Json<Integration>, JsonRejection>,
) -> Response {
    match body {
        Ok(Json(i)) if !i.client_id.is_empty() && is_secure_url(&i.redirect_uri) => {
            app.store().register(i);
            StatusCode::CREATED.into_response()
        }
        Ok(_) => json_error(
            StatusCode::BAD_REQUEST,
            "Bad request",
            "client_id is required and redirect_uri must be https (http only on localhost)",
        ),
        Err(e) => json_error(e.status(), "Bad request", &e.body_text()),
    }
}

pub(super) async fn state(State(app): State<App>) -> Json<serde_json::Value> {
    let store = app.store();
    Json(json!({ "integrations": store.integrations(), "installs": store.installs() }))
}

#[derive(Deserialize)]
pub(super) struct Clock {
    advance_seconds: u64,
}

/// The furthest the clock may be moved in total: 100 years.
const MAX_OFFSET: u64 = 100 * 365 * 86_400;

pub(super) async fn clock(
    State(app): State<App>,
    body: Result<Json<Clock>, JsonRejection>,
) -> Response {
    let Ok(Json(c)) = body else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "Bad request",
            "send {\"advance_seconds\": N}",
        );
    };
    let moved = app
        .offset
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |o| {
            o.checked_add(c.advance_seconds)
                .filter(|n| *n <= MAX_OFFSET)
        });
    match moved {
        Ok(before) => Json(json!({ "offset_seconds": before + c.advance_seconds })).into_response(),
        Err(_) => json_error(
            StatusCode::BAD_REQUEST,
            "Bad request",
            "the sandbox clock moves at most 100 years in total",
        ),
    }
}

pub(super) async fn logo() -> impl IntoResponse {
    const SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 68\"><rect width=\"100\" height=\"68\" rx=\"10\" fill=\"#0e0142\"/>\
        <path d=\"M30 18h10v14l14-14h12L50 34l16 16H54L40 36v14H30z\" fill=\"#fff\"/></svg>";
    ([(header::CONTENT_TYPE, "image/svg+xml")], SVG)
}
