// A private PostgreSQL cluster for the back-end suites: made with initdb in a temp folder,
// started with pg_ctl on a Unix socket in that folder (no TCP port, so nothing clashes with a
// server of the machine), stopped and removed after. Debian's `postgresql` (the bootstrap
// installs it where missing); as root, the server runs as the `postgres` user, which initdb
// requires.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const ROOT = '/usr/lib/postgresql';

/** The newest installed server's bin folder. */
function bin() {
  const versions = existsSync(ROOT) ? readdirSync(ROOT).filter((v) => existsSync(join(ROOT, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) throw new Error('PostgreSQL is not installed: run npm run bootstrap (it installs Debian\'s postgresql)');
  return join(ROOT, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** Starts a cluster; `{url(database), createDatabase(), stop()}`. */
export async function startPostgres() {
  const dir = mkdtempSync(join(tmpdir(), 'demo-pg-'));
  const root = process.getuid?.() === 0;
  const owner = root ? 'postgres' : userInfo().username;
  if (root) {
    const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
    chownSync(dir, id('-u'), id('-g'));
  }
  const as = (tool, args) => execFileSync(root ? 'runuser' : join(bin(), tool), root ? ['-u', 'postgres', '--', join(bin(), tool), ...args] : args, { stdio: 'pipe' });
  const data = join(dir, 'data');
  as('initdb', ['-D', data, '-U', owner, '--auth=trust', '-E', 'UTF8', '--no-sync']);
  as('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', `-k ${dir} -c listen_addresses= -c fsync=off`, 'start']);
  const url = (database = 'postgres') => `postgresql://${owner}@/${database}?host=${encodeURIComponent(dir)}`;
  let made = 0;
  return {
    url,
    /** A new empty database: its URL. */
    async createDatabase() {
      const name = `demo_${process.pid}_${made += 1}`;
      const admin = new pg.Client({ connectionString: url() });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      return url(name);
    },
    stop() {
      try {
        as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
