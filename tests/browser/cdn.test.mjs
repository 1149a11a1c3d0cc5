// The CDN snippet the build prints (dist/cdn-snippet.html), pasted as is into a page, with the
// package's files served from the CDN address it names (jsDelivr's layout, with its CORS
// header): the button renders and signs in, the integrity pin holds, the console stays quiet.
// And the package's ES module imported from the same CDN path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, root } from './harness.mjs';

const SITE = 'https://site.example';
const TYPES = { js: 'text/javascript', wasm: 'application/wasm', json: 'application/json' };
const version = JSON.parse(readFileSync(join(root, 'pkg', 'package.json'), 'utf8')).version;
const CDN = `https://cdn.jsdelivr.net/npm/kommo-oauth-button@${version}/`;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function page(html, { tamper = false } = {}) {
  const ctx = await browser.newContext();
  await ctx.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(CDN)) {
      let body = readFileSync(join(root, 'pkg', url.slice(CDN.length).split('?')[0]));
      if (tamper && url.endsWith('/dist/button.js')) body = Buffer.concat([body, Buffer.from('\n;')]);
      return route.fulfill({ status: 200, contentType: TYPES[url.split('.').pop()] ?? 'text/plain', headers: { 'access-control-allow-origin': '*' }, body });
    }
    if (url.startsWith(SITE)) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    return route.fulfill({ status: 200, contentType: 'text/html', body: '<p>consent</p>' });
  });
  const p = await ctx.newPage();
  p.noise = [];
  p.on('console', (m) => { if (['error', 'warning'].includes(m.type())) p.noise.push(m.text()); });
  p.on('pageerror', (e) => p.noise.push(String(e)));
  await p.goto(`${SITE}/`);
  return p;
}

test('the printed CDN snippet pastes as is: the real version, a defined callback, the hash of the script it names', async () => {
  const snippet = readFileSync(join(root, 'dist', 'cdn-snippet.html'), 'utf8');
  assert.ok(snippet.includes(`${CDN}dist/button.js`), snippet);
  const hash = `sha384-${createHash('sha384').update(readFileSync(join(root, 'dist', 'button.js'))).digest('base64')}`;
  assert.ok(snippet.includes(`integrity="${hash}"`), 'pinned to these bytes');
  const published = JSON.parse(readFileSync(join(root, 'pkg', 'dist', 'integrity.json'), 'utf8'));
  assert.equal(published.integrity['button.js'], hash, 'the package publishes the same hash');
  assert.equal(published.version, version);
  const readme = readFileSync(join(root, 'pkg', 'README.md'), 'utf8');
  assert.ok(readme.includes(`${CDN}dist/button.js`) && readme.includes(hash), 'the package README shows the same tag');
  assert.doesNotMatch(readme, /@VERSION|sha384-HASH/);
  const p = await page(`<!doctype html><meta charset="utf-8"><body>${snippet}</body>`);
  await p.waitForSelector('button.kbtn');
  const popup = p.waitForEvent('popup');
  await p.click('button.kbtn');
  const consent = await popup;
  assert.equal(new URL(consent.url()).searchParams.get('client_id'), 'YOUR_CLIENT_ID');
  // A decline reaches the snippet's own callback, which logs it as a warning.
  const warned = p.waitForEvent('console', (m) => m.type() === 'warning');
  await consent.evaluate(() => window.opener.postMessage({ client_id: 'YOUR_CLIENT_ID', error: 'access_denied' }, '*'));
  assert.match((await warned).text(), /Kommo sign-in: access_denied/);
  assert.deepEqual(p.noise.filter((t) => !/Kommo sign-in: access_denied/.test(t)), []);
  await p.context().close();
});

test('the integrity pin refuses other bytes at that address', async () => {
  const snippet = readFileSync(join(root, 'dist', 'cdn-snippet.html'), 'utf8');
  const p = await page(`<!doctype html><meta charset="utf-8"><body>${snippet}</body>`, { tamper: true });
  await p.waitForTimeout(500);
  assert.equal(await p.evaluate(() => document.querySelectorAll('button.kbtn').length), 0);
  assert.ok(p.noise.some((t) => /integrity/i.test(t)), p.noise.join('\n'));
  await p.context().close();
});

test('the ES module imports from the same CDN path (no bundler)', async () => {
  const p = await page(`<!doctype html><meta charset="utf-8"><div id="signin"></div>
<script type="module">
  import init, { mount } from '${CDN}index.js';
  await init();
  window.handle = mount(document.getElementById('signin'), { clientId: 'esm' });
</script>`);
  await p.waitForSelector('#signin button.kbtn');
  assert.deepEqual(p.noise, []);
  await p.context().close();
});
