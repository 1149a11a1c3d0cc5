//! The Kommo (and amoCRM) sign-in button: what a tag or an options object may say, how it is
//! read and trusted, the consent page's URL, and the messages that end its attempt.

/// The authorization (consent page) URL.
pub mod auth_url;
/// The validated button configuration and its enums.
pub mod config;
/// The Kommo attempt: which messages are its result, and how it ends.
pub mod flow;
/// Turning raw setting values into a [`config::ButtonConfig`], with diagnostics.
pub mod parse;
/// The message protocol between the consent page, the Redirect URI page and the opener.
pub mod protocol;
/// Every setting a tag or an options object can carry, and where it is read from.
pub mod settings;
/// Default titles per provider and locale.
pub mod text;
/// Who may configure what: the page's markup, its `<script>` tags, its code.
pub mod trust;

/// Property tests of the parser and the message classifier (`cargo test fuzz`).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod fuzz;
/// What one parse reads, and the drop-in reader's batch of tags.
pub mod snapshot;
