// npm run build: pkg/ (the npm package, wasm-pack --target web), dist/ (the drop-in:
// button.js + button_bg.wasm, and callback.js + callback_bg.wasm for the Redirect URI page), each wasm run
// through binaryen's wasm-opt -Oz, and www/dist/ (the gallery, webpack); then prints the
// gzipped bytes of what the drop-in loads.
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { minify } from 'terser';
import { BUDGET_BYTES } from './size.mjs';
import { requireTools } from './tools.mjs';

const root = new URL('..', import.meta.url).pathname;
process.env.PATH = `${join(root, 'node_modules', '.bin')}:${process.env.PATH}`;
// wasm-pack and the wasm-bindgen CLI from target/tools, at their pinned versions, or one
// error naming the bootstrap. wasm-pack runs in its no-install mode: it never installs a tool.
requireTools();
const WASM_PACK = 'wasm-pack build --mode no-install';
const sh = (cmd, env = {}) => execSync(cmd, { stdio: 'inherit', cwd: root, env: { ...process.env, ...env } });

// The size build of the drop-ins: std, core and alloc compiled from source (`-Z build-std`,
// the rust-src component) with `panic = immediate-abort`, so every panic site is a trap and
// no panic message, location or `core::fmt` code is shipped (measured in docs/size.md).
// Those options are unstable. Why RUSTC_BOOTSTRAP rather than a pinned
// nightly: a nightly toolchain is a 250 MB download that `npm test` would have to install on
// every fresh machine, and this project's Rust code is otherwise stable; RUSTC_BOOTSTRAP lets
// the stable toolchain accept these flags for these builds only (their own target dir). There
// is no fallback: if this build fails, `npm run build` fails and says why, rather than
// shipping a different, larger drop-in.
//
// Its memory puts the static data first, at 1,024, and the stack after it
// (`--no-stack-first`): every address of a string or a static is then a two-byte constant
// instead of a four-byte one above the 1 MiB stack (−207 bytes gzipped), and the first
// kilobyte is never touched, which lets wasm-opt fold address arithmetic
// (`--low-memory-unused`). What that gives up: a stack that overflowed would write over the
// statics instead of trapping. What keeps it far from that: the code recurses nowhere but
// through drops and closures, whose depth is the structures' own; sign-ins a page re-enters
// from their own reports nest at most four deep (`attempt::nested`); the deepest path
// measured uses a few kilobytes of the 1 MiB (docs/size.md, "Memory layout").
const SIZE_BUILD = {
  RUSTC_BOOTSTRAP: '1',
  RUSTFLAGS: '-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Clink-arg=--no-stack-first',
  CARGO_TARGET_DIR: join(root, 'target', 'size'),
};
// Finding the page's elements: crates/web/js/discover.js, pasted into the drop-ins, shipped
// with the npm package's LeadExec entry.
const DISCOVER = join(root, 'crates', 'web', 'js', 'discover.js');
const SIZE_BUILD_ARGS = '-Z build-std=std,panic_abort';
const WASM_OPT_FEATURES = '--enable-bulk-memory --enable-reference-types --enable-multivalue --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals';

// `--flatten --rereloop` first lets -Oz restructure control flow, and `--monomorphize`
// then specialises functions called with constants (smaller; docs/size.md). A size build's
// first kilobyte of memory is unused (SIZE_BUILD), which wasm-opt is told.
function wasmOpt(file, { sizeBuild = false } = {}) {
  const lowMemory = sizeBuild ? '--low-memory-unused ' : '';
  sh(`wasm-opt ${lowMemory}--flatten --rereloop -Oz --converge --monomorphize -Oz ${WASM_OPT_FEATURES} --strip-debug --strip-producers --strip-target-features -o ${file} ${file}`);
}

