//! Small JS interop helpers shared by the web modules.

use crate::prelude::*;
use core::cell::RefCell;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Window};

#[wasm_bindgen]
extern "C" {
    /// The page's `window`, read once. (`web_sys::window()` looks the global object up
    /// through four fallbacks and an `instanceof` check on every call.)
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: Window;
}

pub fn window() -> Window {
    WINDOW.with(Window::clone)
}

pub fn document() -> Document {
    window().document().expect_throw("unreachable: a window has a document")
}

/// `obj[key]`, or `undefined` when the lookup throws (getters, proxies, revoked objects).
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key] = value`, ignoring frozen objects.
pub fn set(obj: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// A plain object from string pairs, leaving out absent values.
pub fn object(pairs: &[(&str, Option<&str>)]) -> Object {
    let obj = Object::new();
    for (key, value) in pairs {
        if let Some(value) = value {
            set(&obj, key, &JsValue::from_str(value));
        }
    }
    obj
}

/// A JS value's own properties read as strings, for `core::protocol::Fields`.
pub struct JsFields<'a>(pub &'a JsValue);

impl crate::core::protocol::Fields for JsFields<'_> {
    fn string(&self, key: &str) -> Option<String> {
        if !self.0.is_object() {
            return None;
        }
        get(self.0, key).as_string()
    }
}

/// The current page's origin (`location.origin`).
pub fn own_origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// Casts without panicking: `None` when `value` is not a `T`.
pub fn cast<T: JsCast>(value: JsValue) -> Option<T> {
    value.dyn_into::<T>().ok()
}

/// A value that lives as long as the page, in a `static`. The wasm runs on the page's one
/// thread (built without atomics), so a plain cell is enough: this is what `thread_local!`
/// amounts to there, without `std`.
pub struct PageLocal<T>(RefCell<T>);

// SAFETY: wasm32 without the `atomics` target feature has exactly one thread.
#[cfg(not(target_feature = "atomics"))]
unsafe impl<T> Sync for PageLocal<T> {}

impl<T> PageLocal<T> {
    pub const fn new(value: T) -> PageLocal<T> {
        PageLocal(RefCell::new(value))
    }

    pub fn with<R>(&'static self, f: impl FnOnce(&RefCell<T>) -> R) -> R {
        f(&self.0)
    }
}
