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
  for (const size of ['medium', 'small']) cells.push(cell('kommo_oauth', { size }), cell('amocrm_oauth', { size, color: 'red' }));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Every button</title><style>body{margin:8px;font:16px sans-serif}.cell{width:200px;margin:0 0 8px}</style></head>
<body><main><h1>Every button</h1>${cells.join('\n')}</main><script src="/dist/button.js"></script></body></html>`;
}

const SIZES = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sizes</title>
<style>.box{width:400px;margin:4px 0}.narrow{width:200px}</style></head><body>
<div class="box"><div class="kommo_oauth" data-client-id="l"></div></div>
<div class="box"><div class="kommo_oauth" data-client-id="m" data-size="medium"></div></div>
<div class="box"><div class="kommo_oauth" data-client-id="s" data-size="small"></div></div>
<div class="box"><div class="kommo_oauth" data-client-id="mc" data-size="medium" data-compact="true"></div></div>
<div class="box"><div class="kommo_oauth" data-client-id="w240" data-width="240"></div></div>
<div class="box"><div class="kommo_oauth" data-client-id="w300px" data-width="300px"></div></div>
<div class="box"><div class="kommo_oauth" data-client-id="full" data-width="100%"></div></div>
<div class="box narrow"><div class="kommo_oauth" data-client-id="w600" data-width="600"></div></div>
<div class="box"><div class="kommo_oauth" data-client-id="bad" data-size="huge" data-width="9000"></div></div>
<script src="/dist/button.js"></script></body></html>`;

const OPTIONS = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Options</title>
<style>.box{width:320px;margin:4px 0}</style></head><body>
<div id="wordings">${['en', 'es', 'pt', 'id'].map((l) => ['signin_with', 'signup_with'].map((t) => `<div class="box"><div class="kommo_oauth" data-client-id="c" data-locale="${l}" data-text="${t}"></div></div>`).join('')).join('')}
<div class="box"><div class="amocrm_oauth" data-client-id="c" data-text="signin_with"></div></div>
<div class="box"><div class="amocrm_oauth" data-client-id="c" data-text="signup_with"></div></div>
<div class="box"><div class="kommo_oauth" data-client-id="c" data-text="continue_with"></div></div>
<div class="box"><div class="kommo_oauth" data-client-id="c" data-text="signup_with" data-title="Mine"></div></div></div>
<div id="shapes"><div class="box"><div class="kommo_oauth" data-client-id="c" data-shape="round"></div></div>
<div class="box"><div class="kommo_oauth" data-client-id="c" data-shape="pill"></div></div>
<div class="box"><div class="kommo_oauth" data-client-id="c" data-shape="pill" data-compact="true"></div></div></div>
<div id="alignment"><div class="box"><div class="kommo_oauth" data-client-id="c" data-width="100%"></div></div>
<div class="box"><div class="kommo_oauth" data-client-id="c" data-width="100%" data-logo-alignment="center"></div></div></div>
<script src="/dist/button.js"></script></body></html>`;

const RTL = `<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>RTL</title></head><body>
<div class="kommo_oauth" data-client-id="r" data-title="متابعة مع Kommo"></div><script src="/dist/button.js"></script></body></html>`;

// Every default title, and custom titles of usual length, whole: on one line, or two in a
// narrow container; never cut, never overflowing the button or the container.
const TITLES_PAGE = (width) => {
  const cells = [];
  for (const theme of ['light', 'dark']) {
    for (const locale of ['en', 'es', 'pt', 'id']) cells.push(cell('kommo_oauth', { theme, locale }));
  }
  for (const color of ['default', 'blue', 'violet', 'green', 'orange', 'red']) cells.push(cell('amocrm_oauth', { color }));
  for (const size of ['medium', 'small']) cells.push(cell('kommo_oauth', { size, locale: 'id' }), cell('amocrm_oauth', { size }));
  // The other wordings (data-text), in each locale and for amoCRM.
  for (const text of ['signin_with', 'signup_with']) {
    for (const locale of ['en', 'es', 'pt', 'id']) cells.push(cell('kommo_oauth', { text, locale }));
    cells.push(cell('amocrm_oauth', { text }));
  }
  if (width >= 240) {
    for (const title of ['Connect your Kommo account', 'Sign in with Kommo', 'Войти через amoCRM', 'Conectar con Kommo CRM']) cells.push(cell('kommo_oauth', { title }));
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Titles at ${width} px</title><style>body{margin:8px}.cell{width:${width}px;margin:0 0 8px}</style></head>
<body>${cells.join('\n')}<script src="/dist/button.js"></script></body></html>`;
};

