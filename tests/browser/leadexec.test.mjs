// The LeadExec drop-in (dist/le-app-button.js) against the sandbox's LeadExec profile, as an
// integrator uses it: LeadExec's documented loader with only its host changed, the
// documented button markup and a global AuthorizeResult. First visit → dialog → Allow;
// reload → signed in without a dialog; refresh → a new one-hour token; disconnect → the
// next render does not sign in and the next click shows the dialog; decline, a closed
// dialog, a grant revoked elsewhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { launch, root, serve, startServer } from './harness.mjs';

let sandbox, site, browser;

// LeadExec's snippet, verbatim but for the host.
const loader = (host) => `<!-- LeadExec Application Button Code Block --> <script type="text/javascript"> (function() { var cpbutton = document.createElement('script');cpbutton.type = 'text/javascript';cpbutton.async = true; cpbutton.src = ('https:' == document.location.protocol ? 'https://' : 'http://') + '${host}/js/le-app-button.js'; var s = document.getElementsByTagName('script')[0]; s.parentNode.insertBefore(cpbutton, s); var styles = "@import url('" + ('https:' == document.location.protocol ? 'https://' : 'http://'); styles = styles + '${host}/css/le-app-button.css' + "');"; var newSS = document.createElement('link'); newSS.rel = 'stylesheet'; newSS.href = 'data:text/css,' + escape(styles); document.getElementsByTagName("head")[0].appendChild(newSS); })(); </script> <!-- End Code Block -->`;

