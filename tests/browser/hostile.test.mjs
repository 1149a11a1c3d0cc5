// The trust model under attack (docs/security.md): markup that an HTML sanitizer lets
// through, windows other than the popup, a clobbered loader, tampered bytes. Real windows on
// real-looking origins: https://site.example (the integrator), https://www.kommo.com (the
// provider) and https://attacker.example, all served by Playwright request routing, so the
// browser applies its real cross-origin rules and nothing leaves the machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, root } from './harness.mjs';

const SITE = 'https://site.example';
const PROVIDER = 'https://www.kommo.com';
const ATTACKER = 'https://attacker.example';
const LEADEXEC = 'https://apps.leadexec.net';
const TYPES = { js: 'text/javascript', wasm: 'application/wasm' };

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/**
 * A browser context where `pages` (path → HTML) are served on the integrator's origin with
 * dist/ next to them, `frames` (path → HTML) on the attacker's, and any other page of the
 * four origins (LeadExec's too) is a blank page. Every request
 * is recorded; `headers` go on the integrator's HTML; `wasm` replaces dist/button_bg.wasm;
 * `legacy` serves the scripts as windows-1251, so that button.js cannot use the wasm it
 * carries and fetches dist/button_bg.wasm instead (docs/size.md).
 */
async function context({ pages = {}, frames = {}, headers = {}, wasm, legacy = false } = {}) {
  const ctx = await browser.newContext();
  ctx.requests = [];
  await ctx.route('**/*', (route) => {
    const url = new URL(route.request().url());
    ctx.requests.push(url.href);
    const html = (body, extra = {}) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers: extra, body });
    if (url.origin === SITE && url.pathname.startsWith('/dist/')) {
      const file = url.pathname.slice('/dist/'.length);
      const body = file === 'button_bg.wasm' && wasm ? wasm : readFileSync(join(root, 'dist', file));
      const type = legacy && file.endsWith('.js') ? 'text/javascript; charset=windows-1251' : TYPES[file.split('.').pop()];
      return route.fulfill({ status: 200, contentType: type, body });
    }
    if (url.origin === SITE && pages[url.pathname]) return html(pages[url.pathname], headers);
    if (url.origin === ATTACKER && frames[url.pathname]) return html(frames[url.pathname]);
    if ([SITE, PROVIDER, ATTACKER, LEADEXEC].includes(url.origin)) return html('<!doctype html><title>blank</title><p>blank</p>');
    return route.abort();
  });
  return ctx;
}

async function open(ctx, path) {
  const page = await ctx.newPage();
  page.consoleMessages = [];
  page.on('console', (m) => page.consoleMessages.push({ type: m.type(), text: m.text() }));
  page.pageErrors = [];
  page.on('pageerror', (e) => page.pageErrors.push(String(e)));
  await page.goto(`${SITE}${path}`);
  return page;
}

const doc = (body, head = '') => `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}
<script>window.calls = []; function record(kind) { return function (r) { window.calls.push([kind, r]); }; }
function onErr(r) { calls.push(['error', r]); } function onOk(r) { calls.push(['success', r]); }</script></body></html>`;

async function clickForPopup(page, selector) {
  const popupPromise = page.waitForEvent('popup');
  await page.click(selector);
  const popup = await popupPromise;
  await popup.waitForLoadState();
  return popup;
}

/** Posts each message to the popup's opener (or `target` expression) from inside `win`. */
const postFrom = (win, messages, target = 'opener') =>
  win.evaluate(([list, t]) => { const to = t === 'opener' ? window.opener : window.parent; for (const m of list) to.postMessage(m, '*'); }, [messages, target]);

const CALLBACK_PAGE = `<!doctype html><meta charset="utf-8"><script src="/dist/callback.js"></script>
<script>window.seenSearch = location.search; addEventListener('kommo-oauth:callback', function (e) { window.result = e.detail; });</script>`;

/** From the consent page: an array of markup and code with the fields of a decline for client `x`, then the popup closes. */
async function postGadget(popup, page) {
  await popup.evaluate(() => {
    const evil = Object.assign(['<img src=x onerror="window.pwned=1">', 'window.pwned=2'], { client_id: 'x', error: '<img src=x onerror="window.pwned=3">' });
    window.opener.postMessage(evil, '*');
  });
  await popup.waitForEvent('close', { timeout: 3000 }).catch(() => {});
  await page.waitForTimeout(30);
}

const sinks = [
  'document.write', 'document.writeln', 'setTimeout', 'setInterval', 'eval', 'Function', 'open', 'alert',
  'location.assign', 'location.replace', 'document.body.insertAdjacentHTML', 'history.pushState', 'postMessage',
  'Object.assign', 'queueMicrotask', 'fetch', 'importScripts', 'Reflect.apply', 'document.documentElement.setHTMLUnsafe',
  'ugc.firstChild.insertAdjacentHTML', 'constructor', 'onErr.constructor', 'onErr.__proto__.call',
  // Not built-ins, but page functions markup must not pick either (Knockout would evaluate
  // the markup's own data-bind expressions).
  'ko.applyBindings', 'onErr',
];

