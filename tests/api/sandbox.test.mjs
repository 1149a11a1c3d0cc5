// The sandbox provider over HTTP, as an integrator's back end sees it: the code grant, the
// refresh rotation rule, expiry (with the sandbox clock moved forward), bad requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execSync } from 'node:child_process';
import { join } from 'node:path';

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
  const q = new URLSearchParams({ state, mode: 'post_message', origin: 'https://integrator.example/page', client_id: 'api-client' });
  const r = await fetch(`${base}/oauth/decide`, {
    method: 'POST', redirect: 'manual',
    body: new URLSearchParams({ q: q.toString(), decision: 'allow', account_id: '31000001' }),
  });
  assert.equal(r.status, 303);
  const location = new URL(r.headers.get('location'));
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
  assert.match(again.body.hint, /already used/);
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
  assert.equal(stale.status, 400, 'retired once the newer pair was used');
});

test('bad requests get a 400 JSON error naming the problem', async () => {
  assert.match((await token({ grant_type: 'password' })).body.hint, /grant_type/);
  assert.match((await token({ grant_type: 'authorization_code', code: await code(), client_secret: 'nope' })).body.hint, /client_secret/);
  assert.match((await token({ grant_type: 'authorization_code', code: await code(), redirect_uri: 'https://other.example/' })).body.hint, /redirect_uri/);
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
  assert.match((await token({ grant_type: 'authorization_code', code: late })).body.hint, /expired/);
  await post('/sandbox/api/clock', { advance_seconds: 86400 });
  assert.equal(await account(pair.access_token), 401);
  await post('/sandbox/api/clock', { advance_seconds: 91 * 86400 });
  assert.match((await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })).body.hint, /3 months/);
});

test('in popup mode the code is posted only to an opener on the Redirect URI origin', async () => {
  const decide = (origin) => fetch(`${base}/oauth/decide`, {
    method: 'POST', redirect: 'manual',
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
