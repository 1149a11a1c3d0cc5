// The demo integrator site: what an integrator's own web app does around the button.
//   GET  /            the landing page with the drop-in button in both modes + a metadata button
//   GET  /gallery     every theme, colour, size and locale (the npm API, bundled by webpack)
//   GET  /callback    the Redirect URI: the back end exchanges the code (secret kept here)
//   GET  /api/status  whether this session is connected (200 either way: a page asks on load)
//   POST /api/signout ends the session on the server (its tokens with it) and clears the cookie
//   GET  /api/account the account, with the stored access token (refreshed when expired)
//   POST /api/refresh refreshes the token set
//   POST /api/leadexec/session|refresh|disconnect  LeadExec from the server (the section "Sign in with LeadExec")
//   POST /api/secrets the metadata button's secrets webhook;  GET /api/disconnect the disconnect hook
//   GET  /api/log     what the hooks received (for the end-to-end tests)
// Usage: node www/server.mjs [--port 8080] [--sandbox http://127.0.0.1:7070] [--coop]
//          [--public-origin https://app.example] [--le-app-id demo-app]
//          [--db data/demo.sqlite3 | --db :memory:] [--real-provider] [--timeout-ms 10000]
//          [--production] [--reseal]   (DEMO_DATA_KEYS=key1,key2: tokens sealed at rest)
//
// Written to be copied (docs/security.md, "An integrator's back end"), in modules by concern
// (www/server/): store.mjs (sessions and tokens in SQLite, so a restart or a deploy signs no
// one out), kommo.mjs (exchange at the referer's account domain through
// kommo-oauth-button/server, refresh, account, secrets webhook), leadexec.mjs, static.mjs,
// http.mjs. It answers only to its own host names; the session cookie is HttpOnly and
// SameSite=Lax; every state-changing request from a browser must carry this site's Origin;
// the OAuth state is issued per session, given to the button in data-state and checked
// before a code is exchanged; the referer is checked before the secret goes anywhere; every
// provider call has a timeout and its answer is validated; the metadata button's secrets are
// accepted only with a state this server issued, and serve only that session's exchange;
// one token refresh at a time per session; bodies are bounded; HTML is not frameable and
// the Redirect URI page sends no referrer; tokens and secrets never reach the browser.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { connectStore } from './server/store.mjs';
import { keysFromEnvironment } from './server/sealed.mjs';
import { kommo } from './server/kommo.mjs';
import { leadexec } from './server/leadexec.mjs';
import { staticFiles } from './server/static.mjs';
import { TYPES, escapeHtml, json, send } from './server/http.mjs';

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
    // Where sessions and tokens live: a SQLite file (created with its folder), :memory:, or a
    // Postgres database (postgres://…) that several instances share.
    db: { type: 'string', default: join(root, 'data', 'demo.sqlite3') },
    // Exchange codes at https://{referer} (a real deployment) instead of the sandbox.
    'real-provider': { type: 'boolean', default: false },
    // How long a provider call may take.
    'timeout-ms': { type: 'string', default: '10000' },
    // Serve GET /api/log (what the hooks received, states included) for the end-to-end tests.
    'test-log': { type: 'boolean', default: false },
    // Refuse to start unless DEMO_DATA_KEYS seals the tokens at rest (server/sealed.mjs).
    production: { type: 'boolean', default: false },
    // Seal every stored secret again under DEMO_DATA_KEYS' first key, then exit (key rotation).
    reseal: { type: 'boolean', default: false },
  },
});
const SANDBOX = args.sandbox.replace(/\/$/, '');
const CLIENT_ID = args['client-id'];
const PUBLIC = args['public-origin'] ? new URL(args['public-origin']) : null;
if (PUBLIC && (!/^https?:$/.test(PUBLIC.protocol) || PUBLIC.pathname !== '/')) {
  throw new Error(`--public-origin ${args['public-origin']}: expected an origin such as https://app.example`);
}
const timeoutMs = Number(args['timeout-ms']);
if (!(timeoutMs > 0 && timeoutMs <= 2 ** 31 - 1)) throw new Error(`--timeout-ms ${args['timeout-ms']}: expected milliseconds from 1 to ${2 ** 31 - 1} (a timer cannot hold more)`);

