// Screenshots of every theme, colour, size, compact and locale, compared with the reference
// images committed in tests/browser/screenshots/, so that a visual change shows up in review.
// A small tolerance absorbs anti-aliasing. After an intended change, regenerate them with
// `npm run screenshots` and commit the new images; on a mismatch the actual image and a diff
// are written to target/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { launch, openPage, root, serve } from './harness.mjs';

const UPDATE = process.env.UPDATE_SCREENSHOTS === '1';
/** Share of pixels that may differ (beyond pixelmatch's per-pixel threshold). */
const TOLERANCE = 0.01;

const attrs = (o) => Object.entries(o).map(([k, v]) => `data-${k}="${v}"`).join(' ');
const tag = (klass, o) => `<div class="cell"><div class="${klass}" ${attrs({ 'client-id': 'c', ...o })}></div></div>`;

function page(dir = 'ltr') {
  const cells = [];
  for (const theme of ['light', 'dark']) for (const compact of ['false', 'true']) cells.push(tag('kommo_oauth', { theme, compact }));
  for (const locale of ['es', 'pt', 'id']) cells.push(tag('kommo_oauth', { locale }));
  for (const color of ['default', 'blue', 'violet', 'green', 'orange', 'red']) cells.push(tag('amocrm_oauth', { color }));
  for (const size of ['medium', 'small']) cells.push(tag('kommo_oauth', { size }), tag('kommo_oauth', { size, compact: 'true' }));
  cells.push(tag('kommo_oauth', { width: '100%' }), tag('kommo_oauth', { title: 'A title far too long for the two hundred pixels it has' }));
  return `<!doctype html><html lang="en" dir="${dir}"><head><meta charset="utf-8"><title>Screens</title>
<style>body{margin:0;background:#fff}#all{display:grid;grid-template-columns:repeat(3,220px);gap:8px;padding:8px;width:max-content}
.cell{width:200px;height:48px}</style></head><body><div id="all">${cells.join('')}</div><script src="/dist/button.js"></script></body></html>`;
}

let server, browser;
before(async () => {
  server = await serve({ pages: { '/ltr': page('ltr'), '/rtl': page('rtl') } });
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.close(); });

for (const name of ['ltr', 'rtl']) {
  test(`the ${name} gallery looks as its reference image`, async () => {
    const p = await openPage(browser);
    await p.setViewportSize({ width: 720, height: 600 });
    await p.goto(`${server.origin}/${name}`);
    await p.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 19);
    await p.evaluate(() => document.fonts.ready);
    const actual = PNG.sync.read(await p.locator('#all').screenshot({ animations: 'disabled' }));
    await p.context().close();
    const file = join(root, 'tests', 'browser', 'screenshots', `${name}.png`);
    if (UPDATE || !existsSync(file)) {
      writeFileSync(file, PNG.sync.write(actual));
      assert.ok(UPDATE, `${file} did not exist: written now; commit it`);
      return;
    }
    const expected = PNG.sync.read(readFileSync(file));
    assert.deepEqual([actual.width, actual.height], [expected.width, expected.height], 'the gallery changed size');
    const diff = new PNG({ width: actual.width, height: actual.height });
    const changed = pixelmatch(expected.data, actual.data, diff.data, actual.width, actual.height, { threshold: 0.2 });
    if (changed > TOLERANCE * actual.width * actual.height) {
      const out = join(root, 'target', 'screenshots');
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, `${name}.actual.png`), PNG.sync.write(actual));
      writeFileSync(join(out, `${name}.diff.png`), PNG.sync.write(diff));
      assert.fail(`${changed} pixels differ from ${file} (see target/screenshots/); if the change is intended, run npm run screenshots`);
    }
  });
}
