// The Kommo sign-in on the server: the Redirect URI's code exchange, the account, token
// refreshes and the metadata button's secrets webhook, through kommo-oauth-button/server
// (a copy of this back end imports it from the package). The code is exchanged at the
// account domain the Redirect URI names in `referer`, once the helper has checked it is one
// (with `baseUrl`, every account domain is the sandbox). A provider that is down, hangs or
// answers garbage gets a clear page and stores nothing.
import { exchangeCode, refreshTokens, account as fetchAccount } from '../../js/server.js';
import { json, readJson, sameText } from './http.mjs';

/**
 * `store`: see store.mjs (its methods are awaited: SQLite answers at once, Postgres
 * later). `clientId`/`clientSecret`: this site's integration. `provider`:
 * `{baseUrl?, timeoutMs?}` for the helper. `record(list, entry)`: the test log.
 */
export function kommo({ store, clientId, clientSecret, provider, record }) {
  // One refresh at a time per session: the provider rotates refresh tokens and treats a
  // retired one presented again as stolen (it revokes the family), so overlapping refreshes
  // share one request: in this process through this map, across the instances sharing the
  // store through its lock (refreshShared). The helper's timeout settles every entry.
  const refreshing = new Map();

  /** This site's secret, or the one the session's metadata button created. Never sent to a browser. */
  async function secretFor(sid, id) {
    if (id === clientId) return clientSecret;
    const created = await store.createdClient(sid);
    return created?.clientId === id ? created.clientSecret : undefined;
  }

  /**
   * The Redirect URI: `{status, text, session?}` for the page. Every parameter is checked
   * first; then the state must be this session's and the referer an account domain. The
   * code is claimed in the store before it is exchanged, so a Redirect URI loaded several
   * times at once (a double navigation, a prefetch, a proxy retrying a GET), in one process
   * or several sharing the database, sends it to the provider once: the repeats wait for
   * that result. A sign-in moves the session to a new id (`session`: the cookie to set), so
   * an id planted or learned before sign-in reads nothing after it.
   */
  async function callback(s, q, redirectUri) {
    const bad = redirectParameterProblem(q);
    if (bad) return { status: 400, text: bad };
    if (q.error) return { status: 200, text: `The account admin declined (${q.error}).` };
    if (!q.code) return { status: 400, text: 'No authorization code in the URL.' };
    // Not the state this session was given: someone else's code (login CSRF). Refused.
    if (!sameText(q.state, s.state)) return { status: 400, text: 'Refused: the state does not match this session, so the code was not exchanged.' };
    const connected = { status: 200, text: 'Connected: the code was exchanged for tokens on the server.' };
    const claim = await store.claimCode(q.code, s.id);
    if (claim === 'other') return { status: 400, text: 'Refused: this code was already used.' };
    if (claim === 'done') return connected;
    if (claim === 'pending') {
      // The first request renews the session: this one, from the same browser, gets the new
      // id too (its own response may be the one that arrives).
      const done = await firstExchange(q.code);
      return done ? { ...connected, session: { id: done.sid } } : { status: 502, text: 'Code exchange failed: the first request for this code did not finish it; sign in again.' };
    }
    const secret = await secretFor(s.id, q.client_id);
    if (!secret) {
      await store.releaseCode(q.code);
      return { status: 400, text: `Code exchange failed: no client secret known for ${q.client_id}` };
    }
    try {
      const tokens = await exchangeCode({ referer: q.referer, code: q.code, clientId: q.client_id, clientSecret: secret, redirectUri, ...provider });
      await store.completeExchange(s.id, q.code, q.client_id, tokens);
      return { ...connected, session: await store.renewSession(s.id) };
    } catch (e) {
      await store.releaseCode(q.code);
      return { status: statusFor(e), text: explain(e, 'Code exchange failed') };
    }
  }

  /** Waits for the request that claimed `code` to finish (`{sid, done}`) or give up (false). */
  async function firstExchange(code) {
    const deadline = Date.now() + (provider.timeoutMs ?? 10_000) + 2_000;
    while (Date.now() < deadline) {
      const at = await store.codeState(code);
      if (!at) return false;
      if (at.done) return at;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return false;
  }

  function refreshOnce(s, redirectUri) {
    let pending = refreshing.get(s.id);
    if (!pending) {
      pending = refreshShared(s, redirectUri).finally(() => refreshing.delete(s.id));
      refreshing.set(s.id, pending);
    }
    return pending;
  }

  /**
   * One refresh per session across every instance sharing the store: the holder of the
   * store's lock calls the provider and stores the new pair; another instance waits for the
   * lock to go and returns the pair the holder stored.
   */
  async function refreshShared(s, redirectUri) {
    const timeoutMs = provider.timeoutMs ?? 10_000;
    // Held well past the provider's timeout and the database's own wait (5 s), so it cannot
    // lapse while its holder still works; the owner token makes release the holder's alone.
    const holdMs = timeoutMs + 30_000;
    const before = await store.tokens(s.id);
    let owner = await store.lockRefresh(s.id, holdMs);
    if (!owner) {
      const deadline = Date.now() + holdMs;
      while (await store.refreshLocked(s.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const after = await store.tokens(s.id);
      if (after && after.refreshToken !== before?.refreshToken) return { ...after, expiresIn: Math.round((after.expiresAt - Date.now()) / 1000) };
      owner = await store.lockRefresh(s.id, holdMs);
      if (!owner) throw new Error('another instance holds the refresh lock');
    }
    try {
      const t = await store.tokens(s.id);
      const fresh = await refreshTokens({ referer: t.referer, refreshToken: t.refreshToken, clientId: t.clientId, clientSecret: (await secretFor(s.id, t.clientId)) ?? '', redirectUri, ...provider });
      await store.saveTokens(s.id, t.clientId, fresh);
      return fresh;
    } finally {
      await store.unlockRefresh(s.id, owner);
    }
  }

  /** `POST /api/refresh`: a new token set; on any failure the stored one is left as it was. */
  async function refresh(s, redirectUri) {
    if (!await store.tokens(s.id)) return { status: 401, body: { error: 'not connected' } };
    try {
      const fresh = await refreshOnce(s, redirectUri);
      return { status: 200, body: { refreshed: true, expires_in: fresh.expiresIn } };
    } catch (e) {
      return { status: statusFor(e), body: { error: explain(e, 'Refresh refused'), retryable: Boolean(e.retryable) } };
    }
  }

  /** `GET /api/account`: the account, refreshing first when the access token is (nearly) expired. */
  async function account(s, redirectUri) {
    let t = await store.tokens(s.id);
    if (!t) return { status: 401, body: { error: 'not connected' } };
    try {
      if (t.expiresAt <= Date.now() + 60_000) {
        await refreshOnce(s, redirectUri);
        t = await store.tokens(s.id);
      }
      return { status: 200, body: await fetchAccount({ referer: t.referer, accessToken: t.accessToken, ...provider }) };
    } catch (e) {
      return { status: statusFor(e), body: { error: explain(e, 'The account could not be read'), retryable: Boolean(e.retryable) } };
    }
  }

  /**
   * The metadata button's secrets webhook: with a state one of our sessions holds (found by
   * its index), once per session, never for this site's own client id. The secret is kept on
   * that session and used only for its own exchange and refreshes, so a planted client cannot
   * sign anyone else in.
   */
  async function secretsWebhook(req, res) {
    const body = await readJson(req);
    const field = (v) => typeof v === 'string' && v.length > 0 && v.length <= 256;
    if (!body || !field(body.client_id) || !field(body.client_secret)) return json(res, 415, { error: 'send JSON with client_id and client_secret (at most 256 characters each)' });
    const holder = await store.sessionByState(body.state);
    const own = body.client_id === clientId;
    const accepted = Boolean(holder) && !own && await store.saveCreatedClient(holder.id, body.client_id, body.client_secret);
    record('secrets', { at: Date.now(), client_id: body.client_id, state: body.state, accepted });
    if (own) return json(res, 409, { error: 'this client_id is already known' });
    if (!holder) return json(res, 403, { error: 'unknown state' });
    if (!accepted) return json(res, 403, { error: 'this session already received its secret' });
    return json(res, 200, { ok: true });
  }

  /**
   * The disconnect hook: a GET with `account_id` and `client_id` and nothing to authenticate
   * it by (the provider documents no signature), so anyone can call it. It is taken as a hint:
   * each session holding a still-valid access token of that client (at most `limit`, newest
   * first) is checked with the provider, and only a token set the provider now refuses (401)
   * is removed. An expired access token proves nothing (it is refreshed on its next use,
   * which fails if the integration is really gone), so it is never checked; one check per
   * client runs at a time, so a flood of forged calls costs the provider little.
   */
  const checking = new Set();
  async function disconnected(q, limit = 100) {
    if (checking.has(q.client_id)) return 0;
    checking.add(q.client_id);
    let removed = 0;
    try {
      for (const sid of await store.sessionsWithClient(q.client_id, limit)) {
        const t = await store.tokens(sid);
        if (!t || t.expiresAt <= Date.now()) continue;
        try {
          await fetchAccount({ referer: t.referer, accessToken: t.accessToken, ...provider });
        } catch (e) {
          if (e.code === 'provider_error' && e.status === 401) {
            await store.forgetTokens(sid, t.accessToken);
            removed += 1;
          }
        }
      }
    } finally {
      checking.delete(q.client_id);
    }
    return removed;
  }

  return { callback, refresh, account, secretsWebhook, disconnected };
}

/**
 * The HTTP status for a helper error: the referer or the request was wrong (400), the
 * provider refused the token (401: sign in again), the provider failed (502, 504).
 */
/** What is wrong with the Redirect URI's parameters, or `undefined`: each is checked before any is used. */
export function redirectParameterProblem(q) {
  for (const name of ['code', 'state', 'referer', 'client_id', 'error', 'from_widget']) {
    const value = q[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length === 0 || value.length > 2048 || /[\u0000-\u001f\u007f]/.test(value)) {
      return `The Redirect URI's ${name} is not a valid value.`;
    }
  }
  if (q.error !== undefined) return undefined;
  const missing = ['code', 'state', 'referer', 'client_id'].filter((name) => q[name] === undefined);
  return missing.length ? `The Redirect URI lacks ${missing.join(', ')}: open it from the sign-in popup.` : undefined;
}

function statusFor(e) {
  switch (e?.code) {
    case 'invalid_referer': return 400;
    case 'timeout': return 504;
    case 'network': case 'malformed_response': return 502;
    case 'provider_error': return e.status >= 500 || e.retryable ? 502 : e.status === 401 ? 401 : 400;
    default: return 500;
  }
}

/** One sentence for the visitor: what happened, and that nothing was stored. */
function explain(e, failed) {
  const again = 'Nothing was stored: try again in a moment.';
  switch (e?.code) {
    case 'invalid_referer': return `Refused: ${e.message}. The code was not sent anywhere.`;
    case 'timeout': return `The provider did not answer in time. ${again}`;
    case 'network': return `The provider could not be reached. ${again}`;
    case 'malformed_response': return `The provider's answer was not what it documents (${e.message}). ${again}`;
    case 'provider_error':
      if (e.status >= 500) return `The provider failed (HTTP ${e.status}). ${again}`;
      if (e.retryable) return `The provider asked to try again later (HTTP ${e.status}). ${again}`;
      return `${failed}: ${e.hint || e.message}`;
    default: return `${failed}: ${e?.message || e}`;
  }
}
