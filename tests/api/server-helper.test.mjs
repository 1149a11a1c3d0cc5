// kommo-oauth-button/server (js/server.js) on its own: the referer decides where the client
// secret goes, so it is checked before any request; every call times out; an answer is used
// only when it has every documented field. A stand-in provider plays each fault.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { ACCOUNT_DOMAINS, KommoServerError, account, accountOrigin, exchangeCode, refreshTokens } from '../../js/server.js';

const PAIR = { token_type: 'Bearer', expires_in: 86400, access_token: 'at_1', refresh_token: 'rt_1' };
const CLIENT = { clientId: 'id', clientSecret: 'secret', redirectUri: 'https://app.example/callback' };
// What the stand-in answers next: [status, content type, body], or 'hang'.
let answer;
const requests = [];
let provider, baseUrl;

before(async () => {
  provider = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (answer === 'hang') return;
      if (answer === 'stream') return streamForever(res);
      const [status, type, text, headers = {}] = answer;
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(text);
    });
  });
  await new Promise((r) => provider.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${provider.address().port}`;
});
after(() => { provider.closeAllConnections(); provider.close(); });

// 'stream': a 2xx JSON answer that never ends (up to 256 MB); `streamed` counts what left.
let streamed = 0;
function streamForever(res) {
  streamed = 0;
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let open = true;
  res.on('close', () => { open = false; });
  const pump = () => {
    while (open && streamed < 256 * 1024 * 1024) {
      streamed += chunk.length;
      if (!res.write(chunk)) return res.once('drain', pump);
    }
    if (open) res.end();
  };
  res.write('{"pad":"');
  pump();
}

const jsonAnswer = (body, status = 200) => [status, 'application/json', JSON.stringify(body)];
const failsWith = (code, more = {}) => (e) => {
  assert.ok(e instanceof KommoServerError, String(e));
  assert.equal(e.code, code, e.message);
  for (const [k, v] of Object.entries(more)) assert.equal(e[k], v, k);
  return true;
};

test('a referer must be a subdomain of an account domain; anything else is refused before any request', async () => {
  assert.deepEqual([...ACCOUNT_DOMAINS], ['kommo.com', 'amocrm.ru', 'amocrm.com']);
  for (const ok of ['acme.kommo.com', 'ACME.Kommo.com', 'shop.amocrm.ru', 'a-1.amocrm.com']) {
    assert.equal(accountOrigin(ok), `https://${ok.toLowerCase()}`);
  }
  const calls = [];
  const spy = async (...a) => { calls.push(a); throw new Error('no request may be made'); };
  for (const bad of [undefined, '', 'kommo.com', 'attacker.example', 'acme.kommo.com.attacker.example', 'attacker.example/acme.kommo.com',
    'acme.kommo.com:8443', 'user@acme.kommo.com', 'acme.kommo.com.', '.kommo.com', 'acme..kommo.com', 'acme.kommo.com/x', 'acme.kommo.com?x',
    'acme.kommo.com#x', 'xn--acme-.kommo.com', '-acme.kommo.com', 'acme.kommocom', 'acme.notkommo.com', '127.0.0.1', 'acme.kommo.com\n']) {
    assert.throws(() => accountOrigin(bad), failsWith('invalid_referer'), String(bad));
    await assert.rejects(exchangeCode({ referer: bad, code: 'c', ...CLIENT, fetch: spy }), failsWith('invalid_referer'), String(bad));
    await assert.rejects(refreshTokens({ referer: bad, refreshToken: 'r', ...CLIENT, fetch: spy, baseUrl }), failsWith('invalid_referer'), String(bad));
  }
  assert.equal(calls.length, 0, 'no request was made for a refused referer');
});

