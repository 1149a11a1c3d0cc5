//! One mounted button. It owns its element (removed on drop), its click listener and its
//! current sign-in attempt. Closures hold only a weak reference back, so dropping the
//! `Button` releases everything.

use crate::attempt::{open_popup, Attempt, AttemptEvent};
use crate::popup::Refused;
use crate::report::{self, ERROR_EVENT, SUCCESS_EVENT};
use crate::source::Settings;
use crate::{console, js, state};
use core::cell::RefCell;
use gloo_events::EventListener;
use kommo_oauth_core::auth_url::authorization_url;
use kommo_oauth_core::config::{ButtonConfig, Fallback, Mode};
use kommo_oauth_core::diag::Diagnostics;
use kommo_oauth_core::flow::{
    after_poll, on_message, AfterPoll, Expected, Failure, Outcome, Reason,
};
use kommo_oauth_core::protocol::{is_navigable, CallbackResult};
use kommo_oauth_core::settings::Setting;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsValue;
use web_sys::HtmlButtonElement;

/// A mounted button; dropping it removes the element and every listener.
#[must_use = "dropping a Button removes it from the page"]
pub struct Button<S: Settings>(Rc<Inner<S>>);

struct Inner<S: Settings> {
    element: HtmlButtonElement,
    settings: S,
    attempt: RefCell<Option<Attempt>>,
    click: RefCell<Option<EventListener>>,
    /// Diagnostics already printed, so a click does not repeat them.
    logged: RefCell<Vec<String>>,
}

impl<S: Settings> Drop for Inner<S> {
    fn drop(&mut self) {
        self.element.remove();
    }
}

impl<S: Settings> Button<S> {
    /// Renders the button for `config` (read from `settings`) and wires its click.
    /// The caller inserts [`Button::element`] into the page.
    pub fn new(
        settings: S,
        config: &ButtonConfig,
        diagnostics: &Diagnostics,
    ) -> Result<Button<S>, JsValue> {
        let document = js::document();
        crate::style::install(&document);
        let element = crate::render::render(&document, config)?;
        let inner = Rc::new(Inner {
            element,
            settings,
            attempt: RefCell::new(None),
            click: RefCell::new(None),
            logged: RefCell::new(diagnostics.0.iter().map(|d| d.message.clone()).collect()),
        });
        let weak = Rc::downgrade(&inner);
        let click = EventListener::new(inner.element.as_ref(), "click", move |_| {
            if let Some(inner) = weak.upgrade() {
                sign_in(&inner);
            }
        });
        *inner.click.borrow_mut() = Some(click);
        Ok(Button(inner))
    }

    pub fn element(&self) -> &HtmlButtonElement {
        &self.0.element
    }

    /// Where its settings come from.
    pub fn settings(&self) -> &S {
        &self.0.settings
    }

    /// Starts signing in, as a click does (call it from a user gesture).
    pub fn click(&self) {
        sign_in(&self.0);
    }
}

/// The click: focus the open popup, or open a new one synchronously.
fn sign_in<S: Settings>(inner: &Rc<Inner<S>>) {
    if let Some(attempt) = inner.attempt.borrow().as_ref() {
        if attempt.is_open() && attempt.is_current() {
            attempt.focus();
            return;
        }
    }
    drop(inner.attempt.borrow_mut().take());
    let Some(config) = inner.current_config() else {
        finish(
            inner,
            Outcome::Fail(Failure::own(Reason::InvalidConfig, None)),
        );
        return;
    };
    let client_id = config.identity.client_id().map(String::from);
    let (Some(state), Some(id)) = (config.state.clone().or_else(state::random), state::random())
    else {
        return no_crypto(inner, client_id);
    };
    // The record goes with the popup alone: the popup's sessionStorage starts as a copy of
    // this tab's at window.open, and this tab's is removed right after (crate::state).
    state::remember(&state, &id);
    let page = js::own_origin();
    let url = authorization_url(&config, &state, config.mode.keyword(), &page);
    let opened = open_popup(&url);
    state::forget(&state);
    let popup = match opened {
        Ok(popup) => popup,
        Err(Refused::Blocked) => return blocked(inner, &config, &state, &id, &page),
        Err(Refused::NoCrypto) => return no_crypto(inner, client_id),
    };
    let expected = Expected {
        mode: config.mode,
        client_id,
        state,
    };
    let weak: Weak<Inner<S>> = Rc::downgrade(inner);
    let attempt = Attempt::start(popup, id, expected, config.auth_origin, move |event| {
        if let Some(inner) = weak.upgrade() {
            on_event(&inner, event);
        }
    });
    *inner.attempt.borrow_mut() = Some(attempt);
}

