//! Helpers for the browser tests: a `window.open` spy returning a fake popup, console
//! capture, synthetic messages from a chosen origin, and DOM fixtures.
#![allow(dead_code)]

use gloo_timers::future::TimeoutFuture;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlButtonElement};

#[wasm_bindgen(module = "/js/discover.js")]
extern "C" {
    #[wasm_bindgen(js_name = discovery, thread_local_v2)]
    static DISCOVERY: kommo_oauth_web::discover::Discovery;
}

/// crates/web/js/discover.js's `discovery`, the one the build pastes into the drop-ins.
pub fn discovery() -> kommo_oauth_web::discover::Discovery {
    DISCOVERY.with(Clone::clone)
}

/// The drop-in's auto-mount, handed what its loader carries.
pub fn auto_mount() {
    kommo_oauth_web::kommo::automount::auto_mount(JsValue::UNDEFINED, discovery());
}

#[wasm_bindgen(inline_js = r#"
const originals = { warn: console.warn, error: console.error, open: window.open };
// A real window (a same-origin iframe's), so that messages can name it as their source,
// with close/focus/closed replaced to record what the button does to its popup.
function fakeWindow() {
  const frame = document.createElement('iframe');
  frame.style.display = 'none';
  document.body.appendChild(frame);
  const win = frame.contentWindow;
  let closed = false;
  Object.defineProperty(win, 'closed', { get: () => closed, set: (v) => { closed = v; }, configurable: true });
  win.focused = 0;
  win.closedByScript = false;
  win.focus = function () { win.focused++; };
  win.close = function () { closed = true; win.closedByScript = true; };
  return win;
}
/** A fake popup: opened by this page, and a top-level window of its own (as window.open's). */
function fakePopup() {
  const win = fakeWindow();
  Object.defineProperty(win, 'opener', { value: window, configurable: true, writable: true });
  Object.defineProperty(win, 'parent', { value: win, configurable: true, writable: true });
  return win;
}
/** This tab's sign-in records at this moment: what a window opened now starts with. */
function records() {
  return Object.fromEntries(Object.keys(sessionStorage).filter((k) => k.startsWith('kommo-oauth:state:')).map((k) => [k, sessionStorage.getItem(k)]));
}
export function spy_open(blocked) {
  window.__opened = [];
  window.open = function (url, name, features) {
    const popup = fakePopup();
    window.__opened.push({ url, name, features, popup, records: records() });
    return blocked ? null : popup;
  };
}
/** A window that is not the popup (a frame, a second popup on the provider origin). */
export function other_window() { return fakeWindow(); }
/** Makes `window.open` return `win` (a frame named like the popup, say) instead of a popup. */
export function open_returns(win) { window.__opened = []; window.open = function (url, name, features) { window.__opened.push({ url, name, features, popup: win, records: records() }); return win; }; }
/** Gives the latest popup another opener, as a frame that looked it up by name would become. */
export function take_over_latest() { const o = window.__opened; Object.defineProperty(o[o.length - 1].popup, 'opener', { value: fakeWindow(), configurable: true }); }
export function pollute(key, value) { Object.prototype[key] = value; }
export function unpollute(key) { delete Object.prototype[key]; }
export function restore_open() { window.open = originals.open; }
export function opened_count() { return (window.__opened || []).length; }
export function opened(i) { return window.__opened[i]; }
export function capture_console() {
  const log = [];
  console.warn = (...a) => log.push('warn: ' + a.map(String).join(' '));
  console.error = (...a) => log.push('error: ' + a.map(String).join(' '));
  window.__log = log;
}
export function release_console() { console.warn = originals.warn; console.error = originals.error; return window.__log || []; }
/** A message from the latest popup, as if sent from `origin`. */
export function post_from(origin, data) {
  const opened = window.__opened || [];
  const source = opened.length ? opened[opened.length - 1].popup : null;
  window.dispatchEvent(new MessageEvent('message', { origin, data, source }));
}
/** A message from `source` (any window, or null), as if sent from `origin`. */
export function post_from_window(source, origin, data) { window.dispatchEvent(new MessageEvent('message', { origin, data, source })); }
export function broadcast(name, data) { const c = new BroadcastChannel(name); c.postMessage(data); c.close(); }
export function broadcast_collect(name, data, ms) {
  const c = new BroadcastChannel(name); const replies = [];
  c.onmessage = (e) => replies.push(e.data);
  c.postMessage(data);
  return new Promise((resolve) => setTimeout(() => { c.close(); resolve(replies); }, ms));
}
export function record_calls(path) {
  const calls = [];
  const parts = path.split('.');
  let target = window;
  for (const p of parts.slice(0, -1)) { target = target[p] = target[p] || {}; }
  target[parts[parts.length - 1]] = function (arg) { calls.push(arg); };
  return calls;
}
export function forget_global(name) { delete window[name]; }
export function break_crypto() { crypto.getRandomValues = function () { throw new Error('no entropy'); }; }
export function restore_crypto() { delete crypto.getRandomValues; }
export function json(v) { return JSON.stringify(v); }
"#)]
extern "C" {
    pub fn spy_open(blocked: bool);
    pub fn restore_open();
    pub fn opened_count() -> u32;
    pub fn opened(i: u32) -> JsValue;
    pub fn capture_console();
    pub fn release_console() -> js_sys::Array;
    pub fn post_from(origin: &str, data: &JsValue);
    pub fn post_from_window(source: &JsValue, origin: &str, data: &JsValue);
    pub fn other_window() -> JsValue;
    pub fn open_returns(win: &JsValue);
    pub fn take_over_latest();
    pub fn pollute(key: &str, value: &JsValue);
    pub fn unpollute(key: &str);
    pub fn broadcast(name: &str, data: &JsValue);
    pub fn broadcast_collect(name: &str, data: &JsValue, ms: u32) -> js_sys::Promise;
    pub fn record_calls(path: &str) -> js_sys::Array;
    pub fn forget_global(name: &str);
    pub fn break_crypto();
    pub fn restore_crypto();
    pub fn json(v: &JsValue) -> String;
}

pub fn document() -> Document {
    web_sys::window().unwrap_throw().document().unwrap_throw()
}

/// A fresh container in the body, removed by the caller with `.remove()`.
pub fn fixture(html_free_attrs: &[(&str, &str)], tag: &str, class: &str) -> (Element, Element) {
    let doc = document();
    let holder = doc.create_element("div").unwrap_throw();
    let el = doc.create_element(tag).unwrap_throw();
    el.set_class_name(class);
    for (k, v) in html_free_attrs {
        el.set_attribute(k, v).unwrap_throw();
    }
    holder.append_child(&el).unwrap_throw();
    doc.body()
        .unwrap_throw()
        .append_child(&holder)
        .unwrap_throw();
    (holder, el)
}

pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_throw()
}

pub fn get_str(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}

pub fn object(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap_throw();
    }
    o
}

pub fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

/// Lets microtasks, MutationObserver callbacks and timers run.
pub async fn tick(ms: u32) {
    TimeoutFuture::new(ms).await;
}

pub fn buttons_in(holder: &Element) -> Vec<HtmlButtonElement> {
    let list = holder.query_selector_all("button").unwrap_throw();
    (0..list.length())
        .map(|i| list.item(i).unwrap_throw().unchecked_into())
        .collect()
}

pub fn strings(array: &js_sys::Array) -> Vec<String> {
    array.iter().filter_map(|v| v.as_string()).collect()
}
