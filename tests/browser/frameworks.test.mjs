// The package as an integrator installs it: `npm pack` of pkg/, installed into a Next.js App
// Router app (tests/frameworks/next: a Server Component page rendering <KommoButton> straight
// from kommo-oauth-button/react), built with `next build` and served with `next start`, then
// driven in Chromium: the button renders, a click opens the consent popup, the console has no
// error, warning or hydration message. It also prints the first-load JavaScript the package
// adds to a page (the same page without the button is /plain).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launch, root } from './harness.mjs';

const work = join(root, 'target', 'frameworks');
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
let browser, next;

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Packs pkg/ as npm publishes it and installs the app `name` from tests/frameworks with it. */
function install(name) {
  rmSync(join(work, name), { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  for (const f of readdirSync(work)) if (f.endsWith('.tgz')) rmSync(join(work, f));
  execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: join(root, 'pkg'), stdio: 'ignore' });
  renameSync(join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))), join(work, 'kommo-oauth-button.tgz'));
  cpSync(join(root, 'tests', 'frameworks', name), join(work, name), { recursive: true });
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: join(work, name), stdio: 'inherit', env });
}

before(async () => {
  install('next');
  execFileSync(join(work, 'next', 'node_modules', '.bin', 'next'), ['build'], { cwd: join(work, 'next'), stdio: 'inherit', env });
  const port = await freePort();
  const child = spawn(join(work, 'next', 'node_modules', '.bin', 'next'), ['start', '-p', String(port), '-H', '127.0.0.1'], { cwd: join(work, 'next'), env, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { if (/Ready|started server|Local:/i.test(String(d))) resolve(); });
    child.once('exit', (code) => reject(new Error(`next start exited with ${code}`)));
  });
  next = { child, url: `http://127.0.0.1:${port}` };
  browser = await launch();
});
after(async () => { await browser?.close(); next?.child.kill(); });

/** Loads `path`; returns the page, what the console said and the scripts it loaded. */
async function load(path) {
  const context = await browser.newContext();
  await context.route('https://www.kommo.com/**', (r) => r.fulfill({ contentType: 'text/html', body: '<p>consent</p>' }));
  const page = await context.newPage();
  const noise = [];
  const scripts = [];
  page.on('console', (m) => { if (['error', 'warning'].includes(m.type())) noise.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => noise.push(`pageerror: ${e}`));
  page.on('response', async (r) => {
    if (r.status() >= 400) noise.push(`${r.status()} ${r.url()}`);
    if (/javascript/.test(r.headers()['content-type'] ?? '')) scripts.push(r.body().then((b) => ({ url: r.url(), bytes: b })));
  });
  await page.goto(`${next.url}${path}`, { waitUntil: 'networkidle' });
  return { page, noise, scripts };
}

test('Next.js App Router: a Server Component page renders <KommoButton> from the packed package, no console error, no hydration warning', async () => {
  const { page, noise } = await load('/');
  await page.waitForSelector('.kommo-host button.kbtn');
  const popupPromise = page.waitForEvent('popup');
  await page.click('.kommo-host button.kbtn');
  const popup = await popupPromise;
  await popup.waitForLoadState();
  assert.equal(new URL(popup.url()).searchParams.get('client_id'), 'next-client');
  assert.equal(new URL(popup.url()).searchParams.get('mode'), 'post_message');
  await page.waitForTimeout(200);
  assert.deepEqual(noise, []);
  await page.context().close();
});

test('Next.js App Router: the first-load JavaScript the package adds (printed, not asserted)', async () => {
  const sizes = {};
  for (const path of ['/', '/plain']) {
    const { page, scripts } = await load(path);
    if (path === '/') await page.waitForSelector('.kommo-host button.kbtn');
    const loaded = await Promise.all(scripts);
    sizes[path] = loaded.reduce((a, s) => ({ raw: a.raw + s.bytes.length, gzip: a.gzip + gzipSync(s.bytes, { level: 9 }).length }), { raw: 0, gzip: 0 });
    await page.context().close();
  }
  const added = { raw: sizes['/'].raw - sizes['/plain'].raw, gzip: sizes['/'].gzip - sizes['/plain'].gzip };
  console.log(`[frameworks] Next.js first-load JS: with the button ${sizes['/'].gzip} B gzipped, without ${sizes['/plain'].gzip} B; the package adds ${added.gzip} B gzipped (${added.raw} B raw), and its wasm loads on mount`);
  assert.ok(added.raw > 0);
});
