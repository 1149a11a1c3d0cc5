//! The LeadExec drop-in (`le-app-button.js`): it enhances the integrator's own
//! `<button class="le-app-button" data-btnId="…">` elements, on the page now and added later.
//! A click opens LeadExec's authorization dialog in a popup; its answer (origin- and
//! source-checked, with this attempt's state) goes to the integrator's global
//! `AuthorizeResult(result)`. A returning visitor is signed in on render, without a window:
//! the grant remembered for the button is refreshed through the token API.

use crate::js::{self, JsFields};
use crate::popup::{self, Refused, Watch};
use crate::report::{self, Unresolved};
use crate::{console, state};
use gloo_events::EventListener;
use js_sys::{Array, Promise};
use kommo_oauth_core::flow::{after_poll, AfterPoll, Reason};
use kommo_oauth_core::leadexec::{
    dialog_message, dialog_url, disconnect_url, read_remembered, refresh_url, remembered,
    service_origin, storage_key, AuthorizeResult, LeReason, TokenResponse, BUTTON_SELECTOR,
    WINDOW_NAME_PREFIX,
};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{Element, HtmlElement, HtmlScriptElement, MutationRecord, Response, Storage, Window};

/// The loader tag's attribute listing the button ids this page's markup may enhance.
pub const ALLOW_LIST: &str = "data-allowed-btnids";
/// The integrator's global callback, as documented.
const CALLBACK: &str = "AuthorizeResult";
/// Also dispatched on the button (bubbling), with the result as `detail`.
pub const RESULT_EVENT: &str = "leadexec:result";
/// Marks a button (a symbol: markup cannot fake it): enhanced, or reported as missing its id.
const MARK: &str = "leadexec.button";
const ENHANCED: &str = "enhanced";
const REPORTED: &str = "reported";

thread_local! {
    /// The dialog's and token API's origin (`core::leadexec::service_origin`).
    static SERVICE: RefCell<String> = RefCell::new(String::from(kommo_oauth_core::leadexec::DEFAULT_ORIGIN));
    /// Every enhanced button, for the life of the page.
    static BUTTONS: RefCell<Vec<Rc<Enhanced>>> = const { RefCell::new(Vec::new()) };
    /// The loader tag's `data-allowed-btnids`, when it has one.
    static ALLOWED: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Button ids whose remembered grant was already checked on this page.
    static CHECKED: RefCell<std::collections::BTreeSet<String>> = const { RefCell::new(std::collections::BTreeSet::new()) };
    static OBSERVER: RefCell<Option<js::Observer>> = const { RefCell::new(None) };
}

fn service() -> String {
    SERVICE.with(|s| s.borrow().clone())
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
        SERVICE.with(|s| {
            *s.borrow_mut() = service_origin(configured.as_deref(), &script_origin, &page)
        });
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

/// Sets the service origin from code (the npm package): any https origin, or loopback on a
/// loopback page; anything else keeps LeadExec's host, with a console error.
pub fn set_origin(origin: &str) {
    let chosen = service_origin(Some(origin), "", &js::own_origin());
    if kommo_oauth_core::origin::normalize_origin(origin).as_deref() != Some(chosen.as_str()) {
        console::error(
            &[
                "setOrigin(\"",
                origin,
                "\"): not an https origin (http only on loopback pages); using ",
                &chosen,
                ".",
            ],
            None,
        );
    }
    SERVICE.with(|s| *s.borrow_mut() = chosen);
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

/// One enhanced button and its current attempt.
struct Enhanced {
    element: HtmlElement,
    button_id: String,
    attempt: RefCell<Option<Attempt>>,
    click: RefCell<Option<EventListener>>,
    /// Set by a click: a sign-in on render that answers later must not override it.
    touched: Cell<bool>,
}

/// An open dialog: its window, and the [`Watch`] on it (message listener, closed poll).
struct Attempt {
    popup: Window,
    _watch: Watch,
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
            sign_in(&enhanced);
        }
    });
    *enhanced.click.borrow_mut() = Some(click);
    BUTTONS.with(|b| b.borrow_mut().push(enhanced.clone()));
    let first = CHECKED.with(|c| c.borrow_mut().insert(button_id.clone()));
    if first {
        silent_check(enhanced);
    }
}

