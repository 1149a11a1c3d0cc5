// A clone into an empty folder has everything the README's commands need: nothing may reach
// outside the repository (no folder next to it, no file that only exists on a developer's machine).
// The clone reuses this checkout's build outputs and node_modules (they are not in git), and
// runs the cheap parts of the suite from there: the benchmark smoke and a scan of what the
// tracked files refer to.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../browser/harness.mjs';

const isGit = existsSync(join(root, '.git'));
let dir, clone;

before(() => {
  if (!isGit) return;
  dir = mkdtempSync(join(tmpdir(), 'kommo-clone-'));
  clone = join(dir, 'repo');
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', root, clone]);
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'));
  symlinkSync(join(root, 'dist'), join(clone, 'dist'));
  symlinkSync(join(root, 'pkg'), join(clone, 'pkg'));
});
after(() => dir && rmSync(dir, { recursive: true, force: true }));

test('no tracked file refers to a folder next to the repository', { skip: !isGit && 'not a git checkout' }, () => {
  const files = execFileSync('git', ['ls-files'], { cwd: clone, encoding: 'utf8' }).split('\n').filter(Boolean);
  const offenders = files.filter((f) => /\.(m?js|rs|toml|json|sh)$|^\.ci\//.test(f))
    .filter((f) => /\.\.\/shared|'\.\.',\s*'shared'/.test(readFileSync(join(clone, f), 'utf8')));
  assert.deepEqual(offenders, []);
});

test('the benchmark runs from a fresh clone (its baseline is in the repository)', { skip: !isGit && 'not a git checkout' }, () => {
  assert.ok(existsSync(join(clone, 'bench', 'baseline-button.js')), 'bench/baseline-button.js is tracked');
  const out = execFileSync('node', ['bench/run.mjs', '--smoke'], { cwd: clone, encoding: 'utf8', timeout: 300_000 });
  assert.match(out, /first button/);
});
