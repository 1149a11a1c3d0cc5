// Installs what `npm start` / `npm test` need on a fresh machine, idempotently:
// the wasm32 target and rust-src (rustup); the pinned tools of scripts/tools.mjs (wasm-pack,
// the wasm-bindgen CLI of the version Cargo.lock pins and, with --browser, geckodriver) into
// target/tools with `cargo install`, in an environment without build variables; npm packages
// (npm install) and, with --browser, Debian's chromium + chromium-driver, firefox-esr,
// webkit2gtk-driver and xvfb (apt-get) and the Python OAuth client of the tests (pip, into
// target/python). Each step is skipped when what it installs is there at the right version.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOOLS_ROOT, cleanEnv, installedVersion, missingTools } from './tools.mjs';

const root = new URL('..', import.meta.url).pathname;

function run(cmd, why, env = process.env) {
  console.log(`[bootstrap] ${why}: ${cmd}`);
  execSync(cmd, { stdio: 'inherit', cwd: root, env });
}

function ensureWasmTarget() {
  const installed = execSync('rustup target list --installed', { encoding: 'utf8' });
  if (!installed.split('\n').includes('wasm32-unknown-unknown')) {
    run('rustup target add wasm32-unknown-unknown', 'adding the wasm32 target');
  }
}

// The standard library's source, for the drop-in's size build (scripts/build.mjs), which
// has no fallback: without it the build fails.
function ensureRustSrc() {
  const installed = execSync('rustup component list --installed', { encoding: 'utf8' });
  if (installed.split('\n').includes('rust-src')) return;
  run('rustup component add rust-src', 'adding the rust-src component');
}

// Each tool at its pinned version, built with no build variable of the caller's (a tool
// compiled under the size build's RUSTFLAGS fails) and checked by the version it prints.
function ensureTools(options) {
  for (const tool of missingTools(options)) {
    const found = tool.bins.map((bin) => `${bin} ${installedVersion(bin) ?? 'missing'}`).join(', ');
    const cmd = `cargo install ${tool.crate} --version =${tool.version}${tool.locked ? ' --locked' : ''} --force --root ${TOOLS_ROOT}`;
    run(cmd, `installing ${tool.crate} ${tool.version} into target/tools (found: ${found})`, cleanEnv());
    const wrong = tool.bins.filter((bin) => installedVersion(bin) !== tool.version);
    if (wrong.length) throw new Error(`bootstrap: ${tool.crate} ${tool.version} was installed, but ${wrong.join(', ')} does not print that version`);
  }
}

function ensureNodeModules() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
  if (stale) run('npm install --no-audit --no-fund', 'installing npm packages');
}

// Debian's chromium + chromium-driver (Playwright and wasm-bindgen tests), firefox-esr
// (wasm-bindgen tests and the WebDriver essentials), webkit2gtk-driver + xvfb (WebKitGTK's
// MiniBrowser on a virtual display), in one apt run. (geckodriver is one of the pinned tools:
// its release binaries are downloads from GitHub.)
function ensureBrowsers() {
  const packages = [];
  if (!existsSync('/usr/bin/chromium') || !existsSync('/usr/bin/chromedriver')) packages.push('chromium', 'chromium-driver');
  if (!existsSync('/usr/bin/firefox-esr')) packages.push('firefox-esr');
  if (!existsSync('/usr/bin/WebKitWebDriver') || !existsSync('/usr/bin/xvfb-run')) packages.push('webkit2gtk-driver', 'xvfb');
  // The per-run CA and certificate of the TLS front amoCRM's client libraries reach the sandbox through.
  if (!existsSync('/usr/bin/openssl')) packages.push('openssl');
  // The private cluster the demo back end's Postgres store is tested on (tests/api/postgres.mjs).
  if (!existsSync('/usr/lib/postgresql')) packages.push('postgresql');
  if (packages.length) {
    const sudo = process.getuid && process.getuid() === 0 ? '' : 'sudo ';
    run(`${sudo}apt-get update`, 'refreshing apt lists');
    run(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages.join(' ')}`, `installing Debian ${packages.join(', ')}`);
  }
}

// The Python OAuth 2 clients the sandbox is tested against (tests/python/requirements.txt),
// into target/python (nothing system-wide); again only when the requirements change.
function ensurePythonClient() {
  const requirements = join(root, 'tests', 'python', 'requirements.txt');
  const target = join(root, 'target', 'python');
  const marker = join(target, '.requirements');
  const wanted = readFileSync(requirements, 'utf8');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted) return;
  run(`python3 -m pip install --quiet --disable-pip-version-check --upgrade --target ${target} -r ${requirements}`, 'installing the Python OAuth clients for the tests');
  writeFileSync(marker, wanted);
}

ensureWasmTarget();
ensureRustSrc();
const browser = process.argv.includes('--browser');
ensureTools({ browser });
ensureNodeModules();
if (browser) {
  ensureBrowsers();
  ensurePythonClient();
}
