//! The token endpoint, the account API and the calls amoCRM's client libraries make around
//! sign-in (API errors are `application/problem+json`).
//!
//! The token endpoint is league/oauth2-server's, as the provider runs it (the 7.x line: see
//! docs/protocol.md, "Where each answer comes from"). It takes what OAuth 2 clients send: a
//! form body (`application/x-www-form-urlencoded`, RFC 6749 §4.1.3 and §6) or the JSON Kommo
//! documents; the client's credentials from the body, or from HTTP Basic (§2.3.1) where the
//! body has none (league's rule: the body's win). Errors carry the provider's
//! `{title, type, status, detail, hint}` and §5.2's `error` and `error_description`; a refused
//! HTTP Basic login is a `401` with a `WWW-Authenticate` challenge.

use super::App;
use crate::store::{Account, Denied, Issued, BASE_DOMAIN};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use axum::Router;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;

/// The token endpoint and the account API.
pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/oauth2/access_token", post(access_token))
        .route("/api/v4/account", get(account_api))
        .route("/oauth2/account/subdomain", get(subdomain_by_access_token))
        .route(
            "/oauth2/account/current/subdomain",
            get(subdomain_by_refresh_token),
        )
        .route("/v3/user", get(resource_owner))
        .route(
            "/sandbox/api/jwks",
            get(|| async { Json(crate::jwt::jwks()) }),
        )
}

/// A token request's parameters, from a form or a JSON body.
#[derive(Deserialize)]
pub(super) struct TokenRequest {
    client_id: Option<String>,
    client_secret: Option<String>,
    grant_type: Option<String>,
    code: Option<String>,
    refresh_token: Option<String>,
    redirect_uri: Option<String>,
}

/// Who the client says it is.
struct Client {
    id: String,
    secret: String,
}

pub(super) async fn access_token(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let basic = headers.get(header::AUTHORIZATION).is_some();
    let outcome = parse(&headers, &body).and_then(|t| {
        let client = authenticate(&app, &headers, &t)?;
        Ok((t, client))
    });
    let result = outcome
        .and_then(|(t, client)| grant(&app, t, &client))
        .map(Issued::sign);
    match result {
        Ok(pair) => {
            let mut response = Json(pair).into_response();
            // RFC 6749 §5.1: a token response is never cached.
            let h = response.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            response
        }
        Err(denied) => oauth_error(&denied, basic),
    }
}

/// The body's parameters: a form or JSON, by `Content-Type`; a repeated parameter is refused.
fn parse(headers: &HeaderMap, body: &[u8]) -> Result<TokenRequest, Denied> {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if kind.starts_with("application/x-www-form-urlencoded") {
        serde_urlencoded::from_bytes(body).map_err(|_| {
            Denied::InvalidRequest("the form body is malformed or repeats a parameter")
        })
    } else if kind.starts_with("application/json") {
        serde_json::from_slice(body).map_err(|_| {
            Denied::InvalidRequest("the JSON body is malformed or a field is not a string")
        })
    } else {
        Err(Denied::InvalidRequest(
            "send the parameters as application/x-www-form-urlencoded or application/json",
        ))
    }
}

/// The client's id and secret, as league/oauth2-server reads them: each from the body, or
/// from `Authorization: Basic` where the body has none.
fn authenticate(app: &App, headers: &HeaderMap, t: &TokenRequest) -> Result<Client, Denied> {
    let Some(authorization) = headers.get(header::AUTHORIZATION) else {
        let id = t
            .client_id
            .clone()
            .ok_or(Denied::InvalidRequest("Check the `client_id` parameter"))?;
        let secret = t.client_secret.clone().ok_or(Denied::InvalidClient(
            "no client authentication: send client_secret, or HTTP Basic",
        ))?;
        return Ok(Client { id, secret });
    };
    let (decoded, raw) = authorization
        .to_str()
        .ok()
        .and_then(basic_credentials)
        .ok_or(Denied::InvalidClient(
            "Authorization must be Basic base64(client_id:client_secret)",
        ))?;
    // RFC 6749 §2.3.1 form-encodes both parts; some clients (Authlib) send them as they are.
    // The form-decoded reading first, then the raw one, as providers accept either.
    let (id, secret) = if !app.store().knows_client(&decoded.0, &decoded.1)
        && app.store().knows_client(&raw.0, &raw.1)
    {
        raw
    } else {
        decoded
    };
    Ok(Client {
        id: t.client_id.clone().unwrap_or(id),
        secret: t.client_secret.clone().unwrap_or(secret),
    })
}

