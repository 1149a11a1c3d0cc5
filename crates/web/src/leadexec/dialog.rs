//! The dialog: one attempt per click (focus the open dialog, or open one synchronously),
//! watched through `popup::Watch` and decided by `core::flow` and `core::leadexec`, ending in
//! exactly one result for `AuthorizeResult(result)` and the `leadexec:result` event.

use super::discover::Enhanced;
use super::{grants, service};
use crate::js::{self, JsFields};
use crate::popup::{self, Refused, Watch};
use crate::report::{self, Unresolved};
use crate::{console, state};
use kommo_oauth_core::flow::{after_poll, AfterPoll, Reason};
use kommo_oauth_core::leadexec::{dialog_message, dialog_url, AuthorizeResult, WINDOW_NAME_PREFIX};
use std::rc::Rc;
use web_sys::{HtmlElement, Window};

/// The integrator's global callback, as documented.
const CALLBACK: &str = "AuthorizeResult";
/// Also dispatched on the button (bubbling), with the result as `detail`.
pub const RESULT_EVENT: &str = "leadexec:result";

/// An open dialog: its window, and the [`Watch`] on it (message listener, closed poll).
pub(super) struct Attempt {
    popup: Window,
    _watch: Watch,
}

/// The click: focus the open dialog, or open one synchronously.
pub(super) fn sign_in(enhanced: &Rc<Enhanced>) {
    if let Some(attempt) = enhanced.attempt.borrow().as_ref() {
        if !popup::is_closed(&attempt.popup) {
            let _ = attempt.popup.focus();
            return;
        }
    }
    enhanced.touched.set(true);
    let Some(state) = state::random() else {
        return finish(
            enhanced,
            AuthorizeResult::failed(Reason::CryptoUnavailable.code()),
        );
    };
    let service = service();
    let url = dialog_url(&service, &enhanced.button_id, &js::own_origin(), &state);
    let popup = match popup::open(&url, WINDOW_NAME_PREFIX) {
        Ok(popup) => popup,
        Err(Refused::NoCrypto) => {
            return finish(
                enhanced,
                AuthorizeResult::failed(Reason::CryptoUnavailable.code()),
            )
        }
        Err(Refused::Blocked) => {
            console::error(&["the browser blocked the LeadExec sign-in dialog."], None);
            return finish(
                enhanced,
                AuthorizeResult::failed(Reason::PopupBlocked.code()),
            );
        }
    };
    let _ = enhanced.element.set_attribute("aria-busy", "true");
    let (on_message, on_tick) = (Rc::downgrade(enhanced), Rc::downgrade(enhanced));
    let watch = Watch::start(
        &popup,
        vec![service],
        move |_, data| {
            let Some(enhanced) = on_message.upgrade().filter(is_current) else {
                return;
            };
            // `valid` is a boolean, read as an own data property like every other field.
            let valid = js::own(data, "valid").as_bool();
            if let Some(result) = dialog_message(&JsFields(data), valid, &state) {
                finish(&enhanced, result);
            }
        },
        move |poll| {
            let Some(enhanced) = on_tick.upgrade().filter(is_current) else {
                return;
            };
            // No channel here: a cut handle is a closed dialog, decided as one.
            if after_poll(poll, false) == AfterPoll::ReportClosed {
                finish(
                    &enhanced,
                    AuthorizeResult::failed(Reason::PopupClosed.code()),
                );
            }
        },
    );
    *enhanced.attempt.borrow_mut() = Some(Attempt {
        popup,
        _watch: watch,
    });
}

/// Whether `enhanced` holds the page's current attempt (`popup::is_latest`). One that does
/// not is over (a later click opened another window, and closed its dialog): it ends here,
/// without a report.
fn is_current(enhanced: &Rc<Enhanced>) -> bool {
    let current = enhanced
        .attempt
        .borrow()
        .as_ref()
        .is_some_and(|attempt| popup::is_latest(&attempt.popup));
    if !current && enhanced.attempt.borrow_mut().take().is_some() {
        let _ = enhanced.element.remove_attribute("aria-busy");
    }
    current
}

/// Ends the attempt (closing the dialog), remembers a grant, and tells the integrator.
fn finish(enhanced: &Rc<Enhanced>, result: AuthorizeResult) {
    if let Some(attempt) = enhanced.attempt.borrow_mut().take() {
        let _ = attempt.popup.close();
    }
    let _ = enhanced.element.remove_attribute("aria-busy");
    if let (true, Some(app), Some(token)) = (result.valid, &result.app_id, &result.refresh_token) {
        grants::keep(&enhanced.button_id, app, token);
    }
    deliver(&enhanced.element, &result);
}

/// `AuthorizeResult(result)` (the documented global, resolved as the Kommo button resolves
/// callbacks: own data properties only, never a built-in) and the `leadexec:result` event.
pub(super) fn deliver(element: &HtmlElement, result: &AuthorizeResult) {
    let payload = report::serialized(result);
    report::dispatch(element, RESULT_EVENT, &payload, false);
    match report::resolve(CALLBACK) {
        Ok((function, this)) => report::call(&function, &this, &payload),
        Err(Unresolved::BuiltIn) => console::error(
            &["AuthorizeResult is a browser built-in or a bound function, which is never called: define it as a function of yours."],
            None,
        ),
        Err(Unresolved::Missing) => console::error(
            &["define a global function AuthorizeResult(result) to receive the LeadExec sign-in result."],
            None,
        ),
    }
}
