//! The browser shell of the sign-in button: the only crate that touches the DOM. It reads
//! the page into the shapes of `kommo-oauth-core`, asks the core what to do, and carries it
//! out. Each browser resource is an owned value released in `Drop` (gloo's listeners and
//! timers, the button's element).
//!
//! This crate exports nothing to JavaScript by itself: the `cdylib` leaves (the root crate
//! `src/`, the npm package's main entry; `crates/dropin`, `crates/callback` and
//! `crates/leadexec`) each choose their exports, allocator and panic strategy.

/// One sign-in attempt, for both products: its window, id, record, channel and timers.
pub mod attempt;
/// Console output for diagnostics and errors.
pub mod console;
/// Finding the elements a drop-in takes over, now and as they appear.
pub mod discover;
/// Small JS interop helpers.
pub mod js;
/// The Kommo / amoCRM button: the drop-in's tags, the npm API, rendering, the Redirect URI
/// helper.
pub mod kommo;
/// The LeadExec drop-in: enhancing the integrator's buttons, the dialog, the token API.
pub mod leadexec;
/// The page-wide configuration: the loader tag's attributes, the npm package's setters.
pub mod loader;
/// The sign-in window, for the Kommo attempt and the LeadExec dialog alike.
pub mod popup;
/// Reporting results: integrator callbacks, DOM events, promises.
pub mod report;
/// Random values, and the record an attempt's window holds.
pub mod state;