test('sanitized markup cannot pick the consent origin nor turn a built-in into the error callback', async () => {
  const ctx = await context({
    pages: {
      '/ugc': doc(`<div id="ugc"><div class="kommo_oauth" data-client-id="x" data-auth-origin="${ATTACKER}" data-error-callback="document.write"></div></div>
        <script>window.ko = { applyBindings: function () { window.pwned = 'ko'; } };</script>
        <script src="/dist/button.js"></script>`),
    },
  });
  const page = await open(ctx, '/ugc');
  await page.waitForSelector('button.kbtn');
  assert.ok(page.consoleMessages.some((m) => m.text.includes(`data-auth-origin="${ATTACKER}"`)), 'the refused origin is named in the console');
  for (const sink of sinks) {
    await page.evaluate((s) => document.querySelector('#ugc .kommo_oauth').setAttribute('data-error-callback', s), sink);
    const popup = await clickForPopup(page, 'button.kbtn');
    assert.equal(new URL(popup.url()).origin, PROVIDER, 'the consent page is the provider, never the attacker');
    await postGadget(popup, page);
    assert.equal(await page.evaluate(() => window.pwned), undefined, `${sink}: nothing ran`);
    assert.deepEqual(await page.evaluate(() => calls), [], `${sink}: not even the page's own function`);
    assert.equal(page.url(), `${SITE}/ugc`, `${sink}: the page stayed`);
    assert.equal(await page.locator('button.kbtn').count(), 1, `${sink}: the document is intact`);
    assert.ok(page.consoleMessages.some((m) => m.text.includes(`data-error-callback="${sink}"`)), `${sink}: named in the console`);
  }
  assert.deepEqual(ctx.requests.filter((u) => u.startsWith(ATTACKER)), []);
  assert.deepEqual(page.pageErrors, []);
  await ctx.close();
});

test('a <script> tag that names a built-in still never has it called (only the page\'s own functions are)', async () => {
  const ctx = await context({
    pages: { '/tag-sinks': doc(`<div id="ugc"><p>x</p></div><script class="kommo_oauth" id="tag" data-client-id="x" data-error-callback="onErr" src="/dist/button.js"></script>`) },
  });
  const page = await open(ctx, '/tag-sinks');
  await page.waitForSelector('button.kbtn');
  const builtIns = sinks.filter((sink) => !['ko.applyBindings', 'onErr'].includes(sink));
  for (const sink of [...builtIns, 'onErr.bind', 'console.log', 'document.createElement']) {
    await page.evaluate((s) => document.getElementById('tag').setAttribute('data-error-callback', s), sink);
    const popup = await clickForPopup(page, 'button.kbtn');
    await postGadget(popup, page);
    assert.equal(await page.evaluate(() => window.pwned), undefined, `${sink}: nothing ran`);
    assert.equal(page.url(), `${SITE}/tag-sinks`, `${sink}: the page stayed`);
    assert.equal(await page.locator('button.kbtn').count(), 1, `${sink}: the document is intact`);
  }
  // The page's own function named by its own tag is called, with a fresh object.
  await page.evaluate(() => document.getElementById('tag').setAttribute('data-error-callback', 'onErr'));
  const popup = await clickForPopup(page, 'button.kbtn');
  await popup.evaluate(() => window.opener.postMessage({ client_id: 'x', error: 'access_denied' }, '*'));
  await page.waitForFunction(() => calls.length === 1);
  assert.deepEqual(await page.evaluate(() => calls), [['error', { client_id: 'x', error: 'access_denied' }]]);
  assert.deepEqual(page.pageErrors, []);
  await ctx.close();
});

test('an integrator callback gets a fresh object of the documented strings only', async () => {
  const ctx = await context({ pages: { '/cb-shape': doc(`<script class="kommo_oauth" data-client-id="x" data-error-callback="onErr" src="/dist/button.js"></script>`) } });
  const page = await open(ctx, '/cb-shape');
  await page.waitForSelector('button.kbtn');
  const popup = await clickForPopup(page, 'button.kbtn');
  await popup.evaluate(() => window.opener.postMessage(Object.assign(['a'], { client_id: 'x', error: 'access_denied', error_description: 'no', extra: { html: '<b>' }, then: 'x' }), '*'));
  await page.waitForFunction(() => calls.length === 1);
  const got = await page.evaluate(() => ({ json: JSON.stringify(calls[0][1]), array: Array.isArray(calls[0][1]), proto: Object.getPrototypeOf(calls[0][1]) === Object.prototype }));
  assert.deepEqual(got, { json: '{"client_id":"x","error":"access_denied","error_description":"no"}', array: false, proto: true });
  await ctx.close();
});

test('a clobbered currentScript and clobbered globals neither redirect the wasm nor stop the buttons', async () => {
  // `legacy`: the loader then fetches the wasm, from next to its own script.
  const ctx = await context({
    legacy: true,
    pages: {
      '/clobber': doc(`<img name="currentScript" src="http://["><div id="__kommoOauth"></div><img name="querySelector">
        <img name="documentElement" src="${ATTACKER}/x.png"><img name="createElement"><img name="createElementNS"><img name="adoptedStyleSheets">
        <form name="body"></form><form name="documentElement"></form>
        <form name="kommo-oauth.loader"></form><form id="wasm_bindgen"></form>
        <form class="kommo_oauth" data-client-id="f1"><input name="__kommoOauthButton"><input name="getAttribute"><input name="matches"></form>
        <form><input name="insertBefore"><input name="contains"><input name="querySelectorAll"><div class="kommo_oauth" data-client-id="in-form"></div></form>
        <div class="kommo_oauth" data-client-id="a1"></div>
        <script async src="/dist/button.js"></script>`),
    },
  });
  const page = await open(ctx, '/clobber');
  await page.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 2);
  // A <form> is never a config element: its named controls shadow its own methods.
  assert.deepEqual(await page.$$eval('button.kbtn', (bs) => bs.map((b) => b.getAttribute('data-client_id'))), ['in-form', 'a1']);
  // Forms added later, and removed, break nothing either.
  await page.evaluate(() => { // the page's own document members are shadowed too: go through the prototype
    const f = Document.prototype.createElement.call(document, 'form');
    f.innerHTML = '<input name="querySelectorAll"><input name="matches"><input name="contains"><div class="kommo_oauth" data-client-id="late"></div>';
    Object.getOwnPropertyDescriptor(Document.prototype, 'body').get.call(document).appendChild(f);
  });
  await page.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 3);
  await page.evaluate(() => Document.prototype.querySelector.call(document, 'form:last-of-type').remove());
  await page.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 2);
  assert.deepEqual(ctx.requests.filter((u) => u.startsWith(ATTACKER) && !u.endsWith('/x.png')), [], 'nothing fetched from the attacker but the image itself');
  assert.ok(ctx.requests.includes(`${SITE}/dist/button_bg.wasm`));
  assert.deepEqual(page.pageErrors, []);
  await ctx.close();
});

