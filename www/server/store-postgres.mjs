// The demo back end's store on Postgres (node-postgres), for several instances behind a load
// balancer: the same methods as store.mjs's SQLite store (asynchronous here; the routes await
// either), the same rules (store.mjs's header), with what must hold across instances held by
// the database:
// - a code is claimed by an INSERT only one request of any instance can make (the primary key);
// - the refresh lock is a row with a deadline, taken by an upsert that succeeds only while no
//   live lock exists (one statement, so two instances cannot both take it);
// - a session's renewal, an exchange's completion and a resealing each run in one transaction.
// Tokens and client secrets are sealed (sealed.mjs) before they reach the database.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { sealer } from './sealed.mjs';

const DAY = 24 * 60 * 60 * 1000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL UNIQUE,
  kept BOOLEAN NOT NULL DEFAULT FALSE,
  seen_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_kept_and_age ON sessions (kept, seen_at);
CREATE TABLE IF NOT EXISTS tokens (
  session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE ON UPDATE CASCADE,
  client_id TEXT NOT NULL,
  referer TEXT NOT NULL,
  access_token TEXT NOT NULL,
  refresh_token TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_by_client ON tokens (client_id, updated_at);
CREATE TABLE IF NOT EXISTS created_clients (
  session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE ON UPDATE CASCADE,
  client_id TEXT NOT NULL,
  client_secret TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS exchanged_codes (
  code TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE ON UPDATE CASCADE,
  at BIGINT NOT NULL,
  done BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE TABLE IF NOT EXISTS refresh_locks (
  session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE ON UPDATE CASCADE,
  until BIGINT NOT NULL,
  owner TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS leadexec (
  session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE ON UPDATE CASCADE,
  app_id TEXT NOT NULL,
  refresh_token TEXT NOT NULL,
  auth_token TEXT,
  expire_date TEXT
);
`;

// BIGINT columns hold milliseconds: read them as numbers (node-postgres gives strings).
const types = { getTypeParser: (oid, format) => (oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) };

/**
 * Connects to the database at `url` (`postgres://…`), creating the tables if needed. The
 * options are store.mjs's `openStore`'s.
 */
export async function openPostgresStore(url, { maxAnonymous = 10_000, keptForMs = 92 * DAY, graceMs = 30 * 60 * 1000, now = Date.now, keys = [] } = {}) {
  const secret = sealer(keys);
  const pool = new pg.Pool({ connectionString: url, types, max: 10 });
  // Two instances starting at once may both create the tables: one at a time.
  await transaction(async (c) => {
    await c.query('SELECT pg_advisory_xact_lock(7070)');
    await c.query(SCHEMA);
  });

  const one = async (text, values) => (await pool.query(text, values)).rows[0];
  const run = async (text, values) => (await pool.query(text, values)).rowCount;

  async function transaction(work) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }

  const PRUNE_EVERY = Math.max(1, Math.min(100, Math.floor(maxAnonymous / 10)));
  let created = 0;
  const EVICT = `DELETE FROM sessions WHERE id IN (
    SELECT id FROM sessions WHERE NOT kept ORDER BY seen_at DESC OFFSET $1) AND seen_at < $2`;
  async function prune() {
    const t = now();
    await run(EVICT, [maxAnonymous, t - graceMs]);
    await run(EVICT, [maxAnonymous * 10, Number.MAX_SAFE_INTEGER]);
    await run('DELETE FROM sessions WHERE kept AND seen_at < $1', [t - keptForMs]);
    await run('DELETE FROM exchanged_codes WHERE at < $1', [t - DAY]);
  }

  const TOKENS = 'SELECT client_id AS "clientId", referer, access_token AS "accessToken", refresh_token AS "refreshToken", expires_at AS "expiresAt" FROM tokens WHERE session_id = $1';
  const SAVE_TOKENS = `INSERT INTO tokens (session_id, client_id, referer, access_token, refresh_token, expires_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (session_id) DO UPDATE SET client_id = excluded.client_id, referer = excluded.referer,
      access_token = excluded.access_token, refresh_token = excluded.refresh_token,
      expires_at = excluded.expires_at, updated_at = excluded.updated_at`;
  const saveTokens = (c, sid, clientId, t) => c.query(SAVE_TOKENS, [sid, clientId, t.referer, t.accessToken, t.refreshToken, t.expiresAt, now()]);
  const keep = (c, sid) => c.query('UPDATE sessions SET kept = TRUE WHERE id = $1', [sid]);

  const sealTokens = ({ referer, accessToken, refreshToken, expiresAt }) => ({ referer, expiresAt, accessToken: secret.seal(accessToken), refreshToken: secret.seal(refreshToken) });
  const openTokens = (row) => row && { ...row, accessToken: secret.open(row.accessToken), refreshToken: secret.open(row.refreshToken) };

  async function claim(code, sid) {
    const inserted = await run('INSERT INTO exchanged_codes (code, session_id, at, done) VALUES ($1, $2, $3, FALSE) ON CONFLICT (code) DO NOTHING', [code, sid, now()]);
    if (inserted === 1) return 'claimed';
    const held = await one('SELECT session_id AS sid, done FROM exchanged_codes WHERE code = $1', [code]);
    if (!held) return 'claimed-late';
    if (held.sid !== sid) return 'other';
    return held.done ? 'done' : 'pending';
  }

  const SEALED = { tokens: ['access_token', 'refresh_token'], created_clients: ['client_secret'], leadexec: ['refresh_token', 'auth_token'] };

  return {
    async createSession() {
      const s = { id: randomBytes(16).toString('hex'), state: randomBytes(16).toString('hex') };
      await run('INSERT INTO sessions (id, state, seen_at) VALUES ($1, $2, $3)', [s.id, s.state, now()]);
      created += 1;
      if (created % PRUNE_EVERY === 0) await prune();
      return s;
    },
    session: (id) => one('UPDATE sessions SET seen_at = $2 WHERE id = $1 RETURNING id, state', [id, now()]),
    sessionByState: async (state) => (typeof state === 'string' ? one('SELECT id, state FROM sessions WHERE state = $1', [state]) : undefined),
    tokens: async (sid) => openTokens(await one(TOKENS, [sid])),
    async saveTokens(sid, clientId, tokens) {
      await transaction(async (c) => {
        await saveTokens(c, sid, clientId, sealTokens(tokens));
        await keep(c, sid);
      });
    },
    exchangedBy: async (code) => (await one('SELECT session_id AS sid FROM exchanged_codes WHERE code = $1', [code]))?.sid,
    async claimCode(code, sid) {
      const r = await claim(code, sid);
      return r === 'claimed-late' ? claim(code, sid) : r;
    },
    codeState: (code) => one('SELECT session_id AS sid, done FROM exchanged_codes WHERE code = $1', [code]),
    async lockRefresh(sid, holdMs) {
      const owner = randomBytes(16).toString('hex');
      const taken = await run(`INSERT INTO refresh_locks (session_id, until, owner) VALUES ($1, $2, $3)
        ON CONFLICT (session_id) DO UPDATE SET until = excluded.until, owner = excluded.owner WHERE refresh_locks.until < $4`, [sid, now() + holdMs, owner, now()]);
      return taken === 1 ? owner : undefined;
    },
    sessionsWithClient: async (clientId, limit) => (await pool.query('SELECT session_id AS sid FROM tokens WHERE client_id = $1 ORDER BY updated_at DESC LIMIT $2', [clientId, limit])).rows.map((r) => r.sid),
    async forgetTokens(sid, accessToken) {
      const row = await one(TOKENS, [sid]);
      if (row && secret.open(row.accessToken) === accessToken) await run('DELETE FROM tokens WHERE session_id = $1 AND access_token = $2', [sid, row.accessToken]);
    },
    refreshLocked: async (sid) => (await one('SELECT until FROM refresh_locks WHERE session_id = $1 AND until >= $2', [sid, now()])) !== undefined,
    unlockRefresh: async (sid, owner) => { await run('DELETE FROM refresh_locks WHERE session_id = $1 AND owner = $2', [sid, owner]); },
    releaseCode: async (code) => { await run('DELETE FROM exchanged_codes WHERE code = $1 AND NOT done', [code]); },
    /** The session's rows under a new id and state (ON UPDATE CASCADE moves them), the old id gone. */
    renewSession: (oldId) => transaction(async (c) => {
      const id = randomBytes(16).toString('hex');
      const state = randomBytes(16).toString('hex');
      const moved = await c.query('UPDATE sessions SET id = $2, state = $3, kept = TRUE, seen_at = $4 WHERE id = $1', [oldId, id, state, now()]);
      return moved.rowCount === 1 ? { id, state } : undefined;
    }),
    endSession: async (id) => { await run('DELETE FROM sessions WHERE id = $1', [id]); },
    completeExchange: (sid, code, clientId, tokens) => transaction(async (c) => {
      const finished = await c.query('UPDATE exchanged_codes SET done = TRUE, at = $1 WHERE code = $2 AND session_id = $3', [now(), code, sid]);
      if (finished.rowCount === 0) await c.query('INSERT INTO exchanged_codes (code, session_id, at) VALUES ($1, $2, $3)', [code, sid, now()]);
      await saveTokens(c, sid, clientId, sealTokens(tokens));
      await keep(c, sid);
    }),
    async createdClient(sid) {
      const row = await one('SELECT client_id AS "clientId", client_secret AS "clientSecret" FROM created_clients WHERE session_id = $1', [sid]);
      return row && { ...row, clientSecret: secret.open(row.clientSecret) };
    },
    saveCreatedClient: (sid, clientId, clientSecret) => transaction(async (c) => {
      const saved = (await c.query('INSERT INTO created_clients (session_id, client_id, client_secret) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [sid, clientId, secret.seal(clientSecret)])).rowCount === 1;
      if (saved) await keep(c, sid);
      return saved;
    }),
    async leadexec(sid) {
      const row = await one('SELECT app_id AS "appId", refresh_token AS "refreshToken", auth_token AS "authToken", expire_date AS "expireDate" FROM leadexec WHERE session_id = $1', [sid]);
      return row && { ...row, refreshToken: secret.open(row.refreshToken), authToken: secret.open(row.authToken) };
    },
    saveLeadexec: (sid, grant) => transaction(async (c) => {
      const all = { authToken: null, expireDate: null, ...grant };
      await c.query(`INSERT INTO leadexec (session_id, app_id, refresh_token, auth_token, expire_date) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (session_id) DO UPDATE SET app_id = excluded.app_id, refresh_token = excluded.refresh_token,
          auth_token = excluded.auth_token, expire_date = excluded.expire_date`,
      [sid, all.appId, secret.seal(all.refreshToken), secret.seal(all.authToken), all.expireDate]);
      await keep(c, sid);
    }),
    reseal: () => transaction(async (c) => {
      let count = 0;
      for (const [table, columns] of Object.entries(SEALED)) {
        for (const row of (await c.query(`SELECT session_id, ${columns.join(', ')} FROM ${table} FOR UPDATE`)).rows) {
          for (const column of columns) {
            if (!secret.stale(row[column])) continue;
            await c.query(`UPDATE ${table} SET ${column} = $1 WHERE session_id = $2`, [secret.seal(secret.open(row[column])), row.session_id]);
            count += 1;
          }
        }
      }
      return count;
    }),
    deleteLeadexec: async (sid) => { await run('DELETE FROM leadexec WHERE session_id = $1', [sid]); },
    async counts() {
      const row = await one('SELECT count(*) FILTER (WHERE NOT kept) AS anonymous, count(*) FILTER (WHERE kept) AS kept FROM sessions');
      return { anonymous: Number(row.anonymous), kept: Number(row.kept) };
    },
    prune,
    close: () => pool.end(),
  };
}
