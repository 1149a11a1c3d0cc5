// kommo-oauth-button/callback: the documented API only.
import type { CompletedSignIn } from './kommo_oauth_callback.js';
import type { WasmSource } from '../index.js';

export type { CompletedSignIn } from './kommo_oauth_callback.js';

/** Loads the wasm, once, in the browser (on a server it rejects with an error that says so). */
export default function init(options?: { module_or_path?: WasmSource | Promise<WasmSource> }): Promise<void>;

/**
 * Completes sign-in on the Redirect URI page and returns what it found:
 * `{code, state, referer, client_id, from_widget, error, url, verified}`, where `verified`
 * says whether this window is the sign-in attempt's own popup (or this tab, on its way back
 * from its own attempt). It first takes `code` and `state` out of the address bar; `href` is
 * the address as it was when the caller already did that.
 */
export function completeSignIn(href?: string): CompletedSignIn;
