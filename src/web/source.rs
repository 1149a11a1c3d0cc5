//! Where a button's settings come from: a tag's attributes, or an options object.
//! Both are read again at click time, since integrators change them after render.

use super::js;
use crate::core::config::Provider;
use crate::core::parse::{parse, Parsed};
use crate::core::settings::{Setting, Source};
use js_sys::Array;
use wasm_bindgen::JsValue;
use web_sys::Element;

/// The classes that mark a config tag, and the selector matching them.
pub const KOMMO_CLASS: &str = "kommo_oauth";
pub const AMOCRM_CLASS: &str = "amocrm_oauth";
pub const TAG_SELECTOR: &str = ".kommo_oauth,.amocrm_oauth";

/// A button's settings source.
pub enum Settings {
    Tag(Element),
    Options(JsValue),
}

impl Settings {
    pub fn provider(&self) -> Provider {
        let amo = match self {
            Settings::Tag(el) => el.class_list().contains(AMOCRM_CLASS),
            Settings::Options(obj) => {
                js::get(obj, "provider").as_string().is_some_and(|p| p.trim().eq_ignore_ascii_case("amocrm"))
            }
        };
        if amo { Provider::AmoCrm } else { Provider::Kommo }
    }

    pub fn parse(&self) -> Parsed {
        parse(self.provider(), self)
    }

    /// A function given directly in the options (`onError`, `onSuccess`).
    pub fn function(&self, key: &str) -> Option<js_sys::Function> {
        match self {
            Settings::Tag(_) => None,
            Settings::Options(obj) => js::cast(js::get(obj, key)),
        }
    }
}

impl Source for Settings {
    fn get(&self, setting: Setting) -> Option<String> {
        match self {
            Settings::Tag(el) => el
                .get_attribute(setting.attribute())
                .or_else(|| setting.attribute_alias().and_then(|alias| el.get_attribute(alias))),
            Settings::Options(obj) => option_text(&js::get(obj, setting.option())),
        }
    }
}

/// Option values as text: strings as they are, booleans and numbers spelled out, arrays
/// (for `scopes`) joined by commas; anything else counts as absent.
fn option_text(value: &JsValue) -> Option<String> {
    if let Some(text) = value.as_string() {
        return Some(text);
    }
    if let Some(flag) = value.as_bool() {
        return Some(String::from(if flag { "true" } else { "false" }));
    }
    if let Some(n) = value.as_f64() {
        return Some(crate::core::strings::int(n as i64));
    }
    if Array::is_array(value) {
        let parts: Vec<String> = Array::from(value).iter().filter_map(|v| v.as_string()).collect();
        return Some(parts.join(","));
    }
    None
}