test('markup cannot choose the state or a success callback (jQuery.getScript would load the redirect URL as a script)', async () => {
  const ctx = await context({
    pages: {
      '/jq': doc(`<div class="kommo_oauth" data-client-id="attackers-integration" data-state="known" data-success-callback="jQuery.getScript"></div>
        <script>window.jQuery = { getScript: function (s) { window.pwned = s; } };
        document.addEventListener('kommo-oauth:success', function (e) { window.success = e.detail; e.preventDefault(); });</script>
        <script src="/dist/button.js"></script>`),
    },
  });
  const page = await open(ctx, '/jq');
  await page.waitForSelector('button.kbtn');
  const popup = await clickForPopup(page, 'button.kbtn');
  const state = new URL(popup.url()).searchParams.get('state');
  assert.match(state, /^[0-9a-f]{32}$/, 'a random state, not the one in the markup');
  await postFrom(popup, [{ url: `${ATTACKER}/x?code=c&state=${state}` }]);
  await page.waitForFunction(() => window.success);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  // The page cancelled the navigation: no record of the state stays behind for a Redirect URI
  // page that will not come (a later forged one would be taken as verified).
  await page.waitForTimeout(50);
  assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage)), []);
  const warnings = page.consoleMessages.map((m) => m.text);
  assert.ok(warnings.some((t) => t.includes('data-state="known"')), warnings.join('\n'));
  assert.ok(warnings.some((t) => t.includes('data-success-callback="jQuery.getScript"')), warnings.join('\n'));
  await ctx.close();
});

test('a Redirect URI opened by another window with a forged result never reaches the attempt', async () => {
  const ctx = await context({
    pages: {
      '/pm': doc(`<script class="kommo_oauth" data-client-id="cid" data-mode="post_message" data-success-callback="onOk" src="/dist/button.js"></script>`),
      '/cb': CALLBACK_PAGE,
    },
  });
  const page = await open(ctx, '/pm');
  await page.waitForSelector('button.kbtn');
  const popup = await clickForPopup(page, 'button.kbtn');
  const state = new URL(popup.url()).searchParams.get('state');
  // Another tab of the same browser (say, opened from the attacker's mail) with the attacker's code.
  const forged = await ctx.newPage();
  await forged.goto(`${SITE}/cb?code=attackers-code&state=${state}&client_id=cid`);
  await forged.waitForFunction(() => window.result);
  assert.equal(await forged.evaluate(() => window.result.verified), false);
  await page.waitForTimeout(300);
  assert.deepEqual(await page.evaluate(() => calls), [], 'no success from a window this tab did not open');
  assert.ok(!popup.isClosed());
  await ctx.close();
});

test('frames and second windows on the provider origin cannot navigate, fail or finish the attempt', async () => {
  const ctx = await context({
    pages: {
      '/frames': doc(`<script class="kommo_oauth" data-client-id="cid" data-error-callback="onErr" data-success-callback="onOk" src="/dist/button.js"></script>
        <iframe id="frame" src="${PROVIDER}/frame"></iframe>`),
    },
  });
  const page = await open(ctx, '/frames');
  await page.waitForSelector('button.kbtn');
  const popup = await clickForPopup(page, 'button.kbtn');
  const state = new URL(popup.url()).searchParams.get('state');
  assert.match(state, /^[0-9a-f]{32}$/);
  const huge = 'x'.repeat(4 * 1024 * 1024);
  const cb = `${SITE}/cb?code=evil&referer=a.kommo.com&client_id=cid`;
  const scriptUrls = ['javascript:alert(1)//', 'JaVaScRiPt:alert(1)//', ' https://site.example/x', 'java\tscript:alert(1)//', 'data:text/html,<script>alert(1)</script>',
    'blob:https://www.kommo.com/uuid', '/relative', '//attacker.example/x', 'https:attacker.example', 'HTTPS://attacker.example/\u0000',
    'https://attacker.example/\n', '\u0001https://site.example/cb'].map((u) => ({ url: `${u}?state=${state}&code=c` }));
  const forged = [
    { url: cb }, { url: `${cb}&state=wrong` }, { url: `${cb}&state=${state}` }, { url: `${cb}&state=${state}`, state },
    { client_id: 'cid', error: 'access_denied' }, { error: 'access_denied' }, { error: huge, client_id: 'cid' },
    { type: 'kommo-oauth:callback', code: 'evil', state, url: cb }, Object.assign([`${cb}&state=${state}`], { url: `${cb}&state=${state}` }),
    null, 3, 'a string', huge, { url: huge }, ...scriptUrls,
  ];
  const frame = page.frames().find((f) => f.url().startsWith(PROVIDER));
  await postFrom(frame, forged, 'parent');
  const second = await page.evaluate((u) => { window.second = window.open(u, 'second-window'); return true; }, `${PROVIDER}/second`);
  assert.ok(second);
  const secondPage = ctx.pages().find((p) => p.url().startsWith(`${PROVIDER}/second`)) || await ctx.waitForEvent('page');
  await secondPage.waitForLoadState();
  await postFrom(secondPage, forged);
  // The real popup: a wrong state, no state, or a script URL is ignored too.
  await postFrom(popup, [{ url: cb }, { url: `${cb}&state=wrong` }, { url: `${cb}&state=${state}x` }, null, 3, huge, { url: huge }, ...scriptUrls]);
  await page.waitForTimeout(300);
  assert.equal(page.url(), `${SITE}/frames`, 'no navigation');
  assert.deepEqual(await page.evaluate(() => calls), [], 'no callback');
  assert.ok(!popup.isClosed(), 'the attempt is still open');
  // The real popup's real decline still lands, exactly once.
  await postFrom(popup, [{ client_id: 'cid', error: 'access_denied' }]);
  await page.waitForFunction(() => calls.length === 1);
  assert.deepEqual(await page.evaluate(() => calls), [['error', { client_id: 'cid', error: 'access_denied' }]]);
  // A replay after the attempt ended, with the right state, from any window, does nothing.
  await postFrom(frame, [{ url: `${cb}&state=${state}` }, { client_id: 'cid', error: 'access_denied' }], 'parent');
  await postFrom(secondPage, [{ url: `${cb}&state=${state}` }]);
  await page.waitForTimeout(200);
  assert.equal(page.url(), `${SITE}/frames`);
  assert.equal(await page.evaluate(() => calls.length), 1);
  assert.deepEqual(page.pageErrors, []);
  await ctx.close();
});

