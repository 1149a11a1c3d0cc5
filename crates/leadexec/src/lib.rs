//! The LeadExec drop-in's wasm, loaded by `dist/le-app-button.js`: it enhances the
//! integrator's `<button class="le-app-button" data-btnId="…">` elements and calls their
//! global `AuthorizeResult(result)`; `window.LeadExec.refresh` / `.disconnect` call the token
//! API.
//!
//! What this leaf owns, as the Kommo drop-in: exports (`enhance`, `refresh`, `disconnect`),
//! the talc allocator, and panics that abort (`panic = immediate-abort` in the size build;
//! console_error_panic_hook in debug builds).

use js_sys::Promise;
use wasm_bindgen::prelude::*;

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Readable panics in debug builds.
#[cfg(debug_assertions)]
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Enhances every LeadExec button on the page, now and later. `loader` is the drop-in's own
/// `<script>` element: the dialog's origin follows its `src` (and `data-origin`).
#[wasm_bindgen]
pub fn enhance(loader: JsValue) {
    kommo_oauth_web::leadexec::enhance_all(loader);
}

/// A new one-hour access token for `refreshToken` and `appId`: resolves with
/// `{valid, refreshToken, authToken, expireDate, errorMessage}`.
#[wasm_bindgen]
pub fn refresh(refresh_token: String, app_id: String) -> Promise {
    kommo_oauth_web::leadexec::refresh(refresh_token, app_id)
}

/// Disconnects the application from the visitor's account: resolves with `{valid, errorMessage}`.
#[wasm_bindgen]
pub fn disconnect(refresh_token: String) -> Promise {
    kommo_oauth_web::leadexec::disconnect(refresh_token)
}
