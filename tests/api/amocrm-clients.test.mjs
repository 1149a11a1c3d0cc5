// amoCRM's own client libraries against the sandbox, through their own URL building: they
// call https://{subdomain}.amocrm.ru (443, a public CA). Here that is a TLS front on loopback
// with a CA made for this run (openssl), in front of the sandbox; the provider's host is
// mapped to loopback inside the test processes only (Node's HTTPS agent here, the Python
// library's process by its own socket.getaddrinfo), and the CA trusted there alone.
// Each library runs the code exchange, the account API, a forced expiry it notices on its own
// schedule, the refresh, the rotated refresh token refused, a 401, and a wrong secret.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import https from 'node:https';
import dns from 'node:dns';
import { allow, startSandbox } from './provider.mjs';

const root = new URL('../..', import.meta.url).pathname;
const REDIRECT = 'https://integrator.example/callback';
const [ID, SECRET] = ['amo-lib-client', 'amo-lib-secret'];
const HOST = 'sandbox-alpha.amocrm.ru';
let sandbox, front, frontPort, ca, dir;

/** A CA for this run and a certificate for the provider's hosts, signed by it. */
function makeCertificates() {
  dir = mkdtempSync(join(tmpdir(), 'amo-front-'));
  const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1',
    '-subj', '/CN=kommo-oauth-button test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'front.key', '-out', 'front.csr', '-subj', `/CN=${HOST}`);
  writeFileSync(join(dir, 'front.ext'), 'subjectAltName=DNS:*.amocrm.ru,DNS:*.kommo.com\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'front.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'front.pem', '-days', '1', '-extfile', 'front.ext');
  return { ca: readFileSync(join(dir, 'ca.pem')), key: readFileSync(join(dir, 'front.key')), cert: readFileSync(join(dir, 'front.pem')) };
}

before(async () => {
  sandbox = await startSandbox([[ID, SECRET, REDIRECT, 'amoCRM libraries']]);
  const certs = makeCertificates();
  ca = certs.ca;
  const target = new URL(sandbox.url);
  // The front forwards each request to the sandbox as it came, under the sandbox's own Host.
  front = https.createServer({ key: certs.key, cert: certs.cert }, (req, res) => {
    const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise((resolve) => front.listen(0, '127.0.0.1', resolve));
  frontPort = front.address().port;
});
after(() => {
  sandbox?.child.kill();
  front?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const code = async (state) => (await allow(sandbox.url, ID, state)).searchParams.get('code');
const advance = (seconds) => fetch(`${sandbox.url}/sandbox/api/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance_seconds: seconds }) });

test('amocrm-js (npm): exchange, account, expiry noticed on its own schedule, refresh, rotation, 401, wrong secret', async () => {
  // amocrm-js calls https.request({hostname, path}) on the global agent: this process's agent
  // resolves the provider's hosts to the front and trusts this run's CA.
  const lookup = (host, options, callback) => {
    if (!host.endsWith('.amocrm.ru')) return dns.lookup(host, options, callback);
    return options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
  };
  const previous = https.globalAgent;
  https.globalAgent = new https.Agent({ ca, lookup });
  https.globalAgent.defaultPort = frontPort; // (https.Agent sets 443 whatever its options say)
  try {
    const { Client } = createRequire(import.meta.url)('amocrm-js');
    const client = new Client({ domain: HOST, auth: { client_id: ID, client_secret: SECRET, redirect_uri: REDIRECT, code: await code('js-1') } });
    assert.equal(await client.connection.connect(), true);
    const account = await client.request.get('/api/v4/account');
    assert.equal(account.data.id, 31000001);
    assert.equal(account.data.subdomain, 'sandbox-alpha');
    const first = client.token.getValue();
    const claims = JSON.parse(Buffer.from(first.access_token.split('.')[1], 'base64url'));
    assert.equal(claims.aud, ID);

    // A day later: the sandbox refuses the old access token, and the library, whose token
    // says it expired (its expires_at, from expires_in), refreshes before the next call.
    await advance(86_401);
    client.token.setValue({ ...first, expires_at: Date.now() - 1000 });
    let refreshes = 0;
    client.token.on('refresh', () => refreshes++);
    const again = await client.request.get('/api/v4/account');
    assert.equal(again.data.id, 31000001);
    assert.equal(refreshes, 1);
    const second = client.token.getValue();
    assert.notEqual(second.refresh_token, first.refresh_token, 'rotated');

    // The replaced refresh token, presented again: refused with the provider's 401.
    client.token.setValue({ ...first });
    const rotated = await client.token.refresh().then(() => null, (e) => e);
    assert.equal(rotated?.message, 'API_RESPONSE_ERROR', String(rotated));
    assert.deepEqual([rotated.data.status, rotated.data.hint], [401, 'Token has been revoked']);
    // That revoked the family: the library does not refresh on a 401, it rejects.
    client.token.setValue({ ...second });
    const revoked = await client.request.get('/api/v4/account').then(() => null, (e) => e);
    assert.equal(revoked?.data?.status, 401, String(revoked));

    const wrong = new Client({ domain: HOST, auth: { client_id: ID, client_secret: 'not-the-secret', redirect_uri: REDIRECT, code: await code('js-2') } });
    wrong.connection.on('error', () => {});
    const refused = await wrong.connection.connect().then(() => null, (e) => e);
    assert.deepEqual([refused?.data?.status, refused?.data?.error], [401, 'invalid_client'], String(refused));
  } finally {
    https.globalAgent = previous;
  }
});

test('amocrm-api (PyPI): exchange, account, expiry noticed by its exp, refresh, rotation, 401, wrong secret', async () => {
  const [first, other] = [await code('py-1'), await code('py-2')];
  // Asynchronously: the front answers from this process's event loop.
  const { stdout: out } = await promisify(execFile)('python3', [join(root, 'tests', 'python', 'amocrm_api_client.py'), sandbox.url, String(frontPort), ID, SECRET, REDIRECT, first, other], {
    encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, PYTHONPATH: join(root, 'target', 'python'), REQUESTS_CA_BUNDLE: join(dir, 'ca.pem') },
  });
  const seen = JSON.parse(out);
  assert.equal(seen.account, 31000001);
  for (const field of ['current_user_id', 'customers_mode', 'is_unsorted_on', 'contact_name_display_order', 'created_by', 'updated_at']) {
    assert.ok(seen.account_fields.includes(field), field);
  }
  assert.equal(seen.expired_seen, true, 'the library reads exp from the JWT');
  assert.equal(seen.refreshed, true);
  assert.equal(seen.after_expiry, 31000001);
  assert.match(seen.rotated, /Token has been revoked/);
  assert.equal(seen.revoked, 401);
  assert.match(seen.wrong_secret, /client_secret/, 'the library raises the provider\'s hint');
});
