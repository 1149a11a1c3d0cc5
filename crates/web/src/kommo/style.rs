//! The button's stylesheet, installed once per document.
//!
//! A constructable stylesheet (`document.adoptedStyleSheets`) needs no `'unsafe-inline'` in
//! a Content-Security-Policy; browsers without it get a `<style>` element instead. Every
//! selector starts with `.kbtn`, so nothing leaks onto the host page; the button resets
//! what host rules commonly set on `button` (`all: revert`), at a specificity (0,1,1) that
//! beats element rules while an integrator's `data-class-name` rules can still win with a
//! second class.

use crate::js;
use wasm_bindgen::JsValue;
use web_sys::{CssStyleSheet, Document};

/// Marks a document whose styles are in place (shared by every copy of the bundle).
const INSTALLED: &str = "kommo-oauth.styles";

const CSS: &str = concat!(
    "button.kbtn{--kb-h:45px;--kb-logo:var(--kb-edge);--kb-logo-ink:#fff;all:revert;box-sizing:border-box;display:inline-flex;align-items:stretch;",
    "min-height:var(--kb-h);min-width:var(--kb-h);max-width:100%;padding:0;margin:0;border:1px solid var(--kb-edge);border-radius:4px;",
    "background:var(--kb-bg);color:var(--kb-ink);font:700 13px/1 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;",
    "letter-spacing:.08em;text-transform:uppercase;text-align:start;cursor:pointer;overflow:hidden;",
    "vertical-align:middle;appearance:none}",
    "button.kbtn:hover{filter:brightness(1.1)}",
    "button.kbtn:active{filter:brightness(.95)}",
    "button.kbtn:focus-visible{outline:3px solid #4a90e2;outline-offset:2px}",
    "button.kbtn .kbtn-logo{display:flex;align-items:center;justify-content:center;width:calc(var(--kb-h) - 2px);flex:none;",
    "background:var(--kb-logo);color:var(--kb-logo-ink);border-inline-end:1px solid var(--kb-edge)}",
    "button.kbtn svg{width:24px;height:24px;display:block}",
    "button.kbtn .kbtn-b{fill:currentColor}button.kbtn .kbtn-k{fill:var(--kb-logo)}",
    // Never wider than its container, and the whole title on one line or, in a narrow
    // container, two (balanced); only a title too long for two lines ends in an ellipsis (the
    // button's accessible name is still the whole title). A title with a word of more than 12
    // letters, more than 18 letters in all, or a last line of more than 10 (`kbtn-long`, set
    // by render.rs: «Авторизоваться через amoCRM», "Lanjutkan dengan Kommo") gets tighter
    // type, so that it fits from 200 px up.
    "button.kbtn .kbtn-text{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;align-self:center;",
    "overflow:hidden;white-space:normal;text-wrap:balance;line-height:1.25;margin-block:4px;padding:0 18px 0 14px}",
    "button.kbtn-long{font-size:12px;letter-spacing:.02em}button.kbtn-long .kbtn-text{padding-inline:10px}",
    "button.kbtn-light{--kb-bg:#0e0142;--kb-edge:#3a2d6e;--kb-ink:#fff;--kb-logo:#0e0142}",
    "button.kbtn-dark{--kb-bg:#fff;--kb-edge:#0e0142;--kb-ink:#0e0142;--kb-logo:#fff;--kb-logo-ink:#0e0142}",
    // Palette colours: background, darker border (also the logo block's, by default); ink
    // chosen for ≥4.5:1 contrast (WCAG 2.1 AA). Green and red are a shade darker than the original's #388e3c and #d84315, which
    // give white text 4.11:1 and 4.43:1.
    "button.kbtn-c-default{--kb-bg:#339dc7;--kb-edge:#006f9f;--kb-ink:#04202e}",
    "button.kbtn-c-blue{--kb-bg:#1976d2;--kb-edge:#004ba0;--kb-ink:#fff}",
    "button.kbtn-c-violet{--kb-bg:#6a1b9a;--kb-edge:#38006b;--kb-ink:#fff}",
    "button.kbtn-c-green{--kb-bg:#34833a;--kb-edge:#00600f;--kb-ink:#fff}",
    "button.kbtn-c-orange{--kb-bg:#f57f17;--kb-edge:#bc5100;--kb-ink:#2b1300}",
    "button.kbtn-c-red{--kb-bg:#cc4115;--kb-edge:#9f0000;--kb-ink:#fff}",
    "button.kbtn-compact{width:var(--kb-h)}",
    // data-size (the compact button stays square) and data-width="100%".
    "button.kbtn-s-medium{--kb-h:40px;font-size:12px}",
    "button.kbtn-s-small{--kb-h:32px;font-size:11px}button.kbtn-s-small .kbtn-text{padding-inline:12px}",
    "button.kbtn-w-full{width:100%}",
    // data-shape="pill" and data-logo-alignment="center" (the logo beside the centred title).
    "button.kbtn-pill{border-radius:calc(var(--kb-h)/2)}button.kbtn-center{justify-content:center}",
    "button.kbtn-compact .kbtn-logo{width:100%;border:0}",
    "@media(forced-colors:active){button.kbtn{border-color:ButtonText}}",
);

/// Installs the stylesheet into `document` unless some copy of the bundle already did. Called
/// once per bundle, when the first button's template is built (`render`).
pub fn install(document: &Document) {
    let installed = js::symbol(INSTALLED);
    if js::get_key(document, &installed).is_truthy() {
        return;
    }
    js::set_key(document, &installed, &JsValue::TRUE);
    if adopt(document).is_err() {
        append_style_element(document);
    }
}

fn adopt(document: &Document) -> Result<(), JsValue> {
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(CSS)?;
    let sheets = js::adopted_style_sheets(document);
    sheets.push(&sheet);
    js::set_adopted_style_sheets(document, &sheets);
    Ok(())
}

fn append_style_element(document: &Document) {
    let Ok(style) = js::create_element(document, "style") else {
        return;
    };
    style.set_text_content(Some(CSS));
    if let Some(parent) = js::document_element(document) {
        let _ = parent.append_child(&style);
    }
}
