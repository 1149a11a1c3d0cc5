//! The dialog: one attempt per click (focus the open dialog, or open one synchronously), a
//! `crate::attempt` of `core::leadexec::Dialog`, ending in exactly one result for
//! `AuthorizeResult(result)` and the `leadexec:result` event.

use super::discover::Enhanced;
use super::{grants, service};
use crate::attempt::{Attempt, Refused, Report};
use crate::report::{self, Unresolved};
use crate::{console, js, state};
use kommo_oauth_core::attempt::Reason;
use kommo_oauth_core::leadexec::{dialog_url, AuthorizeResult, Dialog};
use std::rc::Rc;
use web_sys::HtmlElement;

/// The integrator's global callback, as documented.
const CALLBACK: &str = "AuthorizeResult";
/// Also dispatched on the button (bubbling), with the result as `detail`.
pub const RESULT_EVENT: &str = "leadexec:result";

/// The click: focus the open dialog, or open one synchronously.
pub(super) fn sign_in(enhanced: &Rc<Enhanced>) {
    if let Some(attempt) = enhanced.attempt.borrow().as_ref() {
        if attempt.focus_if_open() {
            return;
        }
    }
    drop(enhanced.attempt.borrow_mut().take());
    enhanced.touched.set(true);
    let Some(state) = state::random() else {
        return finish(enhanced, failed(Reason::CryptoUnavailable));
    };
    let service = service();
    let url = dialog_url(&service, &enhanced.button_id, &js::own_origin(), &state);
    let weak = Rc::downgrade(enhanced);
    let opened = Attempt::open(Dialog { service, state }, &url, move |report| {
        let Some(enhanced) = weak.upgrade() else {
            return;
        };
        match report {
            Report::Result(result) => finish(&enhanced, result),
            // A later click took the page (and closed this dialog): no report of its own.
            Report::Ended => {
                let _ = enhanced.element.remove_attribute("aria-busy");
            }
        }
    });
    match opened {
        Ok(attempt) => {
            let _ = enhanced.element.set_attribute("aria-busy", "true");
            *enhanced.attempt.borrow_mut() = Some(attempt);
        }
        Err(Refused::NoCrypto) => finish(enhanced, failed(Reason::CryptoUnavailable)),
        Err(Refused::Blocked) => {
            console::error(&["the browser blocked the LeadExec sign-in dialog."], None);
            finish(enhanced, failed(Reason::PopupBlocked));
        }
    }
}

fn failed(reason: Reason) -> AuthorizeResult {
    AuthorizeResult::failed(reason.code())
}

/// Remembers a grant, and tells the integrator.
fn finish(enhanced: &Rc<Enhanced>, result: AuthorizeResult) {
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