const keys = keysFromEnvironment();
if (args.production && keys.length === 0) {
  console.error('--production: set DEMO_DATA_KEYS (one or more 32-byte keys, base64, the first sealing) so that tokens and client secrets are encrypted at rest; see www/server/sealed.mjs.');
  process.exit(1);
}
if (keys.length === 0 && args.db !== ':memory:') {
  console.warn('Demo: DEMO_DATA_KEYS is not set: tokens are stored unencrypted (fine for development; --production refuses this).');
}
const store = await connectStore(/^(:memory:|postgres(ql)?:\/\/)/.test(args.db) ? args.db : resolve(args.db), { keys });
if (args.reseal) {
  console.log(`Demo: ${await store.reseal()} stored secrets sealed again under the first key of DEMO_DATA_KEYS.`);
  process.exit(0);
}
const log = { secrets: [], disconnects: [], redirects: [] };
const record = (list, entry) => { log[list].push(entry); if (log[list].length > 200) log[list].shift(); };
const signIn = kommo({
  store, clientId: CLIENT_ID, clientSecret: args['client-secret'], record,
  provider: { baseUrl: args['real-provider'] ? undefined : SANDBOX, timeoutMs },
});
const leadexecRoute = leadexec({ store, service: SANDBOX, appId: args['le-app-id'], timeoutMs });
const serveStatic = staticFiles(root);

/**
 * The session cookie's name: under https, `__Host-sid` (the browser then takes it only
 * Secure, for this host alone and for every path: a sibling subdomain cannot plant one).
 */
const secureRequest = (req) => PUBLIC?.protocol === 'https:' && req.headers.host === PUBLIC.host;
const cookieName = (req) => (secureRequest(req) ? '__Host-sid' : 'sid');

function setSessionCookie(req, res, id) {
  const secure = secureRequest(req) ? '; Secure' : '';
  res.setHeader('set-cookie', id
    ? `${cookieName(req)}=${id}; Path=/; HttpOnly; SameSite=Lax${secure}`
    : `${cookieName(req)}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure}`);
}

/** The request's session; a new one only when `create` (the pages). */
async function session(req, res, create) {
  const name = cookieName(req).replace('-', '\\-');
  const sid = new RegExp(`(?:^|;\\s*)${name}=([a-f0-9]{32})(?:;|$)`).exec(req.headers.cookie || '')?.[1];
  const known = sid && await store.session(sid);
  if (known) return known;
  if (!create) return { id: null, state: null };
  const fresh = await store.createSession();
  setSessionCookie(req, res, fresh.id);
  return fresh;
}

async function page(file, vars) {
  const html = await readFile(join(root, 'www', file), 'utf8');
  return html.replace(/\{\{(\w+)\}\}/g, (_, k) => escapeHtml(vars[k] ?? ''));
}

/** Loopback names, and --public-origin's host. */
function allowedHost(host = '') {
  if (PUBLIC && host.toLowerCase() === PUBLIC.host) return true;
  const name = (host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]).toLowerCase();
  return ['localhost', '127.0.0.1', '[::1]'].includes(name) || name.endsWith('.localhost');
}

const html = (res, status, body, headers) => send(res, status, TYPES['.html'], body, { coop: args.coop, headers });