test('popup mode: the popup with this attempt\'s state sends the main window to the Redirect URI', async () => {
  const ctx = await context({ pages: { '/ok': doc(`<script class="kommo_oauth" data-client-id="cid" src="/dist/button.js"></script>`), '/cb': '<!doctype html><p>cb</p>' } });
  const page = await open(ctx, '/ok');
  await page.waitForSelector('button.kbtn');
  const popup = await clickForPopup(page, 'button.kbtn');
  const state = new URL(popup.url()).searchParams.get('state');
  await Promise.all([page.waitForURL(/\/cb\?/), postFrom(popup, [{ url: `${SITE}/cb?code=good&state=${state}&client_id=cid` }])]);
  assert.equal(new URL(page.url()).searchParams.get('code'), 'good');
  await ctx.close();
});

test('two buttons clicked in turn: each result reaches only its own button', async () => {
  const ctx = await context({
    pages: {
      '/two': doc(`<script class="kommo_oauth" data-client-id="cid-a" data-error-callback="onErr" src="/dist/button.js"></script>
        <script class="kommo_oauth" data-client-id="cid-b" data-error-callback="onErr"></script>`),
    },
  });
  const page = await open(ctx, '/two');
  await page.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 2);
  const first = await clickForPopup(page, 'button.kbtn >> nth=0');
  assert.equal(new URL(first.url()).searchParams.get('client_id'), 'cid-a');
  const firstClosed = first.waitForEvent('close');
  const second = await clickForPopup(page, 'button.kbtn >> nth=1');
  await firstClosed;
  assert.equal(new URL(second.url()).searchParams.get('client_id'), 'cid-b');
  await postFrom(second, [{ client_id: 'cid-b', error: 'access_denied' }]);
  await page.waitForFunction(() => calls.length >= 1);
  await page.waitForTimeout(200);
  assert.deepEqual(await page.evaluate(() => calls.map(([, r]) => r.client_id + ':' + r.error)), ['cid-b:access_denied']);
  await ctx.close();
});

test('one sign-in window per page: each click closes the earlier popup, whose attempt ends quietly (same client id, metadata, a late close)', async () => {
  const ctx = await context({
    pages: {
      '/dup': doc(`<script class="kommo_oauth" data-client-id="cid" data-error-callback="onErr" src="/dist/button.js"></script>
        <script class="kommo_oauth" data-client-id="cid" data-error-callback="onErr"></script>
        <script class="kommo_oauth" data-name="App" data-description="d" data-redirect_uri="${SITE}/cb" data-secrets_uri="${SITE}/s" data-scopes="crm" data-error-callback="onErr"></script>`),
    },
  });
  const page = await open(ctx, '/dup');
  await page.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 3);
  // The metadata button first, then both duplicates: three windows in turn, one open at a time.
  const metadata = await clickForPopup(page, 'button.kbtn >> nth=2');
  const first = await clickForPopup(page, 'button.kbtn >> nth=0');
  assert.ok(metadata.isClosed() || await metadata.waitForEvent('close').then(() => true));
  const firstState = new URL(first.url()).searchParams.get('state');
  const last = await clickForPopup(page, 'button.kbtn >> nth=1');
  assert.notEqual(new URL(last.url()).searchParams.get('state'), firstState);
  assert.ok(first.isClosed() || await first.waitForEvent('close').then(() => true));
  await postFrom(last, [{ client_id: 'cid', error: 'access_denied' }]);
  await page.waitForFunction(() => calls.length >= 1);
  // Past the poll and the 1.5 s COOP grace: the windows the later clicks closed must not read
  // as "the visitor closed the popup" for the earlier attempts.
  await page.waitForTimeout(2200);
  assert.deepEqual(await page.evaluate(() => calls.map(([, r]) => r.client_id + ':' + r.error)), ['cid:access_denied']);
  await ctx.close();
});

test('a page that an opener named like our popup still opens a popup, not the consent page in itself', async () => {
  const ctx = await context({ pages: { '/named': doc(`<script class="kommo_oauth" data-client-id="cid" src="/dist/button.js"></script>`) } });
  const page = await open(ctx, '/named');
  // The original's fixed name, and one of the form ours take now: neither is the next popup's.
  await page.evaluate(() => { window.name = 'Grant access for integration'; });
  await page.evaluate(() => { window.name = `kommo-oauth-${'0'.repeat(32)}`; });
  await page.waitForSelector('button.kbtn');
  const popup = await clickForPopup(page, 'button.kbtn');
  assert.equal(new URL(popup.url()).origin, PROVIDER);
  assert.equal(page.url(), `${SITE}/named`, 'the visitor\'s tab stayed');
  await ctx.close();
});

test('under a strict CSP the drop-in renders, signs in and reports a decline without a violation', async () => {
  const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
  const ctx = await context({
    headers: { 'content-security-policy': csp },
    pages: { '/csp': `<!doctype html><html><head><meta charset="utf-8"></head><body><script class="kommo_oauth" data-client-id="cid" src="/dist/button.js"></script></body></html>` },
  });
  const page = await open(ctx, '/csp');
  await page.waitForSelector('button.kbtn');
  await page.evaluate(() => { window.errors = []; document.addEventListener('kommo-oauth:error', (e) => window.errors.push(e.detail.error)); });
  const popup = await clickForPopup(page, 'button.kbtn');
  await postFrom(popup, [{ client_id: 'cid', error: 'access_denied' }]);
  await page.waitForFunction(() => window.errors.length === 1);
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('button.kbtn')).height), '45px', 'styled');
  assert.deepEqual(page.consoleMessages.filter((m) => /Content Security Policy|Refused/i.test(m.text)), []);
  await ctx.close();
});

