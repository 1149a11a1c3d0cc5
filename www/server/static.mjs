// Static files: dist/ (the drop-in), pkg/ (the npm package) and www/ (the site's pages).
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { TYPES, send } from './http.mjs';

/** Serves files under `folders` of `root` whose type is one of TYPES. */
export function staticFiles(root, folders = ['dist', 'pkg', 'www']) {
  const dirs = folders.map((d) => resolve(root, d));

  /** The file for a URL path, found after decoding and normalising it, or null. */
  function fileFor(pathname) {
    let decoded;
    try { decoded = decodeURIComponent(pathname); } catch { return null; }
    if (/[\\\0]/.test(decoded) || decoded.split('/').some((part) => part.startsWith('.'))) return null;
    const file = resolve(root, `.${decoded}`);
    const dir = dirs.find((d) => file.startsWith(d + sep));
    // Only the file types this site serves (so no `.mjs`, `.MJS` or `server.mjs.`).
    return dir && Object.hasOwn(TYPES, extname(file)) ? file : null;
  }

  return async function serveStatic(res, pathname) {
    const file = fileFor(pathname);
    if (!file) return send(res, 404, 'text/plain', 'not found');
    try {
      return send(res, 200, TYPES[extname(file)], await readFile(file));
    } catch {
      return send(res, 404, 'text/plain', 'not found');
    }
  };
}