let server, browser;
before(async () => {
  server = await serve({ pages: { '/gallery': gallery(), '/sizes': SIZES, '/rtl': RTL, '/options': OPTIONS, '/titles-200': TITLES_PAGE(200), '/titles-240': TITLES_PAGE(240), '/titles-288': TITLES_PAGE(288) } });
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.close(); });

async function open() {
  const p = await openPage(browser);
  await p.setViewportSize({ width: 320, height: 640 });
  await p.goto(`${server.origin}/gallery`);
  await p.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 2 * 4 * 8 + 2 + 4);
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

test('a title too long for two lines ends in an ellipsis, and the button keeps the whole title as its name', async () => {
  const p = await open();
  const long = p.getByRole('button', { name: LONG });
  assert.equal(await long.count(), 2);
  const text = await long.first().evaluate((b) => {
    const t = b.querySelector('.kbtn-text');
    const s = getComputedStyle(t);
    return { cut: t.scrollHeight > t.clientHeight + 1, lines: s.webkitLineClamp, height: b.getBoundingClientRect().height };
  });
  assert.deepEqual(text, { cut: true, lines: '2', height: 45 });
  await p.context().close();
});

for (const width of [200, 240, 288]) {
  test(`in a ${width} px container every default title is whole (each locale, theme and colour${width >= 240 ? ', and usual custom titles' : ''})`, async () => {
    const p = await openPage(browser);
    await p.setViewportSize({ width: 320, height: 900 });
    await p.goto(`${server.origin}/titles-${width}`);
    const count = width >= 240 ? 32 : 28;
    await p.waitForFunction((n) => document.querySelectorAll('button.kbtn').length === n, count);
    const bad = await p.evaluate(() => [...document.querySelectorAll('button.kbtn')].flatMap((b) => {
      const t = b.querySelector('.kbtn-text');
      const r = b.getBoundingClientRect();
      const c = b.parentElement.getBoundingClientRect();
      const problems = [];
      if (t.scrollHeight > t.clientHeight + 1) problems.push('cut after two lines');
      if (t.scrollWidth > t.clientWidth + 1) problems.push(`a word wider than the button (${t.scrollWidth} > ${t.clientWidth})`);
      if (r.right > c.right + 0.5) problems.push(`${r.width}px in ${c.width}px`);
      return problems.map((x) => `${b.textContent} [${b.className}]: ${x}`);
    }));
    assert.deepEqual(bad, []);
    await p.context().close();
  });
}

test('data-text words the default title in each locale, data-shape rounds it, data-logo-alignment centres the logo with the title', async () => {
  const p = await openPage(browser);
  await p.goto(`${server.origin}/options`);
  await p.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 17);
  const titles = await p.$$eval('#wordings button.kbtn', (bs) => bs.map((b) => b.textContent));
  assert.deepEqual(titles, [
    'Sign in with Kommo', 'Sign up with Kommo', 'Iniciar sesión con Kommo', 'Registrarse con Kommo',
    'Entrar com Kommo', 'Cadastre-se com Kommo', 'Masuk dengan Kommo', 'Daftar dengan Kommo',
    'Войти через amoCRM', 'Регистрация через amoCRM', 'Continue with Kommo', 'Mine',
  ]);
  const shapes = await p.$$eval('#shapes button.kbtn', (bs) => bs.map((b) => [getComputedStyle(b).borderTopLeftRadius, Math.round(b.getBoundingClientRect().width)]));
  assert.deepEqual(shapes, [['4px', shapes[0][1]], ['22.5px', shapes[1][1]], ['22.5px', 45]], 'rectangular, pill, a compact pill is a circle');
  const aligned = await p.$$eval('#alignment button.kbtn', (bs) => bs.map((b) => {
    const r = b.getBoundingClientRect();
    const logo = b.querySelector('.kbtn-logo').getBoundingClientRect();
    const text = b.querySelector('.kbtn-text').getBoundingClientRect();
    return { logoAtStart: Math.abs(logo.left - r.left) <= 1, centred: Math.abs((logo.left - r.left) - (r.right - text.right)) <= 2 };
  }));
  assert.deepEqual(aligned, [{ logoAtStart: true, centred: false }, { logoAtStart: false, centred: true }]);
  const warnings = p.consoleMessages.filter((m) => m.type === 'warning').map((m) => m.text);
  assert.equal(warnings.length, 1, JSON.stringify(warnings));
  assert.match(warnings[0], /data-shape="round".*rectangular, pill/);
  await p.context().close();
});