// Trims the drop-in's glue. Its import and export names (`__wbg_setAttribute_f75317b2…`)
// appear in both files and compress badly (hashes): binaryen renames them in the wasm to one
// or two letters and prints the mapping, which is applied to the glue here; `initSync` is
// left for the minifier to drop. Fails the build if the glue does not read as expected,
// rather than shipping a wasm it cannot instantiate.
function trimGlue(file, glue, name) {
  const map = JSON.parse(execSync(`wasm-opt ${WASM_OPT_FEATURES} --minify-imports-and-exports-and-modules -o ${file} ${file}`, { cwd: root }).toString());
  const swap = (text, from, to) => {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`build: ${from} is not in the ${name} glue`);
    return next;
  };
  const word = (s) => new RegExp(`\\b${s.replace(/[.$]/g, '\\$&')}\\b`, 'g');
  // binaryen names every import module "a".
  glue = swap(glue, `"./${name}_bg.js": import0`, '"a": import0');
  // The loaders pass the wasm themselves: the glue's own guess from document.currentScript
  // (which a named element can shadow, or make throw) is not needed.
  glue = swap(glue, /    if \(typeof document !== 'undefined' && document\.currentScript !== null\) \{\n.*\n    \}\n/, '');
  // The loaders always initialise asynchronously, and always with `{ module_or_path }` holding
  // a compiled module (or a promise of one): the glue's handling of paths, URLs, requests,
  // responses (streaming, the MIME-type fallback) and of the deprecated arguments is not
  // needed.
  glue = swap(glue, 'return Object.assign(__wbg_init, { initSync }, exports);', 'return Object.assign(__wbg_init, exports);');
  glue = swap(glue, /    async function __wbg_init_once\(module_or_path\) \{\n[\s\S]*?\n        return __wbg_finalize_init\(instance, module\);\n    \}\n/, `    async function __wbg_init_once({ module_or_path }) {
        const module = await module_or_path;
        const instance = await WebAssembly.instantiate(module, __wbg_get_imports());
        return __wbg_finalize_init(instance, module);
    }
`);
  glue = swap(glue, /    async function __wbg_load\(module, imports\) \{\n[\s\S]*?\n    \}\n\n    function initSync/, '    function initSync');
  // The drop-ins run only where wasm with reference types does (Chrome 96, Firefox 79,
  // Safari 15), which all have FinalizationRegistry and TextEncoder.prototype.encodeInto: the
  // glue's fallbacks for engines without them go. Every string the glue passes gets the
  // allocator's realloc, so its path for a missing one goes too.
  if (glue.includes('FinalizationRegistry')) {
    glue = swap(glue, /\(typeof FinalizationRegistry === 'undefined'\)\n\s*\? \{ register: \(\) => \{\}, unregister: \(\) => \{\} \}\n\s*: new FinalizationRegistry/, 'new FinalizationRegistry');
  }
  glue = swap(glue, /    if \(!\('encodeInto' in cachedTextEncoder\)\) \{\n[\s\S]*?\n    \}\n/, '');
  // An empty decode right after the decoder is made: a warm-up that buys nothing here (the
  // first string the wasm passes decodes the same).
  glue = swap(glue, '    cachedTextDecoder.decode();\n', '');
  if (/passStringToWasm0\([^)]*, wasm\.__wbindgen_malloc\)/.test(glue)) throw new Error(`build: the ${name} glue passes a string without realloc`);
  glue = swap(glue, /        if \(realloc === undefined\) \{\n[\s\S]*?\n        \}\n/, '');
  // Each import that may throw is two functions, `function () { return handleError(function
  // (args) { body }, arguments); }`: the engine compiles both on the first call, and every
  // call copies its arguments. One function with its own `try` does the same (the exception
  // stored for the wasm, `undefined` returned) with one compile and no copy.
  const catching = /function\(\) \{ return handleError\(function \(([^)]*)\) \{\n([\s\S]*?)\n {12}\}, arguments\); \}/g;
  if (!catching.test(glue)) throw new Error(`build: no import of the ${name} glue is wrapped in handleError`);
  glue = glue.replace(catching, (_, args, body) => `function (${args}) { try {\n${body}\n            } catch (e) { handleError(e); } }`);
  glue = swap(glue, /    function handleError\(f, args\) \{\n        try \{\n            return f\.apply\(this, args\);\n        \} catch \(e\) \{\n([\s\S]*?)\n        \}\n    \}\n/, (_, store) => `    function handleError(e) {\n${store}\n    }\n`);
  if (glue.includes('handleError(function')) throw new Error(`build: an import of the ${name} glue still calls handleError the old way`);
  for (const [, from, to] of map.imports) glue = swap(glue, word(from), to);
  for (const [from, to] of map.exports) {
    if (glue.includes(`wasm.${from}`)) glue = swap(glue, word(`wasm.${from}`), `wasm.${to}`);
  }
  return glue;
}

