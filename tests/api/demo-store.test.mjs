// The demo back end's store (www/server/store.mjs) on its own: it survives a reopen, keeps
// signed-in sessions through floods of anonymous ones, finds a session by its state, stores
// an exchange whole or not at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../www/server/store.mjs';

const TOKENS = { tokenType: 'Bearer', accessToken: 'at', refreshToken: 'rt', expiresIn: 86400, expiresAt: 1, referer: 'acme.kommo.com' };

test('sessions, token sets and grants survive closing and reopening the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kommo-store-'));
  try {
    const file = join(dir, 'nested', 'demo.sqlite3');
    let store = openStore(file);
    const s = store.createSession();
    store.completeExchange(s.id, 'code-1', 'client', TOKENS);
    store.saveLeadexec(s.id, { appId: 'app', refreshToken: 'le_rt' });
    store.close();
    store = openStore(file);
    assert.deepEqual(store.session(s.id), { id: s.id, state: s.state });
    assert.deepEqual(store.counts(), { anonymous: 0, kept: 1 }, 'kept: it holds a token set');
    assert.deepEqual(store.tokens(s.id), { clientId: 'client', referer: 'acme.kommo.com', accessToken: 'at', refreshToken: 'rt', expiresAt: 1 });
    assert.equal(store.exchangedBy('code-1'), s.id);
    assert.equal(store.leadexec(s.id).refreshToken, 'le_rt');
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a flood of anonymous visitors evicts the oldest anonymous sessions, never a signed-in one', () => {
  const store = openStore(':memory:', { maxAnonymous: 100 });
  const signedIn = store.createSession();
  store.completeExchange(signedIn.id, 'c', 'client', TOKENS);
  const metadata = store.createSession();
  assert.equal(store.saveCreatedClient(metadata.id, 'mc_1', 'secret'), true);
  assert.equal(store.saveCreatedClient(metadata.id, 'mc_2', 'other'), false, 'one created client per session');
  const first = store.createSession();
  for (let i = 0; i < 5_000; i += 1) store.createSession();
  assert.ok(store.session(signedIn.id), 'the signed-in session is kept');
  assert.ok(store.session(metadata.id), 'a session holding a metadata secret is kept');
  assert.equal(store.session(first.id), undefined, 'the oldest anonymous session is gone');
  const { anonymous, kept } = store.counts();
  assert.equal(kept, 2);
  assert.ok(anonymous <= 110, `anonymous sessions bounded (${anonymous})`);
});

test('signed-in sessions end after three months unused, and not before', () => {
  let clock = 0;
  const store = openStore(':memory:', { maxAnonymous: 10, now: () => clock });
  const s = store.createSession();
  store.completeExchange(s.id, 'c', 'client', TOKENS);
  clock = 91 * 86_400_000;
  store.prune();
  assert.ok(store.session(s.id), 'used 91 days ago: kept (and seen now)');
  clock += 93 * 86_400_000;
  store.prune();
  assert.equal(store.session(s.id), undefined);
});

test('a session is found by its state (a unique index), and an exchange is stored whole or not at all', () => {
  const store = openStore(':memory:');
  const sessions = Array.from({ length: 1_000 }, () => store.createSession());
  assert.equal(store.sessionByState(sessions[500].state).id, sessions[500].id);
  assert.equal(store.sessionByState('nope'), undefined);
  assert.equal(store.sessionByState(undefined), undefined);
  const s = sessions[0];
  assert.throws(() => store.completeExchange(s.id, 'c', 'client', { ...TOKENS, refreshToken: null }));
  assert.equal(store.exchangedBy('c'), undefined, 'the code is not marked when its tokens could not be stored');
  assert.equal(store.tokens(s.id), undefined);
});
