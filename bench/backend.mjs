// npm run bench:backend: the demo back end (www/server.mjs) with the sandbox provider
// (release build), on loopback, once on each store: a SQLite file, then a Postgres database
// (a private cluster, tests/api/postgres.mjs).
//  1. N concurrent full sign-ins (default 200): page load, the consent form's Allow, the
//     Redirect URI (the code exchanged through kommo-oauth-button/server), the account API.
//     Latency of each whole sign-in: p50, p99, max; errors counted.
//  2. 10,000 anonymous page loads (50 at a time), twice: the demo's resident memory before,
//     after each flood, the database file, and that every signed-in session survived.
//  3. The secrets webhook's lookup by state with those sessions in the store, against a page load.
// A benchmark, not a test: it prints and writes bench/results/backend.json, asserts nothing.
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { rawRequest as http, startServer as start } from '../tests/browser/harness.mjs';
import { startPostgres } from '../tests/api/postgres.mjs';

const root = new URL('..', import.meta.url).pathname;
const SIGN_INS = Number(process.env.BENCH_SIGN_INS || 200);
const ANONYMOUS = Number(process.env.BENCH_ANONYMOUS || 10_000);

const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function pool(count, concurrency, work) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await work(next++);
  }));
}

execSync('cargo build --release -p kommo-sandbox', { cwd: root, stdio: 'inherit' });
const dir = mkdtempSync(join(tmpdir(), 'kommo-bench-'));
const sandbox = await start(join(root, 'target/release/kommo-sandbox'), ['--port', '0'], /(http:\/\/127\.0\.0\.1:\d+)/);
const postgres = await startPostgres();
const STORES = {
  SQLite: { db: join(dir, 'demo.sqlite3'), bytes: (db) => statSync(db).size + (statSync(`${db}-wal`, { throwIfNoEntry: false })?.size ?? 0) },
  Postgres: {
    db: await postgres.createDatabase(),
    async bytes(db) {
      const client = new pg.Client({ connectionString: db });
      await client.connect();
      const size = Number((await client.query('SELECT pg_database_size(current_database()) AS size')).rows[0].size);
      await client.end();
      return size;
    },
  },
};
const reports = {};
for (const [store, { db, bytes }] of Object.entries(STORES)) {
  console.log(`\n== ${store}`);
  const demo = await start('node', ['www/server.mjs', '--port', '0', '--sandbox', sandbox.url, '--db', db], /Demo integrator site: (\S+)\//);

  async function signIn() {
    const started = performance.now();
    const home = await http(demo.url, '/');
    const cookie = home.headers['set-cookie'][0].split(';')[0];
    const state = /data-state="([0-9a-f]{32})"/.exec(home.text)[1];
    // The consent form's Allow in post_message mode: a 303 to the Redirect URI with the code.
    const q = new URLSearchParams({ state, mode: 'post_message', origin: `${demo.url}/`, client_id: 'demo-client-id' });
    const decided = await http(sandbox.url, '/oauth/decide', {
      method: 'POST',
      headers: { origin: sandbox.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ q: q.toString(), decision: 'allow', account_id: '31000001' }).toString(),
    });
    if (decided.status !== 303) throw new Error(`consent answered ${decided.status}`);
    const redirect = new URL(decided.headers.location);
    const callback = await http(demo.url, redirect.pathname + redirect.search, { headers: { cookie } });
    if (!/Connected/.test(callback.text)) throw new Error(`callback: ${callback.status}`);
    // A sign-in moves the session to a new id: the cookie the Redirect URI set.
    const signedIn = callback.headers['set-cookie'][0].split(';')[0];
    const account = await http(demo.url, '/api/account', { headers: { cookie: signedIn } });
    if (account.status !== 200) throw new Error(`account: ${account.status} ${account.text.slice(0, 200)}`);
    return { ms: performance.now() - started, cookie: signedIn, state };
}

// 1. Concurrent sign-ins, all started at once.
const memoryAtStart = rss(demo.child.pid);
const started = performance.now();
const results = await Promise.all(Array.from({ length: SIGN_INS }, () => signIn().catch((e) => ({ error: String(e.message || e) }))));
const wall = performance.now() - started;
const ok = results.filter((r) => !r.error);
const latencies = ok.map((r) => r.ms).sort((a, b) => a - b);
const errors = results.filter((r) => r.error);

// 2. Anonymous visitors.
const memoryBefore = rss(demo.child.pid);
const anonStarted = performance.now();
await pool(ANONYMOUS, 50, () => http(demo.url, '/'));
const anonWall = performance.now() - anonStarted;
const memoryAfter = rss(demo.child.pid);
// A second flood as large: memory that is bounded stays where the first one left it.
await pool(ANONYMOUS, 50, () => http(demo.url, '/'));
const memoryAfterTwice = rss(demo.child.pid);
let survived = 0;
for (const r of ok) if ((await http(demo.url, '/api/account', { headers: { cookie: r.cookie } })).status === 200) survived += 1;

// 3. The secrets webhook (a state that is not held: the lookup is the cost), against a page load.
const time = async (n, fn) => { const t = performance.now(); for (let i = 0; i < n; i += 1) await fn(); return (performance.now() - t) / n; };
const webhookMs = await time(300, () => http(demo.url, '/api/secrets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: 'mc_x', client_secret: 's', state: 'f'.repeat(32) }) }));
const pageMs = await time(300, () => http(demo.url, '/'));

const report = {
  signIns: { concurrent: SIGN_INS, ok: ok.length, errors: errors.length, firstError: errors[0]?.error, wallMs: Math.round(wall),
    p50Ms: Math.round(quantile(latencies, 0.5)), p99Ms: Math.round(quantile(latencies, 0.99)), maxMs: Math.round(latencies.at(-1) ?? 0) },
  anonymous: { visits: ANONYMOUS, wallMs: Math.round(anonWall), rssAtStart: memoryAtStart, rssBefore: memoryBefore, rssAfter: memoryAfter, rssAfterTwice: memoryAfterTwice,
    dbBytes: await bytes(db), signedInSurvived: `${survived}/${ok.length}` },
  webhookLookupMs: Number(webhookMs.toFixed(2)), pageLoadMs: Number(pageMs.toFixed(2)),
};
console.log(`\n${SIGN_INS} concurrent full sign-ins: ${ok.length} ok, ${errors.length} errors${errors.length ? ` (${errors[0].error})` : ''}; ` +
  `p50 ${report.signIns.p50Ms} ms, p99 ${report.signIns.p99Ms} ms, max ${report.signIns.maxMs} ms (all done in ${report.signIns.wallMs} ms)`);
console.log(`${ANONYMOUS} anonymous visits in ${(anonWall / 1000).toFixed(1)} s: demo RSS ${mb(memoryAtStart)} at start, ${mb(memoryBefore)} before, ${mb(memoryAfter)} after, ${mb(memoryAfterTwice)} after ${ANONYMOUS} more; ` +
  `database ${mb(report.anonymous.dbBytes)}; signed-in sessions still signed in: ${survived}/${ok.length}`);
console.log(`secrets webhook (lookup by state, ${SIGN_INS} signed-in and up to ${ANONYMOUS} anonymous sessions stored): ${report.webhookLookupMs} ms a request; a page load ${report.pageLoadMs} ms`);
reports[store] = report;
await new Promise((resolve) => { demo.child.once('exit', resolve); demo.child.kill('SIGTERM'); });
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'backend.json'), JSON.stringify(reports, null, 2) + '\n');
sandbox.child.kill();
postgres.stop();
rmSync(dir, { recursive: true, force: true });
