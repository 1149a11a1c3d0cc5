// The sandbox provider over HTTP, as an integrator's back end sees it: the code grant, the
// refresh rotation rule, expiry (with the sandbox clock moved forward), bad requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execSync } from 'node:child_process';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { rawRequest } from '../browser/harness.mjs';
import { allow } from './provider.mjs';

const root = new URL('../..', import.meta.url).pathname;
const REDIRECT = 'https://integrator.example/callback';
let sandbox, base;

before(async () => {
  execSync('cargo build -p kommo-sandbox', { cwd: root, stdio: 'inherit' });
  sandbox = spawn(join(root, 'target/debug/kommo-sandbox'), ['--port', '0', '--integration', `api-client,api-secret,${REDIRECT},API test`], { stdio: ['ignore', 'pipe', 'inherit'] });
  base = await new Promise((resolve) => sandbox.stdout.on('data', (c) => {
    const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(c.toString());
    if (m) resolve(m[1]);
  }));
});
after(() => sandbox?.kill());

const post = (path, body) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  .then(async (r) => ({ status: r.status, body: await r.json() }));
const token = (body) => post('/oauth2/access_token', { client_id: 'api-client', client_secret: 'api-secret', redirect_uri: REDIRECT, ...body });
const account = (access) => fetch(`${base}/api/v4/account`, { headers: { authorization: `Bearer ${access}` } }).then((r) => r.status);

/** Allows on the consent form in post_message mode and reads the code from the redirect. */
async function code(state = 'st') {
  const location = await allow(base, 'api-client', state);
  assert.equal(location.origin + location.pathname, REDIRECT);
  assert.equal(location.searchParams.get('state'), state);
  return location.searchParams.get('code');
}

test('the code grant returns a Bearer pair valid for a day, and the code is single-use', async () => {
  const c = await code();
  const first = await token({ grant_type: 'authorization_code', code: c });
  assert.equal(first.status, 200);
  assert.deepEqual(Object.keys(first.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
  assert.equal(first.body.token_type, 'Bearer');
  assert.equal(first.body.expires_in, 86400);
  assert.equal(await account(first.body.access_token), 200);
  const again = await token({ grant_type: 'authorization_code', code: c });
  assert.equal(again.status, 400);
  assert.equal(again.body.hint, 'Authorization code has been revoked');
});

test('the old refresh token keeps working until the new pair has been used', async () => {
  const pair = (await token({ grant_type: 'authorization_code', code: await code() })).body;
  const second = await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token });
  assert.equal(second.status, 200);
  // The integrator lost that response: the old refresh token still works.
  const third = await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token });
  assert.equal(third.status, 200);
  assert.equal(await account(third.body.access_token), 200);
  const stale = await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token });
  assert.equal(stale.status, 401, 'retired once the newer pair was used');
});

