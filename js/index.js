// kommo-oauth-button: the public entry, a small module over the glue wasm-bindgen generates
// (./kommo_oauth_button.js): init(), mount() and its handle, SignInFailure; nothing else of
// the glue (initSync, free()) is exported.
import initWasm, { mount as mountWasm, SignInFailure } from './kommo_oauth_button.js';
import { initInBrowser, requireLoaded } from './wasm-init.js';

export { SignInFailure };

const loaded = { done: false };

/** Loads the wasm once, in the browser; under Node only from bytes or a module. */
export default function init(options) {
  return initInBrowser(initWasm, options, loaded);
}

// A button lives until destroy(), or until its handle is gone (not kept, and collected) and
// its element has left the document: `live` holds each button (so dropping the handle ends
// nothing), and one observer of the document, while any lives, releases a button whose
// element was in the document and is no longer only once nothing holds its handle. A kept
// handle's button survives being moved out and back (Vue's <KeepAlive>, a modal's DOM
// detached while its sign-in runs): its owner calls destroy().
const live = new Map(); // button -> { seen: its element has been in the document, handle: WeakRef }
let observer = null;

function sweep() {
  for (const [button, entry] of live) {
    const connected = button.element?.isConnected;
    if (connected) entry.seen = true;
    else if (entry.seen && entry.handle.deref() === undefined) release(button);
  }
}

function release(button) {
  live.delete(button);
  button.destroy();
  if (live.size === 0 && observer) observer = observer.disconnect();
}

class ButtonHandle {
  #button;

  constructor(button) { this.#button = button; }

  /** The `<button>` element, or undefined after destroy(). */
  get element() { return this.#button.element; }

  /** Starts signing in, as a click does (call it from a user gesture). */
  signIn() { return this.#button.signIn(); }

  /** Removes the button and every listener it added. Idempotent. */
  destroy() { release(this.#button); }
}
if (typeof Symbol.dispose === 'symbol') ButtonHandle.prototype[Symbol.dispose] = ButtonHandle.prototype.destroy;

/** Mounts a button at the end of `target`; it lives until destroy() (see `live` above). */
export function mount(target, options) {
  requireLoaded(loaded, 'mount');
  const button = mountWasm(target, options);
  const handle = new ButtonHandle(button);
  live.set(button, { seen: button.element.isConnected, handle: new WeakRef(handle) });
  if (!observer) {
    observer = new MutationObserver(sweep);
    observer.observe(document, { childList: true, subtree: true });
  }
  return handle;
}
