// The npm package as `npm pack` would publish it (pkg/, built by `npm run build`): its
// files, metadata and exports, and its TypeScript declarations under `tsc --strict`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const pkg = join(root, 'pkg');

test('npm pack contains the typed ESM package, its wasm, the drop-in files, LICENSE and README', () => {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: pkg, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  const files = packed.files.map((f) => f.path).sort();
  for (const f of ['LICENSE', 'README.md', 'package.json', 'index.js', 'index.d.ts', 'kommo_oauth_button.js', 'kommo_oauth_button.d.ts', 'kommo_oauth_button_bg.wasm',
    'wasm-init.js', 'callback/index.js', 'callback/index.d.ts', 'leadexec/index.js', 'leadexec/index.d.ts',
    'callback/kommo_oauth_callback.js', 'callback/kommo_oauth_callback.d.ts', 'callback/kommo_oauth_callback_bg.wasm',
    'leadexec/kommo_oauth_leadexec.js', 'leadexec/kommo_oauth_leadexec.d.ts', 'leadexec/kommo_oauth_leadexec_bg.wasm',
    'dist/le-app-button.js', 'dist/le-app-button_bg.wasm',
    'dist/button.js', 'dist/button_bg.wasm', 'dist/callback.js', 'dist/callback_bg.wasm', 'server/index.js', 'server/index.d.ts', 'react/index.js', 'react/index.d.ts', 'vue/index.js', 'vue/index.d.ts',
    'components.js', 'element/index.js', 'element/index.d.ts', 'dist/integrity.json', 'dist/cdn-snippet.html']) {
    assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
  }
  assert.ok(files.some((f) => /^snippets\/.*\/sign-in-failure\.js$/.test(f)), 'the SignInFailure class the package re-exports');
  const meta = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  assert.equal(meta.license, 'MIT');
  assert.equal(meta.type, 'module');
  assert.deepEqual(meta.exports['.'], { types: './index.d.ts', import: './index.js', default: './index.js' });
  assert.equal(meta.module, 'index.js');
  assert.equal(meta.types, 'index.d.ts');
  assert.deepEqual(meta.exports['./callback'], { types: './callback/index.d.ts', import: './callback/index.js', default: './callback/index.js' });
  assert.deepEqual(meta.exports['./leadexec'], { types: './leadexec/index.d.ts', import: './leadexec/index.js', default: './leadexec/index.js' });
  for (const entry of ['./react', './vue', './element']) assert.equal(meta.exports[entry].types, `${entry}/index.d.ts`);
  assert.ok(meta.sideEffects.includes('./element/index.js'), 'bundlers keep the import that defines the tag');
  assert.deepEqual(meta.peerDependenciesMeta, { react: { optional: true }, vue: { optional: true } });
  assert.deepEqual(meta.exports['./server'], { types: './server/index.d.ts', import: './server/index.js', default: './server/index.js' });
  assert.equal(meta.exports['./dist/*'], './dist/*', 'https://<cdn>/npm/kommo-oauth-button@VERSION/dist/button.js');
  assert.equal(meta.exports['./package.json'], './package.json');
  assert.equal(meta.exports['./kommo_oauth_button_bg.wasm'], './kommo_oauth_button_bg.wasm', 'the wasm, for bundlers that copy it');
  assert.ok(meta.keywords.includes('kommo'));
  // Addresses a package user can follow: https, or none at all (a clone's remote is a path).
  for (const key of ['repository', 'homepage', 'bugs']) {
    const value = meta[key];
    const url = typeof value === 'string' ? value : value?.url;
    if (value !== undefined) assert.match(String(url), /^(git\+)?https:\/\//, `${key}: ${JSON.stringify(value)}`);
  }
  const readme = readFileSync(join(pkg, 'README.md'), 'utf8');
  assert.doesNotMatch(readme, /npm (start|test|run)/, 'written for package users, not for this repository');
  assert.match(readFileSync(join(pkg, 'dist', 'button.js'), 'utf8'), /sha384-/, 'the drop-in carries its wasm hash');
});

test('the README examples type-check under tsc --strict with lib ["es2022", "dom"] and skipLibCheck off', () => {
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tests', 'types', 'tsconfig.json')], { stdio: 'inherit' });
});

test('calling the package before init(), or on a server, says what to do instead of failing obscurely', async () => {
  const mod = await import(join(pkg, 'index.js'));
  const callback = await import(join(pkg, 'callback', 'index.js'));
  assert.throws(() => mod.mount({}, { clientId: 'x' }), /call `await init\(\)` first/);
  assert.throws(() => callback.completeSignIn(), /call `await init\(\)` first/);
  const leadexec = await import(join(pkg, 'leadexec', 'index.js'));
  assert.throws(() => leadexec.refresh('r', 'a'), /refresh\(\) was called before the wasm was loaded/);
  // Each entry exports its documented API and nothing of wasm-bindgen's glue.
  assert.deepEqual(Object.keys(mod).sort(), ['SignInFailure', 'default', 'mount']);
  assert.deepEqual(Object.keys(callback).sort(), ['completeSignIn', 'default']);
  assert.deepEqual(Object.keys(leadexec).sort(), ['default', 'disconnect', 'enhance', 'refresh', 'setOrigin']);
  assert.equal(mod.completeSignIn, undefined, 'the helper is its own entry point');
  assert.equal(mod.autoMount, undefined, 'the auto-mount is the drop-in\'s only');
  assert.ok(new mod.SignInFailure('x') instanceof Error, 'SignInFailure is an exported Error subclass');
  assert.equal(new mod.SignInFailure('x').name, 'SignInFailure');
  // Under Node (server-side rendering), after init: no window, no document.
  await mod.default({ module_or_path: readFileSync(join(pkg, 'kommo_oauth_button_bg.wasm')) });
  assert.throws(() => mod.mount({}, { clientId: 'x' }), /mount\(\) needs a browser/);
});

test('kommo-oauth-button/server loads under Node without a browser or the wasm', async () => {
  const server = await import(join(pkg, 'server', 'index.js'));
  assert.deepEqual(Object.keys(server).sort(), ['ACCOUNT_DOMAINS', 'DEFAULT_TIMEOUT_MS', 'KommoServerError', 'account', 'accountOrigin', 'exchangeCode', 'refreshTokens']);
  assert.throws(() => server.accountOrigin('attacker.example'), (e) => e instanceof server.KommoServerError && e.code === 'invalid_referer');
});
