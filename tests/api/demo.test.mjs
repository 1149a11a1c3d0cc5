// The demo integrator back end (www/server.mjs) as an attacker sees it: it must be safe to
// run and correct to copy (docs/security.md, "An integrator's back end").
import { test, before, after } from 'node:test';
import { createServer } from 'node:http';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { rawRequest, startServer } from '../browser/harness.mjs';
import { allow } from './provider.mjs';

const root = new URL('../..', import.meta.url).pathname;
let sandbox, demo, base;

const start = startServer;

before(async () => {
  execSync('cargo build -p kommo-sandbox', { cwd: root, stdio: 'inherit' });
  sandbox = await start(join(root, 'target/debug/kommo-sandbox'), ['--port', '0'], /(http:\/\/127\.0\.0\.1:\d+)/);
  demo = await start('node', ['www/server.mjs', '--db', ':memory:', '--port', '0', '--sandbox', sandbox.url], /Demo integrator site: (\S+)\//);
  base = demo.url;
});
after(() => { demo?.child.kill(); sandbox?.child.kill(); });

const raw = (path, options) => rawRequest(base, path, options);

test('static files: no traversal in any encoding', async () => {
  assert.equal((await raw('/www/site.css')).status, 200);
  for (const path of [
    '/dist/..%2fsandbox%2fintegrations.json', '/dist/%2e%2e/sandbox/integrations.json', '/dist/%2E%2E%2Fsandbox%2Fintegrations.json',
    '/www/..%5c..%5cpackage.json', '/www/..\\..\\package.json', '/dist/%252e%252e/package.json', '/pkg/..%2f..%2f.git%2fconfig',
    '/www/%2e%2e%2f%2e%2e%2fREADME.md', '/dist/..%00/x', '/www/server.mjs', '/dist/../sandbox/integrations.json', '/www/%c0%ae%c0%ae/package.json',
    '/sandbox/integrations.json', '/.git/config', '/www/.hidden', '/dist/%', '/www/server.MJS', '/www/server.mjs.', '/www/server.mjs%20',
  ]) {
    const r = await raw(path);
    assert.equal(r.status, 404, path);
    assert.doesNotMatch(r.text, /client_secret|demo-client-secret|\[core\]/, path);
  }
});

test('a request naming another host is refused (DNS rebinding)', async () => {
  assert.equal((await raw('/', { headers: { host: 'attacker.example' } })).status, 421);
  assert.equal((await raw('/api/log', { headers: { host: 'attacker.example:80' } })).status, 421);
  assert.equal((await raw('/', { headers: { host: `localhost:${new URL(base).port}` } })).status, 200);
});

test('the secrets webhook takes JSON with a state this site issued, and nothing cross-site', async () => {
  const post = (body, headers = {}) => raw('/api/secrets', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  assert.equal((await raw('/api/secrets', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"client_id":"demo-client-id","client_secret":"evil","state":"x"}' })).status, 415);
  assert.equal((await post({ client_id: 'mc_planted', client_secret: 'evil', state: 'never-issued' })).status, 403);
  assert.equal((await post({ client_id: 'demo-client-id', client_secret: 'evil', state: 'x' }, { origin: 'https://evil.example' })).status, 403);
  assert.equal((await raw('/api/secrets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"pad":"${'x'.repeat(100_000)}"}` })).status, 413);
  assert.equal((await post({ client_id: 'mc_long', client_secret: 'x'.repeat(257), state: 'x' })).status, 415);
  // A state anyone can get by loading the page: it still cannot replace a known secret,
  // and it delivers one new integration's secret at most.
  const home = await raw('/');
  const state = /data-state="([0-9a-f]{32})"/.exec(home.text)[1];
  assert.equal((await post({ client_id: 'demo-client-id', client_secret: 'evil', state })).status, 409);
  assert.equal((await post({ client_id: 'mc_new', client_secret: 'one', state })).status, 200);
  assert.equal((await post({ client_id: 'mc_other', client_secret: 'two', state })).status, 403, 'once per session');
  // The secret serves that session only: another visitor's Redirect URI does not know mc_new.
  const other = await raw('/');
  const cookie = other.headers['set-cookie'][0].split(';')[0];
  const otherState = /data-state="([0-9a-f]{32})"/.exec(other.text)[1];
  const used = await raw(`/callback?code=c&state=${otherState}&client_id=mc_new&referer=acc.kommo.com`, { headers: { cookie } });
  assert.match(used.text, /no client secret known for mc_new/);
  const own = await raw(`/callback?code=c&state=${state}&client_id=mc_new&referer=acc.kommo.com`, { headers: { cookie: home.headers['set-cookie'][0].split(';')[0] } });
  assert.doesNotMatch(own.text, /no client secret known/, 'the session that received it can exchange');
});

test('the LeadExec endpoints change state only from the site\'s own pages, with JSON, for this site\'s application', async () => {
  const home = await raw('/');
  const cookie = home.headers['set-cookie'][0].split(';')[0];
  const body = JSON.stringify({ refreshToken: 'le_rt_00', appId: 'demo-app' });
  for (const action of ['session', 'refresh', 'disconnect']) {
    for (const origin of ['https://evil.example', 'null', undefined]) {
      const headers = { cookie, 'content-type': 'application/json', ...(origin ? { origin } : {}) };
      assert.equal((await raw(`/api/leadexec/${action}`, { method: 'POST', headers, body })).status, 403, `${action} from ${origin}`);
    }
  }
  const post = (b, type = 'application/json') => raw('/api/leadexec/session', { method: 'POST', headers: { cookie, origin: base, 'content-type': type }, body: b });
  assert.equal((await post(body, 'text/plain')).status, 415);
  assert.equal((await post(JSON.stringify({ refreshToken: 'le_rt_<script>', appId: 'demo-app' }))).status, 415);
  assert.equal((await post(JSON.stringify({ refreshToken: 'le_rt_00', appId: 'another-app' }))).status, 400);
  assert.equal((await post(body)).status, 200, 'accepted, and answered by the provider');
});

test('only pages open sessions, and the hook log is not served outside the tests', async () => {
  assert.equal((await raw('/api/disconnect?account_id=1&client_id=x')).headers['set-cookie'], undefined);
  assert.equal((await raw('/api/account')).headers['set-cookie'], undefined);
  assert.equal((await raw('/www/site.css')).headers['set-cookie'], undefined, 'static files touch no session');
  assert.equal((await raw('/api/log')).status, 404);
});

test('the Redirect URI exchanges a code only with the state this session was given (no login CSRF)', async () => {
  const home = await raw('/');
  const cookie = home.headers['set-cookie'][0].split(';')[0];
  const state = /data-state="([0-9a-f]{32})"/.exec(home.text)[1];
  const forged = await raw('/callback?code=attackers-code&state=attackers-state&client_id=demo-client-id&referer=acc.kommo.com', { headers: { cookie } });
  assert.match(forged.text, /Refused: the state does not match this session/);
  const noState = await raw('/callback?code=attackers-code&client_id=demo-client-id&referer=acc.kommo.com', { headers: { cookie } });
  assert.match(noState.text, /lacks state/);
  const right = await raw(`/callback?code=unknown-code&state=${state}&client_id=demo-client-id&referer=acc.kommo.com`, { headers: { cookie } });
  assert.match(right.text, /Code exchange failed/, 'with the right state the exchange is attempted');
  assert.equal(right.headers['referrer-policy'], 'no-referrer');
  assert.equal(home.headers['x-frame-options'], 'DENY');
  assert.match(home.headers['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(home.headers['x-content-type-options'], 'nosniff');
  assert.match(home.headers['set-cookie'][0], /HttpOnly/i);
  assert.match(home.headers['set-cookie'][0], /SameSite=Lax/i);
});

test('token refresh only from the site\'s own pages', async () => {
  assert.equal((await raw('/api/refresh', { method: 'POST', headers: { origin: 'https://evil.example' } })).status, 403);
  assert.equal((await raw('/api/refresh', { method: 'POST' })).status, 403);
  assert.equal((await raw('/api/refresh', { method: 'POST', headers: { origin: base } })).status, 401, 'same origin, not connected');
});

test('behind TLS (--public-origin): its host is served, its origin passes the same-origin checks, the cookie is Secure', async () => {
  const site = await start('node', ['www/server.mjs', '--db', ':memory:', '--port', '0', '--sandbox', sandbox.url, '--public-origin', 'https://app.example', '--client-id', 'demo-tls-client'], /port (\d+)\)/);
  try {
    const local = `http://127.0.0.1:${site.url}`;
    const asPublic = (path, options = {}) => rawRequest(local, path, { ...options, headers: { host: 'app.example', ...options.headers } });
    const home = await asPublic('/');
    assert.equal(home.status, 200);
    assert.match(home.headers['set-cookie'][0], /; Secure/);
    assert.equal((await rawRequest(local, '/', { headers: { host: 'attacker.example' } })).status, 421);
    const cookie = home.headers['set-cookie'][0].split(';')[0];
    const refresh = (origin) => asPublic('/api/refresh', { method: 'POST', headers: { cookie, origin } });
    assert.equal((await refresh('https://app.example')).status, 401, 'the public origin is this site (not connected yet)');
    assert.equal((await refresh('http://app.example')).status, 403, 'plain http is another origin');
  } finally {
    site.child.kill();
  }
});

/**
 * A demo site against a stand-in provider that answers `slowGrant` requests after 300 ms
 * (so a second request surely arrives while the first is in flight) and counts each grant
 * type it is asked for (`counts`). Runs `use({site, counts})`, then stops both.
 */
async function withSlowProvider(slowGrant, use) {
  const counts = { authorization_code: 0, refresh_token: 0 };
  let issued = 0;
  const provider = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const grant = JSON.parse(body || '{}').grant_type;
      if (grant in counts) counts[grant] += 1;
      issued += 1;
      const pair = { token_type: 'Bearer', expires_in: 86400, access_token: `at_${issued}`, refresh_token: `rt_${issued}` };
      setTimeout(() => { res.writeHead(req.url === '/oauth2/access_token' ? 200 : 201, { 'content-type': 'application/json' }); res.end(JSON.stringify(pair)); }, grant === slowGrant ? 300 : 0);
    });
  });
  await new Promise((r) => provider.listen(0, '127.0.0.1', r));
  const site = await start('node', ['www/server.mjs', '--db', ':memory:', '--port', '0', '--sandbox', `http://127.0.0.1:${provider.address().port}`], /Demo integrator site: (\S+)\//);
  try {
    await use({ site, counts });
  } finally {
    site.child.kill();
    provider.close();
  }
}

test('two refreshes at once share one request to the provider (a rotated token is never presented twice)', async () => {
  await withSlowProvider('refresh_token', async ({ site, counts }) => {
    const home = await rawRequest(site.url, '/');
    const state = /data-state="([0-9a-f]{32})"/.exec(home.text)[1];
    const connected = await rawRequest(site.url, `/callback?code=c&state=${state}&client_id=demo-client-id&referer=acc.kommo.com`, { headers: { cookie: home.headers['set-cookie'][0].split(';')[0] } });
    assert.match(connected.text, /Connected/);
    const cookie = connected.headers['set-cookie'][0].split(';')[0];
    const refresh = () => rawRequest(site.url, '/api/refresh', { method: 'POST', headers: { cookie, origin: site.url } });
    const both = await Promise.all([refresh(), refresh()]);
    assert.deepEqual(both.map((r) => r.status), [200, 200]);
    assert.equal(counts.refresh_token, 1, 'one refresh request reached the provider');
    await refresh();
    assert.equal(counts.refresh_token, 2, 'a later refresh is a request of its own');
  });
});

test('sign-in moves the session to a new id: an id planted or learned before it reads nothing after', async () => {
  const home = await raw('/');
  const planted = home.headers['set-cookie'][0].split(';')[0];
  const state = /data-state="([0-9a-f]{32})"/.exec(home.text)[1];
  const redirect = await allow(sandbox.url, 'demo-client-id', state);
  const connected = await raw(redirect.pathname + redirect.search, { headers: { cookie: planted } });
  assert.match(connected.text, /Connected/);
  const cookie = connected.headers['set-cookie'][0].split(';')[0];
  assert.notEqual(cookie, planted);
  assert.equal((await raw('/api/account', { headers: { cookie: planted } })).status, 401, 'the id from before sign-in is dead');
  assert.equal((await raw('/api/account', { headers: { cookie } })).status, 200);
  // Sign-out ends the session on the server: the cookie's id reads nothing afterwards.
  assert.equal((await raw('/api/signout', { method: 'POST', headers: { cookie } })).status, 403, 'only from the site\'s own pages');
  const out = await raw('/api/signout', { method: 'POST', headers: { cookie, origin: base } });
  assert.equal(out.status, 200);
  assert.match(out.headers['set-cookie'][0], /Max-Age=0/);
  assert.equal((await raw('/api/account', { headers: { cookie } })).status, 401);
});

test('the same Redirect URI loaded three times at once sends the code to the provider once', async () => {
  await withSlowProvider('authorization_code', async ({ site, counts }) => {
    const home = await rawRequest(site.url, '/');
    const cookie = home.headers['set-cookie'][0].split(';')[0];
    const state = /data-state="([0-9a-f]{32})"/.exec(home.text)[1];
    const load = () => rawRequest(site.url, `/callback?code=once&state=${state}&client_id=demo-client-id&referer=acc.kommo.com`, { headers: { cookie } });
    const pages = await Promise.all([load(), load(), load()]);
    assert.deepEqual(pages.map((p) => /Connected/.test(p.text)), [true, true, true], pages.map((p) => p.text.slice(0, 200)).join('\n'));
    assert.equal(counts.authorization_code, 1, 'one exchange reached the provider');
    // Whichever response the browser keeps, its cookie is the renewed session's.
    const cookies = pages.map((p) => p.headers['set-cookie']?.[0]?.split(';')[0]);
    assert.equal(new Set(cookies).size, 1, cookies.join(' '));
    assert.notEqual(cookies[0], cookie);
    assert.equal((await rawRequest(site.url, '/api/status', { headers: { cookie: cookies[0] } })).text, '{"connected":true}');
  });
});

test('Redirect URI parameters are checked before any is used: an HTML page says which, never a 500', async () => {
  const home = await raw('/');
  const cookie = home.headers['set-cookie'][0].split(';')[0];
  for (const [query, said] of [
    ['', /lacks code, state, referer, client_id/],
    ['?code=c', /lacks state, referer, client_id/],
    ['?code=c&state=s&referer=a.kommo.com&client_id=x&client_id=', /client_id is not a valid value/],
    [`?code=${'c'.repeat(5000)}&state=s&referer=a.kommo.com&client_id=x`, /code is not a valid value/],
    ['?code=c%0d%0a&state=s&referer=a.kommo.com&client_id=x', /code is not a valid value/],
  ]) {
    const page = await raw(`/callback${query}`, { headers: { cookie } });
    assert.equal(page.status, 400, query);
    assert.match(page.headers['content-type'], /^text\/html/, query);
    assert.match(page.text, said, query);
  }
});

test('under https the session cookie is __Host-sid (Secure, Path=/, no Domain), and only it is read', async () => {
  const site = await start('node', ['www/server.mjs', '--db', ':memory:', '--port', '0', '--sandbox', sandbox.url, '--public-origin', 'https://app.example', '--client-id', 'demo-host-client'], /port (\d+)\)/);
  try {
    const local = `http://127.0.0.1:${site.url}`;
    const asPublic = (path, options = {}) => rawRequest(local, path, { ...options, headers: { host: 'app.example', ...options.headers } });
    const home = await asPublic('/');
    const set = home.headers['set-cookie'][0];
    assert.match(set, /^__Host-sid=[0-9a-f]{32}; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
    const id = /=([0-9a-f]{32})/.exec(set)[1];
    const again = await asPublic('/', { headers: { cookie: `__Host-sid=${id}` } });
    assert.equal(again.headers['set-cookie'], undefined, 'the __Host- cookie is the session');
    const planted = await asPublic('/', { headers: { cookie: `sid=${id}` } });
    assert.ok(planted.headers['set-cookie'], 'a plain sid cookie (which a sibling subdomain could set) is not read under https');
  } finally {
    site.child.kill();
  }
});

test('--production refuses to start without DEMO_DATA_KEYS, saying what to set', async () => {
  const { spawnSync } = await import('node:child_process');
  const env = { ...process.env };
  delete env.DEMO_DATA_KEYS;
  const run = spawnSync('node', ['www/server.mjs', '--production', '--db', ':memory:', '--port', '0'], { cwd: root, env, encoding: 'utf8', timeout: 10_000 });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /--production: set DEMO_DATA_KEYS/);
});

test('the disconnect hook (unsigned) removes only tokens the provider now refuses: a forged call removes nothing', async () => {
  const home = await raw('/');
  const state = /data-state="([0-9a-f]{32})"/.exec(home.text)[1];
  const redirect = await allow(sandbox.url, 'demo-client-id', state, '31000002');
  const connected = await raw(redirect.pathname + redirect.search, { headers: { cookie: home.headers['set-cookie'][0].split(';')[0] } });
  const cookie = connected.headers['set-cookie'][0].split(';')[0];
  assert.equal((await raw('/api/account', { headers: { cookie } })).status, 200);
  // Anyone can call the hook: the tokens still work at the provider, so they stay (an
  // expired access token is not even asked about: it proves nothing).
  const forged = await raw('/api/disconnect?account_id=31000002&client_id=demo-client-id');
  assert.deepEqual(JSON.parse(forged.text), { ok: true, removed: 0 });
  assert.equal((await raw('/api/account', { headers: { cookie } })).status, 200, 'a forged hook removed nothing');
  assert.equal((await raw('/api/disconnect?account_id=x&client_id=demo-client-id')).status, 400);
  // The account admin really disables it: the sandbox revokes the tokens and calls the hook.
  const disable = await fetch(`${sandbox.url}/sandbox/api/disable`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account_id: 31000002, client_id: 'demo-client-id' }) });
  assert.ok(disable.ok, await disable.text());
  for (let i = 0; i < 40 && JSON.parse((await raw('/api/status', { headers: { cookie } })).text).connected; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(JSON.parse((await raw('/api/status', { headers: { cookie } })).text).connected, false, 'the refused tokens are gone');
});
