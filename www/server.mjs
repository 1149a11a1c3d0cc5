// The demo integrator site: what an integrator's own web app does around the button.
//   GET  /            the landing page with the drop-in button in both modes + a metadata button
//   GET  /gallery     every theme, colour, size and locale (the npm API, bundled by webpack)
//   GET  /callback    the Redirect URI: the back end exchanges the code (secret kept here)
//   GET  /api/account the sandbox account, with the stored access token
//   POST /api/refresh refreshes the token pair
//   POST /api/leadexec/session|refresh|disconnect  LeadExec from the server (the section "Sign in with LeadExec")
//   POST /api/secrets the metadata button's secrets webhook;  GET /api/disconnect the disconnect hook
//   GET  /api/log     what the hooks received (for the end-to-end tests)
// Usage: node www/server.mjs [--port 8080] [--sandbox http://127.0.0.1:7070] [--coop]
//          [--public-origin https://app.example] [--le-app-id demo-app]
//
// Written to be copied (docs/security.md, "An integrator's back end"): it answers only to
// its own host names; the session cookie is HttpOnly and SameSite=Lax; every state-changing
// request from a browser must carry this site's Origin; the OAuth state is issued per
// session, given to the button in data-state and checked before a code is exchanged; the
// metadata button's secrets are accepted only with a state this server issued, and serve
// only that session's exchange; one token refresh at a time per session; bodies are
// bounded; static files are looked up after decoding and normalising, inside three folders;
// HTML is not frameable and the Redirect URI page sends no referrer; tokens and secrets
// never reach the browser.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { extname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    sandbox: { type: 'string', default: 'http://127.0.0.1:7070' },
    coop: { type: 'boolean', default: false },
    'client-id': { type: 'string', default: 'demo-client-id' },
    'client-secret': { type: 'string', default: 'demo-client-secret' },
    // The address the site is reached by besides loopback (behind TLS: https://name). Its
    // origin is what same-origin checks compare with; https gives the cookie `Secure`.
    'public-origin': { type: 'string' },
    // The LeadExec application this site is (sessions hand over refresh tokens for it only).
    'le-app-id': { type: 'string', default: 'demo-app' },
    // Serve GET /api/log (what the hooks received, states included) for the end-to-end tests.
    'test-log': { type: 'boolean', default: false },
  },
});
const SANDBOX = args.sandbox.replace(/\/$/, '');
const CLIENT_ID = args['client-id'];
const CLIENT_SECRET = args['client-secret'];
const PUBLIC = args['public-origin'] ? new URL(args['public-origin']) : null;
if (PUBLIC && (!/^https?:$/.test(PUBLIC.protocol) || PUBLIC.pathname !== '/')) {
  throw new Error(`--public-origin ${args['public-origin']}: expected an origin such as https://app.example`);
}
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

// sid -> { state, tokens, clientId, codes: Set, created?: {client_id, client_secret}, refreshing? }
// Client secrets: this site's own (configuration), and per session the one a metadata button
// created (the secrets webhook, with that session's state). Never sent to the browser.
const sessions = new Map();
const MAX_BODY = 64 * 1024;
const log = { secrets: [], disconnects: [], redirects: [] };
const MAX_LOG = 200;
const MAX_SESSIONS = 10_000;
const record = (list, entry) => { list.push(entry); if (list.length > MAX_LOG) list.shift(); };

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The request's session; a new one only when `create` (the pages), at most MAX_SESSIONS. */
function session(req, res, create) {
  const sid = /(?:^|;\s*)sid=([a-f0-9]+)/.exec(req.headers.cookie || '')?.[1];
  const known = sid && sessions.get(sid);
  if (known) {
    // Most recently used last: a flood of new sessions evicts idle ones, not active ones.
    sessions.delete(sid);
    sessions.set(sid, known);
    return known;
  }
  if (!create) return { codes: new Set() };
  if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value);
  const fresh = randomBytes(16).toString('hex');
  // The OAuth state of this session: rendered into data-state, checked on the Redirect URI.
  const s = { id: fresh, state: randomBytes(16).toString('hex'), codes: new Set() };
  sessions.set(fresh, s);
  const secure = PUBLIC?.protocol === 'https:' && req.headers.host === PUBLIC.host ? '; Secure' : '';
  res.setHeader('set-cookie', `sid=${fresh}; Path=/; HttpOnly; SameSite=Lax${secure}`);
  return s;
}

