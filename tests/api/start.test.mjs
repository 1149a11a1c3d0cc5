// `npm start`'s last step (scripts/start.mjs, after the build): both servers come up on
// their ports, the printed URL serves the demo site and the gallery, the demo site's
// integration is registered with the sandbox, and stopping it stops both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;

test('start.mjs serves the demo site and the sandbox, and prints the URL to open', async () => {
  const env = { ...process.env, PORT: '18080', SANDBOX_PORT: '17070' };
  const child = spawn('node', ['scripts/start.mjs'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
        const m = /Open (http:\/\/localhost:18080\/)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`start.mjs exited with ${code}: ${out}`)));
    });
    const home = await fetch(url);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /class="kommo_oauth"[\s\S]*data-auth-origin="http:\/\/127\.0\.0\.1:17070"/);
    assert.match(await (await fetch(`${url}gallery`)).text(), /\/www\/dist\/gallery\.js/);
    const state = await (await fetch('http://127.0.0.1:17070/sandbox/api/state')).json();
    const demo = state.integrations.find((i) => i.client_id === 'demo-client-id');
    assert.equal(demo.redirect_uri, 'http://localhost:18080/callback');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  await assert.rejects(fetch('http://127.0.0.1:17070/sandbox/api/state'), 'the sandbox stopped too');
});
