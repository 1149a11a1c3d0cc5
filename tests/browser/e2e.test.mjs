// End to end: the drop-in on the demo integrator site (one origin) against the sandbox
// provider (another origin), in real popups, both modes, both decisions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { axeViolations, launch, root, startServer } from './harness.mjs';

let sandbox, demo, coopDemo, browser;

const start = startServer;

before(async () => {
  execSync('cargo build -p kommo-sandbox', { cwd: root, stdio: 'inherit' });
  sandbox = await start(join(root, 'target/debug/kommo-sandbox'), ['--port', '0'], /(http:\/\/127\.0\.0\.1:\d+)/);
  demo = await start('node', ['www/server.mjs', '--db', ':memory:', '--port', '0', '--sandbox', sandbox.url, '--test-log'], /Demo integrator site: (\S+)\//);
  coopDemo = await start('node', ['www/server.mjs', '--db', ':memory:', '--port', '0', '--sandbox', sandbox.url, '--coop', '--client-id', 'coop-client', '--test-log'], /Demo integrator site: (\S+)\//);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  for (const p of [coopDemo, demo, sandbox]) p?.child.kill();
});

async function site(base = demo.url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.pageErrors = [];
  page.on('pageerror', (e) => page.pageErrors.push(String(e)));
  await page.goto(`${base}/`);
  await page.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 3);
  return page;
}

async function openConsent(page, selector) {
  const popupPromise = page.waitForEvent('popup');
  await page.click(selector);
  const popup = await popupPromise;
  await popup.waitForSelector('button.allow');
  return popup;
}

const POPUP_BUTTON = '#popup-mode button.kbtn';
const POST_MESSAGE_BUTTON = '#post-message-mode button.kbtn';
const METADATA_BUTTON = '#metadata button.kbtn';
const events = (page) => page.evaluate(() => window.kommoEvents);

test('popup mode, Allow: the main window lands on the Redirect URI with a code that exchanges for tokens', async () => {
  const page = await site();
  const popup = await openConsent(page, POPUP_BUTTON);
  assert.match(await popup.textContent('main'), /Demo Integration/);
  await popup.check('input[name="account_id"][value="31000002"]');
  await Promise.all([page.waitForURL(/\/callback\?/), popup.click('button.allow')]);
  await page.waitForFunction(() => window.kommoCallback);
  const result = await page.evaluate(() => window.kommoCallback);
  assert.ok(result.code);
  assert.equal(result.referer, 'sandbox-beta.kommo.com');
  assert.equal(result.client_id, 'demo-client-id');
  assert.equal(result.state.length, 32, 'a generated state went round trip');
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('code'), null, 'the helper took the code out of the address bar');
  assert.equal(url.searchParams.get('state'), null);
  assert.equal(url.searchParams.get('client_id'), 'demo-client-id', 'other parameters stay');
  assert.match(await page.textContent('#server-status'), /Connected/);
  await page.waitForFunction(() => /Beta Logistics/.test(document.getElementById('account').textContent));
  assert.equal(result.verified, true, 'this tab issued the state');
  await page.waitForTimeout(100);
  assert.ok(popup.isClosed(), 'the popup closed');
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('post_message mode, Allow: the success callback runs in the main window and the popup closes', async () => {
  const page = await site();
  const popup = await openConsent(page, POST_MESSAGE_BUTTON);
  const closed = popup.waitForEvent('close');
  await popup.click('button.allow');
  await closed;
  await page.waitForFunction(() => window.kommoEvents.length === 1);
  const [e] = await events(page);
  assert.equal(e.type, 'success');
  assert.ok(e.detail.code);
  assert.equal(e.detail.referer, 'sandbox-alpha.kommo.com');
  assert.equal(new URL(page.url()).pathname, '/', 'the main window stayed');
  await page.waitForFunction(() => /Alpha Trading/.test(document.getElementById('account').textContent));
  await page.context().close();
});

for (const [mode, selector] of [['popup', POPUP_BUTTON], ['post_message', POST_MESSAGE_BUTTON]]) {
  test(`${mode} mode, Decline: the error callback gets exactly {client_id, error: "access_denied"}`, async () => {
    const page = await site();
    const popup = await openConsent(page, selector);
    await popup.click('button.decline');
    await page.waitForFunction(() => window.kommoEvents.length > 0);
    await page.waitForTimeout(300);
    const all = await events(page);
    assert.equal(all.length, 1, 'called exactly once');
    assert.deepEqual(all[0], { type: 'error', detail: { client_id: 'demo-client-id', error: 'access_denied' } });
    assert.equal(new URL(page.url()).pathname, '/');
    await page.context().close();
  });
}

/**
 * Where a size build's stack starts: the initial value of its first mutable i32 global,
 * the stack pointer (wasm-ld's `__stack_pointer`), read from the module's global section.
 */
function stackTop(bytes) {
  let i = 8;
  const leb = () => {
    let result = 0, shift = 0, byte;
    do { byte = bytes[i++]; result += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return result;
  };
  while (i < bytes.length) {
    const id = bytes[i++];
    const end = leb() + i;
    if (id === 6) {
      for (let n = leb(); n > 0; n--) {
        const [type, mutable, op] = [bytes[i], bytes[i + 1], bytes[i + 2]];
        i += 3;
        const value = leb();
        if (type === 0x7f && mutable === 1 && op === 0x41) return value;
        while (bytes[i - 1] !== 0x0b) i++;
      }
    }
    i = end;
  }
  throw new Error('no stack pointer in the module');
}

// The size build puts the stack after the static data (scripts/build.mjs, SIZE_BUILD): an
// overflow would write over the statics instead of trapping. This shows how far from that
// a real sign-in stays: the lowest stack byte any frame wrote, after sign-ins that succeed,
// fail and are declined.
test('the drop-in uses a few kilobytes of its 1 MiB stack through sign-ins that succeed and are declined', async () => {
  const STACK = 1024 * 1024;
  const top = stackTop(readFileSync(join(root, 'dist', 'button_bg.wasm')));
  const context = await browser.newContext();
  await context.addInitScript(() => {
    const instantiate = WebAssembly.instantiate;
    WebAssembly.instantiate = function (...args) {
      return instantiate.apply(this, args).then((r) => {
        // The drop-in's export names are minified: its memory is the one Memory export.
        const exports = Object.values((r.instance || r).exports);
        window.wasmMemory = exports.find((e) => e instanceof WebAssembly.Memory);
        return r;
      });
    };
  });
  const page = await context.newPage();
  await page.goto(`${demo.url}/`);
  await page.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 3);
  let popup = await openConsent(page, POST_MESSAGE_BUTTON);
  const closed = popup.waitForEvent('close');
  await popup.click('button.allow');
  await closed;
  popup = await openConsent(page, POST_MESSAGE_BUTTON);
  await popup.click('button.decline');
  await page.waitForFunction(() => window.kommoEvents.length === 2);
  const used = await page.evaluate(([top, size]) => {
    const stack = new Uint8Array(window.wasmMemory.buffer, top - size, size);
    return size - stack.findIndex((byte) => byte !== 0);
  }, [top, STACK]);
  assert.ok(used > 0 && used < 64 * 1024, `the deepest frame reached ${used} bytes below the stack's top`);
  console.log(`# the drop-in's deepest stack use: ${used} bytes of ${STACK}`);
  await context.close();
});

test('the user closes the popup: the closed error is reported', async () => {
  const page = await site();
  await page.evaluate(() => document.addEventListener('kommo-oauth:error', (e) => { window.lastError = e.detail; }));
  const popup = await openConsent(page, POST_MESSAGE_BUTTON);
  await page.waitForTimeout(1700);
  await popup.close();
  await page.waitForFunction(() => window.lastError);
  assert.equal(await page.evaluate(() => window.lastError.error), 'popup_closed');
  assert.deepEqual((await events(page)).map((e) => e.detail.error), ['popup_closed'], 'data-error-callback got it too');
  await page.context().close();
});

test('metadata button: the secrets webhook arrives before the redirect, and the code exchanges', async () => {
  const page = await site();
  const popup = await openConsent(page, METADATA_BUTTON);
  assert.match(await popup.textContent('main'), /Acme on-the-fly/);
  await Promise.all([page.waitForURL(/\/callback\?/), popup.click('button.allow')]);
  const log = await (await fetch(`${demo.url}/api/log`)).json();
  const redirect = log.redirects.at(-1);
  const secret = log.secrets.find((s) => s.client_id === redirect.query.client_id);
  assert.ok(secret, 'the secrets webhook named the new client_id');
  assert.equal(secret.state, redirect.query.state);
  assert.ok(secret.at <= redirect.at, 'webhook before redirect');
  assert.match(await page.textContent('#server-status'), /Connected/);
  await page.context().close();
});

test('an integrator page with Cross-Origin-Opener-Policy: same-origin still gets the result', async () => {
  const page = await site(coopDemo.url);
  const popupPromise = page.waitForEvent('popup');
  await page.click(POST_MESSAGE_BUTTON);
  const popup = await popupPromise;
  await popup.waitForSelector('button.allow');
  await popup.click('button.allow');
  await page.waitForFunction(() => window.kommoEvents.length === 1, null, { timeout: 10000 });
  const [e] = await events(page);
  assert.equal(e.type, 'success');
  assert.ok(e.detail.code);
  await page.waitForFunction(() => /Alpha Trading/.test(document.getElementById('account').textContent));
  if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 5000 }).catch(() => {});
  assert.ok(popup.isClosed(), 'the COOP-cut popup closed itself after the opener acknowledged');
  await page.context().close();
});

