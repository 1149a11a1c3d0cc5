// dist/callback.js: include on the Redirect URI page (post_message mode). It reports the
// result to the window that opened the popup and closes the popup. The result is also
// dispatched on window as the `kommo-oauth:callback` event for the page's own code.
(function () {
  'use strict';
  // Included twice (a CMS's header and footer, say): the first copy alone reports, so the
  // page's listener sees the code once.
  var once = Symbol.for('kommo-oauth:callback');
  if (window[once]) return;
  Object.defineProperty(window, once, { value: true });
  // First, before the wasm loads: take the code and state out of the address bar.
  var href = location.href;
  try {
    var url = new URL(href);
    if (url.searchParams.has('code') || url.searchParams.has('state')) {
      url.searchParams.delete('code');
      url.searchParams.delete('state');
      history.replaceState(history.state, '', url.href);
    }
  } catch (e) { /* an address the URL parser refuses: leave it */ }
  /*__LOADER_COMMON__*/
  var me = ownScript('callback.js');
  if (!me) {
    console.error('[kommo-oauth] callback.js could not find its own <script src=".../callback.js"> element.');
    return;
  }
  // Not inlined: the minifier would fold the placeholder's length.
  var wasm = /*@__NOINLINE__*/ loadWasm('__WASM_PACKED__', __WASM_LENGTH__, new URL('callback_bg.wasm', me.src), '__WASM_INTEGRITY__');
  /*__GLUE__*/
  wasm_bindgen({ module_or_path: wasm }).then(function () {
    var result = wasm_bindgen.completeSignIn(href);
    // The page's own scripts after this one may still be parsing: the event waits for them.
    // (Through the prototypes: a named element can shadow members of document and window.)
    var target = EventTarget.prototype;
    var tell = function () { target.dispatchEvent.call(window, new CustomEvent('kommo-oauth:callback', { detail: result })); };
    if (Object.getOwnPropertyDescriptor(Document.prototype, 'readyState').get.call(document) === 'loading') {
      target.addEventListener.call(document, 'DOMContentLoaded', tell, { once: true });
    } else {
      tell();
    }
  }, function (e) {
    console.error('[kommo-oauth] could not load callback_bg.wasm next to ' + me.src + ':', e);
  });
})();