/// The click: focus the open dialog, or open one synchronously.
fn sign_in(enhanced: &Rc<Enhanced>) {
    if let Some(attempt) = enhanced.attempt.borrow().as_ref() {
        if !popup::is_closed(&attempt.popup) {
            let _ = attempt.popup.focus();
            return;
        }
    }
    enhanced.touched.set(true);
    let Some(state) = state::random() else {
        return finish(
            enhanced,
            AuthorizeResult::failed(Reason::CryptoUnavailable.code()),
        );
    };
    let service = service();
    let url = dialog_url(&service, &enhanced.button_id, &js::own_origin(), &state);
    let popup = match popup::open(&url, WINDOW_NAME_PREFIX) {
        Ok(popup) => popup,
        Err(Refused::NoCrypto) => {
            return finish(
                enhanced,
                AuthorizeResult::failed(Reason::CryptoUnavailable.code()),
            )
        }
        Err(Refused::Blocked) => {
            console::error(&["the browser blocked the LeadExec sign-in dialog."], None);
            return finish(
                enhanced,
                AuthorizeResult::failed(Reason::PopupBlocked.code()),
            );
        }
    };
    let _ = enhanced.element.set_attribute("aria-busy", "true");
    let (on_message, on_tick) = (Rc::downgrade(enhanced), Rc::downgrade(enhanced));
    let watch = Watch::start(
        &popup,
        vec![service],
        move |_, data| {
            let Some(enhanced) = on_message.upgrade().filter(is_current) else {
                return;
            };
            // `valid` is a boolean, read as an own data property like every other field.
            let valid = js::own(data, "valid").as_bool();
            if let Some(result) = dialog_message(&JsFields(data), valid, &state) {
                finish(&enhanced, result);
            }
        },
        move |poll| {
            let Some(enhanced) = on_tick.upgrade().filter(is_current) else {
                return;
            };
            // No channel here: a cut handle is a closed dialog, decided as one.
            if after_poll(poll, false) == AfterPoll::ReportClosed {
                finish(
                    &enhanced,
                    AuthorizeResult::failed(Reason::PopupClosed.code()),
                );
            }
        },
    );
    *enhanced.attempt.borrow_mut() = Some(Attempt {
        popup,
        _watch: watch,
    });
}

/// Whether `enhanced` holds the page's current attempt (`popup::is_latest`). One that does
/// not is over (a later click opened another window, and closed its dialog): it ends here,
/// without a report.
fn is_current(enhanced: &Rc<Enhanced>) -> bool {
    let current = enhanced
        .attempt
        .borrow()
        .as_ref()
        .is_some_and(|attempt| popup::is_latest(&attempt.popup));
    if !current && enhanced.attempt.borrow_mut().take().is_some() {
        let _ = enhanced.element.remove_attribute("aria-busy");
    }
    current
}

/// Ends the attempt (closing the dialog), remembers a grant, and tells the integrator.
fn finish(enhanced: &Rc<Enhanced>, result: AuthorizeResult) {
    if let Some(attempt) = enhanced.attempt.borrow_mut().take() {
        let _ = attempt.popup.close();
    }
    let _ = enhanced.element.remove_attribute("aria-busy");
    if let (true, Some(app), Some(token)) = (result.valid, &result.app_id, &result.refresh_token) {
        if let Some(storage) = storage() {
            let _ = storage.set_item(
                &storage_key(&service(), &enhanced.button_id),
                &remembered(app, token),
            );
        }
    }
    deliver(&enhanced.element, &result);
}

/// `AuthorizeResult(result)` (the documented global, resolved as the Kommo button resolves
/// callbacks: own data properties only, never a built-in) and the `leadexec:result` event.
fn deliver(element: &HtmlElement, result: &AuthorizeResult) {
    let payload = report::serialized(result);
    report::dispatch(element, RESULT_EVENT, &payload, false);
    match report::resolve(CALLBACK) {
        Ok((function, this)) => report::call(&function, &this, &payload),
        Err(Unresolved::BuiltIn) => console::error(
            &["AuthorizeResult is a browser built-in or a bound function, which is never called: define it as a function of yours."],
            None,
        ),
        Err(Unresolved::Missing) => console::error(
            &["define a global function AuthorizeResult(result) to receive the LeadExec sign-in result."],
            None,
        ),
    }
}

