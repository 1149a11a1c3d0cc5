//! One sign-in attempt: it owns the popup window handle, the `message` listener, the
//! `BroadcastChannel` fallback, the closed poll and the deadline after the popup is gone.
//! Finishing, cancelling or replacing the attempt drops it, and that releases all of them
//! and the `sessionStorage` record of its state. One attempt per page is live: every popup
//! has the same window name, so a second button's click loads its consent page into the
//! window an earlier attempt opened, and that earlier attempt is then over.

use crate::js::{self, JsFields};
use crate::state;
use gloo_events::EventListener;
use gloo_timers::callback::{Interval, Timeout};
use kommo_oauth_core::flow::{on_poll, Expected, Poll};
use kommo_oauth_core::popup::{features, WindowRect, WINDOW_NAME};
use kommo_oauth_core::protocol::{channel_name, classify, Message, ACK_TYPE};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent, Window};

/// How often the popup's `closed` flag is read.
const POLL_MS: u32 = 300;

/// How long an attempt keeps listening for the Redirect URI helper's broadcast once the
/// popup handle reads `closed`: Cross-Origin-Opener-Policy cuts the handle while the visitor
/// is still deciding, so the result may come minutes later (or never, if they closed it).
const LINGER_MS: u32 = 10 * 60 * 1000;

thread_local! {
    /// The number of the page's newest attempt.
    static NEWEST: Cell<u32> = const { Cell::new(0) };
}

/// What happens to an attempt, for its owner to act on.
pub enum AttemptEvent {
    /// A message from this attempt's popup (or its helper's channel), origin- and shape-checked.
    Message(Message),
    /// A tick of the closed poll.
    Poll(Poll),
    /// The deadline after the popup closed passed: the attempt is over.
    Expired,
}

type OnEvent = Rc<dyn Fn(AttemptEvent)>;

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
    /// Its place among the page's attempts (see [`Attempt::is_newest`]).
    number: u32,
    popup: Window,
    on_event: OnEvent,
    _message: EventListener,
    _channel: Option<Channel>,
    poll: Option<Interval>,
    deadline: Option<Timeout>,
    /// Whether the state record stays for the Redirect URI page this window goes to.
    keep_state: bool,
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if !self.keep_state {
            state::forget(&self.expected.state);
        }
    }
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
    // A page that opened this one may have named it like our popup: `window.open` would then
    // load the consent page here, in the visitor's own tab.
    // (Through `Reflect`, already linked, rather than two more imports.)
    if js::get(&win, "name").as_string().as_deref() == Some(WINDOW_NAME) {
        js::set(&win, "name", &JsValue::from_str(""));
    }
    let popup = win
        .open_with_url_and_target_and_features(url, WINDOW_NAME, &popup_features())
        .ok()??;
    let _ = popup.focus();
    Some(popup)
}

impl Attempt {
    /// Starts listening for the result of `popup`. A `message` counts only when its source is
    /// this popup and its origin is `provider_origin` (the consent page) or this page's own
    /// (our helper, once the popup is on the Redirect URI); both are checked before any of
    /// the message's data is read.
    pub fn start(
        popup: Window,
        expected: Expected,
        provider_origin: String,
        on_event: impl Fn(AttemptEvent) + 'static,
    ) -> Attempt {
        let number = NEWEST.with(|n| n.get().wrapping_add(1));
        NEWEST.with(|n| n.set(number));
        let on_event: OnEvent = Rc::new(on_event);
        let own_origin = js::own_origin();
        let message = {
            let (on_event, own_origin, source) = (
                on_event.clone(),
                own_origin.clone(),
                JsValue::from(popup.clone()),
            );
            EventListener::new(js::window().as_ref(), "message", move |event| {
                let Some(event) = event.dyn_ref::<MessageEvent>() else {
                    return;
                };
                if !event.source().is_some_and(|s| JsValue::from(s) == source) {
                    return;
                }
                let origin = event.origin();
                if origin != provider_origin && origin != own_origin {
                    return;
                }
                if let Some(message) = classify(
                    &origin,
                    &provider_origin,
                    &own_origin,
                    &JsFields(&event.data()),
                ) {
                    on_event(AttemptEvent::Message(message));
                }
            })
        };
        let channel = Self::channel(&expected.state, own_origin, on_event.clone());
        let opened_at = js_sys::Date::now();
        let poll = {
            let (popup, on_event) = (popup.clone(), on_event.clone());
            Interval::new(POLL_MS, move || {
                let closed = popup.closed().unwrap_or(true);
                on_event(AttemptEvent::Poll(on_poll(
                    closed,
                    js_sys::Date::now() - opened_at,
                )));
            })
        };
        Attempt {
            expected,
            number,
            popup,
            on_event,
            _message: message,
            _channel: channel,
            poll: Some(poll),
            deadline: None,
            keep_state: false,
        }
    }

    /// The helper's fallback when `window.opener` was cut (Cross-Origin-Opener-Policy). A
    /// `BroadcastChannel` only connects same-origin contexts, and this one is named after
    /// the attempt's state.
    fn channel(state: &str, own_origin: String, on_event: OnEvent) -> Option<Channel> {
        let channel = BroadcastChannel::new(&channel_name(state)).ok()?;
        let reply = channel.clone();
        let listener = EventListener::new(&channel, "message", move |event| {
            let Some(event) = event.dyn_ref::<MessageEvent>() else {
                return;
            };
            if let Some(message @ Message::Callback(_)) =
                classify(&own_origin, "", &own_origin, &JsFields(&event.data()))
            {
                // Tell the helper it is in our popup, so it can close itself.
                let _ = reply.post_message(&js::object(&[("type", Some(ACK_TYPE))]));
                on_event(AttemptEvent::Message(message));
            }
        });
        Some(Channel {
            channel,
            _listener: listener,
        })
    }

    /// Whether no attempt has started on this page since this one.
    pub fn is_newest(&self) -> bool {
        NEWEST.with(Cell::get) == self.number
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

    /// The popup handle reads `closed` (closed by the visitor, or cut by COOP): stop polling,
    /// keep listening for the helper's broadcast until the deadline or the next click.
    pub fn linger(&mut self) {
        self.poll = None;
        let on_event = self.on_event.clone();
        self.deadline.get_or_insert_with(|| {
            Timeout::new(LINGER_MS, move || on_event(AttemptEvent::Expired))
        });
    }

    /// Keeps the state record for the Redirect URI page this window is about to load.
    pub fn keep_state(&mut self) {
        self.keep_state = true;
    }
}
