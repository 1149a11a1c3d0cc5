//! Finding the LeadExec buttons on the page, now and as they are added, and marking each
//! once: enhanced (a `type="button"` with a click that opens the dialog), or reported as
//! missing its id or outside the loader tag's allow-list.

use super::{dialog, grants, service_origin};
use crate::{console, discover, js};
use gloo_events::EventListener;
use kommo_oauth_core::leadexec::BUTTON_SELECTOR;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement, HtmlScriptElement};

/// The loader tag's attribute listing the button ids this page's markup may enhance.
pub const ALLOW_LIST: &str = "data-allowed-btnids";
/// Marks a button (a symbol: markup cannot fake it): enhanced, or reported as missing its id.
/// Enhanced for good ([`crate::discover::DONE`]), or reported and looked at again when its
/// attributes change.
const MARK: &str = "leadexec.button";
const ENHANCED: f64 = crate::discover::DONE;
const REPORTED: f64 = 2.0;

thread_local! {
    /// Every enhanced button, for the life of the page.
    static BUTTONS: RefCell<Vec<Rc<Enhanced>>> = const { RefCell::new(Vec::new()) };
    /// Button ids whose remembered grant was already checked on this page.
    static CHECKED: RefCell<std::collections::BTreeSet<String>> = const { RefCell::new(std::collections::BTreeSet::new()) };
    static WATCH: RefCell<Option<discover::Watch>> = const { RefCell::new(None) };
}

/// One enhanced button and its current attempt.
pub(super) struct Enhanced {
    pub element: HtmlElement,
    pub button_id: String,
    pub attempt: RefCell<Option<crate::attempt::Attempt<kommo_oauth_core::leadexec::Dialog>>>,
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
/// its `data-origin` (see `core::leadexec::service_origin`). `discovery` is the one of
/// crates/web/js/discover.js.
pub fn enhance_all(loader: JsValue, discovery: discover::Discovery) {
    discover::install(discovery);
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
        let service = service_origin(configured.as_deref(), &script_origin, &page);
        crate::loader::update(|loader| {
            loader.service = Some(service);
            loader.button_ids = script.get_attribute(ALLOW_LIST);
        });
    }
    let Some(root) = js::document_element(&js::document()) else {
        return;
    };
    let mark = js::symbol(MARK);
    enhance_each(discover::within(&root, BUTTON_SELECTOR, &mark));
    WATCH.with(|slot| {
        if slot.borrow().is_some() {
            return;
        }
        *slot.borrow_mut() = discover::watch(
            &root,
            BUTTON_SELECTOR,
            "class data-btnid",
            &mark,
            |found, _| enhance_each(found),
        );
    });
}

fn enhance_each(found: js_sys::Array) {
    for element in found.iter() {
        enhance(element.unchecked_into());
    }
}

fn enhance(element: Element) {
    let Some(element) = js::cast::<HtmlElement>(element.into()) else {
        return;
    };
    let mark = js::get_key(&element, &js::symbol(MARK));
    if mark.as_f64() == Some(ENHANCED) {
        return;
    }
    let Some(button_id) = element
        .get_attribute("data-btnid")
        .map(|v| String::from(v.trim()))
        .filter(|v| !v.is_empty())
    else {
        // Said once; the button is looked at again when it gets a data-btnId.
        if mark.is_undefined() {
            js::set_key(&element, &js::symbol(MARK), &JsValue::from_f64(REPORTED));
            console::error(&["a button.le-app-button needs data-btnId=\"YOUR_BUTTON_ID\" (the button id LeadExec gave you); it was left as it is."], None);
        }
        return;
    };
    let allowed = crate::loader::with(|loader| match loader.button_ids.as_deref() {
        None => true,
        Some(list) => kommo_oauth_core::kommo::trust::client_id_list(list)
            .any(|id| id == button_id.as_bytes()),
    });
    if !allowed {
        if mark.is_undefined() {
            js::set_key(&element, &js::symbol(MARK), &JsValue::from_f64(REPORTED));
            console::error(&["data-btnId=\"", &button_id, "\" is not in the loader tag's data-allowed-btnids; the button was left as it is."], None);
        }
        return;
    }
    js::set_key(&element, &js::symbol(MARK), &JsValue::from_f64(ENHANCED));
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
            let _ = crate::attempt::nested(|| dialog::sign_in(&enhanced));
        }
    });
    *enhanced.click.borrow_mut() = Some(click);
    BUTTONS.with(|b| b.borrow_mut().push(enhanced.clone()));
    let first = CHECKED.with(|c| c.borrow_mut().insert(button_id.clone()));
    if first {
        grants::silent_check(enhanced);
    }
}
