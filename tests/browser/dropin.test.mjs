// The drop-in dist/button.js as integrators really load it: the documented snippets with
// only `src` changed, async/defer, injected after load by framework code, removed and
// re-added, config elements inserted by innerHTML, the bundle included twice, and the
// original's `window.onload()` trick.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage } from './harness.mjs';

const KOMMO_DOCS_SNIPPET = `<script class="kommo_oauth" charset="utf-8" data-client-id="xxxx" data-title="Button"
  data-compact="false" data-class-name="className" data-theme="light" data-locale="en" data-state="state"
  data-error-callback="functionName" data-mode="popup" src="/dist/button.js"></script>`;
const AMO_SNIPPET = `<script class="amocrm_oauth" charset="utf-8" data-client-id="yyyy" data-title="Установить"
  data-compact="false" data-color="violet" data-state="st" data-mode="post_message" src="/dist/button.js"></script>`;
const METADATA_SNIPPET = `<script class="amocrm_oauth" charset="utf-8" data-name="Integration name"
  data-description="Integration description" data-redirect_uri="https://example.com/redirect"
  data-secrets_uri="https://example.com/secrets" data-logo="https://example.com/logo.png"
  data-scopes="crm,notifications" data-title="Give access" data-compact="false" data-color="green"
  data-state="state" data-mode="popup" src="/dist/button.js"></script>`;