/// No secure random numbers: no sign-in starts.
fn no_crypto<S: Settings>(inner: &Rc<Inner<S>>, client_id: Option<String>) {
    console::error(&[Reason::CryptoUnavailable.describe()], None);
    finish(
        inner,
        Outcome::Fail(Failure::own(Reason::CryptoUnavailable, client_id)),
    );
}

/// The popup was blocked: continue in this tab when the integrator opted in, else report.
fn blocked<S: Settings>(
    inner: &Rc<Inner<S>>,
    config: &ButtonConfig,
    state: &str,
    id: &str,
    page: &str,
) {
    if config.fallback == Fallback::SameTab {
        // This tab goes to the Redirect URI itself: its helper reads the record here.
        state::remember(state, id);
        let url = authorization_url(config, state, Mode::PostMessage.keyword(), page);
        let _ = js::window().location().assign(&url);
        return;
    }
    // Named as this button's settings are written: data-fallback on a tag, fallback in options.
    let hint = inner.settings.reword(String::from(
        "the browser blocked the sign-in popup; set data-fallback=\"same-tab\" to continue in this tab instead.",
    ));
    console::error(&[&hint], None);
    let client_id = config.identity.client_id().map(String::from);
    finish(
        inner,
        Outcome::Fail(Failure::own(Reason::PopupBlocked, client_id)),
    );
}

fn on_event<S: Settings>(inner: &Rc<Inner<S>>, event: AttemptEvent) {
    let Some(current) = inner.attempt.borrow().as_ref().map(Attempt::is_current) else {
        return;
    };
    if !current {
        // Another button's click closed this attempt's popup and opened its own: this
        // attempt is over, and whatever reaches it now is not for it.
        drop(inner.attempt.borrow_mut().take());
        return inner.settings.cancel();
    }
    let outcome = match event {
        AttemptEvent::Message(message) => {
            let attempt = inner.attempt.borrow();
            let Some(attempt) = attempt.as_ref() else {
                return;
            };
            on_message(&attempt.expected, message)
        }
        AttemptEvent::Poll(poll) => {
            // The Kommo helper relays over the attempt's channel: closed, by the visitor or by
            // COOP, the attempt keeps listening either way (core::flow::after_poll).
            let step = after_poll(poll, true);
            if step == AfterPoll::Wait {
                return;
            }
            let client_id = {
                let mut attempt = inner.attempt.borrow_mut();
                let Some(attempt) = attempt.as_mut() else {
                    return;
                };
                attempt.linger();
                attempt.expected.client_id.clone()
            };
            if step == AfterPoll::ReportClosedAndLinger {
                finish(
                    inner,
                    Outcome::Fail(Failure::own(Reason::PopupClosed, client_id)),
                );
            }
            return;
        }
        AttemptEvent::Expired => return drop(inner.attempt.borrow_mut().take()),
    };
    if outcome == Outcome::Ignore {
        return;
    }
    let attempt = inner.attempt.borrow_mut().take();
    if let Some(attempt) = &attempt {
        attempt.close_popup();
    }
    finish_attempt(inner, outcome, attempt.as_ref());
}

