//! Where a button's settings come from: a tag's attributes, or (npm API) an options object.
//! Both are read again at click time, since integrators change them after render.

use super::js::{self, PageLocal};
use crate::core::config::Provider;
use crate::core::parse::{has_settings, parse, Parsed};
use crate::core::trust::{Author, Context};
use crate::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlScriptElement};

/// The loader tag's `data-allowed-client-ids`, read once by the auto-mount.
pub static ALLOWED_CLIENT_IDS: PageLocal<Option<String>> = PageLocal::new(None);

/// The selectors matching a config tag, and an amoCRM one.
pub const TAG_SELECTOR: &str = ".kommo_oauth,.amocrm_oauth";
const AMOCRM_SELECTOR: &str = ".amocrm_oauth";

/// A button's settings source.
pub enum Settings {
    Tag(Element),
    /// Only the npm API builds options objects; the drop-in leaves this code out.
    #[cfg(feature = "api")]
    Options(wasm_bindgen::JsValue),
}

impl Settings {
    pub fn provider(&self) -> Provider {
        let amo = match self {
            Settings::Tag(el) => el.matches(AMOCRM_SELECTOR).unwrap_or(false),
            #[cfg(feature = "api")]
            Settings::Options(obj) => options::provider_is_amocrm(obj),
        };
        if amo {
            Provider::AmoCrm
        } else {
            Provider::Kommo
        }
    }

    /// Reads and validates the settings as they are now. Diagnostics about an options object
    /// name its keys (`clientId`), not the tag's attributes (`data-client-id`).
    pub fn parse(&self) -> Parsed {
        let parsed = parse(self.provider(), &self.snapshot()[..], &self.context());
        #[cfg(feature = "api")]
        if let Settings::Options(_) = self {
            let mut parsed = parsed;
            for d in &mut parsed.diagnostics.0 {
                d.message = options::option_names(&d.message);
            }
            return parsed;
        }
        parsed
    }

    /// Who wrote these settings, on which page (see `core::trust`).
    fn context(&self) -> Context {
        let author = match self {
            // `instanceof`: an HTML <script> (never an SVG one), and not a property a form
            // control could shadow.
            Settings::Tag(el) if el.is_instance_of::<HtmlScriptElement>() => Author::ScriptTag,
            Settings::Tag(_) => Author::Markup,
            #[cfg(feature = "api")]
            Settings::Options(_) => Author::Code,
        };
        let mut context = Context::new(author, &js::own_origin());
        context.allowed_client_ids = ALLOWED_CLIENT_IDS.with(|ids| ids.borrow().clone());
        context
    }

    /// Reads and validates the settings, or `None` when none of ours is present (class-only
    /// elements are skipped quietly). One read of the tag serves both questions.
    pub fn parse_if_present(&self) -> Option<Parsed> {
        let snapshot = self.snapshot();
        has_settings(&snapshot[..]).then(|| parse(self.provider(), &snapshot[..], &self.context()))
    }

    /// The settings as `(attribute, value)` pairs: options keys are mapped to their
    /// attribute names, so one parser (one copy in the wasm) serves both sources.
    fn snapshot(&self) -> Vec<(String, String)> {
        match self {
            Settings::Tag(el) => tag_snapshot(el),
            #[cfg(feature = "api")]
            Settings::Options(obj) => options::snapshot(obj),
        }
    }

    /// A function given directly in the options (`onError`, `onSuccess`).
    pub fn function(&self, key: &str) -> Option<js_sys::Function> {
        match self {
            Settings::Tag(_) => {
                let _ = key;
                None
            }
            #[cfg(feature = "api")]
            Settings::Options(obj) => js::cast(js::get(obj, key)),
        }
    }
}

/// The tag's `data-*` attributes, read in one pass (a handful of calls into the DOM
/// instead of two per setting: this is the hot path when a page mounts many tags).
fn tag_snapshot(el: &Element) -> Vec<(String, String)> {
    el.get_attribute_names()
        .iter()
        .filter_map(|name| name.as_string())
        .filter(|name| name.starts_with("data-"))
        .filter_map(|name| el.get_attribute(&name).map(|value| (name, value)))
        .collect()
}

#[cfg(feature = "api")]
mod options {
    use crate::core::settings::Setting;
    use crate::prelude::*;
    use crate::web::js;
    use js_sys::Array;
    use wasm_bindgen::JsValue;

    /// `data-client-id="x"` → `clientId="x"`: a diagnostic written for tags, reworded for
    /// options. (A scan by prefix: `str::replace` would link a substring searcher.)
    pub fn option_names(message: &str) -> String {
        let mut out = String::with_capacity(message.len());
        let mut rest = message;
        while let Some(c) = rest.chars().next() {
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

    pub fn provider_is_amocrm(obj: &JsValue) -> bool {
        js::get(obj, "provider")
            .as_string()
            .is_some_and(|p| p.trim_ascii().eq_ignore_ascii_case("amocrm"))
    }

    pub fn snapshot(obj: &JsValue) -> Vec<(String, String)> {
        Setting::ALL
            .iter()
            .filter_map(|s| {
                text(&js::get(obj, s.option())).map(|v| (String::from(s.attribute()), v))
            })
            .collect()
    }

    /// Option values as text: strings as they are, booleans and numbers spelled out, arrays
    /// (for `scopes`) joined by commas; anything else counts as absent.
    fn text(value: &JsValue) -> Option<String> {
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
            let parts: Vec<String> = Array::from(value)
                .iter()
                .filter_map(|v| v.as_string())
                .collect();
            return Some(parts.join(","));
        }
        None
    }
}
