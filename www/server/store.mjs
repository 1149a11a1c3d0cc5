// The demo back end's store: sessions, token sets, metadata-created clients, exchanged codes
// and LeadExec grants, in SQLite (better-sqlite3): a file that survives restarts and deploys,
// or `:memory:` for tests.
//
// Everything the routes need goes through the methods below (the routes await each, so an
// asynchronous store fits too). Several instances of the back end behind a load balancer need
// a shared database instead of a file each on separate machines (on one machine they may
// share this file): store-postgres.mjs has the same methods on Postgres (`connectStore` picks
// it for a postgres:// URL). Do not replicate SQLite files by hand.
//
// One refresh at a time per session, across every process sharing the file: a lock row with
// a deadline (`lockRefresh`), which another instance waits on and then reads the new pair.
//
// Sessions are anonymous (a visitor who loaded a page: only a state) or kept (one holding a
// token set, a LeadExec grant or a metadata button's secret). At most `maxAnonymous`
// anonymous sessions are kept, the least recently seen go first, and a flood of page loads
// never evicts a kept session (those end when unused for `keptForMs`: Kommo's refresh tokens
// die after three months unused) nor one seen within `graceMs` (a visitor on the consent page
// comes back within the code's 20 minutes), unless anonymous sessions reach ten times the
// limit.
//
// The file is the process's own (0600, and SQLite gives its WAL files the same mode), and so
// is a folder made for it (0700), whatever the umask: they hold tokens and client secrets.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { sealer } from './sealed.mjs';

const DAY = 24 * 60 * 60 * 1000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL UNIQUE,
  kept INTEGER NOT NULL DEFAULT 0,
  seen_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_kept_and_age ON sessions (kept, seen_at);
