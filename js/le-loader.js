// dist/le-app-button.js: the LeadExec drop-in. Keep LeadExec's documented async loader and
// change only its host; the button markup and the global AuthorizeResult stay as they are.
// window.LeadExec.refresh(refreshToken, appId) and .disconnect(refreshToken) return Promises.
(function () {
  'use strict';
  var w = window;
  // A symbol, so that no element's id or name can stand in for it.
  var KEY = Symbol.for('leadexec.loader');
  /*__LOADER_COMMON__*/
  /*__DISCOVER__*/
  if (w[KEY]) return; // included twice: the first copy already watches the page
  var me = ownScript('le-app-button.js');
  if (!me) {
    console.error('[kommo-oauth] le-app-button.js could not find its own <script src=".../le-app-button.js"> element.');
    return;
  }
  // Not inlined: the minifier would fold the placeholder's length.
  var wasm = /*@__NOINLINE__*/ loadWasm('__WASM_PACKED__', __WASM_LENGTH__, new URL('le-app-button_bg.wasm', me.src), '__WASM_INTEGRITY__');
  /*__GLUE__*/
  var ready = w[KEY] = wasm_bindgen({ module_or_path: wasm }).then(function () { return wasm_bindgen; });
  var call = function (name) {
    return function () {
      var args = arguments;
      return ready.then(function (api) { return api[name].apply(null, args); });
    };
  };
  w.LeadExec = { refresh: call('refresh'), disconnect: call('disconnect') };
  ready.then(function (api) { api.enhance(me, discovery); }, function (e) {
    console.error('[kommo-oauth] could not load le-app-button_bg.wasm next to ' + me.src + ':', e);
  });
})();
