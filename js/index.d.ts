// kommo-oauth-button: the documented API only (the option and result types are declared with
// the Rust code that reads them, in src/lib.rs, and re-exported here).
import type { ButtonOptions, SignInResult } from './kommo_oauth_button.js';

export type {
  ButtonOptions, CommonButtonOptions, ClientIdButtonOptions, MetadataButtonOptions, SignInResult, SignInError,
} from './kommo_oauth_button.js';
export { SignInFailure } from './kommo_oauth_button.js';

/** What init() may be given instead of fetching the wasm next to the module. */
export type WasmSource = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/**
 * Loads the wasm, once, in the browser (call it in an effect or on mount, never during
 * server-side rendering, where it rejects with an error that says so).
 */
export default function init(options?: { module_or_path?: WasmSource | Promise<WasmSource> }): Promise<void>;

/** A mounted button. It lives until destroy() or until its element leaves the document. */
export interface ButtonHandle {
  /** The `<button>` element, or undefined after destroy(). */
  readonly element: HTMLButtonElement | undefined;
  /**
   * Starts signing in, as a click does: call it from a user gesture (the popup opens
   * synchronously). Resolves with the result; rejects with a SignInFailure.
   */
  signIn(): Promise<SignInResult>;
  /** Removes the button and every listener it added. Idempotent. */
  destroy(): void;
}

/**
 * Mounts a button at the end of `target`. Throws one Error naming what to fix when the
 * options cannot make a usable button (no clientId and no complete metadata set).
 */
export function mount(target: Element, options: ButtonOptions): ButtonHandle;
