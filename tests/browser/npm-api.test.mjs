// The npm package's mount() as a developer meets it in Chromium, through the published glue
// (pkg/): its mistakes get one clear answer (thrown, not also logged) naming every missing
// option, the option an unknown key meant, a target that is not an element; the handle shows
// the documented API only, and a button outlives a handle that is not kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, serve } from './harness.mjs';

let browser, server;
before(async () => {
  server = await serve({ pages: { '/npm': '<!doctype html><meta charset="utf-8"><div id="signin"></div>' } });
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.close(); });

async function withPackage() {
  const page = await openPage(browser, `${server.origin}/npm`);
  await page.evaluate(async () => {
    const mod = await import('/pkg/index.js');
    await mod.default();
    window.pkg = mod;
  });
  page.consoleMessages.length = 0;
  return page;
}

const thrown = (page, fn) => page.evaluate(`(() => { try { (${fn})(); return null; } catch (e) { return e.message; } })()`);

test('mount() mistakes: one thrown error each, naming what to fix, nothing also logged', async () => {
  const page = await withPackage();
  const target = 'document.getElementById("signin")';
  assert.match(await thrown(page, '() => pkg.mount(null, { clientId: "x" })'), /target is not an element \(got null\)/);
  assert.match(await thrown(page, '() => pkg.mount("#signin", { clientId: "x" })'), /target is not an element \(got string\)/);
  const missing = await thrown(page, `() => pkg.mount(${target}, {})`);
  assert.match(missing, /missing clientId \(or, for a metadata button, name, description, redirectUri, secretsUri, scopes\)/);
  const misspelt = await thrown(page, `() => pkg.mount(${target}, { client_id: "x", onErorr() {} })`);
  assert.match(misspelt, /missing clientId/);
  assert.match(misspelt, /unknown option client_id: did you mean clientId\?/);
  assert.match(misspelt, /unknown option onErorr: did you mean onError\?/);
  assert.deepEqual(page.consoleMessages, [], 'thrown, not also logged');
  // Usable options with a misspelt key: mounted, and one warning for the key.
  await page.evaluate(`window.h = pkg.mount(${target}, { clientId: "x", thme: "dark" })`);
  assert.equal(await page.evaluate(() => document.querySelectorAll('button.kbtn').length), 1);
  assert.deepEqual(page.consoleMessages.map((m) => m.text), ['[kommo-oauth] unknown option thme: did you mean theme?']);
  // Every documented key is known: nothing to say about provider, text, shape or the callbacks.
  page.consoleMessages.length = 0;
  await page.evaluate(`pkg.mount(${target}, { provider: "amocrm", clientId: "x", text: "signin_with", shape: "pill", logoAlignment: "center", onError() {}, onSuccess() {} })`);
  assert.deepEqual(page.consoleMessages, []);
  await page.context().close();
});

test('mount() takes an element of a same-origin frame and options with own getters (MobX), never inherited values', async () => {
  const page = await withPackage();
  const result = await page.evaluate(async () => {
    const frame = document.createElement('iframe');
    document.body.appendChild(frame);
    const inner = frame.contentDocument.createElement('div');
    frame.contentDocument.body.appendChild(inner);
    const intoFrame = pkg.mount(inner, { clientId: 'in-frame' });
    const observable = { get clientId() { return 'from-getter'; } };
    const fromGetter = pkg.mount(document.getElementById('signin'), observable);
    Object.prototype.clientId = 'polluted';
    let inherited;
    try { pkg.mount(document.getElementById('signin'), {}); } catch (e) { inherited = e.message; }
    delete Object.prototype.clientId;
    return {
      frame: intoFrame.element.getAttribute('data-client_id'),
      getter: fromGetter.element.getAttribute('data-client_id'),
      inherited,
    };
  });
  assert.equal(result.frame, 'in-frame');
  assert.equal(result.getter, 'from-getter');
  assert.match(result.inherited, /missing clientId/, 'a polluted prototype supplies no option');
  await page.context().close();
});