async function handle(req, res, origin) {
  const url = new URL(req.url, origin);
  // A browser's POST carries Origin; only this site's pages may change state. The secrets
  // webhook comes from the provider's server (no Origin) and is checked by its state.
  if (req.method === 'POST' && req.headers.origin !== undefined && req.headers.origin !== origin) {
    return json(res, 403, { error: 'cross-site request refused' });
  }
  if (req.method === 'POST' && url.pathname === '/api/secrets') return signIn.secretsWebhook(req, res);
  const isPage = req.method === 'GET' && ['/', '/gallery', '/callback'].includes(url.pathname);
  // The session only for the pages and the API: static files (the drop-in, the wasm, CSS)
  // cost no database read or write.
  const s = isPage || url.pathname.startsWith('/api/') ? await session(req, res, isPage) : undefined;
  const redirectUri = `${origin}/callback`;
  const vars = () => ({ SANDBOX, SANDBOX_HOST: new URL(SANDBOX).host, LE_BUTTON: 'demo-button', CLIENT_ID, ORIGIN: origin, STATE: s?.state });
  const sameSite = req.headers.origin === origin;
  switch (`${req.method} ${url.pathname}`) {
    case 'GET /':
      return html(res, 200, await page('index.html', vars()));
    case 'GET /gallery':
      return html(res, 200, await page('gallery.html', vars()));
    case 'GET /callback': {
      const q = Object.fromEntries(url.searchParams);
      record('redirects', { at: Date.now(), query: q });
      const r = await signIn.callback(s, q, redirectUri);
      // Signed in: the session continues under a new id (the old one is gone).
      if (r.session) setSessionCookie(req, res, r.session.id);
      return html(res, r.status, await page('callback.html', { ...vars(), STATUS: r.text }), { 'referrer-policy': 'no-referrer' });
    }
    case 'POST /api/signout':
      if (!sameSite) return json(res, 403, { error: 'send this from the site\'s own pages' });
      // Ended on the server: the id (and the tokens it held) no longer exists anywhere.
      if (s.id) await store.endSession(s.id);
      setSessionCookie(req, res, null);
      return json(res, 200, { signedOut: true });
    case 'GET /api/status':
      return json(res, 200, { connected: Boolean(s.id && await store.tokens(s.id)) });
    case 'GET /api/account': {
      if (!s.id) return json(res, 401, { error: 'not connected' });
      const r = await signIn.account(s, redirectUri);
      return json(res, r.status, r.body);
    }
    case 'POST /api/refresh': {
      if (!sameSite) return json(res, 403, { error: 'send this from the site\'s own pages' });
      if (!s.id) return json(res, 401, { error: 'not connected' });
      const r = await signIn.refresh(s, redirectUri);
      return json(res, r.status, r.body);
    }
    case 'POST /api/leadexec/session':
    case 'POST /api/leadexec/refresh':
    case 'POST /api/leadexec/disconnect':
      if (!sameSite) return json(res, 403, { error: 'send this from the site\'s own pages' });
      if (!s.id) return json(res, 401, { valid: false, errorMessage: 'no session: load a page of this site first' });
      return leadexecRoute(url.pathname.split('/').pop(), s.id, req, res);
    case 'GET /api/disconnect': {
      const q = { account_id: url.searchParams.get('account_id'), client_id: url.searchParams.get('client_id') };
      if (!/^\d{1,20}$/.test(q.account_id ?? '') || !/^[\w-]{1,128}$/.test(q.client_id ?? '')) return json(res, 400, { error: 'account_id and client_id expected' });
      record('disconnects', { at: Date.now(), ...q });
      // Unsigned, so only a hint: tokens go only once the provider refuses them (kommo.mjs).
      const removed = await signIn.disconnected(q);
      return json(res, 200, { ok: true, removed });
    }
    case 'GET /api/log':
      if (args['test-log']) return json(res, 200, log);
      break;
  }
  return serveStatic(res, url.pathname);
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
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => { server.close(); store.close(); process.exit(0); });
}
server.listen(Number(args.port), args.host, async () => {
  const origin = PUBLIC?.origin ?? `http://localhost:${server.address().port}`;
  // Register (or re-register) this site's integration with the sandbox, with its real port.
  // Against the real provider the integration is configured in the account's settings.
  if (!args['real-provider']) {
    const r = await fetch(`${SANDBOX}/sandbox/api/integrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
      body: JSON.stringify({
        client_id: CLIENT_ID, client_secret: args['client-secret'], redirect_uri: `${origin}/callback`,
        name: 'Demo Integration', description: 'The demo integrator site of this repository. It reads your account name.',
        logo: null, scopes: ['crm', 'notifications'], disconnect_uri: `${origin}/api/disconnect`,
      }),
    }).then(async (res) => ({ status: res.status, body: await res.text() })).catch((e) => ({ status: 0, body: String(e) }));
    if (r.status !== 201) console.error(`demo: could not register the integration with the sandbox at ${SANDBOX}: ${r.body}`);
  }
  console.log(`Demo integrator site: ${origin}/${PUBLIC ? ` (listening on ${args.host} port ${server.address().port})` : ''}`);
});
