//! The LeadExec drop-in (`le-app-button.js`): it enhances the integrator's own
//! `<button class="le-app-button" data-btnId="…">` elements, on the page now and added later.
//! A click opens LeadExec's authorization dialog in a popup; its answer (origin- and
//! source-checked, with this attempt's state) goes to the integrator's global
//! `AuthorizeResult(result)`. A returning visitor is signed in on render, without a window:
//! the grant remembered for the button is refreshed through the token API.
//!
//! One module per job: finding and marking the buttons (`discover`), the dialog and its one
//! result (`dialog`), the grants remembered for returning visitors (`grants`), and the token
//! API (`token`); this file holds the service origin they all use.

mod dialog;
mod discover;
mod grants;
mod token;

pub use dialog::RESULT_EVENT;
pub use discover::{enhance_all, ALLOW_LIST};
pub use token::{disconnect, refresh};

use crate::{console, js, loader};
use kommo_oauth_core::leadexec::service_origin;

/// The dialog's and token API's origin (`crate::loader`).
fn service() -> String {
    loader::with(loader::Loader::service)
}

/// Sets the service origin from code (the npm package): any https origin, or loopback on a
/// loopback page; anything else keeps LeadExec's host, with a console error.
pub fn set_origin(origin: &str) {
    let chosen = service_origin(Some(origin), "", &js::own_origin());
    if kommo_oauth_core::origin::normalize_origin(origin).as_deref() != Some(chosen.as_str()) {
        console::error(
            &[
                "setOrigin(\"",
                origin,
                "\"): not an https origin (http only on loopback pages); using ",
                &chosen,
                ".",
            ],
            None,
        );
    }
    loader::update(|loader| loader.service = Some(chosen));
}
