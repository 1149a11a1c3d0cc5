// kommo-oauth-button/leadexec: the documented API only.
import type { TokenResponse } from './kommo_oauth_leadexec.js';
import type { WasmSource } from '../index.js';

export type { AuthorizeResult, TokenResponse } from './kommo_oauth_leadexec.js';

/** Loads the wasm, once, in the browser (on a server it rejects with an error that says so). */
export default function init(options?: { module_or_path?: WasmSource | Promise<WasmSource> }): Promise<void>;

/**
 * Enhances every LeadExec button on the page, now and later. `loader` is the drop-in's own
 * `<script>` element: the dialog's origin follows its `src` (and `data-origin`).
 */
export function enhance(loader: HTMLScriptElement | null): void;

/**
 * Sets the origin of the dialog and token API (the npm package has no loader tag to follow):
 * an https origin, or `http://localhost:…` on a loopback page (the sandbox). Defaults to
 * `https://apps.leadexec.net`.
 */
export function setOrigin(origin: string): void;

/** A new one-hour access token: resolves with `{valid, refreshToken, authToken, expireDate, errorMessage}`. */
export function refresh(refreshToken: string, appId: string): Promise<TokenResponse>;

/** Disconnects the application from the visitor's account: resolves with `{valid, errorMessage}`. */
export function disconnect(refreshToken: string): Promise<TokenResponse>;