// 1. The npm package: two entry points, so that an app that only mounts buttons does not
//    load the Redirect URI helper (and neither loads the drop-in's auto-mount):
//    `kommo-oauth-button` (mount: the root crate, src/), `kommo-oauth-button/callback`
//    (completeSignIn: crates/callback, with its panic hook) and `kommo-oauth-button/leadexec`
//    (enhance, refresh, disconnect, setOrigin: crates/leadexec, with its panic hook).
// The npm entry is built like the drop-in (the size build; its panics are traps): docs/size.md.
sh(`${WASM_PACK} . --release --target web --out-dir pkg --out-name kommo_oauth_button -- ${SIZE_BUILD_ARGS}`, SIZE_BUILD);
wasmOpt('pkg/kommo_oauth_button_bg.wasm', { sizeBuild: true });
sh(`${WASM_PACK} crates/callback --release --target web --out-dir ../../pkg/callback --out-name kommo_oauth_callback --no-pack -- --features panic-hook`);
wasmOpt('pkg/callback/kommo_oauth_callback_bg.wasm');
sh(`${WASM_PACK} crates/leadexec --release --target web --out-dir ../../pkg/leadexec --out-name kommo_oauth_leadexec --no-pack -- --features panic-hook`);
wasmOpt('pkg/leadexec/kommo_oauth_leadexec_bg.wasm');
await packagePkg();

// The published package: metadata, an exports map, a README for package users, the
// LICENSE, and (below, once built) the drop-in files under dist/ for CDN script tags.
/**
 * Copies a hand-written browser module of js/ into the package without its comments (they
 * are the repository's documentation, and the declarations carry the API's): the code keeps
 * its names and lines, and directives such as 'use client' stay. Each entry's size counts
 * toward its budget (docs/size.md).
 */
async function copyModule(from, to) {
  const { code } = await minify(readFileSync(join(root, 'js', from), 'utf8'), { module: true, compress: false, mangle: false, format: { comments: false, beautify: true } });
  writeFileSync(join(root, 'pkg', to), `${code}\n`);
}

