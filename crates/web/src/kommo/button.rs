//! One mounted button. It owns its element (removed on drop), its place among the buttons
//! clicks are routed to (`clicks`) and its current sign-in attempt. Closures hold only a weak
//! reference back, so dropping the `Button` releases everything.

use crate::attempt::{Attempt, Refused, Report};
use crate::kommo::clicks::{self, Clickable};
use crate::kommo::source::Settings;
use crate::report::{self, ERROR_EVENT, SUCCESS_EVENT};
use crate::state;
use crate::{console, js};
use core::cell::{Cell, RefCell};
use kommo_oauth_core::attempt::Reason;
use kommo_oauth_core::diag::Diagnostics;
use kommo_oauth_core::kommo::auth_url::authorization_url;
use kommo_oauth_core::kommo::config::{ButtonConfig, Fallback, Mode};
use kommo_oauth_core::kommo::flow::{Expected, Failure, Kommo, Outcome};
use kommo_oauth_core::kommo::protocol::{is_navigable, CallbackResult};
use kommo_oauth_core::kommo::settings::Setting;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsValue;
use web_sys::{EventTarget, HtmlButtonElement};

/// A mounted button; dropping it removes the element and every listener.
#[must_use = "dropping a Button removes it from the page"]
pub struct Button<S: Settings>(Rc<Inner<S>>);

struct Inner<S: Settings> {
    element: HtmlButtonElement,
    settings: S,
    attempt: RefCell<Option<Attempt<Kommo>>>,
    /// Where its clicks are heard (`clicks`).
    heard: RefCell<Option<EventTarget>>,
    /// Diagnostics already printed, so a click does not repeat them.
    logged: RefCell<Vec<String>>,
}

impl<S: Settings> Drop for Inner<S> {
    fn drop(&mut self) {
        self.element.remove();
        if let Some(target) = self.heard.get_mut() {
            clicks::forget(target);
        }
    }
}

impl<S: Settings> Clickable for Inner<S> {
    fn element(&self) -> &HtmlButtonElement {
        &self.element
    }

    fn clicked(self: Rc<Self>) {
        sign_in(&self);
    }
}

