//! The browser shell around [`crate::core`]: the only modules that import `web_sys`.
//! Each browser resource is an owned value released in `Drop`.

/// Console output for diagnostics and errors.
pub mod console;
/// Reading settings from a tag's attributes or an options object.
pub mod source;
/// The stylesheet, installed once per document.
pub mod style;
/// Building the `<button>` element.
pub mod render;
/// One mounted button: its element, click listener and sign-in attempt.
pub mod button;
/// One sign-in attempt: popup window, listeners, closed poll.
pub mod attempt;
/// Reporting results: integrator callbacks, DOM events, promises.
pub mod report;
/// Random state values and their `sessionStorage` record.
pub mod state;
/// Finding and mounting `.kommo_oauth` / `.amocrm_oauth` tags, now and later.
#[cfg(feature = "automount")]
pub mod automount;
/// The programmatic API of the npm package.
#[cfg(feature = "api")]
pub mod api;
/// The Redirect URI helper.
#[cfg(feature = "helper")]
pub mod redirect;
/// Small JS interop helpers.
pub mod js;
/// Event listeners and timers released on drop.
pub mod listen;

/// Readable panics in the console, in debug builds only (`--features debug`).
#[cfg(feature = "debug")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}
