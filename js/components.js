// What the framework components of kommo-oauth-button share (react/, vue/, element/): the
// wasm loaded once, and the option names.
import init from './index.js';

let loading;
/** Loads the wasm once, in the browser (components call it on mount, never on a server). */
export function load() {
  loading ??= init();
  return loading;
}

/** Every ButtonOptions key but the callbacks (a test checks this list against the types). */
export const OPTION_NAMES = Object.freeze([
  'provider', 'clientId', 'title', 'compact', 'className', 'theme', 'color', 'locale', 'state', 'mode',
  'errorCallback', 'successCallback', 'name', 'description', 'redirectUri', 'secretsUri', 'logo', 'scopes',
  'authOrigin', 'fallback', 'size', 'width', 'text', 'shape', 'logoAlignment',
]);

/** The error a component reports when the wasm cannot load. */
export function loadFailure(e) {
  return { error: 'load_failed', error_description: String(e?.message ?? e) };
}
