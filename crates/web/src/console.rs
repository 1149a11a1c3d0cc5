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
    let line = line(parts);
    match cause {
        Some(cause) => web_sys::console::error_2(&line, cause),
        None => web_sys::console::error_1(&line),
    }
}

/// A warning line.
pub fn warn(parts: &[&str]) {
    web_sys::console::warn_1(&line(parts));
}

/// `[kommo-oauth] ` and the parts, as one string.
fn line(parts: &[&str]) -> JsValue {
    JsValue::from_str(&kommo_oauth_core::strings::append(
        String::from(PREFIX),
        parts,
    ))
}
