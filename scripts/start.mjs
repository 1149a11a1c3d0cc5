// npm start: the sandbox provider on 127.0.0.1:7070 and the demo integrator site on
// localhost:8080 (two origins), then prints the one URL to open. Ctrl+C stops both.
import { spawn, execSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const SANDBOX_PORT = process.env.SANDBOX_PORT || '7070';
const DEMO_PORT = process.env.PORT || '8080';

execSync('cargo build -p kommo-sandbox', { stdio: 'inherit', cwd: root });
const children = [];
function start(cmd, argv, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    child.stdout.on('data', (chunk) => {
      const text = chunk.toString();
      if (text.includes(ready)) resolve(text.trim());
    });
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}`)));
  });
}
const stop = () => { children.forEach((c) => c.kill()); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

try {
  console.log(await start(join(root, 'target', 'debug', 'kommo-sandbox'), ['--port', SANDBOX_PORT, '--config', 'sandbox/integrations.json'], 'Kommo sandbox provider'));
  await start('node', ['www/server.mjs', '--port', DEMO_PORT, '--sandbox', `http://127.0.0.1:${SANDBOX_PORT}`], 'Demo integrator site');
  console.log(`\n  Open http://localhost:${DEMO_PORT}/   (gallery: /gallery, sandbox admin: http://127.0.0.1:${SANDBOX_PORT}/sandbox/admin)\n`);
} catch (e) {
  console.error(`npm start: ${e.message}`);
  stop();
}
