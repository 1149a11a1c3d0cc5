//! Where a button's settings come from: a tag's attributes, or (npm API) an options object.
//! Both are read again at click time, since integrators change them after render.

use crate::js;
use kommo_oauth_core::kommo::config::Provider;
use kommo_oauth_core::kommo::parse::{has_settings, parse, Parsed};
use kommo_oauth_core::kommo::trust::{Author, Context};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlScriptElement};

/// The selectors matching a config tag, and an amoCRM one.
pub const TAG_SELECTOR: &str = ".kommo_oauth,.amocrm_oauth";
const AMOCRM_SELECTOR: &str = ".amocrm_oauth";

/// Where a button's settings come from, and the listeners that come with them: a config
/// tag ([`Tag`], the drop-in) or an options object (`api::Options`, the npm package). A
/// [`Button`](crate::kommo::button::Button) is generic over it, so each artifact links only its own.
pub trait Settings: 'static {
    /// Kommo or amoCRM.
    fn provider(&self) -> Provider;

    /// Who wrote these settings (see `core::trust`).
    fn author(&self) -> Author;

    /// The settings as `(attribute, value)` pairs: options keys are mapped to their
    /// attribute names, so one parser serves both sources.
    fn snapshot(&self) -> Vec<(String, String)>;

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
        let mut parsed = parse(
            self.provider(),
            &self.snapshot()[..],
            &context(self.author()),
        );
        for d in &mut parsed.diagnostics.0 {
            d.message = self.reword(core::mem::take(&mut d.message));
        }
        parsed
    }

    /// Reads and validates the settings, or `None` when none of ours is present (class-only
    /// elements are skipped quietly). One read of the source serves both questions.
    fn parse_if_present(&self) -> Option<Parsed> {
        let snapshot = self.snapshot();
        has_settings(&snapshot[..])
            .then(|| parse(self.provider(), &snapshot[..], &context(self.author())))
    }
}

/// Who wrote the settings, on which page (see `core::trust`).
fn context(author: Author) -> Context {
    let mut context = Context::new(author, &js::own_origin());
    crate::loader::with(|loader| {
        context.allowed_client_ids = loader.client_ids.clone();
        context.allowed_callbacks = loader.callbacks.clone();
    });
    context
}

/// A config element on the page: a `<script class="kommo_oauth" data-…>` tag, or (from
/// markup) any element with the class.
pub struct Tag(pub Element);

impl Settings for Tag {
    fn provider(&self) -> Provider {
        if self.0.matches(AMOCRM_SELECTOR).unwrap_or(false) {
            Provider::AmoCrm
        } else {
            Provider::Kommo
        }
    }

    fn author(&self) -> Author {
        // `instanceof`: an HTML <script> (never an SVG one), and not a property a form
        // control could shadow.
        if self.0.is_instance_of::<HtmlScriptElement>() {
            Author::ScriptTag
        } else {
            Author::Markup
        }
    }

    fn snapshot(&self) -> Vec<(String, String)> {
        tag_snapshot(&self.0)
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
