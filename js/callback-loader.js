// dist/callback.js: include on the Redirect URI page (post_message mode). It reports the
// result to the window that opened the popup and closes the popup. The result is also
// dispatched on window as the `kommo-oauth:callback` event for the page's own code.
(function () {
  'use strict';
  var me = document.currentScript;
  var base = (me && me.src) || location.href;
  var wasm = compileWasm(new URL('callback_bg.wasm', base));
  /*__COMPILE_WASM__*/
  /*__GLUE__*/
  wasm_bindgen({ module_or_path: wasm }).then(function () {
    var result = wasm_bindgen.completeSignIn();
    window.dispatchEvent(new CustomEvent('kommo-oauth:callback', { detail: result }));
  }, function (e) {
    console.error('[kommo-oauth] could not load callback_bg.wasm next to ' + base + ':', e);
  });
})();