async function sandboxJson(path, init = {}) {
  const r = await fetch(`${SANDBOX}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init.headers || {}) } });
  const body = await r.json().catch(() => ({}));
  return { status: r.status, body };
}

/** The secret of `clientId` for this session: this site's own, or the one its metadata button created. */
function secretFor(s, clientId) {
  if (clientId === CLIENT_ID) return CLIENT_SECRET;
  return s.created?.client_id === clientId ? s.created.client_secret : undefined;
}

async function exchange(s, { code, client_id: clientId, redirectUri }) {
  if (s.codes.has(code)) return { ok: true, note: 'already exchanged' };
  const secret = secretFor(s, clientId);
  if (!secret) return { ok: false, error: `no client secret known for ${clientId}` };
  const { status, body } = await sandboxJson('/oauth2/access_token', {
    method: 'POST',
    body: JSON.stringify({ client_id: clientId, client_secret: secret, grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
  });
  if (status !== 200) return { ok: false, error: body.hint || `token endpoint answered ${status}` };
  s.codes.add(code);
  s.clientId = clientId;
  s.tokens = body;
  return { ok: true };
}

async function account(s) {
  if (!s.tokens) return { status: 401, body: { error: 'not connected' } };
  return sandboxJson('/api/v4/account', { headers: { authorization: `Bearer ${s.tokens.access_token}` } });
}

async function page(file, vars) {
  const html = await readFile(join(root, 'www', file), 'utf8');
  return html.replace(/\{\{(\w+)\}\}/g, (_, k) => escapeHtml(vars[k] ?? ''));
}

/** The JSON body, or `null` when it is not JSON; throws `413` past MAX_BODY bytes. */
async function readJson(req) {
  if (!/^application\/json\b/i.test(req.headers['content-type'] || '')) return null;
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > MAX_BODY) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(c);
  }
  try { return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'); } catch { return null; }
}

const sameText = (a, b) => typeof a === 'string' && typeof b === 'string' && a.length === b.length
  && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Loopback names, and --public-origin's host. */
function allowedHost(host = '') {
  if (PUBLIC && host.toLowerCase() === PUBLIC.host) return true;
  const name = (host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]).toLowerCase();
  return ['localhost', '127.0.0.1', '[::1]'].includes(name) || name.endsWith('.localhost');
}

function send(res, status, type, body, extra = {}) {
  const headers = { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra };
  if (type.startsWith('text/html')) {
    headers['x-frame-options'] = 'DENY';
    headers['content-security-policy'] = "frame-ancestors 'none'";
  }
  if (args.coop && type.startsWith('text/html')) headers['cross-origin-opener-policy'] = 'same-origin';
  res.writeHead(status, headers);
  res.end(body);
}
const json = (res, status, body) => send(res, status, 'application/json', JSON.stringify(body));

async function handle(req, res, origin) {
  const url = new URL(req.url, origin);
  // A browser's POST carries Origin; only this site's pages may change state. The secrets
  // webhook comes from the provider's server (no Origin) and is checked by its state.
  if (req.method === 'POST' && req.headers.origin !== undefined && req.headers.origin !== origin) {
    return json(res, 403, { error: 'cross-site request refused' });
  }
  if (req.method === 'POST' && url.pathname === '/api/secrets') return secretsWebhook(req, res);
  const isPage = req.method === 'GET' && ['/', '/gallery', '/callback'].includes(url.pathname);
  const s = session(req, res, isPage);
  const vars = { SANDBOX, SANDBOX_HOST: new URL(SANDBOX).host, LE_BUTTON: 'demo-button', CLIENT_ID, ORIGIN: origin, STATE: s.state };
  switch (`${req.method} ${url.pathname}`) {
    case 'GET /':
      return send(res, 200, TYPES['.html'], await page('index.html', vars));
    case 'GET /gallery':
      return send(res, 200, TYPES['.html'], await page('gallery.html', vars));
    case 'GET /callback': {
      const q = Object.fromEntries(url.searchParams);
      record(log.redirects, { at: Date.now(), query: q });
      let status = q.error ? `The account admin declined (${q.error}).` : 'No authorization code in the URL.';
      if (q.code && !sameText(q.state, s.state)) {
        // Not the state this session was given: someone else's code (login CSRF). Refused.
        status = 'Refused: the state does not match this session, so the code was not exchanged.';
      } else if (q.code) {
        const r = await exchange(s, { code: q.code, client_id: q.client_id, redirectUri: `${origin}/callback` });
        status = r.ok ? 'Connected: the code was exchanged for tokens on the server.' : `Code exchange failed: ${r.error}`;
      }
      return send(res, 200, TYPES['.html'], await page('callback.html', { ...vars, STATUS: status }), { 'referrer-policy': 'no-referrer' });
    }
    case 'GET /api/account': {
      const r = await account(s);
      return json(res, r.status, r.body);
    }
    case 'POST /api/refresh': {
      if (req.headers.origin !== origin) return json(res, 403, { error: 'send this from the site\'s own pages' });
      if (!s.tokens) return json(res, 401, { error: 'not connected' });
      const { status, body } = await refreshOnce(s, origin);
      return json(res, status, status === 200 ? { refreshed: true, expires_in: body.expires_in } : body);
    }
    case 'POST /api/leadexec/session':
    case 'POST /api/leadexec/refresh':
    case 'POST /api/leadexec/disconnect':
      if (req.headers.origin !== origin) return json(res, 403, { error: 'send this from the site\'s own pages' });
      return leadexec(url.pathname.split('/').pop(), s, req, res);
    case 'GET /api/disconnect':
      record(log.disconnects, { at: Date.now(), account_id: url.searchParams.get('account_id'), client_id: url.searchParams.get('client_id') });
      return json(res, 200, { ok: true });
    case 'GET /api/log':
      if (args['test-log']) return json(res, 200, log);
      break;
  }
  return serveStatic(res, url.pathname);
}

/**
 * Refreshes the session's token pair, one request at a time: the provider rotates refresh
 * tokens and treats a retired one as stolen (it revokes the family), so two overlapping
 * refreshes with the same token would sign the user out. Callers that overlap share one answer.
 */
function refreshOnce(s, origin) {
  s.refreshing ??= sandboxJson('/oauth2/access_token', {
    method: 'POST',
    body: JSON.stringify({ client_id: s.clientId, client_secret: secretFor(s, s.clientId), grant_type: 'refresh_token', refresh_token: s.tokens.refresh_token, redirect_uri: `${origin}/callback` }),
  }).then((r) => {
    if (r.status === 200) s.tokens = r.body;
    return r;
  }).finally(() => { s.refreshing = null; });
  return s.refreshing;
}

/**
 * LeadExec from the server: the page hands over the refresh token AuthorizeResult got (once
 * per sign-in), the session keeps it and the access token, and refreshes or disconnects with
 * LeadExec's documented GETs. The browser gets validity and expiry, not the tokens.
 */
const TOKEN = /^[\w.~-]{1,512}$/;
async function leadexec(action, s, req, res) {
  const call = async (path) => {
    const r = await fetch(`${SANDBOX}${path}`);
    return r.json().catch(() => ({ valid: false, errorMessage: `HTTP ${r.status}` }));
  };
  const refresh = async (grant) => {
    const body = await call(`/authorize/refreshaccesstoken/${encodeURIComponent(grant.refreshToken)}?appid=${encodeURIComponent(grant.appId)}`);
    if (body.valid) s.leadexec = { ...grant, authToken: body.authToken, expireDate: body.expireDate };
    else delete s.leadexec;
    return json(res, 200, { valid: Boolean(body.valid), expireDate: body.expireDate, errorMessage: body.errorMessage });
  };
  if (action === 'session') {
    const body = await readJson(req);
    if (!body || !TOKEN.test(body.refreshToken ?? '') || typeof body.appId !== 'string') return json(res, 415, { error: 'send JSON with refreshToken and appId' });
    // This site is one application: a token for another is not ours to keep.
    if (body.appId !== args['le-app-id']) return json(res, 400, { valid: false, errorMessage: 'not this site\'s application' });
    return refresh({ refreshToken: body.refreshToken, appId: body.appId });
  }
  if (!s.leadexec) return json(res, 401, { valid: false, errorMessage: 'not signed in with LeadExec' });
  if (action === 'refresh') return refresh(s.leadexec);
  const body = await call(`/authorize/disconnectapplicationtoken/${encodeURIComponent(s.leadexec.refreshToken)}`);
  delete s.leadexec;
  return json(res, 200, { valid: Boolean(body.valid), errorMessage: body.errorMessage });
}

/**
 * The metadata button's secrets webhook: with a state one of our sessions holds, once per
 * session, never for this site's own client id. The secret is kept on that session and used
 * only for its own code exchange and refreshes, so a planted client cannot sign anyone else in.
 */
async function secretsWebhook(req, res) {
  const body = await readJson(req);
  const field = (v) => typeof v === 'string' && v.length > 0 && v.length <= 256;
  if (!body || !field(body.client_id) || !field(body.client_secret)) return json(res, 415, { error: 'send JSON with client_id and client_secret (at most 256 characters each)' });
  const holder = [...sessions.values()].find((s) => sameText(body.state, s.state));
  const accepted = Boolean(holder) && !holder.created && body.client_id !== CLIENT_ID;
  record(log.secrets, { at: Date.now(), client_id: body.client_id, state: body.state, accepted });
  if (body.client_id === CLIENT_ID) return json(res, 409, { error: 'this client_id is already known' });
  if (!holder) return json(res, 403, { error: 'unknown state' });
  if (holder.created) return json(res, 403, { error: 'this session already received its secret' });
  holder.created = { client_id: body.client_id, client_secret: body.client_secret };
  return json(res, 200, { ok: true });
}

const STATIC = ['dist', 'pkg', 'www'].map((d) => resolve(root, d));

/** A file under dist/, pkg/ or www/, found after decoding and normalising the path. */
function staticFile(pathname) {
  let decoded;
  try { decoded = decodeURIComponent(pathname); } catch { return null; }
  if (/[\\\0]/.test(decoded) || decoded.split('/').some((part) => part.startsWith('.'))) return null;
  const file = resolve(root, `.${decoded}`);
  const dir = STATIC.find((d) => file.startsWith(d + sep));
  // Only the file types this site serves (so no `.mjs`, `.MJS` or `server.mjs.`).
  return dir && Object.hasOwn(TYPES, extname(file)) ? file : null;
}

async function serveStatic(res, pathname) {
  const file = staticFile(pathname);
  if (!file) return send(res, 404, 'text/plain', 'not found');
  try {
    return send(res, 200, TYPES[extname(file)] || 'application/octet-stream', await readFile(file));
  } catch {
    return send(res, 404, 'text/plain', 'not found');
  }
}

const server = createServer((req, res) => {
  if (!allowedHost(req.headers.host)) return json(res, 421, { error: 'this site answers only to its own host names' });
  // Behind a TLS proxy the request says http; --public-origin says what the browser sees.
  const origin = PUBLIC && req.headers.host.toLowerCase() === PUBLIC.host ? PUBLIC.origin : `http://${req.headers.host}`;
  handle(req, res, origin).catch((e) => {
    if (e.status !== 413) console.error(e);
    if (!res.headersSent) json(res, e.status || 500, { error: e.status ? e.message : 'internal error' });
  });
});
server.listen(Number(args.port), args.host, async () => {
  const origin = PUBLIC?.origin ?? `http://localhost:${server.address().port}`;
  // Register (or re-register) this site's integration with the sandbox, with its real port.
  const r = await sandboxJson('/sandbox/api/integrations', {
    method: 'POST',
    body: JSON.stringify({
      client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: `${origin}/callback`,
      name: 'Demo Integration', description: 'The demo integrator site of this repository. It reads your account name.',
      logo: null, scopes: ['crm', 'notifications'], disconnect_uri: `${origin}/api/disconnect`,
    }),
  }).catch((e) => ({ status: 0, body: String(e) }));
  if (r.status !== 201) console.error(`demo: could not register the integration with the sandbox at ${SANDBOX}: ${JSON.stringify(r.body)}`);
  console.log(`Demo integrator site: ${origin}/${PUBLIC ? ` (listening on ${args.host} port ${server.address().port})` : ''}`);
});
