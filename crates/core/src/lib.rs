//! The pure core of the sign-in button: plain Rust with no browser types, `no_std` + `alloc`,
//! unit-tested natively with `cargo test -p kommo-oauth-core`.
//!
//! The browser shell (the `kommo-oauth-web` crate) reads the DOM into the shapes defined
//! here, asks the core what to do, and carries it out. The sandbox provider (native) uses
//! the protocol types through the `serde` feature.

#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

/// What every module uses from `alloc`.
mod prelude {
    pub use alloc::string::String;
    pub use alloc::vec::Vec;
}

/// The authorization (consent page) URL.
pub mod auth_url;
/// The validated button configuration and its enums.
pub mod config;
/// Console diagnostics: what was wrong, what is accepted, what we did instead.
pub mod diag;
/// What a sign-in attempt does with each message or event (a pure step function).
pub mod flow;
/// The LeadExec sign-in button: its service origin, URLs, dialog message and result.
pub mod leadexec;
/// URL and origin rules: secure URLs, loopback origins, bare origins.
pub mod origin;
/// Turning raw setting values into a [`config::ButtonConfig`], with diagnostics.
pub mod parse;
/// Popup window geometry and its `window.open` features string.
pub mod popup;
/// The message protocol between the consent page, the Redirect URI page and the opener.
pub mod protocol;
/// Every setting a tag or an options object can carry, and where it is read from.
pub mod settings;
/// Small string helpers shared by the modules above.
pub mod strings;
/// Default titles per provider and locale.
pub mod text;
/// Who may configure what: the page's markup, its `<script>` tags, its code.
pub mod trust;

/// Property tests of the parser and the message classifier (`cargo test fuzz`).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod fuzz;
