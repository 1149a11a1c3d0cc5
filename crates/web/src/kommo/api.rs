//! The programmatic API of the npm package, as plain Rust: [`mount`] reads an options object
//! (as tolerantly as the drop-in reads attributes) and returns a
//! [`Handle`]. The root crate (src/) wraps these in its `#[wasm_bindgen]` exports and TypeScript.

use crate::console;
use crate::js;
use crate::kommo::button::Button;
use crate::kommo::source::Settings;
use crate::report;
use js_sys::{Function, Promise, Reflect};
use kommo_oauth_core::attempt::Reason;
use kommo_oauth_core::diag::Level;
use kommo_oauth_core::kommo::config::Provider;
use kommo_oauth_core::kommo::settings::Setting;
use kommo_oauth_core::kommo::snapshot::Snapshot;
use kommo_oauth_core::kommo::trust::Author;
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlButtonElement};

/// An options object (`{ clientId, theme, onError, … }`), read again at every click since
/// integrators change it after mounting, and the `signIn()` promises waiting on its button.
pub struct Options {
    object: JsValue,
    pending: RefCell<Vec<(Function, Function)>>,
}

impl Options {
    pub fn new(object: JsValue) -> Options {
        Options {
            object,
            pending: RefCell::new(Vec::new()),
        }
    }
}

impl Settings for Options {
    fn read(&self) -> Snapshot {
        let amo = value(&self.object, "provider")
            .is_some_and(|p| p.trim_ascii().eq_ignore_ascii_case("amocrm"));
        Snapshot {
            provider: if amo {
                Provider::AmoCrm
            } else {
                Provider::Kommo
            },
            author: Author::Code,
            page: js::own_origin(),
            pairs: Setting::ALL
                .iter()
                .filter_map(|s| value(&self.object, s.option()).map(|v| (s.attribute().into(), v)))
                .collect(),
        }
    }

    fn reword(&self, message: String) -> String {
        option_names(&message, &self.read().pairs)
    }

    fn function(&self, key: &str) -> Option<Function> {
        js::cast(js::own_property(&self.object, key))
    }

    fn cancel(&self) {
        let reason = Reason::Cancelled;
        self.settle(
            false,
            &report::error_object(None, reason.code(), Some(reason.describe())),
        );
    }

    fn settle(&self, succeeded: bool, payload: &JsValue) {
        let pending = self.pending.take();
        if pending.is_empty() {
            return;
        }
        // Promises reject with an `Error` (a stack, `instanceof Error`) carrying the fields.
        let value = if succeeded {
            payload.clone()
        } else {
            rejection(payload)
        };
        for (resolve, reject) in pending {
            let settle = if succeeded { resolve } else { reject };
            let _ = settle.call1(&JsValue::NULL, &value);
        }
    }
}

impl Drop for Options {
    /// The button is gone: what still waits on it is told so.
    fn drop(&mut self) {
        self.cancel();
    }
}

/// An option's value as text, the way people write options: strings as they are, booleans
/// and numbers spelled out, arrays (for `scopes`) joined by commas; anything else (null, an
/// object, a function) counts as absent. (Read by type rather than through
/// serde-wasm-bindgen's deserializer, which the npm entry would link for this alone:
/// docs/size.md.)
fn value(object: &JsValue, key: &str) -> Option<String> {
    text(&js::own_property(object, key), true)
}

/// One value as option text; arrays only at the top (`scopes: ["crm", "notifications"]`).
fn text(value: &JsValue, arrays: bool) -> Option<String> {
    if let Some(s) = value.as_string() {
        return Some(s);
    }
    if let Some(b) = value.as_bool() {
        return Some(String::from(if b { "true" } else { "false" }));
    }
    if let Some(n) = value.as_f64() {
        return n
            .is_finite()
            .then(|| kommo_oauth_core::strings::int(n as i64));
    }
    if arrays && js_sys::Array::is_array(value) {
        let parts: Vec<String> = value
            .unchecked_ref::<js_sys::Array>()
            .iter()
            .filter_map(|item| text(&item, false))
            .collect();
        return Some(parts.join(","));
    }
    None
}

