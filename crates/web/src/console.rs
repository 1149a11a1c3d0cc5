//! Console output. Every line starts with `[kommo-oauth]`.

use kommo_oauth_core::diag::{Diagnostic, Level, PREFIX};
use wasm_bindgen::JsValue;

pub fn report(diagnostic: &Diagnostic) {
    let line = JsValue::from_str(&diagnostic.message);
    match diagnostic.level {
        Level::Warn => web_sys::console::warn_1(&line),
        Level::Error => web_sys::console::error_1(&line),
    }
}

/// An error line, followed by the JS value that caused it (an exception, say).
pub fn error(parts: &[&str], cause: Option<&JsValue>) {
    let mut line = String::from(PREFIX);
    line.push_str(&kommo_oauth_core::strings::concat(parts));
    match cause {
        Some(cause) => web_sys::console::error_2(&JsValue::from_str(&line), cause),
        None => web_sys::console::error_1(&JsValue::from_str(&line)),
    }
}

/// A warning line.
pub fn warn(parts: &[&str]) {
    let mut line = String::from(PREFIX);
    line.push_str(&kommo_oauth_core::strings::concat(parts));
    web_sys::console::warn_1(&JsValue::from_str(&line));
}