const page = (host) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>An app with LeadExec</title></head><body>
<script>window.results = []; function AuthorizeResult(result) { window.results.push(result); }</script>
<form><button id="leAppButton" class="le-app-button my-style" data-btnId="demo-button">Sign in with LeadExec</button></form>
${loader(host)}</body></html>`;

before(async () => {
  execSync('cargo build -p kommo-sandbox', { cwd: root, stdio: 'inherit' });
  sandbox = await startServer(join(root, 'target/debug/kommo-sandbox'), ['--port', '0', '--dist', join(root, 'dist')], /(http:\/\/127\.0\.0\.1:\d+)/);
  site = await serve({
    pages: {
      '/app': page(new URL(sandbox.url).host),
      // The npm package's entry, as an app bundling it would use it.
      '/npm': `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module">
        import init, { setOrigin, refresh, disconnect } from '/pkg/leadexec/index.js';
        await init();
        setOrigin(${JSON.stringify(sandbox.url)});
        window.api = { refresh, disconnect };
      </script>`,
    },
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await site?.close();
  sandbox?.child.kill();
});

async function open(context) {
  const p = await context.newPage();
  p.errors = [];
  p.on('pageerror', (e) => p.errors.push(String(e)));
  p.on('console', (m) => { if (m.type() === 'error') p.errors.push(m.text()); });
  await p.goto(`${site.origin}/app`);
  await p.waitForFunction(() => window.LeadExec && document.getElementById('leAppButton').getAttribute('type') === 'button');
  return p;
}

async function dialog(context, p) {
  const [popup] = await Promise.all([context.waitForEvent('page'), p.click('#leAppButton')]);
  await popup.waitForLoadState();
  return popup;
}

const results = (p) => p.evaluate(() => window.results);

test('first visit, reload, refresh, disconnect: the documented snippet with only the host changed', async () => {
  const context = await browser.newContext();
  // First visit: the button is the integrator's own, enhanced; a click opens the dialog.
  let p = await open(context);
  assert.deepEqual(await p.$eval('#leAppButton', (b) => [b.textContent, b.className, b.id]), ['Sign in with LeadExec', 'le-app-button my-style', 'leAppButton']);
  const popup = await dialog(context, p);
  assert.match(await popup.textContent('main'), /Acme CRM Sync[\s\S]*Read your leads/);
  assert.equal(await p.getAttribute('#leAppButton', 'aria-busy'), 'true');
  const closed = popup.waitForEvent('close');
  await popup.click('button.allow');
  await closed;
  await p.waitForFunction(() => window.results.length === 1);
  const [first] = await results(p);
  assert.equal(first.valid, true);
  assert.equal(first.appId, 'demo-app');
  assert.match(first.refreshToken, /^le_rt_/);
  assert.match(first.authToken, /^le_at_/);
  const expires = Date.parse(first.expireDate) - Date.now();
  assert.ok(expires > 3500e3 && expires <= 3600e3, `one hour, in UTC: ${first.expireDate}`);
  assert.equal(await p.getAttribute('#leAppButton', 'aria-busy'), null);
  assert.deepEqual(p.errors, []);

  // Reload: signed in on render, with a fresh token and no dialog.
  let opened = 0;
  context.on('page', () => opened++);
  await p.reload();
  await p.waitForFunction(() => window.results.length === 1);
  const [again] = await results(p);
  assert.equal(again.valid, true);
  assert.equal(again.refreshToken, first.refreshToken);
  assert.notEqual(again.authToken, first.authToken);
  assert.equal(opened, 0, 'no window opened by itself');

  // Refresh: a new one-hour access token; a wrong application id is not valid.
  const refreshed = await p.evaluate(([rt]) => window.LeadExec.refresh(rt, 'demo-app'), [first.refreshToken]);
  assert.equal(refreshed.valid, true);
  assert.notEqual(refreshed.authToken, again.authToken);
  assert.ok(Date.parse(refreshed.expireDate) - Date.now() > 3500e3);
  const wrongApp = await p.evaluate(([rt]) => window.LeadExec.refresh(rt, 'someone-else'), [first.refreshToken]);
  assert.equal(wrongApp.valid, false);
  assert.ok(wrongApp.errorMessage);

  // Disconnect: the refresh token stops working, the next render does not sign in, and the
  // next click shows the dialog again.
  const disconnected = await p.evaluate(([rt]) => window.LeadExec.disconnect(rt), [first.refreshToken]);
  assert.equal(disconnected.valid, true);
  const dead = await p.evaluate(([rt]) => window.LeadExec.refresh(rt, 'demo-app'), [first.refreshToken]);
  assert.equal(dead.valid, false);
  await p.reload();
  await p.waitForFunction(() => window.LeadExec);
  await p.waitForTimeout(500);
  assert.deepEqual(await results(p), []);
  const second = await dialog(context, p);
  assert.equal(await second.locator('button.allow').count(), 1, 'the dialog asks again');
  await second.close();
  await context.close();
});

test('a returning visitor whose grant was revoked elsewhere gets grant_revoked on render', async () => {
  const context = await browser.newContext();
  const p = await open(context);
  const popup = await dialog(context, p);
  await popup.click('button.allow');
  await p.waitForFunction(() => window.results.length === 1);
  const [{ refreshToken }] = await results(p);
  // The integrator's server disconnects (the documented GET, from Node).
  const answer = await (await fetch(`${sandbox.url}/authorize/disconnectapplicationtoken/${refreshToken}`)).json();
  assert.equal(answer.valid, true);
  await p.reload();
  await p.waitForFunction(() => window.results.length === 1);
  assert.deepEqual(await results(p), [{ valid: false, error: 'grant_revoked' }]);
  await context.close();
});

test('Cancel in the dialog, and a dialog closed by the visitor, reach AuthorizeResult with valid false', async () => {
  const context = await browser.newContext();
  const p = await open(context);
  const popup = await dialog(context, p);
  await popup.click('button.cancel');
  await p.waitForFunction(() => window.results.length === 1);
  assert.deepEqual(await results(p), [{ valid: false, error: 'access_denied' }]);
  const again = await dialog(context, p);
  await again.close();
  await p.waitForFunction(() => window.results.length === 2);
  assert.deepEqual((await results(p))[1], { valid: false, error: 'popup_closed' });
  await context.close();
});

test('a blocked dialog reaches AuthorizeResult; the documented jQuery JSONP disconnect still works', async () => {
  const context = await browser.newContext();
  const p = await open(context);
  await p.evaluate(() => { window.open = () => null; });
  await p.click('#leAppButton');
  await p.waitForFunction(() => window.results.length === 1);
  assert.deepEqual(await results(p), [{ valid: false, error: 'popup_blocked' }]);
  const jsonp = await (await fetch(`${sandbox.url}/authorize/disconnectapplicationtoken/le_rt_unknown?callback=jQuery1_2`)).text();
  assert.match(jsonp, /^\/\*\*\/jQuery1_2\(\{"valid":false,/);
  assert.equal((await fetch(`${sandbox.url}/authorize/disconnectapplicationtoken/x?callback=alert(1)`)).status, 400);
  // The dialog answers only the origins the application registered (the demo's: loopback).
  const foreign = await fetch(`${sandbox.url}/authorize/dialog?btnid=demo-button&origin=${encodeURIComponent('https://evil.example')}&state=x`);
  assert.equal(foreign.status, 400);
  await context.close();
});

test('the npm package\'s kommo-oauth-button/leadexec entry refreshes and disconnects against the service it is given', async () => {
  const context = await browser.newContext();
  // A grant, made through the dialog from the drop-in page.
  const p = await open(context);
  const popup = await dialog(context, p);
  await popup.click('button.allow');
  await p.waitForFunction(() => window.results.length === 1);
  const [{ refreshToken, appId }] = await results(p);
  const npm = await context.newPage();
  await npm.goto(`${site.origin}/npm`);
  await npm.waitForFunction(() => window.api);
  const fresh = await npm.evaluate(([rt, app]) => window.api.refresh(rt, app), [refreshToken, appId]);
  assert.equal(fresh.valid, true);
  assert.match(fresh.authToken, /^le_at_/);
  assert.equal((await npm.evaluate(([rt]) => window.api.disconnect(rt), [refreshToken])).valid, true);
  assert.equal((await npm.evaluate(([rt, app]) => window.api.refresh(rt, app), [refreshToken, appId])).valid, false);
  await context.close();
});