test('the code is exchanged at https://{referer}/oauth2/access_token, or at baseUrl (the sandbox)', async () => {
  const calls = [];
  const recording = async (url, init) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(PAIR), { headers: { 'content-type': 'application/json' } });
  };
  const tokens = await exchangeCode({ referer: 'Acme.kommo.com', code: 'the-code', ...CLIENT, fetch: recording });
  assert.equal(calls[0].url, 'https://acme.kommo.com/oauth2/access_token');
  assert.deepEqual(JSON.parse(calls[0].init.body), { client_id: 'id', client_secret: 'secret', grant_type: 'authorization_code', code: 'the-code', redirect_uri: CLIENT.redirectUri });
  assert.equal(calls[0].init.redirect, 'error', 'a redirect never carries the secret elsewhere');
  assert.equal(tokens.referer, 'acme.kommo.com');
  assert.equal(tokens.accessToken, 'at_1');
  assert.ok(Math.abs(tokens.expiresAt - (Date.now() + 86_400_000)) < 5_000);

  answer = jsonAnswer(PAIR);
  requests.length = 0;
  await refreshTokens({ referer: 'shop.amocrm.ru', refreshToken: 'rt_0', ...CLIENT, baseUrl });
  assert.equal(requests[0].url, '/oauth2/access_token');
  assert.equal(JSON.parse(requests[0].body).grant_type, 'refresh_token');
  assert.equal(requests[0].headers.origin, undefined);
});

test('a provider that hangs fails with timeout within timeoutMs', async () => {
  answer = 'hang';
  const started = Date.now();
  await assert.rejects(exchangeCode({ referer: 'acme.kommo.com', code: 'c', ...CLIENT, baseUrl, timeoutMs: 300 }), failsWith('timeout', { retryable: true }));
  assert.ok(Date.now() - started < 5_000);
  await assert.rejects(account({ referer: 'acme.kommo.com', accessToken: 'at', baseUrl, timeoutMs: 300 }), failsWith('timeout'));
});