/// Carries out a final outcome: promises, events, callbacks, navigation.
fn finish<S: Settings>(inner: &Rc<Inner<S>>, outcome: Outcome) {
    finish_attempt(inner, outcome, None);
}

/// [`finish`], for the outcome of `attempt`: when this window goes to the Redirect URI, the
/// record its helper reads is written here, after every listener let it go and just before.
fn finish_attempt<S: Settings>(inner: &Rc<Inner<S>>, outcome: Outcome, attempt: Option<&Attempt>) {
    match outcome {
        Outcome::Ignore => {}
        Outcome::Navigate(url) => {
            let query = kommo_oauth_core::protocol::query_of(&url);
            let result = CallbackResult::from_query(&url, query);
            if succeed(inner, &result, true) && is_navigable(&url) {
                if let Some(attempt) = attempt {
                    state::remember(&attempt.expected.state, &attempt.id);
                }
                let _ = js::window().location().assign(&url);
            }
        }
        Outcome::Loaded(result) => {
            if succeed(inner, &result, true) {
                let _ = js::window().location().reload();
            }
        }
        Outcome::Success(result) => {
            succeed(inner, &result, false);
        }
        Outcome::Fail(failure) => fail(inner, &failure),
    }
}

/// One kind of result, and every place the integrator may listen for it.
struct Route {
    event: &'static str,
    option: &'static str,
    setting: Setting,
    /// Whether what waits on the attempt (`signIn()` promises) resolves or rejects.
    succeeded: bool,
}

const SUCCESS: Route = Route {
    event: SUCCESS_EVENT,
    option: "onSuccess",
    setting: Setting::SuccessCallback,
    succeeded: true,
};
const ERROR: Route = Route {
    event: ERROR_EVENT,
    option: "onError",
    setting: Setting::ErrorCallback,
    succeeded: false,
};

/// Tells the integrator by pending `signIn()` promises (settled first, so integrator code
/// that signs in again gets a new promise), the DOM event, the options function and the
/// named global callback; returns false when a listener cancelled the event.
fn deliver<S: Settings>(
    inner: &Inner<S>,
    route: &Route,
    payload: &JsValue,
    cancelable: bool,
) -> bool {
    inner.settings.settle(route.succeeded, payload);
    let proceed = report::dispatch(&inner.element, route.event, payload, cancelable);
    if let Some(f) = inner.settings.function(route.option) {
        report::call(&f, &JsValue::NULL, payload);
    }
    if let Some(name) = inner.callback_name(route.setting) {
        report::call_named(route.setting.attribute(), &name, payload);
    }
    proceed
}

/// Reports success; returns false when an event listener cancelled the navigation.
fn succeed<S: Settings>(inner: &Inner<S>, result: &CallbackResult, navigating: bool) -> bool {
    deliver(inner, &SUCCESS, &report::object(result), navigating)
}

/// Reports an error with a fresh object: the provider's own fields for its errors (exactly
/// `{client_id, error}` on a decline, as the original), ours described.
fn fail<S: Settings>(inner: &Inner<S>, failure: &Failure) {
    let payload = report::error_object(
        failure.client_id.as_deref(),
        failure.code.as_str(),
        failure.description.as_deref(),
    );
    deliver(inner, &ERROR, &payload, false);
}

impl<S: Settings> Inner<S> {
    /// The settings as they are now (integrators change them after render); new
    /// diagnostics are printed once.
    fn current_config(&self) -> Option<ButtonConfig> {
        let parsed = self.settings.parse();
        let mut logged = self.logged.borrow_mut();
        for d in parsed.diagnostics.0 {
            if !logged.contains(&d.message) {
                console::report(&d);
                logged.push(d.message);
            }
        }
        parsed.config
    }

    fn callback_name(&self, setting: Setting) -> Option<String> {
        let config = self.current_config()?;
        match setting {
            Setting::SuccessCallback => config.success_callback,
            _ => config.error_callback,
        }
    }
}