test('a wasm file whose bytes differ from the build is refused (Subresource Integrity)', async () => {
  const bytes = Buffer.from(readFileSync(join(root, 'dist', 'button_bg.wasm')));
  bytes[bytes.length - 1] ^= 1; // still a valid module: only the last data byte changes
  const ctx = await context({ wasm: bytes, legacy: true, pages: { '/sri': doc(`<script class="kommo_oauth" data-client-id="cid" src="/dist/button.js"></script>`) } });
  const page = await open(ctx, '/sri');
  await page.waitForFunction(() => document.readyState === 'complete');
  await page.waitForTimeout(300);
  assert.equal(await page.locator('button.kbtn').count(), 0);
  assert.ok(page.consoleMessages.some((m) => m.type === 'error' && m.text.includes('button_bg.wasm')), JSON.stringify(page.consoleMessages));
  await ctx.close();
});

test('the loader allow-list keeps user content from mounting another integration', async () => {
  const ctx = await context({
    pages: {
      '/allow': doc(`<div class="kommo_oauth" data-client-id="theirs"></div><div class="kommo_oauth" data-client-id="mine"></div>
        <div class="amocrm_oauth" data-name="n" data-description="d" data-redirect_uri="${SITE}/cb" data-secrets_uri="${SITE}/s" data-scopes="crm"></div>
        <script src="/dist/button.js" data-allowed-client-ids="mine other"></script>`),
    },
  });
  const page = await open(ctx, '/allow');
  await page.waitForSelector('button.kbtn');
  await page.waitForTimeout(100);
  assert.deepEqual(await page.$$eval('button.kbtn', (bs) => bs.map((b) => b.getAttribute('data-client_id'))), ['mine']);
  const errors = page.consoleMessages.filter((m) => m.type === 'error').map((m) => m.text);
  assert.ok(errors.some((t) => t.includes('data-client-id="theirs" is not in the loader tag\'s data-allowed-client-ids')), errors.join('\n'));
  assert.ok(errors.some((t) => t.includes('metadata button')), errors.join('\n'));
  await ctx.close();
});

test('a metadata button in markup cannot send the new integration\'s secrets off the site', async () => {
  const meta = (secrets) => `<div class="amocrm_oauth" data-name="n" data-description="d" data-redirect_uri="${SITE}/cb" data-secrets_uri="${secrets}" data-scopes="crm"></div>`;
  const ctx = await context({ pages: { '/meta': doc(`${meta(`${ATTACKER}/steal`)}${meta(`${SITE}/api/secrets`)}<script src="/dist/button.js"></script>`) } });
  const page = await open(ctx, '/meta');
  await page.waitForSelector('button.kbtn');
  await page.waitForTimeout(100);
  assert.equal(await page.locator('button.kbtn').count(), 1, 'only the on-site one renders');
  assert.ok(page.consoleMessages.some((m) => m.text.includes(`data-secrets_uri="${ATTACKER}/steal" must be on this page's origin`)));
  await ctx.close();
});

test('the Redirect URI helper scrubs code and state from the address bar before the page\'s own scripts run', async () => {
  const ctx = await context({ pages: { '/cb': CALLBACK_PAGE } });
  const page = await open(ctx, '/cb?code=secret-code&state=s1&x=1');
  assert.equal(await page.evaluate(() => window.seenSearch), '?x=1');
  await page.waitForFunction(() => window.result);
  assert.equal(await page.evaluate(() => window.result.code), 'secret-code', 'the page still gets the result');
  assert.equal(new URL(page.url()).search, '?x=1');
  await ctx.close();
});

test('the helper in our popup reports to its opener by postMessage (no BroadcastChannel needed)', async () => {
  const ctx = await context({
    pages: {
      '/pm': doc(`<script class="kommo_oauth" data-client-id="cid" data-mode="post_message" data-success-callback="onOk" src="/dist/button.js"></script>`),
      '/cb': CALLBACK_PAGE,
    },
  });
  await ctx.addInitScript(() => { if (location.pathname === '/cb') delete window.BroadcastChannel; });
  const page = await open(ctx, '/pm');
  await page.waitForSelector('button.kbtn');
  const popup = await clickForPopup(page, 'button.kbtn');
  const state = new URL(popup.url()).searchParams.get('state');
  // The consent page sends the popup to the Redirect URI (a navigation the page itself starts).
  const closed = popup.waitForEvent('close');
  await popup.evaluate((u) => { location.href = u; }, `${SITE}/cb?code=by-post&state=${state}&client_id=cid`);
  await page.waitForFunction(() => calls.length === 1);
  assert.equal(await page.evaluate(() => calls[0][1].code), 'by-post');
  await closed;
  await ctx.close();
});

test('a tab another site opened under a name like our popups\' is neither posted to nor closed by the helper', async () => {
  const ctx = await context({ pages: { '/cb': CALLBACK_PAGE } });
  const evil = await ctx.newPage();
  await evil.goto(`${ATTACKER}/`);
  await evil.evaluate(() => { window.got = []; addEventListener('message', (e) => window.got.push(e.data)); });
  const [tab] = await Promise.all([ctx.waitForEvent('page'),
    evil.evaluate((u) => { window.open(u, `kommo-oauth-${'0'.repeat(32)}`); }, `${SITE}/cb?code=c1&state=s1`)]);
  await tab.waitForFunction(() => window.result);
  await tab.waitForTimeout(400);
  assert.ok(!tab.isClosed(), 'the visitor\'s tab stays open');
  assert.deepEqual(await evil.evaluate(() => window.got), []);
  await ctx.close();
});

