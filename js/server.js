// kommo-oauth-button/server: the integrator's back end half of a sign-in, for Node 18+ (or any
// runtime with fetch and AbortSignal.timeout). No browser, no dependencies.
//
// The Redirect URI receives `code`, `state`, `referer` and `client_id`. The code is exchanged
// at the account's own domain, `https://{referer}/oauth2/access_token` (the provider's
// step-by-step), so the referer decides where the client secret is sent: it is checked
// against the provider's account domains before any request. Every call has a timeout, and a
// provider answer is used only when it has every field the documentation promises; anything
// else is a KommoServerError with a code to branch on, never a half-filled token set.

/** The provider's account domains: a referer must be a subdomain of one of them. */
export const ACCOUNT_DOMAINS = Object.freeze(['kommo.com', 'amocrm.ru', 'amocrm.com']);

/** How long a provider call may take, in milliseconds, unless `timeoutMs` says otherwise. */
export const DEFAULT_TIMEOUT_MS = 10_000;

// A provider's answer larger than this is not a token response.
const MAX_RESPONSE = 64 * 1024;

/**
 * Why a call failed. `code` is one of:
 * - `invalid_referer`: the referer is not an account domain (nothing was sent anywhere);
 * - `timeout`, `network`: the provider did not answer in time, or could not be reached;
 * - `provider_error`: it answered with an error status (`status`, `error`, `hint`);
 * - `malformed_response`: it answered 2xx with something that is not what it documents.
 * `retryable` says whether the same call may succeed later (timeouts, network faults, 5xx,
 * an answer that was not JSON, such as a maintenance page: the provider keeps a refresh
 * token working until its successor is used, so retrying is safe); a refused code or refresh
 * token (`invalid_grant`) needs the user's consent again.
 */
export class KommoServerError extends Error {
  constructor(code, message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'KommoServerError';
    this.code = code;
    this.status = details.status;
    this.error = details.error;
    this.hint = details.hint;
    this.retryable = code === 'timeout' || code === 'network' || code === 'malformed_response' || (code === 'provider_error' && details.status >= 500);
  }
}

/**
 * The origin to call for an account, from the Redirect URI's `referer`: `https://{referer}`
 * when it is a subdomain of an account domain, or `baseUrl` (a sandbox) once it is.
 * Throws `invalid_referer` otherwise.
 */
export function accountOrigin(referer, { baseUrl, domains = ACCOUNT_DOMAINS } = {}) {
  const host = accountHost(referer, domains);
  if (baseUrl !== undefined) return new URL(baseUrl).origin;
  return `https://${host}`;
}

function accountHost(referer, domains) {
  const refuse = (why) => {
    throw new KommoServerError('invalid_referer', `referer ${JSON.stringify(String(referer))} ${why}; expected a subdomain of ${domains.join(', ')}`);
  };
  if (typeof referer !== 'string' || referer.length === 0 || referer.length > 253) refuse('is not a host name');
  const host = referer.toLowerCase();
  // One host name: labels of letters, digits and inner hyphens. No port, user, path or dot at the end.
  const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
  if (!host.split('.').every((part) => label.test(part))) refuse('is not a host name');
  if (!domains.some((d) => host.endsWith(`.${d.toLowerCase()}`))) refuse('is not an account domain');
  return host;
}

function requireString(name, value) {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`kommo-oauth-button/server: ${name} must be a non-empty string`);
}

/** POSTs JSON (the provider's documented format) or GETs, with a timeout; the parsed JSON body. */
async function call(url, { method = 'GET', body, headers = {}, timeoutMs = DEFAULT_TIMEOUT_MS, fetch: fetchImpl = globalThis.fetch }) {
  let response;
  let text;
  try {
    response = await fetchImpl(url, {
      method,
      headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (e) {
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
      throw new KommoServerError('timeout', `${method} ${url} did not answer within ${timeoutMs} ms`, { cause: e });
    }
    throw new KommoServerError('network', `${method} ${url} failed: ${e?.cause?.code || e?.message || e}`, { cause: e });
  }
  let json;
  try {
    json = text.length <= MAX_RESPONSE ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const fields = json && typeof json === 'object' ? json : {};
    const error = typeof fields.error === 'string' ? fields.error : undefined;
    const hint = [fields.hint, fields.error_description, fields.detail, fields.title].find((v) => typeof v === 'string');
    throw new KommoServerError('provider_error', `${method} ${url} answered ${response.status}${hint ? `: ${hint}` : ''}`, { status: response.status, error, hint });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new KommoServerError('malformed_response', `${method} ${url} answered ${response.status} without a JSON object (${(response.headers.get('content-type') || 'no content type').split(';')[0]})`, { status: response.status });
  }
  return json;
}

/** A token response checked field by field; `referer` is kept for the refreshes. */
function tokenSet(body, referer, now = Date.now()) {
  const bad = (field) => {
    throw new KommoServerError('malformed_response', `the token response has no valid ${field}`, { status: 200 });
  };
  const { token_type: type, access_token: access, refresh_token: refresh, expires_in: expiresIn } = body;
  if (typeof type !== 'string' || type.toLowerCase() !== 'bearer') bad('token_type (Bearer)');
  if (typeof access !== 'string' || access.length === 0) bad('access_token');
  if (typeof refresh !== 'string' || refresh.length === 0) bad('refresh_token');
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) bad('expires_in');
  return { tokenType: 'Bearer', accessToken: access, refreshToken: refresh, expiresIn, expiresAt: now + expiresIn * 1000, referer: referer.toLowerCase() };
}

/** A token request at the account's domain: the grant's parameters, validated answer. */
async function tokenRequest(referer, grant, { clientId, clientSecret, redirectUri, ...options }) {
  const origin = accountOrigin(referer, options);
  for (const [name, value] of Object.entries({ ...grant.required, clientId, clientSecret, redirectUri })) requireString(name, value);
  const body = await call(`${origin}/oauth2/access_token`, {
    ...options,
    method: 'POST',
    body: { client_id: clientId, client_secret: clientSecret, redirect_uri: redirectUri, ...grant.body },
  });
  return tokenSet(body, referer);
}

/**
 * Exchanges the Redirect URI's code for a token set at the account's domain (after checking
 * `referer`). `redirectUri` is the integration's Redirect URI, exactly as registered.
 */
export function exchangeCode({ referer, code, ...rest }) {
  return tokenRequest(referer, { required: { code }, body: { grant_type: 'authorization_code', code } }, rest);
}

/**
 * A new token set for a stored one. The provider rotates refresh tokens: store the result
 * before anything else, and never run two refreshes of one token set at once.
 */
export function refreshTokens({ referer, refreshToken, ...rest }) {
  return tokenRequest(referer, { required: { refreshToken }, body: { grant_type: 'refresh_token', refresh_token: refreshToken } }, rest);
}

/** The account the access token grants (`GET /api/v4/account`): `{id, name, subdomain, ...}`. */
export async function account({ referer, accessToken, ...options }) {
  const origin = accountOrigin(referer, options);
  requireString('accessToken', accessToken);
  const body = await call(`${origin}/api/v4/account`, { ...options, headers: { authorization: `Bearer ${accessToken}` } });
  if (!Number.isSafeInteger(body.id) || typeof body.name !== 'string' || typeof body.subdomain !== 'string') {
    throw new KommoServerError('malformed_response', 'the account response has no id, name or subdomain', { status: 200 });
  }
  return body;
}