/// A client id and secret.
type Pair = (String, String);

/// `Basic base64(id:secret)`: each part form-decoded (RFC 6749 §2.3.1), and as it was sent.
fn basic_credentials(value: &str) -> Option<(Pair, Pair)> {
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let form_decode = |part: &str| {
        percent_encoding::percent_decode_str(&part.replace('+', " "))
            .decode_utf8()
            .ok()
            .map(|s| s.into_owned())
    };
    Some((
        (form_decode(id)?, form_decode(secret)?),
        (id.to_owned(), secret.to_owned()),
    ))
}

/// The grant, decided and recorded under the store's lock; the access token is signed by the
/// caller, after the lock is released.
fn grant(app: &App, t: TokenRequest, client: &Client) -> Result<Issued, Denied> {
    let now = app.now();
    match t.grant_type.as_deref() {
        Some("authorization_code") => match (t.code, t.redirect_uri) {
            (Some(code), Some(uri)) => {
                app.store()
                    .exchange_code(&client.id, &client.secret, &code, &uri, now)
            }
            (None, _) => Err(Denied::InvalidRequest("Check the `code` parameter")),
            (_, None) => Err(Denied::InvalidRequest("Check the `redirect_uri` parameter")),
        },
        Some("refresh_token") => match t.refresh_token {
            Some(rt) => app.store().refresh(&client.id, &client.secret, &rt, now),
            None => Err(Denied::InvalidRequest(
                "Check the `refresh_token` parameter",
            )),
        },
        // league: no grant can answer (grant_type missing or another one).
        _ => Err(Denied::UnsupportedGrantType(
            "Check that all required parameters have been provided",
        )),
    }
}

/// The `type` of the provider's token endpoint errors.
const OAUTH_PROBLEM: &str = "https://developers.amocrm.ru/v3/errors/OAuthProblemJson";

/// The token endpoint's error: the provider's `{title, type, status, detail, hint}` (its
/// titles and details are league/oauth2-server's messages) with RFC 6749 §5.2's `error` and
/// `error_description` beside them, for standard OAuth clients.
fn oauth_error(denied: &Denied, basic: bool) -> Response {
    const MALFORMED: &str = "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.";
    let bad_request = (
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "Invalid request",
    );
    let ((status, error, title), detail, hint) = match *denied {
        Denied::InvalidRequest(h) | Denied::InvalidCode(h) => (bad_request, MALFORMED, h),
        Denied::InvalidRefreshToken(h) => (
            (
                StatusCode::UNAUTHORIZED,
                "invalid_request",
                "Invalid request",
            ),
            "The refresh token is invalid.",
            h,
        ),
        Denied::InvalidClient(h) => (
            (StatusCode::UNAUTHORIZED, "invalid_client", "Invalid client"),
            "Client authentication failed",
            h,
        ),
        Denied::UnsupportedGrantType(h) => (
            (
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Unsupported grant type",
            ),
            "The authorization grant type is not supported by the authorization server.",
            h,
        ),
        Denied::Unauthorized(h) => (
            (StatusCode::UNAUTHORIZED, "invalid_client", "Unauthorized"),
            "Client authentication failed",
            h,
        ),
    };
    let body = json!({
        "title": title,
        "type": OAUTH_PROBLEM,
        "status": status.as_u16(),
        "detail": detail,
        "hint": hint,
        "error": error,
        "error_description": detail,
    });
    let mut response = (status, Json(body)).into_response();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // league: a challenge only when the client tried HTTP Basic.
    if basic && error == "invalid_client" {
        h.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"OAuth\""),
        );
    }
    response
}

