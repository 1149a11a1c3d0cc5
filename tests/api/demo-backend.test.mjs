// The demo back end (www/server.mjs) against the provider's failures and its own restarts:
// a sign-in survives a restart of the demo; a provider that is down, hangs, answers HTML or
// fails during the exchange or a refresh gets a clear page (or JSON) within the timeout,
// nothing half-stored, and the same session works once the provider is back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawRequest, startServer } from '../browser/harness.mjs';
import { allow, startSandbox } from './provider.mjs';
import { startPostgres } from './postgres.mjs';

let sandbox, dir, postgres;
before(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'kommo-demo-'));
  postgres = await startPostgres();
});
after(() => {
  sandbox?.child.kill();
  postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const startDemo = (argv) => startServer('node', ['www/server.mjs', '--port', '0', ...argv], /Demo integrator site: (\S+)\//);
const stop = (demo) => new Promise((resolve) => { demo.child.once('exit', resolve); demo.child.kill('SIGTERM'); });

/** The cookie a sign-in sets: the session under its new id (the one before it is gone). */
function signedInCookie(page) {
  const set = page.headers['set-cookie']?.[0];
  assert.ok(set, 'a sign-in sets a new session cookie');
  return set.split(';')[0];
}

/** A visitor's first page: its cookie and the state the page gave the button. */
async function visit(site) {
  const home = await rawRequest(site, '/');
  return { cookie: home.headers['set-cookie'][0].split(';')[0], state: /data-state="([0-9a-f]{32})"/.exec(home.text)[1] };
}

/**
 * A stand-in provider: the token endpoint (rotating refresh tokens, a retired one refused as
 * invalid_grant) and the account API for the newest access token. `fault()` names the next
 * answer's fault, if any ('down', 'hang', 'html', '500'); refreshes and code exchanges are
 * answered after `delayMs` and counted in `refreshes` and `exchanges`.
 */
async function standInProvider({ fault = () => null, delayMs = 0 } = {}) {
  const stand = { refreshes: 0, exchanges: 0, current: null };
  let issued = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      if (req.url === '/sandbox/api/integrations') return res.writeHead(201).end('{}');
      const mode = fault();
      if (mode === 'down') return req.socket.destroy();
      if (mode === 'hang') return undefined;
      if (mode === 'html') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Down for maintenance</body></html>');
      if (mode === '500') return res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal"}');
      if (req.url === '/api/v4/account') {
        const ok = req.headers.authorization === `Bearer ${stand.current?.access_token}`;
        return res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? { id: 1, name: 'Acme', subdomain: 'acme' } : { error: 'unknown token' }));
      }
      const grant = JSON.parse(body || '{}');
      if (grant.grant_type === 'authorization_code') stand.exchanges += 1;
      if (grant.grant_type === 'refresh_token') {
        stand.refreshes += 1;
        if (grant.refresh_token !== stand.current?.refresh_token) return res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_grant","hint":"retired refresh token: family revoked"}');
      }
      issued += 1;
      stand.current = { token_type: 'Bearer', expires_in: 86400, access_token: `at_${issued}`, refresh_token: `rt_${issued}` };
      const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stand.current));
      return delayMs ? setTimeout(answer, delayMs) : answer();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  stand.url = `http://127.0.0.1:${server.address().port}`;
  stand.close = () => { server.closeAllConnections(); server.close(); };
  return stand;
}

test('a signed-in visitor stays signed in across a restart of the demo (sessions and tokens in SQLite)', async () => {
  const db = join(dir, 'restart.sqlite3');
  let demo = await startDemo(['--db', db, '--sandbox', sandbox.url]);
  try {
    const visitor = await visit(demo.url);
    const redirect = await allow(sandbox.url, 'demo-client-id', visitor.state);
    assert.match(redirect.searchParams.get('referer'), /^[a-z0-9-]+\.kommo\.com$/, 'the sandbox names an account domain');
    const connected = await rawRequest(demo.url, redirect.pathname + redirect.search, { headers: { cookie: visitor.cookie } });
    assert.match(connected.text, /Connected/);
    const cookie = signedInCookie(connected);
    assert.equal((await rawRequest(demo.url, '/api/account', { headers: { cookie } })).status, 200);

    await stop(demo);
    demo = await startDemo(['--db', db, '--sandbox', sandbox.url]);
    const account = await rawRequest(demo.url, '/api/account', { headers: { cookie } });
    assert.equal(account.status, 200, account.text);
    assert.ok(JSON.parse(account.text).name, 'the account, read with the token stored before the restart');
    const refresh = await rawRequest(demo.url, '/api/refresh', { method: 'POST', headers: { cookie, origin: demo.url } });
    assert.equal(refresh.status, 200, refresh.text);
    await stop(demo);
    demo = await startDemo(['--db', db, '--sandbox', sandbox.url]);
    assert.equal((await rawRequest(demo.url, '/api/account', { headers: { cookie } })).status, 200, 'the refreshed pair was stored too');
  } finally {
    await stop(demo);
  }
});

