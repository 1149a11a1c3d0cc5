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

// A button lives until destroy() or until its element leaves the document, whatever becomes
// of its handle: `live` holds each button (so a handle that is not kept, and is collected,
// ends nothing), and one observer of the document, while any lives, destroys those whose
// element was in the document and is no longer.
const live = new Map(); // button -> whether its element has been in the document
let observer = null;

function sweep() {
  for (const [button, seen] of live) {
    const connected = button.element?.isConnected;
    if (seen && !connected) release(button);
    else if (connected) live.set(button, true);
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

/** Mounts a button at the end of `target`; it lives until destroy() or its element leaves the document. */
export function mount(target, options) {
  requireLoaded(loaded, 'mount');
  const button = mountWasm(target, options);
  live.set(button, button.element.isConnected);
  if (!observer) {
    observer = new MutationObserver(sweep);
    observer.observe(document, { childList: true, subtree: true });
  }
  return new ButtonHandle(button);
}