test('disabling the integration in the sandbox revokes its tokens and calls the disconnect hook', async () => {
  const page = await site();
  const popup = await openConsent(page, POPUP_BUTTON);
  await popup.check('input[name="account_id"][value="31000003"]');
  await Promise.all([page.waitForURL(/\/callback\?/), popup.click('button.allow')]);
  const api = (path, init) => page.evaluate(([p, i]) => fetch(p, i).then(async (r) => ({ status: r.status, body: await r.json() })), [path, init]);
  assert.equal((await api('/api/account')).body.name, 'Gamma Studio');
  assert.equal((await api('/api/refresh', { method: 'POST' })).body.refreshed, true);
  assert.equal((await api('/api/account')).status, 200, 'the refreshed pair works');
  // Two refreshes at once (two tabs): one request reaches the provider, so the rotated token
  // is never presented twice (which the provider reads as theft and revokes the family).
  // (That they share one provider request is tested with a slow provider in tests/api/demo.test.mjs.)
  const both = await Promise.all([api('/api/refresh', { method: 'POST' }), api('/api/refresh', { method: 'POST' })]);
  assert.deepEqual(both.map((r) => r.body.refreshed), [true, true]);
  assert.equal((await api('/api/account')).status, 200, 'still signed in after overlapping refreshes');
  // Tokens stay on the server: nothing the browser gets from the back end carries one.
  const seen = JSON.stringify([await api('/api/account'), ...both, await page.content()]);
  assert.doesNotMatch(seen, /\b(at|rt|le_at|le_rt|ms)_[0-9a-f]{16}/);
  // The account admin disables the integration on the sandbox admin page.
  const admin = await page.context().newPage();
  await admin.goto(`${sandbox.url}/sandbox/admin`);
  await admin.click('form:has(input[name="account_id"][value="31000003"]) button');
  assert.equal((await api('/api/account')).status, 401);
  const log = await (await fetch(`${demo.url}/api/log`)).json();
  assert.deepEqual(log.disconnects.map(({ account_id, client_id }) => ({ account_id, client_id })), [{ account_id: '31000003', client_id: 'demo-client-id' }]);
  await page.context().close();
});

