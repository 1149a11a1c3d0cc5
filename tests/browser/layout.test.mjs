// The rendered buttons against WCAG 2.1 AA and small screens, in Chromium: every theme,
// colour, compact and locale at a 320 px viewport inside 200 px containers (WCAG 1.4.10
// Reflow), and axe-core over the same page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, serve, launch, openPage } from './harness.mjs';

const LONG = 'Continue with Kommo and keep every lead, contact and deal of this account in sync';
const attrs = (o) => Object.entries(o).map(([k, v]) => `data-${k}="${v}"`).join(' ');
const cell = (klass, o) => `<div class="cell"><div class="${klass}" ${attrs({ 'client-id': 'c', ...o })}></div></div>`;

function gallery() {
  const cells = [];
  for (const compact of ['false', 'true']) {
    for (const locale of ['en', 'es', 'pt', 'id']) {
      for (const theme of ['light', 'dark']) cells.push(cell('kommo_oauth', { theme, locale, compact }));
      for (const color of ['default', 'blue', 'violet', 'green', 'orange', 'red']) {
        cells.push(cell('amocrm_oauth', { color, locale, compact }));
      }
    }
  }
  cells.push(cell('kommo_oauth', { title: LONG }), cell('amocrm_oauth', { title: LONG, color: 'green' }));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Every button</title><style>body{margin:8px;font:16px sans-serif}.cell{width:200px;margin:0 0 8px}</style></head>
<body><main><h1>Every button</h1>${cells.join('\n')}</main><script src="/dist/button.js"></script></body></html>`;
}

let server, browser;
before(async () => {
  server = await serve({ pages: { '/gallery': gallery() } });
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.close(); });

async function open() {
  const p = await openPage(browser);
  await p.setViewportSize({ width: 320, height: 640 });
  await p.goto(`${server.origin}/gallery`);
  await p.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 2 * 4 * 8 + 2);
  return p;
}

test('at a 320 px viewport every button stays inside its 200 px container and the page does not scroll sideways', async () => {
  const p = await open();
  const overflow = await p.evaluate(() => {
    const out = [];
    for (const b of document.querySelectorAll('button.kbtn')) {
      const r = b.getBoundingClientRect();
      const c = b.parentElement.getBoundingClientRect();
      if (r.right > c.right + 0.5 || r.left < c.left - 0.5) out.push(`${b.textContent} ${r.width}px in ${c.width}px`);
    }
    return out;
  });
  assert.deepEqual(overflow, []);
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scroll');
  await p.context().close();
});

test('a title too long for the container is cut with an ellipsis, and the button keeps the whole title as its name', async () => {
  const p = await open();
  const long = p.getByRole('button', { name: LONG });
  assert.equal(await long.count(), 2);
  const text = await long.first().evaluate((b) => {
    const t = b.querySelector('.kbtn-text');
    const s = getComputedStyle(t);
    return { cut: t.scrollWidth > t.clientWidth, ellipsis: s.textOverflow, height: b.getBoundingClientRect().height };
  });
  assert.deepEqual(text, { cut: true, ellipsis: 'ellipsis', height: 45 });
  await p.context().close();
});

test('compact buttons are square touch targets of at least 44 px', async () => {
  const p = await open();
  const sizes = await p.$$eval('button.kbtn-compact', (bs) => bs.map((b) => [b.getBoundingClientRect().width, b.getBoundingClientRect().height]));
  assert.equal(sizes.length, 4 * 8);
  for (const [w, h] of sizes) assert.ok(w >= 44 && h >= 44 && w === h, `${w}×${h}`);
  await p.context().close();
});

test('axe-core finds no WCAG 2.1 A or AA violation on a page of every theme, colour, compact and locale', async () => {
  const p = await open();
  assert.deepEqual(await axeViolations(p), []);
  await p.context().close();
});
