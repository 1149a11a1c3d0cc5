//! Finding the elements a drop-in takes over, on the page now and as they appear (parser,
//! framework, `innerHTML`): the Kommo drop-in's config tags and the LeadExec drop-in's
//! buttons alike. Linear in what changed: each batch of mutations is looked at once, and only
//! the subtrees it added and the elements whose watched attributes changed are searched.

use crate::js;
use js_sys::Array;
use wasm_bindgen::JsCast;
use web_sys::{Element, MutationRecord};

/// `root` and every element of its subtree matching `selector`, in document order (through
/// `Element.prototype`, which a `<form>`'s named controls cannot shadow).
pub fn within(root: &Element, selector: &str, mut found: impl FnMut(Element)) {
    if js::matches(root, selector) {
        found(root.clone());
    }
    let Some(list) = js::select_all(root, selector) else {
        return;
    };
    for i in 0..list.length() {
        if let Some(element) = list.item(i).and_then(|n| js::cast::<Element>(n.into())) {
            found(element);
        }
    }
}

/// One batch of mutation records, sorted by what happened.
#[derive(Default)]
pub struct Batch {
    /// The roots of the subtrees added (one added and removed again is left out).
    pub added: Vec<Element>,
    /// The elements whose watched attributes changed.
    pub changed: Vec<Element>,
    /// The roots of the subtrees removed.
    pub removed: Vec<Element>,
}

/// Watches `root`'s subtree (the added and removed elements, and changes of the
/// `attributes` named) until the returned observer is dropped. `None` when the browser
/// refuses.
pub fn watch<'a>(
    root: &Element,
    attributes: impl Iterator<Item = &'a str>,
    on_batch: impl Fn(Batch) + 'static,
) -> Option<js::Observer> {
    js::observe_subtree(root, attributes, move |records: Array| {
        on_batch(sort(&records))
    })
}

fn sort(records: &Array) -> Batch {
    let mut batch = Batch::default();
    let elements = |list: web_sys::NodeList, into: &mut Vec<Element>| {
        for i in 0..list.length() {
            if let Some(element) = list.item(i).and_then(|n| js::cast::<Element>(n.into())) {
                into.push(element);
            }
        }
    };
    for record in records.iter() {
        let record: MutationRecord = record.unchecked_into();
        if record.type_() == "attributes" {
            if let Some(element) = record.target().and_then(|t| js::cast::<Element>(t.into())) {
                batch.changed.push(element);
            }
            continue;
        }
        elements(record.removed_nodes(), &mut batch.removed);
        elements(record.added_nodes(), &mut batch.added);
    }
    batch.added.retain(|element| element.is_connected());
    batch
}
