// LeadExec from the server (the section "Sign in with LeadExec"): the page hands over the
// refresh token AuthorizeResult got (once per sign-in), the session keeps it and the access
// token, and refreshes or disconnects with LeadExec's documented GETs, each with a timeout.
// The browser gets validity and expiry, not the tokens.
import { json, readJson } from './http.mjs';

const TOKEN = /^[\w.~-]{1,512}$/;

/** `service`: LeadExec's origin; `appId`: this site's application; `timeoutMs` per call. */
export function leadexec({ store, service, appId, timeoutMs = 10_000 }) {
  /** A documented GET: its JSON, or `{valid: false, errorMessage}` when it failed or hung. */
  async function call(path) {
    try {
      const r = await fetch(`${service}${path}`, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
      const body = await r.json().catch(() => null);
      return body && typeof body === 'object' ? body : { valid: false, errorMessage: `HTTP ${r.status}`, fault: true };
    } catch (e) {
      return { valid: false, errorMessage: e?.name === 'TimeoutError' ? 'LeadExec did not answer in time' : 'LeadExec could not be reached', fault: true };
    }
  }

  async function refresh(res, sid, grant) {
    const body = await call(`/authorize/refreshaccesstoken/${encodeURIComponent(grant.refreshToken)}?appid=${encodeURIComponent(grant.appId)}`);
    if (body.valid === true && typeof body.authToken === 'string') {
      await store.saveLeadexec(sid, { ...grant, authToken: body.authToken, expireDate: typeof body.expireDate === 'string' ? body.expireDate : null });
    } else if (!body.fault) {
      // LeadExec refused the token: the grant is gone. A fault keeps it for the next try.
      await store.deleteLeadexec(sid);
    }
    return json(res, body.fault ? 502 : 200, { valid: body.valid === true, expireDate: body.expireDate, errorMessage: body.errorMessage });
  }

  /** `POST /api/leadexec/{session,refresh,disconnect}` for the session `sid`. */
  return async function route(action, sid, req, res) {
    if (action === 'session') {
      const body = await readJson(req);
      if (!body || !TOKEN.test(body.refreshToken ?? '') || typeof body.appId !== 'string') return json(res, 415, { error: 'send JSON with refreshToken and appId' });
      // This site is one application: a token for another is not ours to keep.
      if (body.appId !== appId) return json(res, 400, { valid: false, errorMessage: 'not this site\'s application' });
      return refresh(res, sid, { refreshToken: body.refreshToken, appId: body.appId });
    }
    const grant = await store.leadexec(sid);
    if (!grant) return json(res, 401, { valid: false, errorMessage: 'not signed in with LeadExec' });
    if (action === 'refresh') return refresh(res, sid, { refreshToken: grant.refreshToken, appId: grant.appId });
    const body = await call(`/authorize/disconnectapplicationtoken/${encodeURIComponent(grant.refreshToken)}`);
    await store.deleteLeadexec(sid);
    return json(res, 200, { valid: Boolean(body.valid), errorMessage: body.errorMessage });
  };
}
