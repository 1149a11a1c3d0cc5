// npm test: every test, in order of speed.
//  1. cargo fmt and clippy, then native unit tests of the core, the sandbox and the npm crate
//  2. the build (pkg/ and dist/)
//  3. browser tests of the web crate in headless Chromium, Firefox and WebKit (wasm-pack test)
//  4. a smoke run of the benchmark (3 page loads a side; timings printed, never asserted)
//  5. the sandbox over HTTP and the Playwright suites against dist/ and the sandbox
//     (node --test tests/api tests/browser), whose summary closes the run
import { execSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTools, toolPath } from './tools.mjs';

const root = new URL('..', import.meta.url).pathname;
process.env.PATH = `${join(root, 'node_modules', '.bin')}:${process.env.PATH}`;
requireTools({ browser: true });

// wasm-bindgen's test runner takes GECKODRIVER before SAFARIDRIVER before CHROMEDRIVER
// whatever `--chrome` or `--safari` asks for, so each browser step gets only its own driver.
const DRIVERS = {
  Chrome: { flag: '--chrome', variable: 'CHROMEDRIVER', path: process.env.CHROMEDRIVER || '/usr/bin/chromedriver' },
  Firefox: { flag: '--firefox', variable: 'GECKODRIVER', path: process.env.GECKODRIVER || toolPath('geckodriver') },
  Safari: { flag: '--safari', variable: 'SAFARIDRIVER', path: null },
};

function step(title, cmd, env = {}) {
  console.log(`\n=== ${title}\n$ ${cmd}`);
  execSync(cmd, { stdio: 'inherit', cwd: root, env: { ...process.env, ...env } });
}

/**
 * The web crate's wasm-bindgen tests in one engine, with that engine's driver alone in the
 * environment. The step fails unless the runner's log names the engine it was asked for
 * ("Running headless tests in Chrome"), so a run in the wrong browser cannot pass as this one.
 */
async function browserStep(engine, title, env = {}) {
  const { flag, variable, path } = DRIVERS[engine];
  const cmd = `wasm-pack test --mode no-install --headless ${flag} crates/web`;
  console.log(`\n=== browser tests (wasm-bindgen-test, ${title})\n$ ${cmd}`);
  const stepEnv = { ...process.env, ...env };
  for (const d of Object.values(DRIVERS)) delete stepEnv[d.variable];
  if (path) stepEnv[variable] = path;
  const child = spawn('sh', ['-c', cmd], { cwd: root, env: stepEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; process.stdout.write(d); });
  child.stderr.on('data', (d) => { log += d; process.stderr.write(d); });
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`${cmd} exited with ${code}`);
  const ran = [...log.matchAll(/Running headless tests in (\w+)/g)].map((m) => m[1]);
  if (ran.length === 0 || ran.some((e) => e !== engine)) {
    throw new Error(`${cmd} was to run in ${engine}, but the runner's log names ${ran.join(', ') || 'no engine'}`);
  }
  console.log(`[test] ${ran.length} wasm-bindgen test binaries ran in ${engine}, as asked`);
}

// WebKit: wasm-pack drives WebKit as "Safari" through a `safaridriver` on PATH; here that is
// a shim that execs WebKitGTK's WebKitWebDriver (so the runner stops the driver itself), and
// MiniBrowser draws on one virtual display (Xvfb) for the whole step, stopped after it.
async function withVirtualDisplay(run) {
  const xvfb = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const display = await new Promise((resolve, reject) => {
    xvfb.stdout.once('data', (d) => resolve(`:${String(d).trim()}`));
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
  });
  try {
    await run(display);
  } finally {
    xvfb.kill();
  }
}
const shims = join(root, 'target', 'webkit-driver');
mkdirSync(shims, { recursive: true });
writeFileSync(join(shims, 'safaridriver'), '#!/bin/sh\nexec WebKitWebDriver "$@"\n');
chmodSync(join(shims, 'safaridriver'), 0o755);

// Style first: formatting and lints across the workspace, natively and for the wasm target
// (the browser crates' code is compiled only there).
step('cargo fmt', 'cargo fmt --all --check');
step('cargo clippy (native)', 'cargo clippy --workspace --all-targets -- -D warnings');
step('cargo clippy (wasm32)', 'cargo clippy --workspace --exclude kommo-sandbox --all-targets --target wasm32-unknown-unknown -- -D warnings');
step('native unit tests', 'cargo test --workspace');
step('build', 'node scripts/build.mjs');
await browserStep('Chrome', 'headless Chromium');
await browserStep('Firefox', 'headless Firefox');
await withVirtualDisplay((display) => browserStep('Safari', 'WebKitGTK MiniBrowser on a virtual display',
  { DISPLAY: display, PATH: `${shims}:${process.env.PATH}` }));
const suites = ['api', 'browser'].flatMap((dir) =>
  readdirSync(join(root, 'tests', dir)).filter((f) => f.endsWith('.test.mjs')).map((f) => `tests/${dir}/${f}`));
// A smoke run keeps the benchmark working; it prints timings and asserts none.
step('benchmark smoke (no assertions on timings)', 'node bench/run.mjs --smoke');
step("the first button's breakdown, smoke (the drop-in cut short still reads as the bench expects)", 'node bench/run.mjs --smoke --first-button');
step('sandbox API and browser suites (Playwright in headless Chromium; the essentials in Firefox and WebKit through WebDriver)', `node --test --test-concurrency=1 ${suites.join(' ')}`);
