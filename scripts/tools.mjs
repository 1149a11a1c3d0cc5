// The command-line tools the build and the tests run, pinned, and where they live: one place
// for the bootstrap (which installs them), the build and the tests (which check them first).
//
// Every tool is installed by `cargo install --root target/tools`, so the project never
// depends on what a machine's user-level caches (~/.cargo/bin, wasm-pack's cache) happen to
// hold, and a tool of another version elsewhere on PATH is never taken for ours. The build
// runs wasm-pack in its no-install mode: it never downloads or builds a tool itself (its own
// `cargo install` would inherit the size build's RUSTFLAGS and fail).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** Where the project's tools are installed (`cargo install --root`). */
export const TOOLS_ROOT = join(root, 'target', 'tools');
export const TOOLS_BIN = join(TOOLS_ROOT, 'bin');

/** The version `Cargo.lock` pins for a crate (the wasm-bindgen CLI must match the library). */
function lockedVersion(name) {
  const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
  const found = lock.match(new RegExp(`\\[\\[package\\]\\]\\nname = "${name}"\\nversion = "([^"]+)"`));
  if (!found) throw new Error(`tools: ${name} is not in Cargo.lock`);
  return found[1];
}

/**
 * Each tool: the crate that provides it, the version, the binaries it installs, and whether
 * its published lock file still resolves (`--locked`). wasm-bindgen-cli 0.2.130's lock pins a
 * webpki-roots the registry no longer serves, so it is installed at its exact version with
 * its dependencies resolved afresh; the others keep their published locks.
 */
export const TOOLS = [
  { crate: 'wasm-pack', version: '0.15.1', bins: ['wasm-pack'], locked: true },
  { crate: 'wasm-bindgen-cli', version: lockedVersion('wasm-bindgen'), bins: ['wasm-bindgen', 'wasm-bindgen-test-runner'], locked: false },
  { crate: 'geckodriver', version: '0.37.1', bins: ['geckodriver'], locked: true, browser: true },
];

/** Variables that change how cargo compiles: a tool built with the size build's would fail. */
const BUILD_VARIABLES = /^(RUSTFLAGS|RUSTDOCFLAGS|RUSTC_BOOTSTRAP|RUSTC_WRAPPER|RUSTC_WORKSPACE_WRAPPER|CARGO_ENCODED_RUSTFLAGS|CARGO_TARGET_DIR|CARGO_BUILD_.*|CARGO_PROFILE_.*|CARGO_TARGET_.*)$/;

/** The environment a tool is installed in: this process's, less every build variable. */
export function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !BUILD_VARIABLES.test(key)));
}

/** A tool's path in target/tools. */
export function toolPath(bin) {
  return join(TOOLS_BIN, bin);
}

/** The version a binary prints (`wasm-pack 0.15.1` → `0.15.1`), or null when it does not run. */
export function installedVersion(bin) {
  const out = spawnSync(toolPath(bin), ['--version'], { encoding: 'utf8' });
  if (out.status !== 0) return null;
  return out.stdout.match(/(\d+\.\d+\.\d+)/)?.[1] ?? null;
}

/** The tools whose binaries are missing or of another version. */
export function missingTools({ browser = false } = {}) {
  return TOOLS.filter((t) => (browser || !t.browser) && t.bins.some((bin) => installedVersion(bin) !== t.version));
}

/**
 * Fails with one message naming the bootstrap when a tool is missing or of another version;
 * otherwise puts target/tools/bin first on PATH.
 */
export function requireTools(options) {
  const missing = missingTools(options);
  if (missing.length) {
    const list = missing.map((t) => `${t.crate} ${t.version} (found: ${t.bins.map((b) => `${b} ${installedVersion(b) ?? 'none'}`).join(', ')})`).join('; ');
    throw new Error(`The project's tools are missing or of another version in target/tools: ${list}. Run \`npm run bootstrap\` (npm start and npm test run it first).`);
  }
  process.env.PATH = `${TOOLS_BIN}:${process.env.PATH}`;
}
