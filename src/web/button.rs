//! One mounted button. It owns its element (removed on drop), its click listener and its
//! current sign-in attempt. Closures hold only a weak reference back, so dropping the
//! `Button` releases everything.

use super::attempt::{open_popup, Attempt, AttemptEvent};
use super::listen::EventListener;
use super::report::{self, ERROR_EVENT, SUCCESS_EVENT};
use super::source::Settings;
use super::{console, js, state};
use crate::core::auth_url::authorization_url;
use crate::core::config::{ButtonConfig, Fallback, Mode};
use crate::core::diag::Diagnostics;
use crate::core::flow::{codes, on_message, Expected, Failure, Outcome, Poll};
use crate::core::protocol::{is_navigable, CallbackResult, CALLBACK_FIELDS};
use crate::core::settings::Setting;
use crate::prelude::*;
use alloc::rc::{Rc, Weak};
use core::cell::RefCell;
#[cfg(feature = "api")]
use js_sys::Function;
use wasm_bindgen::JsValue;
use web_sys::HtmlButtonElement;

/// A mounted button; dropping it removes the element and every listener.
#[must_use = "dropping a Button removes it from the page"]
pub struct Button(Rc<Inner>);

struct Inner {
    element: HtmlButtonElement,
    settings: Settings,
    attempt: RefCell<Option<Attempt>>,
    click: RefCell<Option<EventListener>>,
    /// Promises from `signIn()` waiting for the current attempt: (resolve, reject). Only
    /// the npm API has `signIn()`; the drop-in leaves this out.
    #[cfg(feature = "api")]
    pending: RefCell<Vec<(Function, Function)>>,
    /// Diagnostics already printed, so a click does not repeat them.
    logged: RefCell<Vec<String>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.element.remove();
        #[cfg(feature = "api")]
        self.reject_pending();
    }
}

impl Inner {
    #[cfg(feature = "api")]
    fn reject_pending(&self) {
        let payload = report::error_object(
            None,
            codes::CANCELLED,
            Some(codes::describe(codes::CANCELLED)),
        );
        let error = report::rejection(&payload);
        for (_, reject) in self.pending.take() {
            let _ = reject.call1(&JsValue::NULL, &error);
        }
    }
}

