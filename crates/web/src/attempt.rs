//! One sign-in attempt in the browser, for both products: the shell around
//! `core::attempt::Attempt`, which makes every decision. The shell owns what the decisions
//! act on: the window (`popup`), the attempt's id (128 random bits only it and its own window
//! know), the record the window holds (`state::remember`), the `BroadcastChannel` named after
//! the id, the `message` listener, the closed poll and the linger's deadline. It hands its
//! owner (a Kommo button, a LeadExec button) each result through one [`Report`].
//!
//! Finishing or ending releases every listener and timer; so does dropping the [`Attempt`].
//! One attempt per page is current: the one whose window opened last (`popup::is_latest`).

use crate::js::{self, JsFields};
use crate::popup;
use crate::state;
use gloo_events::EventListener;
use gloo_timers::callback::{Interval, Timeout};
use kommo_oauth_core::attempt::Fields;
use kommo_oauth_core::attempt::{self as decide, Event, Product, Source, Step};
use kommo_oauth_core::attempt::{LINGER_MS, POLL_MS};
use kommo_oauth_core::kommo::protocol::{channel_name, ACK_TYPE};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, MessageEvent, Window};

pub use crate::popup::Refused;

/// What an attempt tells its owner.
pub enum Report<R> {
    /// A result. After the visitor closed a relayed attempt's window, a second result (the
    /// relayed one) may follow.
    Result(R),
    /// Over without a result: its linger ran out, or a newer attempt took the page.
    Ended,
}

/// An open attempt; dropping it releases every listener and timer.
#[must_use = "dropping an Attempt ends it"]
pub struct Attempt<P: Product>(Rc<Shell<P>>);

struct Shell<P: Product> {
    id: String,
    popup: Window,
    decide: RefCell<decide::Attempt<P>>,
    listening: RefCell<Listening>,
    report: Box<dyn Fn(Report<P::Result>)>,
}

#[derive(Default)]
struct Listening {
    _message: Option<EventListener>,
    poll: Option<Interval>,
    _channel: Option<Channel>,
    deadline: Option<Timeout>,
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

/// How deep sign-ins may nest: one started from inside another's reporting (a page listener
/// that clicks again when told of an error, synchronously) runs, up to this depth; deeper
/// ones are ignored. It bounds the wasm stack, which the size build places above the statics
/// (scripts/build.mjs), where an endless re-entry would otherwise reach.
const MAX_NESTED: usize = 4;

/// Starts a sign-in (both products' clicks and `signIn()` go through here) unless sign-ins
/// are already nested [`MAX_NESTED`] deep; false when it did not. (A drop-in's click cannot
/// nest at all: wasm-bindgen refuses to re-enter the listener that is running.)
pub fn nested(start: impl FnOnce()) -> bool {
    thread_local! {
        static DEPTH: Cell<usize> = const { Cell::new(0) };
    }
    let depth = DEPTH.get();
    let starts = depth < MAX_NESTED;
    if starts {
        DEPTH.set(depth + 1);
        start();
        DEPTH.set(depth);
    }
    starts
}

impl<P: Product + 'static> Attempt<P> {
    /// Opens `url` in the attempt's window, synchronously (call it directly inside the click
    /// handler), and starts listening. A relayed product's record goes with the window alone:
    /// written just before `window.open` (the window's sessionStorage starts as a copy of this
    /// tab's) and removed from this tab right after, so no window opened later inherits it.
    pub fn open(
        product: P,
        url: &str,
        report: impl Fn(Report<P::Result>) + 'static,
    ) -> Result<Attempt<P>, Refused> {
        let id = state::random().ok_or(Refused::NoCrypto)?;
        if P::RELAYED {
            state::remember(product.state(), &id);
        }
        let opened = popup::open(url, P::WINDOW_PREFIX);
        if P::RELAYED {
            state::forget(product.state());
        }
        let shell = Rc::new(Shell {
            id,
            popup: opened?,
            decide: RefCell::new(decide::Attempt::new(product)),
            listening: RefCell::default(),
            report: Box::new(report),
        });
        shell.listen();
        Ok(Attempt(shell))
    }