fn storage() -> Option<Storage> {
    js::window().local_storage().ok().flatten()
}

/// A returning visitor: the grant remembered for this button is refreshed (no window
/// opens); a grant that no longer works is forgotten and reported as `grant_revoked`.
fn silent_check(enhanced: Rc<Enhanced>) {
    let Some(value) = storage().and_then(|s| {
        s.get_item(&storage_key(&service(), &enhanced.button_id))
            .ok()
            .flatten()
    }) else {
        return;
    };
    let Some((app, token)) =
        read_remembered(&value).map(|(a, t)| (String::from(a), String::from(t)))
    else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(response) = token_call(&refresh_url(&service(), &token, &app)).await else {
            return console::error(&["the LeadExec token API did not answer; the visitor can still sign in by clicking."], None);
        };
        // The visitor clicked meanwhile: that attempt decides, and its grant is kept.
        if enhanced.touched.get() {
            return;
        }
        let key = storage_key(&service(), &enhanced.button_id);
        let result = match (response.valid, response.auth_token) {
            (true, Some(auth_token)) => {
                let refresh_token = response.refresh_token.unwrap_or(token);
                if let Some(storage) = storage() {
                    let _ = storage.set_item(&key, &remembered(&app, &refresh_token));
                }
                AuthorizeResult {
                    valid: true,
                    refresh_token: Some(refresh_token),
                    auth_token: Some(auth_token),
                    expire_date: response.expire_date,
                    app_id: Some(app),
                    error: None,
                }
            }
            _ => {
                if let Some(storage) = storage() {
                    if storage.get_item(&key).ok().flatten().as_deref() == Some(value.as_str()) {
                        let _ = storage.remove_item(&key);
                    }
                }
                AuthorizeResult::failed(LeReason::GrantRevoked.code())
            }
        };
        deliver(&enhanced.element, &result);
    });
}

/// GETs a token API URL (CORS, JSON) and reads the documented fields.
async fn token_call(url: &str) -> Result<TokenResponse, JsValue> {
    let response: Response = JsFuture::from(js::window().fetch_with_str(url))
        .await?
        .dyn_into()?;
    let json = JsFuture::from(response.json()?).await?;
    // Own fields only: with no prototype, a field the answer lacks cannot be read from a
    // polluted `Object.prototype`. (The parsed object is this call's own.)
    if json.is_object() {
        js_sys::Object::set_prototype_of(
            json.unchecked_ref::<js_sys::Object>(),
            JsValue::NULL.unchecked_ref::<js_sys::Object>(),
        );
    }
    serde_wasm_bindgen::from_value(json).map_err(JsValue::from)
}

/// `refresh(refreshToken, appId)`: a new one-hour access token. Resolves with a fresh
/// `{valid, refreshToken, authToken, expireDate, errorMessage}`; rejects only when the
/// service cannot be reached.
pub fn refresh(refresh_token: String, app_id: String) -> Promise {
    future_to_promise(async move {
        let response = token_call(&refresh_url(&service(), &refresh_token, &app_id)).await?;
        Ok(report::serialized(&response))
    })
}

/// `disconnect(refreshToken)`: removes the association between the application and the
/// visitor's account (the refresh token stops working, the next click shows the dialog) and
/// forgets it on this page. Resolves with a fresh `{valid, errorMessage}`.
pub fn disconnect(refresh_token: String) -> Promise {
    future_to_promise(async move {
        let response = token_call(&disconnect_url(&service(), &refresh_token)).await?;
        forget(&refresh_token);
        Ok(report::serialized(&response))
    })
}

/// Removes every remembered grant holding `refresh_token`.
fn forget(refresh_token: &str) {
    let Some(storage) = storage() else {
        return;
    };
    let keys: Vec<String> = BUTTONS.with(|b| {
        b.borrow()
            .iter()
            .map(|e| storage_key(&service(), &e.button_id))
            .collect()
    });
    for key in keys {
        let held = storage.get_item(&key).ok().flatten();
        if held
            .as_deref()
            .and_then(read_remembered)
            .is_some_and(|(_, t)| t == refresh_token)
        {
            let _ = storage.remove_item(&key);
        }
    }
}
