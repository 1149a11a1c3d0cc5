//! Random values from `crypto.getRandomValues` (states, attempt ids, window names), and the
//! `sessionStorage` record that lets the Redirect URI page tell the result of this tab's
//! attempt from a forged one.
//!
//! The record maps a state to its attempt's id. It is bound to the attempt's own window: the
//! opener writes it just before `window.open` (the popup's sessionStorage starts as a copy of
//! its opener's) and removes it right after, so the popup holds it and no window opened
//! later from this tab, by anything, inherits it. It is written again only in this tab's own
//! window just before this tab itself goes to the Redirect URI (popup mode, the same-tab
//! fallback).

use crate::js::window;
use kommo_oauth_core::kommo::protocol::state_key;
use kommo_oauth_core::strings::hex;

/// 128 random bits as 32 hex digits, or `None` when the browser offers no secure random
/// numbers (then no sign-in starts: a predictable state would defeat its purpose).
pub fn random() -> Option<String> {
    let mut bytes = [0u8; 16];
    window()
        .crypto()
        .ok()?
        .get_random_values_with_u8_array(&mut bytes)
        .ok()?;
    Some(hex(&bytes))
}

fn storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

/// Loads this tab's `sessionStorage`, ahead of the first click: a page's first use of it takes
/// the browser 1 to 3 ms, on the click's way to `window.open` (docs/size.md, "The click").
pub fn load_storage() {
    if let Some(storage) = storage() {
        let _ = storage.length();
    }
}

/// Records in this window's storage that attempt `id` sent `state` (storage may be
/// unavailable: then nothing is kept, and the helper reports the result unverified).
pub fn remember(state: &str, id: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&state_key(state), id);
    }
}

/// Removes the record of `state` from this window's storage.
pub fn forget(state: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&state_key(state));
    }
}

/// The id of the attempt this window's record says sent `state`, consuming the record.
pub fn take(state: &str) -> Option<String> {
    let storage = storage()?;
    let key = state_key(state);
    let id = storage.get_item(&key).ok().flatten();
    let _ = storage.remove_item(&key);
    id
}
