//! `GET /oauth` (per locale) and `POST /oauth/decide`.

use super::{bad_page, App};
use crate::hooks;
use crate::pages::{self, Consent, Lang};
use crate::store::{account, Integration};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Form;
use axum::Router;
use kommo_oauth_core::kommo::protocol::Message;
use kommo_oauth_core::origin::is_secure_url;
use serde::Deserialize;

/// The consent page (English and localized) and the decision.
pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/oauth", get(consent_en))
        .route("/oauth/", get(consent_en))
        .route("/{lang}/oauth", get(consent_localized))
        .route("/{lang}/oauth/", get(consent_localized))
        .route("/oauth/decide", post(decide))
}

/// The query as ordered pairs (`scopes[]` repeats).
fn pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// What a consent request asks for: an existing integration or one to create from metadata.
enum Request {
    Existing(Integration),
    Metadata(Metadata),
}

/// The metadata button's fields.
struct Metadata {
    name: String,
    description: String,
    redirect_uri: String,
    secrets_uri: String,
    logo: Option<String>,
    scopes: Vec<String>,
}

impl Request {
    fn read(app: &App, pairs: &[(String, String)]) -> Result<Request, String> {
        if let Some(client_id) = param(pairs, "client_id") {
            return app.store().integration(client_id).cloned().map(Request::Existing)
                .ok_or_else(|| format!("client_id \"{client_id}\" is not registered in this sandbox (see /sandbox/admin)"));
        }
        let need = |k: &str| {
            param(pairs, k).map(String::from).ok_or_else(|| format!("missing \"{k}\": send client_id, or name, description, redirect_uri, secrets_uri and scopes[]"))
        };
        let (redirect_uri, secrets_uri) = (need("redirect_uri")?, need("secrets_uri")?);
        for (key, url) in [
            ("redirect_uri", &redirect_uri),
            ("secrets_uri", &secrets_uri),
        ] {
            if !is_secure_url(url) {
                return Err(format!(
                    "{key} must be https (http only on localhost): {url}"
                ));
            }
        }
        // The secrets go where the integration's own Redirect URI is, nowhere else.
        if opener_origin(&secrets_uri) != opener_origin(&redirect_uri) {
            return Err(format!(
                "secrets_uri must be on the same origin as redirect_uri: {secrets_uri}"
            ));
        }
        let scopes: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| k == "scopes[]")
            .map(|(_, v)| v.clone())
            .collect();
        if scopes.is_empty() || scopes.iter().any(|s| s != "crm" && s != "notifications") {
            return Err("scopes[] must be one or more of crm, notifications".into());
        }
        Ok(Request::Metadata(Metadata {
            name: need("name")?,
            description: need("description")?,
            redirect_uri,
            secrets_uri,
            logo: param(pairs, "logo")
                .filter(|l| is_secure_url(l))
                .map(String::from),
            scopes,
        }))
    }
}

/// `scheme://host[:port]` of the page that opened the popup (the `origin` parameter).
pub(crate) fn opener_origin(page_url: &str) -> Option<String> {
    let (scheme, rest) = page_url.split_once("://")?;
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .filter(|h| !h.is_empty())?;
    matches!(scheme, "http" | "https").then(|| format!("{scheme}://{host}"))
}

pub(super) async fn consent_en(State(app): State<App>, RawQuery(q): RawQuery) -> Response {
    consent_page(&app, Lang::En, q.unwrap_or_default())
}

pub(super) async fn consent_localized(
    State(app): State<App>,
    Path(lang): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    match Lang::from_prefix(Some(&lang)) {
        Some(lang) => consent_page(&app, lang, q.unwrap_or_default()),
        None => (
            StatusCode::NOT_FOUND,
            Html(pages::error(
                "Not found",
                "locales: /oauth, /es/oauth, /br/oauth, /id/oauth",
            )),
        )
            .into_response(),
    }
}

fn consent_page(app: &App, lang: Lang, query: String) -> Response {
    let p = pairs(&query);
    match param(&p, "mode") {
        Some("popup" | "post_message") => {}
        other => {
            return bad_page(&format!(
                "mode must be popup or post_message, got {other:?}"
            ))
        }
    }
    if param(&p, "origin").and_then(opener_origin).is_none() {
        return bad_page("origin must be the http(s) URL of the page that opened this window");
    }
    let request = match Request::read(app, &p) {
        Ok(r) => r,
        Err(detail) => return bad_page(&detail),
    };
    let html = match &request {
        Request::Existing(i) => pages::consent(
            lang,
            &Consent {
                name: &i.name,
                description: &i.description,
                logo: Some(i.logo.as_deref().unwrap_or("/sandbox/logo.svg")),
                scopes: &i.scopes,
                query: &query,
            },
        ),
        Request::Metadata(m) => pages::consent(
            lang,
            &Consent {
                name: &m.name,
                description: &m.description,
                logo: m.logo.as_deref(),
                scopes: &m.scopes,
                query: &query,
            },
        ),
    };
    Html(html).into_response()
}

