//! What the page's loader tag (the drop-in's own `<script>`) and the npm package's setters say
//! for the whole page: one value, set when a drop-in starts (or from code) and read by every
//! button after.

use kommo_oauth_core::leadexec::DEFAULT_ORIGIN;
use std::cell::RefCell;

/// The page-wide configuration.
pub struct Loader {
    /// `data-allowed-client-ids`: the only client ids the page's Kommo tags may mount.
    pub client_ids: Option<String>,
    /// `data-allowed-callbacks`: the callback names Kommo markup (not only `<script>` tags)
    /// may use.
    pub callbacks: Option<String>,
    /// `data-allowed-btnids`: the only button ids the page's LeadExec buttons may enhance.
    pub button_ids: Option<String>,
    /// The origin of LeadExec's dialog and token API (`core::leadexec::service_origin`);
    /// `None` is LeadExec's own host.
    pub service: Option<String>,
}

impl Loader {
    /// LeadExec's service origin.
    pub fn service(&self) -> String {
        String::from(self.service.as_deref().unwrap_or(DEFAULT_ORIGIN))
    }
}

thread_local! {
    static LOADER: RefCell<Loader> = const {
        RefCell::new(Loader {
            client_ids: None,
            callbacks: None,
            button_ids: None,
            service: None,
        })
    };
}

/// Reads the page's configuration.
pub fn with<R>(read: impl FnOnce(&Loader) -> R) -> R {
    LOADER.with(|loader| read(&loader.borrow()))
}

/// Changes the page's configuration.
pub fn update(change: impl FnOnce(&mut Loader)) {
    LOADER.with(|loader| change(&mut loader.borrow_mut()));
}
