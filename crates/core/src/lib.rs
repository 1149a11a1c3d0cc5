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

/// One sign-in attempt's decisions, for both products (a pure step function).
pub mod attempt;
/// Console diagnostics: what was wrong, what is accepted, what we did instead.
pub mod diag;
/// The Kommo / amoCRM button: settings, parsing, trust, the consent URL, its messages.
pub mod kommo;
/// The LeadExec sign-in button: its service origin, URLs, dialog message and result.
pub mod leadexec;
/// URL and origin rules: secure URLs, loopback origins, bare origins.
pub mod origin;
/// Sign-in window geometry, its `window.open` features string and its name.
pub mod popup;
/// Small string helpers shared by the modules above.
pub mod strings;
