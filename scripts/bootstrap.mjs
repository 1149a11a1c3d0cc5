// Installs what `npm start` / `npm test` need on a fresh machine, idempotently:
// the wasm32 target and rust-src (rustup), wasm-pack (cargo install), npm packages (npm install) and,
// with --browser, Debian's chromium + chromium-driver, firefox-esr, webkit2gtk-driver and xvfb
// (apt-get), geckodriver (cargo install) and the Python OAuth client of the tests (pip, into
// target/python). Each step is skipped when its tool is already there.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cargoBin = join(homedir(), '.cargo', 'bin');
process.env.PATH = `${cargoBin}:${process.env.PATH}`;

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function run(cmd, why) {
  console.log(`[bootstrap] ${why}: ${cmd}`);
  execSync(cmd, { stdio: 'inherit', cwd: root });
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

function ensureWasmPack() {
  if (!has('wasm-pack')) run('cargo install wasm-pack --locked', 'installing wasm-pack');
}

function ensureNodeModules() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
  if (stale) run('npm install --no-audit --no-fund', 'installing npm packages');
}

// Debian's chromium + chromium-driver (Playwright and wasm-bindgen tests), firefox-esr
// (wasm-bindgen tests and the WebDriver essentials), webkit2gtk-driver + xvfb (WebKitGTK's
// MiniBrowser on a virtual display), in one apt run; then geckodriver, built from crates.io
// (its release binaries are downloads from GitHub).
function ensureBrowsers() {
  const packages = [];
  if (!existsSync('/usr/bin/chromium') || !existsSync('/usr/bin/chromedriver')) packages.push('chromium', 'chromium-driver');
  if (!existsSync('/usr/bin/firefox-esr')) packages.push('firefox-esr');
  if (!existsSync('/usr/bin/WebKitWebDriver') || !existsSync('/usr/bin/xvfb-run')) packages.push('webkit2gtk-driver', 'xvfb');
  if (packages.length) {
    const sudo = process.getuid && process.getuid() === 0 ? '' : 'sudo ';
    run(`${sudo}apt-get update`, 'refreshing apt lists');
    run(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages.join(' ')}`, `installing Debian ${packages.join(', ')}`);
  }
  if (!has('geckodriver')) run('cargo install geckodriver --locked', 'installing geckodriver');
}

// The Python OAuth 2 client the sandbox is tested against (tests/python/requirements.txt),
// into target/python (nothing system-wide); again only when the requirements change.
function ensurePythonClient() {
  const requirements = join(root, 'tests', 'python', 'requirements.txt');
  const target = join(root, 'target', 'python');
  const marker = join(target, '.requirements');
  const wanted = readFileSync(requirements, 'utf8');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted) return;
  run(`python3 -m pip install --quiet --disable-pip-version-check --upgrade --target ${target} -r ${requirements}`, 'installing the Python OAuth client for the tests');
  writeFileSync(marker, wanted);
}

ensureWasmTarget();
ensureRustSrc();
ensureWasmPack();
ensureNodeModules();
if (process.argv.includes('--browser')) {
  ensureBrowsers();
  ensurePythonClient();
}
