//! A drop-in "Continue with Kommo" / amoCRM sign-in button, in Rust and WebAssembly.
//!
//! Paste the documented tag, pointing `src` at this project's `dist/button.js`:
//!
//! ```html
//! <script class="kommo_oauth" charset="utf-8"
//!   data-client-id="xxxx" data-title="Button" data-compact="false"
//!   data-class-name="className" data-theme="light" data-locale="en"
//!   data-state="state" data-error-callback="functionName" data-mode="popup"
//!   src="/dist/button.js"></script>
//! ```
//!
//! or mount it from code with [`web::api::mount`] (the npm package).
//!
//! The crate is `no_std` (with `alloc`): see the `standalone` feature in Cargo.toml.

#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

/// What every module uses from `alloc`.
mod prelude {
    pub use alloc::string::String;
    pub use alloc::vec::Vec;
}

/// Pure logic: settings, validation, URLs, protocol and flow; tested natively.
pub mod core;
/// The browser shell: DOM, styles, popup, listeners. The only code that touches `web_sys`.
#[cfg(target_arch = "wasm32")]
pub mod web;

/// The allocator: talc is several kilobytes smaller in the wasm than the default dlmalloc.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The wasm's panic handler: a trap. Nothing here is meant to panic (every fallible browser
/// call has a fallback); if something did, the trap ends that one call into the wasm with a
/// `RuntimeError` and leaves the host page's own code alone. `debug` builds print panics
/// instead (console_error_panic_hook).
#[cfg(all(target_arch = "wasm32", feature = "standalone", not(feature = "debug")))]
#[panic_handler]
fn panic(_: &::core::panic::PanicInfo) -> ! {
    ::core::arch::wasm32::unreachable()
}