test('the helper posts to an opener only when it runs in our popup', async () => {
  const ctx = await context({ pages: { '/cb': CALLBACK_PAGE, '/opener': doc('') } });
  const page = await open(ctx, '/opener');
  await page.evaluate(() => { window.got = []; addEventListener('message', (e) => window.got.push(e.data)); });
  const [other] = await Promise.all([ctx.waitForEvent('page'), page.evaluate((u) => { window.open(u, 'some-other-window'); }, `${SITE}/cb?code=c1&state=s1`)]);
  await other.waitForFunction(() => window.result);
  await page.waitForTimeout(300);
  assert.deepEqual(await page.evaluate(() => window.got), [], 'a same-origin opener that is not our button gets nothing');
  assert.ok(!other.isClosed(), 'and the window is not closed');
  await ctx.close();
});

// ---- One attempt, its own identity: results routed by a secret only the attempt's window holds. ----

const SHARED_STATE_PAGE = doc(`<script class="kommo_oauth" data-client-id="cid" data-mode="post_message" data-state="shared"
  data-success-callback="onOk" data-error-callback="onErr" src="/dist/button.js"></script>
  <iframe id="ad" src="${ATTACKER}/ad"></iframe>`);

test('two tabs with one state: a result relayed on the channel completes only the attempt whose window sent it', async () => {
  const ctx = await context({ pages: { '/pm': SHARED_STATE_PAGE, '/cb': CALLBACK_PAGE }, frames: { '/ad': '<!doctype html><p>ad</p>' } });
  const a = await open(ctx, '/pm');
  const b = await open(ctx, '/pm');
  await a.waitForSelector('button.kbtn');
  await b.waitForSelector('button.kbtn');
  const popupA = await clickForPopup(a, 'button.kbtn');
  const popupB = await clickForPopup(b, 'button.kbtn');
  assert.equal(new URL(popupA.url()).searchParams.get('state'), 'shared');
  assert.equal(new URL(popupB.url()).searchParams.get('state'), 'shared');
  // B's popup loses its opener (as Cross-Origin-Opener-Policy cuts it), then the consent page
  // sends it to the Redirect URI: its helper can only relay on the channel.
  await popupB.evaluate((u) => { window.opener = null; location.href = u; }, `${SITE}/cb?code=b-code&state=shared&client_id=cid`);
  await b.waitForFunction(() => calls.length === 1);
  assert.deepEqual(await b.evaluate(() => calls.map(([kind, r]) => [kind, r.code])), [['success', 'b-code']]);
  await a.waitForTimeout(400);
  assert.deepEqual(await a.evaluate(() => calls), [], 'the other tab\'s code never reaches this tab');
  assert.ok(!popupA.isClosed(), 'this tab\'s attempt goes on');
  await ctx.close();
});

for (const when of ['while the popup is open', 'after the popup closed (the linger)']) {
  test(`a window a third-party frame opens later cannot vouch for a forged result (${when})`, async () => {
    const ctx = await context({ pages: { '/pm': SHARED_STATE_PAGE, '/cb': CALLBACK_PAGE }, frames: { '/ad': '<!doctype html><p>ad</p>' } });
    const page = await open(ctx, '/pm');
    await page.waitForSelector('button.kbtn');
    const popup = await clickForPopup(page, 'button.kbtn');
    if (when.startsWith('after')) {
      await page.waitForTimeout(1700); // past the COOP grace: a close is the visitor's
      await popup.close();
      await page.waitForFunction(() => calls.length === 1);
      assert.equal(await page.evaluate(() => calls[0][1].error), 'popup_closed');
    }
    const ad = page.frames().find((f) => f.url().startsWith(`${ATTACKER}/ad`));
    const [forged] = await Promise.all([ctx.waitForEvent('page'),
      ad.evaluate((u) => { window.open(u, '_blank'); }, `${SITE}/cb?code=attackers-code&state=shared&client_id=cid`)]);
    await page.waitForTimeout(600);
    assert.deepEqual(await page.evaluate(() => calls.filter(([kind]) => kind === 'success')), [], 'no success from a forged result');
    assert.ok(!forged.isClosed(), 'the forged window was not acknowledged as the popup');
    assert.equal(await forged.evaluate(() => window.result.verified), false, 'the window inherited no record');
    if (!when.startsWith('after')) assert.ok(!popup.isClosed(), 'the real popup stays open');
    await ctx.close();
  });
}

test('the consent URL carries the page\'s origin only: no path, query or fragment', async () => {
  const ctx = await context({ pages: { '/pm': SHARED_STATE_PAGE }, frames: { '/ad': '<!doctype html><p>ad</p>' } });
  const page = await open(ctx, '/pm?private=1#access_token=secret');
  await page.waitForSelector('button.kbtn');
  const popup = await clickForPopup(page, 'button.kbtn');
  assert.equal(new URL(popup.url()).searchParams.get('origin'), SITE);
  await ctx.close();
});

test('the Redirect URI helper included twice reports once', async () => {
  const twice = `<!doctype html><meta charset="utf-8"><script src="/dist/callback.js"></script><script src="/dist/callback.js"></script>
<script>window.results = []; addEventListener('kommo-oauth:callback', function (e) { window.results.push(e.detail); });</script>`;
  const ctx = await context({ pages: { '/cb': twice } });
  const page = await open(ctx, '/cb?code=once&state=s1');
  await page.waitForFunction(() => window.results.length > 0);
  await page.waitForTimeout(300);
  assert.deepEqual(await page.evaluate(() => window.results.map((r) => r.code)), ['once']);
  assert.deepEqual(page.pageErrors, []);
  await ctx.close();
});

// ---- The second ring: other frames on the page, polluted prototypes, floods of markup. ----

/** An ad or widget frame (the attacker's origin) holding child frames named as the original named its windows. */
const NAMED_FRAMES = `<!doctype html><p>ad</p>
<iframe name="Grant access for integration" src="about:blank"></iframe>
<iframe name="LeadExec sign-in" src="about:blank"></iframe>
<iframe name="kommo-oauth-" src="about:blank"></iframe>`;

