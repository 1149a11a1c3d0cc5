//! The provider's HTTP surface.
//!
//! - `GET /oauth` (and `/es/oauth`, `/br/oauth`, `/id/oauth`): the consent page
//! - `POST /oauth/decide`: Allow / Decline, answered per `docs/protocol.md`
//! - `POST /oauth2/access_token`: `authorization_code` and `refresh_token` grants (form or JSON bodies, the secret in the body or HTTP Basic)
//! - `GET /api/v4/account`: the account, with `Authorization: Bearer …`
//! - `/sandbox/admin`: integrations and installs, with a Disable control
//! - `/sandbox/api/*`: the same as JSON for scripts and tests (register, state, clock, disable)
//! - `/authorize/*`, `/js/le-app-button.js`: the LeadExec profile (`leadexec`, its state in
//!   `crate::leadexec`)

/// The admin page and the JSON API for scripts and tests.
mod admin;
/// The consent page and the decision.
mod consent;
/// LeadExec's dialog, token API and drop-in files.
mod leadexec;
/// The token endpoint and the account API.
mod tokens;

use crate::pages;
use crate::store::Store;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone)]
pub struct App {
    store: Arc<Mutex<Store>>,
    leadexec: Arc<Mutex<crate::leadexec::LeStore>>,
    /// Seconds added to the wall clock (`POST /sandbox/api/clock`), to test expiry.
    offset: Arc<AtomicU64>,
    http: reqwest::Client,
}

impl App {
    pub fn new(store: Store, leadexec: crate::leadexec::LeStore) -> App {
        App {
            store: Arc::new(Mutex::new(store)),
            leadexec: Arc::new(Mutex::new(leadexec)),
            offset: Arc::default(),
            // The webhooks follow no redirect: an https URL answering 307 to a loopback or
            // internal address would otherwise make the sandbox post a secret there.
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
        }
    }

    pub(crate) fn now(&self) -> u64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        wall.saturating_add(self.offset.load(Ordering::Relaxed))
    }

    pub(crate) fn leadexec(&self) -> std::sync::MutexGuard<'_, crate::leadexec::LeStore> {
        self.leadexec
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Every route: each module's own [`Router`], merged, behind the host guard and body limit.
pub fn router(app: App, hosts: crate::guard::Hosts) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/sandbox/admin") }))
        .merge(consent::routes())
        .merge(tokens::routes())
        .merge(admin::routes())
        .merge(leadexec::routes())
        .with_state(app)
        .layer(axum::extract::DefaultBodyLimit::max(crate::guard::MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(hosts),
            crate::guard::guard,
        ))
}

pub(crate) fn bad_page(detail: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(pages::error("Bad request", detail)),
    )
        .into_response()
}

pub(crate) fn json_error(status: StatusCode, title: &str, hint: &str) -> Response {
    (
        status,
        Json(json!({ "status": status.as_u16(), "title": title, "hint": hint })),
    )
        .into_response()
}