CREATE TABLE IF NOT EXISTS tokens (
  session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  referer TEXT NOT NULL,
  access_token TEXT NOT NULL,
  refresh_token TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS created_clients (
  session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  client_secret TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS exchanged_codes (
  code TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  done INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS refresh_locks (
  session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  until INTEGER NOT NULL,
  owner TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS leadexec (
  session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  app_id TEXT NOT NULL,
  refresh_token TEXT NOT NULL,
  auth_token TEXT,
  expire_date TEXT
);
`;

/**
 * The store at `target`: a Postgres database (`postgres://…`, store-postgres.mjs), else the
 * SQLite file (or `:memory:`) of `openStore`.
 */
export async function connectStore(target, options) {
  if (/^postgres(ql)?:\/\//.test(target)) return (await import('./store-postgres.mjs')).openPostgresStore(target, options);
  return openStore(target, options);
}

/**
 * Opens (creating if needed) the store at `file`, or an in-memory one for `:memory:`.
 * `now` is the clock in milliseconds (tests move it).
 */
export function openStore(file, { maxAnonymous = 10_000, keptForMs = 92 * DAY, graceMs = 30 * 60 * 1000, now = Date.now, keys = [] } = {}) {
  // Tokens and client secrets are sealed (sealed.mjs) before they reach the file.
  const secret = sealer(keys);
  if (file !== ':memory:') {
    // A folder made here is the process's own; an existing one (say /var/lib) is left as it is.
    if (mkdirSync(dirname(file), { recursive: true }) !== undefined) chmodSync(dirname(file), 0o700);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Wait for another instance's write instead of failing at once (several processes, one file).
  db.pragma('busy_timeout = 5000');
  // Locks are short-lived: a table from before they had owners is simply made again.
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'refresh_locks'").get()
    && !db.prepare("SELECT 1 FROM pragma_table_info('refresh_locks') WHERE name = 'owner'").get()) {
    db.exec('DROP TABLE refresh_locks');
  }
  db.exec(SCHEMA);
  // A file made before codes were claimed: every recorded code was exchanged.
  if (!db.prepare("SELECT 1 FROM pragma_table_info('exchanged_codes') WHERE name = 'done'").get()) {
    db.exec('ALTER TABLE exchanged_codes ADD COLUMN done INTEGER NOT NULL DEFAULT 1');
  }
  if (file !== ':memory:') {
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  }

  const q = {
    insertSession: db.prepare('INSERT INTO sessions (id, state, seen_at) VALUES (?, ?, ?)'),
    session: db.prepare('SELECT id, state FROM sessions WHERE id = ?'),
    touch: db.prepare('UPDATE sessions SET seen_at = ? WHERE id = ?'),
    byState: db.prepare('SELECT id, state FROM sessions WHERE state = ?'),
    keep: db.prepare('UPDATE sessions SET kept = 1 WHERE id = ?'),
    tokens: db.prepare('SELECT client_id AS clientId, referer, access_token AS accessToken, refresh_token AS refreshToken, expires_at AS expiresAt FROM tokens WHERE session_id = ?'),
    saveTokens: db.prepare(`INSERT INTO tokens (session_id, client_id, referer, access_token, refresh_token, expires_at, updated_at)
      VALUES (@sid, @clientId, @referer, @accessToken, @refreshToken, @expiresAt, @at)
      ON CONFLICT (session_id) DO UPDATE SET client_id = excluded.client_id, referer = excluded.referer,
        access_token = excluded.access_token, refresh_token = excluded.refresh_token,
        expires_at = excluded.expires_at, updated_at = excluded.updated_at`),
    createdClient: db.prepare('SELECT client_id AS clientId, client_secret AS clientSecret FROM created_clients WHERE session_id = ?'),
    saveCreatedClient: db.prepare('INSERT OR IGNORE INTO created_clients (session_id, client_id, client_secret) VALUES (?, ?, ?)'),
    exchanged: db.prepare('SELECT session_id AS sid FROM exchanged_codes WHERE code = ?'),
    markExchanged: db.prepare('INSERT INTO exchanged_codes (code, session_id, at) VALUES (?, ?, ?)'),
    leadexec: db.prepare('SELECT app_id AS appId, refresh_token AS refreshToken, auth_token AS authToken, expire_date AS expireDate FROM leadexec WHERE session_id = ?'),
    saveLeadexec: db.prepare(`INSERT INTO leadexec (session_id, app_id, refresh_token, auth_token, expire_date) VALUES (@sid, @appId, @refreshToken, @authToken, @expireDate)
      ON CONFLICT (session_id) DO UPDATE SET app_id = excluded.app_id, refresh_token = excluded.refresh_token,
        auth_token = excluded.auth_token, expire_date = excluded.expire_date`),
    deleteLeadexec: db.prepare('DELETE FROM leadexec WHERE session_id = ?'),
    // The anonymous sessions past the newest `maxAnonymous`, and kept ones unused too long.
    evictAnonymous: db.prepare(`DELETE FROM sessions WHERE id IN (
      SELECT id FROM sessions WHERE kept = 0 ORDER BY seen_at DESC LIMIT -1 OFFSET ?) AND seen_at < ?`),
    claim: db.prepare('INSERT OR IGNORE INTO exchanged_codes (code, session_id, at, done) VALUES (?, ?, ?, 0)'),
    lock: db.prepare(`INSERT INTO refresh_locks (session_id, until, owner) VALUES (?, ?, ?)
      ON CONFLICT (session_id) DO UPDATE SET until = excluded.until, owner = excluded.owner WHERE refresh_locks.until < ?`),
    unlock: db.prepare('DELETE FROM refresh_locks WHERE session_id = ? AND owner = ?'),
    withClient: db.prepare('SELECT session_id AS sid FROM tokens WHERE client_id = ? ORDER BY updated_at DESC LIMIT ?'),
    forgetTokens: db.prepare('DELETE FROM tokens WHERE session_id = ? AND access_token = ?'),
    locked: db.prepare('SELECT until FROM refresh_locks WHERE session_id = ? AND until >= ?'),
    claimOf: db.prepare('SELECT session_id AS sid, done FROM exchanged_codes WHERE code = ?'),
    release: db.prepare('DELETE FROM exchanged_codes WHERE code = ? AND done = 0'),
    finishClaim: db.prepare('UPDATE exchanged_codes SET done = 1, at = ? WHERE code = ? AND session_id = ?'),
    insertKept: db.prepare('INSERT INTO sessions (id, state, kept, seen_at) VALUES (?, ?, 1, ?)'),
    deleteSession: db.prepare('DELETE FROM sessions WHERE id = ?'),
    moves: ['tokens', 'created_clients', 'exchanged_codes', 'leadexec', 'refresh_locks'].map((table) =>
      db.prepare(`UPDATE ${table} SET session_id = ? WHERE session_id = ?`)),
    expireKept: db.prepare('DELETE FROM sessions WHERE kept = 1 AND seen_at < ?'),
    forgetCodes: db.prepare('DELETE FROM exchanged_codes WHERE at < ?'),
    counts: db.prepare('SELECT sum(kept = 0) AS anonymous, sum(kept = 1) AS kept FROM sessions'),
  };

  // Eviction runs every `PRUNE_EVERY` new sessions (so a page load costs no table scan), and
  // may let the anonymous count overshoot by that much in between.
  const PRUNE_EVERY = Math.max(1, Math.min(100, Math.floor(maxAnonymous / 10)));
  let created = 0;
  function prune() {
    const t = now();
    q.evictAnonymous.run(maxAnonymous, t - graceMs);
    q.evictAnonymous.run(maxAnonymous * 10, Number.MAX_SAFE_INTEGER);
    q.expireKept.run(t - keptForMs);
    q.forgetCodes.run(t - DAY);
  }

  const completeExchange = db.transaction((sid, code, clientId, tokens) => {
    if (q.finishClaim.run(now(), code, sid).changes === 0) q.markExchanged.run(code, sid, now());
    q.saveTokens.run({ sid, clientId, ...tokens, at: now() });
    q.keep.run(sid);
  });

  // The session's rows under a new id and a new state, the old id gone: what sign-in does
  // against session fixation (an id or a state learned before sign-in is worth nothing
  // after it). One transaction, so no instance sees half of it.
  const renew = db.transaction((oldId) => {
    const old = q.session.get(oldId);
    if (!old) return undefined;
    const id = randomBytes(16).toString('hex');
    const state = randomBytes(16).toString('hex');
    q.insertKept.run(id, state, now());
    for (const move of q.moves) move.run(id, oldId);
    q.deleteSession.run(oldId);
    return { id, state };
  });

  // A code is claimed before it is exchanged: an INSERT that only one request (of any
  // process sharing the file) can make.
  const claim = db.transaction((code, sid) => {
    if (q.claim.run(code, sid, now()).changes === 1) return 'claimed';
    const held = q.claimOf.get(code);
    if (!held) return 'claimed-late';
    if (held.sid !== sid) return 'other';
    return held.done ? 'done' : 'pending';
  });

  const sealTokens = (tokens) => {
    const t = pick(tokens);
    return { ...t, accessToken: secret.seal(t.accessToken), refreshToken: secret.seal(t.refreshToken) };
  };
  const openTokens = (row) => row && { ...row, accessToken: secret.open(row.accessToken), refreshToken: secret.open(row.refreshToken) };

  // Each table's sealed columns, for resealing.
  const SEALED = { tokens: ['access_token', 'refresh_token'], created_clients: ['client_secret'], leadexec: ['refresh_token', 'auth_token'] };
  const reseal = db.transaction(() => {
    let count = 0;
    for (const [table, columns] of Object.entries(SEALED)) {
      for (const row of db.prepare(`SELECT rowid, ${columns.join(', ')} FROM ${table}`).all()) {
        for (const column of columns) {
          if (!secret.stale(row[column])) continue;
          db.prepare(`UPDATE ${table} SET ${column} = ? WHERE rowid = ?`).run(secret.seal(secret.open(row[column])), row.rowid);
          count += 1;
        }
      }
    }
    return count;
  });

  return {
    /** A new anonymous session with its OAuth state: `{id, state}`. */
    createSession() {
      const s = { id: randomBytes(16).toString('hex'), state: randomBytes(16).toString('hex') };
      q.insertSession.run(s.id, s.state, now());
      created += 1;
      if (created % PRUNE_EVERY === 0) prune();
      return s;
    },
    /** The session `id` (`{id, state}`), marked as seen now; `undefined` if unknown. */
    session(id) {
      const row = q.session.get(id);
      if (row) q.touch.run(now(), id);
      return row;
    },
    /** The session that was given `state` (an index lookup), or `undefined`. */
    sessionByState: (state) => (typeof state === 'string' ? q.byState.get(state) : undefined),
    /** The session's token set: `{clientId, referer, accessToken, refreshToken, expiresAt}`. */
    tokens: (sid) => openTokens(q.tokens.get(sid)),
    /** Replaces the session's token set (after a refresh). */
    saveTokens(sid, clientId, tokens) {
      q.saveTokens.run({ sid, clientId, ...sealTokens(tokens), at: now() });
      q.keep.run(sid);
    },
    /** Whether `code` was already exchanged, and by which session: its id, or `undefined`. */
    exchangedBy: (code) => q.exchanged.get(code)?.sid,
    /**
     * Claims `code` for session `sid` before its exchange: `'claimed'` (this request
     * exchanges it), `'pending'` (this session's earlier request is exchanging it: wait),
     * `'done'` (exchanged for this session), `'other'` (another session's code).
     */
    claimCode(code, sid) {
      const r = claim(code, sid);
      return r === 'claimed-late' ? claim(code, sid) : r;
    },
    /** Where the exchange of `code` stands: `{sid, done}`, or `undefined` when unclaimed. */
    codeState: (code) => {
      const row = q.claimOf.get(code);
      return row && { sid: row.sid, done: row.done === 1 };
    },
    /**
     * Takes the session's refresh lock for `holdMs` (every instance sharing the file sees
     * it): an owner token when this caller holds it now, else undefined. A lock past its
     * time is taken over (its holder died or hung).
     */
    lockRefresh(sid, holdMs) {
      const owner = randomBytes(16).toString('hex');
      return q.lock.run(sid, now() + holdMs, owner, now()).changes === 1 ? owner : undefined;
    },
    /** The sessions holding tokens of `clientId`, the most recently updated first (at most `limit`). */
    sessionsWithClient: (clientId, limit) => q.withClient.all(clientId, limit).map((r) => r.sid),
    /** Removes the session's token set if it still holds `accessToken` (a refresh since keeps it). */
    forgetTokens(sid, accessToken) {
      const row = q.tokens.get(sid);
      if (row && secret.open(row.accessToken) === accessToken) q.forgetTokens.run(sid, row.accessToken);
    },
    /** Whether another caller holds the session's refresh lock now. */
    refreshLocked: (sid) => q.locked.get(sid, now()) !== undefined,
    /** Releases the lock `lockRefresh` gave `owner` (a lock taken over since is left alone). */
    unlockRefresh: (sid, owner) => { q.unlock.run(sid, owner); },
    /** Gives up a claim whose exchange failed (a reload may try again). */
    releaseCode: (code) => { q.release.run(code); },
    /** Moves the session's rows to a new id and state, and ends the old one: `{id, state}`. */
    renewSession: (id) => renew(id),
    /** Ends the session and everything it holds (sign-out). */
    endSession: (id) => { q.deleteSession.run(id); },
    /** Records the code and stores its token set, both or neither. */
    completeExchange: (sid, code, clientId, tokens) => completeExchange(sid, code, clientId, sealTokens(tokens)),
    /** The integration a metadata button created for this session: `{clientId, clientSecret}`. */
    createdClient(sid) {
      const row = q.createdClient.get(sid);
      return row && { ...row, clientSecret: secret.open(row.clientSecret) };
    },
    /** Keeps the first created client of a session; false when it already had one. */
    saveCreatedClient(sid, clientId, clientSecret) {
      const saved = q.saveCreatedClient.run(sid, clientId, secret.seal(clientSecret)).changes === 1;
      if (saved) q.keep.run(sid);
      return saved;
    },
    leadexec(sid) {
      const row = q.leadexec.get(sid);
      return row && { ...row, refreshToken: secret.open(row.refreshToken), authToken: secret.open(row.authToken) };
    },
    saveLeadexec(sid, grant) {
      const all = { authToken: null, expireDate: null, ...grant };
      q.saveLeadexec.run({ sid, ...all, refreshToken: secret.seal(all.refreshToken), authToken: secret.seal(all.authToken) });
      q.keep.run(sid);
    },
    /** Seals every stored secret again under the first key (after a key rotation); the count. */
    reseal: () => reseal(),
    deleteLeadexec: (sid) => { q.deleteLeadexec.run(sid); },
    /** `{anonymous, kept}` session counts. */
    counts() {
      const { anonymous, kept } = q.counts.get();
      return { anonymous: anonymous ?? 0, kept: kept ?? 0 };
    },
    prune,
    close: () => db.close(),
  };
}

const pick = ({ referer, accessToken, refreshToken, expiresAt }) => ({ referer, accessToken, refreshToken, expiresAt });
