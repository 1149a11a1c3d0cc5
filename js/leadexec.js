// kommo-oauth-button/leadexec: LeadExec's button and token API, over the glue wasm-bindgen
// generates (./kommo_oauth_leadexec.js); nothing else of the glue is exported.
import initWasm, * as glue from './kommo_oauth_leadexec.js';
import { initInBrowser, requireLoaded } from '../wasm-init.js';
import { discovery } from '../discover.js';

const loaded = { done: false };

/** Loads the wasm once, in the browser; under Node only from bytes or a module. */
export default function init(options) {
  return initInBrowser(initWasm, options, loaded);
}

/** Enhances every LeadExec button on the page, now and later. */
export function enhance(loader) {
  requireLoaded(loaded, 'enhance');
  return glue.enhance(loader, discovery);
}

/** Sets the origin of the dialog and token API. */
export function setOrigin(origin) {
  requireLoaded(loaded, 'setOrigin');
  return glue.setOrigin(origin);
}

/** A new one-hour access token for `refreshToken` and `appId`. */
export function refresh(refreshToken, appId) {
  requireLoaded(loaded, 'refresh');
  return glue.refresh(refreshToken, appId);
}

/** Disconnects the application from the visitor's account. */
export function disconnect(refreshToken) {
  requireLoaded(loaded, 'disconnect');
  return glue.disconnect(refreshToken);
}
