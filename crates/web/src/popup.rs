//! The sign-in window: one abstraction for the Kommo consent popup and the LeadExec dialog
//! (docs/security.md, "Other frames on the page"). A window is
//! - opened under an unguessable name (a prefix and 128 random bits), so no frame on the
//!   page can hold a window of that name or look the popup up with `window.open('', name)`;
//! - used only when it is a fresh top-level window whose opener is this page;
//! - heard only through a message whose source is that window, unless another window has
//!   become its opener ([`sent_by`]).
//!
//! One sign-in window per page and bundle: opening one closes the one this bundle opened
//! before it, and the attempt of the latest window is the one current attempt
//! ([`is_latest`]): `crate::attempt` asks this alone, for both products.

use crate::{js, state};
use kommo_oauth_core::popup::{features, window_name, WindowRect};
use std::cell::RefCell;
use web_sys::{MessageEvent, Window};

thread_local! {
    /// The page's latest sign-in window.
    static LATEST: RefCell<Option<Window>> = const { RefCell::new(None) };
}

/// The features of a sign-in window: its size, centred over the browser window.
pub fn centred() -> String {
    features(window_rect(&js::window()))
}

/// Where the browser window is, for centring the popup over it.
fn window_rect(win: &Window) -> WindowRect {
    // Read as properties: the typed getters are four more imports for the same numbers.
    let num = |key| js::get(win, key).as_f64().unwrap_or(0.0);
    WindowRect {
        x: num("screenX"),
        y: num("screenY"),
        width: num("outerWidth"),
        height: num("outerHeight"),
    }
}

/// Why no sign-in window opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The browser blocked it (`window.open` returned `null`).
    Blocked,
    /// No secure random numbers for its name.
    NoCrypto,
}

/// Opens `url` in a new window named `prefix` and 128 random bits, synchronously (call it
/// directly inside the click handler), then closes the previous sign-in window this bundle
/// opened (the Kommo drop-in, the LeadExec drop-in and the npm package each keep their own).
/// A window that is not a fresh top-level one opened by this page counts as blocked: it is
/// never used for consent.
pub fn open(url: &str, prefix: &str) -> Result<Window, Refused> {
    let name = window_name(prefix, &state::random().ok_or(Refused::NoCrypto)?);
    let popup = js::window()
        .open_with_url_and_target_and_features(url, &name, &centred())
        .ok()
        .flatten()
        .filter(|popup| opened_by_this_page(popup) && is_top_level(popup))
        .ok_or(Refused::Blocked)?;
    let _ = popup.focus();
    // Only now that the new window is open: a blocked click leaves the earlier one alone.
    if let Some(previous) = LATEST.with(|latest| latest.borrow_mut().replace(popup.clone())) {
        let _ = previous.close();
    }
    Ok(popup)
}

/// Whether `popup` is the latest sign-in window this bundle opened: its attempt is the page's
/// current one; any other attempt is over (its window was closed when the latest opened).
pub fn is_latest(popup: &Window) -> bool {
    LATEST.with(|latest| {
        latest
            .borrow()
            .as_ref()
            .is_some_and(|latest| js::same(latest, popup))
    })
}

/// Whether this page is `popup`'s opener (readable across origins).
fn opened_by_this_page(popup: &Window) -> bool {
    popup
        .opener()
        .is_ok_and(|opener| js::same(&opener, &js::window()))
}

/// Whether `event` was sent by `popup` while this page is still its opener (a window that
/// took it over as its opener speaks for it no more; one that posted its answer and closed
/// itself has no opener, and still counts). Nothing of the event's data is read here.
pub fn sent_by(popup: &Window, event: &MessageEvent) -> bool {
    let elsewhere = || {
        popup
            .opener()
            .is_ok_and(|opener| opener.is_object() && !js::same(&opener, &js::window()))
    };
    event
        .source()
        .is_some_and(|source| js::same(&source, popup))
        && !elsewhere()
}

/// Whether `popup` is a top-level window (its `parent` is itself), not a frame.
fn is_top_level(popup: &Window) -> bool {
    js::same(&js::get(popup, "parent"), popup)
}

/// A sign-in window's `closed` flag; a handle that cannot be read counts as closed.
pub fn is_closed(popup: &Window) -> bool {
    popup.closed().unwrap_or(true)
}