test('a third-party frame holding windows named like ours neither captures the consent page nor blocks the popup', async () => {
  const ctx = await context({
    pages: { '/embed': doc(`<script class="kommo_oauth" data-client-id="cid" data-error-callback="onErr" src="/dist/button.js"></script>
      <iframe id="ad" src="${ATTACKER}/ad"></iframe><iframe id="prov" src="${PROVIDER}/widget"></iframe>`) },
    frames: { '/ad': NAMED_FRAMES },
  });
  const page = await open(ctx, '/embed');
  await page.waitForSelector('button.kbtn');
  await page.waitForFunction(() => document.getElementById('ad').contentWindow.length === 3);
  const popup = await clickForPopup(page, 'button.kbtn');
  assert.equal(new URL(popup.url()).origin, PROVIDER, 'a real popup on the provider');
  const children = page.frames().filter((f) => f.parentFrame()?.url().startsWith(`${ATTACKER}/ad`));
  assert.equal(children.length, 3);
  for (const child of children) assert.equal(child.url(), 'about:blank', 'nothing loaded inside the ad');
  // A frame on the provider's own origin cannot look the popup up by any name it can know.
  const provider = page.frames().find((f) => f.url().startsWith(`${PROVIDER}/widget`));
  const found = await provider.evaluate(() => ['Grant access for integration', 'kommo-oauth-', 'LeadExec sign-in'].map((name) => {
    const w = window.open('', name);
    let href = null;
    try { href = w && w.location.href; } catch { href = 'cross-origin: found the popup'; }
    if (w) w.close();
    return href;
  }));
  assert.deepEqual(found, ['about:blank', 'about:blank', 'about:blank'], 'each name opened a new blank window, never the popup');
  assert.ok(!popup.isClosed());
  await postFrom(popup, [{ client_id: 'cid', error: 'access_denied' }]);
  await page.waitForFunction(() => calls.length === 1);
  assert.deepEqual(await page.evaluate(() => calls), [['error', { client_id: 'cid', error: 'access_denied' }]]);
  await ctx.close();
});

test('LeadExec: a frame on the service origin cannot find the dialog, and its forged AuthorizeResult is not taken', async () => {
  const ctx = await context({
    pages: {
      '/le': `<!doctype html><meta charset="utf-8">
        <button class="le-app-button" data-btnId="b1">Sign in with LeadExec</button>
        <iframe id="svc" src="${LEADEXEC}/widget"></iframe><iframe id="ad" src="${ATTACKER}/ad"></iframe>
        <script>window.results = []; function AuthorizeResult(r) { results.push(r); }</script>
        <script src="/dist/le-app-button.js" data-origin="${LEADEXEC}"></script>`,
    },
    frames: { '/ad': NAMED_FRAMES },
  });
  const page = await open(ctx, '/le');
  await page.waitForFunction(() => document.querySelector('.le-app-button').getAttribute('type') === 'button');
  const dialog = await clickForPopup(page, '.le-app-button');
  assert.equal(new URL(dialog.url()).origin, LEADEXEC);
  const state = new URL(dialog.url()).searchParams.get('state');
  const svc = page.frames().find((f) => f.url().startsWith(`${LEADEXEC}/widget`));
  const forged = { type: 'leadexec:authorize', state, valid: true, refreshToken: 'attackers-rt', authToken: 'attackers-at', appId: 'app' };
  const found = await svc.evaluate((message) => {
    const w = window.open('', 'LeadExec sign-in');
    const href = w && w.location.href;
    if (w) w.close();
    // Even knowing the state (a leaked URL), a message from this frame is not the dialog's.
    window.parent.postMessage(message, '*');
    return href;
  }, forged);
  assert.equal(found, 'about:blank');
  await page.waitForTimeout(300);
  assert.deepEqual(await page.evaluate(() => results), [], 'the forged tokens were not taken');
  assert.equal(await page.evaluate(() => Object.keys(localStorage).length), 0, 'nor stored for a returning visit');
  await dialog.evaluate((m) => window.opener.postMessage(m, '*'), { ...forged, refreshToken: 'real-rt', authToken: 'real-at' });
  await page.waitForFunction(() => results.length === 1);
  assert.equal(await page.evaluate(() => results[0].refreshToken), 'real-rt');
  await ctx.close();
});

test('a polluted Object.prototype neither drops the real decline nor adds fields to the callback object', async () => {
  const pollution = `<script>Object.prototype.type = 'kommo-oauth:callback'; Object.prototype.error_description = 'polluted';
    Object.prototype.url = 'https://attacker.example/'; Object.prototype.code = 'polluted-code';</script>`;
  const ctx = await context({
    pages: { '/polluted': doc(`<script class="kommo_oauth" data-client-id="cid" data-error-callback="onErr" src="/dist/button.js"></script>`, pollution) },
  });
  const page = await open(ctx, '/polluted');
  await page.waitForSelector('button.kbtn');
  const popup = await clickForPopup(page, 'button.kbtn');
  await postFrom(popup, [{ client_id: 'cid', error: 'access_denied' }]);
  await page.waitForFunction(() => calls.length === 1);
  assert.deepEqual(await page.evaluate(() => [Object.keys(calls[0][1]), Object.hasOwn(calls[0][1], 'error_description'), calls[0][1].error]),
    [['client_id', 'error'], false, 'access_denied']);
  assert.equal(page.url(), `${SITE}/polluted`, 'no navigation to the polluted url');
  await ctx.close();
});

