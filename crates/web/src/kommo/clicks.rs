//! One click listener for the page instead of one per button: mounting a thousand buttons
//! adds none after the first, and the page's own listeners cannot keep a click from its
//! button, since this one hears it in the capture phase on `window`, before any element's
//! `stopPropagation()`. It finds the element clicked through `composedPath()`, so it hears a
//! button in the document or in an open shadow root, also one moved there after mounting.
//! A closed shadow root hides its contents from the window, so a button mounted into one is
//! heard by a listener on that root instead (a button moved into a closed root after
//! mounting is not heard); the window never sees inside it, so no click is heard twice.
//!
//! The buttons stay real `<button>`s: focus, Enter and Space are the browser's, and keyboard
//! activation is a click. A listener goes when its last button does.

use crate::js;
use gloo_events::{EventListener, EventListenerOptions};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget, HtmlButtonElement};

/// A button a click can be handed to.
pub trait Clickable {
    fn element(&self) -> &HtmlButtonElement;
    fn clicked(self: Rc<Self>);
}

/// Where a listener is: the window, or a closed shadow root.
struct Listening {
    target: EventTarget,
    buttons: usize,
    _listener: EventListener,
}

thread_local! {
    /// Every button clicks are routed to (and, until the next compaction, some that are gone).
    static BUTTONS: RefCell<Vec<Weak<dyn Clickable>>> = const { RefCell::new(Vec::new()) };
    /// How many of [`BUTTONS`] are gone.
    static GONE: Cell<usize> = const { Cell::new(0) };
    /// The listeners, with how many of the buttons each hears.
    static LISTENING: RefCell<Vec<Listening>> = const { RefCell::new(Vec::new()) };
}

/// Routes clicks on `button`, already in its place, to it. Returns where it is heard, for
/// [`forget`].
pub fn route(button: Weak<dyn Clickable>, element: &HtmlButtonElement) -> EventTarget {
    let root = element.get_root_node();
    // Most buttons are in the document itself: one comparison instead of reading a `mode`.
    let closed = !js::same(&root, &js::document())
        && js::get(&root, "mode").as_string().as_deref() == Some("closed");
    let target: EventTarget = if closed {
        root.into()
    } else {
        js::window().into()
    };
    BUTTONS.with(|buttons| buttons.borrow_mut().push(button));
    LISTENING.with(|all| {
        let mut all = all.borrow_mut();
        match all.iter_mut().find(|l| js::same(&l.target, &target)) {
            Some(known) => known.buttons += 1,
            None => all.push(Listening {
                target: target.clone(),
                buttons: 1,
                _listener: EventListener::new_with_options(
                    &target,
                    "click",
                    EventListenerOptions::run_in_capture_phase(),
                    on_click,
                ),
            }),
        }
    });
    target
}

/// Stops routing clicks to a button that is gone (its last `Rc` dropped), heard at `target`.
/// The list is compacted when half of it is gone: unmounting many buttons stays linear.
pub fn forget(target: &EventTarget) {
    BUTTONS.with(|buttons| {
        let mut buttons = buttons.borrow_mut();
        let gone = GONE.get() + 1;
        if gone * 2 > buttons.len() {
            buttons.retain(|b| b.strong_count() > 0);
            GONE.set(0);
        } else {
            GONE.set(gone);
        }
    });
    LISTENING.with(|all| {
        let mut all = all.borrow_mut();
        if let Some(at) = all.iter().position(|l| js::same(&l.target, target)) {
            all[at].buttons -= 1;
            if all[at].buttons == 0 {
                all.swap_remove(at);
            }
        }
    });
}

/// A click anywhere: handed to the button it landed in, if that is one of ours. (An event
/// that was never dispatched, as `button::warm_up` passes, lands nowhere.)
pub fn on_click(event: &Event) {
    // `closest` through the prototype, which refuses (rather than answers for) a target
    // that is no element.
    let Some(button) = js::closest(event.composed_path().get(0).unchecked_ref(), "button") else {
        return;
    };
    let hit = BUTTONS.with(|buttons| {
        buttons
            .borrow()
            .iter()
            .filter_map(Weak::upgrade)
            .find(|b| js::same(b.element(), &button))
    });
    if let Some(hit) = hit {
        hit.clicked();
    }
}
