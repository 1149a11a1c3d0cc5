// kommo-oauth-button/server: the back end half of a sign-in (Node 18+, no browser).

/** The provider's account domains: a referer must be a subdomain of one of them. */
export declare const ACCOUNT_DOMAINS: readonly string[];
/** How long a provider call may take, in milliseconds, unless `timeoutMs` says otherwise. */
export declare const DEFAULT_TIMEOUT_MS: number;

export type KommoServerErrorCode = 'invalid_referer' | 'timeout' | 'network' | 'provider_error' | 'malformed_response';

/** Why a call failed; nothing was stored or returned. */
export declare class KommoServerError extends Error {
  readonly name: 'KommoServerError';
  readonly code: KommoServerErrorCode;
  /** The provider's HTTP status, when it answered. */
  readonly status?: number;
  /** The provider's `error` (RFC 6749 §5.2: `invalid_grant`, `invalid_client`, …), when it gave one. */
  readonly error?: string;
  /** The provider's explanation (`hint` or `error_description`), one line of at most 200 characters. */
  readonly hint?: string;
  /**
   * Whether the same call may succeed later: timeouts, network faults, 408, 429, 5xx and
   * malformed answers. Only a non-retryable error means asking the user to consent again.
   */
  readonly retryable: boolean;
  /** How long the provider asked to wait (`Retry-After`), in milliseconds, when it said. */
  readonly retryAfterMs?: number;
}

export interface CallOptions {
  /** Send every call here instead of `https://{referer}` (a sandbox); the referer is still checked. */
  baseUrl?: string;
  /** Milliseconds before a call fails with `timeout` (default 10,000; from 1 to 2^31 - 1, else a TypeError). */
  timeoutMs?: number;
  /** The account domains a referer may belong to (default ACCOUNT_DOMAINS). */
  domains?: readonly string[];
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
}

/** A validated token set, with the account domain it belongs to. */
export interface TokenSet {
  tokenType: 'Bearer';
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token lives, as the provider said. */
  expiresIn: number;
  /** When the access token expires, in milliseconds since the epoch. */
  expiresAt: number;
  /** The account domain (lower case): where this set is refreshed and used. */
  referer: string;
}

export interface Account {
  id: number;
  name: string;
  subdomain: string;
  [field: string]: unknown;
}

/** `https://{referer}` (or `baseUrl`) once `referer` is an account domain; throws `invalid_referer` otherwise. */
export declare function accountOrigin(referer: string, options?: Pick<CallOptions, 'baseUrl' | 'domains'>): string;

/** Exchanges the Redirect URI's `code` at the account's domain. */
export declare function exchangeCode(params: CallOptions & {
  referer: string;
  code: string;
  clientId: string;
  clientSecret: string;
  /** The integration's Redirect URI, exactly as registered. */
  redirectUri: string;
}): Promise<TokenSet>;

/** A new token set for a stored one: store it before anything else, one refresh at a time. */
export declare function refreshTokens(params: CallOptions & {
  referer: string;
  refreshToken: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}): Promise<TokenSet>;

/** `GET /api/v4/account` with the access token. */
export declare function account(params: CallOptions & { referer: string; accessToken: string }): Promise<Account>;
