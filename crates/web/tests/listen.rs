//! The contract the button's resources rely on, from gloo-events and gloo-timers (which
//! the shell uses for every listener and timer): dropping one removes the listener or clears
//! the timer (this is what keeps mount/destroy cycles from leaking), and until then they fire
//! as the DOM's own do.
#![cfg(target_arch = "wasm32")]

mod support;

use gloo_events::EventListener;
use gloo_timers::callback::{Interval, Timeout};
use std::cell::Cell;
use std::rc::Rc;
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn counter() -> (Rc<Cell<u32>>, Rc<Cell<u32>>) {
    let count = Rc::new(Cell::new(0));
    (count.clone(), count)
}

fn click(target: &web_sys::EventTarget) {
    let event = web_sys::Event::new("click").unwrap_throw();
    target.dispatch_event(&event).unwrap_throw();
}

#[wasm_bindgen_test]
fn a_listener_hears_its_events_until_it_is_dropped() {
    let target: web_sys::EventTarget = document().create_element("div").unwrap_throw().into();
    let (count, seen) = counter();
    let listener = EventListener::new(&target, "click", move |event| {
        assert_eq!(event.type_(), "click");
        count.set(count.get() + 1);
    });
    click(&target);
    click(&target);
    assert_eq!(seen.get(), 2);
    drop(listener);
    click(&target);
    assert_eq!(
        seen.get(),
        2,
        "a dropped listener is removed from its target"
    );
}

#[wasm_bindgen_test]
async fn a_timeout_fires_once() {
    let (count, seen) = counter();
    let _timer = Timeout::new(10, move || count.set(count.get() + 1));
    tick(60).await;
    assert_eq!(seen.get(), 1);
}

#[wasm_bindgen_test]
async fn a_dropped_timeout_never_fires() {
    let (count, seen) = counter();
    drop(Timeout::new(10, move || count.set(count.get() + 1)));
    tick(60).await;
    assert_eq!(seen.get(), 0);
}

#[wasm_bindgen_test]
async fn an_interval_repeats_until_it_is_dropped() {
    let (count, seen) = counter();
    let interval = Interval::new(10, move || count.set(count.get() + 1));
    tick(80).await;
    let fired = seen.get();
    assert!(fired >= 2, "fired {fired} times in 80 ms");
    drop(interval);
    tick(60).await;
    assert_eq!(seen.get(), fired, "a dropped interval is cleared");
}