test('the gallery (npm package bundled by webpack) shows every theme, colour, size and locale', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${demo.url}/gallery`);
  await page.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 4 + 4 + 12 + 1);
  const texts = await page.$$eval('button.kbtn', (bs) => bs.map((b) => b.textContent || b.getAttribute('aria-label')));
  for (const t of ['Continue with Kommo', 'Continuar con Kommo', 'Continuar com Kommo', 'Lanjutkan dengan Kommo', 'Авторизоваться через amoCRM']) {
    assert.ok(texts.includes(t), t);
  }
  const cut = await page.$$eval('button.kbtn .kbtn-text', (ts) => ts
    .filter((t) => t.scrollHeight > t.clientHeight + 1 || t.scrollWidth > t.clientWidth + 1)
    .map((t) => t.textContent));
  assert.deepEqual(cut, [], 'the gallery shows whole titles');
  await context.close();
});

test('axe-core finds no WCAG 2.1 A or AA violation on the demo site, its gallery and its Redirect URI page', async () => {
  const context = await browser.newContext();
  for (const [path, buttons] of [['/', 3], ['/gallery', 21]]) {
    const page = await context.newPage();
    await page.goto(`${demo.url}${path}`);
    await page.waitForFunction((n) => document.querySelectorAll('button.kbtn').length === n, buttons);
    assert.deepEqual(await axeViolations(page), [], path);
    await page.close();
  }
  const page = await context.newPage();
  await page.goto(`${demo.url}/callback?error=access_denied&client_id=demo-client-id&state=zz`);
  await page.waitForFunction(() => window.kommoCallback);
  assert.deepEqual(await axeViolations(page), [], '/callback');
  await context.close();
});

test('the demo site\'s LeadExec section: sign in, reload signs in again, the server refreshes and disconnects, then the dialog again', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${demo.url}/`);
  await page.waitForFunction(() => document.getElementById('leAppButton').getAttribute('type') === 'button');
  const [dialog] = await Promise.all([context.waitForEvent('page'), page.click('#leAppButton')]);
  await dialog.click('button.allow');
  await page.waitForFunction(() => /Signed in with LeadExec/.test(document.getElementById('le-status').textContent));
  assert.equal(await page.isVisible('#leAppButton'), false, 'the page hides the button, as LeadExec\'s example does');
  // Reload: signed in on render, no dialog.
  let opened = 0;
  context.on('page', () => opened++);
  await page.reload();
  await page.waitForFunction(() => /Signed in with LeadExec/.test(document.getElementById('le-status').textContent));
  assert.equal(opened, 0);
  // The back end refreshes from the server: a new expiry, an hour ahead.
  const before = await page.textContent('#le-status');
  await page.waitForTimeout(1100);
  await page.click('#le-refresh');
  await page.waitForFunction((b) => document.getElementById('le-status').textContent !== b, before);
  const until = Date.parse((await page.textContent('#le-status')).match(/until (\S+)\)/)[1]);
  assert.ok(until - Date.now() > 3500e3, 'one hour');
  // The back end disconnects: the next render reports the revoked grant, and a click asks again.
  await page.click('#le-disconnect');
  await page.waitForFunction(() => /Disconnected/.test(document.getElementById('le-status').textContent));
  await page.reload();
  await page.waitForFunction(() => /grant_revoked/.test(document.getElementById('le-status').textContent));
  const [again] = await Promise.all([context.waitForEvent('page'), page.click('#leAppButton')]);
  assert.equal(await again.locator('button.allow').count(), 1);
  await context.close();
});

