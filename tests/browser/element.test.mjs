// kommo-oauth-button/element in Chromium: the plain-page example as written
// (examples/plain/index.html, the package from pkg/), attribute changes, results as events,
// removal (also while the wasm loads).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, serve } from './harness.mjs';

let browser, server;
before(async () => {
  server = await serve({ pages: { '/blank': '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><body></body>' } });
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.close(); });

test('the plain-page example: the tag renders a button, a closed popup arrives as an error event', async () => {
  const page = await openPage(browser, `${server.origin}/examples/plain/index.html`);
  await page.waitForSelector('kommo-oauth-button button.kbtn');
  await page.context().route('https://www.kommo.com/**', (r) => r.fulfill({ contentType: 'text/html', body: '<p>consent</p>' }));
  const popupPromise = page.waitForEvent('popup');
  await page.click('kommo-oauth-button button.kbtn');
  const popup = await popupPromise;
  await popup.waitForLoadState();
  assert.equal(new URL(popup.url()).searchParams.get('client_id'), 'YOUR_CLIENT_ID');
  assert.equal(new URL(popup.url()).searchParams.get('mode'), 'post_message');
  await page.waitForTimeout(1600); // past the COOP grace: a close is the visitor's
  await popup.close();
  await page.waitForFunction(() => document.getElementById('status').textContent !== '');
  assert.equal(await page.textContent('#status'), 'Not signed in: popup_closed');
  assert.deepEqual(page.pageErrors, []);
  assert.deepEqual(page.consoleMessages.filter((m) => ['error', 'warning'].includes(m.type)), []);
  await page.context().close();
});

test('attributes re-mount the button; removing the element removes it, also before the wasm has loaded', async () => {
  const page = await openPage(browser, `${server.origin}/blank`);
  const result = await page.evaluate(async () => {
    await import('/pkg/element/index.js');
    const settle = () => new Promise((r) => setTimeout(r, 100));
    // Added and removed at once: the wasm is still loading when it leaves.
    const early = document.createElement('kommo-oauth-button');
    early.setAttribute('client-id', 'early');
    document.body.append(early);
    early.remove();
    const el = document.createElement('kommo-oauth-button');
    el.setAttribute('client-id', 'x');
    el.setAttribute('theme', 'dark');
    document.body.append(el);
    await settle();
    const first = document.querySelectorAll('button.kbtn').length;
    const dark = el.querySelector('button').className;
    el.setAttribute('title', 'Connect Kommo');
    await settle();
    const retitled = { count: el.querySelectorAll('button').length, text: el.querySelector('button').textContent };
    el.remove();
    await settle();
    return { first, dark, retitled, early: early.childElementCount, left: document.querySelectorAll('button.kbtn').length, options: el.options };
  });
  assert.equal(result.first, 1, 'one button: the element removed while loading mounted none');
  assert.match(result.dark, /kbtn/);
  assert.deepEqual(result.retitled, { count: 1, text: 'Connect Kommo' });
  assert.equal(result.early, 0);
  assert.equal(result.left, 0, 'removing the element removed its button');
  assert.deepEqual(result.options, { clientId: 'x', theme: 'dark', title: 'Connect Kommo' });
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});
