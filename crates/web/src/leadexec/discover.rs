//! Finding the LeadExec buttons on the page, now and as they are added, and marking each
//! once: enhanced (a `type="button"` with a click that opens the dialog), or reported as
//! missing its id or outside the loader tag's allow-list.

use super::{dialog, grants, service_origin, set_service};
use crate::{console, js};
use gloo_events::EventListener;
use js_sys::Array;
use kommo_oauth_core::leadexec::BUTTON_SELECTOR;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlScriptElement, MutationRecord};

/// The loader tag's attribute listing the button ids this page's markup may enhance.
pub const ALLOW_LIST: &str = "data-allowed-btnids";
/// Marks a button (a symbol: markup cannot fake it): enhanced, or reported as missing its id.
const MARK: &str = "leadexec.button";
const ENHANCED: &str = "enhanced";
const REPORTED: &str = "reported";

thread_local! {
    /// Every enhanced button, for the life of the page.
    static BUTTONS: RefCell<Vec<Rc<Enhanced>>> = const { RefCell::new(Vec::new()) };
    /// The loader tag's `data-allowed-btnids`, when it has one.
    static ALLOWED: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Button ids whose remembered grant was already checked on this page.
    static CHECKED: RefCell<std::collections::BTreeSet<String>> = const { RefCell::new(std::collections::BTreeSet::new()) };
    static OBSERVER: RefCell<Option<js::Observer>> = const { RefCell::new(None) };
}

/// One enhanced button and its current attempt.
pub(super) struct Enhanced {
    pub element: HtmlElement,
    pub button_id: String,
    pub attempt: RefCell<Option<dialog::Attempt>>,
    click: RefCell<Option<EventListener>>,
    /// Set by a click: a sign-in on render that answers later must not override it.
    pub touched: Cell<bool>,
}

/// The button ids of every enhanced button.
pub(super) fn button_ids() -> Vec<String> {
    BUTTONS.with(|b| b.borrow().iter().map(|e| e.button_id.clone()).collect())
}

/// Enhances every LeadExec button on the page and keeps watching for new ones. `loader` is
/// the drop-in's own `<script>` (or `undefined`): the service origin follows its `src` and
/// its `data-origin` (see `core::leadexec::service_origin`).
pub fn enhance_all(loader: JsValue) {
    let page = js::own_origin();
    let script = js::cast::<HtmlScriptElement>(loader);
    let script_origin = script
        .as_ref()
        .and_then(|s| web_sys::Url::new(&s.src()).ok())
        .map(|u| u.origin())
        .unwrap_or_default();
    // Without a loader tag (the npm package), the origin stays what setOrigin() chose.
    if let Some(script) = &script {
        let configured = script.get_attribute("data-origin");
        set_service(service_origin(configured.as_deref(), &script_origin, &page));
        ALLOWED.with(|a| *a.borrow_mut() = script.get_attribute(ALLOW_LIST));
    }
    let Some(root) = js::document_element(&js::document()) else {
        return;
    };
    enhance_within(&root);
    OBSERVER.with(|slot| {
        if slot.borrow().is_some() {
            return;
        }
        let watched = ["class", "data-btnid"].into_iter();
        // Linear in what changed: each batch looks only into the subtrees it added and the
        // elements whose attributes changed, never the whole document again.
        *slot.borrow_mut() = js::observe_subtree(&root, watched, |records: Array| {
            for record in records.iter() {
                let record: MutationRecord = record.unchecked_into();
                if record.type_() == "attributes" {
                    // The element itself, not its subtree: a class toggled on <body> costs one call.
                    if let Some(el) = record
                        .target()
                        .and_then(|t| js::cast::<HtmlElement>(t.into()))
                    {
                        if js::matches(&el, BUTTON_SELECTOR) {
                            enhance(el);
                        }
                    }
                    continue;
                }
                let added = record.added_nodes();
                for i in 0..added.length() {
                    if let Some(el) = added.item(i).and_then(|n| js::cast::<Element>(n.into())) {
                        if el.is_connected() {
                            enhance_within(&el);
                        }
                    }
                }
            }
        });
    });
}

/// Enhances the LeadExec buttons in `root`'s subtree, `root` included (through
/// `Element.prototype`, which a `<form>`'s named controls cannot shadow).
fn enhance_within(root: &Element) {
    if js::matches(root, BUTTON_SELECTOR) {
        if let Some(button) = js::cast::<HtmlElement>(root.clone().into()) {
            enhance(button);
        }
    }
    let Some(found) = js::select_all(root, BUTTON_SELECTOR) else {
        return;
    };
    for i in 0..found.length() {
        if let Some(button) = found
            .item(i)
            .and_then(|n| js::cast::<HtmlElement>(n.into()))
        {
            enhance(button);
        }
    }
}

fn enhance(element: HtmlElement) {
    let mark = js::get_key(&element, &js::symbol(MARK));
    if mark.as_string().as_deref() == Some(ENHANCED) {
        return;
    }
    let Some(button_id) = element
        .get_attribute("data-btnid")
        .map(|v| String::from(v.trim()))
        .filter(|v| !v.is_empty())
    else {
        // Said once; the button is looked at again when it gets a data-btnId.
        if mark.is_undefined() {
            js::set_key(&element, &js::symbol(MARK), &JsValue::from_str(REPORTED));
            console::error(&["a button.le-app-button needs data-btnId=\"YOUR_BUTTON_ID\" (the button id LeadExec gave you); it was left as it is."], None);
        }
        return;
    };
    let allowed = ALLOWED.with(|a| match a.borrow().as_deref() {
        None => true,
        Some(list) => {
            kommo_oauth_core::trust::client_id_list(list).any(|id| id == button_id.as_bytes())
        }
    });
    if !allowed {
        if mark.is_undefined() {
            js::set_key(&element, &js::symbol(MARK), &JsValue::from_str(REPORTED));
            console::error(&["data-btnId=\"", &button_id, "\" is not in the loader tag's data-allowed-btnids; the button was left as it is."], None);
        }
        return;
    }
    js::set_key(&element, &js::symbol(MARK), &JsValue::from_str(ENHANCED));
    // Inside a form, a plain <button> would submit it.
    if element.get_attribute("type").is_none() {
        let _ = element.set_attribute("type", "button");
    }
    let enhanced = Rc::new(Enhanced {
        element: element.clone(),
        button_id: button_id.clone(),
        attempt: RefCell::new(None),
        click: RefCell::new(None),
        touched: Cell::new(false),
    });
    let weak = Rc::downgrade(&enhanced);
    let click = EventListener::new(&element, "click", move |_| {
        if let Some(enhanced) = weak.upgrade() {
            dialog::sign_in(&enhanced);
        }
    });
    *enhanced.click.borrow_mut() = Some(click);
    BUTTONS.with(|b| b.borrow_mut().push(enhanced.clone()));
    let first = CHECKED.with(|c| c.borrow_mut().insert(button_id.clone()));
    if first {
        grants::silent_check(enhanced);
    }
}
