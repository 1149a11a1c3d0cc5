// The example apps (examples/react, examples/vue) as front-end developers build them: Vite,
// the npm package, a sub-path deployment (/react/, /vue/). Built here, then driven in
// Chromium: one button even under React's StrictMode, a decline reaches the app's onError,
// and unmounting the component removes the button.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { build } from 'vite';
import { launch, root } from './harness.mjs';

const SITE = 'https://app.example';
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
let browser;

before(async () => {
  for (const name of ['react', 'vue']) await build({ configFile: join(root, 'examples', name, 'vite.config.mjs') });
  browser = await launch();
});
after(async () => { await browser?.close(); });

/** Serves target/examples under https://app.example (the deployment's sub-paths kept). */
async function context() {
  const ctx = await browser.newContext();
  await ctx.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin === 'https://www.kommo.com') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><p>consent</p>' });
    if (url.origin !== SITE) return route.abort();
    let file = join(root, 'target', 'examples', decodeURIComponent(url.pathname));
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ contentType: TYPES[extname(file)] || 'application/octet-stream', body: readFileSync(file) });
  });
  return ctx;
}

for (const name of ['react', 'vue']) {
  test(`${name}: one button, a decline reaches onError, unmounting removes the button`, async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${SITE}/${name}/`);
    await page.waitForSelector('.kommo-host button.kbtn');
    await page.waitForTimeout(100);
    assert.equal(await page.locator('button.kbtn').count(), 1, name === 'react' ? 'StrictMode mounted, cleaned up and mounted again: one button' : 'one button');
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('button.kbtn')]);
    assert.equal(new URL(popup.url()).searchParams.get('client_id'), `${name}-client`);
    await popup.evaluate((id) => window.opener.postMessage({ client_id: id, error: 'access_denied' }, '*'), `${name}-client`);
    await page.waitForFunction(() => document.getElementById('error').textContent === 'access_denied');
    await page.click('#toggle');
    await page.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 0);
    await page.click('#toggle');
    await page.waitForSelector('button.kbtn');
    assert.equal(await page.locator('button.kbtn').count(), 1);
    if (name === 'react') {
      // useKommoSignIn(): the app's own button opens the popup; a decline rejects signIn().
      await page.waitForSelector('#own:not([disabled])');
      const [own] = await Promise.all([page.waitForEvent('popup'), page.click('#own')]);
      assert.equal(new URL(own.url()).searchParams.get('client_id'), 'react-own-client');
      await own.evaluate(() => window.opener.postMessage({ client_id: 'react-own-client', error: 'access_denied' }, '*'));
      await page.waitForFunction(() => document.getElementById('error').textContent === 'own:access_denied');
    }
    assert.deepEqual(errors, []);
    await ctx.close();
  });
}
