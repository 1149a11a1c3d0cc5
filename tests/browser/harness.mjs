// Shared set-up for the Playwright tests: a static file server over the repository (so
// pages load dist/button.js as an integrator would) and Debian's headless chromium.
import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

export const root = new URL('../..', import.meta.url).pathname;

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml',
};

/**
 * Serves the repository; `pages` maps a path to HTML (or a function of the request URL)
 * for test pages; `headers` are added to every response (COOP, CSP…).
 */
export async function serve({ pages = {}, headers = {}, port = 0 } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const page = pages[url.pathname];
    try {
      if (page !== undefined) {
        res.writeHead(200, { 'content-type': TYPES['.html'], ...headers });
        return res.end(typeof page === 'function' ? page(url) : page);
      }
      const file = normalize(join(root, decodeURIComponent(url.pathname)));
      if (!file.startsWith(root)) throw new Error('outside');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', ...headers });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, close: () => new Promise((r) => server.close(r)) };
}

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

/** Debian's chromium, headless; `extraArgs` after ours (the bench passes V8 flags this way). */
export function launch(extraArgs = []) {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** A page that records console messages as `{type, text}`. */
export async function openPage(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.consoleMessages = [];
  page.on('console', (m) => page.consoleMessages.push({ type: m.type(), text: m.text() }));
  page.pageErrors = [];
  page.on('pageerror', (e) => page.pageErrors.push(String(e)));
  if (url) await page.goto(url);
  return page;
}

/** Starts a server process and resolves with `{child, url}` once its output matches `pattern`. */
export function startServer(cmd, argv, pattern) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk) => {
      const m = pattern.exec(chunk.toString());
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}`)));
  });
}

/**
 * A raw HTTP request to `base` (an origin) with any path bytes and any headers, Host
 * included, which fetch would normalise or refuse. Resolves with `{status, headers, text}`.
 */
export function rawRequest(base, path, { method = 'GET', headers = {}, body } = {}) {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers: { host: url.host, ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * axe-core's WCAG 2.1 A and AA violations on the page, one line each. The engine is
 * evaluated through the DevTools protocol, so the page's own Content-Security-Policy does
 * not have to allow it.
 */
export async function axeViolations(page) {
  await page.evaluate(await readFile(join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => `${n.target.join(' ')} ${n.any.map((a) => a.message).join('; ')}`).join(' | ')}`);
  });
}
