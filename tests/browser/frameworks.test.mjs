// The package as an integrator installs it: `npm pack` of pkg/, installed into real apps of
// tests/frameworks, built and served as their frameworks do, then driven in Chromium:
// - next: a Next.js App Router app whose Server Component page renders <KommoButton> straight
//   from kommo-oauth-button/react (`next build`, `next start`);
// - sveltekit: a SvelteKit app (Svelte 5, adapter-node) whose page uses
//   <kommo-oauth-button> from kommo-oauth-button/element, server-rendered (`vite build`,
//   `node build`).
// - nuxt: a Nuxt 4 app rendering <KommoButton> from kommo-oauth-button/vue, on its dev
//   server (`nuxt dev`, where a wasm import error was once reported on the first render: the
//   server's output is checked too).
// Each: the button renders, a click opens the consent popup, the console has no error,
// warning or hydration message. It also prints the first-load JavaScript the package adds to
// a Next.js page (the same page without the button is /plain).
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
let browser, next, svelte, nuxt;

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

/** Starts `cmd` in the app `name` and resolves once it says it is listening. */
async function start(name, cmd, argv, extraEnv, ready) {
  const child = spawn(cmd, argv, { cwd: join(work, name), env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.log = '';
  child.stderr.on('data', (d) => { child.log += d; process.stderr.write(d); });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { child.log += d; if (ready.test(String(d))) resolve(); });
    child.once('exit', (code) => reject(new Error(`${name}: ${cmd} exited with ${code}`)));
  });
  return child;
}

before(async () => {
  install('next');
  const nextBin = join(work, 'next', 'node_modules', '.bin', 'next');
  execFileSync(nextBin, ['build'], { cwd: join(work, 'next'), stdio: 'inherit', env });
  const nextPort = await freePort();
  next = { child: await start('next', nextBin, ['start', '-p', String(nextPort), '-H', '127.0.0.1'], {}, /Ready|Local:/i), url: `http://127.0.0.1:${nextPort}` };
  install('sveltekit');
  execFileSync(join(work, 'sveltekit', 'node_modules', '.bin', 'vite'), ['build'], { cwd: join(work, 'sveltekit'), stdio: 'inherit', env });
  const sveltePort = await freePort();
  svelte = { child: await start('sveltekit', 'node', ['build'], { PORT: String(sveltePort), HOST: '127.0.0.1' }, /Listening/i), url: `http://127.0.0.1:${sveltePort}` };
  install('nuxt');
  const nuxtPort = await freePort();
  nuxt = { child: await start('nuxt', join(work, 'nuxt', 'node_modules', '.bin', 'nuxt'), ['dev', '--port', String(nuxtPort), '--host', '127.0.0.1'], { NUXT_TELEMETRY_DISABLED: '1' }, /Local:/), url: `http://127.0.0.1:${nuxtPort}` };
  browser = await launch();
});
after(async () => { await browser?.close(); for (const app of [next, svelte, nuxt]) app?.child.kill(); });

/** Loads `path`; returns the page, what the console said and the scripts it loaded. */
async function load(path, app = next) {
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
  await page.goto(`${app.url}${path}`, { waitUntil: 'networkidle' });
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

test('SvelteKit: the server renders <kommo-oauth-button>, the browser upgrades it; its error event reaches the page', async () => {
  const html = await (await fetch(`${svelte.url}/`)).text();
  assert.match(html, /<kommo-oauth-button[^>]*client-id="svelte-client"/, 'server-rendered markup');
  const { page, noise } = await load('/', svelte);
  await page.waitForSelector('kommo-oauth-button button.kbtn');
  const popupPromise = page.waitForEvent('popup');
  await page.click('kommo-oauth-button button.kbtn');
  const popup = await popupPromise;
  await popup.waitForLoadState();
  assert.equal(new URL(popup.url()).searchParams.get('client_id'), 'svelte-client');
  await page.waitForTimeout(1600); // past the COOP grace: a close is the visitor's
  await popup.close();
  await page.waitForFunction(() => document.getElementById('result').textContent !== '');
  assert.equal(await page.textContent('#result'), 'Not signed in: popup_closed');
  assert.deepEqual(noise, []);
  await page.context().close();
});

test('Nuxt 4 (dev server): the Vue component renders and reports, the server logs no error on the first render', async () => {
  const { page, noise } = await load('/', nuxt);
  await page.waitForSelector('.kommo-host button.kbtn', { timeout: 60000 });
  const popupPromise = page.waitForEvent('popup');
  await page.click('.kommo-host button.kbtn');
  const popup = await popupPromise;
  await popup.waitForLoadState();
  assert.equal(new URL(popup.url()).searchParams.get('client_id'), 'nuxt-client');
  await page.waitForTimeout(1600); // past the COOP grace: a close is the visitor's
  await popup.close();
  await page.waitForFunction(() => document.getElementById('result').textContent !== '');
  assert.equal(await page.textContent('#result'), 'Not signed in: popup_closed');
  assert.deepEqual(noise, []);
  assert.doesNotMatch(nuxt.child.log, /ERROR|Failed to resolve|\[vite\].*error/i, nuxt.child.log);
  await page.context().close();
});