test('compact buttons are square touch targets of at least 44 px', async () => {
  const p = await open();
  const sizes = await p.$$eval('button.kbtn-compact:not(.kbtn-s-medium):not(.kbtn-s-small)', (bs) => bs.map((b) => [b.getBoundingClientRect().width, b.getBoundingClientRect().height]));
  assert.equal(sizes.length, 4 * 8);
  for (const [w, h] of sizes) assert.ok(w >= 44 && h >= 44 && w === h, `${w}×${h}`);
  await p.context().close();
});

test('axe-core finds no WCAG 2.1 A or AA violation on a page of every theme, colour, compact and locale', async () => {
  const p = await open();
  assert.deepEqual(await axeViolations(p), []);
  await p.context().close();
});

test('data-size sets the height (the compact button stays square) and data-width a width, never wider than the container', async () => {
  const p = await openPage(browser);
  await p.goto(`${server.origin}/sizes`);
  await p.waitForFunction(() => document.querySelectorAll('button.kbtn').length === 9);
  const box = await p.$$eval('button.kbtn', (bs) => Object.fromEntries(bs.map((b) => {
    const r = b.getBoundingClientRect();
    return [b.getAttribute('data-client_id'), [Math.round(r.width), Math.round(r.height)]];
  })));
  assert.equal(box.l[1], 45);
  assert.equal(box.m[1], 40);
  assert.equal(box.s[1], 32);
  assert.deepEqual(box.mc, [40, 40]);
  assert.equal(box.w240[0], 240);
  assert.equal(box.w300px[0], 300);
  assert.equal(box.full[0], 400);
  assert.equal(box.w600[0], 200, 'max-width: its container');
  assert.deepEqual(box.bad, box.l, 'bad values fall back to the defaults');
  const warnings = p.consoleMessages.filter((m) => m.type === 'warning').map((m) => m.text);
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.ok(warnings.some((w) => w.includes('data-size') && w.includes('huge') && w.includes('large, medium, small')));
  assert.ok(warnings.some((w) => w.includes('data-width') && w.includes('9000') && w.includes('100%')));
  await p.context().close();
});

test('in forced colors (high contrast) every button keeps a visible edge', async () => {
  const p = await openPage(browser);
  await p.emulateMedia({ forcedColors: 'active' });
  await p.setViewportSize({ width: 320, height: 640 });
  await p.goto(`${server.origin}/gallery`);
  await p.waitForFunction(() => document.querySelectorAll('button.kbtn').length > 60);
  const edges = await p.$$eval('button.kbtn', (bs) => bs.map((b) => {
    const s = getComputedStyle(b);
    return [s.borderTopStyle, parseFloat(s.borderTopWidth) >= 1, s.borderTopColor !== 'rgba(0, 0, 0, 0)'];
  }));
  for (const edge of edges) assert.deepEqual(edge, ['solid', true, true]);
  await p.context().close();
});

test('on a dir="rtl" page the button is mirrored: the logo on the right, the separator between them', async () => {
  const p = await openPage(browser);
  await p.goto(`${server.origin}/rtl`);
  await p.waitForSelector('button.kbtn');
  const layout = await p.$eval('button.kbtn', (b) => {
    const logo = b.querySelector('.kbtn-logo');
    const text = b.querySelector('.kbtn-text');
    // The separator is the logo block's inline-end edge: on its left in RTL.
    const s = getComputedStyle(logo);
    return { logoRight: logo.getBoundingClientRect().left > text.getBoundingClientRect().left, left: s.borderLeftStyle, right: s.borderRightStyle };
  });
  assert.deepEqual(layout, { logoRight: true, left: 'solid', right: 'none' });
  await p.context().close();
});