async function packagePkg() {
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(root, 'pkg', 'package.json'), 'utf8'));
  const repository = gitRemote() || rootPkg.repository;
  Object.assign(pkg, {
    keywords: ['kommo', 'amocrm', 'oauth', 'sign-in', 'login-button', 'webassembly', 'wasm'],
    exports: {
      '.': { types: './index.d.ts', import: './index.js', default: './index.js' },
      './callback': { types: './callback/index.d.ts', import: './callback/index.js', default: './callback/index.js' },
      './kommo_oauth_button_bg.wasm': './kommo_oauth_button_bg.wasm',
      './callback/kommo_oauth_callback_bg.wasm': './callback/kommo_oauth_callback_bg.wasm',
      './leadexec': { types: './leadexec/index.d.ts', import: './leadexec/index.js', default: './leadexec/index.js' },
      './leadexec/kommo_oauth_leadexec_bg.wasm': './leadexec/kommo_oauth_leadexec_bg.wasm',
      './server': { types: './server/index.d.ts', import: './server/index.js', default: './server/index.js' },
      './react': { types: './react/index.d.ts', import: './react/index.js', default: './react/index.js' },
      './vue': { types: './vue/index.d.ts', import: './vue/index.js', default: './vue/index.js' },
      './element': { types: './element/index.d.ts', import: './element/index.js', default: './element/index.js' },
      './dist/*': './dist/*',
      './package.json': './package.json',
    },
    main: 'index.js',
    module: 'index.js',
    types: 'index.d.ts',
    // Importing /element defines the tag: bundlers must keep it.
    sideEffects: [...(pkg.sideEffects ?? []), './element/index.js'],
    files: [...pkg.files, 'index.js', 'index.d.ts', 'wasm-init.js', 'discover.js', 'callback/index.js', 'callback/index.d.ts', 'leadexec/index.js', 'leadexec/index.d.ts', 'callback/kommo_oauth_callback.js', 'callback/kommo_oauth_callback.d.ts', 'callback/kommo_oauth_callback_bg.wasm',
      'leadexec/kommo_oauth_leadexec.js', 'leadexec/kommo_oauth_leadexec.d.ts', 'leadexec/kommo_oauth_leadexec_bg.wasm',
      'server/index.js', 'server/index.d.ts', 'components.js', 'react/index.js', 'react/index.d.ts', 'vue/index.js', 'vue/index.d.ts',
      'element/index.js', 'element/index.d.ts',
      'dist/', 'README.md', 'LICENSE'],
    peerDependencies: { react: '>=18', vue: '>=3.3' },
    peerDependenciesMeta: { react: { optional: true }, vue: { optional: true } },
  });
  const repositoryUrl = typeof repository === 'string' ? repository : repository?.url;
  if (repositoryUrl && /^(git\+)?https:\/\//.test(repositoryUrl)) {
    pkg.repository = repository;
    pkg.homepage = repositoryUrl.replace(/^git\+/, '').replace(/\.git$/, '') + '#readme';
  } else {
    delete pkg.repository;
    delete pkg.homepage;
    delete pkg.bugs;
    console.warn('build: no https git remote and no https "repository" in package.json: pkg/package.json has no repository, homepage or bugs');
  }
  writeFileSync(join(root, 'pkg', 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  copyFileSync(join(root, 'LICENSE'), join(root, 'pkg', 'LICENSE'));
  copyFileSync(join(root, 'docs', 'package-README.md'), join(root, 'pkg', 'README.md'));
  // kommo-oauth-button/server: plain Node ESM, no wasm (the back end half of a sign-in).
  mkdirSync(join(root, 'pkg', 'server'), { recursive: true });
  copyFileSync(join(root, 'js', 'server.js'), join(root, 'pkg', 'server', 'index.js'));
  copyFileSync(join(root, 'js', 'server.d.ts'), join(root, 'pkg', 'server', 'index.d.ts'));
  // Each entry is a hand-written module over its glue, with the documented API only (the
  // browser-only init and the before-init guard, js/wasm-init.js); the build only renames.
  await copyModule('wasm-init.js', 'wasm-init.js');
  await copyModule('index.js', 'index.js');
  copyFileSync(join(root, 'js', 'index.d.ts'), join(root, 'pkg', 'index.d.ts'));
  // The LeadExec entry hands the wasm crates/web/js/discover.js, as the drop-in's loader does.
  const { code: discover } = await minify(readFileSync(DISCOVER, 'utf8'), { module: true, compress: false, mangle: false, format: { comments: false, beautify: true } });
  writeFileSync(join(root, 'pkg', 'discover.js'), `${discover}\n`);
  for (const entry of ['callback', 'leadexec']) {
    await copyModule(`${entry}.js`, join(entry, 'index.js'));
    copyFileSync(join(root, 'js', `${entry}.d.ts`), join(root, 'pkg', entry, 'index.d.ts'));
  }
  // The types it re-exports hold under `lib: ["es2022", "dom"]`: the glue's handle class has a
  // `Symbol.dispose` member (the esnext.disposable lib), which its declaration leaves out.
  const glueTypes = join(root, 'pkg', 'kommo_oauth_button.d.ts');
  writeFileSync(glueTypes, readFileSync(glueTypes, 'utf8').replace(/^\s*\[Symbol\.dispose\]\(\): void;\n/m, ''));
  // kommo-oauth-button/react, /vue and /element: components over mount() (react and vue as
  // optional peers), sharing components.js.
  await copyModule('components.js', 'components.js');
  for (const framework of ['react', 'vue', 'element']) {
    mkdirSync(join(root, 'pkg', framework), { recursive: true });
    await copyModule(`${framework}.js`, join(framework, 'index.js'));
    copyFileSync(join(root, 'js', `${framework}.d.ts`), join(root, 'pkg', framework, 'index.d.ts'));
  }
  exportSnippet('pkg/kommo_oauth_button.js', 'sign-in-failure.js', 'SignInFailure');
}

/** Re-exports a class the wasm imports from one of its JS snippets (wasm-bindgen puts them
 * under a hashed folder), so that `import { SignInFailure } from 'kommo-oauth-button'` works. */
function exportSnippet(glueFile, snippet, name) {
  const dir = join(root, dirname(glueFile), 'snippets');
  const found = readdirSync(dir, { recursive: true }).find((f) => f.endsWith(snippet));
  if (!found) throw new Error(`build: ${snippet} is not among the snippets of ${glueFile}`);
  const glue = join(root, glueFile);
  writeFileSync(glue, `${readFileSync(glue, 'utf8')}\nexport { ${name} } from './snippets/${found.split(sep).join('/')}';\n`);
}

/** The repository's public https address, from the git remote: `null` for anything else
 * (a clone's remote is often a local path, which must never reach package.json). */
function gitRemote() {
  try {
    const url = execSync('git config --get remote.origin.url', { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const https = url.startsWith('git@') ? url.replace(/^git@([^:]+):/, 'https://$1/') : url;
    return /^https:\/\/[^/\s]+\/\S+$/.test(https) ? { type: 'git', url: `git+${https}` } : null;
  } catch {
    return null;
  }
}

// 2. The drop-ins: the no-modules glue wrapped in a loader that finds its wasm by its own
//    URL. dist/button.js exports only the auto-mount; dist/callback.js only the helper.
mkdirSync(join(root, 'dist'), { recursive: true });
const PACKED_ESCAPES = { 0x5c: '\\\\', 0x27: "\\'", 0x0a: '\\n', 0x0d: '\\r' };
async function dropin(name, crate, template) {
  const tmp = join(root, 'target', 'dropin', name);
  rmSync(tmp, { recursive: true, force: true });
  const cmd = `${WASM_PACK} crates/${crate} --release --target no-modules --out-dir ${tmp} --out-name ${name} --no-pack -- ${SIZE_BUILD_ARGS}`;
  try {
    sh(cmd, SIZE_BUILD);
  } catch {
    throw new Error(`build: the size build of ${name} failed. It needs the rust-src component (\`rustup component add rust-src\`, which \`npm run bootstrap\` installs); see SIZE_BUILD in scripts/build.mjs.`);
  }
  copyFileSync(join(tmp, `${name}_bg.wasm`), join(root, 'dist', `${name}_bg.wasm`));
  wasmOpt(`dist/${name}_bg.wasm`, { sizeBuild: true });
  const glue = trimGlue(`dist/${name}_bg.wasm`, readFileSync(join(tmp, `${name}.js`), 'utf8'), name);
  // Subresource Integrity: the loader fetches the wasm with the hash of these exact bytes.
  const integrity = `sha384-${createHash('sha384').update(readFileSync(join(root, 'dist', `${name}_bg.wasm`))).digest('base64')}`;
  const common = readFileSync(join(root, 'js', 'loader-common.js'), 'utf8');
  const fill = (text, marker, value) => {
    if (!text.includes(marker)) throw new Error(`build: ${marker} is not in js/${template}`);
    return text.replace(marker, () => value);
  };
  let source = readFileSync(join(root, 'js', template), 'utf8');
  source = fill(source, '/*__LOADER_COMMON__*/', common);
  // Finding the page's elements (crates/web/js/discover.js): an ES module for the npm entry
  // and the wasm tests, pasted here into the loader's scope (the no-modules glue imports no
  // module).
  if (source.includes('/*__DISCOVER__*/')) {
    source = fill(source, '/*__DISCOVER__*/', readFileSync(DISCOVER, 'utf8').replace(/^export var /m, 'var '));
  }
  source = fill(source, '/*__GLUE__*/', glue);
  source = fill(source, '__WASM_INTEGRITY__', integrity);
  const wasmBytes = readFileSync(join(root, 'dist', `${name}_bg.wasm`));
  source = fill(source, '__WASM_LENGTH__', String(wasmBytes.length));
  const { code } = await minify(source, { ecma: 2020, compress: { passes: 3, unsafe_arrows: true, unsafe_methods: true }, mangle: true, format: { comments: false } });
  // After minifying, so terser never re-escapes 50 KB: the wasm as a string literal with one
  // character per byte (U+0000–U+00FF), only the quote, the backslash and line breaks
  // escaped. In UTF-8 that gzips to about 8% more than the wasm file itself, where base64
  // would add about 45% (docs/size.md).
  const packed = `'${[...wasmBytes].map((b) => PACKED_ESCAPES[b] ?? String.fromCharCode(b)).join('')}'`;
  const marker = /(["'])__WASM_PACKED__\1/;
  if (!marker.test(code)) throw new Error(`build: __WASM_PACKED__ is not in the minified ${name}.js`);
  writeFileSync(join(root, 'dist', `${name}.js`), code.replace(marker, () => packed));
}
await dropin('button', 'dropin', 'button-loader.js');
await dropin('callback', 'callback', 'callback-loader.js');
await dropin('le-app-button', 'leadexec', 'le-loader.js');
mkdirSync(join(root, 'pkg', 'dist'), { recursive: true });
for (const file of ['button.js', 'button_bg.wasm', 'callback.js', 'callback_bg.wasm', 'le-app-button.js', 'le-app-button_bg.wasm']) {
  copyFileSync(join(root, 'dist', file), join(root, 'pkg', 'dist', file));
}
// Subresource Integrity of each drop-in script, published with the package
// (dist/integrity.json) and printed as a snippet to paste, with the package's real version.
const DROPIN_SCRIPTS = ['button.js', 'callback.js', 'le-app-button.js'];
const integrity = Object.fromEntries(DROPIN_SCRIPTS.map((file) =>
  [file, `sha384-${createHash('sha384').update(readFileSync(join(root, 'dist', file))).digest('base64')}`]));
const version = JSON.parse(readFileSync(join(root, 'pkg', 'package.json'), 'utf8')).version;
const snippet = cdnSnippet(version, integrity['button.js']);
for (const dir of ['dist', join('pkg', 'dist')]) {
  writeFileSync(join(root, dir, 'integrity.json'), JSON.stringify({ package: 'kommo-oauth-button', version, integrity }, null, 2) + '\n');
  writeFileSync(join(root, dir, 'cdn-snippet.html'), snippet + '\n');
}
// The package README shows the same tag, with this version and hash.
const packageReadme = join(root, 'pkg', 'README.md');
writeFileSync(packageReadme, readFileSync(packageReadme, 'utf8').replaceAll('@VERSION/', `@${version}/`).replace('sha384-HASH', integrity['button.js']));
console.log(`\nThe drop-in from a CDN (kommo-oauth-button@${version}; dist/cdn-snippet.html, hashes in dist/integrity.json):\n${snippet}`);

/** The tag to paste: a defined error callback, the real version, and the script pinned. */
function cdnSnippet(version, hash) {
  return `<script>function onKommoError(e) { console.warn('Kommo sign-in:', e.error); }</script>
<script class="kommo_oauth" data-client-id="YOUR_CLIENT_ID" data-error-callback="onKommoError"
        src="https://cdn.jsdelivr.net/npm/kommo-oauth-button@${version}/dist/button.js"
        integrity="${hash}" crossorigin="anonymous" charset="utf-8"></script>`;
}

// 3. The demo gallery, bundled from the npm package.
sh('webpack --no-stats');

// 4. What the drop-in costs a visitor.
const row = (file) => {
  const bytes = readFileSync(join(root, 'dist', file));
  const gz = gzipSync(bytes, { level: 9 }).length;
  const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  return { file, raw: bytes.length, gzip: gz, brotli: br };
};
// button.js carries its wasm: that one file is what a visitor loads. button_bg.wasm is
// fetched only when the page decodes button.js in a legacy charset (docs/size.md).
const rows = [row('button.js')];
console.log('\nWhat the drop-in loads (dist/):');
console.table([...rows, { ...row('button_bg.wasm'), file: 'button_bg.wasm (only in the legacy-charset fallback)' }]);
const total = rows.reduce((a, r) => ({ raw: a.raw + r.raw, gzip: a.gzip + r.gzip, brotli: a.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
console.log(`TOTAL drop-in: ${total.raw} bytes raw, ${total.gzip} bytes gzipped, ${total.brotli} bytes brotli`);
const rustc = execSync('rustc --version', { encoding: 'utf8' }).trim();
console.log(`Drop-ins and the npm entry built with the size build (${rustc}, RUSTC_BOOTSTRAP=1 ${SIZE_BUILD_ARGS}, ${SIZE_BUILD.RUSTFLAGS}); the npm /callback and /leadexec entries with the standard release profile.`);
console.log(total.gzip <= BUDGET_BYTES
  ? `Budget: ${total.gzip} of ${BUDGET_BYTES} bytes gzipped (${BUDGET_BYTES - total.gzip} to spare).`
  : `Budget: OVER by ${total.gzip - BUDGET_BYTES} bytes gzipped (${total.gzip} of ${BUDGET_BYTES}): npm test will fail (docs/size.md).`);
writeFileSync(join(root, 'dist', 'size.json'), JSON.stringify({ files: rows, total, budget: BUDGET_BYTES, rustc }, null, 2));
