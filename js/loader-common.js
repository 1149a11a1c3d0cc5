// Shared by the drop-in loaders (the build pastes it into both).

// The loader's own <script> element. `document.currentScript` is read through the getter on
// Document.prototype: an element such as <img name="currentScript"> shadows the property on
// `document` itself, never the getter. A result that is not a script element is refused;
// then the first <script> whose src is a file named `file` is used (markup that an HTML
// sanitizer lets through never contains <script> elements), or none.
function ownScript(file) {
  var Doc = Document.prototype;
  var current = Object.getOwnPropertyDescriptor(Doc, 'currentScript').get.call(document);
  if (current instanceof HTMLScriptElement) return current;
  var all = Doc.querySelectorAll.call(document, 'script[src]');
  for (var i = 0; i < all.length; i++) if (all[i].src.split(/[?#]/)[0].split('/').pop() === file) return all[i];
  return null;
}

// Fetches a wasm file (when the bytes inside this file cannot be used), checked against the hash the build computed (Subresource Integrity:
// the browser refuses other bytes), and compiles it as it arrives. Servers that send .wasm
// with another type than application/wasm get a compile after the download instead.
function compileWasm(url, integrity) {
  return fetch(url, { integrity: integrity }).then(function (response) {
    if (!response.ok) throw new Error('HTTP ' + response.status + ' for ' + url);
    return /^application\/wasm\b/i.test(response.headers.get('content-type'))
      ? WebAssembly.compileStreaming(response)
      : response.arrayBuffer().then(function (bytes) { return WebAssembly.compile(bytes); });
  }, function (error) {
    // A missing file and bytes that fail the integrity check both reject without a status:
    // ask once more, without the check, to say which.
    return fetch(url, { method: 'HEAD' }).then(function (r) {
      throw new Error(r.ok ? url + ' does not match the hash this script was built with' : 'HTTP ' + r.status + ' for ' + url);
    }, function () { throw error; });
  });
}

// The wasm's bytes travel inside this file, one per character of `packed` (the build fills
// it in; see docs/size.md): the page makes one request where it made two in a row. A page
// that decodes this file in another charset than UTF-8 (no charset="utf-8" on the tag and
// none from the server, on a windows-1251 page say) garbles the characters above 127: then,
// or if the bytes do not compile, the same bytes are fetched from `url` instead.
// The string becomes bytes natively where the engine can (`btoa` then
// `Uint8Array.fromBase64`; `btoa` throwing on a character above U+00FF is the charset check),
// else in a loop; and they compile synchronously, since they are already here (an
// asynchronous compile waits for the main thread to finish other work before its result
// comes back), with the asynchronous compile as the fallback. docs/size.md has the figures.
function loadWasm(packed, length, url, integrity) {
  var fetched = function () { return compileWasm(url, integrity); };
  if (packed.length !== length) return fetched();
  var bytes, wide = 0;
  if (Uint8Array.fromBase64) {
    try { bytes = Uint8Array.fromBase64(btoa(packed)); } catch (e) { return fetched(); }
  } else {
    bytes = new Uint8Array(length);
    for (var i = 0; i < length; i++) wide |= bytes[i] = packed.charCodeAt(i);
    if (wide > 255) return fetched();
  }
  try {
    return new WebAssembly.Module(bytes);
  } catch (e) {
    return WebAssembly.compile(bytes).catch(fetched);
  }
}
