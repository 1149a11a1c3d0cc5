//! Reporting a result to the integrator: the named global callback (resolved when the
//! result arrives, by property lookup only, never `eval`), an options function, and a
//! `CustomEvent` on the button (`kommo-oauth:success` / `kommo-oauth:error`).

use super::{console, js};
use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CustomEvent, CustomEventInit, EventTarget};

pub const SUCCESS_EVENT: &str = "kommo-oauth:success";
pub const ERROR_EVENT: &str = "kommo-oauth:error";

/// Resolves `app.auth.onError` on the global object; returns the function and its `this`.
pub fn resolve(path: &str) -> Option<(Function, JsValue)> {
    let mut this = JsValue::from(js_sys::global());
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let value = js::get(&this, part);
        if parts.peek().is_none() {
            return value.dyn_into::<Function>().ok().map(|f| (f, this));
        }
        if value.is_undefined() || value.is_null() {
            return None;
        }
        this = value;
    }
    None
}

/// Calls the global callback named by `attribute`, logging (never throwing) when it does not
/// resolve to a function or when it throws.
pub fn call_named(attribute: &str, path: &str, payload: &JsValue) {
    match resolve(path) {
        Some((function, this)) => call(&function, &this, payload),
        None => console::error(
            &[attribute, "=\"", path, "\" does not name a global function when the result arrived; ",
              "define it with `function ", path, "(result) {…}` or assign it to window (top-level let/const \
              are not reachable), before the user finishes signing in."],
            None,
        ),
    }
}

/// Calls `function` with `payload`, logging what it throws.
pub fn call(function: &Function, this: &JsValue, payload: &JsValue) {
    if let Err(thrown) = function.call1(this, payload) {
        console::error(&["the integrator's callback threw:"], Some(&thrown));
    }
}

/// Dispatches a bubbling `CustomEvent`; returns false when a listener called `preventDefault()`.
pub fn dispatch(target: &EventTarget, name: &str, detail: &JsValue, cancelable: bool) -> bool {
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_cancelable(cancelable);
    init.set_detail(detail);
    match CustomEvent::new_with_event_init_dict(name, &init) {
        Ok(event) => target.dispatch_event(&event).unwrap_or(true),
        Err(_) => true,
    }
}

/// `{client_id, error, error_description}` for errors this library detects itself.
pub fn error_object(client_id: Option<&str>, code: &str, description: &str) -> JsValue {
    js::object(&[("client_id", client_id), ("error", Some(code)), ("error_description", Some(description))]).into()
}