test('the handle has the documented members only; destroy() twice, then element and signIn()', async () => {
  const page = await withPackage();
  const result = await page.evaluate(async () => {
    const h = pkg.mount(document.getElementById('signin'), { clientId: 'x' });
    const members = Object.getOwnPropertyNames(Object.getPrototypeOf(h)).sort();
    h.destroy();
    h.destroy();
    const rejected = await h.signIn().then(() => 'resolved', (e) => e.code);
    return { members, exports: Object.keys(pkg).sort(), buttons: document.querySelectorAll('button.kbtn').length, element: h.element === undefined, rejected };
  });
  assert.deepEqual(result, {
    members: ['constructor', 'destroy', 'element', 'signIn'],
    exports: ['SignInFailure', 'default', 'mount'],
    buttons: 0,
    element: true,
    rejected: 'cancelled',
  });
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('a button whose handle is dropped lives on: garbage collection neither removes it nor loses the sign-in in progress', async () => {
  const page = await withPackage();
  await page.evaluate(() => {
    window.results = [];
    // mount() in a function, its handle dropped: only the element remains.
    (function () {
      pkg.mount(document.getElementById('signin'), { clientId: 'gc', mode: 'post_message', onError: (e) => window.results.push(e.error) });
    })();
  });
  const popupPromise = page.waitForEvent('popup');
  await page.click('button.kbtn');
  const popup = await popupPromise;
  // Collect until a sentinel registered like the handle has been finalised: the handle's
  // FinalizationRegistry callback has had its turn too.
  const cdp = await page.context().newCDPSession(page);
  await page.evaluate(() => {
    window.finalised = false;
    window.sentinels = new FinalizationRegistry(() => { window.finalised = true; });
    (function () { window.sentinels.register({}, 0); })();
  });
  for (let i = 0; i < 20 && !(await page.evaluate(() => window.finalised)); i++) {
    await cdp.send('HeapProfiler.collectGarbage');
    await page.waitForTimeout(50);
  }
  assert.ok(await page.evaluate(() => window.finalised), 'a garbage collection ran and finalisers were called');
  await page.waitForTimeout(100);
  assert.equal(await page.evaluate(() => document.querySelectorAll('button.kbtn').length), 1, 'the button is still there');
  // The attempt still runs: the visitor closes the popup, and the page hears of it.
  await page.waitForTimeout(1600); // past the COOP grace
  await popup.close();
  await page.waitForFunction(() => window.results.length === 1);
  assert.deepEqual(await page.evaluate(() => window.results), ['popup_closed']);
  // Once its element leaves the document, the button is released, its click listener with it.
  const opens = await page.evaluate(async () => {
    const element = document.querySelector('button.kbtn');
    document.getElementById('signin').replaceChildren();
    await new Promise((r) => setTimeout(r, 50));
    let count = 0;
    window.open = () => { count++; return null; };
    document.getElementById('signin').append(element);
    element.click();
    return count;
  });
  assert.equal(opens, 0, 'a released button opens nothing');
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('messages name options, and quote the values as given (a value holding an attribute name included)', async () => {
  const page = await withPackage();
  const target = 'document.getElementById("signin")';
  const thrown = await page.evaluate(`(() => { try { pkg.mount(${target}, { name: "n", description: "d", redirectUri: "http://example.com/data-logo.png", secretsUri: "https://example.com/s", scopes: "crm" }); return null; } catch (e) { return e.message; } })()`);
  assert.match(thrown, /redirectUri="http:\/\/example\.com\/data-logo\.png" must be an https:\/\/ URL/);
  await page.evaluate(`pkg.mount(${target}, { clientId: "x", width: "data-text-width" })`);
  const warned = page.consoleMessages.map((m) => m.text).join('\n');
  assert.match(warned, /width="data-text-width"/, warned);
  await page.context().close();
});

test('a kept handle\'s button survives its element leaving the document and coming back, with its sign-in', async () => {
  const page = await withPackage();
  await page.context().route('https://www.kommo.com/**', (r) => r.fulfill({ contentType: 'text/html', body: '<p>consent</p>' }));
  await page.evaluate(() => {
    window.results = [];
    window.kept = pkg.mount(document.getElementById('signin'), { clientId: 'kept', mode: 'post_message', onError: (e) => window.results.push(e.error) });
  });
  const popupPromise = page.waitForEvent('popup');
  await page.click('button.kbtn');
  const popup = await popupPromise;
  // The page moves the button out of the document (a modal closed, <KeepAlive>), then back.
  await page.evaluate(async () => {
    const holder = document.getElementById('signin');
    const parked = document.createElement('div');
    parked.append(...holder.childNodes);
    await new Promise((r) => setTimeout(r, 50));
    holder.append(...parked.childNodes);
  });
  await page.waitForTimeout(1600); // past the COOP grace: a close is the visitor's
  await popup.close();
  await page.waitForFunction(() => window.results.length === 1);
  assert.deepEqual(await page.evaluate(() => window.results), ['popup_closed'], 'the sign-in in progress still reported');
  assert.ok(await page.evaluate(() => window.kept.element?.isConnected), 'the same button is back');
  await page.evaluate(() => window.kept.destroy());
  assert.equal(await page.evaluate(() => document.querySelectorAll('button.kbtn').length), 0);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('the first mount() warms the click path up once, idle: nothing stored, opened or logged', async () => {
  const page = await withPackage();
  const result = await page.evaluate(async () => {
    // The warm-up's last step loads sessionStorage (reads its length): counted here.
    const length = Object.getOwnPropertyDescriptor(Storage.prototype, 'length');
    let reads = 0;
    Object.defineProperty(Storage.prototype, 'length', { configurable: true, get() { reads += 1; return length.get.call(this); } });
    // The warm-up calls the click's own function, which must return before it opens.
    let opened = 0;
    const open = window.open;
    window.open = function () { opened += 1; return open.apply(this, arguments); };
    const idle = () => new Promise((r) => setTimeout(r, 50));
    const host = document.getElementById('signin');
    pkg.mount(host, { clientId: 'a' });
    const before = reads;
    await idle();
    const first = reads - before;
    pkg.mount(host, { clientId: 'b' });
    await idle();
    return { before, first, second: reads - before - first, stored: sessionStorage.length, opened };
  });
  assert.deepEqual(result, { before: 0, first: 1, second: 0, stored: 0, opened: 0 });
  assert.equal(page.context().pages().length, 1, 'nothing opened');
  assert.deepEqual(page.consoleMessages, []);
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('a button its own options destroy during the idle warm-up: a sign-in its last drop starts still opens', async () => {
  const page = await withPackage();
  const result = await page.evaluate(async () => {
    let opened = 0;
    window.open = () => { opened += 1; return null; };
    console.error = () => {};
    const other = document.createElement('div');
    document.body.append(other);
    let armed = false, handle, second;
    // The warm-up reads the first button's options again: this getter destroys it then.
    const options = { clientId: 'first' };
    Object.defineProperty(options, 'title', { enumerable: true, get() { if (armed) { armed = false; handle.destroy(); } return 'Sign in'; } });
    handle = pkg.mount(document.getElementById('signin'), options);
    second = pkg.mount(other, { clientId: 'second' });
    armed = true;
    // The button's last drop cancels what waits on it, building an error object: a setter
    // on Object.prototype runs page code there, which signs in with the other button.
    let trap = true;
    Object.defineProperty(Object.prototype, 'error', { configurable: true, set() { if (trap) { trap = false; second.signIn().catch(() => {}); } } });
    await new Promise((r) => setTimeout(r, 50));
    delete Object.prototype.error;
    return { opened, trapped: !trap, buttons: document.querySelectorAll('button.kbtn').length };
  });
  assert.deepEqual(result, { opened: 1, trapped: true, buttons: 1 });
  assert.deepEqual(page.pageErrors, []);
  await page.context().close();
});

test('an onError that calls signIn() again at once nests sign-ins four deep at most; the fifth is cancelled and the handle still works', async () => {
  const page = await withPackage();
  const result = await page.evaluate(async () => {
    window.open = () => null;
    console.error = () => {};
    let errors = 0, again = true, handle;
    const fifth = [];
    handle = pkg.mount(document.getElementById('signin'), {
      clientId: 'x',
      onError: () => {
        errors += 1;
        if (again) fifth.push(handle.signIn().then(() => 'resolved', (e) => e.code));
      },
    });
    const first = await handle.signIn().then(() => 'resolved', (e) => e.code);
    const nested = await Promise.all(fifth);
    const count = errors;
    again = false;
    const later = await handle.signIn().then(() => 'resolved', (e) => e.code);
    return { first, count, nested, later, total: errors };
  });
  assert.equal(result.first, 'popup_blocked');
  assert.equal(result.count, 4, 'the call and three nested in its reports');
  assert.ok(result.nested.includes('cancelled'), `the fifth is cancelled, not left pending: ${result.nested}`);
  assert.equal(result.later, 'popup_blocked');
  assert.equal(result.total, 5);
  await page.context().close();
});
