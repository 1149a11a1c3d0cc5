// The demo back end's stores on their own, SQLite (www/server/store.mjs) and Postgres
// (www/server/store-postgres.mjs, on a private cluster: tests/api/postgres.mjs), held to one
// contract: data survives a reopen, signed-in sessions outlive floods of anonymous ones, a
// session is found by its state, an exchange is stored whole or not at all, a code is claimed
// once and the refresh lock held once across two instances on one database, a sign-in moves
// the session to a new id, secrets are sealed at rest. Then what only the SQLite file has.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../www/server/store.mjs';
import { openPostgresStore } from '../../www/server/store-postgres.mjs';
import { sealer, keysFromEnvironment } from '../../www/server/sealed.mjs';
import { startPostgres } from './postgres.mjs';

const TOKENS = { tokenType: 'Bearer', accessToken: 'at', refreshToken: 'rt', expiresIn: 86400, expiresAt: 1, referer: 'acme.kommo.com' };

let dir, postgres;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kommo-store-'));
  postgres = await startPostgres();
});
after(() => {
  postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Each store: `database()` makes a new empty one and returns `open(options)`, which opens
 * (another instance of) the store on it, and `stored()`, everything stored as one string.
 */
let files = 0;
const BACKENDS = {
  SQLite: async () => {
    const file = join(dir, `store-${files += 1}`, 'demo.sqlite3');
    return {
      open: async (options) => openStore(file, options),
      stored: () => ['', '-wal'].map((x) => { try { return readFileSync(file + x, 'latin1'); } catch { return ''; } }).join(''),
    };
  },
  Postgres: async () => {
    const url = await postgres.createDatabase();
    return {
      open: (options) => openPostgresStore(url, options),
      async stored() {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        const tables = ['sessions', 'tokens', 'created_clients', 'leadexec', 'exchanged_codes'];
        const rows = await Promise.all(tables.map(async (t) => JSON.stringify((await client.query(`SELECT * FROM ${t}`)).rows)));
        await client.end();
        return rows.join('\n');
      },
    };
  },
};

for (const [name, database] of Object.entries(BACKENDS)) {
  test(`${name}: sessions, token sets and grants survive closing and reopening`, async () => {
    const db = await database();
    let store = await db.open();
    const s = await store.createSession();
    await store.completeExchange(s.id, 'code-1', 'client', TOKENS);
    await store.saveLeadexec(s.id, { appId: 'app', refreshToken: 'le_rt' });
    await store.close();
    store = await db.open();
    assert.deepEqual({ ...await store.session(s.id) }, { id: s.id, state: s.state });
    assert.deepEqual(await store.counts(), { anonymous: 0, kept: 1 }, 'kept: it holds a token set');
    assert.deepEqual({ ...await store.tokens(s.id) }, { clientId: 'client', referer: 'acme.kommo.com', accessToken: 'at', refreshToken: 'rt', expiresAt: 1 });
    assert.equal(await store.exchangedBy('code-1'), s.id);
    assert.equal((await store.leadexec(s.id)).refreshToken, 'le_rt');
    await store.close();
  });

  test(`${name}: a flood of anonymous visitors evicts the oldest anonymous sessions, never a signed-in one`, async () => {
    // One visitor a second, a grace of one second: the flood is old enough to be evicted.
    let t = 0;
    const store = await (await database()).open({ maxAnonymous: 100, graceMs: 1000, now: () => (t += 1000) });
    const signedIn = await store.createSession();
    await store.completeExchange(signedIn.id, 'c', 'client', TOKENS);
    const metadata = await store.createSession();
    assert.equal(await store.saveCreatedClient(metadata.id, 'mc_1', 'secret'), true);
    assert.equal(await store.saveCreatedClient(metadata.id, 'mc_2', 'other'), false, 'one created client per session');
    const first = await store.createSession();
    for (let i = 0; i < 2_000; i += 1) await store.createSession();
    assert.ok(await store.session(signedIn.id), 'the signed-in session is kept');
    assert.ok(await store.session(metadata.id), 'a session holding a metadata secret is kept');
    assert.equal(await store.session(first.id), undefined, 'the oldest anonymous session is gone');
    const { anonymous, kept } = await store.counts();
    assert.equal(kept, 2);
    assert.ok(anonymous <= 110, `anonymous sessions bounded (${anonymous})`);
    await store.close();
  });

  test(`${name}: a visitor in the middle of consent is not evicted by a flood (until ten times the limit)`, async () => {
    let t = 0;
    const store = await (await database()).open({ maxAnonymous: 100, now: () => t });
    const consenting = await store.createSession();
    t += 60_000; // a minute on the consent page, while 900 others arrive
    for (let i = 0; i < 900; i += 1) await store.createSession();
    await store.prune();
    assert.ok(await store.session(consenting.id), 'seen within the grace (30 minutes): kept');
    for (let i = 0; i < 1_200; i += 1) await store.createSession();
    await store.prune();
    const flooded = (await store.counts()).anonymous;
    assert.ok(flooded <= 1_000, `past ten times the limit even recent ones go (${flooded})`);
    t += 31 * 60_000;
    await store.prune();
    assert.ok((await store.counts()).anonymous <= 100, 'past the grace, the limit holds');
    await store.close();
  });

  test(`${name}: signed-in sessions end after three months unused, and not before`, async () => {
    let clock = 0;
    const store = await (await database()).open({ maxAnonymous: 10, now: () => clock });
    const s = await store.createSession();
    await store.completeExchange(s.id, 'c', 'client', TOKENS);
    clock = 91 * 86_400_000;
    await store.prune();
    assert.ok(await store.session(s.id), 'used 91 days ago: kept (and seen now)');
    clock += 93 * 86_400_000;
    await store.prune();
    assert.equal(await store.session(s.id), undefined);
    await store.close();
  });

  test(`${name}: a session is found by its state, and an exchange is stored whole or not at all`, async () => {
    const store = await (await database()).open();
    const sessions = [];
    for (let i = 0; i < 300; i += 1) sessions.push(await store.createSession());
    assert.equal((await store.sessionByState(sessions[150].state)).id, sessions[150].id);
    assert.equal(await store.sessionByState('nope'), undefined);
    assert.equal(await store.sessionByState(undefined), undefined);
    const s = sessions[0];
    await assert.rejects(async () => store.completeExchange(s.id, 'c', 'client', { ...TOKENS, refreshToken: null }));
    assert.equal(await store.exchangedBy('c'), undefined, 'the code is not marked when its tokens could not be stored');
    assert.equal(await store.tokens(s.id), undefined);
    await store.close();
  });

  test(`${name}: a code is claimed once and the refresh lock held once across two instances; a sign-in moves the session to a new id`, async () => {
    const db = await database();
    const [a, b] = [await db.open(), await db.open()]; // two instances on one database
    const s = await a.createSession();
    assert.equal(await a.claimCode('code-1', s.id), 'claimed');
    assert.equal(await b.claimCode('code-1', s.id), 'pending', 'the other instance waits for the first exchange');
    const other = await b.createSession();
    assert.equal(await b.claimCode('code-1', other.id), 'other');
    await a.completeExchange(s.id, 'code-1', 'client', TOKENS);
    assert.equal(await b.claimCode('code-1', s.id), 'done');
    assert.deepEqual({ ...await b.codeState('code-1') }, { sid: s.id, done: true });
    // Claimed at once by many requests of both instances: exactly one wins.
    const racers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claimCode('code-race', s.id)));
    assert.equal(racers.filter((r) => r === 'claimed').length, 1, racers.join());
    // A failed exchange gives the claim up; a reload may try again.
    assert.equal(await a.claimCode('code-2', s.id), 'claimed');
    await a.releaseCode('code-2');
    assert.equal(await b.codeState('code-2'), undefined);
    // Sign-in: the same rows under a new id and state; the old id reads nothing.
    const renewed = await a.renewSession(s.id);
    assert.notEqual(renewed.id, s.id);
    assert.notEqual(renewed.state, s.state, 'a state learned before sign-in is worth nothing after');
    assert.equal(await b.session(s.id), undefined);
    assert.equal(await b.tokens(s.id), undefined);
    assert.equal((await b.tokens(renewed.id)).refreshToken, TOKENS.refreshToken);
    assert.equal(await b.sessionByState(s.state), undefined);
    assert.equal((await b.sessionByState(renewed.state)).id, renewed.id);
    // The refresh lock: one holder at a time, even when both take it at once; only its owner releases it.
    const takers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).lockRefresh(renewed.id, 60_000)));
    const held = takers.filter(Boolean);
    assert.equal(held.length, 1, 'one holder');
    assert.equal(await b.lockRefresh(renewed.id, 60_000), undefined, 'held: the other instance waits');
    await b.unlockRefresh(renewed.id, 'not-the-owner');
    assert.ok(await b.refreshLocked(renewed.id), 'another caller cannot release it');
    await a.unlockRefresh(renewed.id, held[0]);
    assert.equal(await b.refreshLocked(renewed.id), false);
    await a.endSession(renewed.id);
    assert.equal(await b.tokens(renewed.id), undefined, 'signed out: the tokens are gone too');
    await a.close();
    await b.close();
  });

  test(`${name}: tokens and client secrets are sealed at rest; keys rotate (new first, reseal, old removed)`, async () => {
    const db = await database();
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    let store = await db.open({ keys: [oldKey] });
    const s = await store.createSession();
    await store.completeExchange(s.id, 'c', 'client', { ...TOKENS, accessToken: 'at-plain-secret', refreshToken: 'rt-plain-secret' });
    await store.saveCreatedClient(s.id, 'mc_1', 'client-secret-plain');
    await store.saveLeadexec(s.id, { appId: 'app', refreshToken: 'le-rt-plain' });
    await store.close();
    const stored = await db.stored();
    assert.ok(stored.includes('mc_1'), 'what is not secret is stored as it is');
    for (const plain of ['at-plain-secret', 'rt-plain-secret', 'client-secret-plain', 'le-rt-plain']) {
      assert.ok(!stored.includes(plain), `${plain} is not stored as it is`);
    }
    // Without the key: one clear error, never garbage.
    store = await db.open({ keys: [newKey] });
    await assert.rejects(async () => store.tokens(s.id), /sealed with key \S+, which DEMO_DATA_KEYS does not have/);
    await store.close();
    // Rotation: the new key first, both listed; reseal; then the new key alone.
    store = await db.open({ keys: [newKey, oldKey] });
    assert.equal((await store.tokens(s.id)).refreshToken, 'rt-plain-secret');
    assert.equal(await store.reseal(), 4, 'two tokens, a client secret, a LeadExec refresh token');
    assert.equal(await store.reseal(), 0, 'nothing left under the old key');
    await store.close();
    store = await db.open({ keys: [newKey] });
    assert.equal((await store.tokens(s.id)).accessToken, 'at-plain-secret');
    assert.equal((await store.createdClient(s.id)).clientSecret, 'client-secret-plain');
    assert.equal((await store.leadexec(s.id)).refreshToken, 'le-rt-plain');
    await store.close();
  });
}

test('a sealed value tampered with does not open; a key of the wrong length is refused', () => {
  const key = randomBytes(32);
  assert.throws(() => sealer([key]).open(sealer([key]).seal('x').slice(0, -4) + 'AAAA'));
  assert.throws(() => keysFromEnvironment('c2hvcnQ='), /key 1 is not 32 bytes/);
});

test('SQLite: the data folder and the database files are the process\'s own (0700 / 0600), whatever the umask', () => {
  const old = process.umask(0o022);
  try {
    const file = join(dir, 'modes', 'data', 'demo.sqlite3');
    const store = openStore(file);
    store.createSession();
    assert.equal(statSync(join(dir, 'modes', 'data')).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    store.close();
  } finally {
    process.umask(old);
  }
});