/// `data-client-id="x"` → `clientId="x"`: a diagnostic written for tags, reworded for
/// options. Only names are reworded, never what the integrator wrote: where the message
/// quotes one of `values` (`attribute="value"`, as the parser quotes them), the value is
/// copied as it is, whatever attribute names it happens to contain.
pub fn option_names(message: &str, values: &[(String, String)]) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(c) = rest.chars().next() {
        let quoted = values.iter().find_map(|(attribute, value)| {
            let tail = rest.strip_prefix(attribute.as_str())?.strip_prefix("=\"")?;
            tail.starts_with(value.as_str())
                .then(|| (attribute, attribute.len() + 2 + value.len()))
        });
        if let Some((attribute, taken)) = quoted {
            out.push_str(option_of(attribute).unwrap_or(attribute));
            out.push_str(&rest[attribute.len()..taken]);
            rest = &rest[taken..];
            continue;
        }
        let longest = Setting::ALL
            .iter()
            .flat_map(|s| {
                [Some(s.attribute()), s.attribute_alias()]
                    .into_iter()
                    .flatten()
                    .map(move |a| (a, s.option()))
            })
            .filter(|(attribute, _)| rest.starts_with(attribute))
            .max_by_key(|(attribute, _)| attribute.len());
        let (taken, put) = match longest {
            Some((attribute, option)) => (attribute.len(), option),
            None => (c.len_utf8(), &rest[..c.len_utf8()]),
        };
        out.push_str(put);
        rest = &rest[taken..];
    }
    out
}

/// The option an attribute name (or its alias) stands for.
fn option_of(attribute: &str) -> Option<&'static str> {
    Setting::ALL
        .iter()
        .find(|s| s.attribute() == attribute || s.attribute_alias() == Some(attribute))
        .map(|s| s.option())
}

/// A mounted button of the npm API.
pub struct Handle {
    button: Option<Button<Options>>,
}

impl Handle {
    /// The `<button>` element, or `None` after `destroy()`.
    pub fn element(&self) -> Option<HtmlButtonElement> {
        self.button.as_ref().map(|b| b.element().clone())
    }

    /// Starts signing in, as a click does; the promise settles with the result.
    pub fn sign_in(&self) -> Promise {
        match &self.button {
            Some(button) => Promise::new(&mut |resolve, reject| {
                button
                    .settings()
                    .pending
                    .borrow_mut()
                    .push((resolve, reject));
                button.click();
            }),
            None => Promise::reject(&rejection(&report::error_object(
                None,
                Reason::Cancelled.code(),
                Some("the button was destroyed"),
            ))),
        }
    }

    /// Removes the button and every listener it added. Idempotent.
    pub fn destroy(&mut self) {
        self.button = None;
    }
}