test('the consent page follows the locale path and can simulate a widget install (from_widget)', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const q = new URLSearchParams({ state: 'w1', mode: 'post_message', origin: `${demo.url}/`, client_id: 'demo-client-id' });
  await page.goto(`${sandbox.url}/es/oauth/?${q}`);
  assert.match(await page.textContent('button.allow'), /Permitir/);
  await page.check('input[name="from_widget"]');
  await Promise.all([page.waitForURL(/\/callback\?/), page.click('button.allow')]);
  await page.waitForFunction(() => window.kommoCallback);
  const result = await page.evaluate(() => window.kommoCallback);
  assert.equal(result.from_widget, '1');
  assert.equal(result.state, 'w1');
  await context.close();
});

test('the Redirect URI helper tells the visitor to close the window when it cannot close it', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${demo.url}/gallery`);
  // A window with a name of our popups' form that the browser will not let a script close
  // (not script-opened).
  await page.evaluate(() => { window.name = `kommo-oauth-${'0'.repeat(32)}`; });
  await page.goto(`${demo.url}/callback?error=access_denied&client_id=demo-client-id&state=zz`);
  await page.waitForSelector('p[role="status"]');
  assert.match(await page.textContent('p[role="status"]'), /not completed\. You can close this window/);
  assert.equal(await page.evaluate(() => window.kommoCallback.verified), false, 'a state this tab never issued');
  await context.close();
});

test('a blocked popup with data-fallback="same-tab" continues in the same tab', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => { window.open = () => null; });
  await page.goto(`${demo.url}/`);
  await page.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 3);
  await page.evaluate(() => document.querySelector('#popup-mode script.kommo_oauth').setAttribute('data-fallback', 'same-tab'));
  await Promise.all([page.waitForURL(/\/oauth\/\?/), page.click(POPUP_BUTTON)]);
  const url = new URL(page.url());
  assert.equal(url.origin, sandbox.url);
  assert.equal(url.searchParams.get('mode'), 'post_message', 'the consent page redirects this tab');
  await Promise.all([page.waitForURL(/\/callback\?/), page.click('button.allow')]);
  assert.match(await page.textContent('#server-status'), /Connected/);
  await context.close();
});

test('popup mode under Cross-Origin-Opener-Policy: the main window still reaches the Redirect URI', async () => {
  const page = await site(coopDemo.url);
  const popupPromise = page.waitForEvent('popup');
  await page.click(POPUP_BUTTON);
  const popup = await popupPromise;
  await popup.waitForSelector('button.allow');
  // The Redirect URI loaded in the popup (COOP left the consent page no opener to post to):
  // the main window reloads instead of loading it, and its code, a second time.
  const before = (await (await fetch(`${coopDemo.url}/api/log`)).json()).redirects.length;
  await Promise.all([page.waitForEvent('load', { timeout: 10000 }), popup.click('button.allow')]);
  assert.equal(new URL(page.url()).pathname, '/');
  await page.waitForFunction(() => /Alpha Trading/.test(document.getElementById('account').textContent));
  const redirects = (await (await fetch(`${coopDemo.url}/api/log`)).json()).redirects.slice(before);
  assert.equal(redirects.length, 1, 'the Redirect URI was loaded once');
  assert.equal(redirects[0].query.client_id, 'coop-client');
  // The opener acknowledged the broadcast, so the popup knew it was one and closed itself.
  await popup.waitForEvent('close', { timeout: 5000 }).catch(() => {});
  assert.ok(popup.isClosed(), 'the COOP-cut popup closed itself');
  await page.context().close();
});

test('the demo on a 320 px phone shows every button\'s whole title', async () => {
  const context = await browser.newContext({ viewport: { width: 320, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${demo.url}/`);
  await page.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 3);
  const cut = await page.$$eval('button.kbtn .kbtn-text', (ts) => ts
    .filter((t) => t.scrollHeight > t.clientHeight + 1 || t.scrollWidth > t.clientWidth + 1)
    .map((t) => t.textContent));
  assert.deepEqual(cut, []);
  await context.close();
});

test('the demo and its gallery load with a clean console: no error, no warning, no failed request', async () => {
  for (const path of ['/', '/gallery']) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const noise = [];
    page.on('console', (m) => { if (['error', 'warning'].includes(m.type())) noise.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => noise.push(`pageerror: ${e}`));
    page.on('response', (r) => { if (r.status() >= 400) noise.push(`${r.status()} ${r.url()}`); });
    page.on('requestfailed', (r) => noise.push(`failed ${r.url()}`));
    await page.goto(`${demo.url}${path}`, { waitUntil: 'networkidle' });
    await page.waitForFunction(() => document.querySelectorAll('button.kbtn').length > 0);
    await page.waitForTimeout(200);
    assert.deepEqual(noise, [], path);
    await context.close();
  }
});
