// npm run bench: the drop-in (dist/button.js + button_bg.wasm) against the plain-JS
// reference in this folder (bench/baseline-button.js), in one run of Debian's
// headless chromium, alternating sides, fresh browser context (cold cache) per page load.
// Prints a table (median, p25–p75, ratio project/baseline) and writes bench/results/*.json.
// A benchmark, not a test: nothing here asserts on timings. `--smoke` runs 3 loads a side.
// `--first-button` measures instead where the first button's time goes (see FIRST_BUTTON).
import { createServer } from 'node:http';
import { readFileSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { join } from 'node:path';
import { launch } from '../tests/browser/harness.mjs';

const root = new URL('..', import.meta.url).pathname;
const smoke = process.argv.includes('--smoke');
// `--runs N`: the whole timing part N times over (one browser), each run's ratios and the
// median of the runs (the README's Performance table is the median of three).
const runsArg = process.argv.indexOf('--runs');
const RUNS = Math.max(1, Number(runsArg > 0 ? process.argv[runsArg + 1] : process.env.BENCH_RUNS || 1));
const LOADS = smoke ? 3 : Number(process.env.BENCH_LOADS || 30);
const CYCLES = smoke ? 500 : 10_000;
const baselinePath = join(root, 'bench', 'baseline-button.js');

const FILES = {
  project: [['/dist/button.js', join(root, 'dist/button.js')], ['/dist/button_bg.wasm', join(root, 'dist/button_bg.wasm')]],
  baseline: [['/bench/baseline-button.js', baselinePath]],
};
// What a page load fetches: button.js carries its wasm (button_bg.wasm is served for the
// legacy-charset fallback only).
const LOADED = { project: FILES.project.slice(0, 1), baseline: FILES.baseline };
const TYPES = { js: 'text/javascript', wasm: 'application/wasm', html: 'text/html; charset=utf-8' };

// `--first-button`: the drop-in cut short at two points, served beside it, to tell apart what
// its first button spends. Each is dist/button.js with one change: "bytes only" puts a bare
// <button> in and stops at its first statement (the download and the parse of the whole file);
// "module, no mount" runs it whole but puts a bare <button> in where it would auto-mount (the
// wasm decoded, compiled and instantiated, the glue set up). The drop-in minus the second is
// the first mount itself. Only the bench page's timing sees them; they are never shipped.
const BARE = 'document.querySelector(".kommo_oauth").before(document.createElement("button"))';
const FIRST_BUTTON = {
  'bytes only': (js) => `${BARE};throw 0;${js}`,
  'module, no mount': (js) => {
    const call = /(\w)\.autoMount\((\w),(\w)\)/;
    if (!call.test(js)) throw new Error('bench: dist/button.js no longer calls `api.autoMount(me, discovery)` as bench/run.mjs expects');
    return js.replace(call, BARE);
  },
};
const VARIANTS = new Map();

function page(side, n) {
  const tags = Array.from({ length: n }, (_, i) =>
    `<script class="kommo_oauth" type="application/json" data-client-id="client-${i}" data-title="Continue with Kommo"></script>`).join('\n');
  const src = side === 'project' ? '/dist/button.js' : side === 'baseline' ? '/bench/baseline-button.js' : `/variant/${encodeURIComponent(side)}.js`;
  return `<!doctype html><html><head><meta charset="utf-8"><script>
window.__t = {};
new MutationObserver(function () {
  var n = document.getElementsByTagName('button').length;
  if (n && !__t.first) __t.first = performance.now();
  if (n >= ${n} && !__t.all) __t.all = performance.now();
}).observe(document.documentElement, { childList: true, subtree: true });
</script></head><body>${tags}<script src="${src}"></script></body></html>`;
}

const HEAP_PAGE = `<!doctype html><html><head><meta charset="utf-8"></head><body><div id="host"></div><script type="module">
import init, { mount } from '/pkg/kommo_oauth_button.js';
const wasm = await init();
window.cycle = (n) => { const host = document.getElementById('host');
  for (let i = 0; i < n; i++) { const h = mount(host, { clientId: 'c' + i, title: 'Continue with Kommo' }); h.destroy(); h.free(); } };
window.wasmBytes = () => wasm.memory.buffer.byteLength;
window.ready = true;
</script></body></html>`;

// A markup flood (docs/security.md): 2,000 user posts appended one by one, each with a form
// whose controls are named like DOM methods, elements with the class and nothing to render,
// and every 100th a real config element. Main-thread time until the observer's batch ran.
const floodPage = (side) => page(side, 1).replace('</body>', `<div id="posts"></div><script>
window.flood = async () => {
  const posts = document.getElementById('posts');
  const t0 = performance.now();
  for (let i = 0; i < 2000; i += 1) {
    const post = document.createElement('article');
    post.innerHTML = '<form><input name="querySelectorAll"><input name="matches"></form><div class="kommo_oauth"></div><span class="amocrm_oauth"></span>'
      + (i % 100 === 0 ? '<div class="kommo_oauth" data-client-id="f' + i + '"></div>' : '');
    posts.appendChild(post);
  }
  await new Promise((r) => setTimeout(r, 0));
  return performance.now() - t0;
};
</script></body>`);

const cache = new Map();
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] || '');
  let body, type;
  const m = /^\/page\/([^/]+)\/(\d+)$/.exec(url.pathname);
  const variant = /^\/variant\/([^/]+)\.js$/.exec(url.pathname);
  if (m) [body, type] = [page(decodeURIComponent(m[1]), Number(m[2])), TYPES.html];
  else if (variant && VARIANTS.has(decodeURIComponent(variant[1]))) [body, type] = [VARIANTS.get(decodeURIComponent(variant[1])), TYPES.js];
  else if (url.pathname === '/heap') [body, type] = [HEAP_PAGE, TYPES.html];
  else if (url.pathname.startsWith('/flood/')) [body, type] = [floodPage(url.pathname.slice(7)), TYPES.html];
  else {
    const file = [...FILES.project, ...FILES.baseline].find(([p]) => p === url.pathname)?.[1]
      ?? (url.pathname.startsWith('/pkg/') ? join(root, url.pathname) : null);
    if (!file || !existsSync(file)) return res.writeHead(404).end();
    body = readFileSync(file);
    type = TYPES[file.split('.').pop()] || 'application/octet-stream';
  }
  const headers = { 'content-type': type, 'cache-control': 'no-store' };
  if (gzip) {
    if (!cache.has(body)) cache.set(body, gzipSync(body, { level: 9 }));
    body = cache.get(body);
    headers['content-encoding'] = 'gzip';
  }
  res.writeHead(200, headers).end(body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return { median: q(0.5), p25: q(0.25), p75: q(0.75), min: s[0], max: s[s.length - 1], n: s.length };
};

