//! The browser shell of the sign-in button: the only crate that touches the DOM. It reads
//! the page into the shapes of `kommo-oauth-core`, asks the core what to do, and carries it
//! out. Each browser resource is an owned value released in `Drop` (gloo's listeners and
//! timers, the button's element).
//!
//! This crate exports nothing to JavaScript by itself: the `cdylib` leaves (the root crate
//! `src/`, the npm package's main entry; `crates/dropin`, `crates/callback` and
//! `crates/leadexec`) each choose their exports, allocator and panic strategy.

/// The programmatic API of the npm package (`mount`), as plain Rust.
pub mod api;
/// One sign-in attempt: popup window, listeners, closed poll.
pub mod attempt;
/// Finding and mounting `.kommo_oauth` / `.amocrm_oauth` tags, now and later.
pub mod automount;
/// One mounted button: its element, click listener and sign-in attempt.
pub mod button;
/// Console output for diagnostics and errors.
pub mod console;
/// Small JS interop helpers.
pub mod js;
/// The LeadExec drop-in: enhancing the integrator's buttons, the dialog, the token API.
pub mod leadexec;
/// The sign-in window, for the Kommo attempt and the LeadExec dialog alike.
pub mod popup;
/// The Redirect URI helper.
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
