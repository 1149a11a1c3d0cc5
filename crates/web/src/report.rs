//! Reporting a result to the integrator: the named global callback (resolved when the
//! result arrives, through own data properties only, never `eval`), an options function,
//! and a `CustomEvent` on the button (`kommo-oauth:success` / `kommo-oauth:error`). Each gets
//! a fresh plain object of string fields.

use crate::{console, js};
use js_sys::Function;
use kommo_oauth_core::kommo::parse::is_callback_path;
use kommo_oauth_core::kommo::protocol::{Entries, ErrorResult};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, EventTarget};

pub const SUCCESS_EVENT: &str = "kommo-oauth:success";
pub const ERROR_EVENT: &str = "kommo-oauth:error";

/// Why a callback name did not resolve to a function of the integrator's.
#[derive(Debug, PartialEq, Eq)]
pub enum Unresolved {
    /// Nothing callable at that path, through own data properties.
    Missing,
    /// A browser built-in (`document.write`, `setTimeout`, an element's method…): never called.
    BuiltIn,
}

/// Resolves `app.auth.onError` from `window`, through **own data properties only**: never
/// through a prototype (`__proto__`, `constructor`, inherited methods), a getter (`document`,
/// `location`, `top`) or a named element, and never to a browser built-in function. Returns
/// the function and its `this`.
pub fn resolve(path: &str) -> Result<(Function, JsValue), Unresolved> {
    if !is_callback_path(path) {
        return Err(Unresolved::Missing);
    }
    let mut this: JsValue = js::window().into();
    let mut parts = kommo_oauth_core::strings::split(path, b'.').peekable();
    while let Some(part) = parts.next() {
        let value = own_data_property(&this, part).ok_or(Unresolved::Missing)?;
        if parts.peek().is_none() {
            let function = js::cast::<Function>(value).ok_or(Unresolved::Missing)?;
            if is_built_in(&function) {
                return Err(Unresolved::BuiltIn);
            }
            return Ok((function, this));
        }
        this = value;
    }
    Err(Unresolved::Missing)
}

/// `obj[key]` when `key` is an own data property of `obj` ([`js::own`]), present.
fn own_data_property(obj: &JsValue, key: &str) -> Option<JsValue> {
    let value = js::own(obj, key);
    (!value.is_undefined()).then_some(value)
}

/// Built-ins (and bound functions, whose target cannot be told) print `[native code]`.
fn is_built_in(function: &Function) -> bool {
    function.to_string().includes("[native code]", 0)
}

/// Calls the global callback named by `attribute`, logging (never throwing) when it does not
/// resolve to one of the integrator's functions or when it throws.
pub fn call_named(attribute: &str, path: &str, payload: &JsValue) {
    let why = match resolve(path) {
        Ok((function, this)) => return call(&function, &this, payload),
        Err(Unresolved::BuiltIn) => {
            "\" names a browser built-in, which is never called: name a function of yours."
        }
        Err(Unresolved::Missing) => {
            "\" names no function of yours on window when the result arrived \
              (own properties only; top-level let/const are not on window)."
        }
    };
    console::error(&[attribute, "=\"", path, why], None);
}

/// Calls `function` with `payload`, logging what it throws.
pub fn call(function: &Function, this: &JsValue, payload: &JsValue) {
    if let Err(thrown) = function.call1(this, payload) {
        console::error(&["the integrator's callback threw:"], Some(&thrown));
    }
}

/// Dispatches a bubbling `CustomEvent`; returns false when a listener called `preventDefault()`.
pub fn dispatch(target: &EventTarget, name: &str, detail: &JsValue, cancelable: bool) -> bool {
    // Set as properties: `CustomEventInit`'s setters are four more imports for the same object.
    let init = CustomEventInit::new();
    js::set(&init, "bubbles", &JsValue::TRUE);
    js::set(&init, "composed", &JsValue::TRUE);
    js::set(&init, "cancelable", &JsValue::from_bool(cancelable));
    js::set(&init, "detail", detail);
    match CustomEvent::new_with_event_init_dict(name, &init) {
        Ok(event) => target.dispatch_event(&event).unwrap_or(true),
        Err(_) => true,
    }
}

/// A fresh plain object for a Kommo result: its present fields as own string properties,
/// what callbacks, events and promises get, never the message object that brought it.
/// (Built from the fields directly rather than through serde-wasm-bindgen: the drop-in then
/// links no serializer; docs/size.md has the figure.)
pub fn object(value: &impl Entries) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in value.entries() {
        if let Some(value) = value {
            js::set(&object, key, &JsValue::from_str(value));
        }
    }
    object.into()
}

/// A fresh plain object for a LeadExec result (serde-wasm-bindgen: it has a boolean field).
pub fn serialized(value: &impl serde::Serialize) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value.serialize(&serializer).unwrap_or(JsValue::UNDEFINED)
}

/// A fresh `{client_id, error, error_description}` (absent fields left out).
pub fn error_object(client_id: Option<&str>, code: &str, description: Option<&str>) -> JsValue {
    object(&ErrorResult {
        client_id,
        error: code,
        error_description: description,
    })
}
