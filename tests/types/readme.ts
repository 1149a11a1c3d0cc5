// The README's and the package README's TypeScript, compiled with `tsc --strict` in
// `npm test` (tests/api/package.test.mjs) against the built package's declarations.
import init, { mount, SignInFailure, type ButtonOptions, type SignInError, type SignInResult } from '../../pkg/index.js';
import initCallback, { completeSignIn, type CompletedSignIn } from '../../pkg/callback/index.js';
import { exchangeCode, refreshTokens, account, KommoServerError, type TokenSet } from '../../pkg/server/index.js';
import { createElement, type ReactElement } from 'react';
import { KommoButton, useKommoSignIn } from '../../pkg/react/index.js';
import { h, type VNode } from 'vue';
import { KommoButton as VueKommoButton } from '../../pkg/vue/index.js';

export async function readmeExample(): Promise<void> {
  await init();
  const options: ButtonOptions = {
    clientId: 'xxxx',
    mode: 'post_message',
    theme: 'dark',
    locale: 'pt-BR',
    onError: (e: SignInError) => console.warn(e.error, e.error_description),
  };
  const handle = mount(document.getElementById('signin')!, options);
  handle.element?.addEventListener('kommo-oauth:success', (e) => console.log(e.detail.code, e.detail.url));
  handle.element?.addEventListener('kommo-oauth:error', (e) => console.log(e.detail.error));
  document.addEventListener('kommo-oauth:success', (e) => console.log(e.detail.referer));
  const result: SignInResult = await handle.signIn().catch((e: unknown) => {
    if (e instanceof SignInFailure) console.warn(e.code, e.client_id, e.message);
    throw e;
  });
  console.log(result.state);
  handle.destroy();
}

export async function callbackPage(): Promise<void> {
  await initCallback();
  const done: CompletedSignIn = completeSignIn();
  console.log(done.verified, done.code);
  window.addEventListener('kommo-oauth:callback', (e) => console.log(e.detail.verified));
}

import initLeadExec, { setOrigin, refresh, disconnect, type TokenResponse, type AuthorizeResult } from '../../pkg/leadexec/index.js';

export async function leadexecExample(result: AuthorizeResult): Promise<void> {
  await initLeadExec();
  setOrigin('https://apps.leadexec.net');
  if (result.valid && result.refreshToken && result.appId) {
    const fresh: TokenResponse = await refresh(result.refreshToken, result.appId);
    console.log(fresh.authToken, fresh.expireDate);
    const gone: TokenResponse = await disconnect(result.refreshToken);
    console.log(gone.valid, gone.errorMessage);
  }
}

// The package README's server example (kommo-oauth-button/server).
declare const db: { save(user: string, tokens: TokenSet): Promise<void> };
export async function serverExample(query: Record<string, string>, userId: string): Promise<void> {
  const CLIENT_ID = 'id';
  const CLIENT_SECRET = 'secret';
  try {
    const tokens = await exchangeCode({
      referer: query.referer, code: query.code, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
      redirectUri: 'https://app.example/callback',
    });
    await db.save(userId, tokens);
    const me = await account({ referer: tokens.referer, accessToken: tokens.accessToken });
    console.log(me.name);
    const fresh = await refreshTokens({ referer: tokens.referer, refreshToken: tokens.refreshToken,
      clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: 'https://app.example/callback', timeoutMs: 5_000 });
    await db.save(userId, fresh);
  } catch (e) {
    if (e instanceof KommoServerError) console.warn(e.code, e.retryable, e.message);
    else throw e;
  }
}

// The package README's components (kommo-oauth-button/react and /vue).
export function ReactApp(): ReactElement {
  const { signIn, ready } = useKommoSignIn({ clientId: 'YOUR_CLIENT_ID' });
  return createElement('div', null,
    createElement(KommoButton, { clientId: 'YOUR_CLIENT_ID', mode: 'post_message', onSuccess: (r) => console.log(r.code), onError: (e) => console.warn(e.error) }),
    createElement('button', { disabled: !ready, onClick: () => { signIn().then((r) => console.log(r.state)); } }, 'Sign in'));
}

export function vueRender(): VNode {
  return h(VueKommoButton, { clientId: 'YOUR_CLIENT_ID', theme: 'dark', onError: (e: { error: string }) => console.warn(e.error) });
}
