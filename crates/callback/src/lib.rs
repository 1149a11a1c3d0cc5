//! The Redirect URI helper's wasm: loaded by `dist/callback.js` on the integrator's Redirect
//! URI page (which calls `completeSignIn` by itself), and the npm package's
//! `kommo-oauth-button/callback` entry point.
//!
//! What this leaf owns:
//! - **exports**: `completeSignIn` only;
//! - **allocator**: lol_alloc's free list, as the drop-in;
//! - **panic strategy**: as the drop-in: `panic = immediate-abort` in the drop-in build; the
//!   npm build and debug builds install console_error_panic_hook (`start`), so a developer
//!   sees a readable panic.

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
/** What the Redirect URI page received, and whether this browser tab issued its state. */
export interface CompletedSignIn {
  code?: string;
  state?: string;
  referer?: string;
  client_id?: string;
  from_widget?: string;
  error?: string;
  url: string;
  verified: boolean;
}

declare global {
  /** Dispatched on window by dist/callback.js on the Redirect URI page. */
  interface WindowEventMap {
    "kommo-oauth:callback": CustomEvent<CompletedSignIn>;
  }
}
"#;
/// Completes sign-in on the Redirect URI page and returns what it found:
/// `{code, state, referer, client_id, from_widget, error, url, verified}` where `verified`
/// says whether this browser tab issued the state.
///
/// First it takes `code` and `state` out of the address bar (`history.replaceState`), so
/// they do not linger in history, bookmarks or the page's own scripts; `href` is the address
/// as it was when the caller already did that (the drop-in's loader does it before the wasm
/// loads). The result goes to `window.opener` only when this window carries the popup's
/// name, with `targetOrigin` set to this page's origin; otherwise (COOP cut the opener) on
/// the state's `BroadcastChannel`, closing the window only when an opener answers.
#[wasm_bindgen(js_name = completeSignIn)]
pub fn complete_sign_in(href: Option<String>) -> kommo_oauth_web::kommo::redirect::CompletedSignIn {
    kommo_oauth_web::kommo::redirect::complete_sign_in(href)
}
