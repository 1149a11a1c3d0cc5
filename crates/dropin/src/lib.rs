//! The drop-in's wasm, loaded by `dist/button.js`: it auto-mounts every `.kommo_oauth` /
//! `.amocrm_oauth` tag on the page, now and later.
//!
//! What this leaf owns:
//! - **exports**: `autoMount` and `rescan`, nothing else (the npm API is not linked);
//! - **allocator**: lol_alloc's free list, smaller in the wasm than talc or std's dlmalloc
//!   (docs/size.md);
//! - **panic strategy**: nothing here is meant to panic (every fallible browser call has a
//!   fallback). `npm run build` compiles this leaf with `panic = immediate-abort` (see
//!   scripts/build.mjs), so a panic is a trap that ends that one call into the wasm with a
//!   `RuntimeError`, and no panic message or formatting code is shipped. A debug build
//!   (`wasm-pack build --dev`) installs console_error_panic_hook instead.

use wasm_bindgen::prelude::*;

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
// SAFETY: without the `atomics` target feature this wasm runs on one thread only.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// Readable panics in debug builds.
#[cfg(debug_assertions)]
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Mounts every tag on the page and keeps watching for new ones. Idempotent. `loader` is
/// the drop-in's own `<script>` element (or `undefined`): its `data-allowed-client-ids`,
/// if any, lists the only client ids this page's tags may mount. `discovery` is the one of
/// crates/web/js/discover.js, which the loader carries.
#[wasm_bindgen(js_name = autoMount)]
pub fn auto_mount(loader: JsValue, discovery: kommo_oauth_web::discover::Discovery) {
    kommo_oauth_web::kommo::automount::auto_mount(loader, discovery);
}

/// Mounts tags that appeared since the last look (the loader's `window.onload()` calls this).
#[wasm_bindgen]
pub fn rescan() {
    kommo_oauth_web::kommo::automount::rescan();
}
