// The sandbox's token endpoint as standard OAuth 2 client libraries use it, none written here:
// openid-client (on oauth4webapi: form bodies, HTTP Basic or the secret in the body, no
// Origin), simple-oauth2 (form bodies, HTTP Basic by default) and, from Python, Authlib
// (HTTP Basic without form-encoding the secret; installed into target/python by the bootstrap). Each: code exchange, the
// account API with the token, refresh, a rotated refresh token refused, a wrong secret, a
// reused code. An integrator's real back end pointed at the sandbox does exactly this.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { AuthorizationCode } from 'simple-oauth2';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { allow, startSandbox } from './provider.mjs';

const REDIRECT = 'https://integrator.example/callback';
// A secret with the characters HTTP Basic must form-encode (RFC 6749 §2.3.1).
const SECRET = 'lib:secret+/=%';
let sandbox;

before(async () => {
  sandbox = await startSandbox([['lib-client', SECRET, REDIRECT, 'Client libraries']]);
});
after(() => sandbox?.child.kill());

const accountStatus = (access) => fetch(`${sandbox.url}/api/v4/account`, { headers: { authorization: `Bearer ${access}` } }).then((r) => r.status);

/** The error code (RFC 6749 §5.2) a library's rejection carries, wherever it keeps it. */
function oauthError(e) {
  return e?.error ?? e?.cause?.error ?? e?.data?.payload?.error;
}

function openidConfig(secret, auth) {
  const server = { issuer: sandbox.url, token_endpoint: `${sandbox.url}/oauth2/access_token` };
  const config = new oidc.Configuration(server, 'lib-client', undefined, auth(secret));
  oidc.allowInsecureRequests(config);
  return config;
}

for (const [name, auth] of [['HTTP Basic', oidc.ClientSecretBasic], ['the secret in the form body', oidc.ClientSecretPost]]) {
  test(`openid-client (${name}): exchange, refresh, rotated token refused, wrong secret, reused code`, async () => {
    const config = openidConfig(SECRET, auth);
    const redirect = await allow(sandbox.url, 'lib-client', 'state-1');
    const tokens = await oidc.authorizationCodeGrant(config, redirect, { expectedState: 'state-1' });
    assert.equal(tokens.token_type, 'bearer');
    assert.ok(tokens.expiresIn() > 86_390 && tokens.expiresIn() <= 86_400, 'expires_in read as a number of seconds');
    assert.equal(await accountStatus(tokens.access_token), 200);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    assert.equal(await accountStatus(refreshed.access_token), 200, 'using the new pair retires the old refresh token');
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (e) => oauthError(e) === 'invalid_request');

    const wrong = openidConfig('not-the-secret', auth);
    const refused = await oidc.authorizationCodeGrant(wrong, await allow(sandbox.url, 'lib-client', 'state-2'), { expectedState: 'state-2' }).then(() => null, (e) => e);
    // A refused client is a 401 either way: with a challenge after HTTP Basic
    // (oauth4webapi's WWWAuthenticateChallengeError), without one after a secret in the body.
    const refusedBody = refused?.name === 'WWWAuthenticateChallengeError' ? await refused.response.json() : { error: oauthError(refused) };
    assert.equal(refusedBody.error, 'invalid_client', String(refused));
    if (auth === oidc.ClientSecretBasic) assert.equal(refused.cause[0].scheme, 'basic');

    await assert.rejects(oidc.authorizationCodeGrant(config, redirect, { expectedState: 'state-1' }), (e) => oauthError(e) === 'invalid_request', 'a code works once');
    assert.equal(await accountStatus(refreshed.access_token), 401, 'a reused code revokes what it gave');
  });
}

