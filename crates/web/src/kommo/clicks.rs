//! One click listener per root holding Kommo buttons (the document, a shadow root), instead
//! of one per button: mounting a thousand buttons adds no listener after the first, and the
//! page's own listeners cannot keep a click from its button, since this one hears it in the
//! capture phase, before any element's `stopPropagation()`. The buttons stay real
//! `<button>`s: focus, Enter and Space are the browser's, and keyboard activation is a click.
//! A root's listener goes when its last button does.

use crate::js;
use gloo_events::{EventListener, EventListenerOptions};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Event, HtmlButtonElement, Node};

/// A button a click can be handed to.
pub trait Clickable {
    fn element(&self) -> &HtmlButtonElement;
    fn clicked(self: Rc<Self>);
}

struct Root {
    node: Node,
    buttons: usize,
    _listener: EventListener,
}

thread_local! {
    /// Every button clicks are routed to.
    static BUTTONS: RefCell<Vec<Weak<dyn Clickable>>> = const { RefCell::new(Vec::new()) };
    /// The roots listened on, with how many of the buttons each holds.
    static ROOTS: RefCell<Vec<Root>> = const { RefCell::new(Vec::new()) };
}

/// Routes clicks on `button`, already in its place, to it through its root's listener.
/// Returns that root, for [`forget`].
pub fn route(button: Weak<dyn Clickable>, element: &HtmlButtonElement) -> Node {
    let root = element.get_root_node();
    BUTTONS.with(|buttons| buttons.borrow_mut().push(button));
    ROOTS.with(|roots| {
        let mut roots = roots.borrow_mut();
        match roots.iter_mut().find(|r| r.node == root) {
            Some(known) => known.buttons += 1,
            None => roots.push(Root {
                node: root.clone(),
                buttons: 1,
                _listener: EventListener::new_with_options(
                    &root,
                    "click",
                    EventListenerOptions::run_in_capture_phase(),
                    on_click,
                ),
            }),
        }
    });
    root
}

/// Stops routing clicks to a button that is gone (its last `Rc` dropped), which was in `root`.
pub fn forget(root: &Node) {
    BUTTONS.with(|buttons| buttons.borrow_mut().retain(|b| b.strong_count() > 0));
    ROOTS.with(|roots| {
        let mut roots = roots.borrow_mut();
        if let Some(at) = roots.iter().position(|r| r.node == *root) {
            roots[at].buttons -= 1;
            if roots[at].buttons == 0 {
                roots.swap_remove(at);
            }
        }
    });
}

/// A click anywhere in a root: handed to the button it landed in, if that is one of ours.
fn on_click(event: &Event) {
    // `closest` through the prototype, which refuses (rather than answers for) a target
    // that is no element.
    let Some(button) = event
        .target()
        .and_then(|target| js::closest(target.unchecked_ref(), "button"))
    else {
        return;
    };
    let button = JsValue::from(button);
    let hit = BUTTONS.with(|buttons| {
        buttons
            .borrow()
            .iter()
            .filter_map(Weak::upgrade)
            .find(|b| AsRef::<JsValue>::as_ref(b.element()) == &button)
    });
    if let Some(hit) = hit {
        hit.clicked();
    }
}
