//! The provider's HTTP surface.
//!
//! - `GET /oauth` (and `/es/oauth`, `/br/oauth`, `/id/oauth`): the consent page
//! - `POST /oauth/decide`: Allow / Decline, answered per `docs/protocol.md`
//! - `POST /oauth2/access_token`: `authorization_code` and `refresh_token` grants (JSON)
//! - `GET /api/v4/account`: the account, with `Authorization: Bearer …`
//! - `/sandbox/admin`: integrations and installs, with a Disable control
//! - `/sandbox/api/*`: the same as JSON for scripts and tests (register, state, clock, disable)

use crate::hooks;
use crate::pages::{self, Consent, Lang};
use crate::store::{account, Denied, Integration, Store};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use kommo_oauth_button::core::parse::is_secure_url;
use kommo_oauth_button::core::protocol::Message;
use serde::Deserialize;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone)]
pub struct App {
    store: Arc<Mutex<Store>>,
    /// Seconds added to the wall clock (`POST /sandbox/api/clock`), to test expiry.
    offset: Arc<AtomicU64>,
    http: reqwest::Client,
}

impl App {
    pub fn new(store: Store) -> App {
        App { store: Arc::new(Mutex::new(store)), offset: Arc::default(), http: reqwest::Client::new() }
    }

    fn now(&self) -> u64 {
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
        wall + self.offset.load(Ordering::Relaxed)
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub fn router(app: App) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/sandbox/admin") }))
        .route("/oauth", get(consent_en))
        .route("/oauth/", get(consent_en))
        .route("/{lang}/oauth", get(consent_localized))
        .route("/{lang}/oauth/", get(consent_localized))
        .route("/oauth/decide", post(decide))
        .route("/oauth2/access_token", post(access_token))
        .route("/api/v4/account", get(account_api))
        .route("/sandbox/admin", get(admin))
        .route("/sandbox/admin/disable", post(admin_disable))
        .route("/sandbox/api/integrations", post(register))
        .route("/sandbox/api/state", get(state))
        .route("/sandbox/api/clock", post(clock))
        .route("/sandbox/api/disable", post(api_disable))
        .route("/sandbox/logo.svg", get(logo))
        .with_state(app)
}

fn bad_page(detail: &str) -> Response {
    (StatusCode::BAD_REQUEST, Html(pages::error("Bad request", detail))).into_response()
}

fn json_error(status: StatusCode, title: &str, hint: &str) -> Response {
    (status, Json(json!({ "status": status.as_u16(), "title": title, "hint": hint }))).into_response()
}

/// The query as ordered pairs (`scopes[]` repeats).
fn pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

/// What a consent request asks for: an existing integration or one to create from metadata.
enum Request {
    Existing(Integration),
    Metadata { name: String, description: String, redirect_uri: String, secrets_uri: String, logo: Option<String>, scopes: Vec<String> },
}

impl Request {
    fn read(app: &App, pairs: &[(String, String)]) -> Result<Request, String> {
        if let Some(client_id) = param(pairs, "client_id") {
            return app.store().integration(client_id).cloned().map(Request::Existing)
                .ok_or_else(|| format!("client_id \"{client_id}\" is not registered in this sandbox (see /sandbox/admin)"));
        }
        let need = |k: &str| param(pairs, k).map(String::from).ok_or_else(|| format!("missing \"{k}\": send client_id, or name, description, redirect_uri, secrets_uri and scopes[]"));
        let (redirect_uri, secrets_uri) = (need("redirect_uri")?, need("secrets_uri")?);
        for (key, url) in [("redirect_uri", &redirect_uri), ("secrets_uri", &secrets_uri)] {
            if !is_secure_url(url) {
                return Err(format!("{key} must be https (http only on localhost): {url}"));
            }
        }
        let scopes: Vec<String> = pairs.iter().filter(|(k, _)| k == "scopes[]").map(|(_, v)| v.clone()).collect();
        if scopes.is_empty() || scopes.iter().any(|s| s != "crm" && s != "notifications") {
            return Err("scopes[] must be one or more of crm, notifications".into());
        }
        Ok(Request::Metadata {
            name: need("name")?, description: need("description")?, redirect_uri, secrets_uri,
            logo: param(pairs, "logo").filter(|l| is_secure_url(l)).map(String::from), scopes,
        })
    }
}

/// `scheme://host[:port]` of the page that opened the popup (the `origin` parameter).
fn opener_origin(page_url: &str) -> Option<String> {
    let (scheme, rest) = page_url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next().filter(|h| !h.is_empty())?;
    matches!(scheme, "http" | "https").then(|| format!("{scheme}://{host}"))
}

async fn consent_en(State(app): State<App>, RawQuery(q): RawQuery) -> Response {
    consent_page(&app, Lang::En, q.unwrap_or_default())
}

async fn consent_localized(State(app): State<App>, Path(lang): Path<String>, RawQuery(q): RawQuery) -> Response {
    match Lang::from_prefix(Some(&lang)) {
        Some(lang) => consent_page(&app, lang, q.unwrap_or_default()),
        None => (StatusCode::NOT_FOUND, Html(pages::error("Not found", "locales: /oauth, /es/oauth, /br/oauth, /id/oauth"))).into_response(),
    }
}

fn consent_page(app: &App, lang: Lang, query: String) -> Response {
    let p = pairs(&query);
    match param(&p, "mode") {
        Some("popup" | "post_message") => {}
        other => return bad_page(&format!("mode must be popup or post_message, got {other:?}")),
    }
    if param(&p, "origin").and_then(opener_origin).is_none() {
        return bad_page("origin must be the http(s) URL of the page that opened this window");
    }
    let request = match Request::read(app, &p) {
        Ok(r) => r,
        Err(detail) => return bad_page(&detail),
    };
    let html = match &request {
        Request::Existing(i) => pages::consent(lang, &Consent { name: &i.name, description: &i.description, logo: Some(i.logo.as_deref().unwrap_or("/sandbox/logo.svg")), scopes: &i.scopes, query: &query }),
        Request::Metadata { name, description, logo, scopes, .. } => pages::consent(lang, &Consent { name, description, logo: logo.as_deref(), scopes, query: &query }),
    };
    Html(html).into_response()
}

#[derive(Deserialize)]
struct Decision {
    q: String,
    decision: String,
    account_id: Option<u64>,
    from_widget: Option<String>,
}

async fn decide(State(app): State<App>, Form(d): Form<Decision>) -> Response {
    let p = pairs(&d.q);
    let (Some(mode), Some(origin)) = (param(&p, "mode"), param(&p, "origin").and_then(opener_origin)) else {
        return bad_page("the consent request lost its mode or origin; open the consent page again");
    };
    let state = param(&p, "state").map(String::from);
    let request = match Request::read(&app, &p) {
        Ok(r) => r,
        Err(detail) => return bad_page(&detail),
    };
    let popup = mode == "popup";
    if d.decision != "allow" {
        let (client_id, redirect_uri) = match &request {
            Request::Existing(i) => (Some(i.client_id.clone()), i.redirect_uri.clone()),
            Request::Metadata { redirect_uri, .. } => (None, redirect_uri.clone()),
        };
        let mut fallback = vec![("error", "access_denied".to_string())];
        fallback.extend(client_id.clone().map(|c| ("client_id", c)));
        fallback.extend(state.clone().map(|s| ("state", s)));
        let message = serde_json::to_string(&Message::ProviderError { client_id, error: "access_denied".into() }).unwrap_or_default();
        return Html(pages::report_to_opener(&message, &origin, &with_query(&redirect_uri, &fallback), popup)).into_response();
    }
    let Some(account) = d.account_id.and_then(account) else { return bad_page("choose one of the sandbox accounts") };
    let integration = match request {
        Request::Existing(i) => i,
        Request::Metadata { name, description, redirect_uri, secrets_uri, logo, scopes } => {
            let created = Integration {
                client_id: crate::store::token("mc_"), client_secret: crate::store::token("ms_"), redirect_uri, name,
                description, logo, scopes, disconnect_uri: None, secrets_uri: Some(secrets_uri.clone()),
            };
            app.store().register(created.clone());
            // The secrets webhook always arrives before the user is redirected.
            hooks::send_secrets(&app.http, &secrets_uri, &created, state.as_deref()).await;
            created
        }
    };
    let Some(code) = app.store().issue_code(&integration.client_id, account.id, app.now()) else {
        return bad_page("the integration disappeared; register it again");
    };
    let mut params = vec![("code", code)];
    params.extend(state.map(|s| ("state", s)));
    params.push(("referer", format!("{}.kommo.com", account.subdomain)));
    if d.from_widget.is_some() {
        params.push(("from_widget", "1".into()));
    }
    params.push(("client_id", integration.client_id.clone()));
    let url = with_query(&integration.redirect_uri, &params);
    // The code only ever goes to the Redirect URI's origin: an opener on another origin
    // (a page that opened the consent page itself) gets no message, the popup goes there.
    let same_site = opener_origin(&integration.redirect_uri).as_deref() == Some(origin.as_str());
    if popup && same_site {
        let message = serde_json::to_string(&Message::ProviderRedirect { url: url.clone() }).unwrap_or_default();
        Html(pages::report_to_opener(&message, &origin, &url, true)).into_response()
    } else {
        Redirect::to(&url).into_response()
    }
}

fn with_query(base: &str, params: &[(&str, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        s.append_pair(k, v);
    }
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{}", s.finish())
}

#[derive(Deserialize)]
struct TokenRequest {
    client_id: String,
    client_secret: String,
    grant_type: String,
    code: Option<String>,
    refresh_token: Option<String>,
    redirect_uri: Option<String>,
}

async fn access_token(State(app): State<App>, body: Result<Json<TokenRequest>, JsonRejection>) -> Response {
    let Json(t) = match body {
        Ok(b) => b,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, "Bad request", &e.body_text()),
    };
    let now = app.now();
    let result = match t.grant_type.as_str() {
        "authorization_code" => match (t.code, t.redirect_uri) {
            (Some(code), Some(uri)) => app.store().exchange_code(&t.client_id, &t.client_secret, &code, &uri, now),
            _ => Err(Denied::BadRequest("authorization_code needs code and redirect_uri")),
        },
        "refresh_token" => match t.refresh_token {
            Some(rt) => app.store().refresh(&t.client_id, &t.client_secret, &rt, now),
            None => Err(Denied::BadRequest("refresh_token grant needs refresh_token")),
        },
        _ => Err(Denied::BadRequest("grant_type must be authorization_code or refresh_token")),
    };
    match result {
        Ok(pair) => Json(pair).into_response(),
        Err(Denied::BadRequest(hint)) => json_error(StatusCode::BAD_REQUEST, "Bad request", hint),
        Err(Denied::Unauthorized(hint)) => json_error(StatusCode::UNAUTHORIZED, "Unauthorized", hint),
    }
}

async fn account_api(State(app): State<App>, headers: HeaderMap) -> Response {
    let bearer = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = bearer else {
        return json_error(StatusCode::UNAUTHORIZED, "Unauthorized", "send Authorization: Bearer <access_token>");
    };
    let now = app.now();
    match app.store().authorize(token.trim(), now) {
        Ok(a) => Json(json!({ "id": a.id, "name": a.name, "subdomain": a.subdomain, "country": "SANDBOX", "currency": "USD" })).into_response(),
        Err(Denied::Unauthorized(hint) | Denied::BadRequest(hint)) => json_error(StatusCode::UNAUTHORIZED, "Unauthorized", hint),
    }
}

async fn admin(State(app): State<App>) -> Html<String> {
    let store = app.store();
    Html(pages::admin(&store.integrations(), store.installs()))
}

#[derive(Deserialize)]
struct Disable {
    client_id: String,
    account_id: u64,
}

async fn disable(app: &App, d: &Disable) -> bool {
    let (found, hook) = {
        let mut store = app.store();
        let hook = store.integration(&d.client_id).and_then(|i| i.disconnect_uri.clone());
        (store.disable(&d.client_id, d.account_id), hook)
    };
    if let (true, Some(hook)) = (found, hook) {
        hooks::send_disconnect(&app.http, &hook, d.account_id, &d.client_id).await;
    }
    found
}

async fn admin_disable(State(app): State<App>, Form(d): Form<Disable>) -> Redirect {
    disable(&app, &d).await;
    Redirect::to("/sandbox/admin")
}

async fn api_disable(State(app): State<App>, Json(d): Json<Disable>) -> Response {
    let found = disable(&app, &d).await;
    Json(json!({ "disabled": found })).into_response()
}

async fn register(State(app): State<App>, body: Result<Json<Integration>, JsonRejection>) -> Response {
    match body {
        Ok(Json(i)) if !i.client_id.is_empty() && is_secure_url(&i.redirect_uri) => {
            app.store().register(i);
            StatusCode::CREATED.into_response()
        }
        Ok(_) => json_error(StatusCode::BAD_REQUEST, "Bad request", "client_id is required and redirect_uri must be https (http only on localhost)"),
        Err(e) => json_error(StatusCode::BAD_REQUEST, "Bad request", &e.body_text()),
    }
}

async fn state(State(app): State<App>) -> Json<serde_json::Value> {
    let store = app.store();
    Json(json!({ "integrations": store.integrations(), "installs": store.installs() }))
}

#[derive(Deserialize)]
struct Clock {
    advance_seconds: u64,
}

async fn clock(State(app): State<App>, Json(c): Json<Clock>) -> Json<serde_json::Value> {
    let offset = app.offset.fetch_add(c.advance_seconds, Ordering::Relaxed) + c.advance_seconds;
    Json(json!({ "offset_seconds": offset }))
}

async fn logo() -> impl IntoResponse {
    const SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 68\"><rect width=\"100\" height=\"68\" rx=\"10\" fill=\"#0e0142\"/>\
        <path d=\"M30 18h10v14l14-14h12L50 34l16 16H54L40 36v14H30z\" fill=\"#fff\"/></svg>";
    ([(header::CONTENT_TYPE, "image/svg+xml")], SVG)
}