test('bad requests get a JSON error naming the problem', async () => {
  assert.equal((await token({ grant_type: 'password' })).body.error, 'unsupported_grant_type');
  assert.match((await token({ grant_type: 'authorization_code', code: await code(), client_secret: 'nope' })).body.hint, /client_secret/);
  assert.equal((await token({ grant_type: 'authorization_code', code: await code(), redirect_uri: 'https://other.example/' })).body.hint, 'Invalid redirect URI');
  const garbage = await fetch(`${base}/oauth2/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
  assert.equal(garbage.status, 400);
  assert.equal(await account('made-up'), 401);
  const page = await fetch(`${base}/oauth?mode=popup&origin=https%3A%2F%2Fa.example%2F&client_id=unknown`);
  assert.equal(page.status, 400);
  assert.match(await page.text(), /not registered/);
});

test('codes expire after 20 minutes, access tokens after a day, refresh tokens after 3 months unused', async () => {
  const late = await code();
  const pair = (await token({ grant_type: 'authorization_code', code: await code() })).body;
  await post('/sandbox/api/clock', { advance_seconds: 21 * 60 });
  assert.equal((await token({ grant_type: 'authorization_code', code: late })).body.hint, 'Authorization code has expired');
  await post('/sandbox/api/clock', { advance_seconds: 86400 });
  assert.equal(await account(pair.access_token), 401);
  await post('/sandbox/api/clock', { advance_seconds: 91 * 86400 });
  assert.equal((await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })).body.hint, 'Token has expired');
});

test('in popup mode the code is posted only to an opener on the Redirect URI origin', async () => {
  const decide = (origin) => fetch(`${base}/oauth/decide`, {
    method: 'POST', redirect: 'manual', headers: { origin: base },
    body: new URLSearchParams({ q: new URLSearchParams({ state: 's', mode: 'popup', origin, client_id: 'api-client' }).toString(), decision: 'allow', account_id: '31000001' }),
  });
  const same = await decide('https://integrator.example/page');
  assert.equal(same.status, 200);
  const html = await same.text();
  assert.match(html, /t="https:\/\/integrator\.example"/);
  assert.match(html, /window\.opener\.postMessage\(m,t\)/);
  const foreign = await decide('https://attacker.example/page');
  assert.equal(foreign.status, 303, 'no message: the popup itself goes to the Redirect URI');
  assert.ok(foreign.headers.get('location').startsWith(REDIRECT));
});

const raw = (path, options) => rawRequest(base, path, options);

test('a request naming another host is refused (DNS rebinding cannot read the secrets)', async () => {
  assert.equal((await raw('/sandbox/api/state', { headers: { host: 'attacker.example' } })).status, 421);
  assert.equal((await raw('/sandbox/api/state', { headers: { host: '127.0.0.1.nip.io:7070' } })).status, 421);
  assert.equal((await raw('/sandbox/api/state', { headers: { host: `localhost:${new URL(base).port}` } })).status, 200);
});

test('cross-site form posts cannot approve a consent or disable an install', async () => {
  const q = new URLSearchParams({ state: 's', mode: 'post_message', origin: 'https://integrator.example/page', client_id: 'api-client' }).toString();
  const form = new URLSearchParams({ q, decision: 'allow', account_id: '31000001' });
  for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }, {}]) {
    const r = await fetch(`${base}/oauth/decide`, { method: 'POST', redirect: 'manual', headers, body: form });
    assert.equal(r.status, 403, JSON.stringify(headers));
    const d = await fetch(`${base}/sandbox/admin/disable`, { method: 'POST', redirect: 'manual', headers, body: new URLSearchParams({ client_id: 'api-client', account_id: '31000001' }) });
    assert.equal(d.status, 403);
  }
  const json = await fetch(`${base}/sandbox/api/disable`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{"client_id":"api-client","account_id":31000001}' });
  assert.equal(json.status, 403);
  const plain = await fetch(`${base}/sandbox/api/clock`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"advance_seconds":1}' });
  assert.notEqual(plain.status, 200, 'a body a cross-site form can send is not read as JSON');
});

test('pages cannot be framed, send no referrer to other sites and are not sniffed; bodies are bounded', async () => {
  const page = await fetch(`${base}/oauth?mode=popup&origin=https%3A%2F%2Fintegrator.example%2F&client_id=api-client`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
  assert.match(page.headers.get('content-security-policy'), /frame-ancestors 'none'/);
  assert.equal(page.headers.get('referrer-policy'), 'same-origin');
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  const big = await post('/sandbox/api/integrations', { client_id: 'big', redirect_uri: REDIRECT, name: 'x'.repeat(100_000) }).catch(() => ({ status: 413 }));
  assert.equal(big.status, 413);
});

test('moving the clock by an absurd amount is a 400, and the sandbox keeps serving', async () => {
  const huge = await fetch(`${base}/sandbox/api/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"advance_seconds": 18446744073709551615}' });
  assert.equal(huge.status, 400);
  assert.equal((await fetch(`${base}/sandbox/api/state`)).status, 200);
  assert.equal((await token({ grant_type: 'authorization_code', code: await code() })).status, 200);
});

test('refresh-token families: using one child revokes its siblings; a retired token revokes the family', async () => {
  const first = (await token({ grant_type: 'authorization_code', code: await code() })).body;
  const a = (await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).body;
  const b = (await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).body;
  assert.equal(await account(a.access_token), 200, 'the integrator uses one child');
  assert.equal(await account(b.access_token), 401, 'its sibling is revoked');
  assert.equal((await token({ grant_type: 'refresh_token', refresh_token: b.refresh_token })).status, 401);
  assert.equal(await account(a.access_token), 401, 'presenting the revoked sibling gave the theft away: the family is revoked');
  const replay = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
  assert.equal(replay.status, 401);
  assert.equal(replay.body.hint, 'Token has been revoked');
  assert.equal(await account(a.access_token), 401, 'the whole family is revoked');
});

