//! Small JS interop helpers shared by the web modules.

use js_sys::{Object, Reflect};
use kommo_oauth_core::attempt::MAX_FIELD_CHARS;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement, Window};

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

#[wasm_bindgen]
extern "C" {
    /// The page's `document`, read once (unforgeable: no element named `document` shadows it).
    #[wasm_bindgen(thread_local_v2, js_name = document)]
    static DOCUMENT: Document;
}

/// `Document.prototype` members used on the page's document, looked up once on the
/// prototype (`final`): an element named like one (`<img name="createElement">`,
/// `<form name="documentElement">`) shadows the property on `document`, never there.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Document)]
    type Doc;
    #[wasm_bindgen(method, final, getter = documentElement)]
    fn document_element(this: &Doc) -> Option<Element>;
    #[wasm_bindgen(method, final, getter)]
    fn body(this: &Doc) -> Option<HtmlElement>;
    #[wasm_bindgen(method, final, catch, js_name = createElement)]
    fn create_element(this: &Doc, name: &str) -> Result<Element, JsValue>;
    #[wasm_bindgen(method, final, catch, js_name = createElementNS)]
    fn create_element_ns(this: &Doc, namespace: &str, name: &str) -> Result<Element, JsValue>;
    #[wasm_bindgen(method, final, getter = adoptedStyleSheets)]
    fn adopted_style_sheets(this: &Doc) -> js_sys::Array;
    #[wasm_bindgen(method, final, setter = adoptedStyleSheets)]
    fn set_adopted_style_sheets(this: &Doc, sheets: &js_sys::Array);
}

/// `Element.prototype` members, looked up once on the prototype (`final`): on a `<form>`,
/// a control named `closest` shadows the element's own method.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Element)]
    type El;
    #[wasm_bindgen(method, final, catch)]
    fn closest(this: &El, selectors: &str) -> Result<Option<Element>, JsValue>;
}

/// `element.closest(selectors)` through the prototype (also on a `<form>`).
pub fn closest(element: &Element, selectors: &str) -> Option<Element> {
    element
        .unchecked_ref::<El>()
        .closest(selectors)
        .ok()
        .flatten()
}

/// The page's root element (`<html>`), whatever the page's markup names its elements.
pub fn document_element(document: &Document) -> Option<Element> {
    document.unchecked_ref::<Doc>().document_element()
}

/// The page's `<body>`.
pub fn body(document: &Document) -> Option<HtmlElement> {
    document.unchecked_ref::<Doc>().body()
}

/// `document.createElement(name)`.
pub fn create_element(document: &Document, name: &str) -> Result<Element, JsValue> {
    document.unchecked_ref::<Doc>().create_element(name)
}

/// `document.createElementNS(namespace, name)`.
pub fn create_element_ns(
    document: &Document,
    namespace: &str,
    name: &str,
) -> Result<Element, JsValue> {
    document
        .unchecked_ref::<Doc>()
        .create_element_ns(namespace, name)
}

/// `document.adoptedStyleSheets`, read and written.
pub fn adopted_style_sheets(document: &Document) -> js_sys::Array {
    document.unchecked_ref::<Doc>().adopted_style_sheets()
}

pub fn set_adopted_style_sheets(document: &Document, sheets: &js_sys::Array) {
    document
        .unchecked_ref::<Doc>()
        .set_adopted_style_sheets(sheets)
}

pub fn document() -> Document {
    DOCUMENT.with(Document::clone)
}

/// Whether `a` and `b` are the same object (`===`). Typed handles compared with `==` go
/// through js-sys's `Object.is`: one more import for the same answer on objects.
pub fn same(a: &impl AsRef<JsValue>, b: &impl AsRef<JsValue>) -> bool {
    a.as_ref() == b.as_ref()
}

/// `obj[key]`, or `undefined` when the lookup throws (getters, proxies, revoked objects).
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key]` when `key` is an **own data property** of the object or function `obj`, else
/// `undefined`: never a value inherited from a (possibly polluted) prototype, and never a
/// getter's (accessors are not invoked). What messages, option objects and global callback
/// paths are read through.
pub fn own(obj: &JsValue, key: &str) -> JsValue {
    if !(obj.is_object() || obj.is_function()) {
        return JsValue::UNDEFINED;
    }
    let descriptor = Reflect::get_own_property_descriptor(
        obj.unchecked_ref::<Object>(),
        &JsValue::from_str(key),
    )
    .unwrap_or(JsValue::UNDEFINED);
    // A data descriptor has its own `value`; an accessor's has none (and `value` read from a
    // descriptor without one would come from `Object.prototype`).
    if descriptor.is_object()
        && Object::has_own(
            descriptor.unchecked_ref::<Object>(),
            &JsValue::from_str("value"),
        )
    {
        get(&descriptor, "value")
    } else {
        JsValue::UNDEFINED
    }
}

/// `obj[key]` when `key` is an own property of `obj` (a data property, or a getter of the
/// object's own: MobX observables, class instances with own accessors), else `undefined`:
/// never a value inherited from a (possibly polluted) prototype. For option objects, which
/// the page's own code writes.
pub fn own_property(obj: &JsValue, key: &str) -> JsValue {
    let key = JsValue::from_str(key);
    if obj.is_object() && Object::has_own(obj.unchecked_ref::<Object>(), &key) {
        Reflect::get(obj, &key).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
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

/// A page-wide property key that markup cannot clobber: `Symbol.for(name)`. (An element's
/// `id` or `name` can shadow a string-named global or `document` property, never a symbol;
/// `Symbol.for` makes every copy of the bundle on the page share it.)
pub fn symbol(name: &str) -> JsValue {
    js_sys::Symbol::for_(name).into()
}

/// `obj[key]` for a symbol (or any) key, `undefined` when the lookup throws.
pub fn get_key(obj: &JsValue, key: &JsValue) -> JsValue {
    Reflect::get(obj, key).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key] = value` for a symbol (or any) key.
pub fn set_key(obj: &JsValue, key: &JsValue, value: &JsValue) {
    let _ = Reflect::set(obj, key, value);
}

/// A message payload's fields read as strings, for `core::protocol::Fields`: only own data
/// properties ([`own`]) holding strings no longer than [`MAX_FIELD_CHARS`] are copied into
/// the wasm.
pub struct JsFields<'a>(pub &'a JsValue);

impl kommo_oauth_core::attempt::Fields for JsFields<'_> {
    fn string(&self, key: &str) -> Option<String> {
        let value = own(self.0, key);
        (value.is_string() && value.unchecked_ref::<js_sys::JsString>().length() <= MAX_FIELD_CHARS)
            .then(|| value.as_string())
            .flatten()
    }

    fn boolean(&self, key: &str) -> Option<bool> {
        own(self.0, key).as_bool()
    }
}

/// The current page's origin (`location.origin`), read as a property (the typed getter is
/// one more import).
pub fn own_origin() -> String {
    get(&get(&window(), "location"), "origin")
        .as_string()
        .unwrap_or_default()
}

/// Casts without panicking: `None` when `value` is not a `T`.
pub fn cast<T: JsCast>(value: JsValue) -> Option<T> {
    value.dyn_into::<T>().ok()
}