/// Mounts a button at the end of `target`.
///
/// # Errors
/// When `target` is not an element, or the options cannot make a usable button (no
/// `clientId` and no complete metadata, or a metadata URL that is not https): one error
/// naming what to fix (every missing option, the option an unknown key most likely meant),
/// thrown and not also logged. Invalid optional values only warn in the console and fall
/// back to defaults; so does an unknown key when the button is usable.
pub fn mount(target: &JsValue, options: JsValue) -> Result<Handle, JsError> {
    if !Reflect::has(&js_sys::global(), &JsValue::from_str("document")).unwrap_or(false) {
        return Err(JsError::new(
            "[kommo-oauth] mount() needs a browser (window and document): on the server render nothing, \
             and mount in the browser (in React, in useEffect).",
        ));
    }
    // An element, also one of another same-origin window's document (an iframe's), which
    // `instanceof Element` would refuse.
    let element = js::get(target, "nodeType").as_f64() == Some(1.0);
    let Some(target) = element.then(|| target.unchecked_ref::<Element>()) else {
        let got = if target.is_null() {
            String::from("null")
        } else {
            target.js_typeof().as_string().unwrap_or_default()
        };
        return Err(JsError::new(&kommo_oauth_core::strings::concat(&[
            "[kommo-oauth] mount(target, options): target is not an element (got ",
            &got,
            "): pass the element to render into, e.g. document.getElementById(\"signin\").",
        ])));
    };
    let hints = unknown_keys(&options);
    let settings = Options::new(options);
    let parsed = settings.parse();
    let Some(config) = parsed.config else {
        // One channel: the warnings to the console, the reason it failed thrown (only).
        let mut reason = String::new();
        for d in &parsed.diagnostics.0 {
            if d.level != Level::Error {
                console::report(d);
            } else if reason.is_empty() {
                reason.push_str(&d.message);
            }
        }
        if reason.is_empty() {
            reason.push_str("[kommo-oauth] unusable options");
        }
        for hint in &hints {
            reason.push(' ');
            reason.push_str(hint);
        }
        return Err(JsError::new(&reason));
    };
    parsed.diagnostics.0.iter().for_each(console::report);
    for hint in &hints {
        console::warn(&[hint]);
    }
    let insert = |button: &HtmlButtonElement| target.append_child(button).map(drop);
    let button = Button::new(settings, &config, &parsed.diagnostics, insert)
        .map_err(|_| JsError::new("[kommo-oauth] could not insert the button into the target"))?;
    thread_local! {
        /// Whether a `mount()` on this page has warmed the click path up.
        static WARMED: Cell<bool> = const { Cell::new(false) };
    }
    if !WARMED.replace(true) {
        button.warm_up();
    }
    Ok(Handle {
        button: Some(button),
    })
}

/// For each own key of `options` that is no option: what it most likely meant.
fn unknown_keys(options: &JsValue) -> Vec<String> {
    if !options.is_object() {
        return Vec::new();
    }
    js_sys::Object::keys(options.unchecked_ref::<js_sys::Object>())
        .iter()
        .filter_map(|key| key.as_string())
        .filter_map(|key| {
            (!kommo_oauth_core::kommo::settings::is_option(&key)).then(|| {
                match kommo_oauth_core::kommo::settings::suggest_option(&key) {
                    Some(meant) => kommo_oauth_core::strings::concat(&[
                        "unknown option ",
                        &key,
                        ": did you mean ",
                        meant,
                        "?",
                    ]),
                    None => {
                        kommo_oauth_core::strings::concat(&["unknown option ", &key, " (ignored)."])
                    }
                }
            })
        })
        .collect()
}

#[wasm_bindgen(module = "/js/sign-in-failure.js")]
extern "C" {
    /// `class SignInFailure extends Error`, exported by the npm package.
    #[wasm_bindgen(extends = js_sys::Error)]
    type SignInFailure;

    #[wasm_bindgen(constructor)]
    fn new(message: &str) -> SignInFailure;
}

/// What a `signIn()` promise rejects with: a `SignInFailure` (an `Error` subclass) whose
/// message describes the failure, with `code` (the error code) and the fields of `payload`
/// (`client_id`, `error`, `error_description`) as properties.
pub fn rejection(payload: &JsValue) -> JsValue {
    let code = js::own(payload, "error");
    let description = js::own(payload, "error_description").as_string();
    let message = description.or_else(|| code.as_string()).unwrap_or_default();
    let error: JsValue = SignInFailure::new(&["[kommo-oauth] ", &message].concat()).into();
    js::set(&error, "code", &code);
    for key in ["client_id", "error", "error_description"] {
        let value = js::own(payload, key);
        if !value.is_undefined() {
            js::set(&error, key, &value);
        }
    }
    error
}