test('a reused authorization code revokes what it gave; another client cannot burn it', async () => {
  const registered = await fetch(`${base}/sandbox/api/integrations`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'other-client', client_secret: 'other-secret', redirect_uri: 'https://other.example/cb', name: 'Other' }) });
  assert.equal(registered.status, 201);
  const c = await code();
  const burn = await post('/oauth2/access_token', { client_id: 'other-client', client_secret: 'other-secret', redirect_uri: 'https://other.example/cb', grant_type: 'authorization_code', code: c });
  assert.equal(burn.status, 400);
  const pair = await token({ grant_type: 'authorization_code', code: c });
  assert.equal(pair.status, 200, 'the code survived the other client');
  assert.equal((await token({ grant_type: 'authorization_code', code: c })).status, 400);
  assert.equal(await account(pair.body.access_token), 401, 'the reuse revoked the tokens');
});

test('the secrets webhook follows no redirect and goes only to the Redirect URI\'s origin', async () => {
  const hits = [];
  const target = createServer((req, res) => { hits.push(`target ${req.url}`); res.end('{}'); });
  await new Promise((r) => target.listen(0, '127.0.0.1', r));
  const bouncer = createServer((req, res) => {
    hits.push(`bouncer ${req.url}`);
    res.writeHead(307, { location: `http://127.0.0.1:${target.address().port}/internal` }).end();
  });
  await new Promise((r) => bouncer.listen(0, '127.0.0.1', r));
  const site = `http://127.0.0.1:${bouncer.address().port}`;
  const decide = (secrets) => fetch(`${base}/oauth/decide`, {
    method: 'POST', redirect: 'manual', headers: { origin: base },
    body: new URLSearchParams({
      q: new URLSearchParams({ state: 'm1', mode: 'post_message', origin: `${site}/page`, name: 'N', description: 'D', redirect_uri: `${site}/cb`, secrets_uri: secrets, 'scopes[]': 'crm' }).toString(),
      decision: 'allow', account_id: '31000001',
    }),
  });
  assert.equal((await decide(`${site}/secrets`)).status, 303);
  assert.deepEqual(hits, ['bouncer /secrets'], 'the 307 was not followed');
  const elsewhere = await decide(`http://127.0.0.1:${target.address().port}/secrets`);
  assert.equal(elsewhere.status, 400);
  assert.match(await elsewhere.text(), /same origin as redirect_uri/);
  assert.deepEqual(hits, ['bouncer /secrets']);
  bouncer.close();
  target.close();
});

test('GET /api/v4/account: the documented field set, with= additions, errors as application/problem+json', async () => {
  const pair = (await token({ grant_type: 'authorization_code', code: await code() })).body;
  const get = (query = '', access = pair.access_token) => fetch(`${base}/api/v4/account${query}`, { headers: access ? { authorization: `Bearer ${access}` } : {} })
    .then(async (r) => ({ status: r.status, type: r.headers.get('content-type'), body: await r.json() }));
  const plain = await get();
  assert.equal(plain.status, 200);
  // What amoCRM's official SDK's account model reads, each with the type it expects.
  const types = {
    id: 'number', name: 'string', subdomain: 'string', created_at: 'number', created_by: 'number', updated_at: 'number',
    updated_by: 'number', current_user_id: 'number', country: 'string', currency: 'string', currency_symbol: 'string',
    customers_mode: 'string', is_unsorted_on: 'boolean', mobile_feature_version: 'number', is_loss_reason_enabled: 'boolean',
    is_helpbot_enabled: 'boolean', is_technical_account: 'boolean', contact_name_display_order: 'number',
  };
  for (const [field, type] of Object.entries(types)) assert.equal(typeof plain.body[field], type, field);
  assert.equal(plain.body._embedded, undefined, 'nothing embedded unless asked');
  const rich = await get('?with=amojo_id,version,task_types,users_groups,datetime_settings&with=drive_url');
  assert.match(rich.body.amojo_id, /^[0-9a-f-]{36}$/);
  assert.equal(typeof rich.body.version, 'number');
  assert.equal(typeof rich.body.drive_url, 'string');
  for (const key of ['task_types', 'users_groups', 'datetime_settings']) assert.ok(rich.body._embedded[key], key);
  const unknown = await get('?with=secrets');
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.detail, /with: secrets is not one of/);
  for (const bad of [await get('', 'not-a-token'), await get('', null)]) {
    assert.equal(bad.status, 401);
    assert.match(bad.type, /^application\/problem\+json/);
    assert.deepEqual(Object.keys(bad.body).sort(), ['detail', 'status', 'title', 'type']);
    assert.equal(bad.body.title, 'Unauthorized');
    assert.equal(bad.body.status, 401);
  }
});