const page = (body, head = '') => `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;

let server, browser;
before(async () => {
  server = await serve({
    pages: {
      '/kommo': page(`<main>${KOMMO_DOCS_SNIPPET}</main>`),
      '/amo': page(`<main>${AMO_SNIPPET}</main>`),
      '/metadata': page(`<main>${METADATA_SNIPPET}</main>`),
      '/async': page(`<div class="kommo_oauth" data-client-id="a1"></div><script async src="/dist/button.js"></script><div class="kommo_oauth" data-client-id="a2"></div>`),
      '/defer': page(`<div class="kommo_oauth" data-client-id="d1"></div>`, `<script defer src="/dist/button.js"></script>`),
      '/head-first': page(`<p>text</p><div class="amocrm_oauth" data-client-id="h1"></div><div class="amocrm_oauth" data-client-id="h1"></div><div class="kommo_oauth"></div>`, `<script src="/dist/button.js"></script>`),
      '/twice': page(`${KOMMO_DOCS_SNIPPET}${KOMMO_DOCS_SNIPPET.replace('xxxx', 'second')}<script src="/dist/button.js"></script>`),
      '/blank': page(`<main id="app"></main>`),
      '/own-onload': page(`<main id="app"></main><script>window.onload = function () { window.pageOnloadRan = (window.pageOnloadRan || 0) + 1; };</script>`),
      '/csp': page(`<main>${KOMMO_DOCS_SNIPPET}</main>`),
    },
  });
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.close(); });

/** Adds dist/button.js to a loaded page, as framework code does, and waits for it to run. */
const loadDropIn = (p) => p.evaluate(() => new Promise((resolve) => {
  const s = document.createElement('script');
  s.src = '/dist/button.js';
  s.onload = resolve;
  document.body.appendChild(s);
}));

async function buttons(p) {
  return p.$$eval('button.kbtn', (bs) => bs.map((b) => ({
    text: b.textContent, cls: b.className, client: b.getAttribute('data-client_id'), aria: b.getAttribute('aria-label'),
    next: b.nextElementSibling && b.nextElementSibling.tagName, bg: getComputedStyle(b).backgroundColor,
  })));
}

test('the Kommo documentation snippet with only src changed shows the configured button', async () => {
  const p = await openPage(browser, `${server.origin}/kommo`);
  await p.waitForSelector('button.kbtn');
  const [b, ...rest] = await buttons(p);
  assert.equal(rest.length, 0);
  assert.equal(b.text, 'Button');
  assert.match(b.cls, /\bclassName\b/);
  assert.equal(b.client, 'xxxx');
  assert.equal(b.next, 'SCRIPT', 'inserted before its tag');
  assert.equal(b.bg, 'rgb(14, 1, 66)');
  assert.deepEqual(p.pageErrors, []);
  await p.waitForTimeout(100);
  assert.equal(await p.evaluate(() => sessionStorage.length), 0, 'the idle warm-up of the click path has no side effects');
  assert.equal(p.context().pages().length, 1, 'and opens nothing');
  await p.context().close();
});

test('the amoCRM snippet with data-color shows the coloured button', async () => {
  const p = await openPage(browser, `${server.origin}/amo`);
  await p.waitForSelector('button.kbtn');
  const [b] = await buttons(p);
  assert.equal(b.text, 'Установить');
  assert.equal(b.bg, 'rgb(106, 27, 154)');
  assert.match(b.cls, /\bamocrm-oauth\b/);
  await p.context().close();
});

test('a metadata button renders and opens the consent page with the metadata', async () => {
  const p = await openPage(browser);
  await p.context().route('https://www.amocrm.ru/**', (route) => route.fulfill({ contentType: 'text/html', body: '<p>consent</p>' }));
  await p.goto(`${server.origin}/metadata`);
  await p.waitForSelector('button.kbtn');
  const [b] = await buttons(p);
  assert.equal(b.text, 'Give access');
  assert.equal(b.bg, 'rgb(52, 131, 58)');
  const popupPromise = p.waitForEvent('popup');
  await p.click('button.kbtn');
  const popup = await popupPromise;
  await popup.waitForLoadState();
  const url = new URL(popup.url());
  assert.equal(url.origin + url.pathname, 'https://www.amocrm.ru/oauth/');
  assert.equal(url.searchParams.get('name'), 'Integration name');
  assert.deepEqual(url.searchParams.getAll('scopes[]'), ['crm', 'notifications']);
  await p.context().close();
});

test('async and defer scripts mount every tag, before or after the script', async () => {
  for (const [path, ids] of [['/async', ['a1', 'a2']], ['/defer', ['d1']]]) {
    const p = await openPage(browser, `${server.origin}${path}`);
    await p.waitForFunction((n) => document.querySelectorAll('button.kbtn').length === n, ids.length);
    assert.deepEqual((await buttons(p)).map((b) => b.client), ids);
    await p.context().close();
  }
});

test('a script in <head> mounts tags parsed after it; duplicates each get one; class-only elements are skipped', async () => {
  const p = await openPage(browser, `${server.origin}/head-first`);
  await p.waitForFunction(() => document.querySelectorAll('button.kbtn').length >= 2);
  await p.waitForTimeout(100);
  assert.deepEqual((await buttons(p)).map((b) => b.client), ['h1', 'h1']);
  assert.deepEqual(p.consoleMessages.filter((m) => m.text.includes('kommo-oauth')), []);
  await p.context().close();
});

test('the bundle included twice mounts each tag exactly once', async () => {
  const p = await openPage(browser, `${server.origin}/twice`);
  await p.waitForFunction(() => document.querySelectorAll('button.kbtn').length >= 2);
  await p.waitForTimeout(200);
  assert.deepEqual((await buttons(p)).map((b) => b.client), ['xxxx', 'second']);
  assert.deepEqual(p.pageErrors, []);
  await p.context().close();
});

test('a script created by framework code after load, with dataset, renders; re-adding it does not duplicate', async () => {
  const p = await openPage(browser, `${server.origin}/blank`);
  await p.evaluate(() => new Promise((resolve) => {
    const s = document.createElement('script');
    s.className = 'kommo_oauth';
    s.dataset.clientId = 'react-1';
    s.dataset.mode = 'post_message';
    s.src = '/dist/button.js';
    s.onload = resolve;
    document.getElementById('app').appendChild(s);
    s.setAttribute('data-title', 'Connect Kommo');
  }));
  await p.waitForSelector('button.kbtn');
  assert.deepEqual((await buttons(p)).map((b) => b.text), ['Connect Kommo']);
  // React re-render: the old script is removed and a new one appended.
  await p.evaluate(() => {
    document.querySelector('script.kommo_oauth').remove();
    const s = document.createElement('script');
    s.className = 'kommo_oauth';
    s.setAttribute('data-client-id', 'react-2');
    s.src = '/dist/button.js';
    document.getElementById('app').appendChild(s);
  });
  await p.waitForFunction(() => document.querySelector('button.kbtn')?.dataset.client_id === 'react-2');
  assert.deepEqual((await buttons(p)).map((b) => b.client), ['react-2']);
  // An inert JSX-style <script> without src, and a div inserted with innerHTML later.
  await p.evaluate(() => {
    document.getElementById('app').insertAdjacentHTML('beforeend',
      '<div class="amocrm_oauth" data-client-id="html-1" data-color="red"></div>');
  });
  await p.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 2);
  assert.deepEqual(p.pageErrors, []);
  await p.context().close();
});

test("calling window.onload() by hand works and a page's own onload is not clobbered", async () => {
  const p = await openPage(browser, `${server.origin}/blank`);
  await loadDropIn(p);
  await p.evaluate(() => {
    document.getElementById('app').innerHTML = '<div class="kommo_oauth" data-client-id="onload-1"></div>';
    window.onload();
  });
  await p.waitForSelector('button.kbtn');
  assert.deepEqual(p.pageErrors, []);
  await p.context().close();

  const own = await openPage(browser, `${server.origin}/own-onload`);
  await own.waitForFunction(() => window.pageOnloadRan === 1);
  await loadDropIn(own);
  await own.evaluate(() => window.onload());
  assert.equal(await own.evaluate(() => window.pageOnloadRan), 2, "the page's handler is still the one called");
  await own.context().close();
});

test('a bad attribute gets one console message naming it, and nothing is thrown to the page', async () => {
  const p = await openPage(browser, `${server.origin}/blank`);
  await p.evaluate(() => {
    document.getElementById('app').innerHTML =
      '<div class="kommo_oauth" data-client-id="c" data-theme="purple" data-locale="fr"></div>' +
      '<div class="kommo_oauth" data-title="no id"></div>' +
      '<script class="kommo_oauth" data-client-id="ok"></script>';
    const s = document.createElement('script');
    s.src = '/dist/button.js';
    document.body.appendChild(s);
  });
  await p.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 2);
  await p.waitForTimeout(100);
  const ours = p.consoleMessages.filter((m) => m.text.startsWith('[kommo-oauth]'));
  assert.equal(ours.length, 3, JSON.stringify(ours));
  assert.ok(ours.some((m) => m.type === 'warning' && m.text.includes('data-theme="purple"') && m.text.includes('light, dark')));
  assert.ok(ours.some((m) => m.type === 'warning' && m.text.includes('data-locale="fr"')));
  assert.ok(ours.some((m) => m.type === 'error' && m.text.includes('data-client-id')));
  assert.deepEqual(p.pageErrors, []);
  await p.context().close();
});

test('works under a strict Content-Security-Policy without unsafe-inline', async () => {
  const strict = await serve({
    pages: { '/csp': page(`<main>${KOMMO_DOCS_SNIPPET}</main>`) },
    headers: { 'content-security-policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'" },
  });
  const p = await openPage(browser, `${strict.origin}/csp`);
  await p.waitForSelector('button.kbtn');
  const [b] = await buttons(p);
  assert.equal(b.bg, 'rgb(14, 1, 66)', 'styles applied without inline styles');
  assert.deepEqual(p.consoleMessages.filter((m) => /Content Security Policy/i.test(m.text)), []);
  await p.context().close();
  await strict.close();
});

// button.js carries its wasm (docs/size.md); a page that decodes it in a legacy charset
// (served without `charset=utf-8`, on a windows-1251 page) gets the wasm file instead.
async function legacyCharset(p) {
  await p.route('**/dist/button.js', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-type': 'text/javascript; charset=windows-1251' } });
  });
}

function wasmRequests(p) {
  const seen = [];
  p.on('request', (r) => { if (r.url().endsWith('.wasm')) seen.push(r.url()); });
  return seen;
}

test('the drop-in is one request: button.js carries its wasm', async () => {
  const p = await openPage(browser);
  const wasm = wasmRequests(p);
  await p.goto(`${server.origin}/kommo`);
  await p.waitForSelector('button.kbtn');
  assert.deepEqual(wasm, []);
  assert.deepEqual(p.pageErrors, []);
  assert.deepEqual(p.consoleMessages.filter((m) => m.type === 'error' || m.type === 'warning'), []);
  await p.context().close();
});

test('button.js decoded as windows-1251 fetches button_bg.wasm and still renders, whatever type the server gives it', async () => {
  for (const type of ['application/wasm', 'application/octet-stream']) {
    const p = await openPage(browser);
    await legacyCharset(p);
    await p.route('**/button_bg.wasm', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-type': type } });
    });
    const wasm = wasmRequests(p);
    await p.goto(`${server.origin}/kommo`);
    await p.waitForSelector('button.kbtn');
    assert.equal(wasm.length, 1, type);
    assert.deepEqual(p.pageErrors, []);
    assert.deepEqual(p.consoleMessages.filter((m) => m.type === 'error' || m.type === 'warning'), []);
    await p.context().close();
  }
});

test('when the wasm file is needed and missing: one console error naming it, and nothing thrown to the page', async () => {
  const p = await openPage(browser);
  await legacyCharset(p);
  await p.route('**/button_bg.wasm', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await p.goto(`${server.origin}/kommo`);
  await p.waitForFunction(() => Boolean(window[Symbol.for('kommo-oauth.loader')]));
  await p.evaluate(() => window[Symbol.for('kommo-oauth.loader')].then(() => {}, () => {}));
  const ours = () => p.consoleMessages.filter((m) => m.type === 'error' && m.text.includes('[kommo-oauth]'));
  for (let i = 0; i < 40 && ours().length === 0; i++) await p.waitForTimeout(50);
  const errors = ours();
  assert.equal(errors.length, 1);
  assert.match(errors[0].text, /button_bg\.wasm/);
  assert.match(errors[0].text, /404/);
  assert.deepEqual(p.pageErrors, []);
  assert.equal(await p.$$eval('button.kbtn', (b) => b.length), 0);
  await p.context().close();
});
