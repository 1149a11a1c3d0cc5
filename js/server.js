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

// A provider's answer larger than this is not a token response: reading stops there.
const MAX_RESPONSE = 64 * 1024;
// The longest timeout a timer can hold (2^31 - 1 ms, about 24.8 days); a larger one fires at once.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
// The longest token lifetime accepted: five years (the provider's access tokens live a day).
const MAX_EXPIRES_IN = 5 * 366 * 24 * 3600;
// RFC 6750's b64token: what a bearer token may be made of (no spaces, CR, LF or quotes).
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
// Provider text copied into a message: at most this many characters, control characters out.
const MAX_PROVIDER_TEXT = 200;

/** Provider text as it may appear in a message or a log: one line, short. */
function clean(text) {
  if (typeof text !== 'string') return undefined;
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return line.length > MAX_PROVIDER_TEXT ? `${line.slice(0, MAX_PROVIDER_TEXT)}…` : line;
}

/** `Retry-After` (seconds, or an HTTP date) in milliseconds from now, or undefined. */
function retryAfterMs(value, now = Date.now()) {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The body as text, read no further than `limit` bytes: null past it (the rest is cancelled). */
async function readCapped(response, limit) {
  if (!response.body) return response.text();
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** Statuses that mean "try later", not "never": request timeout, too many requests, 5xx. */
const LATER = (status) => status === 408 || status === 429 || status >= 500;

/**
 * Why a call failed. `code` is one of:
 * - `invalid_referer`: the referer is not an account domain (nothing was sent anywhere);
 * - `timeout`, `network`: the provider did not answer in time, or could not be reached;
 * - `provider_error`: it answered with an error status (`status`, `error`, `hint`, and
 *   `retryAfterMs` when it sent `Retry-After`);
 * - `malformed_response`: it answered 2xx with something that is not what it documents
 *   (missing fields, a token with characters RFC 6750 does not allow, an unbounded lifetime,
 *   a body over 64 KB).
 * `retryable` says whether the same call may succeed later: timeouts, network faults, 408,
 * 429 and 5xx (wait `retryAfterMs` when given), an answer that was not JSON, such as a
 * maintenance page (the provider keeps a refresh token working until its successor is used,
 * so retrying is safe). A non-retryable error (a refused code or refresh token: the
 * provider's `invalid_request` with 400 or 401, `invalid_grant` elsewhere) needs the user's
 * consent again. Provider text in `message` and `hint` is
 * one line of at most 200 characters.
 */
export class KommoServerError extends Error {
  constructor(code, message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'KommoServerError';
    this.code = code;
    this.status = details.status;
    this.error = details.error;
    this.hint = details.hint;
    this.retryAfterMs = details.retryAfterMs;
    this.retryable = code === 'timeout' || code === 'network' || code === 'malformed_response' || (code === 'provider_error' && LATER(details.status));
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
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || timeoutMs > MAX_TIMEOUT_MS) {
    throw new TypeError(`kommo-oauth-button/server: timeoutMs must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`);
  }
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
    text = await readCapped(response, MAX_RESPONSE);
  } catch (e) {
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
      throw new KommoServerError('timeout', `${method} ${url} did not answer within ${timeoutMs} ms`, { cause: e });
    }
    throw new KommoServerError('network', `${method} ${url} failed: ${clean(String(e?.cause?.code || e?.message || e))}`, { cause: e });
  }
  let json;
  try {
    json = text === null ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const fields = json && typeof json === 'object' ? json : {};
    const error = clean(typeof fields.error === 'string' ? fields.error : undefined);
    const hint = clean([fields.hint, fields.error_description, fields.detail, fields.title].find((v) => typeof v === 'string'));
    const retryAfter = retryAfterMs(response.headers.get('retry-after'));
    throw new KommoServerError('provider_error', `${method} ${url} answered ${response.status}${hint ? `: ${hint}` : ''}`, { status: response.status, error, hint, retryAfterMs: retryAfter });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    const why = text === null ? `a body over ${MAX_RESPONSE} bytes` : `no JSON object (${clean((response.headers.get('content-type') || 'no content type').split(';')[0])})`;
    throw new KommoServerError('malformed_response', `${method} ${url} answered ${response.status} with ${why}`, { status: response.status });
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
  if (typeof access !== 'string' || !TOKEN.test(access) || access.length > MAX_RESPONSE) bad('access_token (RFC 6750 characters)');
  if (typeof refresh !== 'string' || !TOKEN.test(refresh) || refresh.length > MAX_RESPONSE) bad('refresh_token (RFC 6750 characters)');
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0 || expiresIn > MAX_EXPIRES_IN) bad(`expires_in (seconds, at most ${MAX_EXPIRES_IN})`);
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
