//! One sign-in attempt: it owns its id (128 random bits only it and its own window know), the
//! popup's [`Watch`] (the `message` listener and the closed poll), the `BroadcastChannel`
//! fallback named after its id and the deadline after the popup is gone. Finishing,
//! cancelling or replacing the attempt drops it, and that releases all of them. One attempt
//! per page is live: opening a sign-in window closes the one before it (`popup::open`), and
//! the earlier attempt is then over.

use crate::js::{self, JsFields};
use crate::popup::{self, Watch};
use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use kommo_oauth_core::flow::{Expected, Poll, LINGER_MS};
use kommo_oauth_core::popup::WINDOW_NAME_PREFIX;
use kommo_oauth_core::protocol::{channel_name, classify, Message, ACK_TYPE};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, MessageEvent, Window};

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
    /// The attempt's secret: the name of its channel, and what its window's record holds.
    pub id: String,
    popup: Window,
    on_event: OnEvent,
    watch: Watch,
    _channel: Option<Channel>,
    deadline: Option<Timeout>,
}

/// Opens the consent popup synchronously (call this directly inside the click handler).
pub fn open_popup(url: &str) -> Result<Window, popup::Refused> {
    popup::open(url, WINDOW_NAME_PREFIX)
}

impl Attempt {
    /// Starts listening for the result of `popup`. A `message` counts only when its source is
    /// this popup and its origin is `provider_origin` (the consent page) or this page's own
    /// (our helper, once the popup is on the Redirect URI); both are checked before any of
    /// the message's data is read.
    pub fn start(
        popup: Window,
        id: String,
        expected: Expected,
        provider_origin: String,
        on_event: impl Fn(AttemptEvent) + 'static,
    ) -> Attempt {
        let on_event: OnEvent = Rc::new(on_event);
        let own_origin = js::own_origin();
        let watch = {
            let (on_message, on_tick) = (on_event.clone(), on_event.clone());
            let (provider, own) = (provider_origin.clone(), own_origin.clone());
            Watch::start(
                &popup,
                vec![provider_origin, own_origin.clone()],
                move |origin, data| {
                    if let Some(message) = classify(origin, &provider, &own, &JsFields(data)) {
                        on_message(AttemptEvent::Message(message));
                    }
                },
                move |poll| on_tick(AttemptEvent::Poll(poll)),
            )
        };
        let channel = Self::channel(&id, own_origin, on_event.clone());
        Attempt {
            expected,
            id,
            popup,
            on_event,
            watch,
            _channel: channel,
            deadline: None,
        }
    }

    /// The helper's fallback when `window.opener` was cut (Cross-Origin-Opener-Policy). A
    /// `BroadcastChannel` only connects same-origin contexts, and this one is named after
    /// the attempt's id, which only the attempt's own window can read from its record.
    fn channel(id: &str, own_origin: String, on_event: OnEvent) -> Option<Channel> {
        let channel = BroadcastChannel::new(&channel_name(id)).ok()?;
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

    /// Whether this is the page's current attempt (no sign-in window opened since its own).
    pub fn is_current(&self) -> bool {
        popup::is_latest(&self.popup)
    }

    /// Whether the popup can still be focused.
    pub fn is_open(&self) -> bool {
        self.watch.is_polling() && !popup::is_closed(&self.popup)
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
        self.watch.stop_polling();
        let on_event = self.on_event.clone();
        self.deadline.get_or_insert_with(|| {
            Timeout::new(LINGER_MS, move || on_event(AttemptEvent::Expired))
        });
    }
}
