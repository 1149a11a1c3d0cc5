// Response and request helpers shared by the demo back end's routes.
import { timingSafeEqual } from 'node:crypto';

export const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml',
};
const MAX_BODY = 64 * 1024;

export const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Compares two secrets (states) in constant time; false unless both are strings. */
export const sameText = (a, b) => typeof a === 'string' && typeof b === 'string' && a.length === b.length
  && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Writes a response: never cached, never sniffed; HTML is never framed (and isolated from
 * its popups' openers with `coop`).
 */
export function send(res, status, type, body, { coop = false, headers = {} } = {}) {
  const all = { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers };
  if (type.startsWith('text/html')) {
    all['x-frame-options'] = 'DENY';
    all['content-security-policy'] = "frame-ancestors 'none'";
    if (coop) all['cross-origin-opener-policy'] = 'same-origin';
  }
  res.writeHead(status, all);
  res.end(body);
}

export const json = (res, status, body) => send(res, status, 'application/json', JSON.stringify(body));

/** The JSON body, or `null` when it is not JSON; throws `413` past MAX_BODY bytes. */
export async function readJson(req) {
  if (!/^application\/json\b/i.test(req.headers['content-type'] || '')) return null;
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > MAX_BODY) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(c);
  }
  try { return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'); } catch { return null; }
}
