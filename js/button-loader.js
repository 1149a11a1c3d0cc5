// dist/button.js: the drop-in. Paste the documented <script class="kommo_oauth" …> tag with
// its src pointing here; button_bg.wasm is fetched from next to this file's own URL.
(function () {
  'use strict';
  var w = window;
  // A symbol, so that no element's id or name can stand in for it.
  var KEY = Symbol.for('kommo-oauth.loader');
  /*__LOADER_COMMON__*/
  /*__DISCOVER__*/
  var prior = w[KEY];
  // Included twice (or re-added by a framework): the first copy mounts new tags.
  if (prior) {
    prior.then(function (api) { api.rescan(); }, function () {});
    return;
  }
  var me = ownScript('button.js');
  if (!me) {
    console.error('[kommo-oauth] button.js could not find its own <script src=".../button.js"> element.');
    return;
  }
  // The wasm compiles (or, failing that, downloads) before the glue is evaluated.
  // Not inlined: the minifier would fold the placeholder's length.
  var wasm = /*@__NOINLINE__*/ loadWasm('__WASM_PACKED__', __WASM_LENGTH__, new URL('button_bg.wasm', me.src), '__WASM_INTEGRITY__');
  /*__GLUE__*/
  var ready = w[KEY] = wasm_bindgen({ module_or_path: wasm })
    .then(function () { return wasm_bindgen; });
  ready.then(function (api) { api.autoMount(me, discovery); }, function (e) {
    console.error('[kommo-oauth] could not load button_bg.wasm next to ' + me.src + ' (from another origin it needs Access-Control-Allow-Origin; a CSP must allow \'wasm-unsafe-eval\' and connect-src it):', e);
  });
  // The original button renders in window.onload and integrators call window.onload() by
  // hand to force it: keep that call working without clobbering a page's own handler.
  if (typeof w.onload !== 'function') {
    w.onload = function () { ready.then(function (api) { api.rescan(); }, function () {}); };
  }
})();
