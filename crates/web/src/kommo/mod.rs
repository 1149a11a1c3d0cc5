//! The Kommo (and amoCRM) button in the browser: where its settings come from, rendering and
//! mounting it, its click and its result, and the Redirect URI helper.

/// The programmatic API of the npm package (`mount`), as plain Rust.
pub mod api;
/// Finding and mounting `.kommo_oauth` / `.amocrm_oauth` tags, now and later.
pub mod automount;
/// One mounted button: its element, click listener and sign-in attempt.
pub mod button;
/// One click listener per root, routing clicks to the buttons in it.
pub mod clicks;
/// The Redirect URI helper.
pub mod redirect;
/// Building the `<button>` element.
pub mod render;
/// Reading settings from a tag's attributes or an options object.
pub mod source;
/// The stylesheet, installed once per document.
pub mod style;
