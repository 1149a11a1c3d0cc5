//! Event listeners and timers as owned values: dropping one removes the listener or clears
//! the timer, so whatever owns it releases it with everything else.
//!
//! The same shape as `gloo_events::EventListener` and `gloo_timers::callback::{Timeout,
//! Interval}`, which this crate used until they became its only dependencies that link
//! `std`: the drop-in is built without it (see the `standalone` feature), which keeps std's
//! panic machinery and `core::fmt` out of the wasm.

use super::js;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget};

/// A listener on `target` for `kind`, removed when dropped.
#[must_use = "dropping an EventListener removes it"]
pub struct EventListener {
    target: EventTarget,
    kind: &'static str,
    callback: Closure<dyn FnMut(Event)>,
}

impl EventListener {
    pub fn new(
        target: &EventTarget,
        kind: &'static str,
        mut callback: impl FnMut(&Event) + 'static,
    ) -> EventListener {
        let callback = Closure::<dyn FnMut(Event)>::new(move |event: Event| callback(&event));
        let _ = target.add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref());
        EventListener {
            target: target.clone(),
            kind,
            callback,
        }
    }
}

impl Drop for EventListener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.callback.as_ref().unchecked_ref());
    }
}

/// A `setTimeout` or `setInterval` timer, cleared when dropped.
#[must_use = "dropping a timer cancels it"]
pub struct Timer {
    id: i32,
    repeats: bool,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    /// Calls `callback` once after `ms` milliseconds.
    pub fn timeout(ms: i32, callback: impl FnOnce() + 'static) -> Timer {
        let callback = Closure::once(callback);
        let id = js::window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                ms,
            )
            .unwrap_or(0);
        Timer {
            id,
            repeats: false,
            _callback: callback,
        }
    }

    /// Calls `callback` every `ms` milliseconds.
    pub fn interval(ms: i32, callback: impl FnMut() + 'static) -> Timer {
        let callback = Closure::<dyn FnMut()>::new(callback);
        let id = js::window()
            .set_interval_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                ms,
            )
            .unwrap_or(0);
        Timer {
            id,
            repeats: true,
            _callback: callback,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        let window = js::window();
        if self.repeats {
            window.clear_interval_with_handle(self.id);
        } else {
            window.clear_timeout_with_handle(self.id);
        }
    }
}
