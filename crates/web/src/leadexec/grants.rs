//! The grants remembered for returning visitors (`localStorage`, per service and button):
//! kept when a dialog grants access, refreshed silently on render, forgotten when they stop
//! working or the visitor disconnects.

use super::discover::{button_ids, Enhanced};
use super::{dialog, service, token};
use crate::{console, js};
use kommo_oauth_core::leadexec::{
    read_remembered, refresh_url, remembered, storage_key, AuthorizeResult, LeReason,
};
use std::rc::Rc;
use web_sys::Storage;

fn storage() -> Option<Storage> {
    js::window().local_storage().ok().flatten()
}

/// Remembers the grant a dialog gave for `button_id`, for the visitor's next visit.
pub(super) fn keep(button_id: &str, app: &str, refresh_token: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(
            &storage_key(&service(), button_id),
            &remembered(app, refresh_token),
        );
    }
}

/// A returning visitor: the grant remembered for this button is refreshed (no window
/// opens); a grant that no longer works is forgotten and reported as `grant_revoked`.
pub(super) fn silent_check(enhanced: Rc<Enhanced>) {
    let Some(value) = storage().and_then(|s| {
        s.get_item(&storage_key(&service(), &enhanced.button_id))
            .ok()
            .flatten()
    }) else {
        return;
    };
    let Some((app, token)) =
        read_remembered(&value).map(|(a, t)| (String::from(a), String::from(t)))
    else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(response) = token::call(&refresh_url(&service(), &token, &app)).await else {
            return console::error(&["the LeadExec token API did not answer; the visitor can still sign in by clicking."], None);
        };
        // The visitor clicked meanwhile: that attempt decides, and its grant is kept.
        if enhanced.touched.get() {
            return;
        }
        let key = storage_key(&service(), &enhanced.button_id);
        let result = match (response.valid, response.auth_token) {
            (true, Some(auth_token)) => {
                let refresh_token = response.refresh_token.unwrap_or(token);
                if let Some(storage) = storage() {
                    let _ = storage.set_item(&key, &remembered(&app, &refresh_token));
                }
                AuthorizeResult {
                    valid: true,
                    refresh_token: Some(refresh_token),
                    auth_token: Some(auth_token),
                    expire_date: response.expire_date,
                    app_id: Some(app),
                    error: None,
                }
            }
            _ => {
                if let Some(storage) = storage() {
                    if storage.get_item(&key).ok().flatten().as_deref() == Some(value.as_str()) {
                        let _ = storage.remove_item(&key);
                    }
                }
                AuthorizeResult::failed(LeReason::GrantRevoked.code())
            }
        };
        dialog::deliver(&enhanced.element, &result);
    });
}

/// Removes every remembered grant holding `refresh_token`.
pub(super) fn forget(refresh_token: &str) {
    let Some(storage) = storage() else {
        return;
    };
    let keys: Vec<String> = button_ids()
        .iter()
        .map(|id| storage_key(&service(), id))
        .collect();
    for key in keys {
        let held = storage.get_item(&key).ok().flatten();
        if held
            .as_deref()
            .and_then(read_remembered)
            .is_some_and(|(_, t)| t == refresh_token)
        {
            let _ = storage.remove_item(&key);
        }
    }
}
