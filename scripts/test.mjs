// npm test: every test, in order of speed.
//  1. cargo fmt and clippy, then native unit tests of the core, the sandbox and the npm crate
//  2. the build (pkg/ and dist/)
//  3. browser tests of the web crate in headless Chromium and Firefox (wasm-pack test)
//  4. a smoke run of the benchmark (3 page loads a side; timings printed, never asserted)
//  5. the sandbox over HTTP and the Playwright suites against dist/ and the sandbox
//     (node --test tests/api tests/browser), whose summary closes the run
import { execSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
process.env.PATH = `${join(homedir(), '.cargo', 'bin')}:${join(root, 'node_modules', '.bin')}:${process.env.PATH}`;
process.env.CHROMEDRIVER ||= '/usr/bin/chromedriver';
process.env.GECKODRIVER ||= join(homedir(), '.cargo', 'bin', 'geckodriver');

function step(title, cmd) {
  console.log(`\n=== ${title}\n$ ${cmd}`);
  execSync(cmd, { stdio: 'inherit', cwd: root });
}

// Style first: formatting and lints across the workspace, natively and for the wasm target
// (the browser crates' code is compiled only there).
step('cargo fmt', 'cargo fmt --all --check');
step('cargo clippy (native)', 'cargo clippy --workspace --all-targets -- -D warnings');
step('cargo clippy (wasm32)', 'cargo clippy --workspace --exclude kommo-sandbox --all-targets --target wasm32-unknown-unknown -- -D warnings');
step('native unit tests', 'cargo test --workspace');
step('build', 'node scripts/build.mjs');
step('browser tests (wasm-bindgen-test, headless Chromium)', 'wasm-pack test --headless --chrome crates/web');
step('browser tests (wasm-bindgen-test, headless Firefox)', 'wasm-pack test --headless --firefox crates/web');
const suites = ['api', 'browser'].flatMap((dir) =>
  readdirSync(join(root, 'tests', dir)).filter((f) => f.endsWith('.test.mjs')).map((f) => `tests/${dir}/${f}`));
// A smoke run keeps the benchmark working; it prints timings and asserts none.
step('benchmark smoke (no assertions on timings)', 'node bench/run.mjs --smoke');
step('sandbox API and browser suites (Playwright in headless Chromium; the essentials in Firefox and WebKit through WebDriver)', `node --test --test-concurrency=1 ${suites.join(' ')}`);