// `BENCH_JS_FLAGS`: V8 flags for an experiment (say `--no-wasm-lazy-compilation`, every wasm
// function compiled with the module instead of on its first call); the figures then say what
// that engine would do, not what pages get.
const browser = await launch(process.env.BENCH_JS_FLAGS ? [`--js-flags=${process.env.BENCH_JS_FLAGS}`] : []);
async function load(side, n) {
  const context = await browser.newContext();
  const p = await context.newPage();
  await p.goto(`${origin}/page/${encodeURIComponent(side)}/${n}`);
  await p.waitForFunction(() => window.__t.all, null, { timeout: 30000 });
  const t = await p.evaluate(() => ({
    ...window.__t,
    // When the page asked for the button's script (the page's own parse comes before).
    request: performance.getEntriesByType('resource').find((e) => e.initiatorType === 'script')?.requestStart,
  }));
  // Click → window.open, synchronously inside the handler (window.open is stubbed: no window).
  t.click = await p.evaluate(() => {
    let opened = 0;
    window.open = () => { opened = performance.now(); return null; };
    console.error = () => {};
    const b = document.querySelector('button');
    const t0 = performance.now();
    b.click();
    return opened ? opened - t0 : NaN;
  });
  await context.close();
  return t;
}

// `--first-button`: the drop-in, its two cut-short copies (FIRST_BUTTON) and the plain-JS
// button, alternating, LOADS cold loads each of the one-tag page, three ways of telling the
// first button's time apart. Prints the table and exits.
async function firstButton() {
  const dropIn = readFileSync(join(root, 'dist/button.js'), 'latin1');
  for (const [name, cut] of Object.entries(FIRST_BUTTON)) VARIANTS.set(name, Buffer.from(cut(dropIn), 'latin1'));
  const sides = ['project', ...VARIANTS.keys(), 'baseline'];
  const times = Object.fromEntries(sides.map((side) => [side, { nav: [], request: [] }]));
  for (let i = 0; i < LOADS; i++) {
    for (let k = 0; k < sides.length; k++) {
      const side = sides[(i + k) % sides.length];
      const t = await load(side, 1);
      times[side].nav.push(t.first);
      times[side].request.push(t.first - t.request);
    }
  }
  const median = (side, key) => stats(times[side][key]).median;
  const label = { project: 'the drop-in', baseline: 'the plain-JS button' };
  console.log(`\nThe first button, one tag, ${LOADS} cold loads each, alternating; medians in ms`);
  console.table(sides.map((side) => ({
    page: label[side] || `the drop-in, ${side}`,
    'from navigation start': +median(side, 'nav').toFixed(1),
    'ratio to plain JS': +(median(side, 'nav') / median('baseline', 'nav')).toFixed(2),
    "from the script's request": +median(side, 'request').toFixed(1),
  })));
  const step = (a, b) => +(median(a, 'request') - median(b, 'request')).toFixed(1);
  console.log("Of the drop-in's extra time from the script's request (ms):");
  console.table([
    { part: 'its bytes: download and parse', ms: step('bytes only', 'baseline') },
    { part: 'the wasm decoded, compiled, instantiated; the glue', ms: step('module, no mount', 'bytes only') },
    { part: 'the first mount', ms: step('project', 'module, no mount') },
  ]);
}
if (process.argv.includes('--first-button')) {
  await firstButton();
  await browser.close();
  server.close();
  process.exit(0);
}

