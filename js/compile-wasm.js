// Fetches a wasm file and compiles it as it arrives (shared by the drop-in loaders; the
// build pastes it in). Servers that send .wasm with another type than application/wasm
// get a compile after the download instead of a failure.
function compileWasm(url) {
  return fetch(url).then(function (response) {
    if (!response.ok) throw new Error('HTTP ' + response.status + ' for ' + url);
    return /^application\/wasm\b/i.test(response.headers.get('content-type'))
      ? WebAssembly.compileStreaming(response)
      : response.arrayBuffer().then(function (bytes) { return WebAssembly.compile(bytes); });
  });
}
