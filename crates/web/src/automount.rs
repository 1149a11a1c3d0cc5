//! The drop-in's auto-mount: every `.kommo_oauth` / `.amocrm_oauth` element with settings
//! gets a button inserted before it, now and whenever one appears later (parser, framework,
//! `innerHTML`), watched by one `MutationObserver` for the life of the page.
//!
//! Tags are marked with an expando property that every copy of the bundle shares, so a page
//! that includes the script twice still mounts each tag once.

use crate::button::Button;
use crate::source::{Settings, Tag, TAG_SELECTOR};
use crate::{console, js};
use js_sys::Array;
use kommo_oauth_core::settings::Setting;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlFormElement, MutationRecord, Node};

/// The loader tag's attribute listing the client ids the page's tags may mount.
pub const ALLOW_LIST: &str = "data-allowed-client-ids";

/// The symbol-keyed expando marking a tag: `"mounted"`, or `"failed"` (retried when its
/// attributes change). A symbol, so that no `name`d form control can fake it.
const MARK: &str = "kommo-oauth.button";
const MOUNTED: &str = "mounted";
const FAILED: &str = "failed";

struct Mounted {
    tag: Element,
    /// Where the button was inserted; a button the integrator moved elsewhere is theirs.
    parent: Node,
    button: Button<Tag>,
}

thread_local! {
    static BUTTONS: RefCell<Vec<Mounted>> = const { RefCell::new(Vec::new()) };
}
thread_local! {
    /// Kept for the life of the page on purpose: the observer must outlive every tag.
    static OBSERVER: RefCell<Option<js::Observer>> = const { RefCell::new(None) };
}

/// Mounts every tag on the page and keeps watching for new ones. Idempotent. `loader` is
/// the drop-in's own `<script>` element (or `undefined`): its `data-allowed-client-ids`,
/// if any, lists the only client ids this page's tags may mount.
pub fn auto_mount(loader: JsValue) {
    if let Some(list) = js::cast::<Element>(loader).and_then(|el| el.get_attribute(ALLOW_LIST)) {
        crate::source::ALLOWED_CLIENT_IDS.with(|ids| *ids.borrow_mut() = Some(list));
    }
    let document = js::document();
    if let Some(root) = js::document_element(&document) {
        mount_within(&root);
        observe(&root);
    }
}

/// Mounts tags that appeared since the last look (the drop-in's `window.onload()` calls this).
pub fn rescan() {
    if let Some(root) = js::document_element(&js::document()) {
        mount_within(&root);
    }
}

/// The number of buttons auto-mounted so far (for the browser tests; not exported).
pub fn mounted_count() -> usize {
    BUTTONS.with(|b| b.borrow().len())
}

/// A `<form>`'s named controls shadow its own properties and methods (`<input
/// name="querySelectorAll">`), so no method is called on one: a form is never a config
/// element, and one added or removed is looked into from the document instead.
/// (`instanceof` cannot be shadowed.)
fn is_form(node: &Node) -> bool {
    node.is_instance_of::<HtmlFormElement>()
}

fn mount_within(root: &Element) {
    if is_form(root) {
        return rescan();
    }
    if root.matches(TAG_SELECTOR).unwrap_or(false) {
        try_mount(root.clone());
    }
    let Ok(tags) = root.query_selector_all(TAG_SELECTOR) else {
        return;
    };
    for i in 0..tags.length() {
        if let Some(tag) = tags.item(i).and_then(|n| js::cast::<Element>(n.into())) {
            try_mount(tag);
        }
    }
}

fn try_mount(tag: Element) {
    if is_form(&tag) || js::get_key(&tag, &js::symbol(MARK)).is_truthy() {
        return;
    }
    let settings = Tag(tag.clone());
    let Some(parsed) = settings.parse_if_present() else {
        return; // a theme's own element with the class and no settings: not ours
    };
    parsed.diagnostics.0.iter().for_each(console::report);
    let (Some(config), Some(parent)) = (parsed.config, tag.parent_node()) else {
        return js::set_key(&tag, &js::symbol(MARK), &JsValue::from_str(FAILED));
    };
    match Button::new(settings, &config, &parsed.diagnostics) {
        Ok(button) => {
            // `before` is called on the tag (never a form), not on its parent (which may be one).
            if let Err(e) = tag.before_with_node_1(button.element()) {
                return console::error(&["could not insert the button:"], Some(&e));
            }
            js::set_key(&tag, &js::symbol(MARK), &JsValue::from_str(MOUNTED));
            BUTTONS.with(|b| {
                b.borrow_mut().push(Mounted {
                    tag,
                    parent,
                    button,
                })
            });
        }
        Err(e) => console::error(&["could not render the button:"], Some(&e)),
    }
}

fn observe(root: &Element) {
    OBSERVER.with(|slot| {
        if slot.borrow().is_some() {
            return;
        }
        // The class, and every setting (a failed tag is retried when one changes).
        let watched = std::iter::once("class").chain(Setting::attribute_names());
        *slot.borrow_mut() = js::observe_subtree(root, watched, |records: Array| {
            for record in records.iter() {
                on_record(&record.unchecked_into());
            }
        });
    });
}

fn on_record(record: &MutationRecord) {
    if record.type_() == "attributes" {
        if let Some(tag) = record.target().and_then(|t| js::cast::<Element>(t.into())) {
            if js::get_key(&tag, &js::symbol(MARK)).as_string().as_deref() == Some(FAILED) {
                js::set_key(&tag, &js::symbol(MARK), &JsValue::UNDEFINED);
            }
            if !is_form(&tag) && tag.matches(TAG_SELECTOR).unwrap_or(false) {
                try_mount(tag);
            }
        }
        return;
    }
    let removed = record.removed_nodes();
    for i in 0..removed.length() {
        if let Some(el) = removed.item(i).and_then(|n| js::cast::<Element>(n.into())) {
            unmount_removed(&el);
        }
    }
    let added = record.added_nodes();
    for i in 0..added.length() {
        if let Some(el) = added.item(i).and_then(|n| js::cast::<Element>(n.into())) {
            mount_within(&el);
        }
    }
}

/// A tag taken out of the page takes its button along (frameworks remove and re-add
/// script tags on re-render), unless the integrator moved the button elsewhere.
fn unmount_removed(removed: &Element) {
    let form = is_form(removed);
    let holds_tag = form
        || removed.matches(TAG_SELECTOR).unwrap_or(false)
        || removed
            .query_selector(TAG_SELECTOR)
            .ok()
            .flatten()
            .is_some();
    if !holds_tag {
        return;
    }
    BUTTONS.with(|buttons| {
        let gone: Vec<Mounted> = {
            let mut all = buttons.borrow_mut();
            let (gone, kept) = all.drain(..).partition(|m: &Mounted| {
                let moved = m
                    .button
                    .element()
                    .parent_node()
                    .is_some_and(|p| p != m.parent);
                !moved && !m.tag.is_connected() && (form || removed.contains(Some(&m.tag)))
            });
            *all = kept;
            gone
        };
        // Dropping each `Button` removes its element and listeners.
        for m in gone {
            js::set_key(&m.tag, &js::symbol(MARK), &JsValue::UNDEFINED);
        }
    });
}
