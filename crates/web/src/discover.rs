//! Finding the elements a drop-in takes over, on the page now and as they appear (parser,
//! framework, `innerHTML`): the Kommo drop-in's config tags and the LeadExec drop-in's
//! buttons alike. The searching runs in crates/web/js/discover.js, one call per look at the
//! page or per batch of mutations, linear in what changed: only the subtrees a batch added
//! and the elements whose watched attributes changed are searched.
//!
//! Elements are marked with a property under a symbol key (which no `name`d form control can
//! fake): `1` when looked at for good, any other value when looked at but to be looked at again
//! if a watched attribute changes. An unmarked element is looked at once.

use js_sys::{Array, Function};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::{Element, MutationObserver};

/// The mark of an element looked at for good.
pub const DONE: f64 = 1.0;

#[wasm_bindgen]
extern "C" {
    /// `discovery` of crates/web/js/discover.js, handed over by the drop-in's loader (or
    /// the npm entry).
    #[derive(Clone)]
    pub type Discovery;
    #[wasm_bindgen(method)]
    fn find(this: &Discovery, root: &Element, selector: &str, mark: &JsValue, found: &Array);
    #[wasm_bindgen(method)]
    fn watch(
        this: &Discovery,
        root: &Element,
        selector: &str,
        attributes: &str,
        mark: &JsValue,
        on_batch: &Function,
    ) -> MutationObserver;
    #[wasm_bindgen(method)]
    fn read(this: &Discovery, tags: &Array) -> String;
}

thread_local! {
    static DISCOVERY: RefCell<Option<Discovery>> = const { RefCell::new(None) };
}

/// Takes the page's `discovery` (once per page: later calls keep the first).
pub fn install(discovery: Discovery) {
    DISCOVERY.with(|d| {
        d.borrow_mut().get_or_insert(discovery);
    });
}

/// The page's `discovery`, taken out of its cell: no borrow is held while JS runs.
fn discovery() -> Option<Discovery> {
    DISCOVERY.with(|d| d.borrow().clone())
}

/// The elements matching `selector` in `root`'s subtree, `root` included, that are in the
/// page, no `<form>`, and unmarked (`mark`), in document order.
pub fn within(root: &Element, selector: &str, mark: &JsValue) -> Array {
    let found = Array::new();
    if let Some(d) = discovery() {
        d.find(root, selector, mark, &found);
    }
    found
}

/// A watch of the page; dropping it disconnects the observer.
pub struct Watch {
    observer: MutationObserver,
    _on_batch: Closure<dyn FnMut(Array, bool)>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// Watches `root`'s subtree: after each batch of mutations, `on_batch` gets the elements to
/// look at (matching `selector`, added or with one of `attributes` (names separated by
/// spaces) changed, not marked [`DONE`]) and whether a subtree taken out of the page was or
/// held a match.
pub fn watch(
    root: &Element,
    selector: &str,
    attributes: &str,
    mark: &JsValue,
    on_batch: impl FnMut(Array, bool) + 'static,
) -> Option<Watch> {
    let on_batch = Closure::<dyn FnMut(Array, bool)>::new(on_batch);
    let observer = discovery()?.watch(
        root,
        selector,
        attributes,
        mark,
        on_batch.as_ref().unchecked_ref(),
    );
    Some(Watch {
        observer,
        _on_batch: on_batch,
    })
}

/// The Kommo config tags `tags` as they are now, in one string (core::kommo::snapshot).
pub fn read(tags: &Array) -> String {
    discovery().map(|d| d.read(tags)).unwrap_or_default()
}