    /// Writes the attempt's record into this window, which is about to go to the Redirect URI
    /// itself (its helper reads the record here).
    pub fn keep_record(&self) {
        state::remember(self.0.decide.borrow().product.state(), &self.0.id);
    }

    /// Focuses the window when it is still open and watched; false when a new one is needed.
    pub fn focus_if_open(&self) -> bool {
        let open = self.0.decide.borrow().is_polling() && !popup::is_closed(&self.0.popup);
        if open {
            let _ = self.0.popup.focus();
        }
        open
    }
}

impl<P: Product + 'static> Shell<P> {
    fn listen(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        let message = EventListener::new(js::window().as_ref(), "message", move |event| {
            let (Some(shell), Some(event)) = (weak.upgrade(), event.dyn_ref::<MessageEvent>())
            else {
                return;
            };
            // Source and opener first: nothing is read from another window's message.
            if popup::sent_by(&shell.popup, event) {
                let origin = event.origin();
                shell.on(
                    Event::Message(Source::Window(&origin), &JsFields(&event.data())),
                    None,
                );
            }
        });
        let weak = Rc::downgrade(self);
        let opened_at = js_sys::Date::now();
        let poll = Interval::new(POLL_MS, move || {
            if let Some(shell) = weak.upgrade() {
                let closed = popup::is_closed(&shell.popup);
                let elapsed_ms = js_sys::Date::now() - opened_at;
                shell.on::<JsFields>(Event::Tick { closed, elapsed_ms }, None);
            }
        });
        *self.listening.borrow_mut() = Listening {
            _message: Some(message),
            poll: Some(poll),
            _channel: P::RELAYED.then(|| self.channel()).flatten(),
            deadline: None,
        };
    }

    /// The helper's fallback when `window.opener` was cut (Cross-Origin-Opener-Policy). A
    /// `BroadcastChannel` only connects same-origin contexts, and this one is named after
    /// the attempt's id, which only the attempt's own window can read from its record.
    fn channel(self: &Rc<Self>) -> Option<Channel> {
        let channel = BroadcastChannel::new(&channel_name(&self.id)).ok()?;
        let reply = channel.clone();
        let weak: Weak<Self> = Rc::downgrade(self);
        let listener = EventListener::new(&channel, "message", move |event| {
            let (Some(shell), Some(event)) = (weak.upgrade(), event.dyn_ref::<MessageEvent>())
            else {
                return;
            };
            shell.on(
                Event::Message(Source::Channel, &JsFields(&event.data())),
                Some(&reply),
            );
        });
        Some(Channel {
            channel,
            _listener: listener,
        })
    }

    /// Carries out the decision on `event`. `ack` is the channel it came over: told, once
    /// the result is taken, that its sender is this attempt's window (so it may close itself).
    fn on<F: Fields>(self: &Rc<Self>, event: Event<'_, F>, ack: Option<&BroadcastChannel>) {
        let event = if popup::is_latest(&self.popup) {
            event
        } else {
            Event::Superseded
        };
        let step = self.decide.borrow_mut().step(event);
        match step {
            Step::Wait => {}
            Step::Linger => self.linger(),
            Step::ReportAndLinger(result) => {
                self.linger();
                self.tell(result);
            }
            Step::Finish(result) => {
                if let Some(channel) = ack {
                    let _ = channel.post_message(&js::object(&[("type", Some(ACK_TYPE))]));
                }
                self.release();
                let _ = self.popup.close();
                self.tell(result);
            }
            Step::End => {
                self.release();
                (self.report)(Report::Ended);
            }
        }
    }

    fn tell(&self, result: P::Result) {
        (self.report)(Report::Result(result));
    }

    /// Stops reading `closed`; the channel listens until the deadline.
    fn linger(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        let mut listening = self.listening.borrow_mut();
        listening.poll = None;
        listening.deadline.get_or_insert_with(|| {
            Timeout::new(LINGER_MS, move || {
                if let Some(shell) = weak.upgrade() {
                    shell.on::<JsFields>(Event::Expired, None);
                }
            })
        });
    }

    fn release(&self) {
        let released = core::mem::take(&mut *self.listening.borrow_mut());
        drop(released);
    }
}
