//! Builds the `<button>`: a real button with an inline SVG logo and the title as text.
//! Nothing from an attribute is ever parsed as HTML: the title goes in as a text node, the
//! classes as the `class` attribute's value.

use crate::js;
use kommo_oauth_core::kommo::config::{
    Appearance, ButtonConfig, LogoAlignment, Shape, Size, Theme, Width,
};
use kommo_oauth_core::kommo::settings::spelling;
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlButtonElement};

const SVG_NS: &str = "http://www.w3.org/2000/svg";
/// An original mark: a speech bubble holding a key-shaped "K".
const LOGO_BUBBLE: &str =
    "M5 3h14a3 3 0 0 1 3 3v9a3 3 0 0 1-3 3h-7l-5 4v-4H5a3 3 0 0 1-3-3V6a3 3 0 0 1 3-3z";
const LOGO_K: &str = "M8 6.5h2.2v3.6l3.3-3.6h2.8l-3.8 4 4 4.5h-2.9l-3.4-3.9v3.9H8z";

/// Creates the button element for `config` (not yet inserted): a copy of the page's template
/// (one DOM call for the logo and the structure), then what this button says.
pub fn render(config: &ButtonConfig) -> Result<HtmlButtonElement, JsValue> {
    let look = &config.appearance;
    let button: HtmlButtonElement = template()?.clone_node_with_deep(true)?.unchecked_into();
    button.set_class_name(&classes(look));
    if let Width::Pixels(px) = look.width {
        // Through the CSSOM, which a Content-Security-Policy without 'unsafe-inline' allows.
        let width = kommo_oauth_core::strings::concat(&[
            &kommo_oauth_core::strings::int(i64::from(px)),
            "px",
        ]);
        js::set(
            &js::get(&button, "style"),
            "width",
            &JsValue::from_str(&width),
        );
    }
    // Setting an attribute of ours on our own fresh copy fails only where the page replaced
    // `setAttribute` with one that throws (see `build_template`).
    if let Some(id) = config.identity.client_id() {
        let _ = button.set_attribute("data-client_id", id);
    }
    // The template's last child is the title's `<span>`.
    let text = button.last_child().ok_or(JsValue::NULL)?;
    if look.compact {
        text.unchecked_ref::<Element>().remove();
        let _ = button.set_attribute("aria-label", &look.title);
        button.set_title(&look.title);
    } else {
        text.set_text_content(Some(&look.title));
    }
    Ok(button)
}

/// Ours, then the integrator's (already split on ASCII whitespace, as `class` is, so each
/// one stays one class).
fn classes(look: &Appearance) -> String {
    let scheme = match (look.color, look.theme) {
        (Some(color), _) => kommo_oauth_core::strings::concat(&["kbtn-c-", spelling(color)]),
        (None, Theme::Light) => String::from("kbtn-light"),
        (None, Theme::Dark) => String::from("kbtn-dark"),
    };
    let compact = if look.compact { " kbtn-compact" } else { "" };
    let size = match look.size {
        Size::Large => "",
        Size::Medium => " kbtn-s-medium",
        Size::Small => " kbtn-s-small",
    };
    let full = if look.width == Width::Full {
        " kbtn-w-full"
    } else {
        ""
    };
    // Too long for two lines of a 200 px button at the usual type, so tighter type (style.rs):
    // a word of more than 12 letters, more than 18 letters in all, or a last line (the last
    // two words, as balanced wrapping puts them) of more than 10. Letters counted as UTF-8
    // lead bytes: no char decoding or pattern search linked for this (docs/size.md).
    let (mut run, mut previous, mut longest, mut total) = (0u8, 0u8, 0u8, 0u8);
    for b in look.title.bytes() {
        if b == b' ' {
            previous = run;
            run = 0;
        } else if b & 0xC0 != 0x80 {
            run = run.saturating_add(1);
            total = total.saturating_add(1);
            longest = longest.max(run);
        }
    }
    let long = if longest > 12 || total > 18 || previous.saturating_add(run) > 10 {
        " kbtn-long"
    } else {
        ""
    };
    let pill = if look.shape == Shape::Pill {
        " kbtn-pill"
    } else {
        ""
    };
    let centred = if look.logo_alignment == LogoAlignment::Center {
        " kbtn-center"
    } else {
        ""
    };
    let mut classes = kommo_oauth_core::strings::concat(&[
        "kbtn ", &scheme, compact, size, full, long, pill, centred,
    ]);
    for class in &look.classes {
        classes.push(' ');
        classes.push_str(class);
    }
    classes
}

thread_local! {
    /// The button without settings (`type`, the logo, an empty title), built once and
    /// copied for each button.
    static TEMPLATE: RefCell<Option<HtmlButtonElement>> = const { RefCell::new(None) };
}

/// The template, built by the page's first button, which also installs the stylesheet.
fn template() -> Result<HtmlButtonElement, JsValue> {
    if let Some(t) = TEMPLATE.with(|cell| cell.borrow().clone()) {
        return Ok(t);
    }
    let document = js::document();
    crate::kommo::style::install(&document);
    let built = build_template(&document)?;
    TEMPLATE.with(|cell| *cell.borrow_mut() = Some(built.clone()));
    Ok(built)
}

/// Only a failed `createElement` stops the template. Setting our constant attributes on
/// fresh elements of our own, and appending them, fails only on a page that replaced those
/// DOM methods with ones that throw; the button then goes in with what did succeed rather
/// than not at all, and the wasm carries no error path per call.
fn build_template(document: &Document) -> Result<HtmlButtonElement, JsValue> {
    let button: HtmlButtonElement = js::create_element(document, "button")?.unchecked_into();
    button.set_type("button");
    let holder = js::create_element(document, "span")?;
    holder.set_class_name("kbtn-logo");
    let svg = js::create_element_ns(document, SVG_NS, "svg")?;
    let _ = svg.set_attribute("viewBox", "0 0 24 24");
    let _ = svg.set_attribute("aria-hidden", "true");
    let _ = svg.set_attribute("focusable", "false");
    for (d, class) in [(LOGO_BUBBLE, "kbtn-b"), (LOGO_K, "kbtn-k")] {
        let path = js::create_element_ns(document, SVG_NS, "path")?;
        let _ = path.set_attribute("d", d);
        let _ = path.set_attribute("class", class);
        let _ = svg.append_child(&path);
    }
    let _ = holder.append_child(&svg);
    let _ = button.append_child(&holder);
    let text = js::create_element(document, "span")?;
    text.set_class_name("kbtn-text");
    let _ = button.append_child(&text);
    Ok(button)
}