test('a provider that is down fails with network', async () => {
  const closed = createServer();
  await new Promise((r) => closed.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${closed.address().port}`;
  await new Promise((r) => closed.close(r));
  await assert.rejects(refreshTokens({ referer: 'acme.kommo.com', refreshToken: 'r', ...CLIENT, baseUrl: url }), failsWith('network', { retryable: true }));
});

test('an answer without every documented field is malformed_response, never a token set', async () => {
  const cases = [
    [200, 'text/html', '<html><body>Maintenance</body></html>'],
    jsonAnswer({}),
    jsonAnswer([]),
    jsonAnswer(null),
    jsonAnswer({ ...PAIR, access_token: '' }),
    jsonAnswer({ ...PAIR, refresh_token: undefined }),
    jsonAnswer({ ...PAIR, token_type: 'mac' }),
    jsonAnswer({ ...PAIR, expires_in: '86400' }),
    jsonAnswer({ ...PAIR, expires_in: -1 }),
    [200, 'application/json', JSON.stringify({ ...PAIR, pad: 'x'.repeat(70_000) })],
  ];
  for (const c of cases) {
    answer = c;
    await assert.rejects(exchangeCode({ referer: 'acme.kommo.com', code: 'c', ...CLIENT, baseUrl }), failsWith('malformed_response', { retryable: true }), c[2].slice(0, 60));
  }
  answer = jsonAnswer({ id: 'not a number', name: 'x', subdomain: 'x' });
  await assert.rejects(account({ referer: 'acme.kommo.com', accessToken: 'at', baseUrl }), failsWith('malformed_response'));
  answer = jsonAnswer({ id: 1, name: 'Acme', subdomain: 'acme', currency: 'USD' });
  assert.equal((await account({ referer: 'acme.kommo.com', accessToken: 'at', baseUrl })).name, 'Acme');
});

test('an error status is provider_error with the provider\'s error and hint; 5xx is retryable, 4xx is not', async () => {
  answer = jsonAnswer({ status: 400, title: 'Bad Request', hint: 'authorization code has expired', error: 'invalid_grant', error_description: 'authorization code has expired' }, 400);
  await assert.rejects(exchangeCode({ referer: 'acme.kommo.com', code: 'c', ...CLIENT, baseUrl }),
    failsWith('provider_error', { status: 400, error: 'invalid_grant', hint: 'authorization code has expired', retryable: false }));
  answer = [503, 'text/html', '<h1>Service Unavailable</h1>'];
  await assert.rejects(refreshTokens({ referer: 'acme.kommo.com', refreshToken: 'r', ...CLIENT, baseUrl }), failsWith('provider_error', { status: 503, retryable: true }));
});

test('missing parameters are a TypeError naming them', async () => {
  await assert.rejects(exchangeCode({ referer: 'acme.kommo.com', code: '', ...CLIENT, baseUrl }), /code must be a non-empty string/);
  await assert.rejects(refreshTokens({ referer: 'acme.kommo.com', refreshToken: 'r', ...CLIENT, clientSecret: undefined, baseUrl }), /clientSecret/);
});

test('a body is read no further than 64 KB: past it the download is cancelled, not buffered', async () => {
  answer = 'stream';
  await assert.rejects(exchangeCode({ referer: 'acme.kommo.com', code: 'c', ...CLIENT, baseUrl }), failsWith('malformed_response'));
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(streamed < 16 * 1024 * 1024, `the provider sent ${streamed} bytes before the helper stopped reading`);
});

test('a token set must be usable: RFC 6750 token characters, a bounded lifetime', async () => {
  for (const bad of [
    { ...PAIR, access_token: 'at\r\nSet-Cookie: x=1' },
    { ...PAIR, access_token: 'two words' },
    { ...PAIR, refresh_token: 'rt"quoted"' },
    { ...PAIR, refresh_token: 'ключ' },
    { ...PAIR, expires_in: 1e308 },
    { ...PAIR, expires_in: 10 * 366 * 24 * 3600 },
  ]) {
    answer = jsonAnswer(bad);
    await assert.rejects(exchangeCode({ referer: 'acme.kommo.com', code: 'c', ...CLIENT, baseUrl }), failsWith('malformed_response'), JSON.stringify(bad).slice(0, 80));
  }
  // What real tokens look like passes: a JWT (dots, dashes, underscores), base64 with padding.
  answer = jsonAnswer({ ...PAIR, access_token: 'eyJ0eXAi.eyJhdWQi-_x.sig+/=', refresh_token: 'def50200abc==' });
  const set = await exchangeCode({ referer: 'acme.kommo.com', code: 'c', ...CLIENT, baseUrl });
  assert.equal(set.refreshToken, 'def50200abc==');
  assert.ok(Number.isFinite(set.expiresAt));
});

test('"try later" is retryable: 408 and 429 (with Retry-After, seconds or a date) as well as 5xx', async () => {
  answer = [429, 'application/json', JSON.stringify({ title: 'Too Many Requests' }), { 'retry-after': '7' }];
  await assert.rejects(refreshTokens({ referer: 'acme.kommo.com', refreshToken: 'r', ...CLIENT, baseUrl }),
    failsWith('provider_error', { status: 429, retryable: true, retryAfterMs: 7000 }));
  answer = [408, 'text/plain', 'timeout', { 'retry-after': new Date(Date.now() + 60_000).toUTCString() }];
  await assert.rejects(refreshTokens({ referer: 'acme.kommo.com', refreshToken: 'r', ...CLIENT, baseUrl }), (e) => {
    assert.equal(e.retryable, true);
    assert.ok(e.retryAfterMs > 50_000 && e.retryAfterMs <= 60_000, String(e.retryAfterMs));
    return true;
  });
  answer = jsonAnswer({ error: 'invalid_grant' }, 400);
  await assert.rejects(refreshTokens({ referer: 'acme.kommo.com', refreshToken: 'r', ...CLIENT, baseUrl }), failsWith('provider_error', { retryable: false }));
});

test('a timeout a timer cannot hold is refused, not a call that times out at once', async () => {
  for (const timeoutMs of [2 ** 31, Infinity, 0, -1, NaN, '100']) {
    await assert.rejects(exchangeCode({ referer: 'acme.kommo.com', code: 'c', ...CLIENT, baseUrl, timeoutMs }), TypeError, String(timeoutMs));
  }
});

test('provider text reaches messages cut to one line of 200 characters', async () => {
  answer = jsonAnswer({ error: 'invalid_grant', hint: `line one\r\nline two\u0000${'x'.repeat(64 * 1024 - 100)}` }, 400);
  await assert.rejects(exchangeCode({ referer: 'acme.kommo.com', code: 'c', ...CLIENT, baseUrl }), (e) => {
    assert.ok(e.hint.length <= 201, String(e.hint.length));
    assert.doesNotMatch(e.hint, /[\r\n\u0000]/);
    assert.ok(e.message.length < 400, String(e.message.length));
    assert.doesNotMatch(e.message, /[\r\n\u0000]/);
    return true;
  });
});
