// Server-side rendering, as Next, Nuxt or Astro do it: the package's React and Vue components
// and the example apps render under Node (react-dom/server, vue/server-renderer) to an empty
// container, nothing rejects unhandled, and init() without a browser says where to call it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { createSSRApp, h } from 'vue';
import { renderToString as renderVue } from 'vue/server-renderer';
import { createServer } from 'vite';

const root = new URL('../..', import.meta.url).pathname;
const pkg = join(root, 'pkg');
const unhandled = [];
const onUnhandled = (reason) => unhandled.push(String(reason?.message ?? reason));
before(() => process.on('unhandledRejection', onUnhandled));
after(() => process.off('unhandledRejection', onUnhandled));

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

test('init() without a browser rejects with an error that says where to call it (never a bare fetch failure)', async () => {
  const mod = await import(join(pkg, 'index.js'));
  await assert.rejects(mod.default(), /init\(\) loads the wasm in a browser: call it where the page runs/);
  const callback = await import(join(pkg, 'callback', 'index.js'));
  await assert.rejects(callback.default(), /in a browser/);
  // With the bytes it loads under Node (tests do this).
  await mod.default({ module_or_path: readFileSync(join(pkg, 'kommo_oauth_button_bg.wasm')) });
});

test('the custom element imports on a server without defining anything or failing', async () => {
  const element = await import(join(pkg, 'element', 'index.js'));
  assert.equal(typeof element.KommoOAuthButton, 'function');
  assert.equal(globalThis.customElements, undefined);
  await settle();
  assert.deepEqual(unhandled, []);
});

test('the components render on a server to an empty container and load nothing', async () => {
  const react = await import(join(pkg, 'react', 'index.js'));
  const html = renderToString(createElement(react.KommoButton, { clientId: 'x', containerClassName: 'host', onError() {} }));
  assert.equal(html, '<div class="host"></div>');
  function Hooked() {
    const { ready } = react.useKommoSignIn({ clientId: 'x' });
    return createElement('button', { disabled: !ready }, 'Sign in');
  }
  assert.equal(renderToString(createElement(Hooked)), '<button disabled="">Sign in</button>');
  const vue = await import(join(pkg, 'vue', 'index.js'));
  const app = createSSRApp({ render: () => h(vue.KommoButton, { clientId: 'x', class: 'host' }) });
  assert.equal(await renderVue(app), '<div class="host"></div>');
  await settle();
  assert.deepEqual(unhandled, []);
});

test('the React and Vue example apps render under Node (vite ssrLoadModule), nothing rejects unhandled', async () => {
  for (const name of ['react', 'vue']) {
    const config = (await import(join(root, 'examples', name, 'vite.config.mjs'))).default;
    const server = await createServer({ ...config, configFile: false, logLevel: 'error', server: { middlewareMode: true, hmr: false }, appType: 'custom' });
    try {
      const { App } = await server.ssrLoadModule(name === 'react' ? '/App.jsx' : '/App.js');
      const html = name === 'react'
        ? renderToString(createElement(App))
        : await renderVue(createSSRApp(App));
      assert.match(html, /<main>.*<div class="kommo-host"><\/div>.*<button id="toggle"/s, name);
    } finally {
      await server.close();
    }
  }
  await settle();
  assert.deepEqual(unhandled, []);
});

test('OPTION_NAMES of the components list every ButtonOptions key but the callbacks', () => {
  const dts = readFileSync(join(pkg, 'kommo_oauth_button.d.ts'), 'utf8');
  const body = dts.slice(dts.indexOf('export interface CommonButtonOptions {'), dts.indexOf('export type ButtonOptions'));
  const keys = [...new Set([...body.matchAll(/^ +(\w+)\??:/gm)].map((m) => m[1]))].filter((k) => !['onSuccess', 'onError'].includes(k));
  const vueSource = readFileSync(join(root, 'js', 'components.js'), 'utf8');
  const listed = [...vueSource.slice(vueSource.indexOf('OPTION_NAMES'), vueSource.indexOf(']);')).matchAll(/'(\w+)'/g)].map((m) => m[1]);
  assert.deepEqual([...listed].sort(), [...keys].sort());
});
