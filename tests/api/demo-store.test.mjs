// The demo back end's store (www/server/store.mjs) on its own: it survives a reopen, keeps
// signed-in sessions through floods of anonymous ones, finds a session by its state, stores
// an exchange whole or not at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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
  // One visitor a second, a grace of one second: the flood is old enough to be evicted.
  let t = 0;
  const store = openStore(':memory:', { maxAnonymous: 100, graceMs: 1000, now: () => (t += 1000) });
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

test('a visitor in the middle of consent is not evicted by a flood (until ten times the limit)', () => {
  let t = 0;
  const store = openStore(':memory:', { maxAnonymous: 100, now: () => t });
  const consenting = store.createSession();
  t += 60_000; // a minute on the consent page, while 900 others arrive
  for (let i = 0; i < 900; i += 1) store.createSession();
  store.prune();
  assert.ok(store.session(consenting.id), 'seen within the grace (30 minutes): kept');
  for (let i = 0; i < 1_200; i += 1) store.createSession();
  store.prune();
  assert.ok(store.counts().anonymous <= 1_000, `past ten times the limit even recent ones go (${store.counts().anonymous})`);
  t += 31 * 60_000;
  store.prune();
  assert.ok(store.counts().anonymous <= 100, 'past the grace, the limit holds');
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

test('a code is claimed once, across processes sharing the file; a sign-in moves the session to a new id', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kommo-claim-'));
  try {
    const file = join(dir, 'shared.sqlite3');
    const a = openStore(file);
    const b = openStore(file); // a second instance on the same file
    const s = a.createSession();
    assert.equal(a.claimCode('code-1', s.id), 'claimed');
    assert.equal(b.claimCode('code-1', s.id), 'pending', 'the other instance waits for the first exchange');
    const other = b.createSession();
    assert.equal(b.claimCode('code-1', other.id), 'other');
    a.completeExchange(s.id, 'code-1', 'client', TOKENS);
    assert.equal(b.claimCode('code-1', s.id), 'done');
    assert.deepEqual(b.codeState('code-1'), { sid: s.id, done: true });
    // A failed exchange gives the claim up; a reload may try again.
    assert.equal(a.claimCode('code-2', s.id), 'claimed');
    a.releaseCode('code-2');
    assert.equal(b.codeState('code-2'), undefined);
    // Sign-in: the same rows under a new id and state; the old id reads nothing.
    const renewed = a.renewSession(s.id);
    assert.notEqual(renewed.id, s.id);
    assert.notEqual(renewed.state, s.state, 'a state learned before sign-in is worth nothing after');
    assert.equal(b.session(s.id), undefined);
    assert.equal(b.tokens(s.id), undefined);
    assert.equal(b.tokens(renewed.id).refreshToken, TOKENS.refreshToken);
    assert.equal(b.sessionByState(s.state), undefined);
    assert.equal(b.sessionByState(renewed.state).id, renewed.id);
    // The refresh lock: one holder at a time; only its owner releases it.
    const owner = a.lockRefresh(renewed.id, 60_000);
    assert.ok(owner);
    assert.equal(b.lockRefresh(renewed.id, 60_000), undefined, 'held: the other instance waits');
    b.unlockRefresh(renewed.id, 'not-the-owner');
    assert.ok(b.refreshLocked(renewed.id), 'another caller cannot release it');
    a.unlockRefresh(renewed.id, owner);
    assert.equal(b.refreshLocked(renewed.id), false);
    a.endSession(renewed.id);
    assert.equal(b.tokens(renewed.id), undefined, 'signed out: the tokens are gone too');
    a.close();
    b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the data folder and the database files are the process\'s own (0700 / 0600), whatever the umask', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kommo-modes-'));
  const old = process.umask(0o022);
  try {
    const file = join(dir, 'data', 'demo.sqlite3');
    const store = openStore(file);
    store.createSession();
    assert.equal(statSync(join(dir, 'data')).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    store.close();
  } finally {
    process.umask(old);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tokens and client secrets are sealed at rest; keys rotate (new first, reseal, old removed)', async () => {
  const { sealer, keysFromEnvironment } = await import('../../www/server/sealed.mjs');
  const { randomBytes } = await import('node:crypto');
  const dir = mkdtempSync(join(tmpdir(), 'kommo-sealed-'));
  try {
    const file = join(dir, 'sealed.sqlite3');
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    let store = openStore(file, { keys: [oldKey] });
    const s = store.createSession();
    store.completeExchange(s.id, 'c', 'client', { ...TOKENS, accessToken: 'at-plain-secret', refreshToken: 'rt-plain-secret' });
    store.saveCreatedClient(s.id, 'mc_1', 'client-secret-plain');
    store.saveLeadexec(s.id, { appId: 'app', refreshToken: 'le-rt-plain' });
    store.close();
    const bytes = ['', '-wal'].map((x) => { try { return readFileSync(file + x, 'latin1'); } catch { return ''; } }).join('');
    for (const plain of ['at-plain-secret', 'rt-plain-secret', 'client-secret-plain', 'le-rt-plain']) {
      assert.ok(!bytes.includes(plain), `${plain} is not in the file`);
    }
    // Without the key: one clear error, never garbage.
    store = openStore(file, { keys: [newKey] });
    assert.throws(() => store.tokens(s.id), /sealed with key \S+, which DEMO_DATA_KEYS does not have/);
    store.close();
    // Rotation: the new key first, both listed; reseal; then the new key alone.
    store = openStore(file, { keys: [newKey, oldKey] });
    assert.equal(store.tokens(s.id).refreshToken, 'rt-plain-secret');
    assert.equal(store.reseal(), 4, 'two tokens, a client secret, a LeadExec refresh token');
    assert.equal(store.reseal(), 0, 'nothing left under the old key');
    store.close();
    store = openStore(file, { keys: [newKey] });
    assert.equal(store.tokens(s.id).accessToken, 'at-plain-secret');
    assert.equal(store.createdClient(s.id).clientSecret, 'client-secret-plain');
    assert.equal(store.leadexec(s.id).refreshToken, 'le-rt-plain');
    store.close();
    // A value tampered with in the file does not open.
    assert.throws(() => sealer([newKey]).open(sealer([newKey]).seal('x').slice(0, -4) + 'AAAA'));
    assert.throws(() => keysFromEnvironment('c2hvcnQ='), /key 1 is not 32 bytes/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
