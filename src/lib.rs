//! The npm package `kommo-oauth-button`: `mount(element, options)` and its TypeScript types.
//! (The Redirect URI helper is the package's second entry point, `kommo-oauth-button/callback`,
//! built from the callback crate.)
//!
//! What this leaf owns:
//! - **exports**: `mount` and `ButtonHandle` (no auto-mount, no helper);
//! - **allocator**: lol_alloc's free list, as the drop-in;
//! - **panic strategy**: built like the drop-in (`scripts/build.mjs`, `SIZE_BUILD`): a panic
//!   in a release build is a trap; debug builds install console_error_panic_hook, so a
//!   developer working on this crate sees a readable panic (docs/size.md has the figures).

use kommo_oauth_web::kommo::api;
use wasm_bindgen::prelude::*;
use web_sys::HtmlButtonElement;

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
// SAFETY: without the `atomics` target feature this wasm runs on one thread only.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// Readable panics in the console, in debug builds.
#[cfg(debug_assertions)]
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Settings every button takes: the same as the tag's data-* attributes, in camelCase. */
export interface CommonButtonOptions {
  /** "kommo" (default) or "amocrm": default title, colours and consent page. */
  provider?: "kommo" | "amocrm";
  title?: string;
  compact?: boolean | "true" | "false";
  className?: string;
  theme?: "light" | "dark";
  color?: "default" | "blue" | "violet" | "green" | "orange" | "red";
  /** "en", "es", "pt", "id", or a tag such as "pt-BR" (its language decides). */
  locale?: "en" | "es" | "pt" | "id" | (string & {});
  /** Sent as given; when absent a random one is generated. */
  state?: string;
  mode?: "popup" | "post_message";
  /** Name (or dotted path) of a global function of yours (never a built-in), resolved when the result arrives. */
  errorCallback?: string;
  successCallback?: string;
  onError?: (error: SignInError) => void;
  onSuccess?: (result: SignInResult) => void;
  /** Consent page origin, e.g. a local sandbox: "http://localhost:7070" (any https origin, or http on loopback). */
  authOrigin?: string;
  /** "same-tab": when the popup is blocked, continue in this tab. */
  fallback?: "none" | "same-tab";
  /** Height and type size: "large" (45 px, default), "medium" (40 px), "small" (32 px). */
  size?: "large" | "medium" | "small";
  /** The default title's wording, localized: "Continue with Kommo" (default), "Sign in with Kommo", "Sign up with Kommo". A title replaces it. */
  text?: "continue_with" | "signin_with" | "signup_with";
  /** "rectangular" (4 px corners, default) or "pill" (round ends; a compact button is a circle). */
  shape?: "rectangular" | "pill";
  /** "left" (the logo at the start edge, default) or "center" (beside the centred title), when the button is wider than its content. */
  logoAlignment?: "left" | "center";
  /** Pixels from 120 to 600 (240 or "240px"), "100%", or "auto" (default). Never wider than the container. */
  width?: number | "100%" | "auto" | (string & {});
}

/** A button for a registered integration. */
export interface ClientIdButtonOptions extends CommonButtonOptions {
  /** The integration ID. */
  clientId: string;
}

/** A metadata button (amoCRM): creates an integration on the fly; the whole set is required. */
export interface MetadataButtonOptions extends CommonButtonOptions {
  clientId?: undefined;
  name: string;
  description: string;
  /** https URL. */
  redirectUri: string;
  /** https URL: receives {client_id, client_secret, state} before the redirect. */
  secretsUri: string;
  scopes: ("crm" | "notifications")[] | string;
  /** https URL. */
  logo?: string;
}

/** Settings of one button: a `clientId`, or the whole metadata set (a type error otherwise). */
export type ButtonOptions = ClientIdButtonOptions | MetadataButtonOptions;

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

/** What a signIn() promise rejects with: an Error subclass (`e instanceof SignInFailure`) carrying the error's fields. */
export class SignInFailure extends Error implements SignInError {
  name: "SignInFailure";
  /** The error code, as in `error`. */
  code: string;
  client_id?: string;
  error: string;
  error_description?: string;
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
pub struct ButtonHandle(api::Handle);

#[wasm_bindgen]
impl ButtonHandle {
    /// The `<button>` element, or `undefined` after `destroy()`.
    #[wasm_bindgen(getter)]
    pub fn element(&self) -> Option<HtmlButtonElement> {
        self.0.element()
    }

    /// Starts signing in, as a click does: call it from a user gesture (the popup opens
    /// synchronously). Resolves with the result; rejects with an `Error` whose `code` is the
    /// error code, carrying `client_id`, `error` and `error_description` too.
    #[wasm_bindgen(js_name = signIn)]
    pub fn sign_in(&self) -> SignInPromise {
        self.0.sign_in().unchecked_into()
    }

    /// Removes the button and every listener it added. Idempotent.
    pub fn destroy(&mut self) {
        self.0.destroy();
    }
}

/// Mounts a button at the end of `target`.
///
/// # Errors
/// Throws one `Error` (nothing is also logged) when `target` is not an element or the
/// options cannot make a usable button (no `clientId` and no complete metadata, or a
/// metadata URL that is not https): the message names every missing option and the option
/// an unknown key most likely meant (`client_id` → `clientId`). Invalid optional values only
/// warn in the console and fall back to defaults.
#[wasm_bindgen]
pub fn mount(
    #[wasm_bindgen(unchecked_param_type = "Element")] target: JsValue,
    options: ButtonOptions,
) -> Result<ButtonHandle, JsError> {
    api::mount(&target, options.into()).map(ButtonHandle)
}

#[cfg(test)]
mod tests {
    use kommo_oauth_core::kommo::settings::Setting;

    /// The TypeScript `ButtonOptions` interface (above) names every setting of the table,
    /// and a keyword setting's type lists each of its values.
    #[test]
    fn typescript_options_name_every_setting() {
        let source = include_str!("lib.rs");
        let start = source
            .find("export interface CommonButtonOptions {")
            .unwrap();
        let interface = &source[start..source.find("export type ButtonOptions").unwrap()];
        for setting in Setting::ALL {
            let key = format!("\n  {}", setting.option());
            let Some(at) = [format!("{key}?:"), format!("{key}:")]
                .iter()
                .find_map(|k| {
                    interface
                        .find(k.as_str())
                        .map(|at| at + k.len() - key.len())
                })
            else {
                panic!("ButtonOptions lacks {}", setting.option());
            };
            let line = interface[at + key.len()..].lines().next().unwrap();
            for spellings in setting.spellings().unwrap_or_default() {
                let value = format!("\"{}\"", spellings.split('|').next().unwrap_or_default());
                assert!(
                    line.contains(&value),
                    "{}: {line} lacks {value}",
                    setting.option()
                );
            }
        }
    }
}
