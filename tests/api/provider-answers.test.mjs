// The sandbox answers as the provider does (docs/protocol.md, section 7): its access tokens
// are RS256 JWTs with the provider's claims, every row of the token endpoint's error table
// (read from the doc itself), and the calls amoCRM's official SDK makes around sign-in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { allow, startSandbox } from './provider.mjs';

const root = new URL('../..', import.meta.url).pathname;
const REDIRECT = 'https://integrator.example/callback';
const [ID, SECRET, OTHER, OTHER_SECRET] = ['answers-client', 'answers-secret', 'answers-other', 'other-secret'];
let sandbox;

before(async () => {
  sandbox = await startSandbox([[ID, SECRET, REDIRECT, 'Answers'], [OTHER, OTHER_SECRET, REDIRECT, 'Other']]);
});
after(() => sandbox?.child.kill());

const form = (body, headers = {}) => fetch(`${sandbox.url}/oauth2/access_token`, {
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body),
});
const json = (body, headers = {}) => fetch(`${sandbox.url}/oauth2/access_token`, {
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
});
const code = async (clientId = ID) => (await allow(sandbox.url, clientId, 'st')).searchParams.get('code');
const exchange = async (c, body = {}) => json({ grant_type: 'authorization_code', client_id: ID, client_secret: SECRET, redirect_uri: REDIRECT, code: c, ...body });
const pair = async (clientId = ID, secret = SECRET) => {
  const r = await json({ grant_type: 'authorization_code', client_id: clientId, client_secret: secret, redirect_uri: REDIRECT, code: await code(clientId) });
  assert.equal(r.status, 200);
  return r.json();
};
const refresh = (refreshToken, body = {}) => json({ grant_type: 'refresh_token', client_id: ID, client_secret: SECRET, refresh_token: refreshToken, ...body });
const advance = (seconds) => fetch(`${sandbox.url}/sandbox/api/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance_seconds: seconds }) });
const bearer = (path, token) => fetch(`${sandbox.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
const basic = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** The request behind each row of the doc's table, by its `case`. */
const CASES = {
  'wrong client secret, in the body': async () => exchange(await code(), { client_secret: 'wrong' }),
  'wrong client secret, as HTTP Basic': async () => form({ grant_type: 'authorization_code', code: await code(), redirect_uri: REDIRECT }, { authorization: basic(ID, 'wrong') }),
  'unknown client id': async () => exchange(await code(), { client_id: 'nobody' }),
  'no client id': () => json({ grant_type: 'refresh_token', refresh_token: 'x', client_secret: SECRET }),
  'no code': () => json({ grant_type: 'authorization_code', client_id: ID, client_secret: SECRET, redirect_uri: REDIRECT }),
  'no redirect_uri': async () => json({ grant_type: 'authorization_code', client_id: ID, client_secret: SECRET, code: await code() }),
  'no refresh_token': () => json({ grant_type: 'refresh_token', client_id: ID, client_secret: SECRET }),
  'grant_type missing or another': () => json({ grant_type: 'password', client_id: ID, client_secret: SECRET }),
  'unknown code': () => exchange('def50200nothing'),
  "another client's code": async () => exchange(await code(OTHER)),
  'a code used before': async () => {
    const c = await code();
    assert.equal((await exchange(c)).status, 200);
    return exchange(c);
  },
  'an expired code (20 minutes)': async () => {
    const c = await code();
    await advance(21 * 60);
    return exchange(c);
  },
  'another redirect_uri': async () => exchange(await code(), { redirect_uri: 'https://integrator.example/elsewhere' }),
  'unknown refresh token': () => refresh('not-a-token'),
  "another client's refresh token": async () => refresh((await pair(OTHER, OTHER_SECRET)).refresh_token),
  'a revoked refresh token': async () => {
    const first = await pair();
    const second = await (await refresh(first.refresh_token)).json();
    assert.equal((await bearer('/api/v4/account', second.access_token)).status, 200, 'the new pair used retires the old');
    return refresh(first.refresh_token);
  },
  'an expired refresh token (3 months unused)': async () => {
    const p = await pair();
    await advance(91 * 86_400);
    return refresh(p.refresh_token);
  },
  'a malformed body or a repeated parameter': () => fetch(`${sandbox.url}/oauth2/access_token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `grant_type=refresh_token&refresh_token=a&refresh_token=b&client_id=${ID}&client_secret=${SECRET}`,
  }),
};

/** The rows between the doc's markers: `{case, status, error, hint}`. */
function tableRows() {
  const doc = readFileSync(`${root}/docs/protocol.md`, 'utf8');
  const table = doc.split('<!-- begin: token errors')[1].split('<!-- end: token errors -->')[0];
  return table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| case') && !line.startsWith('| ---'))
    .map((line) => {
      const [what, status, error, hint] = line.split(' | ').map((cell) => cell.replace(/^\| /, '').trim());
      return { case: what, status: Number(status), error: error.replaceAll('`', ''), hint };
    });
}

test('access tokens are RS256 JWTs with every claim the provider gives, verified with the published key', async () => {
  const tokens = await pair();
  const [head, payload, signature] = tokens.access_token.split('.');
  const decode = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  const header = decode(head);
  const claims = decode(payload);
  const { keys } = await (await fetch(`${sandbox.url}/sandbox/api/jwks`)).json();
  const jwk = keys.find((k) => k.kid === header.kid);
  assert.deepEqual([jwk.kty, jwk.alg, jwk.use], ['RSA', 'RS256', 'sig']);
  assert.ok(verify('RSA-SHA256', Buffer.from(`${head}.${payload}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signature, 'base64url')), 'the signature verifies');
  const forged = Buffer.from(JSON.stringify({ ...claims, account_id: 1 })).toString('base64url');
  assert.ok(!verify('RSA-SHA256', Buffer.from(`${head}.${forged}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signature, 'base64url')), 'a changed claim does not');

  assert.deepEqual({ typ: header.typ, alg: header.alg, jti: header.jti }, { typ: 'JWT', alg: 'RS256', jti: claims.jti });
  assert.deepEqual(Object.keys(claims), ['aud', 'jti', 'iat', 'nbf', 'exp', 'sub', 'grant_type', 'account_id', 'base_domain', 'version', 'scopes', 'hash_uuid', 'user_flags', 'api_domain'], 'the provider\'s claims, in its order');
  const account = await (await bearer('/api/v4/account', tokens.access_token)).json();
  const now = Math.floor(Date.now() / 1000);
  assert.equal(claims.aud, ID);
  assert.match(claims.jti, /^[0-9a-f]{80}$/);
  assert.ok(Math.abs(claims.iat - now) < 60, 'issued now');
  assert.equal(claims.nbf, claims.iat);
  assert.equal(claims.exp, claims.iat + tokens.expires_in);
  assert.equal(claims.sub, String(account.current_user_id));
  assert.equal(claims.grant_type, '');
  assert.equal(claims.account_id, account.id);
  assert.equal(claims.base_domain, 'kommo.com');
  assert.equal(claims.version, 2);
  assert.deepEqual(claims.scopes, ['crm']);
  assert.match(claims.hash_uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(claims.user_flags, 0);
  assert.equal(claims.api_domain, new URL(sandbox.url).host, 'the API answers where the client reached the sandbox');
  assert.match(tokens.refresh_token, /^rt_[0-9a-f]+$/, 'refresh tokens stay opaque');

  const refreshed = await (await refresh(tokens.refresh_token)).json();
  const again = decode(refreshed.access_token.split('.')[1]);
  assert.notEqual(again.jti, claims.jti);
  assert.equal(again.sub, claims.sub);
});

test('the calls amoCRM\'s SDK makes around sign-in: the account\'s domain by refresh or access token, the resource owner', async () => {
  const tokens = await pair();
  const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url'));
  const apiDomain = `http://${claims.api_domain}`;
  const recovered = await fetch(`${apiDomain}/oauth2/account/current/subdomain`, { headers: { 'x-refresh-token': tokens.refresh_token } });
  assert.equal(recovered.status, 200);
  const where = await recovered.json();
  assert.deepEqual(where, { id: claims.account_id, subdomain: 'sandbox-alpha', domain: 'sandbox-alpha.kommo.com', top_level_domain: 'com' });
  assert.deepEqual(await (await bearer('/oauth2/account/subdomain', tokens.access_token)).json(), where);
  assert.equal((await fetch(`${apiDomain}/oauth2/account/current/subdomain`, { headers: { 'x-refresh-token': 'made-up' } })).status, 401);
  const owner = await (await bearer('/v3/user', tokens.access_token)).json();
  assert.deepEqual(Object.keys(owner).sort(), ['email', 'id', 'name']);
  assert.equal(String(owner.id), claims.sub);
  const refused = await bearer('/v3/user', 'made-up');
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('content-type'), 'application/problem+json');
});

// Last: its rows move the sandbox clock forward.
test('every row of the token error table in docs/protocol.md is what the sandbox answers', async () => {
  const rows = tableRows();
  assert.deepEqual(rows.map((r) => r.case).sort(), Object.keys(CASES).sort(), 'one check per row, one row per check');
  for (const row of rows) {
    const response = await CASES[row.case]();
    const body = await response.json();
    const seen = `${row.case}: ${response.status} ${JSON.stringify(body)}`;
    assert.equal(response.status, row.status, seen);
    assert.equal(body.status, row.status, seen);
    assert.equal(body.error, row.error, seen);
    assert.match(response.headers.get('content-type'), /^application\/json/, seen);
    assert.equal(response.headers.get('cache-control'), 'no-store', seen);
    assert.equal(body.type, 'https://developers.amocrm.ru/v3/errors/OAuthProblemJson', seen);
    assert.ok(body.title && body.detail, seen);
    assert.equal(body.error_description, body.detail, seen);
    const exact = row.hint.split(';')[0];
    if (exact.startsWith('(')) assert.ok(body.hint.length > 10, seen);
    else assert.equal(body.hint, exact, seen);
    const challenge = response.headers.get('www-authenticate');
    if (row.hint.includes('WWW-Authenticate')) assert.match(challenge ?? '', /^Basic /, seen);
    else assert.equal(challenge, null, `${seen}: a challenge only after HTTP Basic`);
  }
});

test('what amoCRM\'s official PHP SDK sends and reads (amocrm/amocrm-api-php over league/oauth2-client)', async () => {
  // Its requests: a form body (league/oauth2-client's PostAuthOptionProvider), its own headers.
  const sdk = { 'user-agent': 'amoCRM-API-Library/1.16.0', 'x-library-version': '1.16.0', 'x-client-uuid': ID };
  const exchanged = await form({ client_id: ID, client_secret: SECRET, redirect_uri: REDIRECT, grant_type: 'authorization_code', code: await code() }, sdk);
  assert.equal(exchanged.status, 200);
  const token = await exchanged.json();
  // What it reads: access_token (required), refresh_token, a numeric expires_in; the JWT's
  // api_domain (getSharedApiDomain) and exp (LongLivedAccessToken).
  assert.equal(typeof token.access_token, 'string');
  assert.equal(typeof token.refresh_token, 'string');
  assert.equal(typeof token.expires_in, 'number');
  const claims = JSON.parse(Buffer.from(token.access_token.split('.')[1], 'base64url'));
  assert.ok(claims.api_domain && claims.exp > claims.iat);
  const refreshed = await form({ client_id: ID, client_secret: SECRET, redirect_uri: REDIRECT, grant_type: 'refresh_token', refresh_token: token.refresh_token }, sdk);
  assert.equal(refreshed.status, 200);
  // Its error message is "title: detail (hint)", with the HTTP status as the code.
  const refused = await (await form({ client_id: ID, client_secret: SECRET, redirect_uri: REDIRECT, grant_type: 'refresh_token', refresh_token: 'gone' }, sdk)).json();
  assert.equal(`${refused.title}: ${refused.detail} (${refused.hint})`, 'Invalid request: The refresh token is invalid. (Cannot decrypt the refresh token)');
  // After a refresh answered 401 or 404 it asks the token's api_domain where the account is now.
  const where = await fetch(`http://${claims.api_domain}/oauth2/account/current/subdomain`, { headers: { ...sdk, 'x-refresh-token': (await refreshed.json()).refresh_token } });
  assert.equal((await where.json()).subdomain, 'sandbox-alpha');
});
