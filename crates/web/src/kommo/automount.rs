//! The drop-in's auto-mount: every `.kommo_oauth` / `.amocrm_oauth` element with settings
//! gets a button inserted before it, now and whenever one appears later (parser, framework,
//! `innerHTML`), watched by one `MutationObserver` for the life of the page.
//!
//! Tags are marked with an expando property that every copy of the bundle shares, so a page
//! that includes the script twice still mounts each tag once. Mounting is linear in the nodes
//! added (`crate::discover`): each batch of mutations looks only into the subtrees it added (a
//! `<form>` too, through the prototype's `querySelectorAll`, which its controls cannot
//! shadow), and every element with the class is read once, also one with nothing to render
//! (marked [`IGNORED`] until one of its attributes changes). The tags found in one look are
//! read in one call (`source::read_tags`).

use crate::discover::{self, Discovery, DONE};
use crate::kommo::button::Button;
use crate::kommo::source::{self, read_tags, Tag, TAG_SELECTOR};
use crate::{console, js};
use js_sys::Array;
use kommo_oauth_core::kommo::settings::Setting;
use kommo_oauth_core::kommo::snapshot::Snapshot;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::{Element, Node};

/// The loader tag's attribute listing the client ids the page's tags may mount.
pub const ALLOW_LIST: &str = "data-allowed-client-ids";
/// The loader tag's attribute listing the callback names markup may use.
pub const ALLOWED_CALLBACKS: &str = "data-allowed-callbacks";

/// The symbol-keyed expando marking a tag (see `crate::discover`): [`MOUNTED`], [`FAILED`] or
/// [`IGNORED`] (no settings of ours); the last two are looked at again when an attribute
/// changes.
const MARK: &str = "kommo-oauth.button";
const MOUNTED: f64 = DONE;
const FAILED: f64 = 2.0;
const IGNORED: f64 = 3.0;

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
    /// [`MARK`]'s symbol, made once.
    static MARK_KEY: JsValue = js::symbol(MARK);
}

fn mark_key() -> JsValue {
    MARK_KEY.with(JsValue::clone)
}

thread_local! {
    /// Kept for the life of the page on purpose: the observer must outlive every tag.
    static WATCH: RefCell<Option<discover::Watch>> = const { RefCell::new(None) };
}

/// Mounts every tag on the page and keeps watching for new ones. Idempotent. `loader` is
/// the drop-in's own `<script>` element (or `undefined`): its `data-allowed-client-ids`,
/// if any, lists the only client ids this page's tags may mount, and its
/// `data-allowed-callbacks` the callback names markup (not only `<script>` tags) may use.
/// `discovery` is crates/web/js/discover.js's, which the loader carries.
pub fn auto_mount(loader: JsValue, discovery: Discovery) {
    discover::install(discovery);
    if let Some(tag) = js::cast::<Element>(loader) {
        crate::loader::update(|loader| {
            if let Some(list) = tag.get_attribute(ALLOW_LIST) {
                loader.client_ids = Some(list);
            }
            if let Some(list) = tag.get_attribute(ALLOWED_CALLBACKS) {
                loader.callbacks = Some(list);
            }
        });
    }
    // Watching after the first look, so that the observer does not see these buttons go in.
    if let Some(root) = js::document_element(&js::document()) {
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

/// Mounts the tags in `root`'s subtree, `root` included.
fn mount_within(root: &Element) {
    mount(&discover::within(root, TAG_SELECTOR, &mark_key()));
}

/// Mounts `tags`, read in one call.
fn mount(tags: &Array) {
    for (i, snapshot) in (0..).zip(read_tags(tags)) {
        try_mount(tags.get(i).unchecked_into(), snapshot);
    }
}

fn mark(tag: &Element, value: f64) {
    js::set_key(tag, &mark_key(), &JsValue::from_f64(value));
}

fn try_mount(tag: Element, snapshot: Snapshot) {
    let Some(parsed) = source::validate_if_present(&snapshot) else {
        // A theme's own element with the class and no settings: not ours, and not read
        // again unless its attributes change.
        return mark(&tag, IGNORED);
    };
    parsed.diagnostics.0.iter().for_each(console::report);
    let (Some(config), Some(parent)) = (parsed.config, tag.parent_node()) else {
        return mark(&tag, FAILED);
    };
    // `before` is called on the tag (never a form), not on its parent (which may be one).
    let insert = |button: &web_sys::HtmlButtonElement| tag.before_with_node_1(button);
    match Button::new(Tag(tag.clone()), &config, &parsed.diagnostics, insert) {
        Ok(button) => {
            mark(&tag, MOUNTED);
            BUTTONS.with(|b| {
                let mut b = b.borrow_mut();
                if b.is_empty() {
                    button.warm_up();
                }
                b.push(Mounted {
                    tag,
                    parent,
                    button,
                })
            });
        }
        Err(e) => console::error(&["could not insert the button:"], Some(&e)),
    }
}

fn observe(root: &Element) {
    WATCH.with(|slot| {
        if slot.borrow().is_some() {
            return;
        }
        // The class, and every setting (a failed or ignored tag is read again when one changes).
        *slot.borrow_mut() =
            discover::watch(root, TAG_SELECTOR, Setting::WATCHED, &mark_key(), on_batch);
    });
}

/// One batch: removals first, then the tags added or changed.
fn on_batch(tags: Array, removed: bool) {
    if removed {
        unmount_removed();
    }
    mount(&tags);
}

/// Tags taken out of the page take their buttons along (frameworks remove and re-add script
/// tags on re-render: a tag back in the page by the end of the batch keeps its button),
/// unless the integrator moved the button elsewhere. One pass over the buttons per batch.
fn unmount_removed() {
    let gone = BUTTONS.with(|buttons| {
        let mut all = buttons.borrow_mut();
        let mut gone = Vec::new();
        let mut i = 0;
        while i < all.len() {
            let m = &all[i];
            let moved = m
                .button
                .element()
                .parent_node()
                .is_some_and(|p| !js::same(&p, &m.parent));
            if !moved && !m.tag.is_connected() {
                gone.push(all.swap_remove(i));
            } else {
                i += 1;
            }
        }
        gone
    });
    // Dropping each `Button` (after the borrow) removes its element and listeners.
    for m in gone {
        js::set_key(&m.tag, &mark_key(), &JsValue::UNDEFINED);
    }
}
