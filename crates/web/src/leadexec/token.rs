//! LeadExec's token API: `refresh(refreshToken, appId)` and `disconnect(refreshToken)`, and
//! the one GET both make (and the silent sign-in of `grants`).

use super::{grants, service};
use crate::{js, report};
use js_sys::Promise;
use kommo_oauth_core::leadexec::{disconnect_url, refresh_url, TokenResponse};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::Response;

/// GETs a token API URL (CORS, JSON) and reads the documented fields.
pub(super) async fn call(url: &str) -> Result<TokenResponse, JsValue> {
    let response: Response = JsFuture::from(js::window().fetch_with_str(url))
        .await?
        .dyn_into()?;
    let json = JsFuture::from(response.json()?).await?;
    // Own fields only: with no prototype, a field the answer lacks cannot be read from a
    // polluted `Object.prototype`. (The parsed object is this call's own.)
    if json.is_object() {
        js_sys::Object::set_prototype_of(
            json.unchecked_ref::<js_sys::Object>(),
            JsValue::NULL.unchecked_ref::<js_sys::Object>(),
        );
    }
    serde_wasm_bindgen::from_value(json).map_err(JsValue::from)
}

/// `refresh(refreshToken, appId)`: a new one-hour access token. Resolves with a fresh
/// `{valid, refreshToken, authToken, expireDate, errorMessage}`; rejects only when the
/// service cannot be reached.
pub fn refresh(refresh_token: String, app_id: String) -> Promise {
    future_to_promise(async move {
        let response = call(&refresh_url(&service(), &refresh_token, &app_id)).await?;
        Ok(report::serialized(&response))
    })
}

/// `disconnect(refreshToken)`: removes the association between the application and the
/// visitor's account (the refresh token stops working, the next click shows the dialog) and
/// forgets it on this page. Resolves with a fresh `{valid, errorMessage}`.
pub fn disconnect(refresh_token: String) -> Promise {
    future_to_promise(async move {
        let response = call(&disconnect_url(&service(), &refresh_token)).await?;
        grants::forget(&refresh_token);
        Ok(report::serialized(&response))
    })
}
