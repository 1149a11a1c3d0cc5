// The sandbox provider for the back-end suites: started from the built binary with the
// given integrations, and the consent form answered as an account admin would.
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer } from '../browser/harness.mjs';

const root = new URL('../..', import.meta.url).pathname;

/** Builds and starts a sandbox; `integrations` are `[clientId, secret, redirectUri, name]`. */
export async function startSandbox(integrations = []) {
  execSync('cargo build -p kommo-sandbox', { cwd: root, stdio: 'inherit' });
  const argv = ['--port', '0', ...integrations.flatMap((i) => ['--integration', i.join(',')])];
  return startServer(join(root, 'target/debug/kommo-sandbox'), argv, /(http:\/\/127\.0\.0\.1:\d+)/);
}

/**
 * Allows `clientId` on the consent form (post_message mode) and returns the URL the
 * provider sends the popup to: the Redirect URI with `code`, `state`, `referer`, `client_id`.
 */
export async function allow(base, clientId, state = 'st', account = '31000001') {
  const q = new URLSearchParams({ state, mode: 'post_message', origin: 'https://integrator.example/page', client_id: clientId });
  const r = await fetch(`${base}/oauth/decide`, {
    method: 'POST', redirect: 'manual', headers: { origin: base },
    body: new URLSearchParams({ q: q.toString(), decision: 'allow', account_id: account }),
  });
  assert.equal(r.status, 303, 'the consent form redirects to the Redirect URI');
  return new URL(r.headers.get('location'));
}
