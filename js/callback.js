// kommo-oauth-button/callback: completeSignIn() for the Redirect URI page, over the glue
// wasm-bindgen generates (./kommo_oauth_callback.js); nothing else of the glue is exported.
import initWasm, { completeSignIn as complete } from './kommo_oauth_callback.js';
import { initInBrowser, requireLoaded } from '../wasm-init.js';

const loaded = { done: false };

/** Loads the wasm once, in the browser; under Node only from bytes or a module. */
export default function init(options) {
  return initInBrowser(initWasm, options, loaded);
}

/** Completes sign-in on the Redirect URI page; see the declaration for what it returns. */
export function completeSignIn(href) {
  requireLoaded(loaded, 'completeSignIn');
  return complete(href);
}
