//! The programmatic API of the npm package: `mount(element, options)` returns a handle
//! whose `destroy()` removes the button and every listener it added.

use super::button::Button;
use super::console;
use super::source::Settings;
use crate::core::diag::Level;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlButtonElement};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Settings of one button: the same as the tag's data-* attributes, in camelCase. */
export interface ButtonOptions {
  /** "kommo" (default) or "amocrm": default title, colours and consent page. */
  provider?: "kommo" | "amocrm";
  /** The integration ID. Either this or the full metadata set is required. */
  clientId?: string;
  title?: string;
  compact?: boolean | "true" | "false";
  className?: string;
  theme?: "light" | "dark";
  color?: "default" | "blue" | "violet" | "green" | "orange" | "red";
  /** "en", "es", "pt", "id", or a tag such as "pt-BR" (its language decides). */
  locale?: "en" | "es" | "pt" | "id" | (string & {});
  /** Sent as given; when absent a random one is generated and kept in sessionStorage. */
  state?: string;
  mode?: "popup" | "post_message";
  /** Name (or dotted path) of a global function of yours (never a built-in), resolved when the result arrives. */
  errorCallback?: string;
  successCallback?: string;
  onError?: (error: SignInError) => void;
  onSuccess?: (result: SignInResult) => void;
  /** Metadata button (amoCRM): creates an integration on the fly. */
  name?: string;
  description?: string;
  redirectUri?: string;
  secretsUri?: string;
  logo?: string;
  scopes?: ("crm" | "notifications")[] | string;
  /** Consent page origin, e.g. a local sandbox: "http://localhost:7070" (any https origin, or http on loopback). */
  authOrigin?: string;
  /** "same-tab": when the popup is blocked, continue in this tab. */
  fallback?: "none" | "same-tab";
}

declare global {
  /** The events a mounted button dispatches (they bubble): `el.addEventListener("kommo-oauth:success", e => e.detail.code)`. */
  interface HTMLElementEventMap {
    "kommo-oauth:success": CustomEvent<SignInResult>;
    "kommo-oauth:error": CustomEvent<SignInError>;
  }
  interface DocumentEventMap {
    "kommo-oauth:success": CustomEvent<SignInResult>;
    "kommo-oauth:error": CustomEvent<SignInError>;
  }
}

/** What a signIn() promise rejects with: an Error with the error's fields. */
export interface SignInFailure extends Error, SignInError {
  code: string;
}

/** What the Redirect URI received. */
export interface SignInResult {
  code?: string;
  state?: string;
  referer?: string;
  client_id?: string;
  from_widget?: string;
  url: string;
}

/** access_denied (from the provider), popup_blocked, popup_closed, crypto_unavailable, invalid_config, cancelled. Callbacks and events get a fresh object of strings; signIn() rejects with a SignInFailure. */
export interface SignInError {
  client_id?: string;
  error: string;
  error_description?: string;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "ButtonOptions")]
    pub type ButtonOptions;
    #[wasm_bindgen(typescript_type = "Promise<SignInResult>")]
    pub type SignInPromise;
}

/// A mounted button.
#[wasm_bindgen]
pub struct ButtonHandle {
    button: Option<Button>,
}

#[wasm_bindgen]
impl ButtonHandle {
    /// The `<button>` element, or `undefined` after `destroy()`.
    #[wasm_bindgen(getter)]
    pub fn element(&self) -> Option<HtmlButtonElement> {
        self.button.as_ref().map(|b| b.element().clone())
    }

    /// Starts signing in, as a click does: call it from a user gesture (the popup opens
    /// synchronously). Resolves with the result; rejects with an `Error` whose `code` is the
    /// error code, carrying `client_id`, `error` and `error_description` too.
    #[wasm_bindgen(js_name = signIn)]
    pub fn sign_in(&self) -> SignInPromise {
        let promise = match &self.button {
            Some(button) => button.sign_in(),
            None => {
                js_sys::Promise::reject(&super::report::rejection(&super::report::error_object(
                    None,
                    crate::core::flow::codes::CANCELLED,
                    Some("the button was destroyed"),
                )))
            }
        };
        promise.unchecked_into()
    }

    /// Removes the button and every listener it added. Idempotent.
    pub fn destroy(&mut self) {
        self.button = None;
    }
}

/// Mounts a button at the end of `target`.
///
/// # Errors
/// Throws an `Error` when the options cannot make a usable button (no `clientId` and no
/// complete metadata, or a metadata URL that is not https); the message says what to fix.
/// Invalid optional values only warn in the console and fall back to defaults.
#[wasm_bindgen]
pub fn mount(target: &Element, options: ButtonOptions) -> Result<ButtonHandle, JsError> {
    if !Reflect::has(&js_sys::global(), &JsValue::from_str("document")).unwrap_or(false) {
        return Err(JsError::new(
            "[kommo-oauth] mount() needs a browser (window and document): on the server render nothing, \
             and mount in the browser (in React, in useEffect).",
        ));
    }
    let settings = Settings::Options(options.into());
    let parsed = settings.parse();
    parsed.diagnostics.0.iter().for_each(console::report);
    let Some(config) = parsed.config else {
        let first = parsed
            .diagnostics
            .0
            .iter()
            .find(|d| d.level == Level::Error);
        return Err(JsError::new(
            first.map_or("[kommo-oauth] unusable options", |d| d.message.as_str()),
        ));
    };
    let button = Button::new(settings, &config, &parsed.diagnostics)
        .map_err(|_| JsError::new("[kommo-oauth] could not render the button"))?;
    target
        .append_child(button.element())
        .map_err(|_| JsError::new("[kommo-oauth] could not insert the button"))?;
    Ok(ButtonHandle {
        button: Some(button),
    })
}
