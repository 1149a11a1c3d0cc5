//! Where a button's settings come from: a tag's attributes, or (npm API) an options object.
//! Both are read again at click time, since integrators change them after render.

use js_sys::Array;
use kommo_oauth_core::kommo::parse::{has_settings, parse, Parsed};
use kommo_oauth_core::kommo::snapshot::{decode, Snapshot};
use kommo_oauth_core::kommo::trust::Context;
use web_sys::Element;

/// The selectors matching a config tag.
pub const TAG_SELECTOR: &str = ".kommo_oauth,.amocrm_oauth";

/// Where a button's settings come from, and the listeners that come with them: a config
/// tag ([`Tag`], the drop-in) or an options object (`api::Options`, the npm package). A
/// [`Button`](crate::kommo::button::Button) is generic over it, so each artifact links only its own.
pub trait Settings: 'static {
    /// The settings as they are now, with who wrote them on which page. Options keys are
    /// mapped to their attribute names, so one parser serves both sources.
    fn read(&self) -> Snapshot;

    /// A diagnostic as this source's author should read it (options name their keys).
    fn reword(&self, message: String) -> String {
        message
    }

    /// A function given directly in the options (`onError`, `onSuccess`).
    fn function(&self, _key: &str) -> Option<js_sys::Function> {
        None
    }

    /// Settles what waits on the current attempt (the npm API's `signIn()` promises)
    /// before any integrator code runs.
    fn settle(&self, _succeeded: bool, _payload: &wasm_bindgen::JsValue) {}

    /// The current attempt ended without a result of its own (another sign-in took over its
    /// popup, or the button went away): what waits on it is told so.
    fn cancel(&self) {}

    /// Reads and validates the settings as they are now.
    fn parse(&self) -> Parsed {
        let mut parsed = validate(&self.read());
        for d in &mut parsed.diagnostics.0 {
            d.message = self.reword(core::mem::take(&mut d.message));
        }
        parsed
    }
}

/// Validates a snapshot, as far as its author may reach on its page (see `core::trust`).
pub fn validate(snapshot: &Snapshot) -> Parsed {
    crate::loader::with(|loader| {
        let mut context = Context::new(snapshot.author, &snapshot.page);
        context.allowed_client_ids = loader.client_ids.as_deref();
        context.allowed_callbacks = loader.callbacks.as_deref();
        parse(snapshot.provider, &snapshot.pairs[..], &context)
    })
}

/// Validates a snapshot, or `None` when none of ours is present (class-only elements are
/// skipped quietly).
pub fn validate_if_present(snapshot: &Snapshot) -> Option<Parsed> {
    has_settings(&snapshot.pairs[..]).then(|| validate(snapshot))
}

/// A config element on the page: a `<script class="kommo_oauth" data-…>` tag, or (from
/// markup) any element with the class.
pub struct Tag(pub Element);

impl Settings for Tag {
    fn read(&self) -> Snapshot {
        let one = Array::new();
        one.push(&self.0);
        read_tags(&one).pop().unwrap_or_default()
    }
}

/// Snapshots of config tags as they are now, read in one call (crates/web/js/discover.js).
pub fn read_tags(tags: &Array) -> Vec<Snapshot> {
    decode(&crate::discover::read(tags)).unwrap_or_default()
}