impl Button {
    /// Renders the button for `config` (read from `settings`) and wires its click.
    /// The caller inserts [`Button::element`] into the page.
    pub fn new(
        settings: Settings,
        config: &ButtonConfig,
        diagnostics: &Diagnostics,
    ) -> Result<Button, JsValue> {
        let document = js::document();
        super::style::install(&document);
        let element = super::render::render(&document, config)?;
        let inner = Rc::new(Inner {
            element,
            settings,
            attempt: RefCell::new(None),
            click: RefCell::new(None),
            #[cfg(feature = "api")]
            pending: RefCell::new(Vec::new()),
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

    /// Starts signing in (as a click does); the promise settles with the result.
    #[cfg(feature = "api")]
    pub fn sign_in(&self) -> js_sys::Promise {
        let inner = self.0.clone();
        js_sys::Promise::new(&mut |resolve, reject| {
            inner.pending.borrow_mut().push((resolve, reject));
            sign_in(&inner);
        })
    }
}

/// The click: focus the open popup, or open a new one synchronously.
fn sign_in(inner: &Rc<Inner>) {
    if let Some(attempt) = inner.attempt.borrow().as_ref() {
        if attempt.is_open() {
            attempt.focus();
            return;
        }
    }
    drop(inner.attempt.borrow_mut().take());
    let Some(config) = inner.current_config() else {
        return finish(
            inner,
            Outcome::Fail(Failure::own(codes::INVALID_CONFIG, None)),
        );
    };
    let client_id = config.identity.client_id().map(String::from);
    let Some(state) = config.state.clone().or_else(state::random) else {
        console::error(&[codes::describe(codes::CRYPTO_UNAVAILABLE)], None);
        return finish(
            inner,
            Outcome::Fail(Failure::own(codes::CRYPTO_UNAVAILABLE, client_id)),
        );
    };
    // Before window.open: the popup's sessionStorage starts as a copy of this tab's.
    state::remember(&state);
    let page = js::window().location().href().unwrap_or_default();
    let url = authorization_url(&config, &state, config.mode.keyword(), &page);
    let Some(popup) = open_popup(&url) else {
        return blocked(inner, &config, &state, &page);
    };
    let expected = Expected {
        mode: config.mode,
        client_id,
        state,
    };
    let weak: Weak<Inner> = Rc::downgrade(inner);
    let attempt = Attempt::start(popup, expected, config.auth_origin, move |event| {
        if let Some(inner) = weak.upgrade() {
            on_event(&inner, event);
        }
    });
    *inner.attempt.borrow_mut() = Some(attempt);
}

/// The popup was blocked: continue in this tab when the integrator opted in, else report.
fn blocked(inner: &Rc<Inner>, config: &ButtonConfig, state: &str, page: &str) {
    if config.fallback == Fallback::SameTab {
        let url = authorization_url(config, state, Mode::PostMessage.keyword(), page);
        let _ = js::window().location().assign(&url);
        return;
    }
    state::forget(state);
    console::error(&["the browser blocked the sign-in popup; set data-fallback=\"same-tab\" to continue in this tab instead."], None);
    let client_id = config.identity.client_id().map(String::from);
    finish(
        inner,
        Outcome::Fail(Failure::own(codes::POPUP_BLOCKED, client_id)),
    );
}

fn on_event(inner: &Rc<Inner>, event: AttemptEvent) {
    let outcome = match event {
        AttemptEvent::Message(message) => {
            let attempt = inner.attempt.borrow();
            let Some(attempt) = attempt.as_ref() else {
                return;
            };
            on_message(&attempt.expected, message)
        }
        AttemptEvent::Poll(Poll::Open) => return,
        AttemptEvent::Poll(poll) => {
            // Closed, by the visitor or by COOP: keep listening for the helper either way.
            let client_id = {
                let mut attempt = inner.attempt.borrow_mut();
                let Some(attempt) = attempt.as_mut() else {
                    return;
                };
                attempt.linger();
                attempt.expected.client_id.clone()
            };
            if poll == Poll::ClosedByUser {
                finish(
                    inner,
                    Outcome::Fail(Failure::own(codes::POPUP_CLOSED, client_id)),
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
    if let Some(mut attempt) = attempt {
        attempt.close_popup();
        if matches!(outcome, Outcome::Navigate(_)) {
            attempt.keep_state();
        }
    }
    finish(inner, outcome);
}

/// Carries out a final outcome: promises, events, callbacks, navigation.
fn finish(inner: &Rc<Inner>, outcome: Outcome) {
    match outcome {
        Outcome::Ignore => {}
        Outcome::Navigate(url) => {
            let query = url
                .split_once('?')
                .map(|(_, q)| q.split('#').next().unwrap_or_default())
                .unwrap_or_default();
            let result = CallbackResult::from_query(&url, query);
            if succeed(inner, &result, true) && is_navigable(&url) {
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
    /// Whether pending `signIn()` promises resolve (or reject); the drop-in has none.
    #[cfg_attr(not(feature = "api"), allow(dead_code))]
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
fn deliver(inner: &Inner, route: &Route, payload: &JsValue, cancelable: bool) -> bool {
    #[cfg(feature = "api")]
    {
        let pending = inner.pending.take();
        if !pending.is_empty() {
            // Promises reject with an `Error` (a stack, `instanceof Error`) carrying the fields.
            let value = if route.succeeded {
                payload.clone()
            } else {
                report::rejection(payload)
            };
            for (resolve, reject) in pending {
                let settle = if route.succeeded { resolve } else { reject };
                let _ = settle.call1(&JsValue::NULL, &value);
            }
        }
    }
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
fn succeed(inner: &Inner, result: &CallbackResult, navigating: bool) -> bool {
    let mut pairs: Vec<(&str, Option<&str>)> = CALLBACK_FIELDS
        .iter()
        .map(|k| (*k, result.field(k)))
        .collect();
    pairs.push(("url", Some(&result.url)));
    deliver(inner, &SUCCESS, &js::object(&pairs).into(), navigating)
}

/// Reports an error with a fresh object: the provider's own fields for its errors (exactly
/// `{client_id, error}` on a decline, as the original), ours described.
fn fail(inner: &Inner, failure: &Failure) {
    let description = match failure.from_provider {
        true => failure.description.as_deref(),
        false => Some(codes::describe(&failure.code)),
    };
    let payload = report::error_object(failure.client_id.as_deref(), &failure.code, description);
    deliver(inner, &ERROR, &payload, false);
}

impl Inner {
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
