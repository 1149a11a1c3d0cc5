// The Kommo sign-in on the server: the Redirect URI's code exchange, the account, token
// refreshes and the metadata button's secrets webhook, through kommo-oauth-button/server
// (a copy of this back end imports it from the package). The code is exchanged at the
// account domain the Redirect URI names in `referer`, once the helper has checked it is one
// (with `baseUrl`, every account domain is the sandbox). A provider that is down, hangs or
// answers garbage gets a clear page and stores nothing.
import { exchangeCode, refreshTokens, account as fetchAccount } from '../../js/server.js';
import { json, readJson, sameText } from './http.mjs';

/**
 * `store`: see store.mjs. `clientId`/`clientSecret`: this site's integration. `provider`:
 * `{baseUrl?, timeoutMs?}` for the helper. `record(list, entry)`: the test log.
 */
export function kommo({ store, clientId, clientSecret, provider, record }) {
  // One refresh at a time per session: the provider rotates refresh tokens and treats a
  // retired one presented again as stolen (it revokes the family), so overlapping refreshes
  // share one request. The helper's timeout settles every entry. With several instances,
  // this lock moves into the shared database (store.mjs).
  const refreshing = new Map();

  /** This site's secret, or the one the session's metadata button created. Never sent to a browser. */
  function secretFor(sid, id) {
    if (id === clientId) return clientSecret;
    const created = store.createdClient(sid);
    return created?.clientId === id ? created.clientSecret : undefined;
  }

  /**
   * The Redirect URI: `{status, text}` for the page. Exchanges the code when the state is
   * this session's and the referer an account domain; stores the token set only whole.
   */
  async function callback(s, q, redirectUri) {
    if (q.error) return { status: 200, text: `The account admin declined (${q.error}).` };
    if (!q.code) return { status: 400, text: 'No authorization code in the URL.' };
    // Not the state this session was given: someone else's code (login CSRF). Refused.
    if (!sameText(q.state, s.state)) return { status: 400, text: 'Refused: the state does not match this session, so the code was not exchanged.' };
    const by = store.exchangedBy(q.code);
    if (by === s.id) return { status: 200, text: 'Connected: the code was exchanged for tokens on the server.' };
    if (by) return { status: 400, text: 'Refused: this code was already used.' };
    const secret = secretFor(s.id, q.client_id);
    if (!secret) return { status: 400, text: `Code exchange failed: no client secret known for ${q.client_id}` };
    try {
      const tokens = await exchangeCode({ referer: q.referer, code: q.code, clientId: q.client_id, clientSecret: secret, redirectUri, ...provider });
      store.completeExchange(s.id, q.code, q.client_id, tokens);
      return { status: 200, text: 'Connected: the code was exchanged for tokens on the server.' };
    } catch (e) {
      return { status: statusFor(e), text: explain(e, 'Code exchange failed') };
    }
  }

  function refreshOnce(s, redirectUri) {
    let pending = refreshing.get(s.id);
    if (!pending) {
      const t = store.tokens(s.id);
      pending = refreshTokens({ referer: t.referer, refreshToken: t.refreshToken, clientId: t.clientId, clientSecret: secretFor(s.id, t.clientId) ?? '', redirectUri, ...provider })
        .then((fresh) => {
          store.saveTokens(s.id, t.clientId, fresh);
          return fresh;
        })
        .finally(() => refreshing.delete(s.id));
      refreshing.set(s.id, pending);
    }
    return pending;
  }

  /** `POST /api/refresh`: a new token set; on any failure the stored one is left as it was. */
  async function refresh(s, redirectUri) {
    if (!store.tokens(s.id)) return { status: 401, body: { error: 'not connected' } };
    try {
      const fresh = await refreshOnce(s, redirectUri);
      return { status: 200, body: { refreshed: true, expires_in: fresh.expiresIn } };
    } catch (e) {
      return { status: statusFor(e), body: { error: explain(e, 'Refresh refused'), retryable: Boolean(e.retryable) } };
    }
  }

  /** `GET /api/account`: the account, refreshing first when the access token is (nearly) expired. */
  async function account(s, redirectUri) {
    let t = store.tokens(s.id);
    if (!t) return { status: 401, body: { error: 'not connected' } };
    try {
      if (t.expiresAt <= Date.now() + 60_000) {
        await refreshOnce(s, redirectUri);
        t = store.tokens(s.id);
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
    const holder = store.sessionByState(body.state);
    const own = body.client_id === clientId;
    const accepted = Boolean(holder) && !own && store.saveCreatedClient(holder.id, body.client_id, body.client_secret);
    record('secrets', { at: Date.now(), client_id: body.client_id, state: body.state, accepted });
    if (own) return json(res, 409, { error: 'this client_id is already known' });
    if (!holder) return json(res, 403, { error: 'unknown state' });
    if (!accepted) return json(res, 403, { error: 'this session already received its secret' });
    return json(res, 200, { ok: true });
  }

  return { callback, refresh, account, secretsWebhook };
}

/**
 * The HTTP status for a helper error: the referer or the request was wrong (400), the
 * provider refused the token (401: sign in again), the provider failed (502, 504).
 */
function statusFor(e) {
  switch (e?.code) {
    case 'invalid_referer': return 400;
    case 'timeout': return 504;
    case 'network': case 'malformed_response': return 502;
    case 'provider_error': return e.status >= 500 ? 502 : e.status === 401 ? 401 : 400;
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
    case 'provider_error': return e.status >= 500 ? `The provider failed (HTTP ${e.status}). ${again}` : `${failed}: ${e.hint || e.message}`;
    default: return `${failed}: ${e?.message || e}`;
  }
}
