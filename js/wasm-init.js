// What every entry of kommo-oauth-button does around the glue wasm-bindgen generates: load
// the wasm in a browser only (or from bytes anywhere), and say so when an export is called
// before that.

/**
 * Runs the glue's `initWasm(options)` and records that it loaded (`loaded.done`). Without a
 * browser (server-side rendering) fetching the wasm by URL cannot work: it rejects at once
 * with an error that says where to call it, unless given the bytes or a module.
 */
export function initInBrowser(initWasm, options, loaded) {
  const given = options !== undefined && Object.getPrototypeOf(options) === Object.prototype ? options.module_or_path : options;
  const byUrl = given === undefined || typeof given === 'string' || given instanceof URL || (typeof Request === 'function' && given instanceof Request);
  if (typeof document === 'undefined' && byUrl) {
    return Promise.reject(new Error('[kommo-oauth] init() loads the wasm in a browser: call it where the page runs (useEffect, onMounted, a click), not during server-side rendering; or pass the bytes: init({ module_or_path: bytes }).'));
  }
  return initWasm(options).then(() => { loaded.done = true; });
}

/** Throws unless the entry's wasm has loaded: `name()` needs it. */
export function requireLoaded(loaded, name) {
  if (!loaded.done) throw new Error(`[kommo-oauth] ${name}() was called before the wasm was loaded: call \`await init()\` first (once, in the browser).`);
}
