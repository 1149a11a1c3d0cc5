//! The Redirect URI helper (`post_message` mode, and the COOP fallback of `popup` mode):
//! reads the result from the URL, checks the state this tab issued, and reports it to the
//! opener with `targetOrigin` set to this page's own origin (never `"*"`), or through a
//! `BroadcastChannel` when `window.opener` was cut (the opener answers on it, which tells the
//! helper it runs in the popup); then closes the popup, or says how.

use crate::js::{self, JsFields};
use crate::state;
use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use kommo_oauth_core::attempt::Fields;
use kommo_oauth_core::kommo::protocol::{channel_name, CallbackResult, ACK_TYPE, CALLBACK_TYPE};
use kommo_oauth_core::popup::{is_window_name, WINDOW_NAME_PREFIX};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent, Window};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "CompletedSignIn")]
    pub type CompletedSignIn;
}

/// Completes sign-in on the Redirect URI page (the callback crate's `completeSignIn`,
/// documented there).
pub fn complete_sign_in(href: Option<String>) -> CompletedSignIn {
    let win = js::window();
    let href = href.unwrap_or_else(|| scrub_address_bar(&win));
    let search = kommo_oauth_core::kommo::protocol::query_of(&href);
    let result = CallbackResult::from_query(&href, search);
    // The attempt's id, from the record only the attempt's own window holds (crate::state).
    let attempt_id = result.state.as_deref().and_then(state::take);
    let verified = attempt_id.is_some();
    let payload = payload(&result);
    let own_origin = js::own_origin();
    // Our popups are named by `popup::open` (a prefix and 128 random bits) and opened by a
    // page of this origin. A window some other site named like one (its opener's location
    // cannot be read from here) is not ours: it is neither posted to nor closed.
    let named_like_ours = win
        .name()
        .is_ok_and(|name| is_window_name(&name, WINDOW_NAME_PREFIX));
    // Not `dyn_into`: `instanceof Window` is false for another window's object.
    let opener = win
        .opener()
        .ok()
        .filter(JsValue::is_object)
        .map(JsCast::unchecked_into::<Window>);
    let same_origin_opener = |opener: &Window| {
        js::get(&js::get(opener, "location"), "origin")
            .as_string()
            .as_deref()
            == Some(own_origin.as_str())
    };
    let opener_present = opener.is_some();
    match opener {
        Some(opener) if named_like_ours && same_origin_opener(&opener) => {
            let _ = opener.post_message(&payload, &own_origin);
            close_or_explain(&win, &result);
        }
        _ => {
            // Cut by Cross-Origin-Opener-Policy (the browser then also clears the name), or
            // this is the main window (popup mode), or a window some other page opened: only a
            // broadcast on the attempt's channel, and close only when the opener answers that
            // this is its popup. Only the attempt's own window has the record that names the
            // channel: any other window (opened later from the tab, by anything) has none.
            if let Some(id) = &attempt_id {
                broadcast_and_await_ack(id, &payload, result.clone());
            }
            // Named like our popup with no opener left (the visitor closed the page): say the
            // window may be closed, but do not close it (the name alone proves nothing).
            if named_like_ours && !opener_present {
                explain(&result);
            }
        }
    }
    js::set(&payload, "verified", &JsValue::from_bool(verified));
    js::set(&payload, "type", &JsValue::UNDEFINED);
    payload.unchecked_into()
}

/// Replaces the address with one without `code` and `state`; returns the address as it was.
fn scrub_address_bar(win: &Window) -> String {
    let href = win.location().href().unwrap_or_default();
    if let Ok(url) = web_sys::Url::new(&href) {
        let params = url.search_params();
        if params.has("code") || params.has("state") {
            params.delete("code");
            params.delete("state");
            if let Ok(history) = win.history() {
                let state = history.state().unwrap_or(JsValue::NULL);
                let _ = history.replace_state_with_url(&state, "", Some(&url.href()));
            }
        }
    }
    href
}

/// How long the helper waits for the opener's acknowledgement on the channel.
const ACK_WAIT_MS: u32 = 3000;

/// The channel kept open while waiting for the opener's acknowledgement.
struct AwaitingAck {
    channel: BroadcastChannel,
    _listener: EventListener,
    _deadline: Timeout,
}

impl Drop for AwaitingAck {
    fn drop(&mut self) {
        self.channel.close();
    }
}

thread_local! {
    static AWAITING: RefCell<Option<AwaitingAck>> = const { RefCell::new(None) };
}

fn broadcast_and_await_ack(attempt_id: &str, payload: &JsValue, result: CallbackResult) {
    let Ok(channel) = BroadcastChannel::new(&channel_name(attempt_id)) else {
        return;
    };
    let listener = EventListener::new(&channel, "message", move |event| {
        let Some(event) = event.dyn_ref::<MessageEvent>() else {
            return;
        };
        if JsFields(&event.data()).string("type").as_deref() == Some(ACK_TYPE) {
            AWAITING.with(|slot| drop(slot.borrow_mut().take()));
            close_or_explain(&js::window(), &result);
        }
    });
    let deadline = Timeout::new(ACK_WAIT_MS, || {
        AWAITING.with(|slot| drop(slot.borrow_mut().take()))
    });
    let _ = channel.post_message(payload);
    AWAITING.with(|slot| {
        *slot.borrow_mut() = Some(AwaitingAck {
            channel,
            _listener: listener,
            _deadline: deadline,
        })
    });
}

fn payload(result: &CallbackResult) -> JsValue {
    let payload = crate::report::object(result);
    js::set(&payload, "type", &JsValue::from_str(CALLBACK_TYPE));
    payload
}

/// Closes the popup; when the browser refuses, tells the person what happened.
fn close_or_explain(win: &Window, result: &CallbackResult) {
    let _ = win.close();
    explain(result);
}

/// Tells the person the sign-in is over and this window may be closed.
fn explain(result: &CallbackResult) {
    let text = if result.error.is_some() {
        "Sign-in was not completed. You can close this window."
    } else {
        "Sign-in finished. You can close this window."
    };
    let document = js::document();
    let Ok(p) = js::create_element(&document, "p") else {
        return;
    };
    p.set_text_content(Some(text));
    let _ = p.set_attribute("role", "status");
    if let Some(body) = js::body(&document) {
        let _ = body.append_child(&p);
    }
}