for (const authorizationMethod of ['header', 'body']) {
  test(`simple-oauth2 (authorizationMethod ${authorizationMethod}): exchange, refresh, rotated token refused, wrong secret, reused code`, async () => {
    const client = (secret) => new AuthorizationCode({
      client: { id: 'lib-client', secret },
      auth: { tokenHost: sandbox.url, tokenPath: '/oauth2/access_token' },
      options: { authorizationMethod },
    });
    const code = async (state) => (await allow(sandbox.url, 'lib-client', state)).searchParams.get('code');
    const first = await code('s1');
    const token = await client(SECRET).getToken({ code: first, redirect_uri: REDIRECT });
    assert.equal(token.token.token_type, 'Bearer');
    assert.ok(token.token.expires_at instanceof Date, 'expires_in read as a number');
    assert.equal(await accountStatus(token.token.access_token), 200);

    const refreshed = await token.refresh();
    assert.equal(await accountStatus(refreshed.token.access_token), 200);
    await assert.rejects(token.refresh(), (e) => e.output?.statusCode === 401 && oauthError(e) === 'invalid_request', 'the rotated refresh token is refused');

    await assert.rejects(client('wrong').getToken({ code: await code('s2'), redirect_uri: REDIRECT }),
      (e) => oauthError(e) === 'invalid_client' && e.output.statusCode === 401);
    await assert.rejects(client(SECRET).getToken({ code: first, redirect_uri: REDIRECT }), (e) => oauthError(e) === 'invalid_request', 'a code works once');
  });
}

test('Authlib (Python): exchange, account, refresh, rotated token refused, wrong secret, reused code', () => {
  const root = new URL('../..', import.meta.url).pathname;
  const out = execFileSync('python3', [join(root, 'tests', 'python', 'authlib_client.py'), sandbox.url, 'lib-client', SECRET, REDIRECT], {
    encoding: 'utf8', env: { ...process.env, PYTHONPATH: join(root, 'target', 'python') }, timeout: 60_000,
  });
  assert.deepEqual(JSON.parse(out), {
    token_type: 'Bearer', expires_in: 86400, account: 200, refreshed: true, refreshed_account: 200,
    rotated: 'invalid_request', wrong_secret: 'invalid_client', reused: 'invalid_request',
  });
});

test('error bodies carry RFC 6749 error and error_description beside the provider\'s title, type, status, detail and hint', async () => {
  const post = (body, headers = {}) => fetch(`${sandbox.url}/oauth2/access_token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body) });
  const unsupported = await post({ grant_type: 'password', client_id: 'lib-client', client_secret: SECRET });
  assert.equal(unsupported.status, 400);
  const body = await unsupported.json();
  assert.equal(body.error, 'unsupported_grant_type');
  assert.equal(body.error_description, body.detail);
  assert.equal(body.status, 400);
  assert.equal(body.type, 'https://developers.amocrm.ru/v3/errors/OAuthProblemJson');
  assert.equal(body.hint, 'Check that all required parameters have been provided');
  const basic = `Basic ${Buffer.from('lib-client:wrong').toString('base64')}`;
  const refused = await post({ grant_type: 'refresh_token', refresh_token: 'x' }, { authorization: basic });
  assert.equal(refused.status, 401);
  assert.match(refused.headers.get('www-authenticate'), /^Basic/);
  assert.equal((await refused.json()).error, 'invalid_client');
  // league/oauth2-server's rule: the body's credentials win over HTTP Basic's.
  const bodyRight = await post({ grant_type: 'refresh_token', refresh_token: 'x', client_secret: SECRET }, { authorization: basic });
  assert.deepEqual([bodyRight.status, (await bodyRight.json()).hint], [401, 'Cannot decrypt the refresh token'], 'past the client check');
  const rightBasic = `Basic ${Buffer.from(`lib-client:${SECRET}`).toString('base64')}`;
  const bodyWrong = await post({ grant_type: 'refresh_token', refresh_token: 'x', client_secret: 'wrong' }, { authorization: rightBasic });
  assert.equal((await bodyWrong.json()).error, 'invalid_client');
  const repeated = await fetch(`${sandbox.url}/oauth2/access_token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token&refresh_token=a&refresh_token=b&client_id=lib-client&client_secret=x' });
  assert.equal((await repeated.json()).error, 'invalid_request', 'a repeated parameter');
  const crossSite = await post({ grant_type: 'refresh_token', refresh_token: 'x' }, { origin: 'https://evil.example' });
  assert.equal(crossSite.status, 403, 'a browser form from another site is still refused');
});
