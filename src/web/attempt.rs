//! One sign-in attempt: it owns the popup window handle, the `message` listener, the
//! `BroadcastChannel` fallback and the closed poll. Finishing, cancelling or replacing the
//! attempt drops it, and that releases all of them.

use crate::prelude::*;
use super::js::{self, JsFields};
use crate::core::flow::{on_poll, Expected, Poll};
use crate::core::popup::{features, WindowRect, WINDOW_NAME};
use crate::core::protocol::{channel_name, classify, Message, ACK_TYPE};
use super::listen::{EventListener, Timer};
use alloc::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent, Window};

/// How often the popup's `closed` flag is read.
const POLL_MS: i32 = 300;

/// What happens to an attempt, for its owner to act on.
pub enum AttemptEvent {
    /// An accepted message, with the payload as sent (callbacks get the provider's object).
    Message(Message, JsValue),
    /// A tick of the closed poll.
    Poll(Poll),
}

/// A `BroadcastChannel` that is closed when dropped.
struct Channel {
    channel: BroadcastChannel,
    _listener: EventListener,
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.channel.close();
    }
}

#[must_use = "dropping an Attempt removes its listeners"]
pub struct Attempt {
    pub expected: Expected,
    popup: Window,
    _message: EventListener,
    _channel: Option<Channel>,
    poll: Option<Timer>,
}

/// Where the browser window is, for centring the popup over it.
fn window_rect(win: &Window) -> WindowRect {
    let num = |v: Result<JsValue, JsValue>| v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    WindowRect {
        x: num(win.screen_x()),
        y: num(win.screen_y()),
        width: num(win.outer_width()),
        height: num(win.outer_height()),
    }
}

/// The `window.open` features for a popup centred over this window.
pub fn popup_features() -> String {
    features(window_rect(&js::window()))
}

/// Opens the popup synchronously (call this directly inside the click handler).
/// Returns `None` when the browser blocked it.
pub fn open_popup(url: &str) -> Option<Window> {
    let win = js::window();
    let popup = win.open_with_url_and_target_and_features(url, WINDOW_NAME, &popup_features()).ok()??;
    let _ = popup.focus();
    Some(popup)
}

impl Attempt {
    /// Starts listening for the result of `popup`. Messages are accepted only from
    /// `provider_origin` (the consent page) or this page's own origin (our helper).
    pub fn start(popup: Window, expected: Expected, provider_origin: String, on_event: impl Fn(AttemptEvent) + 'static) -> Attempt {
        let on_event: Rc<dyn Fn(AttemptEvent)> = Rc::new(on_event);
        let own_origin = js::own_origin();
        let message = {
            let (on_event, own_origin) = (on_event.clone(), own_origin.clone());
            EventListener::new(js::window().as_ref(), "message", move |event| {
                let Some(event) = event.dyn_ref::<MessageEvent>() else { return };
                let data = event.data();
                if let Some(message) = classify(&event.origin(), &provider_origin, &own_origin, &JsFields(&data)) {
                    on_event(AttemptEvent::Message(message, data));
                }
            })
        };
        let channel = Self::channel(&expected.state, own_origin, on_event.clone());
        let opened_at = js_sys::Date::now();
        let poll = {
            let popup = popup.clone();
            Timer::interval(POLL_MS, move || {
                let closed = popup.closed().unwrap_or(true);
                on_event(AttemptEvent::Poll(on_poll(closed, js_sys::Date::now() - opened_at)));
            })
        };
        Attempt { expected, popup, _message: message, _channel: channel, poll: Some(poll) }
    }

    /// The helper's fallback when `window.opener` was cut (Cross-Origin-Opener-Policy).
    fn channel(state: &str, own_origin: String, on_event: Rc<dyn Fn(AttemptEvent)>) -> Option<Channel> {
        let channel = BroadcastChannel::new(&channel_name(state)).ok()?;
        let reply = channel.clone();
        let listener = EventListener::new(&channel, "message", move |event| {
            let Some(event) = event.dyn_ref::<MessageEvent>() else { return };
            let data = event.data();
            // A BroadcastChannel only connects same-origin contexts: the origin is ours.
            if let Some(message @ Message::Callback(_)) = classify(&own_origin, "", &own_origin, &JsFields(&data)) {
                // Tell the helper it is in our popup, so it can close itself.
                let _ = reply.post_message(&js::object(&[("type", Some(ACK_TYPE))]));
                on_event(AttemptEvent::Message(message, data));
            }
        });
        Some(Channel { channel, _listener: listener })
    }

    /// Whether the popup can still be focused.
    pub fn is_open(&self) -> bool {
        self.poll.is_some() && !self.popup.closed().unwrap_or(true)
    }

    pub fn focus(&self) {
        let _ = self.popup.focus();
    }

    pub fn close_popup(&self) {
        let _ = self.popup.close();
    }

    /// The handle was cut: stop reading `closed`, keep listening for the helper.
    pub fn stop_polling(&mut self) {
        self.poll = None;
    }
}