test('a referer that is not an account domain is refused before the secret goes anywhere', async () => {
  const demo = await startDemo(['--db', ':memory:', '--sandbox', sandbox.url]);
  try {
    const { cookie, state } = await visit(demo.url);
    const redirect = await allow(sandbox.url, 'demo-client-id', state);
    for (const referer of ['attacker.example', 'acme.kommo.com.attacker.example', '']) {
      const forged = new URLSearchParams(redirect.search);
      forged.set('referer', referer);
      const page = await rawRequest(demo.url, `/callback?${forged}`, { headers: { cookie } });
      assert.equal(page.status, 400);
      assert.match(page.text, /Refused: referer .* is not (an account domain|a host name)|referer is not a valid value/, referer);
    }
    const noReferer = new URLSearchParams(redirect.search);
    noReferer.delete('referer');
    assert.match((await rawRequest(demo.url, `/callback?${noReferer}`, { headers: { cookie } })).text, /lacks referer/);
    assert.equal((await rawRequest(demo.url, '/api/account', { headers: { cookie } })).status, 401, 'nothing stored');
    // The real code is still good: it was never sent.
    assert.match((await rawRequest(demo.url, redirect.pathname + redirect.search, { headers: { cookie } })).text, /Connected/);
  } finally {
    await stop(demo);
  }
});

test('provider down, hung, answering HTML or 500: a clear page within the timeout, nothing stored, the same session works after', async () => {
  // A stand-in provider whose next answers are chosen by the test.
  let mode = 'ok';
  const provider = await standInProvider({ fault: () => mode });
  const demo = await startDemo(['--db', ':memory:', '--sandbox', provider.url, '--timeout-ms', '500']);
  try {
    let { cookie, state } = await visit(demo.url);
    const callback = (code) => rawRequest(demo.url, `/callback?code=${code}&state=${state}&client_id=demo-client-id&referer=acme.kommo.com`, { headers: { cookie } });
    const faults = { down: [502, /could not be reached/], hang: [504, /did not answer in time/], html: [502, /not what it documents/], 500: [502, /provider failed \(HTTP 500\)/] };
    for (const [fault, [status, message]] of Object.entries(faults)) {
      mode = fault;
      const started = Date.now();
      const page = await callback(`code-${fault}`);
      assert.ok(Date.now() - started < 3_000, `${fault}: answered within the timeout`);
      assert.equal(page.status, status, fault);
      assert.match(page.headers['content-type'], /^text\/html/, `${fault}: a page, not raw JSON`);
      assert.match(page.text, message, fault);
      assert.match(page.text, /Nothing was stored/, fault);
      mode = 'ok';
      assert.equal((await rawRequest(demo.url, '/api/account', { headers: { cookie } })).status, 401, `${fault}: nothing stored`);
    }
    mode = 'ok';
    const signedIn = await callback('code-ok');
    assert.match(signedIn.text, /Connected/, 'the same session signs in once the provider is back');
    cookie = signedInCookie(signedIn);
    const signedInWith = provider.current.access_token;
    const refresh = () => rawRequest(demo.url, '/api/refresh', { method: 'POST', headers: { cookie, origin: demo.url } });
    for (const [fault, [status]] of Object.entries(faults)) {
      mode = fault;
      const r = await refresh();
      assert.equal(r.status, status, `refresh while ${fault}`);
      assert.equal(JSON.parse(r.text).retryable, true);
      mode = 'ok';
      const account = await rawRequest(demo.url, '/api/account', { headers: { cookie } });
      assert.equal(account.status, 200, `after a ${fault} refresh the stored pair is the working one`);
    }
    assert.equal(provider.current.access_token, signedInWith, 'no refresh reached the provider\'s token store');
    // The lock a hung refresh held was released: this refresh is a request of its own.
    assert.equal((await refresh()).status, 200);
    assert.notEqual(provider.current.access_token, signedInWith);
    assert.equal((await rawRequest(demo.url, '/api/account', { headers: { cookie } })).status, 200, 'the refreshed pair is stored');
  } finally {
    await stop(demo);
    provider.close();
  }
});

for (const store of ['SQLite', 'Postgres']) {
  test(`two demo processes on one ${store} database: a code loaded at once on both is exchanged once, and one refresh of a session reaches the provider`, async () => {
    const provider = await standInProvider({ delayMs: 300 });
    const db = store === 'SQLite' ? join(dir, 'two-instances.sqlite3') : await postgres.createDatabase();
    const argv = ['--db', db, '--sandbox', provider.url];
    const [a, b] = [await startDemo(argv), await startDemo(argv)];
    try {
      const visitor = await visit(a.url);
      // The Redirect URI loaded three times at once (a double navigation, a prefetch, a retry),
      // on both instances: one exchange; every load ends signed in.
      const load = (site) => rawRequest(site.url, `/callback?code=c&state=${visitor.state}&client_id=demo-client-id&referer=acme.kommo.com`, { headers: { cookie: visitor.cookie } });
      const loads = await Promise.all([load(a), load(b), load(a)]);
      for (const page of loads) assert.match(page.text, /Connected/);
      assert.equal(provider.exchanges, 1, 'the code reached the provider once');
      const cookie = signedInCookie(loads[0]);
      const refresh = (site) => rawRequest(site.url, '/api/refresh', { method: 'POST', headers: { cookie, origin: site.url } });
      const both = await Promise.all([refresh(a), refresh(b), refresh(a), refresh(b)]);
      assert.deepEqual(both.map((r) => r.status), [200, 200, 200, 200], both.map((r) => r.text).join('\n'));
      assert.equal(provider.refreshes, 1, 'one refresh reached the provider');
      assert.equal((await rawRequest(b.url, '/api/account', { headers: { cookie } })).status, 200, 'both instances read the one new pair');
    } finally {
      await stop(a);
      await stop(b);
      provider.close();
    }
  });
}
