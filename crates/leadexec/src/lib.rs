//! The LeadExec drop-in's wasm, loaded by `dist/le-app-button.js`: it enhances the
//! integrator's `<button class="le-app-button" data-btnId="…">` elements and calls their
//! global `AuthorizeResult(result)`; `window.LeadExec.refresh` / `.disconnect` call the token
//! API.
//!
//! Also the npm package's `kommo-oauth-button/leadexec` entry (with `setOrigin`).
//!
//! What this leaf owns, as the Kommo drop-in: exports (`enhance`, `refresh`, `disconnect`,
//! `setOrigin`),
//! lol_alloc's free-list allocator, and panics that abort (`panic = immediate-abort` in the size build;
//! console_error_panic_hook in debug builds).

use wasm_bindgen::prelude::*;

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
// SAFETY: without the `atomics` target feature this wasm runs on one thread only.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// Readable panics: in the npm package's build (`--features panic-hook`) and debug builds.
#[cfg(any(feature = "panic-hook", debug_assertions))]
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** What the global AuthorizeResult(result) gets (and the `leadexec:result` event's detail). */
export interface AuthorizeResult {
  valid: boolean;
  /** access_denied, popup_closed, popup_blocked, grant_revoked, crypto_unavailable, invalid_response */
  error?: string;
  refreshToken?: string;
  /** Valid for one hour. */
  authToken?: string;
  /** When authToken expires, UTC (ISO 8601). */
  expireDate?: string;
  /** The application id, which refresh() needs. */
  appId?: string;
}

/** What LeadExec's refreshaccesstoken and disconnectapplicationtoken endpoints answer. */
export interface TokenResponse {
  valid: boolean;
  refreshToken?: string;
  authToken?: string;
  expireDate?: string;
  errorMessage?: string;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "Promise<TokenResponse>")]
    pub type TokenPromise;
}

/// Enhances every LeadExec button on the page, now and later. `loader` is the drop-in's own
/// `<script>` element: the dialog's origin follows its `src` (and `data-origin`).
/// `discovery` is the one of crates/web/js/discover.js, which the loader (or the npm entry)
/// carries.
#[wasm_bindgen]
pub fn enhance(loader: JsValue, discovery: kommo_oauth_web::discover::Discovery) {
    kommo_oauth_web::leadexec::enhance_all(loader, discovery);
}

/// A new one-hour access token for `refreshToken` and `appId`: resolves with
/// `{valid, refreshToken, authToken, expireDate, errorMessage}`.
#[wasm_bindgen]
pub fn refresh(refresh_token: String, app_id: String) -> TokenPromise {
    kommo_oauth_web::leadexec::refresh(refresh_token, app_id).unchecked_into()
}

/// Disconnects the application from the visitor's account: resolves with `{valid, errorMessage}`.
#[wasm_bindgen]
pub fn disconnect(refresh_token: String) -> TokenPromise {
    kommo_oauth_web::leadexec::disconnect(refresh_token).unchecked_into()
}

/// Sets the origin of the dialog and token API (the npm package has no loader tag to follow):
/// an https origin, or `http://localhost:…` on a loopback page (the sandbox). Defaults to
/// `https://apps.leadexec.net`.
#[wasm_bindgen(js_name = setOrigin)]
pub fn set_origin(origin: &str) {
    kommo_oauth_web::leadexec::set_origin(origin);
}
