//! State values: random ones from `crypto.getRandomValues`, and their `sessionStorage`
//! record so the Redirect URI page can tell a state this tab issued from a forged one.

use crate::js::window;
use kommo_oauth_core::protocol::state_key;
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

/// Records that this tab sent `state` (storage may be unavailable: then nothing is kept).
pub fn remember(state: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&state_key(state), "1");
    }
}

/// Removes the record of `state` (its attempt ended without a trip to the Redirect URI).
pub fn forget(state: &str) {
    let _ = take(state);
}

/// Whether this tab issued `state`, consuming the record; `None` without storage.
pub fn take(state: &str) -> Option<bool> {
    let storage = storage()?;
    let key = state_key(state);
    let found = storage.get_item(&key).ok().flatten().is_some();
    let _ = storage.remove_item(&key);
    Some(found)
}