/// An API error as the provider's API answers one: `application/problem+json` with
/// `{title, type, status, detail}` (RFC 7807).
fn problem(status: StatusCode, detail: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let body = json!({
        "title": title,
        "type": format!("https://httpstatus.es/{}", status.as_u16()),
        "status": status.as_u16(),
        "detail": detail,
    });
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

/// What `GET /api/v4/account?with=…` may add, as the provider's API reference lists it.
const ACCOUNT_WITH: [&str; 9] = [
    "amojo_id",
    "amojo_rights",
    "users_groups",
    "task_types",
    "version",
    "entity_names",
    "datetime_settings",
    "drive_url",
    "is_api_filter_enabled",
];

/// `GET /api/v4/account`: the account's documented fields (the provider's API reference),
/// with the sandbox's values, and what `with=` (comma-separated) asks for besides.
pub(super) async fn account_api(
    State(app): State<App>,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let a = match bearer_account(&app, &headers) {
        Ok(a) => a,
        Err(detail) => return problem(StatusCode::UNAUTHORIZED, detail),
    };
    let with: Vec<String> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k == "with")
        .flat_map(|(_, v)| {
            v.split(',')
                .map(|w| w.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let unknown: Vec<&str> = with
        .iter()
        .map(String::as_str)
        .filter(|w| !w.is_empty() && !ACCOUNT_WITH.contains(w))
        .collect();
    if !unknown.is_empty() {
        return problem(
            StatusCode::BAD_REQUEST,
            &format!(
                "with: {} is not one of {}",
                unknown.join(", "),
                ACCOUNT_WITH.join(", ")
            ),
        );
    }
    let user_id = crate::store::user_id(a.id);
    let created = 1_577_836_800_u64; // 2020-01-01
    let mut body = json!({
        "id": a.id,
        "name": a.name,
        "subdomain": a.subdomain,
        "created_at": created,
        "created_by": user_id,
        "updated_at": created,
        "updated_by": user_id,
        "current_user_id": user_id,
        "country": "US",
        "currency": "USD",
        "currency_symbol": "$",
        "customers_mode": "disabled",
        "is_unsorted_on": true,
        "mobile_feature_version": 0,
        "is_loss_reason_enabled": true,
        "is_helpbot_enabled": false,
        "is_technical_account": false,
        "contact_name_display_order": 1,
        "_links": { "self": { "href": format!("https://{}.{BASE_DOMAIN}/api/v4/account", a.subdomain) } },
    });
    let mut embedded = serde_json::Map::new();
    for w in &with {
        match w.as_str() {
            "amojo_id" => {
                body["amojo_id"] = json!(format!("{:08x}-0000-4000-8000-{:012x}", a.id, a.id))
            }
            "version" => body["version"] = json!(26),
            "drive_url" => {
                body["drive_url"] = json!(format!("https://drive-b.kommo.com/{}", a.subdomain))
            }
            "is_api_filter_enabled" => body["is_api_filter_enabled"] = json!(true),
            "amojo_rights" => {
                embedded.insert(
                    "amojo_rights".into(),
                    json!({ "can_direct": true, "can_create_groups": true }),
                );
            }
            "users_groups" => {
                embedded.insert(
                    "users_groups".into(),
                    json!([{ "id": 0, "name": "Main office", "uuid": null }]),
                );
            }
            "task_types" => {
                embedded.insert(
                    "task_types".into(),
                    json!([{ "id": 1, "name": "Follow-up", "color": null, "icon_id": null, "code": "FOLLOW_UP" },
                           { "id": 2, "name": "Meeting", "color": null, "icon_id": null, "code": "MEETING" }]),
                );
            }
            "entity_names" => {
                embedded.insert(
                    "entity_names".into(),
                    json!({ "leads": { "en": { "singular_form": { "default": "lead" }, "plural_form": { "default": "leads" } } } }),
                );
            }
            "datetime_settings" => {
                embedded.insert(
                    "datetime_settings".into(),
                    json!({ "date_pattern": "m/d/Y", "short_date_pattern": "m/d", "time_format": "H:i", "timezone": "UTC", "timezone_offset": "+00:00" }),
                );
            }
            _ => {}
        }
    }
    if !embedded.is_empty() {
        body["_embedded"] = serde_json::Value::Object(embedded);
    }
    Json(body).into_response()
}

/// The account an access token in `Authorization: Bearer …` grants, or the API's 401.
/// (The `Err` is the 401's detail.)
fn bearer_account(app: &App, headers: &HeaderMap) -> Result<&'static Account, &'static str> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or("send Authorization: Bearer <access_token>")?;
    let now = app.now();
    let authorized = app.store().authorize(token.trim(), now);
    authorized.map_err(|denied| denied.hint())
}

/// Where an account lives, as the provider's subdomain calls answer.
fn subdomain(a: &Account) -> Response {
    Json(json!({
        "id": a.id,
        "subdomain": a.subdomain,
        "domain": format!("{}.{BASE_DOMAIN}", a.subdomain),
        "top_level_domain": BASE_DOMAIN.rsplit('.').next(),
    }))
    .into_response()
}

/// `GET /oauth2/account/subdomain` with a bearer token (the official PHP SDK's
/// `getAccountDomain`).
async fn subdomain_by_access_token(State(app): State<App>, headers: HeaderMap) -> Response {
    match bearer_account(&app, &headers) {
        Ok(a) => subdomain(a),
        Err(detail) => problem(StatusCode::UNAUTHORIZED, detail),
    }
}

/// `GET /oauth2/account/current/subdomain` with `X-Refresh-Token` (the official PHP SDK calls
/// it on the token's `api_domain` when a refresh answered 401 or 404, to find the account's
/// domain again).
async fn subdomain_by_refresh_token(State(app): State<App>, headers: HeaderMap) -> Response {
    let token = headers
        .get("x-refresh-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let now = app.now();
    let account = app.store().account_of_refresh_token(token.trim(), now);
    match account {
        Some(a) => subdomain(a),
        None => problem(
            StatusCode::UNAUTHORIZED,
            "send X-Refresh-Token: a refresh token of this account",
        ),
    }
}

/// `GET /v3/user`: the resource owner (league/oauth2-client's `getResourceOwner` in the
/// official PHP SDK): the user who consented.
async fn resource_owner(State(app): State<App>, headers: HeaderMap) -> Response {
    match bearer_account(&app, &headers) {
        Ok(a) => Json(json!({
            "id": crate::store::user_id(a.id),
            "name": format!("{} admin", a.name),
            "email": format!("admin@{}.{BASE_DOMAIN}", a.subdomain),
        }))
        .into_response(),
        Err(detail) => problem(StatusCode::UNAUTHORIZED, detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let header = |raw: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(raw)
            )
        };
        assert_eq!(
            basic_credentials(&header("my%3Aclient:s+e%2Bcret")).map(|(decoded, _)| decoded),
            Some(("my:client".into(), "s e+cret".into()))
        );
        assert_eq!(
            basic_credentials(&header("id:a+b:c")).map(|(_, raw)| raw),
            Some(("id".into(), "a+b:c".into())),
            "as sent, for clients that do not form-encode"
        );
        assert_eq!(
            basic_credentials(&header("id:")).map(|(decoded, _)| decoded),
            Some(("id".into(), String::new()))
        );
        assert_eq!(basic_credentials(&header("no-colon")), None);
        assert_eq!(basic_credentials("Bearer abc"), None);
        assert_eq!(basic_credentials("Basic %%%"), None);
    }

    #[test]
    fn a_form_or_json_body_and_nothing_else() {
        let with = |kind: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
            h
        };
        let form = parse(
            &with("application/x-www-form-urlencoded"),
            b"grant_type=refresh_token&refresh_token=a%2Bb",
        )
        .ok()
        .and_then(|t| t.refresh_token);
        assert_eq!(form.as_deref(), Some("a+b"));
        let json = parse(
            &with("application/json; charset=utf-8"),
            br#"{"grant_type":"refresh_token","refresh_token":"x"}"#,
        );
        assert!(json.is_ok());
        assert!(matches!(
            parse(&with("application/x-www-form-urlencoded"), b"code=a&code=b"),
            Err(Denied::InvalidRequest(_))
        ));
        assert!(matches!(
            parse(&with("text/plain"), b"{}"),
            Err(Denied::InvalidRequest(_))
        ));
    }
}