impl<S: Settings> Button<S> {
    /// Renders the button for `config` (read from `settings`), puts it in its place with
    /// `insert`, and routes its clicks to it.
    pub fn new(
        settings: S,
        config: &ButtonConfig,
        diagnostics: &Diagnostics,
        insert: impl FnOnce(&HtmlButtonElement) -> Result<(), JsValue>,
    ) -> Result<Button<S>, JsValue> {
        let element = crate::kommo::render::render(config)?;
        let inner = Rc::new(Inner {
            element,
            settings,
            attempt: RefCell::new(None),
            heard: RefCell::new(None),
            logged: RefCell::new(diagnostics.0.iter().map(|d| d.message.clone()).collect()),
        });
        insert(&inner.element)?;
        let weak: Weak<dyn Clickable> = Rc::downgrade(&inner) as Weak<Inner<S>>;
        *inner.heard.borrow_mut() = Some(clicks::route(weak, &inner.element));
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

    /// Once the task that mounted this button is over, runs the click's preparation for it
    /// without opening anything (the click listener with an event that lands nowhere, its
    /// settings, a state, the consent page's URL, the window's features, the click's own
    /// function, which returns at once while `WARMING` is set) and loads `sessionStorage`:
    /// the engine compiles code on its first use, and the first click no longer waits for
    /// that (docs/size.md, "What the engine compiles, and when"). Each entry calls it once
    /// per page: the drop-in for a button it mounts while it has none, `mount()` for its
    /// first.
    pub fn warm_up(&self) {
        let first = Rc::downgrade(&self.0);
        gloo_timers::callback::Timeout::new(0, move || {
            if let Some(inner) = first.upgrade() {
                if let Some(config) = inner.current_config() {
                    let state = state::random().unwrap_or_default();
                    let _ = authorization_url(
                        &config,
                        &state,
                        config.mode.keyword(),
                        &js::own_origin(),
                    );
                }
                // The click's own function, which stops at once while `WARMING` is set: the
                // engine compiles all of a function on its first call. On a clone: should the
                // page have destroyed the button meanwhile, its last drop (which may run page
                // code) comes after the flag is down.
                WARMING.set(true);
                Rc::clone(&inner).clicked();
                WARMING.set(false);
            }
            let _ = crate::popup::centred();
            // An event that lands nowhere (made as `report::dispatch` makes its events).
            let init = web_sys::CustomEventInit::new();
            if let Ok(nowhere) = web_sys::CustomEvent::new_with_event_init_dict("click", &init) {
                clicks::on_click(&nowhere);
            }
            state::load_storage();
        })
        .forget();
    }
}

/// The click: focus the open popup, or open a new one synchronously (nested at most
/// `attempt::nested`'s depth inside another's reporting).
/// A sign-in not started tells what waits on it (`signIn()` promises) that it was cancelled.
fn sign_in<S: Settings>(inner: &Rc<Inner<S>>) {
    if !crate::attempt::nested(|| start(inner)) {
        inner.settings.cancel();
    }
}

thread_local! {
    /// Set while `Button::warm_up` runs a click, which then does nothing (and lowers it: a
    /// flag left up could swallow one click, never every one).
    static WARMING: Cell<bool> = const { Cell::new(false) };
}

fn start<S: Settings>(inner: &Rc<Inner<S>>) {
    if WARMING.replace(false) {
        return;
    }
    if let Some(attempt) = inner.attempt.borrow().as_ref() {
        if attempt.focus_if_open() {
            return;
        }
    }
    drop(inner.attempt.borrow_mut().take());
    let Some(config) = inner.current_config() else {
        return fail(inner, &Failure::own(Reason::InvalidConfig, None));
    };
    let client_id = config.identity.client_id().map(String::from);
    let Some(state) = config.state.clone().or_else(state::random) else {
        return no_crypto(inner, client_id);
    };
    let page = js::own_origin();
    let url = authorization_url(&config, &state, config.mode.keyword(), &page);
    let kommo = Kommo {
        expected: Expected {
            mode: config.mode,
            client_id: client_id.clone(),
            state: state.clone(),
        },
        provider_origin: config.auth_origin.clone(),
        own_origin: page.clone(),
    };
    let weak: Weak<Inner<S>> = Rc::downgrade(inner);
    let opened = Attempt::open(kommo, &url, move |report| {
        let Some(inner) = weak.upgrade() else {
            return;
        };
        match report {
            Report::Result(outcome) => finish(&inner, outcome),
            // Another button's click took the page, or the linger ran out.
            Report::Ended => inner.settings.cancel(),
        }
    });
    match opened {
        Ok(attempt) => *inner.attempt.borrow_mut() = Some(attempt),
        Err(Refused::Blocked) => blocked(inner, &config, state, &page),
        Err(Refused::NoCrypto) => no_crypto(inner, client_id),
    }
}

/// No secure random numbers: no sign-in starts.
fn no_crypto<S: Settings>(inner: &Rc<Inner<S>>, client_id: Option<String>) {
    console::error(&[Reason::CryptoUnavailable.describe()], None);
    fail(inner, &Failure::own(Reason::CryptoUnavailable, client_id));
}

/// The popup was blocked: continue in this tab when the integrator opted in, else report.
fn blocked<S: Settings>(inner: &Rc<Inner<S>>, config: &ButtonConfig, state: String, page: &str) {
    let client_id = config.identity.client_id().map(String::from);
    if config.fallback == Fallback::SameTab {
        let Some(id) = state::random() else {
            return no_crypto(inner, client_id);
        };
        let url = authorization_url(config, &state, Mode::PostMessage.keyword(), page);
        // This tab goes to the Redirect URI itself: its helper reads the record here.
        state::remember(&state, &id);
        let _ = js::window().location().assign(&url);
        return;
    }
    // Named as this button's settings are written: data-fallback on a tag, fallback in options.
    let hint = inner.settings.reword(String::from(
        "the browser blocked the sign-in popup; set data-fallback=\"same-tab\" to continue in this tab instead.",
    ));
    console::error(&[&hint], None);
    fail(inner, &Failure::own(Reason::PopupBlocked, client_id));
}

/// Carries out how an attempt ended: promises, events, callbacks, navigation. When this
/// window goes to the Redirect URI itself, the attempt's record (which its helper reads) is
/// written here just before.
fn finish<S: Settings>(inner: &Rc<Inner<S>>, outcome: Outcome) {
    match outcome {
        Outcome::Navigate(url) => {
            let query = kommo_oauth_core::kommo::protocol::query_of(&url);
            let result = CallbackResult::from_query(&url, query);
            if succeed(inner, &result, true) && is_navigable(&url) {
                if let Some(attempt) = inner.attempt.borrow().as_ref() {
                    attempt.keep_record();
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