async function measureRun() {
const metrics = {};
const record = (key, side, value) => ((metrics[key] ||= { project: [], baseline: [] })[side].push(value));
for (const n of [1, 100, 1000]) {
  const loads = n === 1000 ? Math.max(3, Math.ceil(LOADS / 3)) : LOADS;
  for (let i = 0; i < loads; i++) {
    for (const side of i % 2 ? ['baseline', 'project'] : ['project', 'baseline']) {
      const t = await load(side, n);
      if (n === 1) {
        record('first button (ms from navigation start)', side, t.first);
        record('click → window.open (ms)', side, t.click);
      }
      record(`all ${n} button${n > 1 ? 's' : ''} (ms from navigation start)`, side, t.all);
    }
  }
}

// The markup flood, a few loads a side.
for (let i = 0; i < Math.max(3, Math.ceil(LOADS / 6)); i++) {
  for (const side of i % 2 ? ['baseline', 'project'] : ['project', 'baseline']) {
    const context = await browser.newContext();
    const p = await context.newPage();
    await p.goto(`${origin}/flood/${side}`);
    await p.waitForFunction(() => window.__t.all, null, { timeout: 30000 });
    record('markup flood: 2,000 posts appended (main-thread ms)', side, await p.evaluate(() => window.flood()));
    await context.close();
  }
}
return metrics;
}

const runs = [];
for (let r = 0; r < RUNS; r++) runs.push(await measureRun());
// The tables below pool every run's loads; `--runs` adds one row per metric with each run's
// ratio and their median.
const metrics = {};
for (const run of runs) {
  for (const [key, v] of Object.entries(run)) {
    metrics[key] ||= { project: [], baseline: [] };
    metrics[key].project.push(...v.project);
    metrics[key].baseline.push(...v.baseline);
  }
}

