// npm run build: pkg/ (the npm package, wasm-pack --target web), dist/ (the drop-in:
// button.js + button_bg.wasm, and callback.js for the Redirect URI page), each wasm run
// through binaryen's wasm-opt -Oz, and www/dist/ (the gallery, webpack); then prints the
// gzipped bytes of what the drop-in loads.
import { execSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { minify } from 'terser';

const root = new URL('..', import.meta.url).pathname;
process.env.PATH = `${join(homedir(), '.cargo', 'bin')}:${join(root, 'node_modules', '.bin')}:${process.env.PATH}`;
const sh = (cmd) => execSync(cmd, { stdio: 'inherit', cwd: root });
const WASM_OPT_FEATURES = '--enable-bulk-memory --enable-reference-types --enable-multivalue --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals';

function wasmOpt(file) {
  sh(`wasm-opt -Oz ${WASM_OPT_FEATURES} --strip-debug --strip-producers -o ${file} ${file}`);
}

// 1. The npm package.
sh('wasm-pack build --release --target web --out-dir pkg --out-name kommo_oauth_button');
wasmOpt('pkg/kommo_oauth_button_bg.wasm');

// 2. The drop-in: the no-modules glue wrapped in a loader that finds its wasm by its own URL.
const tmp = join(root, 'target', 'dropin');
rmSync(tmp, { recursive: true, force: true });
sh(`wasm-pack build --release --target no-modules --out-dir ${tmp} --out-name button --no-pack`);
mkdirSync(join(root, 'dist'), { recursive: true });
copyFileSync(join(tmp, 'button_bg.wasm'), join(root, 'dist', 'button_bg.wasm'));
wasmOpt('dist/button_bg.wasm');
const glue = readFileSync(join(tmp, 'button.js'), 'utf8');

async function loader(template, out) {
  const source = readFileSync(join(root, 'js', template), 'utf8').replace('/*__GLUE__*/', () => glue);
  const { code } = await minify(source, { compress: { passes: 2 }, mangle: true, format: { comments: false } });
  writeFileSync(join(root, 'dist', out), code);
}
await loader('button-loader.js', 'button.js');
await loader('callback-loader.js', 'callback.js');

// 3. The demo gallery, bundled from the npm package.
sh('webpack --no-stats');

// 4. What the drop-in costs a visitor.
const row = (file) => {
  const bytes = readFileSync(join(root, 'dist', file));
  const gz = gzipSync(bytes, { level: 9 }).length;
  const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  return { file, raw: bytes.length, gzip: gz, brotli: br };
};
const rows = [row('button.js'), row('button_bg.wasm')];
console.log('\nWhat the drop-in loads (dist/):');
console.table(rows);
const total = rows.reduce((a, r) => ({ raw: a.raw + r.raw, gzip: a.gzip + r.gzip, brotli: a.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
console.log(`TOTAL drop-in: ${total.raw} bytes raw, ${total.gzip} bytes gzipped, ${total.brotli} bytes brotli`);
writeFileSync(join(root, 'dist', 'size.json'), JSON.stringify({ files: rows, total }, null, 2));