#[derive(Deserialize)]
pub(super) struct Decision {
    q: String,
    decision: String,
    account_id: Option<u64>,
    from_widget: Option<String>,
}

/// What the consent form carried over from the consent request.
struct Context {
    popup: bool,
    /// The opener's origin: where messages go.
    origin: String,
    state: Option<String>,
}

pub(super) async fn decide(State(app): State<App>, Form(d): Form<Decision>) -> Response {
    let p = pairs(&d.q);
    let (Some(mode), Some(origin)) = (
        param(&p, "mode"),
        param(&p, "origin").and_then(opener_origin),
    ) else {
        return bad_page(
            "the consent request lost its mode or origin; open the consent page again",
        );
    };
    let context = Context {
        popup: mode == "popup",
        origin,
        state: param(&p, "state").map(String::from),
    };
    let request = match Request::read(&app, &p) {
        Ok(r) => r,
        Err(detail) => return bad_page(&detail),
    };
    if d.decision != "allow" {
        return decline(&context, &request);
    }
    let Some(account) = d.account_id.and_then(account) else {
        return bad_page("choose one of the sandbox accounts");
    };
    let integration = match request {
        Request::Existing(i) => i,
        Request::Metadata(m) => create_from_metadata(&app, m, context.state.as_deref()).await,
    };
    allow(
        &app,
        &context,
        &integration,
        account,
        d.from_widget.is_some(),
    )
}

/// Decline: `{client_id, error}` to the opener, else the Redirect URI with `error=access_denied`.
fn decline(context: &Context, request: &Request) -> Response {
    let (client_id, redirect_uri) = match request {
        Request::Existing(i) => (Some(i.client_id.clone()), i.redirect_uri.clone()),
        Request::Metadata(m) => (None, m.redirect_uri.clone()),
    };
    let mut fallback = vec![("error", "access_denied".to_string())];
    fallback.extend(client_id.clone().map(|c| ("client_id", c)));
    fallback.extend(context.state.clone().map(|s| ("state", s)));
    let message = serde_json::to_string(&Message::ProviderError {
        client_id,
        error: "access_denied".into(),
        description: None,
    })
    .unwrap_or_default();
    let fallback = with_query(&redirect_uri, &fallback);
    Html(pages::report_to_opener(
        &message,
        &context.origin,
        &fallback,
        context.popup,
    ))
    .into_response()
}

/// A metadata button's integration: registered, and its secrets webhook sent (always before
/// the user is redirected).
async fn create_from_metadata(app: &App, m: Metadata, state: Option<&str>) -> Integration {
    let Metadata {
        name,
        description,
        redirect_uri,
        secrets_uri,
        logo,
        scopes,
    } = m;
    let created = Integration {
        client_id: crate::store::token("mc_"),
        client_secret: crate::store::token("ms_"),
        redirect_uri,
        name,
        description,
        logo,
        scopes,
        disconnect_uri: None,
        secrets_uri: Some(secrets_uri.clone()),
    };
    app.store().register(created.clone());
    hooks::send_secrets(&app.http, &secrets_uri, &created, state).await;
    created
}

/// Allow: a code, then the Redirect URI in the main window (popup mode, by message) or in
/// the popup (post_message mode, by redirect).
fn allow(
    app: &App,
    context: &Context,
    integration: &Integration,
    account: &crate::store::Account,
    from_widget: bool,
) -> Response {
    let Some(code) = app
        .store()
        .issue_code(&integration.client_id, account.id, app.now())
    else {
        return bad_page("the integration disappeared; register it again");
    };
    let mut params = vec![("code", code)];
    params.extend(context.state.clone().map(|s| ("state", s)));
    params.push(("referer", format!("{}.kommo.com", account.subdomain)));
    if from_widget {
        params.push(("from_widget", "1".into()));
    }
    params.push(("client_id", integration.client_id.clone()));
    let url = with_query(&integration.redirect_uri, &params);
    // The code only ever goes to the Redirect URI's origin: an opener on another origin
    // (a page that opened the consent page itself) gets no message, the popup goes there.
    let same_site =
        opener_origin(&integration.redirect_uri).as_deref() == Some(context.origin.as_str());
    if context.popup && same_site {
        let message = serde_json::to_string(&Message::ProviderRedirect { url: url.clone() })
            .unwrap_or_default();
        Html(pages::report_to_opener(
            &message,
            &context.origin,
            &url,
            true,
        ))
        .into_response()
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
