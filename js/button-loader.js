// dist/button.js: the drop-in. Paste the documented <script class="kommo_oauth" …> tag with
// its src pointing here; button_bg.wasm is fetched from next to this file's own URL.
(function () {
  'use strict';
  var w = window;
  var KEY = '__kommoOauth';
  var me = document.currentScript;
  var base = (me && me.src) || location.href;
  // Included twice (or re-added by a framework): the first copy mounts new tags.
  if (w[KEY]) {
    w[KEY].then(function (api) { api.rescan(); }, function () {});
    return;
  }
  // The wasm download starts (and compiles as it arrives) before the glue is evaluated.
  var wasm = compileWasm(new URL('button_bg.wasm', base));
  /*__COMPILE_WASM__*/
  /*__GLUE__*/
  var ready = w[KEY] = wasm_bindgen({ module_or_path: wasm })
    .then(function () { return wasm_bindgen; });
  ready.then(function (api) { api.autoMount(); }, function (e) {
    console.error('[kommo-oauth] could not load button_bg.wasm next to ' + base + ':', e);
  });
  // The original button renders in window.onload and integrators call window.onload() by
  // hand to force it: keep that call working without clobbering a page's own handler.
  if (typeof w.onload !== 'function') {
    w.onload = function () { ready.then(function (api) { api.rescan(); }, function () {}); };
  }
})();
