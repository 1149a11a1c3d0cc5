//! The browser shell around [`crate::core`]: the only modules that import `web_sys`.
//! Each browser resource is an owned value released in `Drop`.

/// The programmatic API of the npm package.
#[cfg(feature = "api")]
pub mod api;
/// One sign-in attempt: popup window, listeners, closed poll.
pub mod attempt;
/// Finding and mounting `.kommo_oauth` / `.amocrm_oauth` tags, now and later.
#[cfg(feature = "automount")]
pub mod automount;
/// One mounted button: its element, click listener and sign-in attempt.
pub mod button;
/// Console output for diagnostics and errors.
pub mod console;
/// Small JS interop helpers.
pub mod js;
/// Event listeners and timers released on drop.
pub mod listen;
/// The Redirect URI helper.
#[cfg(feature = "helper")]
pub mod redirect;
/// Building the `<button>` element.
pub mod render;
/// Reporting results: integrator callbacks, DOM events, promises.
pub mod report;
/// Reading settings from a tag's attributes or an options object.
pub mod source;
/// Random state values and their `sessionStorage` record.
pub mod state;
/// The stylesheet, installed once per document.
pub mod style;

/// Readable panics in the console, in debug builds only (`--features debug`).
#[cfg(feature = "debug")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}