test('a flood of sanitized markup mounts in time linear in the nodes added (forms and class-only elements included)', async () => {
  const ctx = await context({ pages: { '/flood': doc('<div id="posts"></div><script src="/dist/button.js"></script>') } });
  const page = await open(ctx, '/flood');
  const ms = await page.evaluate(async () => {
    const posts = document.getElementById('posts');
    const started = performance.now();
    // A forum page rendering 2,000 posts one by one, each what a sanitizer keeps: forms with
    // controls named like DOM methods, elements with the class and nothing to render, and
    // every 100th post a real config element.
    for (let i = 0; i < 2000; i += 1) {
      const post = document.createElement('article');
      post.innerHTML = `<form><input name="querySelectorAll"><input name="matches"></form><div class="kommo_oauth"></div><span class="amocrm_oauth"></span>`
        + (i % 100 === 0 ? `<div class="kommo_oauth" data-client-id="cid-${i}"></div>` : '');
      posts.appendChild(post);
    }
    await new Promise((resolve) => setTimeout(resolve, 0)); // the observer's batch ran
    return performance.now() - started;
  });
  assert.equal(await page.evaluate(() => document.querySelectorAll('button.kbtn').length), 20, 'every real config element mounted');
  // Generous: linear work here is a few hundred ms; a rescan of the page per form was seconds.
  assert.ok(ms < 2500, `the flood took ${ms.toFixed(0)} ms on the main thread`);
  // Later changes still count: a class-only element that gets a client id mounts then.
  await page.evaluate(() => document.querySelector('#posts article:nth-child(2) div.kommo_oauth').setAttribute('data-client-id', 'late'));
  await page.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 21);
  // Taking the posts away again, one by one in one task, is linear too.
  const removal = await page.evaluate(async () => {
    const started = performance.now();
    for (const post of [...document.querySelectorAll('#posts article')]) post.remove();
    await new Promise((resolve) => setTimeout(resolve, 0));
    return performance.now() - started;
  });
  assert.equal(await page.evaluate(() => document.querySelectorAll('button.kbtn').length), 0, 'each button went with its tag');
  assert.ok(removal < 2500, `removing the flood took ${removal.toFixed(0)} ms`);
  await ctx.close();
});

test('LeadExec: a flood of buttons and a page toggling classes stay linear', async () => {
  const ctx = await context({
    pages: { '/le-flood': `<!doctype html><meta charset="utf-8"><div id="posts"></div>
      <script>function AuthorizeResult() {}</script><script src="/dist/le-app-button.js" data-origin="${LEADEXEC}"></script>` },
  });
  const page = await open(ctx, '/le-flood');
  const ms = await page.evaluate(async () => {
    const posts = document.getElementById('posts');
    const started = performance.now();
    for (let i = 0; i < 3000; i += 1) {
      const post = document.createElement('article');
      post.innerHTML = `<form><input name="querySelectorAll"></form><button class="le-app-button" data-btnId="b${i}">Sign in</button>`;
      posts.appendChild(post);
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The site's own script toggling a class on <body>, once per post (a scroll handler, say).
    for (let i = 0; i < 3000; i += 1) document.body.classList.toggle('scrolled');
    await new Promise((resolve) => setTimeout(resolve, 0));
    return performance.now() - started;
  });
  assert.equal(await page.evaluate(() => document.querySelectorAll('.le-app-button[type="button"]').length), 3000, 'every button enhanced');
  assert.ok(ms < 2500, `the LeadExec flood took ${ms.toFixed(0)} ms on the main thread`);
  await ctx.close();
});

test('markup may name only the callbacks its page lists on the loader tag (data-allowed-callbacks)', async () => {
  const ctx = await context({
    pages: {
      '/vue': doc(`<div class="kommo_oauth" data-client-id="cid" data-error-callback="onErr"></div>
        <div class="kommo_oauth" data-client-id="cid2" data-error-callback="onOk"></div>
        <div class="kommo_oauth" data-client-id="other" data-success-callback="onErr"></div>
        <script src="/dist/button.js" data-allowed-callbacks="onErr"></script>`),
    },
  });
  const page = await open(ctx, '/vue');
  await page.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 3);
  const warnings = page.consoleMessages.filter((m) => /data-(error|success)-callback/.test(m.text));
  assert.equal(warnings.length, 2, JSON.stringify(warnings));
  assert.match(warnings[0].text, /data-error-callback="onOk".*data-allowed-callbacks/);
  // A listed name as a success callback would get another integration's redirect URL: only
  // with data-allowed-client-ids on the loader as well.
  assert.match(warnings[1].text, /data-success-callback="onErr"/);
  const popup = await clickForPopup(page, 'button.kbtn >> nth=0');
  await postFrom(popup, [{ client_id: 'cid', error: 'access_denied' }]);
  await page.waitForFunction(() => calls.length === 1);
  assert.deepEqual(await page.evaluate(() => calls), [['error', { client_id: 'cid', error: 'access_denied' }]]);
  const second = await clickForPopup(page, 'button.kbtn >> nth=1');
  await postFrom(second, [{ client_id: 'cid2', error: 'access_denied' }]);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => calls.length), 1, 'the unlisted name is not called');
  await ctx.close();
});

// The size build puts the wasm stack above the statics (scripts/build.mjs): a page that signs
// in again from inside the report of a failed sign-in, synchronously and without end, must
// not take the stack down with it. In the drop-in a click cannot nest at all (the one click
// listener is running, and wasm-bindgen does not re-enter it); `signIn()` nests four deep at
// most (tests/browser/npm-api.test.mjs). Either way the button keeps working.
test('a listener that clicks again on every error starts no nested sign-in, and the button still works', async () => {
  const ctx = await context({ pages: { '/reenter': doc(`<script class="kommo_oauth" data-client-id="x" src="/dist/button.js"></script>
<script>window.errors = 0; window.again = true; window.open = function () { return null; };
document.addEventListener('kommo-oauth:error', function (e) {
  window.errors += 1;
  if (window.again) e.target.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
});</script>`) } });
  const page = await open(ctx, '/reenter');
  await page.waitForSelector('button.kbtn');
  // window.open refuses every window (as a blocker does): each sign-in reports popup_blocked.
  const first = await page.evaluate(() => { document.querySelector('button.kbtn').click(); return window.errors; });
  assert.equal(first, 1, 'the click reported once; the click dispatched from its report started nothing');
  const later = await page.evaluate(() => { window.again = false; document.querySelector('button.kbtn').click(); return window.errors; });
  assert.equal(later, 2, 'a later click signs in again');
  await ctx.close();
});