// Heap: programmatic mount/destroy cycles (the project only: the baseline has no API).
const heap = {};
{
  const context = await browser.newContext();
  const p = await context.newPage();
  await p.goto(`${origin}/heap`);
  await p.waitForFunction(() => window.ready);
  const cdp = await context.newCDPSession(p);
  const measure = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    return { jsHeap: usedSize, wasmMemory: await p.evaluate(() => window.wasmBytes()) };
  };
  // Warm up first (JIT code and inline caches are heap too), then look for a trend.
  await p.evaluate((n) => window.cycle(n), Math.ceil(CYCLES / 10));
  heap['after warm-up'] = await measure();
  for (let round = 1; round <= 3; round++) {
    await p.evaluate((n) => window.cycle(n), CYCLES);
    heap[`after ${round * CYCLES} more`] = await measure();
  }
  await context.close();
}
await browser.close();
server.close();

const sizes = {};
for (const [side, files] of Object.entries(LOADED)) {
  sizes[side] = files.map(([url, file]) => {
    const b = readFileSync(file);
    return { file: url, raw: b.length, gzip: gzipSync(b, { level: 9 }).length, brotli: brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length };
  });
}
const total = (side, k) => sizes[side].reduce((a, f) => a + f[k], 0);

const rows = [];
for (const k of ['raw', 'gzip', 'brotli']) {
  rows.push({ metric: `bytes, all files (${k})`, project: total('project', k), baseline: total('baseline', k), ratio: +(total('project', k) / total('baseline', k)).toFixed(2) });
}
for (const side of ['project', 'baseline']) for (const f of sizes[side]) {
  rows.push({ metric: `  ${f.file} gzip / brotli`, project: side === 'project' ? `${f.gzip} / ${f.brotli}` : '', baseline: side === 'baseline' ? `${f.gzip} / ${f.brotli}` : '', ratio: '' });
}
const summary = {};
for (const [key, v] of Object.entries(metrics)) {
  const a = stats(v.project), b = stats(v.baseline);
  summary[key] = { project: a, baseline: b, ratio: a.median / b.median };
  const fmt = (s) => `${s.median.toFixed(2)} (${s.p25.toFixed(2)}–${s.p75.toFixed(2)}; ${s.min.toFixed(1)}–${s.max.toFixed(1)}, n=${s.n})`;
  rows.push({ metric: key, project: fmt(a), baseline: fmt(b), ratio: +(a.median / b.median).toFixed(2) });
}
const h = Object.entries(heap);
for (const [label, m] of h) rows.push({ metric: `heap ${label} (JS / wasm memory, bytes)`, project: `${m.jsHeap} / ${m.wasmMemory}`, baseline: 'n/a', ratio: '' });

console.log(`\nkommo-oauth-button vs baseline-button.js — ${LOADS} loads a side (1000-tag page: ${Math.max(3, Math.ceil(LOADS / 3))})${RUNS > 1 ? ` in each of ${RUNS} runs, pooled` : ''}, medians with p25–p75 and min–max`);
console.table(rows);
const perRun = {};
if (RUNS > 1) {
  const median = (xs) => stats(xs).median;
  const table = [];
  for (const key of Object.keys(metrics)) {
    const ratios = runs.map((run) => median(run[key].project) / median(run[key].baseline));
    const projects = runs.map((run) => median(run[key].project));
    perRun[key] = { ratios, project: projects, medianRatio: median(ratios), medianProject: median(projects) };
    table.push({
      metric: key,
      ...Object.fromEntries(ratios.map((r, i) => [`run ${i + 1}`, `${r.toFixed(2)}× (${projects[i].toFixed(1)})`])),
      median: `${median(ratios).toFixed(2)}× (${median(projects).toFixed(1)})`,
    });
  }
  console.log(`\nEach run: ratio to the plain-JS button (the project's median in ms); the median of the ${RUNS} runs`);
  console.table(table);
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
const out = { date: new Date().toISOString(), smoke, loads: LOADS, runs: RUNS, cycles: CYCLES, sizes, timings: summary, perRun, heap };
const file = join(root, 'bench', 'results', smoke ? 'smoke.json' : 'latest.json');
writeFileSync(file, JSON.stringify(out, null, 2));
console.log(`results written to ${file}`);
